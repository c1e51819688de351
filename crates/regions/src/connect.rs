//! The region connector, run as the second pass over the events: keeps,
//! per goroutine, its "reason for being" (a chain of region and wake
//! nodes), hands reasons to the goroutines each event wakes or creates,
//! and hands the chain in force at every event to the span recorder.

use crate::did::Did;
use crate::error::Result;
use crate::event::{Ev, NONE};
use crate::patterns::Pattern;
use crate::source::{Source, Stacks};
use crate::spans::Recorder;
use crate::track::{Region, Tracked};
use rustc_hash::FxHashMap;

/// A node of a reason chain. Nodes are immutable once started and shared;
/// they are compared by identity (their index in [`Chains::nodes`]).
#[derive(Debug, Clone, Copy)]
pub struct Node {
    /// Number of the event that began this reason ([`NONE`] for a wake
    /// node until the woken goroutine starts).
    pub start: u32,
    /// That event's time.
    pub ts: i64,
    /// That event's goroutine.
    pub g: i64,
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
    /// The distinct nodes recorded on events (chain heads), in order of
    /// first use.
    pub recorded: Vec<u32>,
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

/// Each goroutine's regions in order of their first (or last) events: a
/// list of region indexes, a range of it per goroutine, and how far the
/// walk has got in each range.
struct Cursor {
    /// The event number a region is ordered by.
    key: fn(&Region) -> u32,
    order: Vec<u32>,
    next: Vec<u32>,
    end: Vec<u32>,
}

impl Cursor {
    fn new(tracked: &Tracked, key: fn(&Region) -> u32) -> Cursor {
        let n = tracked.goroutines.len();
        let mut order: Vec<u32> = (0..tracked.regions.len() as u32).collect();
        // Regions are grouped by goroutine; the sort is stable.
        order.sort_by_key(|&r| {
            let reg = &tracked.regions[r as usize];
            (reg.gi, key(reg))
        });
        let (mut next, mut end) = (vec![0u32; n], vec![0u32; n]);
        for (i, &r) in order.iter().enumerate() {
            let gi = tracked.regions[r as usize].gi as usize;
            if end[gi] == 0 {
                next[gi] = i as u32;
            }
            end[gi] = i as u32 + 1;
        }
        Cursor {
            key,
            order,
            next,
            end,
        }
    }

    /// Takes goroutine `gi`'s regions whose key is `at` into `out`.
    fn take(&mut self, gi: u32, at: u32, regions: &[Region], out: &mut Vec<u32>) {
        let gi = gi as usize;
        while self.next[gi] < self.end[gi] {
            let r = self.order[self.next[gi] as usize];
            if (self.key)(&regions[r as usize]) != at {
                break;
            }
            out.push(r);
            self.next[gi] += 1;
        }
    }
}

/// Persistent maps from goroutine index to node, one version per chain
/// node: where each goroutine first appears (nearest the root) in the
/// node's chain. A version shares all but one path with its parent's; a
/// binary trie over the index bits, in one arena (entry 0: the empty
/// trie), so a lookup or an insertion costs the bits of the index.
#[derive(Debug)]
struct FirstSeen {
    /// Inner entries: the two children; leaves: the node, then 0.
    trie: Vec<[u32; 2]>,
    /// Bits of a goroutine index.
    bits: u32,
}

impl FirstSeen {
    fn new(goroutines: usize) -> FirstSeen {
        FirstSeen {
            trie: vec![[0, 0]],
            bits: usize::BITS - goroutines.leading_zeros(),
        }
    }

    /// The node of goroutine `gi` in version `root`, or [`NONE`].
    fn get(&self, root: u32, gi: u32) -> u32 {
        let mut at = root;
        for level in (0..self.bits).rev() {
            if at == 0 {
                return NONE;
            }
            at = self.trie[at as usize][(gi >> level) as usize & 1];
        }
        if at == 0 {
            NONE
        } else {
            self.trie[at as usize][0]
        }
    }

    /// Version `root` with goroutine `gi` mapped to `node`.
    fn insert(&mut self, root: u32, gi: u32, node: u32) -> u32 {
        let mut path = [0u32; u32::BITS as usize];
        let mut at = root;
        for level in (0..self.bits).rev() {
            path[level as usize] = at;
            at = self.trie[at as usize][(gi >> level) as usize & 1];
        }
        self.trie.push([node, 0]);
        let mut made = (self.trie.len() - 1) as u32;
        for level in 0..self.bits {
            let mut kids = self.trie[path[level as usize] as usize];
            kids[(gi >> level) as usize & 1] = made;
            self.trie.push(kids);
            made = (self.trie.len() - 1) as u32;
        }
        made
    }
}

struct Connector<'a> {
    tracked: &'a Tracked,
    patterns: &'a [Pattern],
    nodes: Vec<Node>,
    /// By node: whether its chain holds a region of a shared pattern.
    shared: Vec<bool>,
    /// By node: its version of `first_seen`.
    firsts: Vec<u32>,
    first_seen: FirstSeen,
    /// Nodes made while handling the current event.
    created: Vec<u32>,
}

impl Connector<'_> {
    /// A new node of goroutine index `gi`, its id.
    fn add(&mut self, gi: u32, node: Node) -> u32 {
        let id = self.nodes.len() as u32;
        let own_shared =
            node.local != NONE && self.patterns[self.region(node.local).pattern as usize].shared;
        let (shared, firsts) = match node.parent {
            NONE => (false, 0),
            p => (self.shared[p as usize], self.firsts[p as usize]),
        };
        self.shared.push(shared || own_shared);
        let firsts = if self.first_seen.get(firsts, gi) == NONE {
            self.first_seen.insert(firsts, gi, id)
        } else {
            firsts
        };
        self.firsts.push(firsts);
        self.nodes.push(node);
        id
    }

    /// A new node whose span starts with the current event (or, for a
    /// rebuilt region, started before it).
    fn push(&mut self, gi: u32, node: Node) -> u32 {
        let id = self.add(gi, node);
        self.created.push(id);
        id
    }

    fn region(&self, r: u32) -> &Region {
        &self.tracked.regions[r as usize]
    }

    /// The reason goroutine `target` (index `ti`) adopts when woken by an
    /// event whose chain is `inbound`; a new wake node waits for its start
    /// (the second value). As upstream walks the inbound chain: with a
    /// shared region in it, a goroutine that has a reason keeps it; one
    /// without a reason, or only working for a waker, takes the part of the
    /// chain from its own first node in it (nearest the root: a node's
    /// goroutine is its region's), or else a new wake node on the chain.
    fn apply_on_wake(
        &mut self,
        target: i64,
        ti: u32,
        existing: u32,
        inbound: u32,
    ) -> (u32, Option<u32>) {
        if inbound == NONE || (existing != NONE && self.shared[inbound as usize]) {
            return (existing, None);
        }
        if existing == NONE || self.nodes[existing as usize].local == NONE {
            let propose = self.first_seen.get(self.firsts[inbound as usize], ti);
            if propose == NONE {
                let id = self.add(
                    ti,
                    Node {
                        start: NONE,
                        ts: 0,
                        g: target,
                        local: NONE,
                        parent: inbound,
                    },
                );
                return (id, Some(id));
            }
            return (propose, None);
        }
        (existing, None)
    }

    /// Removes the regions that end at event `ev` (of goroutine index
    /// `gi`) from the chain `why`, rebuilding the local regions above them
    /// that are still open.
    ///
    /// Only the head of the chain is looked at: a goroutine's own nodes
    /// (its regions, and the wake node it works under) are always at the
    /// head of its chain, one after another, for every way a chain is made
    /// keeps that so: regions are pushed on the head; a woken goroutine
    /// takes a chain from its own first node up, or a new wake node of its
    /// own on a chain where it has none; and this keeps the head's order.
    fn remove_ended(&mut self, ev: &Ev, gi: u32, why: u32, stale: &[u32]) -> u32 {
        let mut active: Vec<u32> = Vec::new();
        let mut out = why;
        let mut at = why;
        while at != NONE && self.nodes[at as usize].g == ev.g {
            let n = self.nodes[at as usize];
            if n.local != NONE {
                let r = *self.region(n.local);
                if n.g == ev.g && r.last.ts > ev.ts {
                    active.push(n.local);
                }
                if stale.contains(&n.local) {
                    out = n.parent;
                    for &local in active.iter().rev() {
                        let r = *self.region(local);
                        out = self.push(
                            gi,
                            Node {
                                start: r.first.idx,
                                ts: r.first.ts,
                                g: ev.g,
                                local,
                                parent: out,
                            },
                        );
                    }
                }
            }
            at = n.parent;
        }
        out
    }
}

/// The connector's pass, fed one event at a time.
pub struct Pass<'a> {
    tracked: &'a Tracked,
    c: Connector<'a>,
    starts: Cursor,
    ends: Cursor,
    spans: Recorder,
    /// Per goroutine, the chain in force.
    now: Vec<u32>,
    seen: Vec<bool>,
    recorded: Vec<u32>,
    /// Wake nodes waiting for their goroutine's next start.
    unstarted: FxHashMap<i64, u32>,
    fresh: Vec<u32>,
    stale: Vec<u32>,
}

impl<'a> Pass<'a> {
    /// A pass connecting the regions of `tracked`.
    pub fn new(tracked: &'a Tracked, patterns: &'a [Pattern]) -> Pass<'a> {
        let n = tracked.goroutines.len();
        Pass {
            tracked,
            c: Connector {
                tracked,
                patterns,
                nodes: Vec::new(),
                shared: Vec::new(),
                firsts: Vec::new(),
                first_seen: FirstSeen::new(n),
                created: Vec::new(),
            },
            starts: Cursor::new(tracked, |r| r.first.idx),
            ends: Cursor::new(tracked, |r| r.last.idx),
            spans: Recorder::new(n),
            now: vec![NONE; n],
            seen: Vec::new(),
            recorded: Vec::new(),
            unstarted: FxHashMap::default(),
            fresh: Vec::new(),
            stale: Vec::new(),
        }
    }

    /// Handles the next event.
    pub fn observe(&mut self, ev: &Ev) {
        let (tracked, regions) = (self.tracked, &self.tracked.regions[..]);
        self.spans.link(ev);
        let Some(gi) = tracked.gi(ev.g) else {
            return;
        };
        let c = &mut self.c;
        c.created.clear();
        let mut why = self.now[gi as usize];
        self.fresh.clear();
        self.starts.take(gi, ev.idx, regions, &mut self.fresh);
        order_fresh(&mut self.fresh, regions, c.patterns);
        for &r in self.fresh.iter().rev() {
            why = c.push(
                gi,
                Node {
                    start: ev.idx,
                    ts: ev.ts,
                    g: ev.g,
                    local: r,
                    parent: why,
                },
            );
        }
        if let Some(x) = ev.wakes
            && x != ev.g
            && let Some(xi) = tracked.gi(x)
        {
            let (reason, new) = c.apply_on_wake(x, xi, self.now[xi as usize], why);
            self.now[xi as usize] = reason;
            if let Some(n) = new {
                self.unstarted.insert(x, n);
            }
        }
        self.stale.clear();
        self.ends.take(gi, ev.idx, regions, &mut self.stale);
        if !self.stale.is_empty() {
            why = c.remove_ended(ev, gi, why, &self.stale);
        }
        self.now[gi as usize] = why;
        if why != NONE {
            if self.seen.len() <= why as usize {
                self.seen.resize(c.nodes.len(), false);
            }
            if !std::mem::replace(&mut self.seen[why as usize], true) {
                self.recorded.push(why);
            }
        }
        if ev.did == Did::Start
            && let Some(n) = self.unstarted.remove(&ev.g)
        {
            let node = &mut c.nodes[n as usize];
            node.start = ev.idx;
            node.ts = ev.ts;
            self.spans.begin(n, gi, node);
        }
        for &n in &c.created {
            let node = &c.nodes[n as usize];
            if node.start == ev.idx {
                self.spans.begin(n, gi, node);
            } else {
                self.spans
                    .begin_past(n, node, &regions[node.local as usize].first);
            }
        }
        self.spans.observe(gi, ev, why, &c.nodes);
    }

    /// The chains, and the spans recorded.
    pub fn finish(mut self) -> (Chains, Recorder) {
        self.spans.finish();
        let chains = Chains {
            nodes: self.c.nodes,
            recorded: self.recorded,
        };
        (chains, self.spans)
    }
}

/// The second pass: runs the connector over all events of `src`, and
/// records every node's span.
pub fn connect(
    src: &Source,
    tracked: &Tracked,
    patterns: &[Pattern],
    stacks: &mut Stacks,
) -> Result<(Chains, Recorder)> {
    let mut pass = Pass::new(tracked, patterns);
    src.scan(stacks, |ev, _| pass.observe(ev))?;
    Ok(pass.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Back;
    use crate::patterns::Rule;
    use gotrace::legacy::types as t;

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

    const X: u8 = t::EV_HEAP_ALLOC;

    /// Events (goroutine, type, goroutine woken), numbered from 0 at times
    /// 10, 20, 30, ...; a start after a wake links back to it.
    fn events(evs: &[(i64, u8, Option<i64>)]) -> Vec<Ev> {
        let mut woken: FxHashMap<i64, Back> = FxHashMap::default();
        evs.iter()
            .enumerate()
            .map(|(i, &(g, typ, wakes))| {
                let ev = Ev {
                    idx: i as u32,
                    ts: 10 * (i as i64 + 1),
                    g,
                    did: Did::of_old(typ, false),
                    stack: 0,
                    back: if typ == t::EV_GO_START {
                        woken.remove(&g)
                    } else {
                        None
                    },
                    wakes,
                };
                if let Some(x) = wakes {
                    woken.insert(
                        x,
                        Back {
                            idx: ev.idx,
                            ts: ev.ts,
                        },
                    );
                }
                ev
            })
            .collect()
    }

    /// The goroutines of `evs`, with regions (pattern, goroutine, first
    /// event, last event).
    fn tracked(evs: &[Ev], regions: &[(u32, i64, usize, usize)]) -> Tracked {
        let mut ids: Vec<i64> = evs.iter().map(|e| e.g).collect();
        ids.sort_unstable();
        ids.dedup();
        let at = |i: usize| {
            let pos = evs[..i].iter().filter(|e| e.g == evs[i].g).count();
            evs[i].at(pos as u32)
        };
        let mut regions: Vec<Region> = regions
            .iter()
            .map(|&(pattern, g, a, b)| Region {
                pattern,
                gi: ids.binary_search(&g).unwrap() as u32,
                first: at(a),
                last: at(b),
            })
            .collect();
        regions.sort_by_key(|r| r.gi);
        Tracked {
            root_funcs: ids.iter().map(|g| format!("root{g}")).collect(),
            goroutines: ids,
            regions,
            span: (0, 0),
        }
    }

    fn run(evs: &[Ev], tr: &Tracked) -> (Chains, Vec<u32>) {
        let patterns = patterns();
        let mut pass = Pass::new(tr, &patterns);
        let mut record = Vec::new();
        for ev in evs {
            pass.observe(ev);
            let gi = tr.gi(ev.g).unwrap();
            record.push(pass.now[gi as usize]);
        }
        (pass.finish().0, record)
    }

    fn kinds(tr: &Tracked, ch: &Chains, head: u32) -> Vec<String> {
        ch.ancestry(head)
            .map(|n| match ch.node(n).local {
                NONE => format!("wake@{}", ch.node(n).start),
                r => KINDS[tr.regions[r as usize].pattern as usize].to_string(),
            })
            .collect()
    }

    /// Upstream's example: regions starting on one event stack on top of
    /// the goroutine's reason, smaller first, round trips after others of
    /// the same size.
    #[test]
    fn new_regions_stack_on_existing_ones() {
        let evs = events(&[(1, X, None); 6]);
        let tr = tracked(
            &evs,
            &[(1, 1, 0, 5), (0, 1, 1, 4), (2, 1, 2, 3), (3, 1, 2, 3)],
        );
        let (ch, rec) = run(&evs, &tr);
        assert_eq!(
            kinds(&tr, &ch, rec[2]),
            [
                "client/sdk",
                "client/http_roundtrip",
                "server/sdk",
                "server/http"
            ]
        );
        // A region's last event does not carry it.
        assert_eq!(kinds(&tr, &ch, rec[3]), ["server/sdk", "server/http"]);
        assert_eq!(kinds(&tr, &ch, rec[4]), ["server/http"]);
        assert_eq!(rec[5], NONE);
    }

    /// A created goroutine works for its creator; a shared region's chain
    /// is only adopted by goroutines without a reason; a chain returning to
    /// a goroutine that is already in it is cut there.
    #[test]
    fn wakes_hand_reasons_to_goroutines() {
        let s = t::EV_GO_START;
        let evs = events(&[
            (1, X, None),                   // 0: g1 starts server/http
            (1, t::EV_GO_CREATE, Some(2)),  // 1: g1 creates g2
            (2, s, None),                   // 2: g2 starts
            (2, t::EV_GO_UNBLOCK, Some(1)), // 3: g2 wakes g1
            (1, t::EV_GO_BLOCK, None),      // 4
            (1, s, None),                   // 5: g1 resumes
            (3, X, None),                   // 6: g3 starts a shared DNS region
            (3, t::EV_GO_UNBLOCK, Some(2)), // 7: and wakes g2
            (2, s, None),                   // 8
            (1, X, None),                   // 9: server/http ends
            (3, X, None),                   // 10
        ]);
        let tr = tracked(&evs, &[(1, 1, 0, 9), (4, 3, 6, 10)]);
        let (ch, rec) = run(&evs, &tr);
        assert_eq!(kinds(&tr, &ch, rec[2]), ["wake@2", "server/http"]);
        // Back on g1, the chain stops at g1's own region: no cycle.
        assert_eq!(kinds(&tr, &ch, rec[5]), ["server/http"]);
        // g2 already works for g1's request: the shared DNS work does not
        // take it over.
        assert_eq!(kinds(&tr, &ch, rec[8]), ["wake@2", "server/http"]);
        // The wake node learnt its start when g2 started.
        assert_eq!(ch.node(rec[2]).ts, 30);
    }

    /// When an outer region ends before an inner one, the inner one is
    /// rebuilt on what was below the outer one, with a one-event span.
    #[test]
    fn ended_regions_are_removed_and_open_ones_rebuilt() {
        let evs = events(&[(1, X, None); 6]);
        let tr = tracked(&evs, &[(1, 1, 0, 3), (0, 1, 1, 5)]);
        let patterns = patterns();
        let mut pass = Pass::new(&tr, &patterns);
        let mut rec = Vec::new();
        for ev in &evs {
            pass.observe(ev);
            rec.push(pass.now[0]);
        }
        let (ch, spans) = pass.finish();
        assert_eq!(kinds(&tr, &ch, rec[2]), ["server/sdk", "server/http"]);
        assert_eq!(kinds(&tr, &ch, rec[3]), ["server/sdk"]);
        let after = rec[3];
        assert_ne!(rec[2], after, "a new node");
        assert_eq!(
            ch.node(after).start,
            1,
            "starting at the region's first event"
        );
        assert_eq!(rec[5], NONE);
        let trees: Vec<_> = crate::spans::trees(ch, spans, tr, &patterns).collect();
        // One tree: server/http (events 0..3) caused the first server/sdk
        // node, whose span ends where the rebuilt node takes over (event 3).
        let span = |s: &crate::spans::Span| (s.kind.clone(), s.start_ns, s.length_ns);
        assert_eq!(trees.len(), 1);
        assert_eq!(span(&trees[0]), ("server/http".to_string(), 10, 30));
        assert_eq!(trees[0].caused.len(), 1);
        assert_eq!(
            span(&trees[0].caused[0]),
            ("server/sdk".to_string(), 20, 20)
        );
    }
}
