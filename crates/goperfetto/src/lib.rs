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
//! links and each cause tree's critical path ([`RegionOptions`]).

mod convert;
mod error;
mod focus;
mod ids;
mod requests;
mod timeline;
mod window;

pub use convert::Options;
pub use error::{Error, Result};
pub use regions::output::Select;
pub use window::Bound;

use perfetto::Writer;
use regions::patterns::Pattern;
use std::io::{self, Read, Write};
use std::sync::Arc;

/// Opens the trace afresh, from its start, at each call.
pub type Opener = Arc<dyn Fn() -> io::Result<gotrace::TraceSource> + Send + Sync>;

/// `-regions`: the region patterns, and which cause trees to show.
#[derive(Debug, Clone)]
pub struct RegionOptions {
    /// The patterns, as regiongraph uses them.
    pub patterns: Vec<Pattern>,
    /// Which trees, as regiongraph's `-kind` and `-min-length` choose.
    pub select: Select,
}

/// What was written for one input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Region slices (with `-regions`).
    pub regions: usize,
    /// Critical paths drawn (with `-regions`).
    pub paths: usize,
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
            let source = regions::source::Source::from_fn(move || {
                o().map(|s| Box::new(s) as Box<dyn Read + Send>)
            })?;
            Some((
                regions::Analysis::run_critical(&source, ro.patterns.clone())?,
                &ro.select,
            ))
        }
        None => None,
    };
    let mut conv = convert::Converter::new(w, input, name, shown.clone(), opts.from.is_none());
    let mut summary = Summary::default();
    let make_marks = |base: i64, win: &window::Window| match analysis {
        Some((a, sel)) => {
            let shows = |g: i64| shown.as_ref().is_none_or(|s| s.contains(&g));
            let m = requests::Marks::new(a, sel, base, (win.from, win.to), shows, input);
            summary.regions = m.len();
            summary.paths = m.paths();
            m
        }
        None => requests::Marks::none(),
    };
    let r = open().map_err(Error::Read)?;
    convert::run(&mut conv, r, opts, make_marks)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfetto::proto::{Data, EventType, TracePacket};
    use prost::Message;
    use std::collections::HashMap;
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../testdata/traces/{name}"))
    }

    fn opener(path: PathBuf) -> Opener {
        Arc::new(move || Ok(gotrace::TraceSource::file(std::fs::File::open(&path)?)))
    }

    /// (time, track, type) of every track event, times read from the
    /// incremental clock set by each clock snapshot (one sequence).
    fn events(bytes: &[u8]) -> Vec<(u64, u64, i32)> {
        let mut rest = bytes;
        let mut out = Vec::new();
        let mut last = 0;
        while !rest.is_empty() {
            rest = &rest[1..];
            let p = TracePacket::decode_length_delimited(&mut rest).unwrap();
            let t = p.timestamp.unwrap_or(0);
            match p.data {
                Some(Data::ClockSnapshot(c)) => last = c.clocks[1].timestamp.unwrap(),
                Some(Data::TrackEvent(e)) => {
                    let t = match p.timestamp_clock_id {
                        Some(_) => t,
                        None => {
                            last += t;
                            last
                        }
                    };
                    out.push((t, e.track_uuid.unwrap(), e.r#type.unwrap()));
                }
                _ => {}
            }
        }
        out
    }

    /// Every begin ends on its track.
    fn balanced(evs: &[(u64, u64, i32)]) -> bool {
        let mut depth: HashMap<u64, i64> = HashMap::new();
        for &(_, track, typ) in evs {
            let d = depth.entry(track).or_default();
            match typ {
                t if t == EventType::SliceBegin as i32 => *d += 1,
                t if t == EventType::SliceEnd as i32 => *d -= 1,
                _ => {}
            }
            if *d < 0 {
                return false;
            }
        }
        depth.values().all(|&d| d == 0)
    }

    fn run(name: &str, opts: &Options) -> (Result<Summary>, Vec<u8>) {
        let mut w = Writer::new(Vec::new(), 1);
        let r = convert(&mut w, 0, name, &opener(fixture(name)), opts, None);
        (r, w.finish().unwrap())
    }

    #[test]
    fn whole_and_windowed_traces_are_balanced() {
        for name in ["go1.21.trace", "go1.27.trace"] {
            let (r, bytes) = run(name, &Options::default());
            r.unwrap();
            let all = events(&bytes);
            assert!(all.len() > 1000 && balanced(&all), "{name}");
            let (first, last) = (all[0].0 as i64, all[all.len() - 1].0 as i64);
            let (a, b) = (first + (last - first) / 3, first + (last - first) / 2);
            let opts = Options {
                from: Some(Bound::At(a)),
                to: Some(Bound::At(b)),
                ..Options::default()
            };
            let (r, bytes) = run(name, &opts);
            r.unwrap();
            let part = events(&bytes);
            assert!(balanced(&part), "{name}");
            assert!(part.len() < all.len());
            assert!(part.iter().all(|e| (a as u64..=b as u64).contains(&e.0)));
        }
    }

    #[test]
    fn a_broken_trace_ends_its_slices_and_says_where() {
        let whole = std::fs::read(fixture("go1.25.trace")).unwrap();
        let cut: Arc<[u8]> = whole[..whole.len() * 2 / 3].into();
        let open: Opener = Arc::new(move || {
            Ok(gotrace::TraceSource::stream(Box::new(
                std::io::Cursor::new(cut.clone()),
            )))
        });
        let mut w = Writer::new(Vec::new(), 1);
        let e = convert(&mut w, 0, "cut", &open, &Options::default(), None).unwrap_err();
        assert!(matches!(e, Error::Trace(_)), "{e}");
        // What was read before the break (nothing if it was in the first
        // generation) has every slice ended.
        assert!(balanced(&events(&w.finish().unwrap())));
    }
}
