//! ettables: turn Go execution traces and Autoprof bundles (files,
//! bundles, folders of them) into a folder of Parquet tables for DuckDB,
//! Spark or Trino, one set of files per input, inputs in parallel.

use clap::Parser;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use toolbox_cli::{Error, Tool};

/// Write every event, stack, goroutine, region tree, bundle and profile
/// sample of Go execution traces and Autoprof bundles as Parquet tables:
/// OUT/<table>/<input>.parquet.
#[derive(Parser, Debug)]
#[command(name = "ettables", version)]
struct Flags {
    /// Path to execution trace file ("-" for standard input), Autoprof
    /// bundle (zip or folder) or folder to search for them (repeatable, and
    /// more may follow the flags)
    #[arg(long, action = clap::ArgAction::Append)]
    input: Vec<OsString>,
    /// Output folder: one subfolder per table
    #[arg(long)]
    output: Option<OsString>,
    /// Region pattern file (TOML, regiongraph's format) added to the
    /// built-in patterns for the regions and trees tables (repeatable)
    #[arg(long, action = clap::ArgAction::Append)]
    patterns: Vec<OsString>,
    /// More inputs
    paths: Vec<OsString>,
}

fn run(flags: Flags, tool: &Tool) -> Result<(), Error> {
    let Some(out) = flags.output else {
        return Err(Error::Usage("no -output folder given".into()));
    };
    let args: Vec<&OsString> = flags.input.iter().chain(&flags.paths).collect();
    if args.is_empty() {
        return Err(Error::Usage("no -input given".into()));
    }
    let opts = tables::Options {
        out: PathBuf::from(out),
        patterns: toolbox_cli::patterns::load(&flags.patterns)?,
    };
    tables::write_all(tables::expand(&args), &opts, |r| match r {
        Err(e)
        | Ok(Some(tables::Written {
            trace_error: Some(e),
            ..
        })) => tool.report(&Error::from(Box::new(e))),
        Ok(_) => {}
    });
    Ok(())
}

fn main() -> ExitCode {
    toolbox_cli::main("ettables", run)
}
