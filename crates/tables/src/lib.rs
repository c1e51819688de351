//! ettables' work: every trace and Autoprof bundle as a set of Parquet
//! tables, for SQL engines (DuckDB, Spark, Trino) to query by the
//! thousand.
//!
//! Each input gets one file per table, `OUT/<table>/<name>.parquet`, its
//! name derived from the input's ([`name::file_name`]), so a folder of
//! outputs is read by glob and a later run over new inputs only adds
//! files. Traces give `events`, `goroutines`, `stacks`, `frames` (from one
//! pass, [`events`]) and regiongraph's `regions`, `trees` and
//! `critical_path` ([`trees`]);
//! bundles give `bundles` and `samples` ([`bundles`]) and, when they hold
//! a trace, the trace's tables. The schemas are in [`columns`]. Rows are
//! written as they come ([`sink`]) and an input's files appear only once
//! all of them are complete. Inputs are found by [`inputs`].

pub mod bundles;
pub mod columns;
mod error;
pub mod events;
pub mod inputs;
pub mod name;
pub mod sink;
pub mod stacks;
pub mod trees;

pub use error::Error;
pub use inputs::{Item, expand};

use columns::Table;
use inputs::Resolved;
use rayon::prelude::*;
use regions::patterns::Pattern;
use sink::{Files, Sink};
use stacks::StackTable;
use std::path::{Path, PathBuf};

/// Where and how to write.
#[derive(Debug, Clone)]
pub struct Options {
    /// The output folder (`OUT/<table>/...`).
    pub out: PathBuf,
    /// regiongraph's region patterns, for `regions` and `trees`.
    pub patterns: Vec<Pattern>,
}

/// The files written for one input.
#[derive(Debug)]
pub struct Written {
    /// The input's name.
    pub input: String,
    /// The files, in place.
    pub files: Vec<PathBuf>,
    /// Why a bundle's trace has no tables (its own tables were written,
    /// with the reason in `bundles.trace_error`).
    pub trace_error: Option<Error>,
}

/// Writes the tables of one input; `Ok(None)` when a file found in a
/// folder turned out to be neither a trace nor a bundle.
pub fn write(item: Item, opts: &Options) -> Result<Option<Written>, Error> {
    let input = item.name().to_owned();
    let file = name::file_name(&input);
    let out = &opts.out;
    let mut files = Files::default();
    let mut trace_error = None;
    match inputs::resolve(item)? {
        Resolved::Skip => return Ok(None),
        Resolved::Trace(t) => {
            let mut stacks = stack_table(out, &file, &input)?;
            trace(&t, opts, &file, &mut stacks, &mut files)?;
            finish_stacks(stacks, &mut files)?;
        }
        Resolved::Bundle(b, t) => {
            let mut stacks = stack_table(out, &file, &input)?;
            if let Some(t) = &t {
                // A broken trace leaves the bundle's meta and profiles:
                // its tables (and the stacks they named) are dropped.
                let mut trace_files = Files::default();
                match trace(t, opts, &file, &mut stacks, &mut trace_files) {
                    Ok(()) => files.extend(trace_files),
                    Err(e) => {
                        drop(stacks);
                        stacks = stack_table(out, &file, &input)?;
                        trace_error = Some(e);
                    }
                }
            }
            let why = trace_error.as_ref().map(ToString::to_string);
            let meta = bundles::Meta {
                has_trace: t.is_some(),
                trace_error: why.as_deref(),
            };
            bundles::write_meta(&input, &b, meta, sink(out, &file)?, &mut files)?;
            bundles::write_samples(&input, &b, sink(out, &file)?, &mut stacks, &mut files)?;
            finish_stacks(stacks, &mut files)?;
        }
    }
    Ok(Some(Written {
        input,
        files: files.commit()?,
        trace_error,
    }))
}

fn sink<T: Table>(out: &Path, file: &str) -> Result<Sink<T>, Error> {
    Sink::create(out, file)
}

fn stack_table(out: &Path, file: &str, input: &str) -> Result<StackTable, Error> {
    Ok(StackTable::new(input, sink(out, file)?, sink(out, file)?))
}

fn finish_stacks(stacks: StackTable, files: &mut Files) -> Result<(), Error> {
    stacks.stack_rows.finish(files)?;
    stacks.frame_rows.finish(files)
}

/// The trace's tables: one pass for events, then regiongraph's two.
fn trace(
    t: &traceinput::Input,
    opts: &Options,
    file: &str,
    stacks: &mut StackTable,
    files: &mut Files,
) -> Result<(), Error> {
    let out = &opts.out;
    let read = |source| Error::Read {
        input: t.name().to_owned(),
        source,
    };
    t.hold().map_err(read)?;
    let reader = t.open().map_err(read)?;
    events::write(
        t.name(),
        reader,
        sink(out, file)?,
        sink(out, file)?,
        stacks,
        files,
    )?;
    let sinks = trees::Sinks {
        regions: sink(out, file)?,
        trees: sink(out, file)?,
        critical: sink(out, file)?,
    };
    trees::write(t, &opts.patterns, sinks, files)
}

/// Writes every input's tables, in parallel a group at a time, and hands
/// each outcome to `done` in argument order.
pub fn write_all(
    items: Vec<Result<Item, Error>>,
    opts: &Options,
    mut done: impl FnMut(Result<Option<Written>, Error>),
) {
    let group = rayon::current_num_threads().max(1) * 2;
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let chunk: Vec<Result<Item, Error>> = items.by_ref().take(group).collect();
        let results: Vec<Result<Option<Written>, Error>> = chunk
            .into_par_iter()
            .map(|i| i.and_then(|i| write(i, opts)))
            .collect();
        results.into_iter().for_each(&mut done);
    }
}
