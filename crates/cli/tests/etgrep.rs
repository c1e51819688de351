//! etgrep's flags against upstream's output on the committed fixture traces
//! (`-sort`, `-match`, `-goroutine`, `-time`), its inputs (files, standard
//! input) and its exit codes on bad input. The reader's own conformance
//! with `go tool trace -d=parsed` is tested in `crates/gotrace/tests`.

mod common;

use common::{assert_same, gunzip, succeeded, testdata};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Fixture traces made by the project's generator, one per format version.
const GENERATED: [&str; 7] = ["1.19", "1.21", "1.22", "1.23", "1.25", "1.26", "1.27"];
/// All fixtures whose Go output is stable: the generated ones and a Go 1.11
/// trace from Go's own tests.
const STABLE: [&str; 8] = [
    "1.11-tasks",
    "1.19",
    "1.21",
    "1.22",
    "1.23",
    "1.25",
    "1.26",
    "1.27",
];
const MATCH: &str = r#"Any "**" "runtime/trace.WithRegion" "**""#;

/// Runs etgrep with `args` and no input, with `TZ=UTC`: it shows wall-clock
/// times in the local zone, and the expected outputs have them in UTC.
fn etgrep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_etgrep"))
        .args(args)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .expect("run etgrep")
}

fn expected(version: &str, form: &str) -> Vec<u8> {
    gunzip(&testdata().join(format!("expected/go{version}.{form}.txt.gz")))
}

fn trace(version: &str) -> String {
    testdata()
        .join(format!("traces/go{version}.trace"))
        .to_string_lossy()
        .into_owned()
}

fn check_form(version: &str, form: &str, args: &[&str]) {
    let t = trace(version);
    let mut all = vec!["-input", t.as_str()];
    all.extend_from_slice(args);
    let what = format!("go{version} {form}");
    let got = succeeded(etgrep(&all), &what);
    let want = expected(version, form);
    assert!(
        want.len() > 1000,
        "{what}: expected output is too small to test anything"
    );
    assert_same(&got, &want, &what);
}

#[test]
fn sort_by_goroutine_equals_upstream() {
    for v in STABLE {
        check_form(v, "goroutine", &["-sort=goroutine"]);
    }
}

/// Every event with its stack: each stack's lines are rendered once per
/// generation and copied after, and the Go 1.22+ fixtures have two
/// generations whose stack IDs name different stacks.
#[test]
fn stacks_equal_upstream() {
    for v in STABLE {
        check_form(v, "stacks", &["-stacks"]);
    }
}

#[test]
fn match_equals_upstream() {
    for v in GENERATED {
        let m = format!("-match={MATCH}");
        check_form(v, "match", &["-stacks", &m]);
    }
}

#[test]
fn gnu_spelling_and_stdin_give_the_same_output() {
    let t = trace("1.27");
    let go_style = etgrep(&["-input", &t, "-stacks", "-goroutine=1"]);
    let gnu_style = etgrep(&["--input", &t, "--stacks", "--goroutine", "1"]);
    assert!(go_style.status.success());
    assert!(!go_style.stdout.is_empty());
    assert_eq!(go_style.stdout, gnu_style.stdout);

    let from_stdin = Command::new(env!("CARGO_BIN_EXE_etgrep"))
        .args(["-input", "-", "-stacks", "-goroutine=1"])
        .env("TZ", "UTC")
        .stdin(std::fs::File::open(&t).unwrap())
        .output()
        .unwrap();
    assert_eq!(from_stdin.stdout, go_style.stdout);
}

#[test]
fn filters_select_what_they_say() {
    let t = trace("1.25");
    let out = etgrep(&["-input", &t, "-goroutine", "1"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().count() > 10);
    for line in text.lines() {
        assert!(
            line.contains(" G=1 ") || line.contains(" GoID=1 "),
            "{line}"
        );
    }
    let first_time = text.lines().nth(3).unwrap().split("Time=").nth(1).unwrap();
    let time = first_time.split(' ').next().unwrap();
    let out = etgrep(&["-input", &t, "-time", time]);
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);
}

#[test]
fn older_event_names_are_accepted_in_match() {
    let t = trace("1.27");
    let out = etgrep(&["-input", &t, r#"-match=GoBlockSync "**""#]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().count() > 10, "too few mutex waits");
    for line in text.lines() {
        assert!(line.contains("Running->Waiting Reason=\"sync\""), "{line}");
    }
    let kind = etgrep(&["-input", &t, r#"-match=StateTransition "**""#]);
    let sync_lines = String::from_utf8(kind.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.contains("Running->Waiting Reason=\"sync\""))
        .count();
    assert_eq!(text.lines().count(), sync_lines);
    let bad = etgrep(&["-input", &t, "-match=GoSysBlock"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Writes `data` to a temporary file named after the test case.
fn temp_trace(name: &str, data: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("etgrep-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path
}

fn assert_fails_with_offset(path: &Path, message: &str) {
    let out = etgrep(&["-input", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(path.to_str().unwrap()),
        "error does not name the file: {err}"
    );
    assert!(
        err.contains("at byte offset "),
        "error has no offset: {err}"
    );
    assert!(err.contains(message), "want {message:?} in {err}");
}

#[test]
fn bad_input_is_an_error_with_file_and_offset() {
    let good = std::fs::read(trace("1.27")).unwrap();
    let truncated = temp_trace("truncated.trace", &good[..good.len() / 3]);
    assert_fails_with_offset(&truncated, "failed to read full batch");

    let mut corrupt = good.clone();
    let at = good.len() / 2;
    corrupt[at..at + 64].fill(0xdd);
    let corrupt = temp_trace("corrupt.trace", &corrupt);
    let out = etgrep(&["-input", corrupt.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at byte offset"));

    let old_format = std::fs::read(trace("1.21")).unwrap();
    let truncated = temp_trace("truncated-v1.trace", &old_format[..old_format.len() - 500]);
    assert_fails_with_offset(&truncated, "failed to read trace");

    let header = temp_trace("header.trace", b"hello, world, this is not a trace");
    assert_fails_with_offset(&header, "bad file format: not a Go execution trace?");
    let version = temp_trace("version.trace", b"go 1.99 trace\0\0\0");
    assert_fails_with_offset(&version, "unknown or unsupported trace version go 1.99");
    let old = temp_trace("old.trace", b"go 1.9 trace\0\0\0\0");
    assert_fails_with_offset(&old, "unsupported trace version go 1.9");

    let out = etgrep(&["-input", "/nonexistent/trace"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/trace"));
}

/// A trace cut inside its last generation: etgrep prints the events Go
/// prints before its error (for an error reading a generation, ending with
/// a Sync the reader adds), exits 1 and names the offset. (Checked by hand against
/// `go tool trace -d=parsed`, which prints the same lines for these cuts.)
#[test]
fn truncated_trace_prints_what_go_prints_before_the_error() {
    for v in ["1.22", "1.25", "1.27"] {
        let good = std::fs::read(trace(v)).unwrap();
        let want = String::from_utf8(expected(v, "plain")).unwrap();
        for cut in [500, 3000] {
            let path = temp_trace(&format!("cut-{v}-{cut}.trace"), &good[..good.len() - cut]);
            let out = etgrep(&["-input", path.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(1), "go{v} -{cut}");
            assert!(String::from_utf8_lossy(&out.stderr).contains("at byte offset"));
            let got = String::from_utf8(out.stdout).unwrap();
            let lines: Vec<&str> = got.lines().collect();
            assert!(
                lines.len() > 10_000,
                "go{v} -{cut}: only {} lines",
                lines.len()
            );
            let (last, before) = lines.split_last().unwrap();
            for (i, (g, w)) in before.iter().zip(want.lines()).enumerate() {
                assert_eq!(g, &w, "go{v} -{cut}: line {}", i + 1);
            }
            let same_as_full = want.lines().nth(before.len()) == Some(last);
            assert!(
                same_as_full || last.contains(" Sync "),
                "go{v} -{cut}: {last}"
            );
        }
    }
}

/// `-unblockers`: a goroutine's events come with those of the other
/// goroutines that created or unblocked it, in time order among its own;
/// without `-goroutine` the flag is an error (exit 1, as a missing
/// `-input` is).
#[test]
fn unblockers_join_the_goroutine_story() {
    for v in ["http-go1.21", "http-go1.25", "crit-go1.25"] {
        let t = testdata().join(format!("traces/{v}.trace"));
        let t = t.to_str().unwrap();
        let all = String::from_utf8(succeeded(etgrep(&["-input", t]), v)).unwrap();
        // A goroutine woken by another: `G=X ... GoID=N Waiting->Runnable`.
        let field = |l: &str, k: &str| -> Option<i64> {
            let rest = &l[l.find(k)? + k.len()..];
            rest.split(' ').next()?.parse().ok()
        };
        let woken = all
            .lines()
            .filter(|l| l.contains("Waiting->Runnable"))
            .find_map(|l| {
                let (by, n) = (field(l, " G=")?, field(l, " GoID=")?);
                (by > 0 && by != n).then_some(n)
            })
            .expect("a goroutine woken by another");
        let n = woken.to_string();
        let plain =
            String::from_utf8(succeeded(etgrep(&["-input", t, "-goroutine", &n]), v)).unwrap();
        let with = etgrep(&["-input", t, "-goroutine", &n, "-unblockers"]);
        let with = String::from_utf8(succeeded(with, v)).unwrap();
        let added: Vec<&str> = with.lines().filter(|l| !plain.contains(*l)).collect();
        assert!(!added.is_empty(), "{v}: nothing added for g{n}");
        for l in &added {
            assert_eq!(field(l, " GoID="), Some(woken), "{v}: {l}");
            assert_ne!(field(l, " G="), Some(woken), "{v}: {l}");
            assert!(l.contains("->Runnable"), "{v}: {l}");
        }
        // Every wake-up by another goroutine is there, in time order.
        let wakes = all
            .lines()
            .filter(|l| l.contains("->Runnable") && field(l, " GoID=") == Some(woken))
            .filter(|l| field(l, " G=").is_some_and(|g| g != woken && g != -1))
            .filter(|l| l.contains("Waiting->") || l.contains("NotExist->"))
            .count();
        assert_eq!(added.len(), wakes, "{v}");
        let times: Vec<i64> = with.lines().filter_map(|l| field(l, " Time=")).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{v}");
        assert_eq!(plain.lines().count() + added.len(), with.lines().count());
    }
    let t = testdata().join("traces/http-go1.25.trace");
    let bad = etgrep(&["-input", t.to_str().unwrap(), "-unblockers"]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("-unblockers needs -goroutine N"), "{err}");
}
