//! apshuffle: find, among piles of Autoprof profile bundles (extracted
//! folders or zip files), the ones that show a problem. Flags as upstream's;
//! the work is done by the `autoprof` crate.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use gocompat::flag::parse_bool;
use gocompat::re2::Pattern;
use toolbox_cli::{Error, Tool};

/// Rank Autoprof bundles under a folder by a profile value, list their
/// hosts, or link each bundle to its process's previous and next ones.
///
/// Exit status: 0 on success, 1 on a fatal error, 2 on a usage error, 3
/// when some bundle or profile could not be read and was skipped (named on
/// stderr).
#[derive(Parser, Debug)]
#[command(name = "apshuffle")]
struct Args {
    /// change to directory before running
    #[arg(short = 'C', value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Filter to bundles that include an execution trace
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    with_trace: Option<bool>,
    /// print host list
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    hosts: Option<bool>,
    /// name of profile to use for sorting ("goroutine", "profile", etc)
    #[arg(long, value_name = "NAME", default_value = "")]
    profile_sort: String,
    /// Name of sample type to use for sorting ("inuse_space", "alloc_objects", "contentions", etc)
    #[arg(long, value_name = "TYPE", default_value = "")]
    sample_type: String,
    /// Filter profile samples to matching stacks (repeatable: all must match)
    #[arg(long, value_name = "REGEXP", value_parser = go_regex)]
    focus: Vec<Pattern>,
    /// Filter profile samples to remove matching stacks (at most once)
    #[arg(long, value_name = "REGEXP", value_parser = go_regex)]
    ignore: Option<Pattern>,
    /// Use the previous profile from the same process as a diff base
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    vs_prev: Option<bool>,
    /// Create prev/next symlinks between folder bundles from the same process
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    write_links: Option<bool>,
    /// Print one JSON object per line (path, value, base, and the meta fields)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    json: Option<bool>,
    /// Ignored, as Go's flag package ignores arguments after the first non-flag
    #[arg(hide = true, trailing_var_arg = true)]
    rest: Vec<String>,
}

fn go_regex(s: &str) -> Result<Pattern, String> {
    Pattern::new(s).map_err(|e| e.to_string())
}

fn run(a: Args, _: &Tool) -> Result<(), Error> {
    let on = |b: Option<bool>| b.unwrap_or(false);
    let count = (!a.profile_sort.is_empty()).then(|| autoprof::Query {
        profile: a.profile_sort.clone(),
        sample_type: a.sample_type.clone(),
        filter: pprof::Filter {
            focus: a.focus.clone(),
            ignore: a.ignore.clone(),
        },
    });
    let opts = autoprof::Options {
        root: a.dir.clone(),
        with_trace: on(a.with_trace),
        hosts: on(a.hosts),
        write_links: on(a.write_links),
        count,
        vs_prev: on(a.vs_prev),
        json: on(a.json),
    };
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    match autoprof::run(&opts, stdout) {
        // Skipped inputs are already named on stderr.
        Ok(o) if o.skipped > 0 => Err(Error::Exit(3)),
        Ok(_) => Ok(()),
        Err(autoprof::Error::Write(e)) => Err(Error::Stdout(e)),
        Err(e) => Err(Error::Apshuffle(e)),
    }
}

fn main() -> ExitCode {
    toolbox_cli::main("apshuffle", run)
}
