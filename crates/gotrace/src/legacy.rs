//! Go 1.11–1.21 traces as Go 1.21's own parser presented them: the old
//! event types, untouched timestamps, goroutine 0 for scheduler and GC
//! events, and `Link`s between related events (a wake-up and the start it
//! causes, a run and the event that ends it, ...).
//!
//! The common event model ([`Reader`](crate::Reader)) is what every tool
//! should use; this view exists for analyses whose output must equal an
//! older tool's on old traces to the nanosecond (upstream's regiongraph
//! reads traces through Go 1.21's parser). It holds the whole trace.
//!
//! ```no_run
//! use gotrace::legacy::{LegacyTrace, types};
//!
//! let trace = LegacyTrace::read(std::fs::File::open("old.trace")?)?;
//! for ev in trace.events() {
//!     if ev.typ() == types::EV_GO_UNBLOCK {
//!         if let Some(start) = ev.link().map(|i| trace.event(i)) {
//!             println!("g{} woke g{} after {} ns", ev.g(), start.g(), start.ts() - ev.ts());
//!         }
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::bytes::Stream;
use crate::error::{Error, Result};
use crate::event::Stack;
use crate::table::Table;
use crate::v1::parse::{V1Event, parse_all};
use crate::v1::spec::*;
use crate::version::{Version, read_header};
use rustc_hash::FxHashMap as HashMap;
use std::io::{BufReader, Read};

/// The event type numbers of the Go ≤1.21 format (`EV_GO_START`, ...).
pub mod types {
    pub use crate::v1::spec::{
        EV_BATCH, EV_CPU_SAMPLE, EV_FREQUENCY, EV_GC_DONE, EV_GC_MARK_ASSIST_DONE,
        EV_GC_MARK_ASSIST_START, EV_GC_START, EV_GC_SWEEP_DONE, EV_GC_SWEEP_START, EV_GO_BLOCK,
        EV_GO_BLOCK_COND, EV_GO_BLOCK_GC, EV_GO_BLOCK_NET, EV_GO_BLOCK_RECV, EV_GO_BLOCK_SELECT,
        EV_GO_BLOCK_SEND, EV_GO_BLOCK_SYNC, EV_GO_CREATE, EV_GO_END, EV_GO_IN_SYSCALL,
        EV_GO_PREEMPT, EV_GO_SCHED, EV_GO_SLEEP, EV_GO_START, EV_GO_START_LABEL, EV_GO_START_LOCAL,
        EV_GO_STOP, EV_GO_SYS_BLOCK, EV_GO_SYS_CALL, EV_GO_SYS_EXIT, EV_GO_SYS_EXIT_LOCAL,
        EV_GO_UNBLOCK, EV_GO_UNBLOCK_LOCAL, EV_GO_WAITING, EV_GOMAXPROCS, EV_HEAP_ALLOC,
        EV_HEAP_GOAL, EV_PROC_START, EV_PROC_STOP, EV_STACK, EV_STRING, EV_STW_DONE, EV_STW_START,
        EV_TIMER_GOROUTINE, EV_USER_LOG, EV_USER_REGION, EV_USER_TASK_CREATE, EV_USER_TASK_END,
    };

    /// The name Go gives an event type (e.g. `GoBlockSync`).
    pub fn name(typ: u8) -> &'static str {
        crate::v1::spec::desc(typ).name
    }
}

const NO_LINK: u32 = u32::MAX;

/// A whole Go ≤1.21 trace, as Go 1.21's parser presents it.
pub struct LegacyTrace {
    version: Version,
    events: Vec<V1Event>,
    links: Vec<u32>,
    link_kinds: Vec<Option<LinkKind>>,
    table: Table,
    inline: Vec<Vec<u8>>,
}

impl std::fmt::Debug for LegacyTrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyTrace")
            .field("version", &self.version)
            .field("events", &self.events.len())
            .finish()
    }
}

/// One event of a [`LegacyTrace`].
#[derive(Clone, Copy)]
pub struct LegacyEvent<'a> {
    trace: &'a LegacyTrace,
    index: usize,
}

impl std::fmt::Debug for LegacyEvent<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} p={} g={}",
            self.ts(),
            types::name(self.typ()),
            self.p(),
            self.g()
        )
    }
}

impl<'a> LegacyEvent<'a> {
    fn raw(&self) -> &'a V1Event {
        &self.trace.events[self.index]
    }
    /// The event's position in the trace.
    pub fn index(&self) -> usize {
        self.index
    }
    /// The event type (see [`types`]). "Local" variants are reported as
    /// their plain forms, as Go's parser does.
    pub fn typ(&self) -> u8 {
        self.raw().typ
    }
    /// Nanoseconds since the first event.
    pub fn ts(&self) -> i64 {
        self.raw().ts
    }
    /// The goroutine the event belongs to (0: none, or the scheduler).
    pub fn g(&self) -> u64 {
        self.raw().g
    }
    /// The P, or one of Go's fake Ps (1000001 timers, 1000002 network
    /// poller, 1000003 syscall exits, 1000004 GC).
    pub fn p(&self) -> i32 {
        self.raw().p
    }
    /// The type-specific arguments after the timestamp (Go's `Args`).
    pub fn args(&self) -> [u64; 3] {
        self.raw().args
    }
    /// The event's stack (for the first start of a goroutine, its one-frame
    /// creation stack).
    pub fn stack(&self) -> Stack<'a> {
        Stack::new(&self.trace.table, u64::from(self.raw().stk))
    }
    /// The related event, as Go 1.21's parser links them.
    pub fn link(&self) -> Option<usize> {
        match self.trace.links[self.index] {
            NO_LINK => None,
            i => Some(i as usize),
        }
    }
    /// What its [`link`](LegacyEvent::link) means.
    pub fn link_kind(&self) -> Option<LinkKind> {
        self.trace.link_kinds[self.index]
    }
    /// For a UserLog, its message; for task, region and label events, the
    /// name; otherwise empty.
    pub fn text(&self) -> &'a str {
        let a = self.raw().args;
        match self.typ() {
            EV_USER_LOG => {
                let msg = self
                    .trace
                    .inline
                    .get(a[2] as usize)
                    .map_or(&[][..], |m| &m[..]);
                std::str::from_utf8(msg).unwrap_or("")
            }
            EV_USER_TASK_CREATE | EV_USER_REGION | EV_GO_START_LABEL => self.trace.table.str(a[2]),
            _ => "",
        }
    }
}

impl LegacyTrace {
    /// Reads a whole Go 1.11–1.21 trace. Newer traces are refused.
    pub fn read<R: Read>(input: R) -> Result<LegacyTrace> {
        let mut stream = Stream::new(BufReader::with_capacity(256 << 10, input));
        let version = read_header(&mut stream)?;
        if !version.is_v1() {
            let msg = format!(
                "go 1.{} traces have no legacy view (only Go 1.11–1.21)",
                version.minor()
            );
            return Err(Error::at(0, msg));
        }
        let mut data = Vec::new();
        stream.read_to_end(&mut data)?;
        let (mut events, table, inline) = parse_all(data, version)?;
        let (links, link_kinds) = link_events(&mut events);
        Ok(LegacyTrace {
            version,
            events,
            links,
            link_kinds,
            table,
            inline,
        })
    }

    pub fn version(&self) -> Version {
        self.version
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Event number `index`.
    pub fn event(&self, index: usize) -> LegacyEvent<'_> {
        assert!(index < self.events.len(), "event {index} out of range");
        LegacyEvent { trace: self, index }
    }

    /// All events, in Go's order.
    pub fn events(&self) -> impl ExactSizeIterator<Item = LegacyEvent<'_>> + '_ {
        (0..self.events.len()).map(move |index| LegacyEvent { trace: self, index })
    }
}

/// What a link between two events means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// Another goroutine (or the runtime) made a goroutine runnable: created
    /// or unblocked it. The link goes to the goroutine's next start.
    Wake,
    /// A goroutine stopped running but will run again without being woken
    /// (it yielded, was preempted, came back from a blocked system call).
    /// The link goes to its next start.
    Resume,
    /// A goroutine waited (blocked, was created blocked, was found
    /// waiting). The link goes to the event that made it runnable.
    Wait,
    /// A run: from a start to the event that ended the run.
    Run,
    /// A system call that blocked: from its begin to the goroutine's exit
    /// from it.
    Syscall,
    /// A begin and its end that are not a goroutine's wake-ups: GC and
    /// sweep phases, stops of the world, assists, user tasks and regions.
    Pair,
}

impl LinkKind {
    /// Whether the link says why a goroutine ran (woken, resumed) or
    /// stopped waiting: the cross-goroutine links analyses follow.
    pub fn is_wake(self) -> bool {
        matches!(self, LinkKind::Wake | LinkKind::Resume | LinkKind::Wait)
    }
}

/// What an event does to one goroutine, as Go 1.21's parser links
/// goroutine events (see [`GoLinks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoStep {
    /// It was created (GoCreate), runnable or waiting.
    Created,
    /// It started running (GoStart, GoStartLabel).
    Started,
    /// It stopped running until it runs again: it blocked, yielded or was
    /// preempted (GoBlock..., GoSleep, GoSched, GoPreempt).
    Parked,
    /// It stopped running for good (GoEnd, GoStop).
    Ended,
    /// Something made it runnable (GoUnblock).
    Unblocked,
    /// It entered a system call (GoSysCall).
    SyscallBegan,
    /// Its system call blocked (GoSysBlock).
    SyscallBlocked,
    /// It came back runnable from a system call that blocked (GoSysExit).
    SyscallEnded,
    /// It was found waiting or in a system call (GoWaiting, GoInSyscall).
    Found,
}

/// The earlier end of a link, as [`GoLinks::step`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoLink {
    /// The earlier event's number.
    pub from: u64,
    /// Its time.
    pub from_time: i64,
    /// What the link means.
    pub kind: LinkKind,
}

/// One goroutine's link state: the event that last made it runnable or
/// waiting, and the start of its current run (number, time).
#[derive(Debug, Default, Clone, Copy)]
struct GoLinkState {
    last: Option<(u64, i64, GoStep)>,
    start: Option<(u64, i64)>,
}

/// The links between goroutine events, derived as Go 1.21's parser derives
/// them: the one derivation of wake-ups, used for this view's
/// [`LegacyEvent::link`] and, fed from the common model's state
/// transitions, for newer traces (`analysis::links`).
#[derive(Debug, Default)]
pub struct GoLinks {
    gs: HashMap<i64, GoLinkState>,
}

impl GoLinks {
    /// Observes event number `index`, at `time`, which does `step` to
    /// goroutine `g`; gives the link that ends at it, if any.
    pub fn step(&mut self, g: i64, index: u64, time: i64, step: GoStep) -> Option<GoLink> {
        let at = Some((index, time, step));
        let link = |(from, from_time): (u64, i64), kind| GoLink {
            from,
            from_time,
            kind,
        };
        if step == GoStep::Created {
            self.gs.insert(
                g,
                GoLinkState {
                    last: at,
                    start: None,
                },
            );
            return None;
        }
        let s = self.gs.entry(g).or_default();
        match step {
            GoStep::Started => {
                s.start = Some((index, time));
                s.last.take().map(|(f, t, by)| {
                    let woken = matches!(by, GoStep::Created | GoStep::Unblocked);
                    link(
                        (f, t),
                        if woken {
                            LinkKind::Wake
                        } else {
                            LinkKind::Resume
                        },
                    )
                })
            }
            GoStep::Parked => {
                s.last = at;
                s.start.take().map(|f| link(f, LinkKind::Run))
            }
            GoStep::Ended | GoStep::SyscallBlocked => {
                s.start.take().map(|f| link(f, LinkKind::Run))
            }
            GoStep::Unblocked => {
                std::mem::replace(&mut s.last, at).map(|(f, t, _)| link((f, t), LinkKind::Wait))
            }
            GoStep::SyscallEnded => match std::mem::replace(&mut s.last, at) {
                Some((f, t, GoStep::SyscallBegan)) => Some(link((f, t), LinkKind::Syscall)),
                _ => None,
            },
            GoStep::SyscallBegan | GoStep::Found | GoStep::Created => {
                s.last = at;
                None
            }
        }
    }
}

/// What a Go ≤1.21 event does to which goroutine, for [`GoLinks`].
fn go_step(ev: &V1Event) -> Option<(u64, GoStep)> {
    Some(match ev.typ {
        EV_GO_CREATE => (ev.args[0], GoStep::Created),
        EV_GO_UNBLOCK => (ev.args[0], GoStep::Unblocked),
        EV_GO_START | EV_GO_START_LABEL => (ev.g, GoStep::Started),
        EV_GO_END | EV_GO_STOP => (ev.g, GoStep::Ended),
        EV_GO_SCHED | EV_GO_PREEMPT => (ev.g, GoStep::Parked),
        EV_GO_SYS_CALL => (ev.g, GoStep::SyscallBegan),
        EV_GO_SYS_BLOCK => (ev.g, GoStep::SyscallBlocked),
        EV_GO_SYS_EXIT => (ev.g, GoStep::SyscallEnded),
        EV_GO_WAITING | EV_GO_IN_SYSCALL => (ev.g, GoStep::Found),
        t if is_block(t) => (ev.g, GoStep::Parked),
        _ => return None,
    })
}

/// Sets goroutine 0 on GC and STW events and computes Go 1.21's links:
/// per event, the later event it links to and what the link means.
fn link_events(events: &mut [V1Event]) -> (Vec<u32>, Vec<Option<LinkKind>>) {
    let mut links = vec![NO_LINK; events.len()];
    let mut kinds = vec![None; events.len()];
    let mut goroutines = GoLinks::default();
    let mut assists: HashMap<u64, usize> = HashMap::default();
    let mut sweeps: HashMap<i32, usize> = HashMap::default();
    let mut tasks: HashMap<u64, usize> = HashMap::default();
    let mut regions: HashMap<u64, Vec<usize>> = HashMap::default();
    let (mut gc, mut stw) = (None, None);
    let mut set = |from: Option<usize>, to: usize, kind| {
        if let Some(f) = from {
            links[f] = u32::try_from(to).unwrap_or(NO_LINK);
            kinds[f] = Some(kind);
        }
    };
    for (i, ev) in events.iter_mut().enumerate() {
        if matches!(
            ev.typ,
            EV_GC_START | EV_GC_DONE | EV_STW_START | EV_STW_DONE
        ) {
            ev.g = 0;
        }
        let ev = *ev;
        if let Some((g, step)) = go_step(&ev)
            && let Some(l) = goroutines.step(g as i64, i as u64, ev.ts, step)
        {
            set(usize::try_from(l.from).ok(), i, l.kind);
        }
        let pair = LinkKind::Pair;
        match ev.typ {
            EV_GC_START => gc = Some(i),
            EV_GC_DONE => set(gc.take(), i, pair),
            EV_STW_START => stw = Some(i),
            EV_STW_DONE => set(stw.take(), i, pair),
            EV_GC_SWEEP_START => {
                sweeps.insert(ev.p, i);
            }
            EV_GC_SWEEP_DONE => set(sweeps.remove(&ev.p), i, pair),
            EV_GC_MARK_ASSIST_START => {
                assists.insert(ev.g, i);
            }
            EV_GC_MARK_ASSIST_DONE => set(assists.remove(&ev.g), i, pair),
            // A new goroutine starts with no assist.
            EV_GO_CREATE => {
                assists.remove(&ev.args[0]);
            }
            EV_GO_END => {
                for r in regions.remove(&ev.g).unwrap_or_default() {
                    set(Some(r), i, pair);
                }
            }
            EV_USER_TASK_CREATE => {
                tasks.insert(ev.args[0], i);
            }
            EV_USER_TASK_END => set(tasks.remove(&ev.args[0]), i, pair),
            EV_USER_REGION => {
                let stack = regions.entry(ev.g).or_default();
                match ev.args[1] {
                    0 => stack.push(i),
                    1 => set(stack.pop(), i, pair),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    (links, kinds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn fixture(v: &str) -> LegacyTrace {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../testdata/traces/go{v}.trace"));
        LegacyTrace::read(std::fs::File::open(path).unwrap()).unwrap()
    }

    #[test]
    fn links_point_forward_to_the_right_kind_of_event() {
        for v in ["1.19", "1.21"] {
            let t = fixture(v);
            let mut targets = HashSet::new();
            let mut counts: HashMap<u8, usize> = HashMap::default();
            for ev in t.events() {
                let Some(to) = ev.link().map(|i| t.event(i)) else {
                    continue;
                };
                assert!(
                    to.index() > ev.index() && to.ts() >= ev.ts(),
                    "go{v}: {ev:?} -> {to:?}"
                );
                assert!(targets.insert(to.index()), "go{v}: two links to {to:?}");
                *counts.entry(ev.typ()).or_default() += 1;
                let kind = ev.link_kind().expect("a link has a kind");
                let want = match ev.typ() {
                    EV_GO_CREATE | EV_GO_UNBLOCK => Some(LinkKind::Wake),
                    EV_GO_SCHED | EV_GO_PREEMPT => Some(LinkKind::Resume),
                    EV_GO_BLOCK_SYNC | EV_GO_BLOCK_RECV | EV_GO_SLEEP => Some(LinkKind::Wait),
                    EV_GO_START => Some(LinkKind::Run),
                    EV_GC_START | EV_USER_TASK_CREATE => Some(LinkKind::Pair),
                    _ => None,
                };
                assert!(want.is_none_or(|w| w == kind), "go{v}: {ev:?} {kind:?}");
                match ev.typ() {
                    EV_GO_CREATE => assert_eq!((to.typ(), to.g()), (EV_GO_START, ev.args()[0])),
                    EV_GO_UNBLOCK => {
                        assert!(
                            matches!(to.typ(), EV_GO_START | EV_GO_START_LABEL),
                            "go{v}: {to:?}"
                        );
                        assert_eq!(to.g(), ev.args()[0]);
                    }
                    EV_GO_BLOCK_SYNC | EV_GO_BLOCK_RECV | EV_GO_SLEEP => {
                        assert_eq!((to.typ(), to.args()[0]), (EV_GO_UNBLOCK, ev.g()));
                    }
                    EV_GO_START => assert_eq!(to.g(), ev.g()),
                    EV_GC_START => assert_eq!(to.typ(), EV_GC_DONE),
                    _ => {}
                }
            }
            for typ in [
                EV_GO_CREATE,
                EV_GO_UNBLOCK,
                EV_GO_START,
                EV_GO_BLOCK_SYNC,
                EV_GC_START,
            ] {
                assert!(
                    counts.get(&typ).copied().unwrap_or(0) > 0,
                    "go{v}: no links from {}",
                    types::name(typ)
                );
            }
            let gc = t.events().find(|e| e.typ() == EV_GC_START).unwrap();
            assert_eq!(gc.g(), 0);
            assert!(!gc.stack().is_empty());
        }
    }

    #[test]
    fn newer_traces_are_refused() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/traces/go1.22.trace");
        let err = LegacyTrace::read(std::fs::File::open(path).unwrap()).unwrap_err();
        assert!(err.message().contains("no legacy view"));
    }
}
