//! Spans: each chain node's span (one goroutine's contribution to one
//! reason, with its timeline of runs, assists and waits), recorded as the
//! connector walks the events, and the trees they form.
//!
//! A node's span starts at the node's start event and goes on through the
//! goroutine's following events while the chain in force contains the
//! node, plus the first one where it does not.

use crate::connect::{Chains, Node};
use crate::did::{Did, Why};
use crate::event::{At, Ev, NONE};
use crate::patterns::Pattern;
use crate::track::Tracked;
use rustc_hash::FxHashMap;
use std::collections::HashMap;

/// One goroutine's contribution to a unit of work (upstream's
/// `cluster.Span`). Times are nanoseconds; the lists are relative to
/// `start_ns`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Span {
    /// The goroutine.
    pub g: i64,
    /// The region kind, or for work done on behalf of a waker, the
    /// goroutine's root function.
    pub kind: String,
    /// Start, in nanoseconds since the trace's first event.
    pub start_ns: i64,
    /// Duration.
    pub length_ns: i64,
    /// When the goroutine started running.
    pub start_run: Vec<i64>,
    /// When it started non-application work on CPU, by reason ("gc").
    pub start_assist: Reasons,
    /// When it started waiting, by reason ("net", "cpu", ...); a negative
    /// first "cpu" entry is the wait to be scheduled before the span began.
    pub start_wait: Reasons,
    /// The spans this one caused.
    pub caused: Caused,
}

/// The spans a span caused. Trees can be as deep as the trace's chains, so
/// nothing here recurses: dropping, cloning, comparing and printing a tree
/// walk it with explicit stacks (as [`Span::walk`] does).
#[derive(Default, Eq)]
pub struct Caused(pub Vec<Span>);

impl std::ops::Deref for Caused {
    type Target = Vec<Span>;

    fn deref(&self) -> &Vec<Span> {
        &self.0
    }
}

impl std::ops::DerefMut for Caused {
    fn deref_mut(&mut self) -> &mut Vec<Span> {
        &mut self.0
    }
}

impl From<Vec<Span>> for Caused {
    fn from(spans: Vec<Span>) -> Caused {
        Caused(spans)
    }
}

impl Drop for Caused {
    fn drop(&mut self) {
        let mut stack = std::mem::take(&mut self.0);
        while let Some(mut s) = stack.pop() {
            stack.append(&mut s.caused.0);
        }
    }
}

impl Clone for Caused {
    fn clone(&self) -> Caused {
        // Each span copied without its children, then put back together
        // in post-order.
        let bare = |s: &Span| Span {
            caused: Caused::default(),
            start_run: s.start_run.clone(),
            start_assist: s.start_assist.clone(),
            start_wait: s.start_wait.clone(),
            kind: s.kind.clone(),
            ..*s
        };
        let mut out: Vec<Span> = Vec::with_capacity(self.0.len());
        // (the copy being filled, the originals left to copy)
        let mut stack: Vec<(Span, std::slice::Iter<'_, Span>)> = Vec::new();
        let mut top = self.0.iter();
        loop {
            let next = match stack.last_mut() {
                Some((_, kids)) => kids.next(),
                None => top.next(),
            };
            match next {
                Some(s) => stack.push((bare(s), s.caused.iter())),
                None => match stack.pop() {
                    Some((done, _)) => match stack.last_mut() {
                        Some((parent, _)) => parent.caused.push(done),
                        None => out.push(done),
                    },
                    None => return Caused(out),
                },
            }
        }
    }
}

impl PartialEq for Caused {
    fn eq(&self, other: &Caused) -> bool {
        let mut stack = vec![(&self.0[..], &other.0[..])];
        while let Some((a, b)) = stack.pop() {
            if a.len() != b.len() {
                return false;
            }
            for (x, y) in a.iter().zip(b) {
                let same = x.g == y.g
                    && x.kind == y.kind
                    && x.start_ns == y.start_ns
                    && x.length_ns == y.length_ns
                    && x.start_run == y.start_run
                    && x.start_assist == y.start_assist
                    && x.start_wait == y.start_wait;
                if !same {
                    return false;
                }
                stack.push((&x.caused.0[..], &y.caused.0[..]));
            }
        }
        true
    }
}

impl std::fmt::Debug for Caused {
    /// The spans in pre-order, each led by its depth below this list.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut list = f.debug_list();
        for s in &self.0 {
            for (depth, d) in s.walk() {
                list.entry(&format_args!(
                    "{depth}: g={} {:?} @{}+{} run={:?} assist={:?} wait={:?}",
                    d.g, d.kind, d.start_ns, d.length_ns, d.start_run, d.start_assist, d.start_wait
                ));
            }
        }
        list.finish()
    }
}

/// Time lists by reason, in the order of the reasons' names: a small
/// sorted map (a span has a few reasons at most).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reasons(Vec<(String, Vec<i64>)>);

impl Reasons {
    /// The list of `reason`, if any.
    pub fn get(&self, reason: &str) -> Option<&Vec<i64>> {
        self.find(reason).ok().map(|i| &self.0[i].1)
    }

    /// The list of `reason`, made empty if there was none.
    pub fn list(&mut self, reason: &str) -> &mut Vec<i64> {
        let i = match self.find(reason) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (reason.to_string(), Vec::new()));
                i
            }
        };
        &mut self.0[i].1
    }

    /// The reasons and their lists, by reason.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<i64>)> {
        self.0.iter().map(|(r, l)| (r, l))
    }

    /// Whether there are no reasons.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn find(&self, reason: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(r, _)| r.as_str().cmp(reason))
    }
}

impl FromIterator<(String, Vec<i64>)> for Reasons {
    fn from_iter<I: IntoIterator<Item = (String, Vec<i64>)>>(iter: I) -> Reasons {
        let mut out = Reasons::default();
        for (reason, list) in iter {
            *out.list(&reason) = list;
        }
        out
    }
}

impl<const N: usize> From<[(String, Vec<i64>); N]> for Reasons {
    fn from(pairs: [(String, Vec<i64>); N]) -> Reasons {
        pairs.into_iter().collect()
    }
}

impl std::ops::Index<&str> for Reasons {
    type Output = Vec<i64>;

    fn index(&self, reason: &str) -> &Vec<i64> {
        self.get(reason).expect("no such reason")
    }
}

impl<'a> IntoIterator for &'a Reasons {
    type Item = (&'a String, &'a Vec<i64>);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Vec<i64>)>,
        fn(&'a (String, Vec<i64>)) -> (&'a String, &'a Vec<i64>),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(r, l)| (r, l))
    }
}

impl Span {
    /// Calls `f` on this span and its descendants, in pre-order.
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Span)) {
        self.walk().for_each(|(_, s)| f(s));
    }

    /// This span and its descendants in pre-order, each with its depth
    /// below this one (0 for this one); an explicit stack, however deep.
    pub fn walk(&self) -> Walk<'_> {
        Walk {
            first: Some(self),
            stack: Vec::new(),
        }
    }
}

/// The iterator of [`Span::walk`].
#[derive(Debug)]
pub struct Walk<'a> {
    first: Option<&'a Span>,
    /// The children left to visit, per level.
    stack: Vec<std::slice::Iter<'a, Span>>,
}

impl<'a> Iterator for Walk<'a> {
    type Item = (usize, &'a Span);

    fn next(&mut self) -> Option<(usize, &'a Span)> {
        if let Some(s) = self.first.take() {
            self.stack.push(s.caused.iter());
            return Some((0, s));
        }
        loop {
            let kids = self.stack.last_mut()?;
            match kids.next() {
                Some(s) => {
                    let depth = self.stack.len();
                    self.stack.push(s.caused.iter());
                    return Some((depth, s));
                }
                None => {
                    self.stack.pop();
                }
            }
        }
    }
}

/// What a timeline entry starts: a run, an assist or a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Run,
    Assist(Why),
    Wait(Why),
}

/// A timeline entry: what starts, when.
type Entry = (Mark, i64);

/// A finished span; its timeline is `entries[first..first + len]` of
/// [`Recorder`]'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Finished {
    g: i64,
    start_ns: i64,
    length_ns: i64,
    first: u32,
    len: u32,
}

/// A span being recorded.
#[derive(Debug)]
struct Building {
    node: u32,
    g: i64,
    start_ns: i64,
    /// The timeline so far.
    marks: Vec<Entry>,
    /// No event yet.
    first: bool,
    /// The last wait started, while the next change is not known: (event
    /// number, time).
    pending: Option<(u32, i64)>,
    /// Time of the last event.
    last_ts: i64,
}

impl Building {
    fn new(n: u32, node: &Node, marks: Vec<Entry>) -> Building {
        Building {
            node: n,
            g: node.g,
            start_ns: node.ts,
            marks,
            first: true,
            pending: None,
            last_ts: node.ts,
        }
    }

    /// Adds the next event. `woken` is the goroutine's last wait and, once
    /// known, when it became runnable.
    fn add(&mut self, at: &At, woken: Option<(u32, Option<i64>)>) {
        self.last_ts = at.ts;
        if !(self.first || at.did.is_change()) {
            return;
        }
        let start = self.start_ns;
        let mut push = |mark, at| self.marks.push((mark, at));
        // A wait that ended before this change: runnable from its wakeup.
        if let Some((idx, ts)) = self.pending.take()
            && let Some((w, Some(woke))) = woken
            && w == idx
            && ts < woke
            && woke < at.ts
        {
            push(Mark::Wait(Why::Cpu), woke - start);
        }
        if self.first
            && at.did == Did::Start
            && let Some(b) = at.back_ts
        {
            let wait = start - b;
            if wait > 0 {
                push(Mark::Wait(Why::Cpu), -wait);
            }
        }
        self.first = false;
        let mark = if let Some(reason) = at.did.assist() {
            Mark::Assist(reason)
        } else if let Some(reason) = at.did.wait() {
            self.pending = Some((at.idx, at.ts));
            Mark::Wait(reason)
        } else {
            Mark::Run
        };
        push(mark, at.ts - start);
    }

    /// The finished span, its timeline moved to the end of `entries`.
    fn finish(&mut self, entries: &mut Vec<Entry>) -> Finished {
        let first = entries.len() as u32;
        entries.append(&mut self.marks);
        Finished {
            g: self.g,
            start_ns: self.start_ns,
            length_ns: self.last_ts - self.start_ns,
            first,
            len: entries.len() as u32 - first,
        }
    }
}

/// Records every node's span during the connector's pass.
#[derive(Debug)]
pub struct Recorder {
    /// By node: its finished span.
    done: Vec<Option<Finished>>,
    /// The finished spans' timelines, one after another.
    entries: Vec<Entry>,
    /// Timeline buffers for new spans (reused, not reallocated).
    spare: Vec<Vec<Entry>>,
    /// Per goroutine: the spans open on it.
    open: Vec<Vec<Building>>,
    /// Per goroutine: its last wait event while spans are open, and when
    /// it was woken, once known.
    last_wait: Vec<Option<(u32, Option<i64>)>>,
    /// Those wait events' goroutines, by event number.
    waits: FxHashMap<u32, u32>,
    /// Scratch: the chain in force.
    chain: Vec<u32>,
}

impl Recorder {
    /// A recorder for `goroutines` goroutines.
    pub fn new(goroutines: usize) -> Recorder {
        Recorder {
            done: Vec::new(),
            entries: Vec::new(),
            spare: Vec::new(),
            open: std::iter::repeat_with(Vec::new).take(goroutines).collect(),
            last_wait: vec![None; goroutines],
            waits: FxHashMap::default(),
            chain: Vec::new(),
        }
    }

    /// Starts node `n`'s span at its start event, the current event of
    /// goroutine `gi`.
    pub fn begin(&mut self, n: u32, gi: u32, node: &Node) {
        let b = self.building(n, node);
        self.open[gi as usize].push(b);
    }

    /// A node whose start event has passed (a region rebuilt in a chain):
    /// no event after its start carries it, so its span is that one event.
    pub fn begin_past(&mut self, n: u32, node: &Node, start: &At) {
        let mut b = self.building(n, node);
        b.add(start, None);
        self.store(b);
    }

    /// A new span for node `n`, in a spare timeline buffer.
    fn building(&mut self, n: u32, node: &Node) -> Building {
        Building::new(n, node, self.spare.pop().unwrap_or_default())
    }

    fn store(&mut self, mut b: Building) {
        let i = b.node as usize;
        if self.done.len() <= i {
            self.done.resize(i + 1, None);
        }
        self.done[i] = Some(b.finish(&mut self.entries));
        self.spare.push(b.marks);
    }

    /// Notes when a goroutine whose wait is being recorded is woken.
    pub fn link(&mut self, ev: &Ev) {
        if let Some(b) = ev.back
            && let Some(gi) = self.waits.remove(&b.idx)
            && let Some((w, woke)) = &mut self.last_wait[gi as usize]
            && *w == b.idx
        {
            *woke = Some(ev.ts);
        }
    }

    /// Adds goroutine `gi`'s event `ev`, with the chain `why` in force, to
    /// its open spans, closing those whose node is not in the chain.
    pub fn observe(&mut self, gi: u32, ev: &Ev, why: u32, nodes: &[Node]) {
        let g = gi as usize;
        if self.open[g].is_empty() {
            return;
        }
        // The spans open on a goroutine are its own nodes', which are at the
        // head of its chain (see `connect`): only the head is looked at.
        self.chain.clear();
        let mut at = why;
        while at != NONE && nodes[at as usize].g == ev.g {
            self.chain.push(at);
            at = nodes[at as usize].parent;
        }
        let at = ev.at(0);
        let mut open = std::mem::take(&mut self.open[g]);
        let mut i = 0;
        while i < open.len() {
            open[i].add(&at, self.last_wait[g]);
            if self.chain.contains(&open[i].node) {
                i += 1;
            } else {
                let b = open.swap_remove(i);
                self.store(b);
            }
        }
        // The goroutine's last wait, for the spans still open.
        let wait = ev.did.wait().is_some() && !open.is_empty();
        if (wait || open.is_empty())
            && let Some((old, _)) = self.last_wait[g].take()
        {
            self.waits.remove(&old);
        }
        if wait {
            self.last_wait[g] = Some((ev.idx, None));
            self.waits.insert(ev.idx, gi);
        }
        self.open[g] = open;
    }

    /// Closes the spans still open at the end of the trace.
    pub fn finish(&mut self) {
        for g in 0..self.open.len() {
            for b in std::mem::take(&mut self.open[g]) {
                self.store(b);
            }
        }
        self.waits.clear();
        self.spare = Vec::new();
        self.entries.shrink_to_fit();
    }

    /// Node `n`'s span (once: it is given away).
    fn take(&mut self, n: u32) -> Span {
        let Some(f) = self.done.get_mut(n as usize).and_then(Option::take) else {
            return Span::default();
        };
        let mut span = Span {
            g: f.g,
            start_ns: f.start_ns,
            length_ns: f.length_ns,
            ..Span::default()
        };
        let range = f.first as usize..(f.first + f.len) as usize;
        for &(mark, at) in &self.entries[range] {
            let (map, r) = match mark {
                Mark::Run => {
                    span.start_run.push(at);
                    continue;
                }
                Mark::Assist(r) => (&mut span.start_assist, r),
                Mark::Wait(r) => (&mut span.start_wait, r),
            };
            map.list(r.name()).push(at);
        }
        span
    }
}

/// The span trees of a trace, built one at a time as iterated.
pub struct Trees {
    chains: Chains,
    spans: Recorder,
    tracked: Tracked,
    /// By pattern, its kind.
    kinds: Vec<String>,
    roots: std::vec::IntoIter<u32>,
    children: HashMap<u32, Vec<u32>>,
}

impl Trees {
    fn kind(&self, node: &Node) -> String {
        let t = &self.tracked;
        if node.local != NONE {
            return self.kinds[t.regions[node.local as usize].pattern as usize].clone();
        }
        t.root_func(node.g).to_string()
    }

    /// Node `n`'s span, without children yet, and its children; its
    /// region, if it is one's, is added to `regions`.
    fn bare(
        &mut self,
        n: u32,
        regions: &mut Option<&mut Vec<u32>>,
    ) -> (Span, std::vec::IntoIter<u32>) {
        let mut span = self.spans.take(n);
        let node = self.chains.node(n);
        if let Some(list) = regions
            && node.local != NONE
        {
            list.push(node.local);
        }
        span.kind = self.kind(node);
        let kids = self.children.remove(&n).unwrap_or_default();
        span.caused.reserve_exact(kids.len());
        (span, kids.into_iter())
    }

    /// The tree under node `root`, put together in post-order; the
    /// regions of its nodes are added to `regions`.
    fn build(&mut self, root: u32, mut regions: Option<&mut Vec<u32>>) -> Span {
        // The ancestors of `cur`, each with its children left to build.
        let mut stack: Vec<(Span, std::vec::IntoIter<u32>)> = Vec::new();
        let mut cur = self.bare(root, &mut regions);
        loop {
            if let Some(c) = cur.1.next() {
                let child = self.bare(c, &mut regions);
                stack.push(std::mem::replace(&mut cur, child));
                continue;
            }
            match stack.pop() {
                Some(mut parent) => {
                    parent.0.caused.push(cur.0);
                    cur = parent;
                }
                None => return cur.0,
            }
        }
    }

    /// The next tree, as [`Iterator::next`] gives it, and the regions
    /// (indices in [`Tracked::regions`]) its spans are of, each once per
    /// span (a region rebuilt on its goroutine's chain has more than one).
    pub fn next_with_regions(&mut self) -> Option<(Span, Vec<u32>)> {
        let root = self.roots.next()?;
        let mut regions = Vec::new();
        let span = self.build(root, Some(&mut regions));
        Some((span, regions))
    }
}

impl Iterator for Trees {
    type Item = Span;

    fn next(&mut self) -> Option<Span> {
        let root = self.roots.next()?;
        Some(self.build(root, None))
    }
}

/// Finds the span trees: the recorded nodes, the roots that have other
/// recorded nodes below them, and each node's nearest ancestor with a
/// different start as its parent. Trees are ordered by start time (ties:
/// by start event, then by node), and so are the spans each one caused.
pub fn trees(chains: Chains, spans: Recorder, tracked: Tracked, patterns: &[Pattern]) -> Trees {
    let ch = &chains;
    let n = ch.nodes.len();
    // A node's parent is made before it: one pass in id order finds each
    // node's root, and its nearest ancestor with a different start.
    let mut root = vec![NONE; n];
    let mut other_start = vec![NONE; n];
    for (i, node) in ch.nodes.iter().enumerate() {
        let p = node.parent;
        if p == NONE {
            root[i] = i as u32;
            continue;
        }
        root[i] = root[p as usize];
        other_start[i] = if ch.node(p).start != node.start {
            p
        } else {
            other_start[p as usize]
        };
    }
    let mut in_tree = vec![false; n];
    for &s in &ch.recorded {
        let r = root[s as usize];
        if r != s {
            in_tree[s as usize] = true;
            in_tree[r as usize] = true;
        }
    }
    drop(root);
    let order = |a: &u32, b: &u32| {
        let (na, nb) = (ch.node(*a), ch.node(*b));
        (na.ts, na.start, *a).cmp(&(nb.ts, nb.start, *b))
    };
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, _) in in_tree.iter().enumerate().filter(|(_, t)| **t) {
        let node = ch.node(i as u32);
        if node.parent == NONE {
            roots.push(i as u32);
            continue;
        }
        let p = other_start[i];
        if p != NONE && in_tree[p as usize] {
            children.entry(p).or_default().push(i as u32);
        }
    }
    for c in children.values_mut() {
        c.sort_by(order);
    }
    roots.sort_by(order);
    Trees {
        kinds: patterns.iter().map(|p| p.kind.clone()).collect(),
        chains,
        spans,
        tracked,
        roots: roots.into_iter(),
        children,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Back;
    use gotrace::legacy::types as t;

    fn ev(idx: u32, ts: i64, g: i64, typ: u8, back: Option<(u32, i64)>) -> Ev {
        Ev {
            idx,
            ts,
            g,
            did: Did::of_old(typ, false),
            stack: 0,
            back: back.map(|(idx, ts)| Back { idx, ts }),
            wakes: None,
        }
    }

    /// A span's timeline: the wait to be scheduled before it began, runs,
    /// waits, the time a wait ended before the goroutine ran again, and
    /// its end at the first event outside the node's chain.
    #[test]
    fn timeline_of_one_span() {
        let node = Node {
            start: 1,
            ts: 100,
            g: 7,
            local: NONE,
            parent: NONE,
        };
        let nodes = [node];
        let mut r = Recorder::new(2);
        let evs = [
            ev(1, 100, 7, t::EV_GO_START, Some((0, 60))),
            ev(2, 130, 7, t::EV_GO_BLOCK_NET, None),
            ev(3, 150, 8, t::EV_GO_UNBLOCK, Some((2, 130))),
            ev(4, 170, 7, t::EV_GO_START, Some((3, 150))),
            ev(5, 180, 7, t::EV_HEAP_ALLOC, None),
            ev(6, 190, 7, t::EV_GO_PREEMPT, None),
            ev(7, 200, 7, t::EV_GO_START, None),
        ];
        r.begin(0, 0, &node);
        for e in &evs {
            r.link(e);
            let gi = (e.g - 7) as u32;
            // The node is in force until event 7.
            let why = if e.idx < 7 { 0 } else { NONE };
            r.observe(gi, e, why, &nodes);
        }
        r.finish();
        let s = r.take(0);
        assert_eq!(s.g, 7);
        assert_eq!((s.start_ns, s.length_ns), (100, 100));
        assert_eq!(s.start_run, [0, 70, 100]);
        assert_eq!(
            s.start_wait,
            [
                ("cpu".to_string(), vec![-40, 50, 90]),
                ("net".to_string(), vec![30])
            ]
            .into()
        );
        assert!(s.start_assist.is_empty());
    }
}
