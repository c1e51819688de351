//! Finds regions on each goroutine in one pass over the events: the
//! generic tracker state machine (activate / keepalive / critical /
//! reactivate / single-event / flush-at-end) run per goroutine as its
//! events arrive, and afterwards the "negative space" regions between two
//! other kinds. Only the goroutines' open regions and the regions found are
//! kept.

use crate::cond::Facts;
use crate::error::Result;
use crate::event::{At, Ev, NONE};
use crate::patterns::{Pattern, Rule, Tracker};
use crate::source::{Source, Stacks};
use rustc_hash::FxHashMap;

/// A region: a contiguous run of one goroutine's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Index of its pattern in the pattern list.
    pub pattern: u32,
    /// Index of its goroutine in [`Tracked::goroutines`].
    pub gi: u32,
    /// Its first event.
    pub first: At,
    /// Its last event.
    pub last: At,
}

impl Region {
    /// Number of events.
    pub fn len(&self) -> usize {
        (self.last.pos - self.first.pos) as usize + 1
    }

    /// Always false: a region has at least one event.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// The regions of a trace, and what else the first pass learns.
#[derive(Debug, Default)]
pub struct Tracked {
    /// Goroutine ids in ascending order (goroutine 0 included for Go ≤1.21
    /// traces, where it collects scheduler, GC and poller events).
    pub goroutines: Vec<i64>,
    /// Per goroutine (same order), its root function: the root frame of its
    /// first event with a stack of two or more frames, else of its last
    /// event with a one-frame stack, else "".
    pub root_funcs: Vec<String>,
    /// Every region found: goroutines ascending, then pattern order, then
    /// time.
    pub regions: Vec<Region>,
    /// The times of the trace's first and last events (0 when none).
    pub span: (i64, i64),
}

impl Tracked {
    /// The index of goroutine `g` in [`Tracked::goroutines`].
    pub fn gi(&self, g: i64) -> Option<u32> {
        self.goroutines.binary_search(&g).ok().map(|i| i as u32)
    }

    /// Goroutine `g`'s root function ("" for an unknown goroutine).
    pub fn root_func(&self, g: i64) -> &str {
        self.gi(g).map_or("", |gi| &self.root_funcs[gi as usize])
    }
}

/// A region found by a tracker: its first and last events, and `adv`, the
/// position of the goroutine's first event after `first` with a later
/// time ([`NONE`]: none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// First event.
    pub first: At,
    /// Last event.
    pub last: At,
    /// See above.
    pub adv: u32,
}

/// One tracker's open region on one goroutine.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: At,
    /// Events in the region so far.
    len: u32,
    /// Events up to its last critical one (with `critical`).
    keep: u32,
    keep_at: At,
    adv: u32,
}

impl Run {
    /// The region event `at` opens, if it activates the tracker.
    fn activate(tr: &Tracker, f: &Facts, at: At) -> Option<Run> {
        tr.activate.eval(f).then(|| Run {
            start: at,
            len: 1,
            keep: u32::from(tr.critical.as_ref().is_some_and(|c| c.eval(f))),
            keep_at: at,
            adv: NONE,
        })
    }

    /// Ends the region (before the current event, whose predecessor is
    /// `prev`), keeping it if long enough.
    fn close(&mut self, tr: &Tracker, prev: At, out: &mut Vec<Found>) {
        let (n, last) = match tr.critical {
            None => (self.len, prev),
            Some(_) => (self.keep, self.keep_at),
        };
        if n >= 2 || (tr.allow_single && n >= 1) {
            out.push(Found {
                first: self.start,
                last,
                adv: self.adv,
            });
        }
        self.len = 0;
        self.keep = 0;
    }

    /// Feeds the next event of the goroutine to an open region; false when
    /// the region has ended.
    fn step(&mut self, tr: &Tracker, f: &Facts, at: At, prev: At, out: &mut Vec<Found>) -> bool {
        let critical = |f: &Facts| tr.critical.as_ref().is_some_and(|c| c.eval(f));
        let mut ended = false;
        if !tr.keepalive.eval(f) {
            self.close(tr, prev, out);
            ended = true;
        }
        if tr.reactivate && tr.critical.is_some() && tr.activate.eval(f) {
            self.close(tr, prev, out);
            ended = false;
        }
        if ended {
            return false;
        }
        if self.len == 0 {
            self.start = at;
            self.adv = NONE;
        }
        self.len += 1;
        if critical(f) {
            self.keep = self.len;
            self.keep_at = at;
        }
        true
    }
}

/// One goroutine's tracking state.
#[derive(Debug, Default)]
struct GState {
    /// Its events so far.
    pos: u32,
    prev: Option<At>,
    /// The open regions: (pattern, run).
    open: Vec<(u32, Run)>,
    /// Regions found, as (pattern, region), in the order they closed.
    found: Vec<(u32, Found)>,
    /// Regions in `found` whose `adv` is not known yet.
    pending_adv: Vec<u32>,
    /// The stack naming the root function, and whether it is final.
    root: (u32, bool),
}

impl GState {
    /// Feeds the goroutine's next event to its trackers (`stepped` is
    /// scratch space).
    fn observe(
        &mut self,
        ev: &Ev,
        patterns: &[Pattern],
        matches: impl Fn(usize) -> bool,
        stepped: &mut Vec<u32>,
    ) {
        let at = ev.at(self.pos);
        self.pos += 1;
        if let Some(prev) = self.prev
            && ev.ts > prev.ts
        {
            for i in self.pending_adv.drain(..) {
                self.found[i as usize].1.adv = at.pos;
            }
        }
        let facts = |p: usize| Facts {
            did: ev.did,
            has_stack: ev.stack != 0,
            matches: matches(p),
        };
        let mut out = Vec::new();
        // A tracker whose region ends at this event does not reopen on it.
        stepped.clear();
        let mut i = 0;
        while i < self.open.len() {
            let (p, run) = &mut self.open[i];
            let Rule::Track(tr) = &patterns[*p as usize].rule else {
                unreachable!("only trackers run")
            };
            if run.adv == NONE && ev.ts > run.start.ts {
                run.adv = at.pos;
            }
            let prev = self.prev.expect("an open region has a previous event");
            let alive = run.step(tr, &facts(*p as usize), at, prev, &mut out);
            let p = *p;
            stepped.push(p);
            self.keep(p, &mut out);
            if alive {
                i += 1;
            } else {
                self.open.remove(i);
            }
        }
        for (p, pat) in patterns.iter().enumerate() {
            let Rule::Track(tr) = &pat.rule else {
                continue;
            };
            if stepped.contains(&(p as u32)) {
                continue;
            }
            if let Some(run) = Run::activate(tr, &facts(p), at) {
                self.open.push((p as u32, run));
            }
        }
        self.prev = Some(at);
    }

    /// Files regions just found by pattern `p`.
    fn keep(&mut self, p: u32, out: &mut Vec<Found>) {
        for f in out.drain(..) {
            if f.adv == NONE {
                self.pending_adv.push(self.found.len() as u32);
            }
            self.found.push((p, f));
        }
    }

    /// Closes what is still open at the goroutine's last event, adds the
    /// negative-space regions, and gives all in pattern order.
    fn finish(mut self, patterns: &[Pattern]) -> Vec<(u32, Found)> {
        let mut out = Vec::new();
        for (p, mut run) in std::mem::take(&mut self.open) {
            let Rule::Track(tr) = &patterns[p as usize].rule else {
                continue;
            };
            if tr.flush_at_end {
                let prev = self.prev.expect("an open region has a previous event");
                run.close(tr, prev, &mut out);
                self.keep(p, &mut out);
            }
        }
        let mut by_pattern: Vec<Vec<Found>> = vec![Vec::new(); patterns.len()];
        for (p, f) in self.found {
            by_pattern[p as usize].push(f);
        }
        for (p, pat) in patterns.iter().enumerate() {
            if let Rule::Between { starts, ends } = pat.rule {
                by_pattern[p] = negative_space(&by_pattern[starts], &by_pattern[ends]);
            }
        }
        by_pattern
            .into_iter()
            .enumerate()
            .flat_map(|(p, list)| list.into_iter().map(move |f| (p as u32, f)))
            .collect()
    }
}

/// Regions from the last event of each `starts` region to the first event
/// of the next `ends` region, as upstream's negativeSpace finds them
/// walking a goroutine's events: an `ends` region is passed over once the
/// walk reaches a later time than its first event's (its `adv`), and that
/// cancels the open stretch when the region was still going on then.
pub fn negative_space(starts: &[Found], ends: &[Found]) -> Vec<Found> {
    // The positions where something happens, in order.
    let mut marks: Vec<u32> = starts.iter().map(|s| s.last.pos).collect();
    for e in ends {
        marks.push(e.first.pos);
        if e.adv != NONE {
            marks.push(e.adv);
        }
    }
    marks.sort_unstable();
    marks.dedup();
    let mut out = Vec::new();
    let mut open: Option<At> = None;
    let (mut si, mut ei) = (0, 0);
    for pos in marks {
        if let Some(s) = starts.get(si)
            && s.last.pos == pos
        {
            open = Some(s.last);
            si += 1;
        }
        while let Some(e) = ends.get(ei) {
            if e.adv == pos {
                ei += 1;
                if e.adv <= e.last.pos {
                    open = None;
                }
                continue;
            }
            if e.first.pos == pos
                && let Some(s) = open.take()
            {
                out.push(Found {
                    first: s,
                    last: e.first,
                    adv: NONE,
                });
            }
            break;
        }
    }
    out
}

/// The first pass: every region of the trace, by the patterns' trackers.
pub fn track(src: &Source, patterns: &[Pattern], stacks: &mut Stacks) -> Result<Tracked> {
    let np = patterns.len();
    // matches[stack * np + p]: whether pattern p's stacks match the stack.
    let mut matches: Vec<bool> = Vec::new();
    let mut states: FxHashMap<i64, GState> = FxHashMap::default();
    let mut span: Option<(i64, i64)> = None;
    let mut stepped = Vec::new();
    src.scan(stacks, |ev, stacks| {
        let (lo, hi) = span.get_or_insert((ev.ts, ev.ts));
        *lo = (*lo).min(ev.ts);
        *hi = (*hi).max(ev.ts);
        if ev.g < 0 {
            return;
        }
        let known = matches.len() / np.max(1);
        for s in stacks.all().iter().skip(known) {
            for pat in patterns {
                let m = match &pat.rule {
                    Rule::Track(t) => {
                        let names = || s.0.iter().map(|f| &**f);
                        t.stacks.iter().any(|sp| sp.matches(names()))
                    }
                    Rule::Between { .. } => false,
                };
                matches.push(m);
            }
        }
        let gs = states.entry(ev.g).or_default();
        let frames = stacks.get(ev.stack).0.len();
        if frames > 0 && !gs.root.1 {
            gs.root = (ev.stack, frames >= 2);
        }
        let row = ev.stack as usize * np;
        gs.observe(ev, patterns, |p| matches[row + p], &mut stepped);
    })?;
    let mut ids: Vec<i64> = states.keys().copied().collect();
    ids.sort_unstable();
    let mut tracked = Tracked {
        span: span.unwrap_or_default(),
        ..Tracked::default()
    };
    for (gi, &g) in ids.iter().enumerate() {
        let gs = states.remove(&g).expect("listed above");
        let root = stacks.get(gs.root.0).0.first();
        tracked
            .root_funcs
            .push(root.map_or(String::new(), |r| r.to_string()));
        for (p, f) in gs.finish(patterns) {
            tracked.regions.push(Region {
                pattern: p,
                gi: gi as u32,
                first: f.first,
                last: f.last,
            });
        }
    }
    tracked.goroutines = ids;
    Ok(tracked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cond::Cond;
    use gotrace::legacy::types as t;

    /// An event for tracker tests: 'A' activates (matching stack), 'k' is a
    /// stackless keepalive event, 's' is a GoStart without stack, 'e' a
    /// GoEnd, 'x' has a stack that does not match.
    fn facts(c: u8) -> Facts {
        let (typ, has_stack, matches) = match c {
            b'A' => (t::EV_GO_BLOCK, true, true),
            b'k' => (t::EV_HEAP_ALLOC, false, false),
            b's' => (t::EV_GO_START, false, false),
            b'e' => (t::EV_GO_END, false, false),
            _ => (t::EV_GO_BLOCK, true, false),
        };
        Facts {
            did: crate::did::Did::of_old(typ, false),
            has_stack,
            matches,
        }
    }

    fn tracker(critical: Option<&str>, single: bool, flush: bool) -> Tracker {
        Tracker {
            stacks: Vec::new(),
            activate: Cond::parse("match").unwrap(),
            keepalive: Cond::parse("not stack or match").unwrap(),
            critical: critical.map(|c| Cond::parse(c).unwrap()),
            reactivate: false,
            allow_single: single,
            flush_at_end: flush,
        }
    }

    /// Runs one tracker over events given as letters (see `facts`), as
    /// `GState` does; gives (first, last) positions.
    fn run(tr: &Tracker, evs: &str) -> Vec<(u32, u32)> {
        let at = |i: usize| At {
            pos: i as u32,
            idx: i as u32,
            ts: i as i64,
            did: crate::did::Did::of_old(0, false),
            back_ts: None,
        };
        let mut out = Vec::new();
        let mut open: Option<Run> = None;
        for (i, c) in evs.bytes().enumerate() {
            let f = facts(c);
            if let Some(r) = &mut open {
                let alive = r.step(tr, &f, at(i), at(i.wrapping_sub(1)), &mut out);
                open = open.filter(|_| alive);
            } else {
                open = Run::activate(tr, &f, at(i));
            }
        }
        if let (Some(r), true) = (&mut open, tr.flush_at_end) {
            r.close(tr, at(evs.len() - 1), &mut out);
        }
        out.iter().map(|f| (f.first.pos, f.last.pos)).collect()
    }

    #[test]
    fn without_critical_region_ends_before_failing_event() {
        let tr = tracker(None, false, false);
        //            0123456789
        assert_eq!(run(&tr, "xAkAkxAxkA"), [(1, 4)]);
        // the failing event x at 7 does not open a region; A at 6 alone is
        // too short; the trailing A is not flushed
        let single = tracker(None, true, false);
        assert_eq!(run(&single, "xAkAkxAxkA"), [(1, 4), (6, 6)]);
        let flush = tracker(None, true, true);
        assert_eq!(run(&flush, "xAkAkxAxkAk"), [(1, 4), (6, 6), (9, 10)]);
    }

    #[test]
    fn failing_event_cannot_start_next_region() {
        let mut tr = tracker(None, true, false);
        tr.keepalive = Cond::parse("not stack").unwrap();
        // A at 2 fails keepalive (it has a stack), ends the region, and is
        // dropped; the next A at 3 starts the next one.
        assert_eq!(run(&tr, "AkAAk"), [(0, 1)]);
        let mut flush = tr.clone();
        flush.flush_at_end = true;
        assert_eq!(run(&flush, "AkAAk"), [(0, 1), (3, 4)]);
    }

    #[test]
    fn critical_trims_trailing_events() {
        // round-trip style: GoStart or match is critical
        let tr = tracker(Some("GoStart or match"), false, false);
        assert_eq!(run(&tr, "AkskkxAk"), [(0, 2)]);
        // server-read style: only stacks are critical; single kept
        let sr = tracker(Some("stack"), true, false);
        assert_eq!(run(&sr, "AkkxAksx"), [(0, 0), (4, 4)]);
        // an activating event that is not critical, and no critical event
        let never = tracker(Some("GoStart"), true, true);
        assert_eq!(run(&never, "Akk"), []);
    }

    #[test]
    fn reactivate_splits_on_each_activation() {
        let mut tr = tracker(Some("match"), true, true);
        tr.reactivate = true;
        assert_eq!(run(&tr, "AkAkkAx"), [(0, 0), (2, 2), (5, 5)]);
        tr.reactivate = false;
        assert_eq!(run(&tr, "AkAkkAx"), [(0, 5)]);
    }

    #[test]
    fn writer_keepalive_stops_at_goend() {
        let mut tr = tracker(None, true, false);
        tr.keepalive = Cond::parse("not GoEnd and (not stack or match)").unwrap();
        assert_eq!(run(&tr, "AkkeA"), [(0, 2)]);
    }

    /// Upstream's negativeSpace, walking every event of a goroutine (`ts`
    /// gives an event's time by position): the model the region-only
    /// version is checked against.
    fn negative_space_walk(
        n: usize,
        ts: impl Fn(usize) -> i64,
        starts: &[(u32, u32)],
        ends: &[(u32, u32)],
    ) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        let (mut si, mut ei) = (0, 0);
        for pos in 0..n {
            let now = ts(pos);
            for (i, &(_, last)) in starts.iter().enumerate().skip(si) {
                if last as usize == pos {
                    start = Some(pos);
                    si = i + 1;
                    break;
                }
                if ts(last as usize) > now {
                    break;
                }
            }
            while let Some(&(first, last)) = ends.get(ei) {
                if ts(last as usize) < now {
                    ei += 1;
                    continue;
                }
                if ts(first as usize) < now {
                    ei += 1;
                    start = None;
                    continue;
                }
                if first as usize == pos
                    && let Some(s) = start.take()
                {
                    out.push((s as u32, pos as u32));
                }
                break;
            }
        }
        out
    }

    /// Regions as `Found`, with `adv` from the times.
    fn found(ts: &[i64], list: &[(u32, u32)]) -> Vec<Found> {
        let at = |p: u32| At {
            pos: p,
            idx: p,
            ts: ts[p as usize],
            did: crate::did::Did::of_old(0, false),
            back_ts: None,
        };
        list.iter()
            .map(|&(a, b)| Found {
                first: at(a),
                last: at(b),
                adv: (a as usize + 1..ts.len())
                    .find(|&q| ts[q] > ts[a as usize])
                    .map_or(NONE, |q| q as u32),
            })
            .collect()
    }

    fn negative(ts: &[i64], starts: &[(u32, u32)], ends: &[(u32, u32)]) -> Vec<(u32, u32)> {
        negative_space(&found(ts, starts), &found(ts, ends))
            .iter()
            .map(|f| (f.first.pos, f.last.pos))
            .collect()
    }

    #[test]
    fn negative_space_between_reads_and_writes() {
        let ts: Vec<i64> = (0..15).map(|p| p * 10).collect();
        // reads end at 2 and 9; writes start at 5 and 12
        let writes = [(5, 6), (12, 13)];
        assert_eq!(negative(&ts, &[(0, 2), (8, 9)], &writes), [(2, 5), (9, 12)]);
        // a read with no following write gives nothing
        assert_eq!(negative(&ts, &[(0, 2), (14, 14)], &writes), [(2, 5)]);
        // a write overlapping the open stretch resets it
        assert_eq!(negative(&ts, &[(0, 2)], &[(1, 3), (5, 6)]), []);
        // a read and a write sharing one event give a 1-event region
        assert_eq!(negative(&ts[..6], &[(0, 3)], &[(3, 4)]), [(3, 3)]);
    }

    /// Small deterministic pseudo-random numbers for the model check.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
        /// Non-overlapping regions in order over `n` positions.
        fn regions(&mut self, n: u32) -> Vec<(u32, u32)> {
            let mut out = Vec::new();
            let mut p = self.below(3) as u32;
            while p < n {
                let last = (p + self.below(4) as u32).min(n - 1);
                out.push((p, last));
                p = last + 1 + self.below(4) as u32;
            }
            out
        }
    }

    /// On random goroutines with many equal times, the region-only
    /// negative space equals upstream's walk over every event.
    #[test]
    fn negative_space_equals_the_walk() {
        let mut rng = Rng(7);
        for _ in 0..20000 {
            let n = 1 + rng.below(24) as usize;
            let mut ts = Vec::with_capacity(n);
            let mut now = 0;
            for _ in 0..n {
                now += rng.below(3) as i64 / 2 * (1 + rng.below(3) as i64);
                ts.push(now);
            }
            let starts = rng.regions(n as u32);
            let ends = rng.regions(n as u32);
            let want = negative_space_walk(n, |p| ts[p], &starts, &ends);
            assert_eq!(
                negative(&ts, &starts, &ends),
                want,
                "ts {ts:?} starts {starts:?} ends {ends:?}"
            );
        }
    }
}
