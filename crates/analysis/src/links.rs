//! Cross-goroutine links of the common event model: which event made a
//! goroutine runnable (and so caused its next start), and which event ended
//! a wait.
//!
//! The links are derived once for every format, by Go 1.21's parser's rules
//! ([`gotrace::legacy::GoLinks`], which also gives Go ≤1.21 traces their
//! `Link`s); this module feeds them the common model's goroutine state
//! transitions and keeps the links that say why a goroutine ran:
//!
//! * a goroutine made Runnable by another goroutine or by the runtime
//!   (created, unblocked, switched to) is *woken*: the event links to the
//!   goroutine's next start ([`LinkKind::Wake`]);
//! * a goroutine made Runnable by itself (Gosched, preemption, a syscall
//!   that lost its P) is *resumed* at its next start ([`LinkKind::Resume`]);
//! * a goroutine that waits (blocked, created blocked, found waiting) links
//!   to the transition that later makes it Runnable ([`LinkKind::Wait`]).
//!
//! A start whose goroutine was already Runnable when the trace (or a
//! generation) began has no backlink.

use gotrace::legacy::{GoLinks, GoStep};
use gotrace::{Event, GoState, Transition};

pub use gotrace::legacy::LinkKind;

/// A link between two events, named by their positions in the trace's
/// event sequence (as counted by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Link {
    pub from: u64,
    /// The time of the `from` event.
    pub from_time: i64,
    pub to: u64,
    /// [`LinkKind::Wake`], [`LinkKind::Resume`] or [`LinkKind::Wait`].
    pub kind: LinkKind,
    /// The goroutine the link is about (the one woken, resumed or waiting).
    pub goroutine: i64,
}

/// The goroutine an event makes runnable on another's behalf: one it
/// creates runnable, or one it unblocks, when that is not the event's own
/// goroutine (the event's goroutine, or -1 for the runtime, is the waker).
/// Such an event is the source of a [`LinkKind::Wake`] link to that
/// goroutine's next start.
pub fn woken(ev: &Event<'_>) -> Option<i64> {
    let st = ev.state_transition()?;
    let Transition::Goroutine { id, from, to } = st.transition else {
        return None;
    };
    use GoState as S;
    let wakes = matches!(
        (from, to),
        (S::NotExist, S::Runnable) | (S::Waiting, S::Runnable)
    );
    (wakes && ev.goroutine() != id).then_some(id)
}

/// Derives links from a stream of events, in trace order.
#[derive(Debug, Default)]
pub struct LinkTracker {
    links: GoLinks,
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
        use GoState as S;
        let step = match (from, to) {
            // Status at a generation boundary: the pending links still hold.
            _ if from == to => return None,
            (S::NotExist, S::Runnable | S::Waiting) => GoStep::Created,
            (S::Runnable, S::Running) => GoStep::Started,
            (S::Running, S::Runnable | S::Waiting) => GoStep::Parked,
            (S::Waiting, S::Runnable) => GoStep::Unblocked,
            (S::Running, S::Syscall) => GoStep::SyscallBegan,
            (S::Syscall, S::Runnable) => GoStep::SyscallEnded,
            (_, S::NotExist) => GoStep::Ended,
            (S::Undetermined | S::NotExist, S::Waiting | S::Syscall) => GoStep::Found,
            // Back from a syscall that kept its P, or first seen runnable
            // or running: nothing to link.
            _ => return None,
        };
        let l = self.links.step(id, index, ev.time(), step)?;
        l.kind.is_wake().then_some(Link {
            from: l.from,
            from_time: l.from_time,
            to: index,
            kind: l.kind,
            goroutine: id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gotrace::Reader;
    use std::collections::HashMap;
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
            let mut woken_seen = 0;
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
                if let Some(g) = woken(&ev) {
                    assert_ne!(g, ev.goroutine());
                    woken_seen += 1;
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
            assert!(woken_seen > 100, "go{v}: {woken_seen} wake-ups");
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
