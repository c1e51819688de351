//! grstates end to end: its DOT graphs against upstream's on fixtures of
//! every format (`testdata/expected/grstates`, see
//! `testdata/gen/grstates-expect.sh`), merged graphs of several traces
//! (counts add up, whatever the thread count), broken and missing inputs,
//! the SVG picture, and a missing Graphviz.

mod common;

use common::{gunzip, testdata};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_grstates");

fn trace(name: &str) -> String {
    let p = testdata().join(format!("traces/{name}.trace"));
    p.to_str().unwrap().to_owned()
}

fn expected(name: &str) -> Vec<u8> {
    gunzip(&testdata().join(format!("expected/grstates/{name}.dot.gz")))
}

fn grstates(args: &[&str], envs: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .args(args)
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The DOT graph of `inputs` (one run that must succeed quietly).
fn dot(dir: &Path, inputs: &[&str], envs: &[(&str, &str)]) -> Vec<u8> {
    let out_path = dir.join("out.dot");
    let out_str = out_path.to_str().unwrap();
    let mut args = vec!["-dot", out_str];
    args.extend_from_slice(inputs);
    let out = grstates(&args, envs);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.is_empty(), "{inputs:?}: {err}");
    std::fs::read(&out_path).unwrap()
}

const FIXTURES: [&str; 13] = [
    "go1.11-startstop",
    "go1.11-tasks",
    "go1.19",
    "go1.21",
    "go1.22",
    "go1.23",
    "go1.25",
    "go1.26",
    "go1.27",
    "http-go1.19",
    "http-go1.21",
    "http-go1.25",
    "status-go1.25",
];

#[test]
fn dot_graphs_are_upstreams() {
    let dir = tempfile::tempdir().unwrap();
    for name in FIXTURES {
        let got = dot(dir.path(), &[&trace(name)], &[]);
        assert!(got == expected(name), "{name}: DOT differs from expected");
    }
}

/// The id of the node labelled `label` (DOT-escaped, `\\l` line ends).
fn node_id(dot: &str, label: &str) -> String {
    let needle = format!(",label=\"{label}\",");
    let line = dot.lines().find(|l| l.contains(&needle));
    let line = line.unwrap_or_else(|| panic!("no node {label}"));
    line.trim().split(' ').next().unwrap().to_owned()
}

/// Goroutines blocked while the tracer starts new generations
/// (testdata/gen/statusgen): Go 1.23+ restates each in a GoStatusStack
/// event whose stack Go's parser (since Go 1.26) and golang.org/x/exp
/// (since 944ab1f) give as the transition's stack, so the goroutine goes
/// from where it blocked to a Waiting node at its whole blocked stack, down
/// to runtime.gopark. An upstream built against the x/exp it pins drops
/// that stack and draws neither (bench/compare-grstates.sh refuses it).
#[test]
fn goroutines_blocked_across_generations_are_restated_at_their_stacks() {
    let dir = tempfile::tempdir().unwrap();
    let got = dot(dir.path(), &[&trace("status-go1.25")], &[]);
    let text = String::from_utf8(got).unwrap();
    for (blocked, restated) in [
        (
            "Waiting\\lmain.receiver:27\\lruntime.chanrecv1:509\\l",
            "Waiting\\lmain.receiver:27\\lruntime.chanrecv1:509\\lruntime.chanrecv:667\\lruntime.gopark:460\\l",
        ),
        (
            "Waiting\\lmain.locker:33\\lsync.(*Mutex).Lock:46\\l",
            "Waiting\\lmain.locker:33\\lsync.(*Mutex).Lock:46\\linternal/sync.(*Mutex).Lock:70\\l\
             internal/sync.(*Mutex).lockSlow:149\\linternal/sync.runtime_SemacquireMutex:95\\l\
             runtime.semacquire1:192\\lruntime.goparkunlock:466\\lruntime.gopark:460\\l",
        ),
    ] {
        let edge = format!(
            "{} -> {} [weight=1,",
            node_id(&text, blocked),
            node_id(&text, restated)
        );
        let line = text.lines().find(|l| l.trim_start().starts_with(&edge));
        let line = line.unwrap_or_else(|| panic!("no edge {edge}"));
        assert!(line.contains(" Waiting->Waiting "), "{line}");
    }
}

/// Edge weights by (from id, to id).
fn weights(dot: &[u8]) -> BTreeMap<(String, String), u64> {
    let text = String::from_utf8_lossy(dot);
    text.lines()
        .filter_map(|l| {
            let (ends, attrs) = l.trim().split_once(" [weight=")?;
            let (from, to) = ends.split_once(" -> ")?;
            let w = attrs.split(',').next()?.parse().ok()?;
            Some(((from.to_owned(), to.to_owned()), w))
        })
        .collect()
}

/// Node lines, sorted, without their tooltips.
fn nodes(dot: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(dot);
    let mut n: Vec<String> = text
        .lines()
        .filter(|l| l.contains(" [shape="))
        .map(|l| l.split(",tooltip=").next().unwrap().to_owned())
        .collect();
    n.sort();
    n
}

#[test]
fn merged_graphs_add_up_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (trace("go1.21"), trace("go1.22"));
    let merged = dot(dir.path(), &[&a, &b], &[]);
    assert!(merged == expected("merged-go1.21-go1.22"));
    // Every edge's weight is the sum of the two traces' (missing: 0).
    let (wa, wb) = (weights(&expected("go1.21")), weights(&expected("go1.22")));
    let mut sum = wa.clone();
    for (k, w) in &wb {
        *sum.entry(k.clone()).or_default() += w;
    }
    assert_eq!(weights(&merged), sum);
    assert!(weights(&merged).len() > wa.len().max(wb.len()));
    // A trace with itself: the same nodes, every weight doubled.
    let twice = dot(dir.path(), &[&a, &a], &[]);
    assert_eq!(nodes(&twice), nodes(&expected("go1.21")));
    let doubled: BTreeMap<_, _> = wa.iter().map(|(k, w)| (k.clone(), 2 * w)).collect();
    assert_eq!(weights(&twice), doubled);
    // Many inputs, one or two threads: the same bytes.
    let all: Vec<String> = FIXTURES.iter().map(|n| trace(n)).collect();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let one = dot(dir.path(), &all, &[("RAYON_NUM_THREADS", "1")]);
    let two = dot(dir.path(), &all, &[("RAYON_NUM_THREADS", "2")]);
    assert!(one == two, "output depends on the thread count");
}

#[test]
fn bundles_and_folders_are_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = testdata().join("bundles/corpus");
    let bundles: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let mut sorted: Vec<&str> = bundles.iter().map(|p| p.to_str().unwrap()).collect();
    sorted.sort();
    // The folder holds two bundles with traces (the others have none and
    // are skipped): the same graph as naming those two.
    let with_trace: Vec<&str> = sorted
        .iter()
        .copied()
        .filter(|p| p.ends_with("27466-000.zip") || p.ends_with("27466-002.zip"))
        .collect();
    let by_folder = dot(dir.path(), &[corpus.to_str().unwrap()], &[]);
    let by_name = dot(dir.path(), &with_trace, &[]);
    assert!(by_folder == by_name);
    assert!(weights(&by_folder).len() > 10);
}

#[test]
fn a_broken_trace_is_reported_and_the_others_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(trace("go1.22")).unwrap();
    let cut = dir.path().join("cut.trace");
    std::fs::write(&cut, &good[..good.len() / 2]).unwrap();
    let out_path = dir.path().join("g.dot");
    let out = grstates(
        &[
            "-dot",
            out_path.to_str().unwrap(),
            cut.to_str().unwrap(),
            &trace("go1.21"),
            "/nonexistent.trace",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("grstates: {}: at byte offset ", cut.display())),
        "{err}"
    );
    assert!(err.contains("grstates: open /nonexistent.trace: "), "{err}");
    assert!(std::fs::read(&out_path).unwrap() == expected("go1.21"));
    // Nothing readable: no output file.
    let none = dir.path().join("none.dot");
    let out = grstates(
        &["-dot", none.to_str().unwrap(), cut.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!none.exists());
    // No input at all: a usage error.
    let out = grstates(&["-dot", none.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no -input trace given"));
}

#[test]
fn go_and_gnu_flag_spellings() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.dot");
    let p = p.to_str().unwrap();
    let t = trace("go1.19");
    let (go_input, go_dot) = (format!("-input={t}"), format!("-dot={p}"));
    for args in [
        vec!["-input", &t, "-dot", p],
        vec![&go_input, &go_dot],
        vec!["--input", &t, "--dot", p],
        vec!["--dot", p, &t],
    ] {
        std::fs::remove_file(p).ok();
        let out = grstates(&args, &[]);
        assert!(out.status.success(), "{args:?}");
        assert!(std::fs::read(p).unwrap() == expected("go1.19"), "{args:?}");
    }
}

fn has_graphviz() -> bool {
    Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn svg_pictures_pan_and_zoom() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("g.svg");
    let out = grstates(
        &["-input", &trace("go1.21"), "-svg", svg.to_str().unwrap()],
        &[],
    );
    if !has_graphviz() {
        // Without Graphviz, the error below (CI installs it).
        assert_eq!(out.status.code(), Some(1));
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(std::fs::read(&svg).unwrap()).unwrap();
    assert!(text.contains("<svg width=\"100%\" height=\"100%\""));
    assert!(!text.contains("viewBox"));
    assert!(
        text.contains("<script type=\"text/ecmascript\"><![CDATA[// Pan and zoom for grstates")
    );
    assert!(text.contains(
        "]]></script><g id=\"viewport\" transform=\"scale(0.5,0.5) translate(0,0)\"><g id=\"graph0\""
    ));
    assert!(text.trim_end().ends_with("</g></svg>"));
    // Every node of the DOT graph is drawn, its tooltip kept.
    assert_eq!(
        text.matches("class=\"node\"").count(),
        nodes(&expected("go1.21")).len()
    );
    assert!(text.contains("xlink:title=\"example: M="));
}

#[test]
fn svg_without_graphviz_names_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("g.svg");
    let dot_path = dir.path().join("g.dot");
    let empty = dir.path().join("bin");
    std::fs::create_dir(&empty).unwrap();
    let out = grstates(
        &[
            "-input",
            &trace("go1.21"),
            "-dot",
            dot_path.to_str().unwrap(),
            "-svg",
            svg.to_str().unwrap(),
        ],
        &[("PATH", empty.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end(),
        format!(
            "grstates: {}: SVG output needs Graphviz's \"dot\" program, which is not in PATH \
             (install Graphviz, e.g. apt-get install graphviz, or write -dot instead)",
            svg.display()
        )
    );
    assert!(!svg.exists());
    // The DOT graph was written all the same.
    assert!(std::fs::read(&dot_path).unwrap() == expected("go1.21"));
}
