//! Summaries of span trees (`-json -summarize`): CPU time per tree, and a
//! flat wall-clock attribution of the root's duration to running, assists
//! and waits by priority (upstream's `cluster.Summarize`).

use crate::ranges::{Range, collapse, magnitude, not, subtract, timeline};
use crate::spans::Span;
use std::collections::BTreeMap;

/// A summary of one span tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary<'a> {
    /// The root span's duration.
    pub length_ns: i64,
    /// CPU time of all goroutines of the tree, within the root's window.
    pub total_run_ns: i64,
    /// Assist CPU time, by reason.
    pub total_assist_ns: BTreeMap<String, i64>,
    /// Wall-clock time when some goroutine was running.
    pub flat_run_ns: i64,
    /// Wall-clock time when some goroutine assisted and none ran its own
    /// code, by reason.
    pub flat_assist_ns: BTreeMap<String, i64>,
    /// Wall-clock time when no goroutine ran, by the first waiting reason
    /// in priority order.
    pub flat_wait_ns: BTreeMap<String, i64>,
    /// The flattened timeline, as a span without children.
    pub flat: Span,
    /// The tree summarized.
    pub root: &'a Span,
}

const ASSIST_PREF: [&str; 2] = ["gc", "other"];
const WAIT_PREF: [&str; 11] = [
    "cpu", "gc", "net", "syscall", "select", "recv", "send", "cond", "sync", "block", "other",
];

type ByReason = BTreeMap<String, Vec<Range>>;

/// Summarizes the tree under `root`.
pub fn summarize(root: &Span) -> Summary<'_> {
    let window = [root.start_ns, root.start_ns + root.length_ns];
    let mut runs: BTreeMap<i64, Vec<Range>> = BTreeMap::new();
    let mut assists: BTreeMap<i64, ByReason> = BTreeMap::new();
    let mut waits: BTreeMap<i64, ByReason> = BTreeMap::new();
    root.visit(&mut |span| {
        let Ok(tl) = timeline(span) else {
            return;
        };
        let shift = |list: &[Range]| -> Vec<Range> {
            list.iter()
                .map(|r| [r[0] + span.start_ns, r[1] + span.start_ns])
                .collect()
        };
        runs.entry(span.g).or_default().extend(shift(&tl.running));
        let a = assists.entry(span.g).or_default();
        for (reason, list) in &tl.assisting {
            a.entry(reason.clone()).or_default().extend(shift(list));
        }
        let w = waits.entry(span.g).or_default();
        for (reason, list) in &tl.waiting {
            w.entry(reason.clone()).or_default().extend(shift(list));
        }
    });

    let mut total_run_ns = 0;
    let (mut all_runs, mut non_assist_runs) = (Vec::new(), Vec::new());
    for (g, list) in &runs {
        let list = collapse(list, window);
        total_run_ns += magnitude(&list);
        // Upstream subtracts one assist reason (the last in map order).
        let non_assist = match assists.get(g).and_then(|a| a.values().last()) {
            Some(a) => subtract(&list, a),
            None => list.clone(),
        };
        all_runs.extend(list);
        non_assist_runs.extend(non_assist);
    }
    let all_runs = collapse(&all_runs, window);
    let non_assist_runs = collapse(&non_assist_runs, window);

    let mut total_assist_ns = BTreeMap::new();
    let all_assists = merge(&assists, &ASSIST_PREF, window, Some(&mut total_assist_ns));
    let all_waits = merge(&waits, &WAIT_PREF, window, None);

    let mut flat = Span {
        g: root.g,
        kind: root.kind.clone(),
        start_ns: root.start_ns,
        length_ns: root.length_ns,
        start_run: all_runs.iter().map(|r| r[0] - root.start_ns).collect(),
        ..Span::default()
    };
    let mut remainder = subtract(&[window], &non_assist_runs);
    let mut unaccounted = magnitude(&remainder);
    let mut flat_assist_ns = BTreeMap::new();
    let mut flat_wait_ns = BTreeMap::new();
    let passes = [
        (
            &ASSIST_PREF[..],
            &all_assists,
            &mut flat.start_assist,
            &mut flat_assist_ns,
        ),
        (
            &WAIT_PREF[..],
            &all_waits,
            &mut flat.start_wait,
            &mut flat_wait_ns,
        ),
    ];
    for (prefs, all, starts, totals) in passes {
        for reason in prefs {
            let list = all.get(*reason).map_or(&[][..], |l| &l[..]);
            for r in subtract(list, &not(&remainder, window)) {
                starts.list(reason).push(r[0] - root.start_ns);
            }
            remainder = subtract(&remainder, list);
            let after = magnitude(&remainder);
            totals.insert(reason.to_string(), unaccounted - after);
            unaccounted = after;
        }
    }
    for m in [&mut total_assist_ns, &mut flat_assist_ns, &mut flat_wait_ns] {
        m.retain(|_, v| *v != 0);
    }
    Summary {
        length_ns: root.length_ns,
        total_run_ns,
        total_assist_ns,
        flat_run_ns: magnitude(&all_runs),
        flat_assist_ns,
        flat_wait_ns,
        flat,
        root,
    }
}

/// Collapses each goroutine's lists per reason and merges them across
/// goroutines, folding reasons outside `prefs` into "other" (adding each
/// goroutine's total to `totals` when given).
fn merge(
    per_g: &BTreeMap<i64, ByReason>,
    prefs: &[&str],
    window: Range,
    mut totals: Option<&mut BTreeMap<String, i64>>,
) -> ByReason {
    let mut all: ByReason = BTreeMap::new();
    for m in per_g.values() {
        let mut add = |reason: &str, list: Vec<Range>| {
            if let Some(t) = totals.as_deref_mut() {
                *t.entry(reason.to_string()).or_default() += magnitude(&list);
            }
            all.entry(reason.to_string()).or_default().extend(list);
        };
        for reason in prefs {
            add(
                reason,
                m.get(*reason).map_or(Vec::new(), |l| collapse(l, window)),
            );
        }
        for (_, list) in m.iter().filter(|(r, _)| !prefs.contains(&r.as_str())) {
            add("other", collapse(list, window));
        }
    }
    for list in all.values_mut() {
        *list = collapse(list, window);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(g: i64, start: i64, len: i64, run: &[i64], wait: &[(&str, &[i64])]) -> Span {
        Span {
            g,
            kind: "k".into(),
            start_ns: start,
            length_ns: len,
            start_run: run.to_vec(),
            start_wait: wait
                .iter()
                .map(|(r, l)| (r.to_string(), l.to_vec()))
                .collect(),
            ..Span::default()
        }
    }

    /// The worked example of the reference (the summary of upstream's
    /// README line): root G84 with a woken child G78.
    #[test]
    fn worked_example() {
        let mut root = span(
            84,
            15037820,
            8443,
            &[0, 8443],
            &[("cond", &[7015]), ("cpu", &[8024])],
        );
        root.caused = vec![span(78, 15045106, 886, &[0], &[("cpu", &[-665])])].into();
        let s = summarize(&root);
        assert_eq!(s.total_run_ns, 7901);
        assert_eq!(s.flat_run_ns, 7901);
        assert_eq!(s.flat_wait_ns, [("cpu".to_string(), 542)].into());
        assert!(s.total_assist_ns.is_empty() && s.flat_assist_ns.is_empty());
        assert_eq!(s.flat.start_run, [0, 7286]);
        assert_eq!(
            s.flat.start_wait,
            [("cpu".to_string(), vec![7015, 8172])].into()
        );
    }

    /// Flat attribution adds up: run + waits + unaccounted = length, and
    /// assists are part of run.
    #[test]
    fn assists_and_priorities() {
        let mut a = span(1, 0, 100, &[0, 60], &[("net", &[20]), ("sync", &[50])]);
        *a.start_assist.list("gc") = vec![10];
        // g2 waits on the network 30..80 while g1 waits on sync 50..60
        let b = span(2, 30, 50, &[], &[("net", &[0])]);
        a.caused = vec![b].into();
        let s = summarize(&a);
        // g1 runs [0,20] (of which assist [10,20]) and [60,100]
        assert_eq!(s.total_run_ns, 60);
        assert_eq!(s.total_assist_ns, [("gc".to_string(), 10)].into());
        assert_eq!(s.flat_run_ns, 60);
        assert_eq!(s.flat_assist_ns, [("gc".to_string(), 10)].into());
        assert_eq!(s.flat_wait_ns, [("net".to_string(), 40)].into());
        assert_eq!(s.flat.start_assist, [("gc".to_string(), vec![10])].into());
        assert_eq!(s.flat.start_wait, [("net".to_string(), vec![20])].into());
    }
}
