//! Span extraction: turns the recorded reason chains into trees of spans
//! (one goroutine's contribution to one reason), with each span's
//! timeline of runs, assists and waits.

use crate::connect::Chains;
use crate::patterns::Pattern;
use crate::trace::{NONE, Trace, assist_reason, is_run_start, wait_reason};
use crate::track::Region;
use gotrace::legacy::types as t;
use std::collections::{BTreeMap, HashMap};

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
    pub start_assist: BTreeMap<String, Vec<i64>>,
    /// When it started waiting, by reason ("net", "cpu", ...); a negative
    /// first "cpu" entry is the wait to be scheduled before the span began.
    pub start_wait: BTreeMap<String, Vec<i64>>,
    /// The spans this one caused.
    pub caused: Vec<Span>,
}

impl Span {
    /// Calls `f` on this span and its descendants, in pre-order.
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Span)) {
        f(self);
        for c in &self.caused {
            c.visit(f);
        }
    }
}

/// Everything span extraction needs.
pub struct Inputs<'a> {
    /// The events.
    pub trace: &'a Trace,
    /// The regions found on them.
    pub regions: &'a [Region],
    /// The patterns that found them.
    pub patterns: &'a [Pattern],
    /// The connector's result.
    pub chains: &'a Chains,
}

/// The span trees of a trace: their roots in order and each node's
/// children. Trees are built one at a time, on demand.
pub struct Trees<'a> {
    inp: Inputs<'a>,
    roots: Vec<u32>,
    children: HashMap<u32, Vec<u32>>,
}

impl Trees<'_> {
    /// The trees, ordered by start time (ties: by start event, then by
    /// node).
    pub fn iter(&self) -> impl Iterator<Item = Span> + '_ {
        self.roots.iter().map(|&r| self.build(r))
    }

    fn build(&self, node: u32) -> Span {
        let mut span = span_of(&self.inp, node);
        if let Some(kids) = self.children.get(&node) {
            span.caused = kids.iter().map(|&c| self.build(c)).collect();
        }
        span
    }
}

/// Finds the span trees: the recorded nodes, the roots that have other
/// recorded nodes below them, and each node's nearest ancestor with a
/// different start as its parent.
pub fn trees(inp: Inputs<'_>) -> Trees<'_> {
    let ch = inp.chains;
    let n = ch.nodes.len();
    let recorded = ch.recorded();
    let mut root = vec![NONE; n];
    let mut in_tree = vec![false; n];
    for &s in &recorded {
        let mut r = s;
        while ch.node(r).parent != NONE {
            if root[r as usize] != NONE {
                r = root[r as usize];
                break;
            }
            r = ch.node(r).parent;
        }
        root[s as usize] = r;
        if r != s {
            in_tree[s as usize] = true;
            in_tree[r as usize] = true;
        }
    }
    drop(root);
    let order = |a: &u32, b: &u32| {
        let (na, nb) = (ch.node(*a), ch.node(*b));
        let ts = |n: &crate::connect::Node| inp.trace.ev(n.start).ts;
        (ts(na), na.start, *a).cmp(&(ts(nb), nb.start, *b))
    };
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, _) in in_tree.iter().enumerate().filter(|(_, t)| **t) {
        let node = ch.node(i as u32);
        if node.parent == NONE {
            roots.push(i as u32);
            continue;
        }
        let parent = ch
            .ancestry(node.parent)
            .find(|&a| ch.node(a).start != node.start);
        if let Some(p) = parent.filter(|&p| in_tree[p as usize]) {
            children.entry(p).or_default().push(i as u32);
        }
    }
    for c in children.values_mut() {
        c.sort_by(order);
    }
    roots.sort_by(order);
    Trees {
        inp,
        roots,
        children,
    }
}

/// The span of one node, without children.
fn span_of(inp: &Inputs<'_>, node: u32) -> Span {
    let (tr, ch) = (inp.trace, inp.chains);
    let nd = *ch.node(node);
    let start = *tr.ev(nd.start);
    let gi = tr.gindex[nd.start as usize];
    let kind = if nd.local != NONE {
        let r = &inp.regions[nd.local as usize];
        inp.patterns[r.pattern as usize].kind.clone()
    } else {
        tr.root_func(gi).to_string()
    };
    let mut span = Span {
        g: start.g,
        kind,
        start_ns: start.ts,
        ..Span::default()
    };
    // The span's events: its start, the following events that carry the
    // node, and one more.
    let list = &tr.lists[gi as usize];
    let mut evs: Vec<u32> = Vec::new();
    for &e in &list[start.pos as usize..] {
        evs.push(e);
        if !ch.ancestry(ch.record[e as usize]).any(|a| a == node) {
            break;
        }
    }
    let changes: Vec<u32> = evs
        .iter()
        .enumerate()
        .filter(|&(i, &e)| {
            let typ = tr.ev(e).typ;
            i == 0
                || is_run_start(typ)
                || assist_reason(typ).is_some()
                || wait_reason(typ).is_some()
        })
        .map(|(_, &e)| e)
        .collect();
    let rel = |ts: i64| ts - span.start_ns;
    for (i, &c) in changes.iter().enumerate() {
        let ev = tr.ev(c);
        if i == 0 && ev.typ == t::EV_GO_START {
            let b = tr.backlinks[c as usize];
            if b != NONE {
                let wait = span.start_ns - tr.ev(b).ts;
                if wait > 0 {
                    span.start_wait.entry("cpu".into()).or_default().push(-wait);
                }
            }
        }
        if let Some(reason) = assist_reason(ev.typ) {
            span.start_assist
                .entry(reason.into())
                .or_default()
                .push(rel(ev.ts));
        } else if let Some(reason) = wait_reason(ev.typ) {
            span.start_wait
                .entry(reason.into())
                .or_default()
                .push(rel(ev.ts));
            if let (Some(&next), true) = (changes.get(i + 1), ev.link != NONE) {
                let woke = tr.ev(ev.link).ts;
                if ev.ts < woke && woke < tr.ev(next).ts {
                    span.start_wait
                        .entry("cpu".into())
                        .or_default()
                        .push(rel(woke));
                }
            }
        } else {
            span.start_run.push(rel(ev.ts));
        }
    }
    let last = *evs.last().expect("a span has its start event");
    span.length_ns = tr.ev(last).ts - span.start_ns;
    span
}
