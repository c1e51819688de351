//! grstates: the state machines of a Go program's goroutines, keyed by the
//! call stacks where they meet the scheduler, as a Graphviz DOT graph
//! and/or a pan- and zoomable SVG picture. Several traces are read in
//! parallel and their graphs merged: counts add up.

use clap::Parser;
use grgraph::{Graph, dot, svg, viz};
use std::ffi::OsString;
use std::process::ExitCode;
use toolbox_cli::{Error, Tool, outfile, shown};
use traceinput::Input;

/// Show the goroutine state machines of Go execution traces (any format,
/// Go 1.11 to today's) as a directed graph; with several traces, one graph
/// of them all.
#[derive(Parser, Debug)]
#[command(name = "grstates", version)]
struct Flags {
    /// Path to execution trace file ("-" for standard input), Autoprof
    /// bundle (zip or folder) or folder to search for them (repeatable, and
    /// more may follow the flags)
    #[arg(long, action = clap::ArgAction::Append)]
    input: Vec<OsString>,
    /// Path to DOT-format directed graph output
    #[arg(long, default_value = "")]
    dot: OsString,
    /// Path to SVG-format image output (drawn by Graphviz's dot program)
    #[arg(long, default_value = "")]
    svg: OsString,
    /// More inputs
    paths: Vec<OsString>,
}

/// Reads one trace's graph.
fn read(input: &Input) -> Result<Graph, Error> {
    let name = input.name();
    let source = input.source().map_err(|source| Error::Open {
        path: name.into(),
        source,
    })?;
    grgraph::read(source).map_err(|source| Error::Trace {
        path: name.into(),
        source,
    })
}

fn run(f: Flags, tool: &Tool) -> Result<(), Error> {
    let args: Vec<&OsString> = f.input.iter().chain(&f.paths).collect();
    if args.is_empty() {
        return Err(Error::Usage("no -input trace given".into()));
    }
    // Read in parallel, merged in argument order; a trace that cannot be
    // read is reported and left out.
    let mut graph: Option<Graph> = None;
    traceinput::in_order(
        traceinput::expand(&args),
        |input| read(&input),
        |r| {
            match r {
                Ok(Ok(g)) => match &mut graph {
                    Some(all) => all.merge(g),
                    None => graph = Some(g),
                },
                Ok(Err(e)) => tool.report(&e),
                Err(e) => tool.report(&e.into()),
            }
            Ok::<(), Error>(())
        },
    )?;
    let Some(graph) = graph else {
        return Ok(());
    };
    if f.dot.is_empty() && f.svg.is_empty() {
        return Ok(());
    }
    let mut text = Vec::new();
    dot::write(&viz::build(&graph), &mut text).map_err(|source| Error::Write {
        path: shown(&f.dot),
        source,
    })?;
    if !f.dot.is_empty() {
        outfile::write(&f.dot, &text)?;
    }
    if !f.svg.is_empty() {
        let picture = svg::render(&text).map_err(|source| Error::Svg {
            path: shown(&f.svg),
            source,
        })?;
        outfile::write(&f.svg, &picture)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    toolbox_cli::main("grstates", run)
}
