//! The input forms every trace tool (etgrep, regiongraph, scope_tls,
//! unstoppable) accepts: Autoprof bundles as zips and extracted folders (read in
//! place), folders searched for bundles and traces, standard input, a
//! bundle without a trace, and an unreadable bundle among good ones.

mod common;

use common::{gunzip, testdata};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use tempfile::TempDir;
use zip::write::SimpleFileOptions;

/// Each trace tool, with flags that make it print one line per thing found.
const TOOLS: [(&str, &str, &[&str]); 4] = [
    ("etgrep", env!("CARGO_BIN_EXE_etgrep"), &[]),
    (
        "regiongraph",
        env!("CARGO_BIN_EXE_regiongraph"),
        &["-show-regions"],
    ),
    ("scope_tls", env!("CARGO_BIN_EXE_scope_tls"), &["-text"]),
    ("unstoppable", env!("CARGO_BIN_EXE_unstoppable"), &[]),
];

/// Runs `bin` with `flags` then `inputs`, in `dir`, with `stdin` as input.
fn run_in(dir: &Path, bin: &str, flags: &[&str], inputs: &[&str], stdin: Option<&Path>) -> Output {
    let stdin = match stdin {
        Some(p) => Stdio::from(File::open(dir.join(p)).unwrap()),
        None => Stdio::null(),
    };
    Command::new(bin)
        .current_dir(dir)
        .args(flags)
        .args(inputs)
        .env("TZ", "UTC")
        .stdin(stdin)
        .output()
        .unwrap()
}

/// The output of a run that must succeed quietly.
fn quiet(out: Output, what: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.is_empty(), "{what}: {err}");
    String::from_utf8(out.stdout).unwrap()
}

/// How a tool prints `text`, the output for input `name`, among several
/// inputs: etgrep, regiongraph and unstoppable's text start each line with
/// `name:`; scope_tls's text lines carry no name.
fn named(tool: &str, name: &str, text: &str) -> String {
    if tool == "scope_tls" {
        return text.into();
    }
    text.lines().map(|l| format!("{name}:{l}\n")).collect()
}

/// A `meta` as Autoprof writes it.
fn meta() -> Vec<u8> {
    let corpus =
        testdata().join("bundles/corpus/1-6b081067-bd1984d2eae7893d2145ec12-27466-000.zip");
    let mut z = zip::ZipArchive::new(File::open(corpus).unwrap()).unwrap();
    let mut m = Vec::new();
    std::io::copy(&mut z.by_name("meta").unwrap(), &mut m).unwrap();
    m
}

/// Writes a bundle zip of `members`; `deflate` picks the compression.
fn write_zip(path: &Path, members: &[(&str, &[u8])], deflate: bool) {
    let mut z = zip::ZipWriter::new(File::create(path).unwrap());
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    for (name, data) in members {
        z.start_file(
            *name,
            SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
}

/// Writes an extracted bundle folder of `members`.
fn write_folder(dir: &Path, members: &[(&str, &[u8])]) {
    for (name, data) in members {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
}

/// A folder of inputs built from the TLS fixture traces (Go 1.21 and Go
/// 1.25, with TLS handshakes, HTTP regions and CPU samples):
/// - `t21.trace`, `t25.trace`, `cpu21.pb.gz`: the fixtures;
/// - `t21.zip` (deflated, with `pprof/profile-during-trace`), `t25.zip`
///   (stored), `b21/` (a folder bundle), `notrace.zip`, `notrace/`;
/// - `pile/`: `a.zip` (t21), `b-notrace.zip`, `c/` (folder bundle, t25),
///   `d.trace` (t21), `junk.txt`, `other.zip` (a zip that is no bundle);
/// - `bad/`: `bad.zip` (a bundle cut in half), `good.zip` (t25).
fn fixture() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scope = testdata().join("expected/scope");
    let t21 = gunzip(&scope.join("tls-go1.21.trace.gz"));
    let t25 = gunzip(&scope.join("tls-go1.25.trace.gz"));
    let cpu21 = std::fs::read(scope.join("tls-go1.21.cpu.pb.gz")).unwrap();
    let meta = meta();
    std::fs::write(d.join("t21.trace"), &t21).unwrap();
    std::fs::write(d.join("t25.trace"), &t25).unwrap();
    std::fs::write(d.join("cpu21.pb.gz"), &cpu21).unwrap();
    let b21: &[(&str, &[u8])] = &[
        ("meta", &meta),
        ("pprof/heap", b"not looked at"),
        ("pprof/trace", &t21),
        ("pprof/profile-during-trace", &cpu21),
    ];
    let b25: &[(&str, &[u8])] = &[("meta", &meta), ("pprof/trace", &t25)];
    let none: &[(&str, &[u8])] = &[("meta", &meta), ("pprof/heap", b"x")];
    write_zip(&d.join("t21.zip"), b21, true);
    write_zip(&d.join("t25.zip"), b25, false);
    write_folder(&d.join("b21"), b21);
    write_zip(&d.join("notrace.zip"), none, true);
    write_folder(&d.join("notrace"), none);

    let pile = d.join("pile");
    write_folder(&pile.join("c"), b25);
    std::fs::copy(d.join("t21.zip"), pile.join("a.zip")).unwrap();
    std::fs::copy(d.join("notrace.zip"), pile.join("b-notrace.zip")).unwrap();
    std::fs::write(pile.join("d.trace"), &t21).unwrap();
    std::fs::write(pile.join("junk.txt"), "go 1.21 but no trace header").unwrap();
    write_zip(&pile.join("other.zip"), &[("pprof/trace", &t21)], true);

    let bad = d.join("bad");
    std::fs::create_dir(&bad).unwrap();
    let whole = std::fs::read(d.join("t21.zip")).unwrap();
    std::fs::write(bad.join("bad.zip"), &whole[..whole.len() / 2]).unwrap();
    std::fs::copy(d.join("t25.zip"), bad.join("good.zip")).unwrap();
    dir
}

#[test]
fn bundles_read_like_their_extracted_trace() {
    let dir = fixture();
    let d = dir.path();
    for (tool, bin, flags) in TOOLS {
        for (bundle, trace) in [
            ("t21.zip", "t21.trace"),
            ("b21", "t21.trace"),
            ("t25.zip", "t25.trace"),
        ] {
            let want = quiet(run_in(d, bin, flags, &[trace], None), tool);
            assert!(want.lines().count() > 10, "{tool} {trace}: {want}");
            let got = quiet(run_in(d, bin, flags, &[bundle], None), tool);
            assert!(got == want, "{tool} {bundle}");
        }
    }
}

/// etgrep on a shipped Autoprof zip prints, byte for byte, what it prints
/// on the zip's `pprof/trace` extracted.
#[test]
fn etgrep_on_a_shipped_bundle_equals_etgrep_on_its_extracted_trace() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_etgrep");
    for n in ["000", "002"] {
        let zip = testdata().join(format!(
            "bundles/corpus/1-6b081067-bd1984d2eae7893d2145ec12-27466-{n}.zip"
        ));
        let mut z = zip::ZipArchive::new(File::open(&zip).unwrap()).unwrap();
        let trace = dir.path().join(format!("{n}.trace"));
        std::io::copy(
            &mut z.by_name("pprof/trace").unwrap(),
            &mut File::create(&trace).unwrap(),
        )
        .unwrap();
        let (zip, trace) = (zip.to_string_lossy(), trace.to_string_lossy());
        for flags in [&[][..], &["-stacks", "-sort=goroutine"]] {
            let want = run_in(dir.path(), bin, flags, &["-input", &trace], None);
            let got = run_in(dir.path(), bin, flags, &["-input", &zip], None);
            assert!(want.status.success() && got.status.success(), "{n}");
            assert!(want.stdout.len() > 10_000, "{n}");
            assert!(got.stdout == want.stdout, "{n} {flags:?}");
        }
    }
}

#[test]
fn a_folder_is_searched_for_bundles_and_traces_in_walk_order() {
    let dir = fixture();
    let d = dir.path();
    for (tool, bin, flags) in TOOLS {
        let t21 = quiet(run_in(d, bin, flags, &["t21.trace"], None), tool);
        let t25 = quiet(run_in(d, bin, flags, &["t25.trace"], None), tool);
        let want = named(tool, "pile/a.zip", &t21)
            + &named(tool, "pile/c", &t25)
            + &named(tool, "pile/d.trace", &t21);
        let got = quiet(run_in(d, bin, flags, &["pile"], None), tool);
        assert!(got == want, "{tool}");
        // Several arguments: in argument order, whatever the thread count.
        let out = Command::new(bin)
            .current_dir(d)
            .args(flags)
            .args(["t25.zip", "pile", "b21"])
            .env("RAYON_NUM_THREADS", "1")
            .env("TZ", "UTC")
            .output()
            .unwrap();
        let want = named(tool, "t25.zip", &t25) + &want + &named(tool, "b21", &t21);
        assert!(quiet(out, tool) == want, "{tool}");
    }
    // regiongraph's JSON records name the bundle in their Trace field.
    let (_, rg, _) = TOOLS[1];
    let json = quiet(run_in(d, rg, &["-json"], &["pile"], None), "regiongraph");
    let traces: Vec<&str> = json.lines().map(|l| l.split('"').nth(3).unwrap()).collect();
    assert!(
        traces.contains(&"pile/a.zip") && traces.contains(&"pile/d.trace"),
        "{traces:?}"
    );
    // scope_tls's profile labels each sample with its bundle.
    let (_, st, _) = TOOLS[2];
    quiet(
        run_in(d, st, &["-output", "p.pb.gz"], &["pile"], None),
        "scope_tls",
    );
    let p = std::fs::read(d.join("p.pb.gz")).unwrap();
    let raw = String::from_utf8_lossy(&gunzip_bytes(&p)).into_owned();
    assert!(raw.contains("pile/a.zip") && raw.contains("pile/d.trace"));
}

fn gunzip_bytes(gz: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz), &mut out).unwrap();
    out
}

#[test]
fn standard_input_reads_like_the_file() {
    let dir = fixture();
    let d = dir.path();
    for (tool, bin, flags) in TOOLS {
        for trace in ["t21.trace", "t25.trace"] {
            let want = quiet(run_in(d, bin, flags, &[trace], None), tool);
            let got = quiet(run_in(d, bin, flags, &["-"], Some(Path::new(trace))), tool);
            assert!(got == want, "{tool} {trace}");
        }
    }
    // Two-pass analyses hold standard input in memory (a Go 1.25 trace is
    // read twice; a Go 1.21 one is read whole once).
    let (_, st, _) = TOOLS[2];
    let patterns = testdata().join("expected/scope/tls-handshake-patterns.toml");
    let p = patterns.to_string_lossy();
    let flags = ["-text", "-region", "client/tls_handshake", "-patterns", &p];
    for trace in ["t21.trace", "t25.trace"] {
        let want = quiet(run_in(d, st, &flags, &[trace], None), "scope_tls");
        assert!(want.lines().count() > 10, "{want}");
        let got = run_in(d, st, &flags, &["-"], Some(Path::new(trace)));
        assert_eq!(quiet(got, "scope_tls"), want, "{trace}");
    }
}

#[test]
fn a_bundle_without_a_trace_is_an_error_when_named() {
    let dir = fixture();
    let d = dir.path();
    for (tool, bin, flags) in TOOLS {
        for bundle in ["notrace.zip", "notrace"] {
            let out = run_in(d, bin, flags, &[bundle, "t21.trace"], None);
            assert_eq!(out.status.code(), Some(1), "{tool} {bundle}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                err,
                format!("{tool}: {bundle}: bundle has no pprof/trace\n"),
                "{tool}"
            );
            // The other input is still read.
            assert!(!out.stdout.is_empty(), "{tool}");
        }
        // (Found by a search, it is skipped silently: pile/b-notrace.zip in
        // a_folder_is_searched_for_bundles_and_traces_in_walk_order.) A
        // named zip must be a bundle.
        let out = run_in(d, bin, flags, &["pile/other.zip"], None);
        assert_eq!(out.status.code(), Some(1), "{tool}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("pile/other.zip: not an Autoprof bundle")
        );
    }
}

#[test]
fn an_unreadable_bundle_is_reported_and_the_others_read() {
    let dir = fixture();
    let d = dir.path();
    for (tool, bin, flags) in TOOLS {
        let t25 = quiet(run_in(d, bin, flags, &["t25.trace"], None), tool);
        for (args, bad) in [
            (&["bad"][..], "bad/bad.zip"),
            (&["bad/bad.zip", "bad/good.zip"], "bad/bad.zip"),
        ] {
            let out = run_in(d, bin, flags, args, None);
            assert_eq!(out.status.code(), Some(1), "{tool} {args:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.starts_with(&format!("{tool}: {bad}: ")) && err.lines().count() == 1,
                "{tool}: {err}"
            );
            let got = String::from_utf8(out.stdout).unwrap();
            assert!(got == named(tool, "bad/good.zip", &t25), "{tool} {args:?}");
        }
    }
}

/// Without `-profile`, scope_tls takes a bundle's symbols from its
/// `pprof/profile-during-trace`.
#[test]
fn scope_tls_takes_symbols_from_the_bundle() {
    let dir = fixture();
    let d = dir.path();
    let (_, st, _) = TOOLS[2];
    let profile = |args: &[&str], out: &str| {
        let o = run_in(d, st, &[&["-output", out][..], args].concat(), &[], None);
        quiet(o, &format!("{args:?}"));
        std::fs::read(d.join(out)).unwrap()
    };
    let with = profile(
        &["-input", "t21.trace", "-profile", "cpu21.pb.gz"],
        "with.pb.gz",
    );
    let without = profile(&["-input", "t21.trace"], "without.pb.gz");
    assert_ne!(with, without);
    for bundle in ["t21.zip", "b21"] {
        assert!(
            profile(&["-input", bundle], "bundle.pb.gz") == with,
            "{bundle}"
        );
    }
    // -profile wins over the bundle's.
    let t25 = profile(&["-input", "t25.trace"], "t25.pb.gz");
    assert!(profile(&["-input", "t25.zip", "-profile", "cpu21.pb.gz"], "x.pb.gz") != t25);
}

/// grstates merges the graphs of all its inputs into one: a bundle gives
/// its trace's graph, and a folder the graph of what it holds.
#[test]
fn grstates_reads_every_input_form() {
    let dir = fixture();
    let d = dir.path();
    let bin = env!("CARGO_BIN_EXE_grstates");
    let dot = |inputs: &[&str], stdin: Option<&Path>| {
        quiet(
            run_in(d, bin, &["-dot", "/dev/stdout"], inputs, stdin),
            "grstates",
        )
    };
    let t21 = dot(&["t21.trace"], None);
    assert!(t21.len() > 1000);
    for bundle in ["t21.zip", "b21"] {
        assert!(dot(&[bundle], None) == t21, "{bundle}");
    }
    assert!(dot(&["-"], Some(Path::new("t21.trace"))) == t21);
    let pile = dot(&["t21.trace", "t25.trace", "t21.trace"], None);
    assert!(pile != t21);
    assert!(dot(&["pile"], None) == pile);
    let out = run_in(
        d,
        bin,
        &["-dot", "/dev/stdout"],
        &["notrace.zip", "t21.trace"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "grstates: notrace.zip: bundle has no pprof/trace\n"
    );
    assert!(out.stdout == t21.as_bytes());
    let out = run_in(d, bin, &["-dot", "/dev/stdout"], &["bad"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("grstates: bad/bad.zip: "));
    assert!(out.stdout == dot(&["t25.trace"], None).as_bytes());
}
