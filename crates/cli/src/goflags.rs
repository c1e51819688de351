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

/// Parses a boolean as Go's `strconv.ParseBool` does.
pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err("parse error".into()),
    }
}

/// Parses an integer as Go's flag package does (`strconv.ParseInt(s, 0,
/// 64)`): optional sign, then decimal, `0x`, `0o`, `0b` or leading-`0`
/// octal digits, with `_` allowed between digits and after a prefix.
pub fn parse_int(s: &str) -> Result<i64, String> {
    let err = || "parse error".to_string();
    if s.is_empty() || !underscores_ok(s) {
        return Err(err());
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = match lower.as_bytes() {
        [b'0', b'x', _, ..] => (16, &lower[2..]),
        [b'0', b'o', _, ..] => (8, &lower[2..]),
        [b'0', b'b', _, ..] => (2, &lower[2..]),
        [b'0', ..] => (8, &lower[1..]),
        [] => return Err(err()),
        _ => (10, &lower[..]),
    };
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let magnitude = if clean.is_empty() {
        0
    } else {
        u64::from_str_radix(&clean, radix).map_err(|_| err())?
    };
    if neg {
        0i64.checked_sub_unsigned(magnitude).ok_or_else(err)
    } else {
        i64::try_from(magnitude).map_err(|_| err())
    }
}

/// Go's rule for `_` in base-0 literals: only between digits, or between
/// a base prefix and a digit.
fn underscores_ok(s: &str) -> bool {
    let b = s.strip_prefix(['-', '+']).unwrap_or(s).as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    for &c in &b[i..] {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
    }
    saw != b'_'
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
    fn go_numbers_and_booleans() {
        assert_eq!(parse_int("42"), Ok(42));
        assert_eq!(parse_int("-1"), Ok(-1));
        assert_eq!(parse_int("0x1F"), Ok(31));
        assert_eq!(parse_int("017"), Ok(15));
        assert_eq!(parse_int("0o17"), Ok(15));
        assert_eq!(parse_int("0b101"), Ok(5));
        assert_eq!(parse_int("1_000"), Ok(1000));
        assert_eq!(parse_int("0x_1_0"), Ok(16));
        assert_eq!(parse_int("0_7"), Ok(7));
        assert_eq!(parse_int("0"), Ok(0));
        assert!(parse_int("1__0").is_err() && parse_int("_1").is_err() && parse_int("1_").is_err());
        assert!(parse_int("0x").is_err() && parse_int("08").is_err() && parse_int("-").is_err());
        assert_eq!(parse_int("-9223372036854775808"), Ok(i64::MIN));
        assert!(parse_int("9223372036854775808").is_err());
        assert!(parse_int("x").is_err() && parse_int("").is_err());
        assert_eq!(parse_bool("T"), Ok(true));
        assert_eq!(parse_bool("False"), Ok(false));
        assert!(parse_bool("maybe").is_err());
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
