//! scope_tls on the committed TLS fixtures (Go 1.21 and Go 1.25 traces with
//! TLS 1.2 and TLS 1.3 client handshakes and CPU samples): upstream's
//! output for TLS 1.2 on the Go 1.21 trace, snapshots for both, the
//! general form, the pprof profile, many inputs and bad input.

mod common;

use common::{gunzip, succeeded, testdata};
use pprof::proto::Profile;
use prost::Message;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Upstream's TLS 1.2 handshake patterns, in the general form's flags.
const UPSTREAM: [&str; 8] = [
    "-start-at=resume",
    "-start",
    r#"GoBlockNet "**" "^crypto/tls...Conn..readHandshake$" "**" "^net...conn..Read$" "**""#,
    "-end",
    r#"GoSysCall "**" "^crypto/tls...clientHandshakeState..readFinished$" "**" "^net...conn..Read$" "**""#,
    "-end",
    r#"GoBlockNet "**" "^crypto/tls...clientHandshakeState..readFinished$" "**" "^net...conn..Read$" "**""#,
    "-text",
];

fn expected_dir() -> PathBuf {
    testdata().join("expected/scope")
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(expected_dir().join(name)).unwrap()
}

/// The fixture trace of Go `v`, decompressed into `dir`.
fn trace(dir: &tempfile::TempDir, v: &str) -> String {
    let data = gunzip(&expected_dir().join(format!("tls-go{v}.trace.gz")));
    let path = dir.path().join(format!("tls-go{v}.trace"));
    std::fs::write(&path, data).unwrap();
    path.to_string_lossy().into_owned()
}

fn cpu_profile(v: &str) -> String {
    let p = expected_dir().join(format!("tls-go{v}.cpu.pb.gz"));
    p.to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> Output {
    common::run(env!("CARGO_BIN_EXE_scope_tls"), args)
}

fn stdout(args: &[&str]) -> String {
    String::from_utf8(succeeded(run(args), &format!("{args:?}"))).unwrap()
}

fn read_profile(path: &Path) -> Profile {
    Profile::decode(&gunzip(path)[..]).unwrap()
}

#[test]
fn general_form_with_upstream_patterns_matches_upstream_on_go121() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(&dir, "1.21");
    let mut args = vec!["-input", &t];
    args.extend(UPSTREAM);
    let got = stdout(&args);
    let want = expected("tls-go1.21.upstream.txt");
    assert_eq!(want.lines().count(), 17);
    assert_eq!(got, want);
}

#[test]
fn finds_tls12_and_tls13_handshakes_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    for v in ["1.21", "1.25"] {
        let t = trace(&dir, v);
        let got = stdout(&["-input", &t, "-text"]);
        assert_eq!(got, expected(&format!("tls-go{v}.txt")), "go{v}");
        let tls13 = got
            .lines()
            .filter(|l| l.contains("clientHandshakeStateTLS13"))
            .count();
        let tls12 = got
            .lines()
            .filter(|l| l.contains("(*clientHandshakeState)."))
            .count();
        assert!(
            tls13 > 0 && tls12 > 0,
            "go{v}: {tls12} TLS 1.2, {tls13} TLS 1.3"
        );
        for line in got.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            assert_eq!(f.len(), 8, "{line}");
            let frac: f64 = f[5].parse().unwrap();
            assert!((0.0..1.0).contains(&frac), "{line}");
            assert!(f[7].starts_with("runtime.goexit;"), "{line}");
        }
    }
    // Upstream's TLS 1.2 lines are all there, in order.
    let t = trace(&dir, "1.21");
    let ours = stdout(&["-input", &t, "-text"]);
    let mut ours = ours.lines();
    for line in expected("tls-go1.21.upstream.txt").lines() {
        assert!(ours.any(|l| l == line), "missing {line}");
    }
}

#[test]
fn general_form_with_builtin_patterns_equals_scope_tls() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(&dir, "1.25");
    let mut args = vec!["-input", t.as_str(), "-text", "-start-at=resume"];
    for s in scope::tls::START {
        args.extend(["-start", s]);
    }
    for e in scope::tls::END {
        args.extend(["-end", e]);
    }
    assert_eq!(stdout(&args), expected("tls-go1.25.txt"));
}

#[test]
fn general_form_finds_server_handshakes() {
    let dir = tempfile::tempdir().unwrap();
    for v in ["1.21", "1.25"] {
        let t = trace(&dir, v);
        let got = stdout(&[
            "-input",
            &t,
            "-text",
            "-start-at",
            "resume",
            "-start",
            r#"GoBlockNet "**" "^crypto/tls...Conn..readClientHello$" "**""#,
            "-end",
            r#"GoSysCall "**" "^crypto/tls...Conn..serverHandshake$" "**" "^crypto/tls...Conn..flush$" "**""#,
        ]);
        assert!(got.lines().count() > 0, "go{v}");
        assert!(
            got.lines()
                .all(|l| l.contains("crypto/tls.(*Conn).serverHandshake")),
            "go{v}"
        );
    }
}

#[test]
fn profile_has_upstreams_types_and_labels_with_stacks_leaf_first() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(&dir, "1.25");
    let out = dir.path().join("out.pb.gz");
    let o = out.to_string_lossy().into_owned();
    let text = stdout(&["-input", &t, "-text", "-output", &o]);
    let p = read_profile(&out);
    let s = |i: i64| std::str::from_utf8(&p.string_table[i as usize]).unwrap();
    let types: Vec<(&str, &str)> = p
        .sample_type
        .iter()
        .map(|v| (s(v.r#type), s(v.unit)))
        .collect();
    assert_eq!(types, [("samples", "count"), ("cpu", "nanoseconds")]);
    assert_eq!(p.period, 10_000_000);
    assert!(p.duration_nanos > 1_000_000_000);
    assert_eq!(p.sample.len(), text.lines().count());
    let fn_name = |id: u64| s(p.function.iter().find(|f| f.id == id).unwrap().name);
    let loc_leaf = |id: u64| {
        let loc = p.location.iter().find(|l| l.id == id).unwrap();
        fn_name(loc.line[0].function_id)
    };
    for (sample, line) in p.sample.iter().zip(text.lines()) {
        assert_eq!(sample.value, [1, 10_000_000]);
        let f: Vec<&str> = line.split(' ').collect();
        let labels: Vec<(&str, i64, &str)> = sample
            .label
            .iter()
            .map(|l| (s(l.key), l.num, s(l.num_unit)))
            .collect();
        let (start, length): (i64, i64) = (f[1].parse().unwrap(), f[3].parse().unwrap());
        assert_eq!(labels[0], ("region_length", length, "nanoseconds"));
        assert_eq!(labels[1], ("region_start", start, "nanoseconds"));
        let (key, offset, unit) = labels[2];
        assert_eq!((key, unit), ("sample_offset", "nanoseconds"));
        let frac: f64 = f[5].parse().unwrap();
        assert!((offset as f64 / length as f64 - frac).abs() < 1e-6);
        assert_eq!(
            labels[3],
            ("sample_offset", (frac * 100.0) as i64, "percent")
        );
        let leaf = f[7].rsplit(';').next().unwrap();
        assert_eq!(loc_leaf(sample.location_id[0]), leaf);
        assert_eq!(sample.location_id.len(), f[7].split(';').count());
    }
}

#[test]
fn profile_flag_brings_mappings_and_inlining() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(&dir, "1.21");
    let out = dir.path().join("out.pb.gz");
    let o = out.to_string_lossy().into_owned();
    let base_path = cpu_profile("1.21");
    let text = stdout(&["-input", &t, "-profile", &base_path, "-output", &o, "-text"]);
    let p = read_profile(&out);
    let base = read_profile(Path::new(&base_path));
    assert_eq!(p.period, base.period);
    assert_eq!(p.time_nanos, base.time_nanos);
    assert_eq!(p.mapping, base.mapping);
    assert_eq!(p.sample.len(), text.lines().count());
    let inlined = |id: &u64| p.location.iter().any(|l| l.id == *id && l.line.len() > 1);
    let mut uses_inline = false;
    for (sample, line) in p.sample.iter().zip(text.lines()) {
        // Every frame appears once: an inlined location stands for several.
        let lines: usize = sample
            .location_id
            .iter()
            .map(|id| p.location.iter().find(|l| l.id == *id).unwrap().line.len())
            .sum();
        let frames = line.split(' ').nth(7).unwrap().split(';').count();
        assert_eq!(lines, frames, "{line}");
        uses_inline |= sample.location_id.iter().any(inlined);
        assert!(
            sample
                .location_id
                .iter()
                .any(|id| base.location.iter().any(|l| l.id == *id)),
            "{line}"
        );
    }
    assert!(uses_inline);
}

#[test]
fn many_inputs_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (trace(&dir, "1.21"), trace(&dir, "1.25"));
    let both = stdout(&["-input", &a, &b, "-text"]);
    let want = expected("tls-go1.21.txt") + &expected("tls-go1.25.txt");
    assert_eq!(both, want);
    let reversed = stdout(&["-text", "-input", &b, "-input", &a]);
    assert_eq!(
        reversed,
        expected("tls-go1.25.txt") + &expected("tls-go1.21.txt")
    );
    let out = dir.path().join("both.pb.gz");
    let o = out.to_string_lossy().into_owned();
    stdout(&["-input", &a, &b, "-output", &o]);
    let p = read_profile(&out);
    assert_eq!(p.sample.len(), want.lines().count());
    let s = |i: i64| std::str::from_utf8(&p.string_table[i as usize]).unwrap();
    let first = p.sample[0].label.iter().find(|l| s(l.key) == "trace");
    assert_eq!(first.map(|l| s(l.str)), Some(a.as_str()));
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.trace");
    let m = missing.to_string_lossy().into_owned();
    let out = run(&["-input", &m, "-text"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&m));

    let junk = dir.path().join("junk.trace");
    std::fs::write(&junk, b"not a trace at all").unwrap();
    let j = junk.to_string_lossy().into_owned();
    let out = run(&["-input", &j, "-text"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&j));

    let t = trace(&dir, "1.21");
    let bad_profile = run(&["-input", &t, "-profile", &j, "-output", "/dev/null"]);
    assert_eq!(bad_profile.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_profile.stderr).contains(&j));

    let out = run(&["-input", &t, "-start", "Any \"**\""]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-end"));
}

#[test]
fn region_kind_from_regiongraph_patterns() {
    let dir = tempfile::tempdir().unwrap();
    let patterns = expected_dir().join("tls-handshake-patterns.toml");
    let p = patterns.to_string_lossy().into_owned();
    for v in ["1.21", "1.25"] {
        let t = trace(&dir, v);
        let args = ["-input", &t, "-text", "-region", "client/tls_handshake"];
        let got = stdout(&[&args[..], &["-patterns", &p]].concat());
        assert!(got.lines().count() > 10, "go{v}: {got}");
        for line in got.lines() {
            assert!(
                line.contains(";crypto/tls.(*Conn).clientHandshake;"),
                "{line}"
            );
        }
        let out = dir.path().join("kind.pb.gz");
        let o = out.to_string_lossy().into_owned();
        stdout(&[&args[..], &["-patterns", &p, "-output", &o]].concat());
        let prof = read_profile(&out);
        assert_eq!(prof.sample.len(), got.lines().count());
        for (sample, line) in prof.sample.iter().zip(got.lines()) {
            assert_eq!(sample.location_id.len(), line.split(';').count(), "{line}");
        }
    }
    let t = trace(&dir, "1.21");
    let out = run(&["-input", &t, "-region", "client/nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("client/http_roundtrip"));
    let out = run(&["-input", &t, "-region", "server/http", "-end", "Any"]);
    assert_eq!(out.status.code(), Some(1));
}
