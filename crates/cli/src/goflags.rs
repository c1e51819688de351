//! Go-style flags on top of clap.
//!
//! Go's `flag` package accepts `-name`, `-name=value`, `-name value`, and the
//! same with two dashes. clap reads `-name` as a cluster of short flags, so
//! before clap sees the arguments, every single-dash argument whose name (the
//! part before any `=`) is one of the command's long flags gets a second dash.
//! Everything after a bare `--` is left alone, as are values such as `-` or
//! `-1`.

use clap::Parser;
use std::ffi::OsString;

/// Rewrites Go-style single-dash long flags into clap's `--name` form.
pub fn normalize<I, T>(cmd: &clap::Command, args: I) -> Vec<OsString>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let longs: Vec<&str> = cmd
        .get_arguments()
        .filter_map(|a| a.get_long())
        .chain(["help"])
        .collect();
    let mut out = Vec::new();
    let mut rest = false;
    for (i, arg) in args.into_iter().enumerate() {
        let arg: OsString = arg.into();
        if i == 0 || rest {
            out.push(arg);
            continue;
        }
        if arg == "--" {
            rest = true;
            out.push(arg);
            continue;
        }
        let rewritten = arg.to_str().and_then(|s| {
            let body = s.strip_prefix('-')?;
            if body.starts_with('-') {
                return None;
            }
            let name = body.split('=').next().unwrap_or(body);
            longs
                .contains(&name)
                .then(|| OsString::from(format!("-{s}")))
        });
        out.push(rewritten.unwrap_or(arg));
    }
    out
}

/// Parses the process arguments into `P`, accepting Go and GNU spellings.
/// On a usage error clap prints the message and exits with status 2, as Go's
/// `flag` package does.
pub fn parse<P: Parser>() -> P {
    parse_from(std::env::args_os())
}

/// Like [`parse`], from an explicit argument list (the first is the program).
pub fn parse_from<P: Parser, I, T>(args: I) -> P
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let cmd = P::command();
    let args = normalize(&cmd, args);
    let matches = cmd.get_matches_from(args);
    P::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[derive(Parser, Debug)]
    struct Flags {
        #[arg(long, default_value = "")]
        input: String,
        #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
        stacks: Option<bool>,
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        goroutine: i64,
        #[arg(long)]
        focus: Vec<String>,
        #[arg(short = 'C', default_value = ".")]
        dir: String,
    }

    fn p(args: &[&str]) -> Flags {
        Flags::try_parse_from(normalize(&Flags::command(), args)).unwrap()
    }

    #[test]
    fn go_and_gnu_spellings_agree() {
        for args in [
            &["x", "-input=f", "-stacks", "-goroutine", "-1"][..],
            &["x", "-input", "f", "-stacks=true", "-goroutine=-1"],
            &["x", "--input=f", "--stacks", "--goroutine", "-1"],
        ] {
            let f = p(args);
            assert_eq!(f.input, "f", "{args:?}");
            assert_eq!(f.stacks, Some(true), "{args:?}");
            assert_eq!(f.goroutine, -1, "{args:?}");
        }
    }

    #[test]
    fn repeated_flags_and_short_flags() {
        let f = p(&["x", "-focus=a", "-focus", "b", "-C", "dir"]);
        assert_eq!(f.focus, ["a", "b"]);
        assert_eq!(f.dir, "dir");
        assert_eq!(p(&["x", "-input", "-"]).input, "-");
        assert_eq!(p(&["x", "-stacks=false"]).stacks, Some(false));
    }
}
