//! etviz: draws regiongraph's `-json -summarize` output as an SVG timeline.

use clap::Parser;
use gocompat::flag;
use regions::svg::render;
use regions::vizinput::read_summaries;
use std::ffi::OsString;
use std::process::ExitCode;
use toolbox_cli::{Error, Tool, outfile, shown};

/// Draw span-tree summaries (from `regiongraph -json -summarize`) as an SVG
/// timeline.
#[derive(Parser, Debug)]
#[command(name = "etviz", version)]
struct Flags {
    /// Path to JSON lines (from regiongraph, subject to change)
    #[arg(long, default_value = "")]
    input: OsString,
    /// Path to SVG output file
    #[arg(long, default_value = "")]
    output: OsString,
    /// Show details of the goroutines involved in each cluster
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    details: bool,
}

fn run(f: Flags, tool: &Tool) -> Result<(), Error> {
    let input = std::fs::read_to_string(&f.input).map_err(|source| Error::Read {
        path: shown(&f.input),
        source,
    })?;
    let sums = read_summaries(&input).map_err(|source| Error::Regions {
        path: shown(&f.input),
        source,
    })?;
    regions::svg::check_size(&sums, f.details).map_err(|e| Error::Regions {
        path: shown(&f.input),
        source: e.into(),
    })?;
    if sums.is_empty() {
        // Upstream draws the empty picture too, silently.
        tool.warn(&format_args!(
            "{}: no span-tree summaries (from regiongraph -json -summarize): the picture is empty",
            shown(&f.input)
        ));
    }
    let mut svg = Vec::new();
    render(&sums, f.details, &mut svg).map_err(|source| Error::Write {
        path: shown(&f.output),
        source,
    })?;
    outfile::write(&f.output, &svg)
}

fn main() -> ExitCode {
    toolbox_cli::main("etviz", run)
}
