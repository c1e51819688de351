//! regiongraph: find what each goroutine of a Go execution trace was doing
//! (regions described by stack patterns), link those regions across
//! goroutines into cause trees, and print regions, chains, pairs, span
//! trees or their summaries, or what delayed each tree's root (its
//! critical path, as text, JSON lines or a pprof profile). Several traces
//! are analysed in parallel.

use clap::Parser;
use gocompat::flag;
use regions::Analysis;
use regions::critical::{CriticalPath, profile::Profile};
use regions::output::{Mode, Select, render_selected};
use regions::patterns::{BUILTIN, Pattern};
use regions::source::Source;
use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::Mutex;
use toolbox_cli::{Error, Tool};
use traceinput::Input;

/// Find regions of work in Go execution traces (any format, Go 1.11 to
/// today's) and the causal links between them.
#[derive(Parser, Debug)]
#[command(name = "regiongraph", version)]
struct Flags {
    /// Path to execution trace file ("-" for standard input), Autoprof
    /// bundle (zip or folder) or folder to search for them (repeatable, and
    /// more may follow the flags)
    #[arg(long, action = clap::ArgAction::Append)]
    input: Vec<OsString>,
    /// Print full chains of inter-region connections
    #[arg(long = "show-chains", num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    show_chains: bool,
    /// Print pairs of inter-region connections
    #[arg(long = "show-pairs", num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    show_pairs: bool,
    /// Print regions
    #[arg(long = "show-regions", num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    show_regions: bool,
    /// Print clusters in JSON format (subject to change)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    json: bool,
    /// Use a summary in the JSON format
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    summarize: bool,
    /// Print each tree's critical path: what its root region's goroutine
    /// did, and who or what it waited for, nanosecond by nanosecond (text;
    /// with -json, a JSON line per tree)
    #[arg(long = "critical-path", num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    critical_path: bool,
    /// Only the trees whose root region is of this kind (-json, -critical-path, -pprof)
    #[arg(long)]
    kind: Option<String>,
    /// Only the trees whose root lasts at least this long (Go duration: 250us, 1ms, 1.5s, ...;
    /// -json, -critical-path, -pprof)
    #[arg(long = "min-length", default_value = "0s",
          value_parser = |s: &str| gocompat::duration::parse_duration(s).map_err(|e| e.to_string()))]
    min_length: i64,
    /// Write the critical paths of the selected trees of every trace as a
    /// gzipped pprof profile (nanoseconds per state, labels trace, state,
    /// reason, root_kind, root_g) to this file
    #[arg(long)]
    pprof: Option<OsString>,
    /// Region pattern file (TOML, see -list-patterns) added to the built-in
    /// patterns; a kind already defined is replaced, and
    /// `replace_builtins = true` drops the built-ins (repeatable)
    #[arg(long, action = clap::ArgAction::Append)]
    patterns: Vec<OsString>,
    /// Print the built-in region patterns (the pattern file format) and exit
    #[arg(long = "list-patterns", num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    list_patterns: bool,
    /// More inputs
    paths: Vec<OsString>,
}

fn mode(f: &Flags) -> Option<Mode> {
    Some(match () {
        _ if f.show_chains => Mode::Chains,
        _ if f.show_pairs => Mode::Pairs,
        _ if f.show_regions => Mode::Regions,
        _ if f.critical_path && f.json => Mode::CriticalJson,
        _ if f.critical_path => Mode::Critical,
        _ if f.json && f.summarize => Mode::JsonSummary,
        _ if f.json => Mode::Json,
        _ => return None,
    })
}

/// Reads and analyses one trace, in two passes.
fn analyse(input: &Input, patterns: &[Pattern], critical: bool) -> Result<Analysis, Error> {
    let fail = |source| Error::Regions {
        path: input.name().into(),
        source,
    };
    input.hold().map_err(|source| Error::Read {
        path: input.name().into(),
        source,
    })?;
    let source = Source::from_fn(input.opener()).map_err(fail)?;
    let patterns = patterns.to_vec();
    if critical {
        Analysis::run_critical(&source, patterns).map_err(fail)
    } else {
        Analysis::run(&source, patterns).map_err(fail)
    }
}

fn run(flags: Flags, tool: &Tool) -> Result<(), Error> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    if flags.list_patterns {
        out.write_all(BUILTIN.as_bytes()).map_err(Error::Stdout)?;
        return out.flush().map_err(Error::Stdout);
    }
    let patterns = toolbox_cli::patterns::load(&flags.patterns)?;
    let args: Vec<&OsString> = flags.input.iter().chain(&flags.paths).collect();
    if args.is_empty() {
        return Err(Error::Usage("no -input trace given".into()));
    }
    let mode = mode(&flags);
    let profile = flags.pprof.as_deref();
    if mode.is_none() && profile.is_none() {
        // Upstream prints nothing and exits 0 here too.
        tool.warn(
            &"nothing to print: give -show-regions, -show-chains, -show-pairs, -json, \
              -critical-path or -pprof",
        );
        return Ok(());
    }
    let select = Select {
        kind: flags.kind.clone(),
        min_length_ns: flags.min_length,
    };
    let critical = profile.is_some() || mode.is_some_and(Mode::critical);
    let mut inputs = traceinput::expand(&args);
    // One trace: printed straight to standard output, unnamed.
    if matches!(&inputs[..], [Ok(_)])
        && let Some(Ok(input)) = inputs.pop()
    {
        let a = analyse(&input, &patterns, critical)?;
        let mut paths = Vec::new();
        let keep = profile.is_some().then_some(&mut paths);
        let printed = render_selected(a, mode, &select, None, &mut out, keep)
            .and_then(|()| out.flush())
            .map_err(Error::Stdout);
        let written = write_profile(profile, vec![(None, paths)]);
        printed?;
        return written;
    }
    // Several: analysed in parallel a few at a time, and printed in
    // argument order, each record naming its trace; their paths are
    // profiled in that order too.
    let order: Vec<String> = inputs
        .iter()
        .filter_map(|i| i.as_ref().ok().map(|i| i.name().to_string()))
        .collect();
    let collected: Mutex<Vec<(String, Vec<CriticalPath>)>> = Mutex::new(Vec::new());
    let printed = toolbox_cli::print_in_order(tool, inputs, &mut out, |input, out| {
        let a = analyse(&input, &patterns, critical)?;
        let mut paths = Vec::new();
        let keep = profile.is_some().then_some(&mut paths);
        render_selected(a, mode, &select, Some(input.name()), out, keep).map_err(Error::Stdout)?;
        if profile.is_some()
            && let Ok(mut c) = collected.lock()
        {
            c.push((input.name().to_string(), paths));
        }
        Ok(())
    });
    let mut collected = collected.into_inner().unwrap_or_default();
    collected.sort_by_key(|(name, _)| order.iter().position(|n| n == name));
    let named = collected.into_iter().map(|(n, p)| (Some(n), p)).collect();
    let written = write_profile(profile, named);
    printed?;
    written
}

/// Writes the critical paths of the traces read (each named when there are
/// several) as a profile to `path`, when one was asked for and at least one
/// trace was read.
fn write_profile(
    path: Option<&OsStr>,
    traces: Vec<(Option<String>, Vec<CriticalPath>)>,
) -> Result<(), Error> {
    let Some(path) = path else {
        return Ok(());
    };
    if traces.is_empty() {
        return Ok(());
    }
    let mut p = Profile::new();
    for (name, paths) in &traces {
        for cp in paths {
            p.add(cp, name.as_deref());
        }
    }
    toolbox_cli::outfile::write(path, &p.finish_gzip())
}

fn main() -> ExitCode {
    toolbox_cli::main("regiongraph", run)
}
