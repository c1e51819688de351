//! regiongraph's flags, inputs and exit codes: many inputs, standard input,
//! pattern files and bad input. The analysis's own results are tested with
//! the `regions` crate (`crates/regions/tests`).

mod common;

use common::{gunzip, testdata};
use std::process::{Command, Output, Stdio};

fn trace(v: &str) -> String {
    testdata()
        .join(format!("traces/http-go{v}.trace"))
        .to_string_lossy()
        .into_owned()
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_regiongraph"));
    cmd.args(args).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run regiongraph")
}

fn run(args: &[&str]) -> Output {
    run_env(args, &[])
}

fn stdout(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn expected(name: &str) -> String {
    let path = testdata().join("expected/regiongraph").join(name);
    String::from_utf8(gunzip(&path)).unwrap()
}

/// Several inputs: in argument order whatever the thread count, each line
/// naming its trace.
#[test]
fn many_inputs_are_named_and_ordered() {
    let (a, b) = (trace("1.21"), trace("1.25"));
    let args = ["-json", "-summarize", "-input", &a, &b];
    let one = run_env(&args, &[("RAYON_NUM_THREADS", "1")]);
    let four = run_env(&args, &[("RAYON_NUM_THREADS", "4")]);
    assert!(one.status.success());
    assert_eq!(one.stdout, four.stdout);
    let text = String::from_utf8(one.stdout).unwrap();
    let single_a = stdout(&["-json", "-summarize", "-input", &a]);
    let single_b = stdout(&["-json", "-summarize", "-input", &b]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        single_a.lines().count() + single_b.lines().count()
    );
    let (first, second) = lines.split_at(single_a.lines().count());
    for (got, want, name) in [(first, &single_a, &a), (second, &single_b, &b)] {
        let prefix = format!("{{\"Trace\":{},", serde_json::to_string(name).unwrap());
        for (g, w) in got.iter().zip(want.lines()) {
            assert_eq!(g.strip_prefix(&prefix), w.strip_prefix('{'), "{name}");
        }
    }
    let regions = stdout(&["-show-regions", "-input", &a, "-input", &b]);
    assert!(
        regions
            .lines()
            .all(|l| l.starts_with(&format!("{a}:")) || l.starts_with(&format!("{b}:")))
    );
}

#[test]
fn list_patterns_prints_the_defaults() {
    let out = stdout(&["-list-patterns"]);
    for p in regions::patterns::PatternDefs::builtin().compile().unwrap() {
        let k = p.kind;
        assert!(out.contains(&format!("kind = \"{k}\"")), "{k}");
    }
}

/// A pattern file for a program the built-ins know nothing about: the
/// generic fixture workload (mutex workers, a loopback client and server,
/// trace regions), on both formats.
#[test]
fn user_patterns_find_another_programs_regions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.toml");
    std::fs::write(
        &file,
        r#"
replace_builtins = true

[[region]]
kind = "app/mutex_wait"
stacks = [["**", "Mutex..Lock$"], ["**", "Mutex..Lock$", "**"]]
allow_single = true

[[region]]
kind = "app/client_read"
stacks = [["**", "^io.ReadFull$", "**"]]
critical = "match or GoStart"

[[region]]
kind = "app/ticker"
stacks = [["**", "^runtime/trace.WithRegion$", "**"]]
activate = "match and GoBlockRecv"
keepalive = "not GoEnd"
flush_at_end = true
"#,
    )
    .unwrap();
    let f = file.to_string_lossy().into_owned();
    for v in ["1.21", "1.25"] {
        let t = testdata().join(format!("traces/go{v}.trace"));
        let t = t.to_string_lossy();
        let regions = stdout(&["-patterns", &f, "-input", &t, "-show-regions"]);
        for k in ["app/mutex_wait", "app/client_read", "app/ticker"] {
            assert!(
                regions.contains(&format!("{k}(g=")),
                "go{v}: no {k}:\n{regions}"
            );
        }
        assert!(!regions.contains("http"), "go{v}: built-ins were replaced");
    }
}

#[test]
fn bad_input_is_reported_with_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    for v in ["1.25", "1.21"] {
        let data = std::fs::read(trace(v)).unwrap();
        let cut = dir.path().join("cut.trace");
        std::fs::write(&cut, &data[..data.len() / 2]).unwrap();
        let cut = cut.to_string_lossy().into_owned();
        let out = run(&["-json", "-input", &cut]);
        assert_eq!(out.status.code(), Some(1), "go{v}");
        assert!(
            out.stdout.is_empty(),
            "go{v}: nothing printed from half a trace"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&cut) && err.contains("byte offset"),
            "go{v}: {err}"
        );
    }
    let cut = dir.path().join("cut.trace").to_string_lossy().into_owned();

    let out = run(&["-json", "-input", "/nonexistent.trace"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent.trace"));

    // Among several inputs, a bad one is reported and the others printed.
    let good = trace("1.21");
    let out = run(&["-show-regions", &cut, &good]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&cut));
    let text = String::from_utf8(out.stdout).unwrap();
    let prefix = format!("{good}:");
    let stripped: String = text
        .lines()
        .map(|l| format!("{}\n", l.strip_prefix(&prefix).unwrap()))
        .collect();
    assert!(stripped == expected("http-go1.21.regions.txt.gz"));

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[region]]\nkind = \"x\"\nstacks = [[\"(\"]]\n").unwrap();
    let bad = bad.to_string_lossy().into_owned();
    let out = run(&["-json", "-patterns", &bad, "-input", &trace("1.21")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") || err.contains("\"x\""), "{err}");
}

#[test]
fn reads_standard_input() {
    // Go 1.21 traces are read whole; Go 1.25 ones are kept in memory for the
    // second pass. Both give what reading the file gives.
    for (v, mode, want) in [
        ("1.21", "-show-regions", "http-go1.21.regions.txt.gz"),
        ("1.25", "-json", "http-go1.25.json.gz"),
    ] {
        let file = std::fs::File::open(trace(v)).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_regiongraph"))
            .args([mode, "-input", "-"])
            .stdin(Stdio::from(file))
            .output()
            .unwrap();
        assert!(out.status.success(), "go{v}");
        assert!(
            String::from_utf8(out.stdout).unwrap() == expected(want),
            "go{v}"
        );
    }
}
