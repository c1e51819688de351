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
use crate::v1::parse::{V1Event, parse};
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
        let mut trace = parse(&data, version)?;
        drop(data);
        let (table, _) = trace.table();
        let links = link_events(&mut trace.events);
        Ok(LegacyTrace {
            version,
            events: trace.events,
            links,
            table,
            inline: trace.inline,
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

#[derive(Default, Clone, Copy)]
struct GLinks {
    /// The last event that made the goroutine runnable or waiting.
    last: Option<usize>,
    /// The start of its current run.
    start: Option<usize>,
    assist: Option<usize>,
}

/// Sets goroutine 0 on GC and STW events and computes Go 1.21's links.
fn link_events(events: &mut [V1Event]) -> Vec<u32> {
    let mut links = vec![NO_LINK; events.len()];
    let mut gs: HashMap<u64, GLinks> = HashMap::default();
    let mut sweeps: HashMap<i32, usize> = HashMap::default();
    let mut tasks: HashMap<u64, usize> = HashMap::default();
    let mut regions: HashMap<u64, Vec<usize>> = HashMap::default();
    let (mut gc, mut stw) = (None, None);
    let mut set = |from: Option<usize>, to: usize| {
        if let Some(f) = from {
            links[f] = u32::try_from(to).unwrap_or(NO_LINK);
        }
    };
    for i in 0..events.len() {
        let ev = &mut events[i];
        if matches!(
            ev.typ,
            EV_GC_START | EV_GC_DONE | EV_STW_START | EV_STW_DONE
        ) {
            ev.g = 0;
        }
        let ev = *ev;
        let g = gs.entry(ev.g).or_default();
        match ev.typ {
            EV_GC_START => gc = Some(i),
            EV_GC_DONE => set(gc.take(), i),
            EV_STW_START => stw = Some(i),
            EV_STW_DONE => set(stw.take(), i),
            EV_GC_SWEEP_START => {
                sweeps.insert(ev.p, i);
            }
            EV_GC_SWEEP_DONE => set(sweeps.remove(&ev.p), i),
            EV_GC_MARK_ASSIST_START => g.assist = Some(i),
            EV_GC_MARK_ASSIST_DONE => set(g.assist.take(), i),
            EV_GO_WAITING | EV_GO_IN_SYSCALL => g.last = Some(i),
            EV_GO_CREATE => {
                gs.insert(
                    ev.args[0],
                    GLinks {
                        last: Some(i),
                        ..GLinks::default()
                    },
                );
            }
            EV_GO_START | EV_GO_START_LABEL => {
                g.start = Some(i);
                set(g.last.take(), i);
            }
            EV_GO_END | EV_GO_STOP => {
                set(g.start.take(), i);
                if ev.typ == EV_GO_END {
                    for r in regions.remove(&ev.g).unwrap_or_default() {
                        set(Some(r), i);
                    }
                }
            }
            EV_GO_SCHED | EV_GO_PREEMPT => {
                set(g.start.take(), i);
                g.last = Some(i);
            }
            EV_GO_UNBLOCK => {
                let target = gs.entry(ev.args[0]).or_default();
                set(target.last, i);
                target.last = Some(i);
            }
            EV_GO_SYS_CALL => g.last = Some(i),
            EV_GO_SYS_BLOCK => set(g.start.take(), i),
            EV_GO_SYS_EXIT => {
                if g.last.is_some_and(|l| events[l].typ == EV_GO_SYS_CALL) {
                    set(g.last, i);
                }
                g.last = Some(i);
            }
            t if is_block(t) => {
                g.last = Some(i);
                set(g.start.take(), i);
            }
            EV_USER_TASK_CREATE => {
                tasks.insert(ev.args[0], i);
            }
            EV_USER_TASK_END => set(tasks.remove(&ev.args[0]), i),
            EV_USER_REGION => {
                let stack = regions.entry(ev.g).or_default();
                match ev.args[1] {
                    0 => stack.push(i),
                    1 => set(stack.pop(), i),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    links
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
