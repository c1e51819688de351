//! Builds a [`Trace`] from a trace file of any format: Go 1.11–1.21 traces
//! through `gotrace::legacy` (events exactly as Go 1.21's parser gave them
//! to upstream regiongraph), Go 1.22+ traces through the common event model,
//! mapped onto the same v1-style events (see the README's regiongraph
//! section for the mapping).

use crate::trace::{Ev, NONE, StackFrames, Trace};
use analysis::links::LinkTracker;
use gotrace::legacy::{LegacyTrace, types as t};
use gotrace::{Event, EventKind, GoState, RangeName, Reader, Resource, Stack, Transition};
use std::collections::{HashMap, HashSet};
use std::io::Read;

/// Reads a whole trace. The error carries the reader's byte offset when it
/// has one.
pub fn load<R: Read>(mut input: R) -> Result<Trace, String> {
    let mut head = [0u8; 16];
    let mut n = 0;
    while n < head.len() {
        match input.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    let chained = std::io::Read::chain(&head[..n], input);
    if is_v1_header(&head[..n]) {
        let legacy = LegacyTrace::read(chained).map_err(|e| e.to_string())?;
        from_legacy(&legacy)
    } else {
        let reader = Reader::new(chained).map_err(|e| e.to_string())?;
        from_reader(reader)
    }
}

/// `go 1.NN trace` with NN ≤ 21.
fn is_v1_header(head: &[u8]) -> bool {
    let Some(rest) = head.strip_prefix(b"go 1.") else {
        return false;
    };
    let digits: Vec<u8> = rest
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    std::str::from_utf8(&digits)
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .is_some_and(|minor| minor <= 21)
}

/// Interns stacks as root-first function-name lists.
#[derive(Default)]
struct Stacks {
    list: Vec<StackFrames>,
    by_frames: HashMap<StackFrames, u32>,
    /// By (generation, stack id): ids are only unique within a generation.
    by_id: HashMap<(u64, u64), u32>,
}

impl Stacks {
    fn new() -> Stacks {
        let mut s = Stacks::default();
        s.list.push(StackFrames::default());
        s.by_frames.insert(StackFrames::default(), 0);
        s
    }

    fn intern(&mut self, generation: u64, stack: &Stack<'_>) -> u32 {
        if stack.id() == 0 {
            return 0;
        }
        if let Some(&i) = self.by_id.get(&(generation, stack.id())) {
            return i;
        }
        let frames = StackFrames(stack.frames().rev().map(|f| f.func().into()).collect());
        let next = self.list.len() as u32;
        let i = *self.by_frames.entry(frames.clone()).or_insert(next);
        if i == next {
            self.list.push(frames);
        }
        self.by_id.insert((generation, stack.id()), i);
        i
    }
}

/// Go 1.11–1.21: every event of Go 1.21's parser, in its order.
pub fn from_legacy(legacy: &LegacyTrace) -> Result<Trace, String> {
    let mut stacks = Stacks::new();
    let mut events = Vec::with_capacity(legacy.len());
    for ev in legacy.events() {
        events.push(Ev {
            ts: ev.ts(),
            g: ev.g() as i64,
            typ: ev.typ(),
            stack: stacks.intern(0, &ev.stack()),
            link: ev.link().map_or(NONE, |l| l as u32),
            pos: NONE,
        });
    }
    let mut trace = Trace {
        events,
        stacks: stacks.list,
        ..Trace::default()
    };
    trace.finish()?;
    Ok(trace)
}

/// The v1 block type for a Go 1.22+ block reason.
fn block_type(reason: &str) -> u8 {
    match reason {
        "network" => t::EV_GO_BLOCK_NET,
        "select" => t::EV_GO_BLOCK_SELECT,
        "chan send" => t::EV_GO_BLOCK_SEND,
        "chan receive" => t::EV_GO_BLOCK_RECV,
        "sync" => t::EV_GO_BLOCK_SYNC,
        "sync.(*Cond).Wait" => t::EV_GO_BLOCK_COND,
        "GC mark assist wait for work" => t::EV_GO_BLOCK_GC,
        "sleep" => t::EV_GO_SLEEP,
        "forever" => t::EV_GO_STOP,
        _ => t::EV_GO_BLOCK,
    }
}

/// State kept while mapping Go 1.22+ events.
#[derive(Default)]
struct V2State {
    generation: u64,
    /// New goroutines' start stacks, given to their first start.
    start_stack: HashMap<i64, u32>,
    /// The syscall each goroutine is in (index of its GoSysCall).
    in_syscall: HashMap<i64, usize>,
    assisting: HashSet<i64>,
}

/// Go 1.22+: the common model's events mapped onto v1 types.
pub fn from_reader<R: Read>(mut reader: Reader<R>) -> Result<Trace, String> {
    let mut stacks = Stacks::new();
    let mut st = V2State::default();
    let mut links = LinkTracker::new();
    let mut events: Vec<Ev> = Vec::new();
    let mut origin: Option<i64> = None;
    while let Some(ev) = reader.read_event().map_err(|e| e.to_string())? {
        let time = ev.time();
        let base = *origin.get_or_insert(time);
        if ev.kind() == EventKind::Sync {
            st.generation += 1;
            continue;
        }
        let Some((g, typ, stack)) = map_event(&ev, &mut st, &mut stacks, &mut events) else {
            continue;
        };
        let index = events.len();
        if let Some(l) = links.observe(index as u64, &ev) {
            events[l.from as usize].link = l.to as u32;
        }
        if typ == t::EV_GO_SYS_CALL {
            st.in_syscall.insert(g, index);
        }
        events.push(Ev {
            ts: time - base,
            g,
            typ,
            stack,
            link: NONE,
            pos: NONE,
        });
    }
    let mut trace = Trace {
        events,
        stacks: stacks.list,
        ..Trace::default()
    };
    trace.finish()?;
    Ok(trace)
}

/// The goroutine, v1 type and stack of a Go 1.22+ event, or None for
/// events the analysis does not use.
fn map_event(
    ev: &Event<'_>,
    st: &mut V2State,
    stacks: &mut Stacks,
    events: &mut [Ev],
) -> Option<(i64, u8, u32)> {
    let generation = st.generation;
    let own = |stacks: &mut Stacks| stacks.intern(generation, &ev.stack());
    match ev.kind() {
        EventKind::StateTransition => {
            let tr = ev.state_transition()?;
            let Transition::Goroutine { id, from, to } = tr.transition else {
                return None;
            };
            use GoState as S;
            Some(match (from, to) {
                _ if from == to => return None,
                (S::NotExist, S::Runnable | S::Waiting) => {
                    let start = stacks.intern(generation, &tr.stack);
                    st.start_stack.insert(id, start);
                    (ev.goroutine(), t::EV_GO_CREATE, own(stacks))
                }
                (S::NotExist | S::Undetermined, S::Syscall) => (id, t::EV_GO_IN_SYSCALL, 0),
                (S::Undetermined, S::Waiting) => (id, t::EV_GO_WAITING, 0),
                (S::Runnable, S::Running) => {
                    (id, t::EV_GO_START, st.start_stack.remove(&id).unwrap_or(0))
                }
                (S::Waiting, S::Runnable) => (ev.goroutine(), t::EV_GO_UNBLOCK, own(stacks)),
                (S::Running, S::Waiting) => (id, block_type(tr.reason), own(stacks)),
                (S::Running, S::Runnable) if tr.reason == "preempted" => {
                    (id, t::EV_GO_PREEMPT, own(stacks))
                }
                (S::Running, S::Runnable) => (id, t::EV_GO_SCHED, own(stacks)),
                (S::Running | S::Syscall, S::NotExist) => {
                    st.in_syscall.remove(&id);
                    (id, t::EV_GO_END, 0)
                }
                (S::Running, S::Syscall) => (id, t::EV_GO_SYS_CALL, own(stacks)),
                (S::Syscall, S::Runnable) => {
                    // The syscall blocked: its wait starts at its begin.
                    if let Some(b) = st.in_syscall.remove(&id) {
                        events[b].typ = t::EV_GO_SYS_BLOCK;
                    }
                    (id, t::EV_GO_SYS_EXIT, 0)
                }
                (S::Syscall, S::Running) => {
                    st.in_syscall.remove(&id);
                    return None;
                }
                _ => return None,
            })
        }
        EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => {
            let r = ev.range()?;
            match (r.name, r.scope) {
                (RangeName::GcMarkAssist, Resource::Goroutine(g)) => {
                    if ev.kind() == EventKind::RangeEnd {
                        st.assisting.remove(&g);
                        Some((g, t::EV_GC_MARK_ASSIST_DONE, 0))
                    } else if st.assisting.insert(g) {
                        Some((g, t::EV_GC_MARK_ASSIST_START, own(stacks)))
                    } else {
                        None
                    }
                }
                (RangeName::GcMark, _) if ev.kind() == EventKind::RangeBegin => {
                    stack_event(ev, t::EV_GC_START, own(stacks))
                }
                (RangeName::GcSweep, _) if ev.kind() == EventKind::RangeBegin => {
                    stack_event(ev, t::EV_GC_SWEEP_START, own(stacks))
                }
                _ => None,
            }
        }
        EventKind::StackSample => stack_event(ev, t::EV_CPU_SAMPLE, own(stacks)),
        EventKind::Log => stack_event(ev, t::EV_USER_LOG, own(stacks)),
        EventKind::RegionBegin | EventKind::RegionEnd => {
            stack_event(ev, t::EV_USER_REGION, own(stacks))
        }
        EventKind::TaskBegin => stack_event(ev, t::EV_USER_TASK_CREATE, own(stacks)),
        EventKind::TaskEnd => stack_event(ev, t::EV_USER_TASK_END, own(stacks)),
        _ => None,
    }
}

/// Other events count only when a goroutine's stack comes with them.
fn stack_event(ev: &Event<'_>, typ: u8, stack: u32) -> Option<(i64, u8, u32)> {
    (ev.goroutine() >= 0 && stack != 0).then_some((ev.goroutine(), typ, stack))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(v: &str) -> Trace {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../testdata/traces/http-go{v}.trace"));
        load(std::fs::File::open(path).unwrap()).unwrap()
    }

    /// Both formats give the v1 shapes the analysis relies on: times from
    /// zero in order, creations and unblocks linked to the start they
    /// cause, starts linked back to what made them runnable, one-frame
    /// start stacks on first starts only.
    #[test]
    fn both_formats_have_v1_shapes() {
        for v in ["1.21", "1.25"] {
            let tr = fixture(v);
            assert!(tr.events.windows(2).all(|w| w[0].ts <= w[1].ts), "go{v}");
            assert!(tr.events.iter().all(|e| e.ts >= 0));
            let mut counts = HashMap::new();
            for (i, ev) in tr.events.iter().enumerate() {
                if ev.link != NONE && matches!(ev.typ, t::EV_GO_CREATE | t::EV_GO_UNBLOCK) {
                    let to = tr.ev(ev.link);
                    if to.typ == t::EV_GO_START {
                        *counts.entry(ev.typ).or_insert(0) += 1;
                        assert!(
                            ev.link as usize > i && to.g != ev.g,
                            "go{v}: {ev:?} -> {to:?}"
                        );
                    }
                }
                if ev.typ == t::EV_GO_START {
                    assert!(tr.stacks[ev.stack as usize].0.len() <= 1, "go{v}");
                    let b = tr.backlinks[i];
                    if b != NONE {
                        let from = tr.ev(b).typ;
                        let ok = [
                            t::EV_GO_CREATE,
                            t::EV_GO_UNBLOCK,
                            t::EV_GO_SCHED,
                            t::EV_GO_PREEMPT,
                            t::EV_GO_SYS_EXIT,
                        ];
                        assert!(ok.contains(&from), "go{v}: start after {}", t::name(from));
                    }
                }
            }
            assert!(counts[&t::EV_GO_CREATE] > 100, "go{v}: {counts:?}");
            assert!(counts[&t::EV_GO_UNBLOCK] > 100, "go{v}: {counts:?}");
            let waits = tr
                .events
                .iter()
                .filter(|e| crate::trace::wait_reason(e.typ) == Some("net"));
            assert!(waits.count() > 100, "go{v}: network waits");
            assert!(tr.goroutines.windows(2).all(|w| w[0] < w[1]));
        }
    }

    /// The mapping of the common model is checked against the ground truth
    /// of a Go 1.21 trace: read through the common model (converted from
    /// v1 by the reader) instead of the legacy view, the same execution
    /// gives nearly the same regions of each kind.
    #[test]
    fn common_model_finds_what_legacy_view_finds() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/traces/http-go1.21.trace");
        let patterns = crate::patterns::PatternDefs::builtin().compile().unwrap();
        let counts = |tr: Trace| {
            let regions = crate::track::track_all(&tr, &patterns);
            let mut n = vec![0usize; patterns.len()];
            regions.iter().for_each(|r| n[r.pattern as usize] += 1);
            n
        };
        let legacy = counts(fixture("1.21"));
        let reader = Reader::new(std::fs::File::open(path).unwrap()).unwrap();
        let common = counts(from_reader(reader).unwrap());
        for (p, (a, b)) in legacy.iter().zip(&common).enumerate() {
            assert!(*a > 0, "{}", patterns[p].kind);
            assert!(
                a.abs_diff(*b) * 20 <= *a,
                "{}: {a} vs {b}",
                patterns[p].kind
            );
        }
    }

    #[test]
    fn headers() {
        assert!(is_v1_header(b"go 1.21 trace\0\0\0"));
        assert!(is_v1_header(b"go 1.5 trace\0\0\0\0"));
        assert!(!is_v1_header(b"go 1.22 trace\0\0\0"));
        assert!(!is_v1_header(b"not a trace"));
    }
}
