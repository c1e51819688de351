//! Interval arithmetic on `[start, end]` nanosecond ranges, and a span's
//! timeline as ranges of running, assisting and waiting (upstream's
//! `cluster.Running`).

use crate::error::TimelineError;
use crate::spans::Span;
use std::collections::BTreeMap;

/// A time range, `[start, end]`.
pub type Range = [i64; 2];

/// Merges overlapping and touching ranges, drops empty ones, and clips the
/// result to `window`.
pub fn collapse(ranges: &[Range], window: Range) -> Vec<Range> {
    let mut by_start: Vec<Range> = ranges.iter().copied().filter(|r| r[0] < r[1]).collect();
    by_start.sort_by_key(|r| r[0]);
    let mut merged: Vec<Range> = Vec::with_capacity(by_start.len());
    for r in by_start {
        match merged.last_mut() {
            Some(cur) if r[0] <= cur[1] => cur[1] = cur[1].max(r[1]),
            _ => merged.push(r),
        }
    }
    merged
        .into_iter()
        .filter(|r| r[1] > window[0] && r[0] < window[1])
        .map(|r| [r[0].max(window[0]), r[1].min(window[1])])
        .collect()
}

/// The parts of `window` not covered by `ranges`.
pub fn not(ranges: &[Range], window: Range) -> Vec<Range> {
    let mut out = Vec::new();
    let mut start = window[0];
    for r in collapse(ranges, window) {
        out.push([start, r[0]]);
        start = r[1];
    }
    out.push([start, window[1]]);
    collapse(&out, window)
}

/// `base` minus `delta`, collapsed (within `base`'s bounding box).
pub fn subtract(base: &[Range], delta: &[Range]) -> Vec<Range> {
    let mut window = [0, 0];
    for (i, r) in base.iter().enumerate() {
        if i == 0 {
            window = *r;
        } else {
            window = [window[0].min(r[0]), window[1].max(r[1])];
        }
    }
    let mut not_result = not(base, window);
    not_result.extend_from_slice(delta);
    not(&not_result, window)
}

/// Total length.
pub fn magnitude(ranges: &[Range]) -> i64 {
    ranges.iter().map(|r| r[1] - r[0]).sum()
}

/// A span's timeline, relative to its start.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    /// When the goroutine was on a CPU (assists included).
    pub running: Vec<Range>,
    /// When it was doing assist work, by reason.
    pub assisting: BTreeMap<String, Vec<Range>>,
    /// When it was waiting, by reason.
    pub waiting: BTreeMap<String, Vec<Range>>,
}

enum Change<'a> {
    Run,
    Assist(&'a str),
    Wait(&'a str),
}

/// Turns a span's start lists into ranges. Fails, like upstream, on a blank
/// reason or on two assist (or two wait) starts at the same time. Changes
/// at equal times are ordered as Go's `sort.Slice` orders upstream's list
/// of runs, then assists, then waits (reasons by name, one of the orders
/// Go's map iteration gives).
pub fn timeline(span: &Span) -> Result<Timeline, TimelineError> {
    let mut changes: Vec<(i64, Change<'_>)> =
        span.start_run.iter().map(|&t| (t, Change::Run)).collect();
    for (what, map) in [("assist", &span.start_assist), ("wait", &span.start_wait)] {
        let mut seen: BTreeMap<i64, &str> = BTreeMap::new();
        for (reason, list) in map {
            if reason.is_empty() {
                return Err(TimelineError::BlankReason(what));
            }
            for &ts in list {
                if let Some(prev) = seen.insert(ts, reason) {
                    return Err(TimelineError::Duplicate {
                        what,
                        first: prev.to_string(),
                        second: reason.to_string(),
                        at: ts,
                    });
                }
                changes.push((
                    ts,
                    if what == "assist" {
                        Change::Assist(reason)
                    } else {
                        Change::Wait(reason)
                    },
                ));
            }
        }
    }
    // Upstream sorts with Go's unstable sort.Slice; the same steps give the
    // same order of changes at equal times.
    gocompat::sort::sort_func(&mut changes, &|a: &_, b: &_| a.0 < b.0);
    let mut out = Timeline::default();
    for (i, (ts, change)) in changes.iter().enumerate() {
        let end = changes.get(i + 1).map_or(span.length_ns, |c| c.0);
        let v = [*ts, end];
        match change {
            Change::Run => out.running.push(v),
            Change::Assist(r) => {
                out.running.push(v);
                out.assisting.entry(r.to_string()).or_default().push(v);
            }
            Change::Wait(r) => out.waiting.entry(r.to_string()).or_default().push(v),
        }
    }
    let mut window = [0, span.length_ns];
    if let Some(&first) = span.start_wait.get("cpu").and_then(|c| c.first())
        && first < 0
    {
        window[0] = first;
    }
    out.running = collapse(&out.running, window);
    for list in out.assisting.values_mut().chain(out.waiting.values_mut()) {
        *list = collapse(list, window);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapse_vectors() {
        let w = [0, 10];
        let cases: &[(&[Range], Range, &[Range])] = &[
            (&[[4, 7]], w, &[[4, 7]]),
            (&[[4, 7]], [0, 6], &[[4, 6]]),
            (&[[4, 7]], [0, 3], &[]),
            (&[[4, 7]], [0, 4], &[]),
            (&[[7, 4]], w, &[]),
            (&[[14, 17]], w, &[]),
            (&[[1, 4], [4, 7]], w, &[[1, 7]]),
            (&[[1, 3], [4, 7]], w, &[[1, 3], [4, 7]]),
            (&[[4, 7], [4, 7], [4, 7], [4, 7], [4, 7]], w, &[[4, 7]]),
            (&[[4, 7], [5, 7], [6, 7], [7, 7], [8, 7]], w, &[[4, 7]]),
            (&[[4, 7], [5, 8]], w, &[[4, 8]]),
            (&[[4, 7], [5, 13]], w, &[[4, 10]]),
            (&[[4, 7], [8, 13]], w, &[[4, 7], [8, 10]]),
        ];
        for (input, window, want) in cases {
            assert_eq!(collapse(input, *window), *want, "{input:?} {window:?}");
        }
    }

    #[test]
    fn subtract_vectors() {
        assert_eq!(subtract(&[[4, 7]], &[[0, 10]]), Vec::<Range>::new());
        assert_eq!(subtract(&[[0, 10]], &[[4, 7]]), [[0, 4], [7, 10]]);
        assert_eq!(subtract(&[[0, 10]], &[[4, 17]]), [[0, 4]]);
        assert_eq!(subtract(&[[0, 10]], &[[14, 17]]), [[0, 10]]);
        for (a, b) in [
            (vec![[0, 10], [20, 30]], vec![[5, 15], [25, 35]]),
            (vec![[20, 30], [0, 10]], vec![[25, 35], [5, 15]]),
        ] {
            assert_eq!(subtract(&a, &b), [[0, 5], [20, 25]]);
        }
        assert_eq!(subtract(&[], &[[0, 1]]), Vec::<Range>::new());
        assert_eq!(not(&[[2, 3]], [0, 5]), [[0, 2], [3, 5]]);
        assert_eq!(magnitude(&[[0, 2], [3, 5]]), 4);
    }

    #[test]
    fn timeline_of_upstream_example() {
        let span = Span {
            start_ns: 1000,
            length_ns: 50,
            start_run: vec![10, 40, 49],
            start_wait: [("net".into(), vec![35]), ("cpu".into(), vec![42])].into(),
            ..Span::default()
        };
        let tl = timeline(&span).unwrap();
        assert_eq!(tl.running, [[10, 35], [40, 42], [49, 50]]);
        assert_eq!(tl.waiting["net"], [[35, 40]]);
        assert_eq!(tl.waiting["cpu"], [[42, 49]]);
    }

    #[test]
    fn timeline_errors_and_pre_start_wait() {
        let dup = Span {
            length_ns: 10,
            start_wait: [("net".into(), vec![3]), ("cpu".into(), vec![3])].into(),
            ..Span::default()
        };
        let e = timeline(&dup).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cluster.Running: duplicate wait reasons \"cpu\" and \"net\" at 3"
        );
        let blank = Span {
            start_assist: [(String::new(), vec![1])].into(),
            ..Span::default()
        };
        assert!(
            timeline(&blank)
                .unwrap_err()
                .to_string()
                .contains("blank assist")
        );
        let woken = Span {
            length_ns: 10,
            start_run: vec![0],
            start_wait: [("cpu".into(), vec![-5])].into(),
            ..Span::default()
        };
        let tl = timeline(&woken).unwrap();
        assert_eq!(tl.waiting["cpu"], [[-5, 0]]);
        assert_eq!(tl.running, [[0, 10]]);
    }
}
