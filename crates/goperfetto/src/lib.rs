//! etperfetto's conversion: Go execution traces of every format (through
//! `gotrace`'s one event model) to Perfetto traces (through the
//! `perfetto` writer), streamed: events become packets as they are read.
//!
//! Each input is a process track group holding: a track per goroutine
//! (`G<id> <start function>`) with its states as slices (`running`,
//! `runnable`, `syscall`, or the reason it waits), its user regions and
//! GC assists on tracks beneath it; a track per P with the goroutines it
//! ran; GC mark phases, stop-the-world ranges and user tasks; heap,
//! GOMAXPROCS and goroutine counters; CPU samples and logs as instants;
//! flows from each wake-up to the woken goroutine's next run. Options
//! narrow it to a time window and to some goroutines and those one wake-up
//! away ([`Options`]), and add regiongraph's regions with their cause
//! links ([`RegionOptions`]).

mod convert;
mod error;
mod focus;
mod ids;
mod requests;
mod timeline;
mod window;

pub use convert::Options;
pub use error::{Error, Result};
pub use requests::Select;
pub use window::Bound;

use perfetto::Writer;
use regions::patterns::Pattern;
use std::io::{self, Read, Write};
use std::sync::Arc;

/// Opens the trace afresh, from its start, at each call.
pub type Opener = Arc<dyn Fn() -> io::Result<Box<dyn Read + Send>> + Send + Sync>;

/// `-regions`: the region patterns, and which cause trees to show.
#[derive(Debug, Clone)]
pub struct RegionOptions {
    /// The patterns, as regiongraph uses them.
    pub patterns: Vec<Pattern>,
    /// Which trees.
    pub select: Select,
}

/// What was written for one input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Region slices (with `-regions`).
    pub regions: usize,
}

/// Converts input number `input` (0 for the first; it numbers the
/// tracks and the packet sequence) named `name`, read through `open`
/// (once, or more with `-goroutine` and `-regions`), onto `w`. On a broken
/// trace, what precedes the problem is written (every slice ended) and
/// the error returned.
pub fn convert<W: Write>(
    w: &mut Writer<W>,
    input: u32,
    name: &str,
    open: &Opener,
    opts: &Options,
    regions: Option<&RegionOptions>,
) -> Result<Summary> {
    w.new_sequence(input + 1);
    let shown = if opts.goroutines.is_empty() {
        None
    } else {
        let r = open().map_err(Error::Read)?;
        Some(focus::one_hop(r, &opts.goroutines, opts.from, opts.to)?)
    };
    let analysis = match regions {
        Some(ro) => {
            let o = open.clone();
            let source = regions::source::Source::from_fn(move || o())?;
            Some((
                regions::Analysis::run(&source, ro.patterns.clone())?,
                &ro.select,
            ))
        }
        None => None,
    };
    let mut conv = convert::Converter::new(w, input, name, shown.clone(), opts.from.is_none());
    let mut summary = Summary::default();
    let make_marks = |base: i64, win: &window::Window| match &analysis {
        Some((a, sel)) => {
            let shows = |g: i64| shown.as_ref().is_none_or(|s| s.contains(&g));
            let m = requests::Marks::new(a, sel, base, (win.from, win.to), shows, input);
            summary.regions = m.len();
            m
        }
        None => requests::Marks::none(),
    };
    let r = open().map_err(Error::Read)?;
    convert::run(&mut conv, r, opts, make_marks)?;
    Ok(summary)
}
