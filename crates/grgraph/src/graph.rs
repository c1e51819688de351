//! The goroutine state graph of one or more traces, before it is drawn:
//! stack-states with how often goroutines were created in, passed
//! through and exited from each, the edges between them with how often
//! they were taken, and an example event for each. Graphs of several
//! traces merge into one whose counts are the sums.

use crate::stacks::{StackId, Stacks};
use gotrace::GoState;
use rustc_hash::FxHashMap;
use std::cmp::Ordering;

/// The line of Go's zero `trace.Event`, which upstream shows where a
/// node or edge has no example.
pub const ZERO_EVENT: &[u8] = b"M=0 P=0 G=0 Bad Time=0";

/// A place in a goroutine's life: the stack where it met the scheduler,
/// and the state it was then in.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct StackState {
    /// The stack, in the graph's [`Stacks`].
    pub stack: StackId,
    /// The goroutine's state.
    pub state: GoState,
}

/// How many goroutines started (or ended) at a stack-state, and the
/// example event shown for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ends {
    /// Distinct goroutines (more exactly, distinct pairs of goroutine and
    /// creation or exit edge).
    pub count: u64,
    /// The event's line, as `go tool trace -d=parsed` starts it.
    pub example: Box<[u8]>,
}

/// What is known of one stack-state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateInfo {
    /// The first event that brought a goroutine to it.
    pub example: Option<Box<[u8]>>,
    /// Distinct pairs of goroutine and (non-creation, non-exit) edge that
    /// start or end here.
    pub all: u64,
    /// Goroutines created here.
    pub init: Option<Ends>,
    /// Goroutines that exited from here.
    pub exit: Option<Ends>,
}

/// An edge between two stack-states, whatever states without a stack were
/// passed on the way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EdgeInfo {
    /// How many times a goroutine went this way.
    pub count: u64,
    /// The first event that took a goroutine straight this way, with no
    /// stackless state between; none if it was never taken straight.
    pub example: Option<Box<[u8]>>,
}

/// The graph of one or more traces.
#[derive(Debug, Default)]
pub struct Graph {
    /// How many traces it is the graph of.
    pub(crate) traces: usize,
    pub(crate) stacks: Stacks,
    pub(crate) states: FxHashMap<StackState, StateInfo>,
    pub(crate) edges: FxHashMap<(StackState, StackState), EdgeInfo>,
}

impl Graph {
    /// How many traces it is the graph of.
    pub fn traces(&self) -> usize {
        self.traces
    }

    /// The stacks the stack-states refer to.
    pub fn stacks(&self) -> &Stacks {
        &self.stacks
    }

    /// Every stack-state an event reached, and what is known of it.
    pub fn states(&self) -> impl Iterator<Item = (&StackState, &StateInfo)> {
        self.states.iter()
    }

    /// The edges between stack-states (creation and exit edges are counted
    /// in the states' `init` and `exit`).
    pub fn edges(&self) -> impl Iterator<Item = (&(StackState, StackState), &EdgeInfo)> {
        self.edges.iter()
    }

    /// Orders stack-states by stack, then state: how collisions between
    /// stack-states drawn as one node are resolved.
    pub fn cmp_states(&self, a: &StackState, b: &StackState) -> Ordering {
        self.stacks
            .cmp(a.stack, b.stack)
            .then((a.state as u8).cmp(&(b.state as u8)))
    }

    /// Adds `later`, the graph of traces that come after this one's:
    /// counts add up; an example of this graph is kept over one of
    /// `later`'s, except for creation and exit examples, where the last
    /// goroutine visited (the later trace's) wins, as it does within a
    /// trace.
    pub fn merge(&mut self, later: Graph) {
        self.traces += later.traces;
        let map = self.stacks.absorb(&later.stacks);
        let local = |s: StackState| StackState {
            stack: map[s.stack as usize],
            state: s.state,
        };
        for (ss, info) in later.states {
            let mine = self.states.entry(local(ss)).or_default();
            if mine.example.is_none() {
                mine.example = info.example;
            }
            mine.all += info.all;
            merge_ends(&mut mine.init, info.init);
            merge_ends(&mut mine.exit, info.exit);
        }
        for ((from, to), info) in later.edges {
            let mine = self.edges.entry((local(from), local(to))).or_default();
            mine.count += info.count;
            if mine.example.is_none() {
                mine.example = info.example;
            }
        }
    }
}

fn merge_ends(mine: &mut Option<Ends>, later: Option<Ends>) {
    let Some(later) = later else {
        return;
    };
    let count = mine.as_ref().map_or(0, |m| m.count) + later.count;
    *mine = Some(Ends {
        count,
        example: later.example,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{Script, ev};
    use gotrace::GoState::*;

    /// A trace where goroutine `g` is created by 1, blocks twice at `main.w:3`
    /// and exits; `extra` stacks are made first, so the numbering differs.
    fn trace(g: i64, extra: usize) -> (Graph, [u64; 3]) {
        let mut s = Script::default();
        for i in 0..extra {
            s.stack(&[("main.other", i as u64 + 100)]);
        }
        let main = s.stack(&[("main.main", 1)]);
        let start = s.stack(&[("main.w", 2)]);
        let block = s.stack(&[("main.w", 3)]);
        let created = s.create(1, main, g, start);
        s.start(g);
        let blocked = s.own(g, block, Running, Waiting);
        s.own(g, block, Running, Waiting);
        let exited = s.exit(g);
        (s.finish(), [created, blocked, exited])
    }

    fn find<'a>(g: &'a Graph, func_line: &[u8], state: GoState) -> &'a StateInfo {
        g.states
            .iter()
            .find(|(s, _)| {
                let mut t = Vec::new();
                g.stacks.write_short(s.stack, &mut t);
                t == func_line && s.state == state
            })
            .map(|(_, i)| i)
            .expect("state present")
    }

    #[test]
    fn merged_counts_add_up() {
        let (mut a, [_, blocked, _]) = trace(4, 0);
        let (b, [created, _, exited]) = trace(2, 3);
        a.merge(b);
        let start = find(&a, b"main.w:2\n", Runnable);
        // The later trace's creation and exit examples, the earlier's
        // state examples.
        assert_eq!(
            start.init,
            Some(Ends {
                count: 2,
                example: ev(created)
            })
        );
        let block = find(&a, b"main.w:3\n", Waiting);
        assert_eq!(block.example, Some(ev(blocked)));
        assert_eq!(block.all, 6);
        assert_eq!(
            block.exit,
            Some(Ends {
                count: 2,
                example: ev(exited)
            })
        );
        let counts: Vec<u64> = a.edges.values().map(|e| e.count).collect();
        assert_eq!(counts.iter().sum::<u64>(), 4);
        assert_eq!(a.edges.len(), 2);
        // Merging into an empty graph gives the same graph.
        let (one, _) = trace(4, 0);
        let mut empty = Graph::default();
        empty.merge(trace(4, 0).0);
        assert_eq!(empty.states, one.states);
        assert_eq!(empty.edges, one.edges);
    }
}
