//! Follows every goroutine of one trace through its state transitions, as
//! upstream's grstates does, and counts the edges between the places
//! (stack-states) where it met the scheduler.
//!
//! A goroutine's stack-states are the stacks where it blocks, makes a
//! syscall, is created, or (as the origin of an event) wakes or creates
//! another goroutine. Asynchronous preemptions and the restart after any
//! preemption are ignored, as are GC-assist (`runtime.mallocgc`) and
//! unsymbolized (line 0) stacks; transitions without a stack are folded
//! into the next edge's `via`, the last 8 states passed through.
//!
//! Upstream visits each goroutine's edges in Go map order, so where
//! several creation (or exit) edges lead to one stack-state, the example
//! it shows changes from run to run. Here the rule is fixed: goroutines are
//! visited in ascending ID and each goroutine's edges in the order they
//! first happened, and the last one visited gives the example.

use crate::graph::{EdgeInfo, Ends, Graph, StackState, StateInfo, ZERO_EVENT};
use crate::stacks::{NO_STACK, StackId, Stacks, Traits};
use gotrace::{Event, EventKind, GoState, NONE, Reader, Transition};
use rustc_hash::{FxHashMap, FxHashSet};
use std::io::Read;

/// Reads a whole trace and builds its graph.
pub fn read(input: impl Read) -> Result<Graph, gotrace::Error> {
    let mut reader = Reader::new(input)?;
    let mut tracker = Tracker::default();
    while let Some(ev) = reader.read_event()? {
        tracker.event(&ev);
    }
    Ok(tracker.finish())
}

/// The stack-states `from` and `to` with the stackless states passed
/// between them, most recent in the low byte (0: none).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct EdgeKey {
    from: StackState,
    to: StackState,
    via: u64,
}

/// Where a goroutine is.
#[derive(Clone, Copy, Debug)]
struct Goroutine {
    prev: StackState,
    via: u64,
    current: GoState,
    preempted: bool,
}

impl Default for Goroutine {
    fn default() -> Goroutine {
        Goroutine {
            prev: StackState {
                stack: NO_STACK,
                state: GoState::Undetermined,
            },
            via: 0,
            current: GoState::Undetermined,
            preempted: false,
        }
    }
}

/// One distinct edge: how often it was taken, and its first event.
struct EdgeSlot {
    key: EdgeKey,
    count: u64,
    example: Box<[u8]>,
}

/// One stack-state as it is being counted. Creation and exit examples
/// carry the ID of the goroutine that gave them.
#[derive(Default)]
struct StateSlot {
    example: Option<Box<[u8]>>,
    all: u64,
    init: Option<(i64, Ends)>,
    exit: Option<(i64, Ends)>,
}

/// What a state-transition event is, as the rules see it.
#[derive(Clone, Copy)]
struct Class {
    /// Running → Runnable.
    preemption: bool,
    /// A preemption not asked for with `runtime.Gosched`.
    async_preemption: bool,
}

/// The counts and examples, apart from the per-goroutine positions.
#[derive(Default)]
struct Book {
    edge_ids: FxHashMap<EdgeKey, u32>,
    edges: Vec<EdgeSlot>,
    /// (goroutine, edge) pairs already seen.
    seen: FxHashSet<(i64, u32)>,
    states: FxHashMap<StackState, StateSlot>,
}

/// Builds the graph of one trace from its events, in trace order.
#[derive(Default)]
pub struct Tracker {
    stacks: Stacks,
    goroutines: FxHashMap<i64, Goroutine>,
    book: Book,
}

fn line(ev: &Event<'_>) -> Box<[u8]> {
    let mut out = Vec::with_capacity(128);
    gotrace::format::write_event_line(ev, &mut out);
    out.into()
}

impl Tracker {
    /// Takes the next event of the trace.
    pub fn event(&mut self, ev: &Event<'_>) {
        match ev.kind() {
            EventKind::Sync => return self.stacks.new_generation(),
            EventKind::StateTransition => {}
            _ => return,
        }
        let Some(st) = ev.state_transition() else {
            return;
        };
        let Transition::Goroutine { id: dst, from, to } = st.transition else {
            return;
        };
        let src = ev.goroutine();
        let src_stk = self.stacks.canonical(&ev.stack());
        let preemption = from == GoState::Running && to == GoState::Runnable;
        let class = Class {
            preemption,
            async_preemption: preemption && !self.stacks.traits(src_stk).gosched,
        };
        if src != dst {
            if src != NONE {
                self.origin(src, ev, class, src_stk);
            }
            if dst != NONE {
                let dst_stk = self.stacks.canonical(&st.stack);
                self.target(dst, ev, class, dst_stk, from, to);
            }
        } else if src != NONE {
            self.target(src, ev, class, src_stk, from, to);
        }
    }

    /// `gid` made the event happen to another goroutine, at `stk`.
    fn origin(&mut self, gid: i64, ev: &Event<'_>, class: Class, stk: StackId) {
        let g = self.goroutines.entry(gid).or_default();
        if g.current == GoState::Undetermined {
            // It makes another goroutine change: it must be running.
            g.current = GoState::Running;
        }
        if stk == NO_STACK {
            return;
        }
        let traits = self.stacks.traits(stk);
        let current = g.current;
        self.book.notice(gid, g, ev, class, stk, traits, current);
        if !(class.async_preemption || traits.malloc || traits.buggy) {
            g.prev = StackState {
                stack: stk,
                state: current,
            };
        }
    }

    /// The event changed `gid`'s state from `from` to `to`, at `stk`.
    fn target(
        &mut self,
        gid: i64,
        ev: &Event<'_>,
        class: Class,
        stk: StackId,
        from: GoState,
        to: GoState,
    ) {
        let g = self.goroutines.entry(gid).or_default();
        if from == GoState::NotExist {
            g.prev = StackState {
                stack: stk,
                state: from,
            };
            self.book.offer_state(g.prev, ev);
        }
        let traits = self.stacks.traits(stk);
        self.book.notice(gid, g, ev, class, stk, traits, to);
        g.current = to;
    }

    /// The graph of the events taken so far.
    pub fn finish(self) -> Graph {
        let mut edges: FxHashMap<(StackState, StackState), EdgeInfo> = FxHashMap::default();
        for slot in self.book.edges {
            let k = slot.key;
            if k.from.stack == NO_STACK
                || k.from.state == GoState::NotExist
                || k.to.state == GoState::NotExist
            {
                continue;
            }
            let e = edges.entry((k.from, k.to)).or_default();
            e.count += slot.count;
            if k.via == 0 {
                e.example = Some(slot.example);
            }
        }
        let states = self
            .book
            .states
            .into_iter()
            .map(|(ss, s)| {
                let info = StateInfo {
                    example: s.example,
                    all: s.all,
                    init: s.init.map(|(_, e)| e),
                    exit: s.exit.map(|(_, e)| e),
                };
                (ss, info)
            })
            .collect();
        Graph {
            stacks: self.stacks,
            states,
            edges,
        }
    }
}

impl Book {
    /// Keeps `ev` as the example of `ss` if it has none yet (events come
    /// in time order, so the first one is the earliest).
    fn offer_state(&mut self, ss: StackState, ev: &Event<'_>) {
        let slot = self.states.entry(ss).or_default();
        if slot.example.is_none() {
            slot.example = Some(line(ev));
        }
    }

    /// Goroutine `gid` reached state `to` at `stk` through `ev`.
    #[allow(clippy::too_many_arguments)]
    fn notice(
        &mut self,
        gid: i64,
        g: &mut Goroutine,
        ev: &Event<'_>,
        class: Class,
        stk: StackId,
        traits: Traits,
        to: GoState,
    ) {
        // Preemptions (and Gosched) come in pairs: ignore the restart.
        if g.preempted {
            if to == GoState::Running {
                return;
            }
            g.preempted = false;
        }
        if class.preemption {
            g.preempted = true;
        }
        // These stacks are no reliable picture of the state machine.
        if class.async_preemption || traits.malloc || traits.buggy {
            return;
        }
        if stk == NO_STACK && to != GoState::NotExist {
            g.via = (g.via << 8) | u64::from(to as u8);
            return;
        }
        let next = StackState {
            stack: stk,
            state: to,
        };
        self.add_edge(
            gid,
            EdgeKey {
                from: g.prev,
                to: next,
                via: g.via,
            },
            ev,
        );
        self.offer_state(next, ev);
        g.prev = next;
        g.via = 0;
    }

    /// Counts one passage of goroutine `gid` along `key`.
    fn add_edge(&mut self, gid: i64, key: EdgeKey, ev: &Event<'_>) {
        let id = *self.edge_ids.entry(key).or_insert_with(|| {
            self.edges.push(EdgeSlot {
                key,
                count: 0,
                example: line(ev),
            });
            (self.edges.len() - 1) as u32
        });
        let slot = &mut self.edges[id as usize];
        slot.count += 1;
        if !self.seen.insert((gid, id)) || key.from.stack == NO_STACK {
            return;
        }
        // The first time this goroutine takes this edge.
        if key.from.state == GoState::NotExist {
            let example = self.states.get(&key.from).and_then(|s| s.example.clone());
            let target = self.states.entry(key.to).or_default();
            count_end(
                &mut target.init,
                gid,
                example.unwrap_or_else(|| ZERO_EVENT.into()),
            );
        } else if key.to.state == GoState::NotExist {
            let example = slot.example.clone();
            let source = self.states.entry(key.from).or_default();
            count_end(&mut source.exit, gid, example);
        } else {
            self.states.entry(key.to).or_default().all += 1;
            self.states.entry(key.from).or_default().all += 1;
        }
    }
}

/// One more goroutine created at (or exiting from) a stack-state; the
/// example is the last one visited: highest goroutine ID, then latest edge.
fn count_end(end: &mut Option<(i64, Ends)>, gid: i64, example: Box<[u8]>) {
    match end {
        Some((last, e)) => {
            e.count += 1;
            if gid >= *last {
                *last = gid;
                e.example = example;
            }
        }
        None => {
            *end = Some((gid, Ends { count: 1, example }));
        }
    }
}
