//! Region instances: per goroutine, from an event matching a start pattern
//! to the next event matching an end pattern, with the CPU samples taken
//! on that goroutine inside the instance.

use analysis::eventmatch::EventMatcher;
use gotrace::{Event, EventKind, GoState, Reader, Transition};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// Where an instance starts relative to the event that matched the start
/// pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAt {
    /// At the matching event itself.
    Event,
    /// When the goroutine next leaves the Waiting or Syscall state after
    /// the matching event: for a blocking event, the moment it was
    /// unblocked (upstream's `left.Link`).
    Resume,
}

/// How to find the instances of a repeated operation.
#[derive(Debug, Clone)]
pub struct RegionSpec {
    /// An event matching any of these begins (or restarts) an instance.
    pub start: Vec<EventMatcher>,
    /// The first event matching any of these after the start ends it.
    pub end: Vec<EventMatcher>,
    pub start_at: StartAt,
}

/// One frame of a CPU sample's stack.
pub use gotrace::OwnedFrame as Frame;

/// A CPU sample inside an instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Nanoseconds since the instance's start.
    pub offset: i64,
    /// Frames, leaf first.
    pub frames: Vec<Frame>,
}

/// One instance of the operation, with its samples in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub goroutine: i64,
    /// Nanoseconds since the trace's start (for Go ≤1.21 traces, its first
    /// event, as upstream counts; for newer ones, its first Sync).
    pub start: i64,
    pub length: i64,
    pub samples: Vec<Sample>,
}

impl Instance {
    /// A sample's position in the instance: 0 at the start, 1 at the end.
    pub fn frac(&self, s: &Sample) -> f64 {
        s.offset as f64 / self.length as f64
    }
}

/// What one trace gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// Instances ordered by goroutine, then by start time.
    pub instances: Vec<Instance>,
    /// Nanoseconds from the trace's first event to its last (Syncs aside).
    pub duration: i64,
}

/// Per-goroutine progress.
#[derive(Default)]
struct GState {
    /// A start event waiting for the goroutine to resume.
    awaiting_resume: bool,
    /// Start of the open instance (relative time), if any.
    open: Option<i64>,
    samples: Vec<(i64, Vec<Frame>)>,
}

/// Matchers with their stack results cached by stack ID (IDs are valid
/// within one generation, so the cache is cleared at each Sync).
struct Cached<'m> {
    matchers: &'m [EventMatcher],
    cache: HashMap<(usize, u64), bool>,
}

impl Cached<'_> {
    fn matches(&mut self, ev: &Event<'_>) -> bool {
        for (i, m) in self.matchers.iter().enumerate() {
            if !m.kind_matches(ev) {
                continue;
            }
            let stack = ev.stack();
            let hit = *self
                .cache
                .entry((i, stack.id()))
                .or_insert_with(|| m.pattern().matches_stack(&stack));
            if hit {
                return true;
            }
        }
        false
    }
}

/// Reads a whole trace and finds the instances of `spec` in it.
///
/// Within a goroutine a later start replaces an instance not yet ended
/// (upstream keeps the last handshake-read block before the end). An
/// instance whose start never resumes, or that never ends, is dropped.
pub fn find<R: Read>(input: R, spec: &RegionSpec) -> Result<Scope, gotrace::Error> {
    let mut reader = Reader::new(input)?;
    let mut starts = Cached {
        matchers: &spec.start,
        cache: HashMap::new(),
    };
    let mut ends = Cached {
        matchers: &spec.end,
        cache: HashMap::new(),
    };
    let mut gs: BTreeMap<i64, GState> = BTreeMap::new();
    let mut done: BTreeMap<i64, Vec<Instance>> = BTreeMap::new();
    // Go ≤1.21 traces are read with times relative to their first event
    // already (upstream's `Ts`); newer ones count from their first Sync.
    let mut t0 = (reader.version().is_v1()).then_some(0);
    let (mut first, mut last) = (None, 0);
    while let Some(ev) = reader.read_event()? {
        let now = ev.time() - *t0.get_or_insert(ev.time());
        match ev.kind() {
            EventKind::Sync => {
                starts.cache.clear();
                ends.cache.clear();
                continue;
            }
            EventKind::StackSample => {
                if let Some(st) = gs.get_mut(&ev.goroutine())
                    && st.open.is_some_and(|s| s <= now)
                {
                    let frames = ev.stack().frames().map(|f| f.to_owned_frame()).collect();
                    st.samples.push((now, frames));
                }
                first.get_or_insert(now);
                last = now;
                continue;
            }
            _ => {}
        }
        first.get_or_insert(now);
        last = now;
        if let Some(Transition::Goroutine { id, from, .. }) =
            ev.state_transition().map(|s| s.transition)
            && matches!(from, GoState::Waiting | GoState::Syscall)
            && let Some(st) = gs.get_mut(&id)
            && st.awaiting_resume
        {
            st.awaiting_resume = false;
            st.open = Some(now);
        }
        let g = analysis::event_goroutine(&ev);
        if g == gotrace::NONE {
            continue;
        }
        if ends.matches(&ev)
            && let Some(st) = gs.get_mut(&g)
            && let Some(start) = st.open.take()
        {
            let samples = std::mem::take(&mut st.samples)
                .into_iter()
                .map(|(t, frames)| Sample {
                    offset: t - start,
                    frames,
                })
                .collect();
            done.entry(g).or_default().push(Instance {
                goroutine: g,
                start,
                length: now - start,
                samples,
            });
        }
        if starts.matches(&ev) {
            let st = gs.entry(g).or_default();
            st.samples.clear();
            match spec.start_at {
                StartAt::Event => {
                    st.awaiting_resume = false;
                    st.open = Some(now);
                }
                StartAt::Resume => {
                    st.awaiting_resume = true;
                    st.open = None;
                }
            }
        }
    }
    Ok(Scope {
        instances: done.into_values().flatten().collect(),
        duration: last - first.unwrap_or(last),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> flate2::read::GzDecoder<std::fs::File> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/expected/scope/tls-go1.25.trace.gz");
        flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
    }

    #[test]
    fn instances_hold_their_samples_and_resume_starts_later() {
        let resume = find(fixture(), &crate::tls::handshake()).unwrap();
        let at_event = RegionSpec {
            start_at: StartAt::Event,
            ..crate::tls::handshake()
        };
        let event = find(fixture(), &at_event).unwrap();
        assert!(resume.instances.len() > 100, "{}", resume.instances.len());
        assert_eq!(resume.instances.len(), event.instances.len());
        for (r, e) in resume.instances.iter().zip(&event.instances) {
            assert_eq!(r.goroutine, e.goroutine);
            assert!(e.start < r.start && r.start < r.start + r.length);
            assert_eq!(e.start + e.length, r.start + r.length);
            for s in &r.samples {
                assert!(0 <= s.offset && s.offset < r.length);
                // The same sample, counted from the earlier start.
                let shifted = Sample {
                    offset: s.offset + (r.start - e.start),
                    frames: s.frames.clone(),
                };
                assert!(e.samples.contains(&shifted));
            }
        }
        let total = |s: &Scope| s.instances.iter().map(|i| i.samples.len()).sum::<usize>();
        assert!(total(&resume) > 0 && total(&resume) <= total(&event));
        let gs: Vec<i64> = resume.instances.iter().map(|i| i.goroutine).collect();
        assert!(gs.is_sorted());
    }
}
