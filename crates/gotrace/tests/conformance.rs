//! The reader against Go's own parser on the committed fixture traces: the
//! events [`Reader`] yields, rendered by [`gotrace::format`], equal
//! `go tool trace -d=parsed` (`testdata/expected/*.plain.txt.gz`) and, with
//! their stacks, upstream etgrep's `-stacks` output (`*.stacks.txt.gz`).
//!
//! Wall-clock times print in the local time zone and the expected outputs
//! have them in UTC, so this test runs without the test harness: `main`
//! sets `TZ=UTC` while it is the only thread, then runs each check.

use gotrace::{Reader, format};
use testkit::{assert_same, gunzip, testdata};

/// All fixtures whose Go output is stable: the generated ones (one per
/// format version) and a Go 1.11 trace from Go's own tests.
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

fn expected(version: &str, form: &str) -> Vec<u8> {
    gunzip(&testdata().join(format!("expected/go{version}.{form}.txt.gz")))
}

fn trace(version: &str) -> Vec<u8> {
    let path = testdata().join(format!("traces/go{version}.trace"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every event of `data`, one line each (with its stack's lines when
/// `stacks`), and the error that ended the reading, if one did.
fn render(data: &[u8], stacks: bool) -> (Vec<u8>, Option<gotrace::Error>) {
    let mut out = Vec::new();
    let mut reader = match Reader::new(data) {
        Ok(r) => r,
        Err(e) => return (out, Some(e)),
    };
    loop {
        match reader.read_event() {
            Ok(Some(ev)) => {
                format::write_event_line(&ev, &mut out);
                out.push(b'\n');
                if stacks {
                    format::write_stack_lines(&ev, &mut out);
                }
            }
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e)),
        }
    }
}

fn check_form(version: &str, form: &str, stacks: bool) {
    let what = format!("go{version} {form}");
    let (got, err) = render(&trace(version), stacks);
    assert!(err.is_none(), "{what}: {err:?}");
    let want = expected(version, form);
    assert!(
        want.len() > 1000,
        "{what}: expected output is too small to test anything"
    );
    assert_same(&got, &want, &what);
}

fn plain_output_equals_go_tool_trace() {
    for v in STABLE {
        check_form(v, "plain", false);
    }
}

fn stacks_equal_upstream() {
    for v in STABLE {
        check_form(v, "stacks", true);
    }
}

/// Go's own order is not stable on these traces (goroutines that existed
/// before tracing began come out in map order): a Go 1.11 trace, and a Go
/// 1.21 one that opens with thousands of runnable goroutines, whose
/// creation events convert to nothing (more of them than the reader
/// converts at a time). Ours must be the same every time, and hold the
/// same events as Go's, up to their order and the 1 ns bumps that order
/// causes.
fn unstable_go_order_gives_same_events_deterministically() {
    for name in ["1.11-startstop", "1.21-runnable"] {
        same_events_deterministically(name);
    }
}

fn same_events_deterministically(name: &str) {
    let t = trace(name);
    let (first, err) = render(&t, true);
    assert!(err.is_none(), "{err:?}");
    for _ in 0..3 {
        assert_eq!(render(&t, true).0, first);
    }
    let strip = |text: &[u8]| {
        let text = String::from_utf8_lossy(text);
        let mut lines: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("M="))
            .map(|l| {
                let (head, rest) = l.split_once(" Time=").unwrap();
                let rest = rest.split_once(' ').map_or("", |r| r.1);
                format!("{head} {rest}")
            })
            .collect();
        lines.sort();
        lines
    };
    let ours = strip(&render(&t, false).0);
    assert!(ours.len() > 500, "{name}");
    assert_eq!(ours, strip(&expected(name, "plain")), "{name}");
}

/// A trace cut inside its last generation: the reader yields the events Go
/// prints before its error (for an error reading a generation, ending with
/// a Sync the reader adds), then an error that names the byte offset.
fn truncated_trace_yields_what_go_yields_before_the_error() {
    for v in ["1.22", "1.25", "1.27"] {
        let good = trace(v);
        let want = String::from_utf8(expected(v, "plain")).unwrap();
        for cut in [500, 3000] {
            let (got, err) = render(&good[..good.len() - cut], false);
            let err = err.unwrap_or_else(|| panic!("go{v} -{cut}: no error"));
            assert!(err.offset().is_some(), "go{v} -{cut}: {err}");
            let got = String::from_utf8(got).unwrap();
            let lines: Vec<&str> = got.lines().collect();
            assert!(lines.len() > 10_000, "go{v} -{cut}: only {}", lines.len());
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

/// A Go ≤1.21 trace cut inside the stack and string tables the runtime
/// writes at its end: the reader yields the events it could read, as Go
/// yields them from the whole trace, then an error naming a byte offset;
/// never a silent end with the stacks missing.
fn truncated_v1_trace_ends_in_an_error() {
    for v in ["1.19", "1.21"] {
        let good = trace(v);
        let want = String::from_utf8(expected(v, "plain")).unwrap();
        let want: Vec<&str> = want.lines().collect();
        let mut most = 0;
        for cut in (1..3000).step_by(7) {
            let (got, err) = render(&good[..good.len() - cut], false);
            let err = err.unwrap_or_else(|| panic!("go{v} -{cut}: no error"));
            assert!(err.offset().is_some(), "go{v} -{cut}: {err}");
            let got = String::from_utf8(got).unwrap();
            for (i, (g, w)) in got.lines().zip(&want).enumerate() {
                assert_eq!(g, *w, "go{v} -{cut}: line {}", i + 1);
            }
            assert!(got.lines().count() < want.len(), "go{v} -{cut}");
            most = most.max(got.lines().count());
        }
        assert!(most > 100, "go{v}: at most {most} events before the error");
    }
}

fn main() {
    // SAFETY: no other thread exists yet, so nothing reads the environment
    // while it changes.
    unsafe { std::env::set_var("TZ", "UTC") };
    let checks: [(&str, fn()); 5] = [
        (
            "plain_output_equals_go_tool_trace",
            plain_output_equals_go_tool_trace,
        ),
        ("stacks_equal_upstream", stacks_equal_upstream),
        (
            "unstable_go_order_gives_same_events_deterministically",
            unstable_go_order_gives_same_events_deterministically,
        ),
        (
            "truncated_trace_yields_what_go_yields_before_the_error",
            truncated_trace_yields_what_go_yields_before_the_error,
        ),
        (
            "truncated_v1_trace_ends_in_an_error",
            truncated_v1_trace_ends_in_an_error,
        ),
    ];
    for (name, check) in checks {
        check();
        println!("test {name} ... ok");
    }
}
