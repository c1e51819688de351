//! regiongraph: find what each goroutine of a Go execution trace was doing
//! (regions described by stack patterns), link those regions across
//! goroutines into cause trees, and print regions, chains, pairs, span
//! trees or their summaries. Several traces are analysed in parallel.

use clap::Parser;
use gocompat::flag;
use regions::Analysis;
use regions::output::{Mode, render};
use regions::patterns::{BUILTIN, Pattern};
use regions::source::Source;
use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;
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
        _ if f.json && f.summarize => Mode::JsonSummary,
        _ if f.json => Mode::Json,
        _ => return None,
    })
}

/// Reads and analyses one trace, in two passes.
fn analyse(input: &Input, patterns: &[Pattern]) -> Result<Analysis, Error> {
    let fail = |source| Error::Regions {
        path: input.name().into(),
        source,
    };
    input.hold().map_err(|source| Error::Read {
        path: input.name().into(),
        source,
    })?;
    let source = Source::from_fn(input.opener()).map_err(fail)?;
    Analysis::run(&source, patterns.to_vec()).map_err(fail)
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
    let Some(mode) = mode(&flags) else {
        // Upstream prints nothing and exits 0 here too.
        tool.warn(&"nothing to print: give -show-regions, -show-chains, -show-pairs or -json");
        return Ok(());
    };
    let mut inputs = traceinput::expand(&args);
    // One trace: printed straight to standard output, unnamed.
    if matches!(&inputs[..], [Ok(_)])
        && let Some(Ok(input)) = inputs.pop()
    {
        let a = analyse(&input, &patterns)?;
        render(a, mode, None, &mut out).map_err(Error::Stdout)?;
        return out.flush().map_err(Error::Stdout);
    }
    // Several: analysed in parallel a few at a time, and printed in
    // argument order, each record naming its trace.
    toolbox_cli::print_in_order(tool, inputs, &mut out, |input, out| {
        let a = analyse(&input, &patterns)?;
        render(a, mode, Some(input.name()), out).map_err(Error::Stdout)
    })
}

fn main() -> ExitCode {
    toolbox_cli::main("regiongraph", run)
}
