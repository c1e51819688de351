//! regiongraph: find what each goroutine of a Go execution trace was doing
//! (regions described by stack patterns), link those regions across
//! goroutines into cause trees, and print regions, chains, pairs, span
//! trees or their summaries. Several traces are analysed in parallel.

use clap::Parser;
use gocompat::flag;
use rayon::prelude::*;
use regions::Analysis;
use regions::output::{Mode, render};
use regions::patterns::{BUILTIN, Pattern, PatternDefs};
use regions::source::Source;
use std::io::Write;
use std::process::ExitCode;
use toolbox_cli::goflags;

/// Find regions of work in Go execution traces (any format, Go 1.11 to
/// today's) and the causal links between them.
#[derive(Parser, Debug)]
#[command(name = "regiongraph", version)]
struct Flags {
    /// Path to execution trace file ("-" for standard input; repeatable, and
    /// more paths may follow the flags)
    #[arg(long, action = clap::ArgAction::Append)]
    input: Vec<String>,
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
    patterns: Vec<String>,
    /// Print the built-in region patterns (the pattern file format) and exit
    #[arg(long = "list-patterns", num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    list_patterns: bool,
    /// More trace files
    paths: Vec<String>,
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

fn patterns(files: &[String]) -> Result<Vec<Pattern>, String> {
    let mut defs = PatternDefs::builtin();
    for f in files {
        let src = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
        defs.add(&src).map_err(|e| format!("{f}: {e}"))?;
    }
    defs.compile().map_err(|e| format!("patterns: {e}"))
}

fn analyse(path: &str, patterns: &[Pattern]) -> Result<Analysis, String> {
    let source = if path == "-" {
        Source::from_reader(std::io::stdin().lock())
    } else {
        Source::open(path)
    };
    let source = source.map_err(|e| format!("{path}: {e}"))?;
    Analysis::run(&source, patterns.to_vec()).map_err(|e| format!("{path}: {e}"))
}

/// Analyses and prints one trace straight to standard output.
fn one(path: &str, patterns: &[Pattern], mode: Mode) -> ExitCode {
    let a = match analyse(path, patterns) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("regiongraph: {e}");
            return ExitCode::from(1);
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A closed pipe ends the output quietly.
    let _ = render(a, mode, None, &mut out).and_then(|()| out.flush());
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let flags: Flags = goflags::parse();
    if flags.list_patterns {
        print!("{BUILTIN}");
        return ExitCode::SUCCESS;
    }
    let patterns = match patterns(&flags.patterns) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("regiongraph: {e}");
            return ExitCode::from(1);
        }
    };
    let inputs: Vec<&String> = flags.input.iter().chain(&flags.paths).collect();
    if inputs.is_empty() {
        eprintln!("regiongraph: no -input trace given");
        return ExitCode::from(1);
    }
    let Some(mode) = mode(&flags) else {
        return ExitCode::SUCCESS;
    };
    if let [path] = inputs[..] {
        return one(path, &patterns, mode);
    }
    // Traces are analysed in parallel a few at a time, and printed in
    // argument order as each group completes, so memory holds a few traces.
    let group = rayon::current_num_threads() * 2;
    let mut status = ExitCode::SUCCESS;
    let mut stdout = std::io::stdout().lock();
    for chunk in inputs.chunks(group) {
        let results: Vec<Result<Vec<u8>, String>> = chunk
            .par_iter()
            .map(|p| {
                let a = analyse(p, &patterns)?;
                let mut buf = Vec::new();
                render(a, mode, Some(p), &mut buf).map_err(|e| e.to_string())?;
                Ok(buf)
            })
            .collect();
        for r in results {
            match r {
                Ok(text) => {
                    if stdout.write_all(&text).is_err() {
                        return ExitCode::SUCCESS;
                    }
                }
                Err(e) => {
                    eprintln!("regiongraph: {e}");
                    status = ExitCode::from(1);
                }
            }
        }
    }
    status
}
