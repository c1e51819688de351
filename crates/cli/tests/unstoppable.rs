//! unstoppable against upstream's output on the committed fixture traces
//! (text, `-print-stacks` with `-grace`, the profile's samples), and its
//! own additions: `-json`, several inputs and bundles, output independent
//! of the thread count, bad input.

mod common;

use common::{gunzip, succeeded, testdata};
use pprof::proto;
use prost::Message;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Fixtures with expected outputs from upstream (Go 1.11 to 1.27 formats).
const FIXTURES: [&str; 11] = [
    "go1.11-startstop",
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
];

fn unstoppable_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_unstoppable"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run unstoppable")
}

fn unstoppable(args: &[&str]) -> Output {
    unstoppable_env(args, &[])
}

fn trace(name: &str) -> String {
    testdata()
        .join(format!("traces/{name}.trace"))
        .to_string_lossy()
        .into_owned()
}

fn expected(name: &str) -> Vec<u8> {
    let p = testdata().join(format!("expected/unstoppable/{name}"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn text_equals_upstream_on_every_format() {
    let mut pauses = 0;
    for name in FIXTURES {
        let t = trace(name);
        let got = succeeded(unstoppable(&["-input", &t]), name);
        let want = expected(&format!("{name}.txt"));
        assert_eq!(text(&got), text(&want), "{name}");
        pauses += want.iter().filter(|&&b| b == b'\n').count();
    }
    assert!(pauses > 150, "the fixtures hold {pauses} pauses");
}

#[test]
fn stacks_and_grace_equal_upstream() {
    let mut samples = 0;
    for name in FIXTURES {
        let t = trace(name);
        let got = succeeded(
            unstoppable(&["-input", &t, "-print-stacks", "-grace=20us"]),
            name,
        );
        let want = expected(&format!("{name}.stacks.txt"));
        assert_eq!(text(&got), text(&want), "{name}");
        samples += text(&want).matches("µs g=").count();
    }
    assert!(samples >= 5, "only {samples} samples to compare");
}

/// A profile's samples, each as its values, labels and frames (address,
/// function, file, line), in order; and its sample and period types.
type Samples = Vec<(Vec<i64>, Vec<String>, Vec<String>)>;

fn decode(path: &Path) -> (Samples, Vec<String>) {
    let raw = gunzip(path);
    let p = proto::Profile::decode(&raw[..]).expect("decode profile");
    let s = |i: i64| text(&p.string_table[i as usize]);
    let funcs: BTreeMap<u64, &proto::Function> = p.function.iter().map(|f| (f.id, f)).collect();
    let locs: BTreeMap<u64, &proto::Location> = p.location.iter().map(|l| (l.id, l)).collect();
    let samples = p
        .sample
        .iter()
        .map(|x| {
            let labels = x
                .label
                .iter()
                .map(|l| match l.str {
                    0 => format!("{}={}{}", s(l.key), l.num, s(l.num_unit)),
                    i => format!("{}={}", s(l.key), s(i)),
                })
                .collect();
            let frames = x
                .location_id
                .iter()
                .map(|id| {
                    let l = locs[id];
                    let line = &l.line[0];
                    let f = funcs[&line.function_id];
                    format!(
                        "{:#x} m{} {} {} {}:{} start{}",
                        l.address,
                        l.mapping_id,
                        s(f.name),
                        s(f.system_name),
                        s(f.filename),
                        line.line,
                        f.start_line
                    )
                })
                .collect();
            (x.value.clone(), labels, frames)
        })
        .collect();
    let mut types: Vec<String> = p
        .sample_type
        .iter()
        .chain(&p.period_type)
        .map(|t| format!("{}/{}", s(t.r#type), s(t.unit)))
        .collect();
    types.push(format!(
        "default {} period {} mappings {:?}",
        s(p.default_sample_type),
        p.period,
        p.mapping
            .iter()
            .map(|m| (m.id, m.has_functions, m.has_filenames, m.has_line_numbers))
            .collect::<Vec<_>>()
    ));
    (samples, types)
}

#[test]
fn profile_holds_upstreams_samples() {
    let dir = tempfile::tempdir().unwrap();
    let mut total = 0;
    for name in FIXTURES {
        let t = trace(name);
        let ours = dir.path().join(format!("{name}.pb.gz"));
        let o = ours.to_string_lossy();
        succeeded(
            unstoppable(&["-input", &t, "-print-stacks", "-grace=20us", "-profile", &o]),
            name,
        );
        let want = testdata().join(format!("expected/unstoppable/{name}.pb.gz"));
        let (got, want) = (decode(&ours), decode(&want));
        assert_eq!(got, want, "{name}");
        total += got.0.len();
    }
    assert!(total >= 5, "only {total} samples compared");
}

#[test]
fn go_and_gnu_spellings_agree() {
    let t = trace("go1.25");
    let go = unstoppable(&[
        "-input",
        &t,
        "-print-stw=false",
        "-print-stacks",
        "-grace",
        "1us",
    ]);
    let gnu = unstoppable(&[
        "--input",
        &t,
        "--print-stw=false",
        "--print-stacks",
        "--grace=1µs",
    ]);
    let go = text(&succeeded(go, "go"));
    assert_eq!(go, text(&succeeded(gnu, "gnu")));
    assert!(!go.contains("STW @") && go.contains("µs g="), "{go}");
    let bad = unstoppable(&["-input", &t, "-grace=1"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("missing unit"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn json_has_one_line_per_pause_matching_the_text() {
    for name in ["go1.21", "go1.25", "go1.27"] {
        let t = trace(name);
        let json = text(&succeeded(unstoppable(&["-input", &t, "-json"]), name));
        let stacks = text(&expected(&format!("{name}.stacks.txt")));
        let summaries: Vec<&str> = expected_summaries(&stacks);
        let lines: Vec<serde_json::Value> = json
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        assert_eq!(lines.len(), summaries.len(), "{name}");
        for (v, summary) in lines.iter().zip(&summaries) {
            assert_eq!(v["trace"], t.as_str());
            assert!(v["kind"].as_str().is_some_and(|k| !k.is_empty()), "{v}");
            let n = v["sample_count"].as_u64().unwrap();
            assert!(
                summary.ends_with(&format!(" {n} samples")),
                "{summary} vs {v}"
            );
            let ms = |f: &str| v[f].as_i64().unwrap() / 1000;
            let start = v["start_ns"].as_i64().unwrap() as f64 / 1e9;
            assert!(
                summary.starts_with(&format!("STW @{start:.3}s: ")),
                "{summary} vs {v}"
            );
            let total = v["total_ns"].as_i64().unwrap();
            let sum: i64 = ["pre_stop_ns", "stopped_ns", "post_stop_ns"]
                .iter()
                .map(|f| v[*f].as_i64().unwrap())
                .sum();
            assert_eq!(total, sum, "{v}");
            assert!(ms("stopped_ns") >= 0);
        }
        // With -grace=20us, the counted samples are those -print-stacks shows.
        let json = text(&succeeded(
            unstoppable(&["-input", &t, "-json", "-grace=20us"]),
            name,
        ));
        let mut phases = Vec::new();
        for l in json.lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            for s in v["samples"].as_array().unwrap() {
                phases.push(format!(
                    "{} +{}µs g={}",
                    s["phase"].as_str().unwrap(),
                    s["offset_ns"].as_i64().unwrap() / 1000,
                    s["g"]
                ));
            }
        }
        let shown: Vec<&str> = stacks.lines().filter(|l| l.contains("µs g=")).collect();
        assert_eq!(phases, shown, "{name}");
    }
}

fn expected_summaries(stacks: &str) -> Vec<&str> {
    stacks.lines().filter(|l| l.starts_with("STW @")).collect()
}

#[test]
fn several_inputs_are_named_and_in_argument_order() {
    let names = ["go1.27", "go1.21", "http-go1.25", "go1.21"];
    let paths: Vec<String> = names.iter().map(|n| trace(n)).collect();
    let mut args = vec!["-print-stacks", "-grace=20us", "-input", &paths[0]];
    args.extend(paths[1..].iter().map(String::as_str));
    let mut want = String::new();
    for (n, p) in names.iter().zip(&paths) {
        for l in text(&expected(&format!("{n}.stacks.txt"))).lines() {
            want.push_str(&format!("{p}:{l}\n"));
        }
    }
    let got = text(&succeeded(unstoppable(&args), "several"));
    assert_eq!(got, want);
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<String> = FIXTURES.iter().map(|n| trace(n)).collect();
    let run = |threads: &str, json: bool| {
        let prof = dir.path().join(format!("p{threads}{json}.pb.gz"));
        let p = prof.to_string_lossy().into_owned();
        let mut args = vec!["-print-stacks", "-profile", &p];
        if json {
            args.push("-json");
        }
        args.extend(paths.iter().map(String::as_str));
        let out = succeeded(
            unstoppable_env(&args, &[("RAYON_NUM_THREADS", threads)]),
            threads,
        );
        (out, std::fs::read(&prof).unwrap())
    };
    for json in [false, true] {
        let one = run("1", json);
        assert!(one.0.len() > 5000);
        assert_eq!(one, run("2", json), "json {json}");
        assert_eq!(one, run("4", json), "json {json}");
    }
}

#[test]
fn several_inputs_label_their_samples_in_one_profile() {
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("all.pb.gz");
    let p = prof.to_string_lossy();
    let (a, b) = (trace("go1.25"), trace("go1.27"));
    succeeded(unstoppable(&["-profile", &p, &a, &b]), "two");
    let (samples, _) = decode(&prof);
    let traces: Vec<&str> = samples
        .iter()
        .flat_map(|s| &s.1)
        .filter_map(|l| l.strip_prefix("trace="))
        .collect();
    assert_eq!(samples.len(), 6, "two traces' samples");
    assert_eq!(traces.iter().filter(|t| **t == a).count(), 3, "{traces:?}");
    assert_eq!(traces.iter().filter(|t| **t == b).count(), 3, "{traces:?}");
}

#[test]
fn a_bundle_is_read_in_place_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("b.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("meta", opts).unwrap();
    std::io::Write::write_all(&mut z, b"{}").unwrap();
    z.start_file("pprof/trace", opts).unwrap();
    std::io::Write::write_all(&mut z, &std::fs::read(trace("go1.27")).unwrap()).unwrap();
    z.finish().unwrap();
    let zp = zip_path.to_string_lossy();
    let got = text(&succeeded(unstoppable(&[&zp]), "bundle"));
    assert_eq!(got, text(&expected("go1.27.txt")));
    let t = trace("go1.21");
    let got = text(&succeeded(unstoppable(&[&zp, &t]), "bundle and trace"));
    let first = got.lines().next().unwrap();
    assert!(first.starts_with(&format!("{zp}:STW @")), "{first}");
}

#[test]
fn bad_input_is_reported_with_offset_and_the_others_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(trace("go1.25")).unwrap();
    let cut = dir.path().join("cut.trace");
    // Cut in its last generation: the ones before it are read (checked by
    // hand: upstream prints the same lines before it stops).
    std::fs::write(&cut, &good[..good.len() * 95 / 100]).unwrap();
    let c = cut.to_string_lossy();
    let (a, b) = (trace("go1.21"), trace("go1.27"));
    let prof = dir.path().join("p.pb.gz");
    let p = prof.to_string_lossy();
    let out = unstoppable(&["-profile", &p, &a, &c, &b]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!("unstoppable: {c}: ")) && err.contains("at byte offset"),
        "{err}"
    );
    let got = text(&out.stdout);
    let named = |path: &str, name: &str| -> String {
        text(&expected(&format!("{name}.txt")))
            .lines()
            .map(|l| format!("{path}:{l}\n"))
            .collect()
    };
    assert!(got.starts_with(&named(&a, "go1.21")), "{got}");
    assert!(got.ends_with(&named(&b, "go1.27")), "{got}");
    // What the cut trace held before the break is printed, as upstream
    // prints it before stopping.
    let cut_lines: Vec<&str> = got.lines().filter(|l| l.starts_with(&*c)).collect();
    let whole = text(&expected("go1.25.txt"));
    assert!(!cut_lines.is_empty() && cut_lines.len() <= whole.lines().count());
    for (l, w) in cut_lines.iter().zip(whole.lines()) {
        assert_eq!(l.strip_prefix(&format!("{c}:")), Some(w));
    }
    // The profile holds the traces read whole.
    let (samples, _) = decode(&prof);
    assert_eq!(samples.len(), 2 + 3, "go1.21's and go1.27's samples");

    // A profile that cannot be written: the text is printed, exit 1.
    let out = unstoppable(&["-input", &a, "-profile", "/nonexistent/dir/p.pb.gz"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), text(&expected("go1.21.txt")));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("unstoppable: write /nonexistent/dir/p.pb.gz: "),
        "{err}"
    );

    // A missing file, and not a trace at all.
    let junk = dir.path().join("junk");
    std::fs::write(&junk, b"hello").unwrap();
    let out = unstoppable(&[&junk.to_string_lossy(), "/nonexistent.trace"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("not a Go execution trace"), "{err}");
    assert!(err.contains("/nonexistent.trace"), "{err}");
    assert!(out.stdout.is_empty());
}
