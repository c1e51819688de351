//! etperfetto checked as a user would check it: each output is decoded by
//! `perfetto_check.py` with Perfetto's own published schema (the `perfetto`
//! Python package) and `protobuf`, which fails on unknown fields, unpaired
//! slices, undescribed tracks, undefined interned ids and flows that end
//! without a beginning. Without Python or those packages the checks are
//! skipped, except in CI (`CI` set), where they fail. Also: regions counted
//! against regiongraph, the focus options, several inputs, bad input and
//! unwritable output.

mod common;

use common::{run, testdata};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const ETPERFETTO: &str = env!("CARGO_BIN_EXE_etperfetto");

fn trace(name: &str) -> String {
    testdata()
        .join(format!("traces/{name}.trace"))
        .to_string_lossy()
        .into_owned()
}

/// Whether Python with the `perfetto` and `protobuf` packages is here;
/// in CI their absence fails the test.
fn have_python() -> bool {
    let ok = Command::new("python3")
        .args([
            "-c",
            "import google.protobuf.unknown_fields, perfetto.protos.perfetto.trace.perfetto_trace_pb2",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: python3 with the perfetto and protobuf packages is needed (.ci/run installs them)"
        );
        eprintln!("skipped: python3 with the perfetto and protobuf packages not found");
    }
    ok
}

/// The checker's summary of the Perfetto trace at `path`; panics with the
/// checker's problems if it finds any.
fn check(path: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/perfetto_check.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(path)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the checker's JSON")
}

/// Converts with `args` into a fresh file, which must succeed; returns the
/// checker's summary.
fn convert(dir: &Path, args: &[&str]) -> Value {
    let path = dir.join("out.pftrace");
    let mut all = vec!["-output", path.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = run(ETPERFETTO, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    check(&path)
}

fn count(v: &Value, map: &str, key: &str) -> u64 {
    v[map][key].as_u64().unwrap_or(0)
}

#[test]
fn every_format_decodes_with_perfettos_schema() {
    if !have_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "go1.11-startstop",
        "go1.11-tasks",
        "go1.19",
        "go1.21",
        "go1.22",
        "go1.23",
        "go1.25",
        "go1.26",
        "go1.27",
    ] {
        let v = convert(dir.path(), &["-input", &trace(name)]);
        assert!(count(&v, "slices", "running") > 0, "{name}: {v}");
        assert!(count(&v, "slices", "runnable") > 0, "{name}");
        assert!(v["counters"].as_u64().unwrap() > 0, "{name}");
        assert!(v["flows"].as_u64().unwrap() > 0, "{name}: {v}");
        if name.starts_with("go1.11") {
            continue;
        }
        assert!(v["flows"].as_u64().unwrap() > 100, "{name}: {v}");
        let names: Vec<&str> = v["track_names"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(names.contains(&"GC"), "{name}: {names:?}");
        assert!(names.contains(&"P0"), "{name}: {names:?}");
        assert!(names.contains(&"Goroutines"), "{name}: {names:?}");
        assert!(names.iter().any(|n| n.starts_with("G1")), "{name}");
    }
    // The fixture's user annotations and samples, on a recent format.
    let v = convert(dir.path(), &["-input", &trace("go1.25")]);
    for s in [
        "outer task",
        "inner task",
        "sleep",
        "chan receive",
        "syscall",
    ] {
        assert!(count(&v, "slices", s) > 0, "{s}: {v}");
    }
    assert!(count(&v, "instants", "CPU sample") > 0);
    assert!(count(&v, "instants", "unblock") > 0);
    assert!(count(&v, "slices", "stop-the-world (GC mark termination)") > 0);
}

/// The region kinds regiongraph prints for `path`, counted.
fn regiongraph_counts(path: &str) -> BTreeMap<String, u64> {
    let out = run(
        env!("CARGO_BIN_EXE_regiongraph"),
        &["-show-regions", "-input", path],
    );
    assert!(out.status.success());
    let mut counts = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let kind = &line[..line.find("(g=").unwrap()];
        *counts.entry(kind.to_owned()).or_default() += 1;
    }
    counts
}

#[test]
fn regions_equal_regiongraphs_per_kind() {
    if !have_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for name in ["http-go1.19", "http-go1.21", "http-go1.25"] {
        let path = trace(name);
        let v = convert(dir.path(), &["-regions", "-input", &path]);
        let got: BTreeMap<String, u64> =
            serde_json::from_value(v["region_slices"].clone()).unwrap();
        let want = regiongraph_counts(&path);
        assert!(want.len() >= 5, "{name}: {want:?}");
        assert_eq!(got, want, "{name}");
        // The cause trees' links are flows too.
        let plain = convert(dir.path(), &["-input", &path]);
        assert!(v["flows"].as_u64() > plain["flows"].as_u64(), "{name}");
        // -kind and -min-length keep the trees regiongraph keeps: as many
        // regions of each kind as its -json trees hold.
        for (kind, min) in [("server/http", "0s"), ("server/http", "1ms"), ("", "2ms")] {
            let mut args = vec!["-regions", "-min-length", min, "-input", &path];
            let mut rg = vec!["-json", "-min-length", min, "-input", &path];
            if !kind.is_empty() {
                args.extend(["-kind", kind]);
                rg.extend(["-kind", kind]);
            }
            let v = convert(dir.path(), &args);
            let got: BTreeMap<String, u64> =
                serde_json::from_value(v["region_slices"].clone()).unwrap();
            let want = regiongraph_tree_regions(&rg, &want);
            assert_eq!(got, want, "{name} {kind} {min}");
            assert!(got.values().sum::<u64>() < want_total(&path), "{got:?}");
        }
        let v = convert(
            dir.path(),
            &["-regions", "-min-length", "1h", "-input", &path],
        );
        assert_eq!(v["region_slices"], serde_json::json!({}));
        assert_eq!(v["critical_paths"], serde_json::json!([]));
    }
}

fn want_total(path: &str) -> u64 {
    regiongraph_counts(path).values().sum()
}

/// The regions per kind in the trees `regiongraph ARGS` (`-json`) prints:
/// its spans whose kind is a region kind (`kinds`), each region once (a
/// region rebuilt on its goroutine's chain is one span per node, all with
/// the region's goroutine, kind and start).
fn regiongraph_tree_regions(args: &[&str], kinds: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    let out = run(env!("CARGO_BIN_EXE_regiongraph"), args);
    assert!(out.status.success());
    let mut regions = std::collections::BTreeSet::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let mut stack: Vec<Value> = vec![serde_json::from_str(line).unwrap()];
        while let Some(span) = stack.pop() {
            let kind = span["Kind"].as_str().unwrap().to_owned();
            if kinds.contains_key(&kind) {
                regions.insert((kind, span["G"].as_i64(), span["StartNs"].as_i64()));
            }
            if let Some(kids) = span["Caused"].as_array() {
                stack.extend(kids.iter().cloned());
            }
        }
    }
    let mut counts = BTreeMap::new();
    for (kind, _, _) in regions {
        *counts.entry(kind).or_default() += 1;
    }
    counts
}

/// Each tree's critical path is a slice on a ` critical path` track
/// holding its segments, which sum to its length; the paths are
/// regiongraph's, tree by tree.
#[test]
fn critical_paths_cover_their_roots() {
    if !have_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pats = testdata().join("gen/critgen/critgen.toml");
    let pats = pats.to_str().unwrap();
    for (name, min) in [
        ("crit-go1.25", "0s"),
        ("http-go1.21", "0s"),
        ("http-go1.25", "1ms"),
    ] {
        let path = trace(name);
        let mut args = vec!["-regions", "-min-length", min, "-input", &path];
        if name.starts_with("crit") {
            args.extend(["-patterns", pats]);
        }
        let v = convert(dir.path(), &args);
        let got: Vec<(u64, u64, u64)> =
            serde_json::from_value(v["critical_paths"].clone()).unwrap();
        let mut rg = vec![
            "-critical-path",
            "-json",
            "-min-length",
            min,
            "-input",
            &path,
        ];
        if name.starts_with("crit") {
            rg.extend(["-patterns", pats]);
        }
        let out = run(env!("CARGO_BIN_EXE_regiongraph"), &rg);
        assert!(out.status.success());
        let mut want: Vec<(u64, u64)> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let p: Value = serde_json::from_str(l).unwrap();
                let n = p["Path"].as_array().unwrap().len() as u64;
                (p["Root"]["LengthNs"].as_u64().unwrap(), n)
            })
            .collect();
        assert!(!want.is_empty(), "{name}");
        for &(len, sum, n) in &got {
            assert_eq!(
                len, sum,
                "{name}: a path's segments do not sum to its length"
            );
            assert!(n > 0 || len == 0, "{name}");
        }
        let mut got: Vec<(u64, u64)> = got.into_iter().map(|(l, _, n)| (l, n)).collect();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "{name}");
    }
    // The planned path of the fixture: its segments, by name.
    let v = convert(
        dir.path(),
        &[
            "-regions",
            "-patterns",
            pats,
            "-input",
            &trace("crit-go1.25"),
        ],
    );
    for s in ["running", "waiting(sleep)", "waiting(network)"] {
        assert!(count(&v, "slices", s) > 0, "{s}: {v}");
    }
}

#[test]
fn focus_on_goroutines_and_time() {
    if !have_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = trace("go1.25");
    let all = convert(dir.path(), &["-input", &path]);
    let goroutine_tracks = |v: &Value| {
        v["track_names"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .filter(|n| n.starts_with('G') && n.as_bytes().get(1).is_some_and(u8::is_ascii_digit))
            .filter(|n| !n.contains(" regions") && !n.contains(" GC assists"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let every = goroutine_tracks(&all);
    let one = convert(dir.path(), &["-goroutine", "1", "-input", &path]);
    let some = goroutine_tracks(&one);
    assert!(some.iter().any(|n| n == "G1"), "{some:?}");
    assert!(
        some.len() > 1 && some.len() < every.len(),
        "{some:?} of {every:?}"
    );
    assert!(one["packets"].as_u64() < all["packets"].as_u64());
    // A window, in ns on the trace's clock and as durations after the
    // first event.
    let (first, last) = (
        all["first_ts"].as_u64().unwrap(),
        all["last_ts"].as_u64().unwrap(),
    );
    let (a, b) = (first + (last - first) / 4, first + (last - first) / 2);
    let v = convert(
        dir.path(),
        &[
            "-from",
            &a.to_string(),
            "-to",
            &b.to_string(),
            "-input",
            &path,
        ],
    );
    assert_eq!(v["first_ts"].as_u64(), Some(a), "{v}");
    assert!(v["last_ts"].as_u64().unwrap() <= b, "{v}");
    assert!(v["packets"].as_u64() < all["packets"].as_u64());
    let v = convert(dir.path(), &["-to", "1ms", "-input", &path]);
    assert!(v["last_ts"].as_u64().unwrap() <= first + 1_000_000, "{v}");
}

#[test]
fn several_inputs_one_group_each() {
    if !have_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (trace("go1.21"), trace("go1.27"));
    let v = convert(dir.path(), &["-input", &a, &b]);
    let names: Vec<&str> = v["track_names"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        names.contains(&a.as_str()) && names.contains(&b.as_str()),
        "{names:?}"
    );
    assert_eq!(names.iter().filter(|&&n| n == "GC").count(), 2);
}

#[test]
fn bad_input_and_unwritable_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.pftrace");
    let o = out.to_str().unwrap();
    // Not a trace: named, exit 1, no file.
    let junk = dir.path().join("junk.trace");
    std::fs::write(&junk, b"not a trace at all").unwrap();
    let r = run(
        ETPERFETTO,
        &["-output", o, "-input", junk.to_str().unwrap()],
    );
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.starts_with("etperfetto: ") && err.contains("junk.trace"),
        "{err}"
    );
    assert!(!out.exists());
    // A truncated trace: named with the byte offset, exit 1, no file.
    let whole = std::fs::read(trace("go1.25")).unwrap();
    let cut = dir.path().join("cut.trace");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let r = run(ETPERFETTO, &["-output", o, "-input", cut.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("cut.trace") && err.contains("offset"), "{err}");
    assert!(!out.exists());
    // A missing file next to a good one: reported, the good one written.
    let r = run(
        ETPERFETTO,
        &["-output", o, "-input", "/no/such.trace", &trace("go1.22")],
    );
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("/no/such.trace"));
    assert!(out.exists());
    // Unwritable output: reported, nothing left.
    let bad = dir.path().join("no/such/dir/out.pftrace");
    let r = run(
        ETPERFETTO,
        &["-output", bad.to_str().unwrap(), "-input", &trace("go1.22")],
    );
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("no/such/dir/out.pftrace"), "{err}");
    assert!(!dir.path().join("no").exists());
    // Usage errors.
    let r = run(ETPERFETTO, &["-input", &trace("go1.22")]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("-output"));
    // No temporary file left: the output and the two bad traces.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
}

/// What two conversions of the same trace must share, whatever the input
/// was called.
fn same_content(v: &Value) -> Value {
    let keep = [
        "packets",
        "slices",
        "instants",
        "flows",
        "region_slices",
        "critical_paths",
    ];
    keep.iter().map(|k| (k.to_string(), v[k].clone())).collect()
}

/// A Go 1.21 trace (whose reader must read it whole) read twice, for
/// -goroutine's and -regions' passes, from standard input and from a FIFO:
/// the same as from its file.
#[test]
fn standard_input_and_fifos_are_read_in_passes() {
    if !have_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = trace("http-go1.21");
    let flags = ["-regions", "-goroutine", "1", "-goroutine", "20"];
    let mut args: Vec<&str> = flags.to_vec();
    args.extend(["-input", &path]);
    let want = same_content(&convert(dir.path(), &args));
    assert!(
        want["critical_paths"]
            .as_array()
            .is_some_and(|p| !p.is_empty()),
        "{want}"
    );
    // Standard input.
    let out = dir.path().join("stdin.pftrace");
    let r = Command::new(ETPERFETTO)
        .args(flags)
        .args(["-output", out.to_str().unwrap(), "-input", "-"])
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(same_content(&check(&out)), want);
    // A FIFO.
    let fifo = dir.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let writer = {
        let (fifo, path) = (fifo.clone(), path.clone());
        std::thread::spawn(move || std::fs::write(fifo, std::fs::read(path).unwrap()).unwrap())
    };
    let out = dir.path().join("fifo.pftrace");
    let r = run(
        ETPERFETTO,
        &[
            &flags[..],
            &["-output", out.to_str().unwrap(), fifo.to_str().unwrap()],
        ]
        .concat(),
    );
    writer.join().unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(same_content(&check(&out)), want);
}

/// Input and output names that are not UTF-8 are used as they are (and
/// shown lossily in messages).
#[test]
fn file_names_need_not_be_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    if !have_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(OsStr::from_bytes(b"tr\xffce.trace"));
    std::fs::copy(trace("go1.22"), &input).unwrap();
    let output = dir.path().join(OsStr::from_bytes(b"out\xfe.pftrace"));
    let r = Command::new(ETPERFETTO)
        .arg("-output")
        .arg(&output)
        .arg("-regions")
        .arg(&input)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let v = check(&output);
    assert!(count(&v, "slices", "running") > 0, "{v}");
    // A missing one is named in the message.
    let missing = dir.path().join(OsStr::from_bytes(b"no\xff.trace"));
    let r = Command::new(ETPERFETTO)
        .arg("-output")
        .arg(&output)
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("no\u{fffd}.trace"));
}
