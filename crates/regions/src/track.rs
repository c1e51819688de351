//! Finds regions on each goroutine: the generic tracker state machine
//! (activate / keepalive / critical / reactivate / single-event /
//! flush-at-end) and "negative space" regions between two other kinds.

use crate::cond::Facts;
use crate::patterns::{Pattern, Rule, Tracker};
use crate::trace::Trace;

/// A region: a contiguous run of one goroutine's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Index of its pattern in the pattern list.
    pub pattern: u32,
    /// Index of its goroutine in [`Trace::goroutines`].
    pub gi: u32,
    /// Positions of its first and last events in the goroutine's list.
    pub first: u32,
    /// See `first`.
    pub last: u32,
}

impl Region {
    /// Number of events.
    pub fn len(&self) -> usize {
        (self.last - self.first) as usize + 1
    }

    /// Always false: a region has at least one event.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The trace index of the first event.
    pub fn first_event(&self, tr: &Trace) -> u32 {
        tr.lists[self.gi as usize][self.first as usize]
    }

    /// The trace index of the last event.
    pub fn last_event(&self, tr: &Trace) -> u32 {
        tr.lists[self.gi as usize][self.last as usize]
    }
}

/// A tracker run over one goroutine's events, giving (first, last)
/// positions of the regions in order.
pub fn track(tr: &Tracker, n: usize, facts: impl Fn(usize) -> Facts) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut active = false;
    let (mut start, mut len, mut keep) = (0usize, 0usize, 0usize);
    let critical = |f: &Facts| tr.critical.as_ref().is_some_and(|c| c.eval(f));
    let mut close = |start: usize, len: &mut usize, keep: &mut usize| {
        let n = if tr.critical.is_none() { *len } else { *keep };
        if n >= 2 || (tr.allow_single && n >= 1) {
            out.push((start as u32, (start + n - 1) as u32));
        }
        *len = 0;
        *keep = 0;
    };
    for pos in 0..n {
        let f = facts(pos);
        if !active {
            if tr.activate.eval(&f) {
                (start, len, active) = (pos, 1, true);
                keep = usize::from(critical(&f));
            }
            continue;
        }
        let mut ended = false;
        if !tr.keepalive.eval(&f) {
            close(start, &mut len, &mut keep);
            ended = true;
        }
        if tr.reactivate && tr.critical.is_some() && tr.activate.eval(&f) {
            close(start, &mut len, &mut keep);
            ended = false;
        }
        if ended {
            active = false;
            continue;
        }
        if len == 0 {
            start = pos;
        }
        len += 1;
        if critical(&f) {
            keep = len;
        }
    }
    if active && tr.flush_at_end {
        close(start, &mut len, &mut keep);
    }
    out
}

/// Regions from the last event of each `starts` region to the first event
/// of the next `ends` region (upstream's negativeSpace, on positions of
/// one goroutine's list; `ts` gives an event's time by position).
pub fn negative_space(
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

/// All regions of a trace: goroutines in ascending order, and on each
/// goroutine the patterns' regions in pattern order.
pub fn track_all(trace: &Trace, patterns: &[Pattern]) -> Vec<Region> {
    // matches[p][stack]: whether pattern p's stacks match that stack.
    let matches: Vec<Vec<bool>> = patterns
        .iter()
        .map(|p| match &p.rule {
            Rule::Track(t) => trace
                .stacks
                .iter()
                .map(|s| {
                    let names = || s.0.iter().map(|f| &**f);
                    t.stacks.iter().any(|pat| pat.matches(names()))
                })
                .collect(),
            Rule::Between { .. } => Vec::new(),
        })
        .collect();
    let mut out = Vec::new();
    let mut found: Vec<Vec<(u32, u32)>> = vec![Vec::new(); patterns.len()];
    for (gi, list) in trace.lists.iter().enumerate() {
        for (p, pat) in patterns.iter().enumerate() {
            if let Rule::Track(t) = &pat.rule {
                found[p] = track(t, list.len(), |pos| {
                    let ev = trace.ev(list[pos]);
                    Facts {
                        typ: ev.typ,
                        has_stack: ev.stack != 0,
                        matches: matches[p][ev.stack as usize],
                    }
                });
            }
        }
        for (p, pat) in patterns.iter().enumerate() {
            if let Rule::Between { starts, ends } = pat.rule {
                found[p] = negative_space(
                    list.len(),
                    |pos| trace.ev(list[pos]).ts,
                    &found[starts],
                    &found[ends],
                );
            }
        }
        for (p, regions) in found.iter_mut().enumerate() {
            out.extend(regions.drain(..).map(|(first, last)| Region {
                pattern: p as u32,
                gi: gi as u32,
                first,
                last,
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cond::Cond;
    use gotrace::legacy::types as t;

    /// An event for tracker tests: 'A' activates (matching stack), 'k' is a
    /// stackless keepalive event, 's' is a GoStart without stack, 'x' has a
    /// stack that does not match.
    fn facts(c: u8) -> Facts {
        match c {
            b'A' => Facts {
                typ: t::EV_GO_BLOCK,
                has_stack: true,
                matches: true,
            },
            b'k' => Facts {
                typ: t::EV_HEAP_ALLOC,
                has_stack: false,
                matches: false,
            },
            b's' => Facts {
                typ: t::EV_GO_START,
                has_stack: false,
                matches: false,
            },
            b'e' => Facts {
                typ: t::EV_GO_END,
                has_stack: false,
                matches: false,
            },
            _ => Facts {
                typ: t::EV_GO_BLOCK,
                has_stack: true,
                matches: false,
            },
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

    fn run(tr: &Tracker, evs: &str) -> Vec<(u32, u32)> {
        let b = evs.as_bytes();
        track(tr, b.len(), |i| facts(b[i]))
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

    #[test]
    fn negative_space_between_reads_and_writes() {
        let ts = |p: usize| p as i64 * 10;
        // reads end at 2 and 9; writes start at 5 and 12
        let reads = [(0, 2), (8, 9)];
        let writes = [(5, 6), (12, 13)];
        assert_eq!(negative_space(15, ts, &reads, &writes), [(2, 5), (9, 12)]);
        // a read with no following write gives nothing
        assert_eq!(
            negative_space(15, ts, &[(0, 2), (14, 14)], &writes),
            [(2, 5)]
        );
        // a write overlapping the open stretch resets it
        assert_eq!(negative_space(15, ts, &[(0, 2)], &[(1, 3), (5, 6)]), []);
        // a read and a write sharing one event give a 1-event region
        assert_eq!(negative_space(6, ts, &[(0, 3)], &[(3, 4)]), [(3, 3)]);
    }
}
