//! etviz: draws regiongraph's `-json -summarize` output as an SVG timeline.

use clap::Parser;
use gocompat::flag;
use regions::svg::render;
use regions::vizinput::read_summaries;
use std::process::ExitCode;
use toolbox_cli::goflags;

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

fn run(f: &Flags) -> Result<(), String> {
    let input = std::fs::read_to_string(&f.input).map_err(|e| format!("{}: {e}", f.input))?;
    let sums = read_summaries(&input).map_err(|e| format!("{}: {e}", f.input))?;
    let svg = render(&sums, f.details);
    std::fs::write(&f.output, svg).map_err(|e| format!("{}: {e}", f.output))
}

fn main() -> ExitCode {
    let flags: Flags = goflags::parse();
    match run(&flags) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("etviz: {e}");
            ExitCode::from(1)
        }
    }
}
