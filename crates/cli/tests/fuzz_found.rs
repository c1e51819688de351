//! Inputs the fuzzers found that once crashed a tool (kept under
//! testdata/fuzz/TARGET/), and the upstream behaviour the fix follows.

use std::path::PathBuf;
use std::process::Command;

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// A sample fraction of 0.8E5725 (infinite) made scope_chart's PNG index
/// its rows backwards and panic.
#[test]
fn scope_chart_survives_what_its_fuzzer_found() {
    let dir = tempfile::tempdir().unwrap();
    for found in std::fs::read_dir(testdata().join("fuzz/scope_chart")).unwrap() {
        let found = found.unwrap().path();
        let o = Command::new(env!("CARGO_BIN_EXE_scope_chart"))
            .arg("-input")
            .arg(&found)
            .arg("-png")
            .arg(dir.path().join("c.png"))
            .arg("-svg")
            .arg(dir.path().join("c.svg"))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}: {}",
            found.display(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// NaN and infinite fractions are drawn where upstream (amd64) puts them,
/// and a number out of range is skipped as Go's ParseFloat rejects it:
/// the SVG is upstream's, byte for byte.
#[test]
fn odd_fractions_chart_as_upstreams() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("odd.svg");
    let o = Command::new(env!("CARGO_BIN_EXE_scope_chart"))
        .arg("-input")
        .arg(testdata().join("expected/scope/odd-fracs.txt"))
        .arg("-svg")
        .arg(&svg)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let want = std::fs::read(testdata().join("expected/scope/odd-fracs.upstream.svg")).unwrap();
    assert_eq!(std::fs::read(&svg).unwrap(), want);
}
