//! `-regions`: regiongraph's regions as slices on lanes under their
//! goroutines' tracks (each named exactly by its kind), and the links of
//! each cause tree as flows from a region to the regions it caused. The
//! region analysis reads the trace in its own passes first; its regions
//! become begin and end marks, sorted by time, merged into the main pass.

use crate::convert::{Converter, NO_STACK, ts};
use crate::error::{Error, Result};
use crate::ids::{Track, flow};
use perfetto::{Arg, Details};
use regions::Analysis;
use regions::event::NONE;
use rustc_hash::{FxHashMap, FxHashSet};
use std::io::Write;

/// Which cause trees to show (all by default).
#[derive(Debug, Clone, Default)]
pub struct Select {
    /// Only trees whose root is of one of these kinds (a region kind, or
    /// the root function of a goroutine woken by no region).
    pub kinds: Vec<String>,
    /// Only trees whose root region lasts at least this long (ns).
    pub min_length: i64,
}

/// A region to draw.
#[derive(Debug, Clone)]
struct Slice {
    g: i64,
    begin: i64,
    end: i64,
    kind: u32,
    events: usize,
    flows: Vec<u64>,
    ends: Vec<u64>,
}

#[derive(Debug, Clone, Copy)]
enum What {
    Begin(usize),
    End,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    at: i64,
    g: i64,
    lane: u8,
    what: What,
}

/// The region marks of one input, in time order, and how far they have
/// been written.
#[derive(Debug, Default)]
pub struct Marks {
    kinds: Vec<String>,
    slices: Vec<Slice>,
    marks: Vec<Mark>,
    next: usize,
}

/// The most lanes a goroutine's regions are spread over (a lane number
/// is a byte of the track's uuid); a region that would need more is left
/// out (it would overlap 256 others of its goroutine).
const MAX_LANES: usize = 256;

impl Marks {
    /// No regions.
    pub(crate) fn none() -> Marks {
        Marks::default()
    }

    /// The regions of `a` in the trees `sel` selects, of goroutines `shows`
    /// accepts, clipped to `from..=to`; `base` is the time region times
    /// count from; flow ids are made for input `input`.
    pub(crate) fn new(
        a: &Analysis,
        sel: &Select,
        base: i64,
        window: (i64, i64),
        shows: impl Fn(i64) -> bool,
        input: u32,
    ) -> Marks {
        let t = &a.tracked;
        let ch = &a.chains;
        let kinds: Vec<String> = a.patterns.iter().map(|p| p.kind.clone()).collect();
        // The trees selected: by root node, then each node's root.
        let filtering = !sel.kinds.is_empty() || sel.min_length > 0;
        let mut keep: Option<FxHashSet<u32>> = None;
        if filtering {
            let mut root_of: Vec<u32> = vec![NONE; ch.nodes.len()];
            let mut keep_regions = FxHashSet::default();
            for i in 0..ch.nodes.len() {
                let mut at = i as u32;
                while ch.node(at).parent != NONE {
                    if root_of[at as usize] != NONE {
                        break;
                    }
                    at = ch.node(at).parent;
                }
                let root = if root_of[at as usize] != NONE {
                    root_of[at as usize]
                } else {
                    at
                };
                root_of[i] = root;
                let rn = ch.node(root);
                let (kind, length) = match rn.local {
                    NONE => (t.root_func(rn.g).to_owned(), 0),
                    r => {
                        let reg = &t.regions[r as usize];
                        (
                            kinds[reg.pattern as usize].clone(),
                            reg.last.ts - reg.first.ts,
                        )
                    }
                };
                let kind_ok = sel.kinds.is_empty() || sel.kinds.contains(&kind);
                if kind_ok && length >= sel.min_length && ch.node(i as u32).local != NONE {
                    keep_regions.insert(ch.node(i as u32).local);
                }
            }
            keep = Some(keep_regions);
        }
        let mut slices = Vec::new();
        let mut slice_of: FxHashMap<u32, usize> = FxHashMap::default();
        for (ri, r) in t.regions.iter().enumerate() {
            let g = t.goroutines[r.gi as usize];
            if keep.as_ref().is_some_and(|k| !k.contains(&(ri as u32))) || !shows(g) {
                continue;
            }
            let (b, e) = (r.first.ts + base, r.last.ts + base);
            if e < window.0 || b > window.1 {
                continue;
            }
            slice_of.insert(ri as u32, slices.len());
            slices.push(Slice {
                g,
                begin: b.max(window.0),
                end: e.min(window.1),
                kind: r.pattern,
                events: r.len(),
                flows: Vec::new(),
                ends: Vec::new(),
            });
        }
        // Tree links between regions: each region node to its nearest
        // region ancestor.
        let mut seen = FxHashSet::default();
        for n in &ch.nodes {
            if n.local == NONE {
                continue;
            }
            let mut at = n.parent;
            while at != NONE && ch.node(at).local == NONE {
                at = ch.node(at).parent;
            }
            if at == NONE {
                continue;
            }
            let (Some(&from), Some(&to)) =
                (slice_of.get(&ch.node(at).local), slice_of.get(&n.local))
            else {
                continue;
            };
            if from == to || slices[from].begin >= slices[to].begin || !seen.insert((from, to)) {
                continue;
            }
            let id = flow(input, seen.len() as u64, 1);
            slices[from].flows.push(id);
            slices[to].ends.push(id);
        }
        let marks = lay_out(&slices);
        Marks {
            kinds,
            slices,
            marks,
            next: 0,
        }
    }

    /// Number of region slices.
    pub(crate) fn len(&self) -> usize {
        self.slices.len()
    }

    /// Writes the marks up to time `at`.
    pub(crate) fn emit_until<W: Write>(
        &mut self,
        conv: &mut Converter<'_, W>,
        at: i64,
    ) -> Result<()> {
        while let Some(m) = self.marks.get(self.next).copied() {
            if m.at > at {
                break;
            }
            self.next += 1;
            let track = Track::Requests(m.g, m.lane);
            conv.ensure(track);
            let uuid = conv.uuid(track);
            let tl = conv.timeline();
            match m.what {
                What::End => tl.end(ts(m.at), uuid).map_err(Error::Write)?,
                What::Begin(i) => {
                    let s = &self.slices[i];
                    let args = [
                        Arg::int("goroutine", s.g),
                        Arg::uint("events", s.events as u64),
                        Arg::int("duration (ns)", s.end - s.begin),
                    ];
                    let d = Details {
                        args: &args,
                        flows: &s.flows,
                        terminating_flows: &s.ends,
                    };
                    let name = std::rc::Rc::from(self.kinds[s.kind as usize].as_str());
                    tl.begin(ts(m.at), uuid, &name, &d, NO_STACK)
                        .map_err(Error::Write)?
                }
            }
        }
        Ok(())
    }
}

/// Puts each goroutine's slices on lanes where they nest, and returns the
/// begin and end marks in time order (on each lane, properly nested).
fn lay_out(slices: &[Slice]) -> Vec<Mark> {
    let mut by_g: FxHashMap<i64, Vec<usize>> = FxHashMap::default();
    for (i, s) in slices.iter().enumerate() {
        by_g.entry(s.g).or_default().push(i);
    }
    let mut marks = Vec::with_capacity(slices.len() * 2);
    let mut gs: Vec<i64> = by_g.keys().copied().collect();
    gs.sort_unstable();
    for g in gs {
        let mut list = by_g.remove(&g).unwrap_or_default();
        list.sort_by_key(|&i| (slices[i].begin, std::cmp::Reverse(slices[i].end), i));
        // Per lane: the open slices, outermost first.
        let mut lanes: Vec<Vec<usize>> = Vec::new();
        for i in list {
            let s = &slices[i];
            // Open slices that end by its begin close; the innermost one
            // left must contain it.
            let fits = |open: &Vec<usize>| {
                for &o in open.iter().rev() {
                    if contains(&slices[o], s) {
                        return true;
                    }
                    if slices[o].end > s.begin {
                        return false;
                    }
                }
                true
            };
            let lane = match lanes.iter().position(fits) {
                Some(l) => l,
                None if lanes.len() < MAX_LANES => {
                    lanes.push(Vec::new());
                    lanes.len() - 1
                }
                None => continue,
            };
            let open = &mut lanes[lane];
            while let Some(&o) = open.last() {
                if contains(&slices[o], s) {
                    break;
                }
                open.pop();
                marks.push(Mark {
                    at: slices[o].end,
                    g,
                    lane: lane as u8,
                    what: What::End,
                });
            }
            marks.push(Mark {
                at: s.begin,
                g,
                lane: lane as u8,
                what: What::Begin(i),
            });
            open.push(i);
        }
        for (lane, open) in lanes.into_iter().enumerate() {
            for o in open.into_iter().rev() {
                marks.push(Mark {
                    at: slices[o].end,
                    g,
                    lane: lane as u8,
                    what: What::End,
                });
            }
        }
    }
    // Stable: each lane's marks keep their order among equal times.
    marks.sort_by_key(|m| m.at);
    marks
}

fn contains(outer: &Slice, inner: &Slice) -> bool {
    outer.begin <= inner.begin && inner.end <= outer.end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(g: i64, begin: i64, end: i64) -> Slice {
        Slice {
            g,
            begin,
            end,
            kind: 0,
            events: 2,
            flows: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Replays the marks lane by lane: every end closes an open slice,
    /// times never go back, nothing is left open; returns the lanes used.
    fn replay(marks: &[Mark]) -> usize {
        let mut open: FxHashMap<(i64, u8), Vec<usize>> = FxHashMap::default();
        let mut last = i64::MIN;
        for m in marks {
            assert!(m.at >= last);
            last = m.at;
            let lane = open.entry((m.g, m.lane)).or_default();
            match m.what {
                What::Begin(i) => lane.push(i),
                What::End => assert!(lane.pop().is_some(), "{marks:?}"),
            }
        }
        assert!(open.values().all(Vec::is_empty));
        open.len()
    }

    #[test]
    fn nested_on_one_lane_overlapping_on_two() {
        // Nested, back to back, zero length: one lane.
        let s = [
            slice(1, 0, 10),
            slice(1, 2, 5),
            slice(1, 5, 5),
            slice(1, 5, 10),
        ];
        let m = lay_out(&s);
        assert_eq!(m.len(), 8);
        assert_eq!(replay(&m), 1);
        // Overlapping without nesting: a second lane; another goroutine:
        // its own.
        let s = [slice(1, 0, 10), slice(1, 5, 15), slice(2, 5, 15)];
        let m = lay_out(&s);
        assert_eq!(replay(&m), 3);
        assert!(m.iter().any(|m| m.g == 1 && m.lane == 1));
    }
}
