//! `-regions`: regiongraph's regions as slices on lanes under their
//! goroutines' tracks (each named exactly by its kind), the links of each
//! cause tree as flows from a region to the regions it caused, and each
//! tree's critical path on lanes under its root's goroutine (a slice for
//! the tree, holding a slice per segment, named by its state). The region
//! analysis reads the trace in its own passes first; trees are chosen by
//! regiongraph's own [`Select`]; regions and paths become begin and end
//! marks, sorted by time, merged into the main pass.

use crate::convert::{Converter, NO_STACK, ts};
use crate::error::{Error, Result};
use crate::ids::{Track, flow};
use perfetto::{Arg, Details};
use regions::Analysis;
use regions::critical::CriticalPath;
use regions::event::NONE;
use regions::output::Select;
use rustc_hash::{FxHashMap, FxHashSet};
use std::io::Write;

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
    /// A region slice begins.
    Region(usize),
    /// A tree's critical path begins.
    Path(usize),
    /// Segment `.1` of path `.0` begins.
    Segment(usize, usize),
    /// The innermost open slice of the track ends.
    End,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    at: i64,
    track: Track,
    what: What,
}

/// The region and critical path marks of one input, in time order, and
/// how far they have been written.
#[derive(Debug, Default)]
pub struct Marks {
    kinds: Vec<String>,
    slices: Vec<Slice>,
    /// Critical paths, on the trace's clock.
    paths: Vec<CriticalPath>,
    marks: Vec<Mark>,
    next: usize,
}

/// The most lanes a goroutine's regions (or critical paths) are spread
/// over (a lane number is a byte of the track's uuid); one that would need
/// more is left out (it would overlap 256 others of its goroutine).
const MAX_LANES: usize = 256;

impl Marks {
    /// No regions.
    pub(crate) fn none() -> Marks {
        Marks::default()
    }

    /// The regions of `a` in the trees `sel` keeps (every region when it
    /// keeps every tree, also those in no tree), and the critical paths of
    /// those trees (when `a` was run with [`Analysis::run_critical`]), of
    /// goroutines `shows` accepts, clipped to `from..=to`; `base` is the
    /// time region times count from; flow ids are made for input `input`.
    pub(crate) fn new(
        a: Analysis,
        sel: &Select,
        base: i64,
        window: (i64, i64),
        shows: impl Fn(i64) -> bool,
        input: u32,
    ) -> Marks {
        let kinds: Vec<String> = a.patterns.iter().map(|p| p.kind.clone()).collect();
        // Every region that could be drawn, by region index.
        let mut all: FxHashMap<u32, Slice> = FxHashMap::default();
        for (ri, r) in a.tracked.regions.iter().enumerate() {
            let g = a.tracked.goroutines[r.gi as usize];
            let (b, e) = (r.first.ts + base, r.last.ts + base);
            if !shows(g) || e < window.0 || b > window.1 {
                continue;
            }
            all.insert(
                ri as u32,
                Slice {
                    g,
                    begin: b.max(window.0),
                    end: e.min(window.1),
                    kind: r.pattern,
                    events: r.len(),
                    flows: Vec::new(),
                    ends: Vec::new(),
                },
            );
        }
        // Tree links between regions: each region node to its nearest
        // region ancestor.
        let ch = &a.chains;
        let mut links: Vec<(u32, u32)> = Vec::new();
        for n in &ch.nodes {
            if n.local == NONE {
                continue;
            }
            let mut at = n.parent;
            while at != NONE && ch.node(at).local == NONE {
                at = ch.node(at).parent;
            }
            if at != NONE {
                links.push((ch.node(at).local, n.local));
            }
        }
        // The trees regiongraph's -kind and -min-length keep: their
        // regions, and their critical paths.
        let every = *sel == Select::default();
        let mut kept: FxHashSet<u32> = FxHashSet::default();
        let mut paths = Vec::new();
        let (mut trees, mut finder) = a.into_trees_and_paths();
        while let Some((span, regions)) = trees.next_with_regions() {
            if !sel.keeps(&span) {
                continue;
            }
            if !every {
                kept.extend(regions);
            }
            let (b, e) = (span.start_ns + base, span.start_ns + span.length_ns + base);
            if let Some(f) = &mut finder
                && shows(span.g)
                && e >= window.0
                && b <= window.1
            {
                let mut p = f.of(&span);
                p.root.start_ns += base;
                for s in &mut p.segments {
                    s.start_ns += base;
                }
                paths.push(p);
            }
        }
        // In region index order, as regiongraph -show-regions.
        let mut order: Vec<u32> = all
            .keys()
            .copied()
            .filter(|r| every || kept.contains(r))
            .collect();
        order.sort_unstable();
        let mut slice_of: FxHashMap<u32, usize> = FxHashMap::default();
        let mut slices = Vec::with_capacity(order.len());
        for r in order {
            if let Some(s) = all.remove(&r) {
                slice_of.insert(r, slices.len());
                slices.push(s);
            }
        }
        let mut seen = FxHashSet::default();
        for (a, b) in links {
            let (Some(&from), Some(&to)) = (slice_of.get(&a), slice_of.get(&b)) else {
                continue;
            };
            if from == to || slices[from].begin >= slices[to].begin || !seen.insert((from, to)) {
                continue;
            }
            let id = flow(input, seen.len() as u64, 1);
            slices[from].flows.push(id);
            slices[to].ends.push(id);
        }
        let mut marks = lay_out(&slices);
        marks.extend(lay_out_paths(&paths, window));
        // Stable: each track's marks keep their order among equal times.
        marks.sort_by_key(|m| m.at);
        Marks {
            kinds,
            slices,
            paths,
            marks,
            next: 0,
        }
    }

    /// Number of region slices.
    pub(crate) fn len(&self) -> usize {
        self.slices.len()
    }

    /// Number of critical paths.
    pub(crate) fn paths(&self) -> usize {
        self.paths.len()
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
            conv.ensure(m.track);
            let uuid = conv.uuid(m.track);
            let (name, args, flows, ends) = match m.what {
                What::End => {
                    conv.timeline().end(ts(m.at), uuid).map_err(Error::Write)?;
                    continue;
                }
                What::Region(i) => {
                    let s = &self.slices[i];
                    // The goroutine is in the track's name.
                    let args = vec![Arg::uint("events", s.events as u64)];
                    let name = conv.name(&self.kinds[s.kind as usize]);
                    (name, args, &s.flows[..], &s.ends[..])
                }
                What::Path(p) => {
                    let r = &self.paths[p].root;
                    let name = conv.name(&format!("critical path of {}", r.kind));
                    (name, Vec::new(), &[][..], &[][..])
                }
                What::Segment(p, i) => {
                    let s = &self.paths[p].segments[i];
                    let name = conv.name(&s.label());
                    let mut args = vec![Arg::int("goroutine", s.g)];
                    if let Some(f) = s.func() {
                        args.push(Arg::str("function", f));
                    }
                    (name, args, &[][..], &[][..])
                }
            };
            let d = Details {
                args: &args,
                flows,
                terminating_flows: ends,
            };
            conv.timeline()
                .begin(ts(m.at), uuid, &name, &d, NO_STACK)
                .map_err(Error::Write)?;
        }
        Ok(())
    }
}

/// Puts the critical paths on lanes under their roots' goroutines (paths
/// whose roots overlap on different lanes) and returns their marks: on
/// each lane, the tree's slice holding its segments in time order, clipped
/// to the window.
fn lay_out_paths(paths: &[CriticalPath], window: (i64, i64)) -> Vec<Mark> {
    let clip = |b: i64, e: i64| (b.max(window.0), e.min(window.1));
    let mut order: Vec<usize> = (0..paths.len()).collect();
    order.sort_by_key(|&i| {
        let r = &paths[i].root;
        (r.g, r.start_ns, r.length_ns, i)
    });
    let mut marks = Vec::new();
    // Per goroutine, the end of each lane's last path.
    let mut lanes: FxHashMap<i64, Vec<i64>> = FxHashMap::default();
    for i in order {
        let r = &paths[i].root;
        let (b, e) = clip(r.start_ns, r.start_ns + r.length_ns);
        let ends = lanes.entry(r.g).or_default();
        let lane = match ends.iter().position(|&end| end <= b) {
            Some(l) => l,
            None if ends.len() < MAX_LANES => {
                ends.push(i64::MIN);
                ends.len() - 1
            }
            None => continue,
        };
        ends[lane] = e;
        let track = Track::Critical(r.g, lane as u8);
        marks.push(Mark {
            at: b,
            track,
            what: What::Path(i),
        });
        for (j, s) in paths[i].segments.iter().enumerate() {
            let (sb, se) = clip(s.start_ns, s.start_ns + s.length_ns);
            if sb > se {
                continue;
            }
            marks.push(Mark {
                at: sb,
                track,
                what: What::Segment(i, j),
            });
            marks.push(Mark {
                at: se,
                track,
                what: What::End,
            });
        }
        marks.push(Mark {
            at: e,
            track,
            what: What::End,
        });
    }
    marks
}

/// Puts each goroutine's slices on lanes where they nest, and returns the
/// begin and end marks, each lane's in time order and properly nested.
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
                    track: Track::Requests(g, lane as u8),
                    what: What::End,
                });
            }
            marks.push(Mark {
                at: s.begin,
                track: Track::Requests(g, lane as u8),
                what: What::Region(i),
            });
            open.push(i);
        }
        for (lane, open) in lanes.into_iter().enumerate() {
            for o in open.into_iter().rev() {
                marks.push(Mark {
                    at: slices[o].end,
                    track: Track::Requests(g, lane as u8),
                    what: What::End,
                });
            }
        }
    }
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
        let mut open: FxHashMap<Track, Vec<usize>> = FxHashMap::default();
        let mut last: FxHashMap<Track, i64> = FxHashMap::default();
        for m in marks {
            let l = last.entry(m.track).or_insert(i64::MIN);
            assert!(m.at >= *l);
            *l = m.at;
            let lane = open.entry(m.track).or_default();
            match m.what {
                What::Region(i) | What::Path(i) | What::Segment(_, i) => lane.push(i),
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
        assert!(m.iter().any(|m| m.track == Track::Requests(1, 1)));
    }

    /// A path from `start`, one segment per length, rooted on `g`.
    fn path(g: i64, start: i64, lengths: &[i64]) -> CriticalPath {
        use regions::critical::{Root, Segment, State};
        let mut at = start;
        let segments = lengths
            .iter()
            .map(|&l| {
                at += l;
                Segment {
                    g: g + 100,
                    state: State::Running,
                    reason: None,
                    start_ns: at - l,
                    length_ns: l,
                    stack: Vec::new().into(),
                }
            })
            .collect();
        CriticalPath {
            root: Root {
                g,
                kind: "k".into(),
                start_ns: start,
                length_ns: lengths.iter().sum(),
            },
            segments,
        }
    }

    #[test]
    fn paths_on_lanes_of_their_roots() {
        // Two overlapping on goroutine 1, one after them on its first
        // lane, one on goroutine 2.
        let p = [
            path(1, 0, &[5, 5]),
            path(1, 3, &[4]),
            path(1, 10, &[1, 2, 3]),
            path(2, 0, &[7]),
        ];
        let m = lay_out_paths(&p, (i64::MIN, i64::MAX));
        // Each path: its slice and its segments', begun and ended.
        assert_eq!(m.len(), 2 * (4 + 7));
        assert_eq!(replay(&m), 3);
        let lane = |i: usize| {
            m.iter()
                .find(|m| matches!(m.what, What::Path(j) if j == i))
                .map(|m| m.track)
        };
        assert_eq!(lane(0), Some(Track::Critical(1, 0)));
        assert_eq!(lane(1), Some(Track::Critical(1, 1)));
        assert_eq!(lane(2), Some(Track::Critical(1, 0)));
        assert_eq!(lane(3), Some(Track::Critical(2, 0)));
        // Clipped to a window: segments outside it left out.
        let m = lay_out_paths(&p[..1], (6, 20));
        assert_eq!(m.len(), 4);
        assert!(m.iter().all(|m| (6..=10).contains(&m.at)));
        assert_eq!(replay(&m), 1);
    }
}
