//! The adapter for Go 1.22+ traces, read one event at a time through the
//! common event model (`gotrace::Reader`): goroutine state transitions,
//! assists and the events that carry a goroutine's stack, told as what the
//! goroutine did. Only the goroutines' states, links and the events held
//! while a system call's outcome is unknown are kept.

use super::Stacks;
use crate::did::Did;
use crate::error::Result;
use crate::event::{Back, Ev};
use analysis::links::LinkTracker;
use gotrace::vocab::{OldEvent, Reason};
use gotrace::{Event, EventKind, GoState, RangeName, Reader, Resource, Transition};
use rustc_hash::{FxHashMap, FxHashSet};
use std::io::Read;

/// What a Go 1.22+ event does to a goroutine's system call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syscall {
    /// Nothing.
    None,
    /// The event enters one.
    Enter,
    /// The goroutine leaves it; `blocked`: it lost its P, so the call was a
    /// blocking one.
    Leave { g: i64, blocked: bool },
}

/// A Go 1.22+ event as the analysis sees it.
struct Mapped {
    /// Goroutine, what it did and stack; None for events the analysis
    /// does not use.
    ev: Option<(i64, Did, u32)>,
    wakes: Option<i64>,
    syscall: Syscall,
}

/// State kept while mapping Go 1.22+ events.
#[derive(Default)]
struct State {
    /// New goroutines' start stacks, given to their first start.
    start_stack: FxHashMap<i64, u32>,
    assisting: FxHashSet<i64>,
    links: LinkTracker,
    /// Per goroutine in a system call: its events since entering it (the
    /// first one its begin), held until the call's outcome is known, for a
    /// blocking call turns that first event into a [`Did::SyscallBlock`].
    held: FxHashMap<i64, Vec<Ev>>,
}

/// Calls `f` on every event of the trace read from `input`.
pub(super) fn scan<R: Read>(
    input: R,
    stacks: &mut Stacks,
    f: &mut impl FnMut(&Ev, &Stacks),
) -> Result<()> {
    let mut reader = Reader::new(input)?;
    stacks.new_generation();
    let mut st = State::default();
    let mut next: u32 = 0;
    let mut origin: Option<i64> = None;
    while let Some(ev) = reader.read_event()? {
        let time = ev.time();
        let base = *origin.get_or_insert(time);
        if ev.kind() == EventKind::Sync {
            stacks.new_generation();
            continue;
        }
        let m = map_event(&ev, &mut st, stacks);
        if let Syscall::Leave { g, blocked } = m.syscall
            && let Some(mut held) = st.held.remove(&g)
        {
            if blocked {
                held[0].did = Did::SyscallBlock;
            }
            held.iter().for_each(|e| f(e, stacks));
        }
        let Some((g, did, stack)) = m.ev else {
            continue;
        };
        let idx = next;
        next += 1;
        let back = st.links.observe(u64::from(idx), &ev).map(|l| Back {
            idx: l.from as u32,
            ts: l.from_time - base,
        });
        let out = Ev {
            idx,
            ts: time - base,
            g,
            did,
            stack,
            back,
            wakes: m.wakes,
        };
        if m.syscall == Syscall::Enter {
            if let Some(unresolved) = st.held.insert(g, vec![out]) {
                unresolved.iter().for_each(|e| f(e, stacks));
            }
        } else if let Some(held) = st.held.get_mut(&g) {
            held.push(out);
        } else {
            f(&out, stacks);
        }
    }
    // Calls still open at the end stay plain begins.
    let mut rest: Vec<Vec<Ev>> = st.held.into_values().collect();
    rest.sort_by_key(|h| h[0].idx);
    rest.iter().flatten().for_each(|e| f(e, stacks));
    Ok(())
}

/// How the analysis sees a Go 1.22+ event.
fn map_event(ev: &Event<'_>, st: &mut State, stacks: &mut Stacks) -> Mapped {
    let mut m = Mapped {
        ev: None,
        wakes: None,
        syscall: Syscall::None,
    };
    let own = |stacks: &mut Stacks| stacks.intern(&ev.stack());
    m.ev = match ev.kind() {
        EventKind::StateTransition => {
            let Some(tr) = ev.state_transition() else {
                return m;
            };
            let Transition::Goroutine { id, from, to } = tr.transition else {
                return m;
            };
            use GoState as S;
            let by = ev.goroutine();
            Some(match (from, to) {
                _ if from == to => return m,
                (S::NotExist, S::Runnable | S::Waiting) => {
                    let start = stacks.intern(&tr.stack);
                    st.start_stack.insert(id, start);
                    m.wakes = analysis::links::woken(ev);
                    (by, Did::Create, own(stacks))
                }
                (S::NotExist | S::Undetermined, S::Syscall) => (id, Did::InSyscall, 0),
                (S::Undetermined, S::Waiting) => (id, Did::Waiting, 0),
                (S::Runnable, S::Running) => {
                    (id, Did::Start, st.start_stack.remove(&id).unwrap_or(0))
                }
                (S::Waiting, S::Runnable) => {
                    m.wakes = analysis::links::woken(ev);
                    (by, Did::Unblock, own(stacks))
                }
                (S::Running, S::Waiting) => {
                    (id, Did::Block(Reason::from_name(tr.reason)), own(stacks))
                }
                (S::Running, S::Runnable) => {
                    (id, Did::Stop(Reason::from_name(tr.reason)), own(stacks))
                }
                (S::Running | S::Syscall, S::NotExist) => {
                    m.syscall = Syscall::Leave {
                        g: id,
                        blocked: false,
                    };
                    (id, Did::End, 0)
                }
                (S::Running, S::Syscall) => {
                    m.syscall = Syscall::Enter;
                    (id, Did::SyscallBegin, own(stacks))
                }
                (S::Syscall, S::Runnable) => {
                    // The syscall blocked: its wait starts at its begin.
                    m.syscall = Syscall::Leave {
                        g: id,
                        blocked: true,
                    };
                    (id, Did::SyscallEnd, 0)
                }
                (S::Syscall, S::Running) => {
                    m.syscall = Syscall::Leave {
                        g: id,
                        blocked: false,
                    };
                    return m;
                }
                _ => return m,
            })
        }
        EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => {
            let Some(r) = ev.range() else {
                return m;
            };
            match (r.name, r.scope) {
                (RangeName::GcMarkAssist, Resource::Goroutine(g)) => {
                    if ev.kind() == EventKind::RangeEnd {
                        st.assisting.remove(&g);
                        Some((g, Did::AssistEnd, 0))
                    } else if st.assisting.insert(g) {
                        Some((g, Did::AssistBegin, own(stacks)))
                    } else {
                        None
                    }
                }
                (RangeName::GcMark | RangeName::GcSweep, _)
                    if ev.kind() == EventKind::RangeBegin =>
                {
                    stack_event(ev, other(ev), own(stacks))
                }
                _ => None,
            }
        }
        EventKind::StackSample => stack_event(ev, Some(Did::Sample), own(stacks)),
        EventKind::Log
        | EventKind::RegionBegin
        | EventKind::RegionEnd
        | EventKind::TaskBegin
        | EventKind::TaskEnd => stack_event(ev, other(ev), own(stacks)),
        _ => None,
    };
    m
}

/// An event with no goroutine meaning of its own, by its Go ≤1.21 name.
fn other(ev: &Event<'_>) -> Option<Did> {
    OldEvent::of_event(ev).map(|old| Did::Other(old, ev.kind()))
}

/// Other events count only when a goroutine's stack comes with them.
fn stack_event(ev: &Event<'_>, did: Option<Did>, stack: u32) -> Option<(i64, Did, u32)> {
    let did = did?;
    (ev.goroutine() >= 0 && stack != 0).then_some((ev.goroutine(), did, stack))
}
