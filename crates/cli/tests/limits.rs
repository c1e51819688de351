//! The limits that keep memory bounded, lowered through their environment
//! variables: hitting one is an error naming the file, the limit and how
//! to raise it (exit 1); in a bulk run that input is reported and the
//! others are still processed.

mod common;

use common::{gunzip, testdata};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use zip::write::SimpleFileOptions;

fn run(bin: &str, env: (&str, &str), args: &[&Path]) -> Output {
    Command::new(bin)
        .args(args)
        .env(env.0, env.1)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {bin}: {e}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A bundle zip holding the corpus bundle's `meta` and `trace` as a
/// deflated `pprof/trace`.
fn deflated_bundle(path: &Path, trace: &[u8]) {
    let corpus =
        testdata().join("bundles/corpus/1-6b081067-bd1984d2eae7893d2145ec12-27466-000.zip");
    let mut src = zip::ZipArchive::new(File::open(corpus).unwrap()).unwrap();
    let mut meta = Vec::new();
    std::io::copy(&mut src.by_name("meta").unwrap(), &mut meta).unwrap();
    let mut z = zip::ZipWriter::new(File::create(path).unwrap());
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in [("meta", &meta[..]), ("pprof/trace", trace)] {
        z.start_file(name, deflated).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn a_trace_member_past_the_decompressed_limit_is_refused_and_the_rest_read() {
    let dir = tempfile::tempdir().unwrap();
    let trace = std::fs::read(testdata().join("traces/go1.25.trace")).unwrap();
    let pile = dir.path().join("pile");
    std::fs::create_dir(&pile).unwrap();
    let zip = pile.join("a.zip");
    deflated_bundle(&zip, &trace);
    std::fs::write(pile.join("b.trace"), &trace).unwrap();
    let limit = ("TOOLBOX_MAX_DECOMPRESSED", "64K");
    // Named: an error naming the bundle, the limit and how to raise it.
    let out = run(env!("CARGO_BIN_EXE_etgrep"), limit, &[&zip]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "etgrep: {}: pprof/trace: declares {} bytes decompressed: more than 65536 bytes \
             decompressed (the limit; raise it with TOOLBOX_MAX_DECOMPRESSED=N)\n",
            zip.display(),
            trace.len()
        )
    );
    // In a searched folder: reported, and the plain trace still printed.
    let out = run(env!("CARGO_BIN_EXE_etgrep"), limit, &[&pile]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a.zip: pprof/trace: declares"),
        "{}",
        stderr(&out)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().count() > 1000);
    assert!(text.lines().all(|l| l.contains("b.trace:")));
    // Raised: read.
    let out = run(
        env!("CARGO_BIN_EXE_etgrep"),
        ("TOOLBOX_MAX_DECOMPRESSED", "1M"),
        &[&zip],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn scope_chart_limits_frames_per_stack_and_lanes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("lines.txt");
    let svg = dir.path().join("c.svg");
    std::fs::write(
        &input,
        "start 1 length 2 frac 0.5 stack r;a;b;c\n\
         start 1 length 2 frac 0.5 stack r;a;b;c;d;e;f\n\
         start 1 length 2 frac 0.5 stack r;z\n",
    )
    .unwrap();
    let chart = |env| {
        run(
            env!("CARGO_BIN_EXE_scope_chart"),
            env,
            &[Path::new("-input"), &input, Path::new("-svg"), &svg],
        )
    };
    let out = chart(("TOOLBOX_MAX_FRAMES", "5"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "scope_chart: {}: line 2: more than 5 frames in a stack (the limit; raise it with \
             TOOLBOX_MAX_FRAMES=N)\n",
            input.display()
        )
    );
    let out = chart(("TOOLBOX_MAX_LANES", "2"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "scope_chart: {}: more than 2 distinct stacks (lanes) in a picture (the limit; raise \
             it with TOOLBOX_MAX_LANES=N)\n",
            input.display()
        )
    );
    assert!(!svg.exists());
    let out = chart(("TOOLBOX_MAX_LANES", "3"));
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn etviz_limits_the_bars_of_a_picture() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("s.json");
    let svg = dir.path().join("c.svg");
    let summaries = gunzip(&testdata().join("expected/regiongraph/http-go1.21.summary.json.gz"));
    std::fs::write(&input, summaries).unwrap();
    let out = run(
        env!("CARGO_BIN_EXE_etviz"),
        ("TOOLBOX_MAX_LANES", "10"),
        &[Path::new("-input"), &input, Path::new("-output"), &svg],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "etviz: {}: more than 10 bars (spans) in a picture (the limit; raise it with \
             TOOLBOX_MAX_LANES=N)\n",
            input.display()
        )
    );
    assert!(!svg.exists());
}
