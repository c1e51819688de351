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
use gotrace::{Event, EventKind, GoState, NONE, Reader, TraceSource, Transition};
use rustc_hash::{FxHashMap, FxHashSet};

/// Reads a whole trace and builds its graph (a Go ≤1.21 trace in a
/// regular file is read by position, not held in memory).
pub fn read(input: TraceSource) -> Result<Graph, gotrace::Error> {
    let mut reader = Reader::from_source(input)?;
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
    pub(crate) stacks: Stacks,
    goroutines: FxHashMap<i64, Goroutine>,
    book: Book,
}

/// An event's line, made when first needed and then kept.
struct Lazy<'a> {
    make: &'a mut dyn FnMut() -> Box<[u8]>,
    line: Option<Box<[u8]>>,
}

impl<'a> Lazy<'a> {
    fn new(make: &'a mut dyn FnMut() -> Box<[u8]>) -> Lazy<'a> {
        Lazy { make, line: None }
    }

    fn get(&mut self) -> Box<[u8]> {
        self.line.get_or_insert_with(&mut *self.make).clone()
    }
}

fn line(ev: &Event<'_>) -> Box<[u8]> {
    let mut out = Vec::with_capacity(128);
    gotrace::format::write_event_line(ev, &mut out);
    out.into()
}

/// One goroutine state transition as the rules see it: the goroutine
/// whose event it is (`src`, with the event's own stack) and the one whose
/// state changes (`dst`, with the transition's stack), either [`NONE`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Step {
    pub(crate) src: i64,
    pub(crate) src_stk: StackId,
    pub(crate) dst: i64,
    pub(crate) dst_stk: StackId,
    pub(crate) from: GoState,
    pub(crate) to: GoState,
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
        let dst_stk = if src != dst && dst != NONE {
            self.stacks.canonical(&st.stack)
        } else {
            NO_STACK
        };
        let step = Step {
            src,
            src_stk,
            dst,
            dst_stk,
            from,
            to,
        };
        self.step(step, &mut || line(ev));
    }

    /// Applies one transition; `example` gives the line of its event.
    pub(crate) fn step(&mut self, s: Step, example: &mut dyn FnMut() -> Box<[u8]>) {
        let mut example = Lazy::new(example);
        let preemption = s.from == GoState::Running && s.to == GoState::Runnable;
        let class = Class {
            preemption,
            async_preemption: preemption && !self.stacks.traits(s.src_stk).gosched,
        };
        if s.src != s.dst {
            if s.src != NONE {
                self.origin(s.src, &mut example, class, s.src_stk);
            }
            if s.dst != NONE {
                self.target(s.dst, &mut example, class, s.dst_stk, s.from, s.to);
            }
        } else if s.src != NONE {
            self.target(s.src, &mut example, class, s.src_stk, s.from, s.to);
        }
    }

    /// `gid` made the event happen to another goroutine, at `stk`.
    fn origin(&mut self, gid: i64, ev: &mut Lazy<'_>, class: Class, stk: StackId) {
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
        ev: &mut Lazy<'_>,
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
            traces: 1,
            stacks: self.stacks,
            states,
            edges,
        }
    }
}

impl Book {
    /// Keeps `ev` as the example of `ss` if it has none yet (events come
    /// in time order, so the first one is the earliest).
    fn offer_state(&mut self, ss: StackState, ev: &mut Lazy<'_>) {
        let slot = self.states.entry(ss).or_default();
        if slot.example.is_none() {
            slot.example = Some(ev.get());
        }
    }

    /// Goroutine `gid` reached state `to` at `stk` through `ev`.
    #[allow(clippy::too_many_arguments)]
    fn notice(
        &mut self,
        gid: i64,
        g: &mut Goroutine,
        ev: &mut Lazy<'_>,
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
        let key = EdgeKey {
            from: g.prev,
            to: next,
            via: g.via,
        };
        // An edge seen before has offered its target state already.
        if self.add_edge(gid, key, ev) {
            self.offer_state(next, ev);
        }
        g.prev = next;
        g.via = 0;
    }

    /// Counts one passage of goroutine `gid` along `key`; says whether
    /// the edge is new.
    fn add_edge(&mut self, gid: i64, key: EdgeKey, ev: &mut Lazy<'_>) -> bool {
        let mut new = false;
        let id = *self.edge_ids.entry(key).or_insert_with(|| {
            new = true;
            self.edges.push(EdgeSlot {
                key,
                count: 0,
                example: ev.get(),
            });
            (self.edges.len() - 1) as u32
        });
        let slot = &mut self.edges[id as usize];
        slot.count += 1;
        if !self.seen.insert((gid, id)) || key.from.stack == NO_STACK {
            return new;
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
        new
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

#[cfg(test)]
mod tests {
    use crate::graph::{EdgeInfo, Ends, Graph, StackState, StateInfo};
    use crate::stacks::NO_STACK;
    use crate::testkit::{Script, ev, ss};
    use gotrace::GoState::*;
    use gotrace::NONE;

    fn state(g: &Graph, s: StackState) -> StateInfo {
        g.states.get(&s).cloned().unwrap_or_default()
    }

    fn edge(g: &Graph, from: StackState, to: StackState) -> Option<EdgeInfo> {
        g.edges.get(&(from, to)).cloned()
    }

    fn ends(count: u64, example: u64) -> Option<Ends> {
        Some(Ends {
            count,
            example: ev(example),
        })
    }

    #[test]
    fn a_goroutine_life() {
        let mut s = Script::default();
        let main10 = s.stack(&[("main.main", 10)]);
        let main11 = s.stack(&[("main.main", 11)]);
        let start = s.stack(&[("main.worker", 20)]);
        let recv = s.stack(&[("runtime.chanrecv1", 5), ("main.worker", 21)]);
        let created = s.create(1, main10, 2, start);
        s.start(2);
        let blocked = s.own(2, recv, Running, Waiting);
        // Main wakes it (main's first stack-state was main10, Running).
        s.unblock(1, main11, 2);
        s.start(2);
        s.own(2, recv, Running, Waiting);
        s.unblock(1, main11, 2);
        s.start(2);
        let exited = s.exit(2);
        let g = s.finish();

        let start_rn = ss(start, Runnable);
        let recv_w = ss(recv, Waiting);
        assert_eq!(state(&g, start_rn).init, ends(1, created));
        // The first edge had a stackless Running on the way: no example.
        assert_eq!(
            edge(&g, start_rn, recv_w),
            Some(EdgeInfo {
                count: 1,
                example: None
            })
        );
        assert_eq!(edge(&g, recv_w, recv_w).map(|e| e.count), Some(1));
        assert_eq!(state(&g, recv_w).example, Some(ev(blocked)));
        assert_eq!(state(&g, recv_w).exit, ends(1, exited));
        // recv_w: end of start→recv, both ends of recv→recv.
        assert_eq!(state(&g, recv_w).all, 3);
        // Main, as the waker: Running at main10, then main11 twice.
        let m10 = ss(main10, Running);
        let m11 = ss(main11, Running);
        assert_eq!(edge(&g, m10, m11).map(|e| e.count), Some(1));
        assert_eq!(edge(&g, m11, m11).map(|e| e.count), Some(1));
        assert_eq!(state(&g, m11).all, 3);
        // Main's first edge comes from no stack (it ran before the trace):
        // not in the graph.
        assert_eq!(g.edges.len(), 4);
        assert!(g.edges.keys().all(|(f, _)| f.stack != NO_STACK));
    }

    #[test]
    fn straight_edges_give_examples_and_count_every_passage() {
        let mut s = Script::default();
        let a = s.stack(&[("main.a", 1)]);
        let b = s.stack(&[("main.b", 2)]);
        let w = |s: &mut Script, g, at| s.own(g, at, Running, Waiting);
        w(&mut s, 7, a);
        let first_ab = w(&mut s, 7, b);
        for _ in 0..4 {
            w(&mut s, 7, a);
            w(&mut s, 7, b);
        }
        w(&mut s, 8, a);
        w(&mut s, 8, b);
        let g = s.finish();
        let (a, b) = (ss(a, Waiting), ss(b, Waiting));
        assert_eq!(
            edge(&g, a, b),
            Some(EdgeInfo {
                count: 6,
                example: Some(ev(first_ab))
            })
        );
        assert_eq!(edge(&g, b, a).map(|e| e.count), Some(4));
        // Distinct (goroutine, edge) pairs: 7 has a→b and b→a, 8 has a→b.
        assert_eq!(state(&g, a).all, 3);
        assert_eq!(state(&g, b).all, 3);
    }

    #[test]
    fn preemptions_and_unreliable_stacks_are_skipped() {
        let mut s = Script::default();
        let a = s.stack(&[("main.a", 1)]);
        let b = s.stack(&[("main.b", 2)]);
        let spin = s.stack(&[("main.spin", 3)]);
        let yield_ = s.stack(&[("runtime.Gosched", 1), ("main.y", 4)]);
        let malloc = s.stack(&[("runtime.mallocgc", 9), ("main.m", 5)]);
        let buggy = s.stack(&[("main.z", 0)]);
        s.own(3, a, Running, Waiting);
        // Forced preemption and its restart: nothing.
        s.own(3, spin, Running, Runnable);
        s.start(3);
        // GC assist and unsymbolized stacks: nothing.
        s.own(3, malloc, Running, Waiting);
        s.own(3, buggy, Running, Waiting);
        s.own(3, b, Running, Waiting);
        // Gosched is a state; its restart is swallowed.
        s.own(3, yield_, Running, Runnable);
        s.start(3);
        s.own(3, a, Running, Waiting);
        let g = s.finish();
        let (a, b, y) = (ss(a, Waiting), ss(b, Waiting), ss(yield_, Runnable));
        let mut got: Vec<_> = g.edges.keys().copied().collect();
        got.sort_by(|x, y| g.cmp_states(&x.0, &y.0).then(g.cmp_states(&x.1, &y.1)));
        let mut want = vec![(a, b), (b, y), (y, a)];
        want.sort_by(|x, y| g.cmp_states(&x.0, &y.0).then(g.cmp_states(&x.1, &y.1)));
        assert_eq!(got, want);
        // Straight edges: no stackless state was recorded in between.
        assert!(g.edges.values().all(|e| e.example.is_some()));
    }

    #[test]
    fn stackless_states_fold_into_via_up_to_eight() {
        let mut s = Script::default();
        let a = s.stack(&[("main.a", 1)]);
        let b = s.stack(&[("main.b", 2)]);
        s.own(4, a, Running, Waiting);
        for _ in 0..10 {
            s.step((NONE, NO_STACK), (4, NO_STACK), Waiting, Runnable);
            s.start(4);
        }
        s.own(4, b, Running, Waiting);
        let first_a = s.own(4, a, Running, Waiting);
        s.step((NONE, NO_STACK), (4, NO_STACK), Waiting, Runnable);
        s.start(4);
        s.own(4, b, Running, Waiting);
        let g = s.finish();
        let (a, b) = (ss(a, Waiting), ss(b, Waiting));
        // Two different vias, one simple edge, never straight.
        assert_eq!(
            edge(&g, a, b),
            Some(EdgeInfo {
                count: 2,
                example: None
            })
        );
        assert_eq!(
            edge(&g, b, a),
            Some(EdgeInfo {
                count: 1,
                example: Some(ev(first_a))
            })
        );
        // Goroutine 4 with two a→b edges (two vias) and one b→a.
        assert_eq!(state(&g, a).all, 3);
    }

    #[test]
    fn creation_and_exit_examples_come_from_the_highest_goroutine() {
        let mut s = Script::default();
        let main = s.stack(&[("main.main", 1)]);
        let start = s.stack(&[("main.w", 2)]);
        let block = s.stack(&[("main.w", 3)]);
        let mut exits = Vec::new();
        let mut creations = Vec::new();
        for child in [9, 5] {
            creations.push(s.create(1, main, child, start));
        }
        for child in [9, 5] {
            s.start(child);
            s.own(child, block, Running, Waiting);
            s.unblock(1, main, child);
            s.start(child);
            exits.push(s.exit(child));
        }
        let g = s.finish();
        let start_rn = ss(start, Runnable);
        let block_w = ss(block, Waiting);
        // Goroutine 9 was created and exited first, but is visited last.
        // A creation's example is the creation of its start stack-state,
        // the first one.
        assert_eq!(state(&g, start_rn).init, ends(2, creations[0]));
        assert_eq!(state(&g, block_w).exit, ends(2, exits[0]));
    }

    #[test]
    fn a_reused_goroutine_id_exits_twice() {
        // A cgo callback's goroutine is created and destroyed again and
        // again with one ID: its last exit edge gives the example.
        let mut s = Script::default();
        let a = s.stack(&[("main.cb", 1)]);
        let mut last = 0;
        for state in [Running, Syscall] {
            s.step((NONE, NO_STACK), (6, NO_STACK), NotExist, Syscall);
            s.own(6, a, Syscall, state);
            last = s.own(6, NO_STACK, state, NotExist);
        }
        let g = s.finish();
        assert_eq!(state(&g, ss(a, Syscall)).exit, ends(1, last));
        assert_eq!(state(&g, ss(a, Running)).exit.map(|e| e.count), Some(1));
    }
}
