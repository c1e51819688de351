//! regiongraph's analysis, for Go execution traces of every format.
//!
//! From one trace it finds *regions* (what each goroutine was doing:
//! serving an inbound HTTP request, an outbound round trip, a dial, a DNS
//! lookup, ...) with stack-pattern trackers defined in a pattern file
//! ([`patterns`]), links them across goroutines into cause chains
//! ([`connect`]), turns those into span trees ([`spans`]) and summaries
//! ([`summary`]), and prints them ([`text`], [`json`], [`svg`]).
//!
//! ```no_run
//! use regions::{Analysis, patterns::PatternDefs};
//!
//! let patterns = PatternDefs::builtin().compile()?;
//! let trace = regions::load::load(std::fs::File::open("http.trace")?)?;
//! let a = Analysis::run(trace, patterns);
//! for span in a.trees().iter() {
//!     let s = regions::summary::summarize(&span);
//!     println!("{} {} took {} ns, {} ns on CPU", span.kind, span.g, s.length_ns, s.total_run_ns);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]
pub mod cond;
pub mod connect;
pub mod json;
pub mod load;
pub mod output;
pub mod patterns;
pub mod ranges;
pub mod spans;
pub mod summary;
pub mod svg;
pub mod text;
pub mod trace;
pub mod track;
pub mod vizinput;

use connect::Chains;
use patterns::Pattern;
use trace::Trace;
use track::Region;

/// The regions and cause chains of one trace.
#[derive(Debug)]
pub struct Analysis {
    /// The trace's events.
    pub trace: Trace,
    /// The region patterns used.
    pub patterns: Vec<Pattern>,
    /// Every region found, goroutines ascending, then pattern order.
    pub regions: Vec<Region>,
    /// The reason chains recorded on the events.
    pub chains: Chains,
}

impl Analysis {
    /// Tracks every goroutine and connects the regions.
    pub fn run(trace: Trace, patterns: Vec<Pattern>) -> Analysis {
        let regions = track::track_all(&trace, &patterns);
        let chains = connect::connect(&trace, &regions, &patterns);
        Analysis {
            trace,
            patterns,
            regions,
            chains,
        }
    }

    /// The span trees, one per root, by start time, built as iterated.
    pub fn trees(&self) -> spans::Trees<'_> {
        spans::trees(spans::Inputs {
            trace: &self.trace,
            regions: &self.regions,
            patterns: &self.patterns,
            chains: &self.chains,
        })
    }
}
