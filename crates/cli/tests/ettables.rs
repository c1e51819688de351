//! ettables end to end: DuckDB's answers over the tables equal the tools'
//! own (etgrep, regiongraph, apshuffle, unstoppable; the checks are in
//! `ettables_duckdb.py`), a bad input is reported and skipped without
//! leaving a file behind, and the same input gives the same bytes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    testkit::testdata().parent().unwrap().to_path_buf()
}

fn ettables(args: &[&Path]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ettables"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn duckdb_answers_equal_the_tools() {
    let out = tempfile::tempdir().unwrap();
    let script = root().join("crates/cli/tests/ettables_duckdb.py");
    let o = Command::new("python3")
        .arg(script)
        .arg("--ettables")
        .arg(env!("CARGO_BIN_EXE_ettables"))
        .arg("--etgrep")
        .arg(env!("CARGO_BIN_EXE_etgrep"))
        .arg("--regiongraph")
        .arg(env!("CARGO_BIN_EXE_regiongraph"))
        .arg("--apshuffle")
        .arg(env!("CARGO_BIN_EXE_apshuffle"))
        .arg("--unstoppable")
        .arg(env!("CARGO_BIN_EXE_unstoppable"))
        .arg("--out")
        .arg(out.path().join("tables"))
        .current_dir(root())
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    if o.status.code() == Some(77) {
        // duckdb is missing: .ci/run installs it, so in CI that is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI without duckdb: {stderr}"
        );
        eprintln!("skipped: {stderr}");
        return;
    }
    print!("{}", String::from_utf8_lossy(&o.stdout));
    assert!(o.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).matches("ok: ").count(),
        5
    );
}

#[test]
fn bad_inputs_are_reported_and_skipped_whole() {
    let dir = tempfile::tempdir().unwrap();
    let pile = dir.path().join("pile");
    fs::create_dir(&pile).unwrap();
    let good = fs::read(testkit::testdata().join("traces/go1.25.trace")).unwrap();
    fs::write(pile.join("a-good.trace"), &good).unwrap();
    fs::write(pile.join("b-cut.trace"), &good[..good.len() / 2]).unwrap();
    fs::write(pile.join("c-junk.zip"), b"PK\x03\x04 not a zip").unwrap();
    fs::write(pile.join("d-notes.txt"), b"not a trace").unwrap();
    let out = dir.path().join("out");
    let o = ettables(&[Path::new("-output"), &out, &pile]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("b-cut.trace"), "{stderr}");
    assert!(stderr.contains("c-junk.zip"), "{stderr}");
    assert!(
        !stderr.contains("a-good") && !stderr.contains("d-notes"),
        "{stderr}"
    );
    let name = |t: &str| {
        let p = pile
            .join("a-good.trace")
            .to_string_lossy()
            .replace('/', "~2F");
        PathBuf::from(t).join(format!("{p}.parquet"))
    };
    let want: Vec<PathBuf> = [
        "critical_path",
        "events",
        "frames",
        "goroutines",
        "regions",
        "stacks",
        "trees",
    ]
    .iter()
    .map(|t| name(t))
    .collect();
    // Only the good input's files, and no temporary file left over.
    assert_eq!(files(&out), want);
}

#[test]
fn same_input_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let trace = Path::new("testdata/traces/go1.22.trace");
    let bundle =
        Path::new("testdata/bundles/corpus/1-6b081067-bd1984d2eae7893d2145ec12-27466-000.zip");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let o = ettables(&[Path::new("-output"), out, trace, bundle]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa, fb);
    // A trace's seven tables; a bundle's two more.
    assert_eq!(fa.len(), 7 + 9, "{fa:?}");
    for f in fa {
        assert_eq!(
            fs::read(a.join(&f)).unwrap(),
            fs::read(b.join(&f)).unwrap(),
            "{f:?}"
        );
    }
}
