//! regiongraph's analysis, for Go execution traces of every format.
//!
//! From one trace it finds *regions* (what each goroutine was doing:
//! serving an inbound HTTP request, an outbound round trip, a dial, a DNS
//! lookup, ...) with stack-pattern trackers defined in a pattern file
//! ([`patterns`]), links them across goroutines into cause chains
//! ([`connect`]), turns those into span trees ([`spans`]) and summaries
//! ([`summary`]), and prints them ([`text`], [`json`], [`svg`]). Events of
//! every format are read through one adapter per source ([`source`]) into
//! the analysis's own vocabulary of what goroutines did ([`did`]); errors
//! are [`Error`]s. [`critical`] finds each tree's critical path: who and
//! what delayed its root.
//!
//! ```no_run
//! use regions::{Analysis, patterns::PatternDefs, source::Source};
//!
//! let patterns = PatternDefs::builtin().compile()?;
//! let source = Source::open("http.trace")?;
//! let a = Analysis::run(&source, patterns)?;
//! for span in a.into_trees() {
//!     let s = regions::summary::summarize(&span);
//!     println!("{} {} took {} ns, {} ns on CPU", span.kind, span.g, s.length_ns, s.total_run_ns);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]
pub mod cond;
pub mod connect;
pub mod critical;
pub mod did;
pub mod error;
pub mod event;
pub mod json;
pub mod output;
pub mod patterns;
pub mod ranges;
pub mod source;
pub mod spans;
pub mod summary;
pub mod svg;
pub mod text;
pub mod track;
pub mod vizinput;

use connect::{Chains, Pass};
use critical::{History, Paths};
pub use error::{Error, Result};
use patterns::Pattern;
use source::{Source, Stacks};
use spans::Recorder;
use track::Tracked;

/// The regions and cause chains of one trace.
#[derive(Debug)]
pub struct Analysis {
    /// The region patterns used.
    pub patterns: Vec<Pattern>,
    /// The regions found, and the goroutines.
    pub tracked: Tracked,
    /// The reason chains recorded on the events.
    pub chains: Chains,
    spans: Recorder,
    /// What the critical paths need, when asked for.
    paths: Option<Paths>,
}

impl Analysis {
    /// Reads the trace twice: once to track every goroutine's regions, once
    /// to connect them and record the spans. Memory grows with the
    /// goroutines, regions and spans, not with the events (beyond what a
    /// Go ≤1.21 trace's reader must hold).
    pub fn run(source: &Source, patterns: Vec<Pattern>) -> Result<Analysis> {
        Analysis::run_with(source, patterns, false)
    }

    /// As [`Analysis::run`], also recording every goroutine's history
    /// (a few words per change of state) during the second pass, for the
    /// trees' critical paths ([`Analysis::into_trees_and_paths`]).
    pub fn run_critical(source: &Source, patterns: Vec<Pattern>) -> Result<Analysis> {
        Analysis::run_with(source, patterns, true)
    }

    fn run_with(source: &Source, patterns: Vec<Pattern>, critical: bool) -> Result<Analysis> {
        let mut stacks = Stacks::new();
        let tracked = track::track(source, &patterns, &mut stacks)?;
        let (chains, spans, paths) = if critical {
            let mut pass = Pass::new(&tracked, &patterns);
            let mut history = History::new(&tracked);
            source.scan(&mut stacks, |ev, _| {
                pass.observe(ev);
                history.observe(ev);
            })?;
            let (chains, spans) = pass.finish();
            (chains, spans, Some(Paths::new(history, stacks)))
        } else {
            let (chains, spans) = connect::connect(source, &tracked, &patterns, &mut stacks)?;
            (chains, spans, None)
        };
        Ok(Analysis {
            patterns,
            tracked,
            chains,
            spans,
            paths,
        })
    }

    /// The span trees, one per root, by start time, each built as
    /// iterated.
    pub fn into_trees(self) -> spans::Trees {
        self.into_trees_and_paths().0
    }

    /// The span trees (see [`Analysis::into_trees`]) and, when the
    /// analysis was run with [`Analysis::run_critical`], what finds their
    /// critical paths.
    pub fn into_trees_and_paths(self) -> (spans::Trees, Option<Paths>) {
        let trees = spans::trees(self.chains, self.spans, self.tracked, &self.patterns);
        (trees, self.paths)
    }
}
