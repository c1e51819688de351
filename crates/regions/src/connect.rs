//! The region connector: walks all events in trace order keeping, per
//! goroutine, its "reason for being" (a chain of region and wake nodes),
//! hands reasons to the goroutines each event wakes or creates, and
//! records the chain in force at every event.

use crate::patterns::Pattern;
use crate::trace::{NONE, Trace};
use crate::track::Region;
use gotrace::legacy::types as t;

/// A node of a reason chain. Nodes are immutable and shared; they are
/// compared by identity (their index in [`Chains::nodes`]).
#[derive(Debug, Clone, Copy)]
pub struct Node {
    /// Trace index of the event that began this reason.
    pub start: u32,
    /// Index of the node's own region in the region list, or [`NONE`] for a
    /// wake node (work done on behalf of the waker).
    pub local: u32,
    /// The enclosing reason, or [`NONE`] at the root.
    pub parent: u32,
}

/// The connector's result.
#[derive(Debug, Default)]
pub struct Chains {
    /// All nodes ever made (indexed by node id).
    pub nodes: Vec<Node>,
    /// For each event, the head node recorded on it, or [`NONE`].
    pub record: Vec<u32>,
}

impl Chains {
    /// The node at `i`.
    pub fn node(&self, i: u32) -> &Node {
        &self.nodes[i as usize]
    }

    /// Walks from `head` to the root.
    pub fn ancestry(&self, head: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors((head != NONE).then_some(head), |&n| {
            let p = self.node(n).parent;
            (p != NONE).then_some(p)
        })
    }

    /// The distinct nodes recorded on events, in order of first use.
    pub fn recorded(&self) -> Vec<u32> {
        let mut seen = vec![false; self.nodes.len()];
        let mut out = Vec::new();
        for &n in &self.record {
            if n != NONE && !std::mem::replace(&mut seen[n as usize], true) {
                out.push(n);
            }
        }
        out
    }
}

/// Orders regions that start on one event as upstream's insertion sort
/// does with its comparison (fewer events first; equal sizes by "a is not
/// client/http_roundtrip").
fn order_fresh(fresh: &mut [u32], regions: &[Region], patterns: &[Pattern]) {
    let less = |a: u32, b: u32| {
        let (ra, rb) = (&regions[a as usize], &regions[b as usize]);
        if ra.len() != rb.len() {
            return ra.len() < rb.len();
        }
        patterns[ra.pattern as usize].kind != "client/http_roundtrip"
    };
    for i in 1..fresh.len() {
        let mut j = i;
        while j > 0 && less(fresh[j], fresh[j - 1]) {
            fresh.swap(j, j - 1);
            j -= 1;
        }
    }
}

struct Connector<'a> {
    trace: &'a Trace,
    regions: &'a [Region],
    patterns: &'a [Pattern],
    nodes: Vec<Node>,
}

impl Connector<'_> {
    fn push(&mut self, start: u32, local: u32, parent: u32) -> u32 {
        self.nodes.push(Node {
            start,
            local,
            parent,
        });
        (self.nodes.len() - 1) as u32
    }

    fn region_g(&self, r: u32) -> i64 {
        self.trace.goroutines[self.regions[r as usize].gi as usize]
    }

    /// The reason a woken goroutine adopts (`start` is its GoStart).
    fn apply_on_wake(&mut self, start: u32, existing: u32, inbound: u32) -> u32 {
        if inbound == NONE {
            return existing;
        }
        let target = self.trace.ev(start).g;
        // NONE here stands for the new wake node, made only if it is kept.
        let mut propose = NONE;
        let mut at = inbound;
        while at != NONE {
            let n = self.nodes[at as usize];
            if n.local != NONE {
                let r = self.regions[n.local as usize];
                if existing != NONE && self.patterns[r.pattern as usize].shared {
                    return existing;
                }
            }
            if self.trace.ev(n.start).g == target
                || (n.local != NONE && self.region_g(n.local) == target)
            {
                propose = at;
            }
            at = n.parent;
        }
        if existing == NONE || self.nodes[existing as usize].local == NONE {
            if propose == NONE {
                propose = self.push(start, NONE, inbound);
            }
            return propose;
        }
        existing
    }

    /// Removes the regions that end at event `e` from the chain `why`,
    /// rebuilding the local regions above them that are still open.
    fn remove_ended(&mut self, e: u32, why: u32, stale: &[u32]) -> u32 {
        let ev = *self.trace.ev(e);
        let mut active: Vec<u32> = Vec::new();
        let mut out = why;
        let mut at = why;
        while at != NONE {
            let n = self.nodes[at as usize];
            if n.local != NONE {
                let r = self.regions[n.local as usize];
                if self.trace.ev(n.start).g == ev.g
                    && self.trace.ev(r.last_event(self.trace)).ts > ev.ts
                {
                    active.push(n.local);
                }
                if stale.contains(&n.local) {
                    out = n.parent;
                    for &local in active.iter().rev() {
                        let first = self.regions[local as usize].first_event(self.trace);
                        out = self.push(first, local, out);
                    }
                }
            }
            at = n.parent;
        }
        out
    }
}

/// Runs the connector over all events.
pub fn connect(trace: &Trace, regions: &[Region], patterns: &[Pattern]) -> Chains {
    let mut starts: Vec<(u32, u32)> = Vec::with_capacity(regions.len());
    let mut ends: Vec<(u32, u32)> = Vec::with_capacity(regions.len());
    for (i, r) in regions.iter().enumerate() {
        starts.push((r.first_event(trace), i as u32));
        ends.push((r.last_event(trace), i as u32));
    }
    starts.sort_by_key(|&(e, _)| e);
    ends.sort_by_key(|&(e, _)| e);
    let mut c = Connector {
        trace,
        regions,
        patterns,
        nodes: Vec::new(),
    };
    let mut now = vec![NONE; trace.goroutines.len()];
    let mut record = vec![NONE; trace.events.len()];
    let (mut si, mut ei) = (0, 0);
    let mut fresh = Vec::new();
    let mut stale = Vec::new();
    for (i, ev) in trace.events.iter().enumerate() {
        let e = i as u32;
        let gi = trace.gindex[i];
        if gi == NONE {
            continue;
        }
        let mut why = now[gi as usize];
        fresh.clear();
        while si < starts.len() && starts[si].0 == e {
            fresh.push(starts[si].1);
            si += 1;
        }
        if !fresh.is_empty() {
            order_fresh(&mut fresh, regions, patterns);
            for &r in fresh.iter().rev() {
                why = c.push(e, r, why);
            }
        }
        if ev.link != NONE {
            let target = trace.ev(ev.link);
            let tg = trace.gindex[ev.link as usize];
            if target.typ == t::EV_GO_START && target.g != ev.g && tg != NONE {
                let tg = tg as usize;
                now[tg] = c.apply_on_wake(ev.link, now[tg], why);
            }
        }
        stale.clear();
        while ei < ends.len() && ends[ei].0 == e {
            stale.push(ends[ei].1);
            ei += 1;
        }
        if !stale.is_empty() {
            why = c.remove_ended(e, why, &stale);
        }
        record[i] = why;
        now[gi as usize] = why;
    }
    Chains {
        nodes: c.nodes,
        record,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::Rule;
    use crate::trace::{Ev, StackFrames};

    const KINDS: [&str; 5] = [
        "server/sdk",
        "server/http",
        "client/http_roundtrip",
        "client/sdk",
        "client/http_dns",
    ];

    fn patterns() -> Vec<Pattern> {
        KINDS
            .iter()
            .map(|k| Pattern {
                kind: k.to_string(),
                shared: *k == "client/http_dns",
                rule: Rule::Between { starts: 0, ends: 0 },
            })
            .collect()
    }

    /// Events (goroutine, type, link), at times 10, 20, 30, ...
    fn trace(evs: &[(i64, u8, u32)]) -> Trace {
        let mut tr = Trace {
            events: evs
                .iter()
                .enumerate()
                .map(|(i, &(g, typ, link))| Ev {
                    ts: 10 * (i as i64 + 1),
                    g,
                    typ,
                    stack: 0,
                    link,
                    pos: NONE,
                })
                .collect(),
            stacks: vec![StackFrames::default()],
            ..Trace::default()
        };
        tr.finish().unwrap();
        tr
    }

    /// A region of pattern `p` on goroutine `g` from trace event `a` to `b`.
    fn region(tr: &Trace, p: u32, g: i64, a: u32, b: u32) -> Region {
        let gi = tr.goroutines.binary_search(&g).unwrap();
        Region {
            pattern: p,
            gi: gi as u32,
            first: tr.ev(a).pos,
            last: tr.ev(b).pos,
        }
    }

    fn kinds(regs: &[Region], ch: &Chains, e: u32) -> Vec<String> {
        ch.ancestry(ch.record[e as usize])
            .map(|n| match ch.node(n).local {
                NONE => format!("wake@{}", ch.node(n).start),
                r => KINDS[regs[r as usize].pattern as usize].to_string(),
            })
            .collect()
    }

    const X: u8 = t::EV_HEAP_ALLOC;

    /// Upstream's example: regions starting on one event stack on top of
    /// the goroutine's reason, smaller first, round trips after others of
    /// the same size.
    #[test]
    fn new_regions_stack_on_existing_ones() {
        let tr = trace(&[(1, X, NONE); 6]);
        let regs = [
            region(&tr, 1, 1, 0, 5),
            region(&tr, 0, 1, 1, 4),
            region(&tr, 2, 1, 2, 3),
            region(&tr, 3, 1, 2, 3),
        ];
        let ch = connect(&tr, &regs, &patterns());
        assert_eq!(
            kinds(&regs, &ch, 2),
            [
                "client/sdk",
                "client/http_roundtrip",
                "server/sdk",
                "server/http"
            ]
        );
        // A region's last event does not carry it.
        assert_eq!(kinds(&regs, &ch, 3), ["server/sdk", "server/http"]);
        assert_eq!(kinds(&regs, &ch, 4), ["server/http"]);
        assert_eq!(ch.record[5], NONE);
    }

    /// A created goroutine works for its creator; a shared region's chain
    /// is only adopted by goroutines without a reason; a chain returning to
    /// a goroutine that is already in it is cut there.
    #[test]
    fn wakes_hand_reasons_to_goroutines() {
        let s = t::EV_GO_START;
        let tr = trace(&[
            (1, X, NONE),              // 0: g1 starts server/http
            (1, t::EV_GO_CREATE, 2),   // 1: g1 creates g2
            (2, s, NONE),              // 2: g2 starts
            (2, t::EV_GO_UNBLOCK, 5),  // 3: g2 wakes g1
            (1, t::EV_GO_BLOCK, NONE), // 4
            (1, s, NONE),              // 5: g1 resumes
            (3, X, NONE),              // 6: g3 starts a shared DNS region
            (3, t::EV_GO_UNBLOCK, 8),  // 7: and wakes g2
            (2, s, NONE),              // 8
            (1, X, NONE),              // 9: server/http ends
            (3, X, NONE),              // 10
        ]);
        let regs = [region(&tr, 1, 1, 0, 9), region(&tr, 4, 3, 6, 10)];
        let ch = connect(&tr, &regs, &patterns());
        assert_eq!(kinds(&regs, &ch, 2), ["wake@2", "server/http"]);
        // Back on g1, the chain stops at g1's own region: no cycle.
        assert_eq!(kinds(&regs, &ch, 5), ["server/http"]);
        // g2 already works for g1's request: the shared DNS work does not
        // take it over.
        assert_eq!(kinds(&regs, &ch, 8), ["wake@2", "server/http"]);
    }

    /// When an outer region ends before an inner one, the inner one is
    /// rebuilt on what was below the outer one.
    #[test]
    fn ended_regions_are_removed_and_open_ones_rebuilt() {
        let tr = trace(&[(1, X, NONE); 6]);
        let regs = [region(&tr, 1, 1, 0, 3), region(&tr, 0, 1, 1, 5)];
        let ch = connect(&tr, &regs, &patterns());
        let before = ch.record[2];
        assert_eq!(kinds(&regs, &ch, 2), ["server/sdk", "server/http"]);
        assert_eq!(kinds(&regs, &ch, 3), ["server/sdk"]);
        let after = ch.record[3];
        assert_ne!(before, after, "a new node");
        assert_eq!(
            ch.node(after).start,
            1,
            "starting at the region's first event"
        );
        assert_eq!(ch.record[5], NONE);
    }
}
