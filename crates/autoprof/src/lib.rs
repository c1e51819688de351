//! Autoprof profile bundles, and the `apshuffle` command built on them.
//!
//! A bundle is a zip of `meta`, `expvar` and `pprof/*` members written by
//! the Autoprof library, found either extracted into a folder or as the
//! zip file itself (read in place). [`run`] discovers every bundle under a
//! root, then writes links, lists hosts, or ranks bundles by a profile
//! value, with stdout matching upstream apshuffle's.

mod bundle;
mod discover;
mod error;
mod files;
mod hosts;
mod links;
mod meta;
mod output;
mod paths;
mod rank;
mod report;
pub mod walk;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use rayon::prelude::*;

pub use bundle::{Bundle, Form, folder_has_trace, open_zip, read_zip_member};
pub use discover::{discover, load_bundle};
pub use error::{BundleError, Error};
pub use files::{TooLarge, open_regular, read_capped, read_file};
pub use meta::{Meta, Timestamp};
pub use rank::Query;
pub use report::Problems;

/// What `apshuffle` should do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Root folder to search (`-C`).
    pub root: PathBuf,
    /// Keep only bundles with an execution trace (`-with-trace`).
    pub with_trace: bool,
    /// Print the host list (`-hosts`).
    pub hosts: bool,
    /// Write `_link/prev` and `_link/next` (`-write-links`).
    pub write_links: bool,
    /// Count this profile (`-profile-sort`); `None` when off.
    pub count: Option<Query>,
    /// Subtract the previous bundle's value (`-vs-prev`).
    pub vs_prev: bool,
    /// Print JSON objects instead of text lines (`-json`).
    pub json: bool,
}

/// How a run went, for the exit status.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Inputs that could not be read and were skipped.
    pub skipped: usize,
    /// Some profile has no sample type named as `-sample-type` asks (said
    /// on stderr; they were ranked by their first, as upstream does).
    pub unknown_sample_type: bool,
}

/// Runs apshuffle: results on `stdout`, skipped inputs and the progress
/// bar (when stderr is a terminal) on stderr. Errors are fatal ones: the
/// root cannot be read, or stdout fails.
pub fn run(opts: &Options, stdout: impl Write) -> Result<Outcome, Error> {
    let root = &opts.root;
    let progress = std::io::stderr().is_terminal();
    let mut problems = Problems::default();
    let mut bundles = discover(root, &mut problems, progress)?;
    let mut out = output::Out::new(stdout);
    let mut missing = rank::Missing::new();

    if opts.write_links {
        links::write_links(root, &bundles, &mut problems);
    } else {
        if opts.with_trace {
            let keep: Vec<bool> = bundles.par_iter().map(|b| b.has_trace(root)).collect();
            let mut keep = keep.into_iter();
            bundles.retain(|_| keep.next().unwrap_or(false));
        }
        if opts.hosts {
            out.hosts(&hosts::hosts(&bundles), opts.json)?;
        } else if let Some(q) = &opts.count {
            let values = rank::count(root, &bundles, q, &mut problems, &mut missing, progress);
            let rows = if opts.vs_prev {
                rank::vs_prev(&bundles, &values)
            } else {
                rank::plain(&bundles, &values)
            };
            out.ranked(&rows, opts.json)?;
        }
    }
    out.flush()?;
    let mut stderr = std::io::stderr().lock();
    problems.write_to(&mut stderr)?;
    if let Some(q) = &opts.count {
        report::unknown_sample_type(&mut stderr, q, &missing)?;
    }
    Ok(Outcome {
        skipped: problems.len(),
        unknown_sample_type: !missing.is_empty(),
    })
}
