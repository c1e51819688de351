//! The region analysis against upstream regiongraph's output on the
//! committed HTTP fixtures of Go 1.19 and 1.21, against its own snapshot on
//! Go 1.25, and Go 1.25's results against Go 1.21's; read and printed
//! through the library as regiongraph does.

use regions::Analysis;
use regions::output::{Mode, render};
use regions::patterns::PatternDefs;
use regions::source::Source;
use std::path::PathBuf;
use testkit::{gunzip, testdata};

/// The built-in patterns' kinds.
fn kinds() -> Vec<String> {
    let patterns = PatternDefs::builtin().compile().unwrap();
    patterns.into_iter().map(|p| p.kind).collect()
}

fn trace(v: &str) -> PathBuf {
    testdata().join(format!("traces/http-go{v}.trace"))
}

/// What regiongraph prints for the trace in `mode`, with the built-in
/// patterns.
fn output(v: &str, mode: Mode) -> String {
    let patterns = PatternDefs::builtin().compile().unwrap();
    let source = Source::open(trace(v)).unwrap();
    let a = Analysis::run(&source, patterns).unwrap();
    let mut out = Vec::new();
    render(a, mode, None, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn expected(name: &str) -> String {
    let path = testdata().join("expected/regiongraph").join(name);
    String::from_utf8(gunzip(&path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sorted(s: &str) -> Vec<&str> {
    let mut v: Vec<&str> = s.lines().collect();
    v.sort_unstable();
    v
}

/// Every output form, against the committed expectation (upstream's for Go
/// ≤1.21; chains and pairs as sorted lines).
fn check_all_forms(v: &str) {
    let forms = [
        (Mode::Regions, "regions.txt.gz", false),
        (Mode::Chains, "chains.txt.gz", true),
        (Mode::Pairs, "pairs.txt.gz", true),
        (Mode::Json, "json.gz", false),
        (Mode::JsonSummary, "summary.json.gz", false),
    ];
    for (mode, file, sort) in forms {
        let got = output(v, mode);
        let want = expected(&format!("http-go{v}.{file}"));
        assert!(!want.is_empty(), "go{v} {file}: empty expectation");
        if sort {
            assert!(sorted(&got) == sorted(&want), "go{v} {mode:?} differs");
        } else {
            assert!(got == want, "go{v} {mode:?} differs");
        }
    }
}

#[test]
fn equals_upstream_on_go119() {
    check_all_forms("1.19");
}

#[test]
fn equals_upstream_on_go121() {
    check_all_forms("1.21");
}

#[test]
fn go125_matches_snapshot() {
    check_all_forms("1.25");
}

fn kind_counts(regions: &str) -> Vec<usize> {
    kinds()
        .iter()
        .map(|k| {
            regions
                .lines()
                .filter(|l| l.strip_prefix(k).is_some_and(|r| r.starts_with("(g=")))
                .count()
        })
        .collect()
}

/// On Go 1.25 the same program gives the same kinds of regions in similar
/// numbers as on Go 1.21, and the cause trees have inbound requests (or the
/// load driver's own outbound requests) at their roots.
#[test]
fn go125_finds_what_go121_finds() {
    let old = kind_counts(&output("1.21", Mode::Regions));
    let new = kind_counts(&output("1.25", Mode::Regions));
    for (i, k) in kinds().iter().enumerate() {
        let (a, b) = (old[i] as f64, new[i] as f64);
        assert!(b > 0.0, "no {k} regions on Go 1.25");
        assert!(
            (a - b).abs() <= 0.35 * a.max(b),
            "{k}: {a} on 1.21, {b} on 1.25"
        );
    }
    let json = output("1.25", Mode::Json);
    let mut roots = 0;
    for line in json.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let kind = v["Kind"].as_str().unwrap();
        assert!(
            kind.starts_with("server/") || kind == "client/http_roundtrip",
            "root {kind}"
        );
        roots += 1;
    }
    assert!(roots > 50, "{roots} roots");
    // A dial caused by an outbound request caused by an inbound one.
    let chains = output("1.25", Mode::Chains);
    assert!(chains.lines().any(|l| {
        let a = l.find("server/http(").unwrap_or(usize::MAX);
        let b = l.find("client/http_roundtrip(").unwrap_or(0);
        let c = l.find("client/http_dial(").unwrap_or(0);
        let d = l.find("client/http_dns(").unwrap_or(0);
        a < b && b < c && c < d
    }));
}
