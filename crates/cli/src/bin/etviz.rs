//! etviz: draws regiongraph's `-json -summarize` output as an SVG timeline.

use clap::Parser;
use gocompat::flag;
use regions::svg::render;
use regions::vizinput::read_summaries;
use std::io::Write;
use std::process::ExitCode;
use toolbox_cli::{Error, Tool};

/// Draw span-tree summaries (from `regiongraph -json -summarize`) as an SVG
/// timeline.
#[derive(Parser, Debug)]
#[command(name = "etviz", version)]
struct Flags {
    /// Path to JSON lines (from regiongraph, subject to change)
    #[arg(long, default_value = "")]
    input: String,
    /// Path to SVG output file
    #[arg(long, default_value = "")]
    output: String,
    /// Show details of the goroutines involved in each cluster
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    details: bool,
}

fn run(f: Flags, _: &Tool) -> Result<(), Error> {
    let input = std::fs::read_to_string(&f.input).map_err(|source| Error::Read {
        path: f.input.clone(),
        source,
    })?;
    let sums = read_summaries(&input).map_err(|source| Error::Regions {
        path: f.input.clone(),
        source,
    })?;
    let write = || {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&f.output)?);
        render(&sums, f.details, &mut out)?;
        out.flush()
    };
    write().map_err(|source| Error::Write {
        path: f.output.clone(),
        source,
    })
}

fn main() -> ExitCode {
    toolbox_cli::main("etviz", run)
}
