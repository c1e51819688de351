//! How every binary ends when its output fails: a pipe closed by its
//! reader (`| head`) ends the run quietly with status 0; any other write
//! error (here, a full device) is reported as `TOOL: ...` with status 1.

mod common;

use common::{gunzip, testdata};
use std::fs::File;
use std::process::{Command, Output, Stdio};

/// Each binary with arguments that make it write much, to standard output
/// (or, for those that write files, to `OUT`); inputs are decompressed
/// into `dir`.
fn runs(dir: &tempfile::TempDir) -> Vec<(&'static str, &'static str, Vec<String>)> {
    let t = |p: &str| testdata().join(p).to_string_lossy().into_owned();
    let unzipped = |p: &str, name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, gunzip(&testdata().join(p))).unwrap();
        path.to_string_lossy().into_owned()
    };
    let summary = unzipped("expected/regiongraph/http-go1.21.summary.json.gz", "s.json");
    let tls = unzipped("expected/scope/tls-go1.21.trace.gz", "tls.trace");
    vec![
        (
            "etgrep",
            env!("CARGO_BIN_EXE_etgrep"),
            vec!["-input".into(), t("traces/go1.25.trace")],
        ),
        (
            "regiongraph",
            env!("CARGO_BIN_EXE_regiongraph"),
            vec!["-show-regions".into(), t("traces/http-go1.21.trace")],
        ),
        (
            "scope_tls",
            env!("CARGO_BIN_EXE_scope_tls"),
            vec!["-text".into(), "-input".into(), tls.clone()],
        ),
        (
            "unstoppable",
            env!("CARGO_BIN_EXE_unstoppable"),
            vec!["-print-stacks".into(), tls.clone()],
        ),
        (
            "grstates",
            env!("CARGO_BIN_EXE_grstates"),
            vec!["-dot".into(), "OUT".into(), tls.clone()],
        ),
        (
            "apshuffle",
            env!("CARGO_BIN_EXE_apshuffle"),
            vec![
                "-C".into(),
                t("bundles/corpus"),
                "-profile-sort=heap".into(),
            ],
        ),
        (
            "etviz",
            env!("CARGO_BIN_EXE_etviz"),
            vec!["-input".into(), summary, "-output".into(), "OUT".into()],
        ),
        (
            "scope_chart",
            env!("CARGO_BIN_EXE_scope_chart"),
            vec!["-sample".into(), "-svg".into(), "OUT".into()],
        ),
    ]
}

/// Runs `bin` with `args` (`OUT` replaced by `out`) and `stdout`.
fn run(bin: &str, args: &[String], out: &str, stdout: Stdio) -> Output {
    let args: Vec<&str> = args
        .iter()
        .map(|a| if a == "OUT" { out } else { a.as_str() })
        .collect();
    Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for (tool, bin, args) in runs(&dir) {
        // What the tool writes when its output is read.
        let full = run(bin, &args, "/dev/stdout", Stdio::piped());
        assert!(full.status.success(), "{tool}");
        assert!(full.stdout.len() > 100, "{tool} writes little");
        // A pipe whose reading end is closed before the tool starts: its
        // first write fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = run(bin, &args, "/dev/stdout", Stdio::from(writer));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{tool}: {err}");
        assert!(err.is_empty(), "{tool}: {err}");
    }
}

#[test]
fn a_write_error_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    for (tool, bin, args) in runs(&dir) {
        let full = File::options().write(true).open("/dev/full").unwrap();
        let out = run(bin, &args, "/dev/full", Stdio::from(full));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{tool}: {err}");
        assert!(
            err.starts_with(&format!("{tool}: ")) && err.contains("No space left on device"),
            "{tool}: {err}"
        );
    }
}
