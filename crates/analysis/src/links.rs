//! Cross-goroutine links derived from goroutine state transitions, the same
//! way for every trace format: which event made a goroutine runnable (and
//! so caused its next start), and which event ended a wait.
//!
//! Go ≤1.21 traces carried such links in the file's parser (`Link`); the
//! newer model has only state transitions, so both formats are linked here
//! from the transitions alone:
//!
//! * a goroutine made Runnable by another goroutine or by the runtime
//!   (created, unblocked, switched to) is *woken*: the event links to the
//!   goroutine's next start ([`LinkKind::Wake`]);
//! * a goroutine made Runnable by itself (Gosched, preemption, a syscall
//!   that lost its P) is *resumed* at its next start ([`LinkKind::Resume`]);
//! * a goroutine that blocks (Running→Waiting) links to the transition
//!   that later makes it Runnable ([`LinkKind::Wait`]).
//!
//! A start whose goroutine was already Runnable when the trace (or a
//! generation) began has no backlink.

use gotrace::{Event, GoState, Transition};
use std::collections::HashMap;

/// What a link means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// Another goroutine (or the runtime) made the goroutine runnable;
    /// `to` is its next start.
    Wake,
    /// The goroutine stopped running but stayed runnable; `to` is its next
    /// start.
    Resume,
    /// The goroutine blocked; `to` is the event that unblocked it.
    Wait,
}

/// A link between two events, named by their positions in the trace's
/// event sequence (as counted by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Link {
    pub from: u64,
    /// The time of the `from` event.
    pub from_time: i64,
    pub to: u64,
    pub kind: LinkKind,
    /// The goroutine the link is about (the one woken, resumed or waiting).
    pub goroutine: i64,
}

/// Derives links from a stream of events, in trace order.
#[derive(Debug, Default)]
pub struct LinkTracker {
    /// Per goroutine: the event (number and time) that made it runnable,
    /// and how.
    runnable: HashMap<i64, (u64, i64, LinkKind)>,
    /// Per goroutine: the event (number and time) that made it wait.
    waiting: HashMap<i64, (u64, i64)>,
}

impl LinkTracker {
    pub fn new() -> LinkTracker {
        LinkTracker::default()
    }

    /// Observes event number `index`; returns the link it completes, if
    /// any (at most one: an event changes one goroutine's state).
    pub fn observe(&mut self, index: u64, ev: &Event<'_>) -> Option<Link> {
        let st = ev.state_transition()?;
        let Transition::Goroutine { id, from, to } = st.transition else {
            return None;
        };
        let now = ev.time();
        let link = |(from_ev, from_time): (u64, i64), kind| Link {
            from: from_ev,
            from_time,
            to: index,
            kind,
            goroutine: id,
        };
        match (from, to) {
            // Made runnable by someone else (or born): a wake.
            (GoState::Waiting | GoState::NotExist, GoState::Runnable) => {
                self.runnable.insert(id, (index, now, LinkKind::Wake));
                self.waiting.remove(&id).map(|w| link(w, LinkKind::Wait))
            }
            // Stopped running but still runnable: a resume.
            (GoState::Running | GoState::Syscall, GoState::Runnable) => {
                self.runnable.insert(id, (index, now, LinkKind::Resume));
                None
            }
            (GoState::Runnable, GoState::Running) => self
                .runnable
                .remove(&id)
                .map(|(from_ev, t, kind)| link((from_ev, t), kind)),
            (GoState::Running, GoState::Waiting) => {
                self.waiting.insert(id, (index, now));
                None
            }
            // Created blocked (a coroutine) counts as waiting from birth.
            (GoState::NotExist, GoState::Waiting) => {
                self.waiting.insert(id, (index, now));
                None
            }
            (_, GoState::NotExist) => {
                self.runnable.remove(&id);
                self.waiting.remove(&id);
                None
            }
            // Status at a generation boundary: the pending links still hold.
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gotrace::Reader;
    use std::path::Path;

    /// On real fixtures of both formats: every start of a goroutine that
    /// was woken or resumed has a backlink to an earlier event about the
    /// same goroutine, and every wait ends in a wake of that goroutine.
    #[test]
    fn links_on_both_formats() {
        for v in ["1.21", "1.25"] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../../testdata/traces/go{v}.trace"));
            let mut r = Reader::new(std::fs::File::open(path).unwrap()).unwrap();
            let mut tracker = LinkTracker::new();
            let mut times = Vec::new();
            let mut kinds: HashMap<LinkKind, usize> = HashMap::new();
            let mut starts = 0;
            let mut index = 0;
            while let Some(ev) = r.read_event().unwrap() {
                times.push(ev.time());
                if let Some(Transition::Goroutine {
                    from: GoState::Runnable,
                    to: GoState::Running,
                    ..
                }) = ev.state_transition().map(|s| s.transition)
                {
                    starts += 1;
                }
                if let Some(l) = tracker.observe(index, &ev) {
                    assert!(l.from < l.to, "go{v}: {l:?}");
                    assert!(times[l.from as usize] < times[l.to as usize]);
                    assert_eq!(times[l.from as usize], l.from_time);
                    *kinds.entry(l.kind).or_default() += 1;
                }
                index += 1;
            }
            let wakes = kinds[&LinkKind::Wake];
            let resumes = kinds[&LinkKind::Resume];
            // Only goroutines already runnable at the start lack a backlink.
            assert!(
                wakes + resumes + 20 >= starts,
                "go{v}: {wakes}+{resumes} of {starts} starts"
            );
            assert!(kinds[&LinkKind::Wait] > 100, "go{v}: {kinds:?}");
        }
    }
}
