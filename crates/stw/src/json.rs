//! `-json`: one JSON object per pause, on one line, for `jq` and `sort`
//! over many traces.
//!
//! Fields, in this order:
//! - `trace`: the input's name;
//! - `kind`: why the world stopped (`GC mark termination`, ...);
//! - `start_ns`: the request's time from the trace's first event (the
//!   summary line's `@`, in ns);
//! - `pre_stop_ns`, `stopped_ns`, `post_stop_ns`: the phase lengths in ns
//!   (the summary line's three numbers, untruncated);
//! - `total_ns`: from the request to the range end;
//! - `idle_seen`: whether a moment with one P executing was seen; when
//!   not, the phase lengths are upstream's (idle taken as time 0: a huge
//!   negative `pre_stop_ns`);
//! - `sample_count`: the CPU samples taken during the range (the summary
//!   line's count);
//! - `samples`: the samples each phase counts (as `-print-stacks` and the
//!   profile count them, `-grace` applied), each with `phase`
//!   (`pre-stop`, `stopped`, `post-stop`), `offset_ns` from the phase's
//!   start, `g` (-1 for none) and `func`, the leaf function (empty for an
//!   empty stack).

use crate::detect::Pause;
use crate::phase::{Phase, Placed};
use serde::Serialize;

#[derive(Serialize)]
struct Line<'a> {
    trace: &'a str,
    kind: &'a str,
    start_ns: i64,
    pre_stop_ns: i64,
    stopped_ns: i64,
    post_stop_ns: i64,
    total_ns: i64,
    idle_seen: bool,
    sample_count: usize,
    samples: Vec<SampleJson<'a>>,
}

#[derive(Serialize)]
struct SampleJson<'a> {
    phase: &'static str,
    offset_ns: i64,
    g: i64,
    func: &'a str,
}

/// Appends the pause's JSON line (with its newline), naming its trace.
pub fn write_pause(out: &mut String, trace: &str, p: &Pause, placed: &[Placed<'_>]) {
    let line = Line {
        trace,
        kind: &p.kind,
        start_ns: p.request - p.first,
        pre_stop_ns: p.length(Phase::PreStop),
        stopped_ns: p.length(Phase::Stopped),
        post_stop_ns: p.length(Phase::PostStop),
        total_ns: p.end - p.request,
        idle_seen: p.idle.is_some(),
        sample_count: p.samples.len(),
        samples: placed
            .iter()
            .map(|s| SampleJson {
                phase: s.phase.name(),
                offset_ns: s.offset,
                g: s.sample.goroutine,
                func: s.sample.frames.first().map_or("", |f| f.func.as_str()),
            })
            .collect(),
    };
    // Serializing plain strings and numbers cannot fail.
    if let Ok(text) = serde_json::to_string(&line) {
        out.push_str(&text);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Frame, Sample};

    #[test]
    fn one_line_per_pause_with_each_counted_sample() {
        let p = Pause {
            kind: "GC mark termination".into(),
            first: 100,
            request: 1000,
            idle: Some(2000),
            resume: 3000,
            end: 4500,
            samples: vec![
                Sample {
                    time: 2500,
                    goroutine: 7,
                    frames: vec![Frame {
                        func: "runtime.gcMarkTermination".into(),
                        file: "mgc.go".into(),
                        line: 1,
                        pc: 1,
                    }],
                },
                Sample {
                    time: 4500,
                    goroutine: -1,
                    frames: Vec::new(),
                },
            ],
        };
        let mut out = String::new();
        write_pause(&mut out, "x \"y\".trace", &p, &p.placed(0));
        assert_eq!(
            out,
            concat!(
                r#"{"trace":"x \"y\".trace","kind":"GC mark termination","start_ns":900,"#,
                r#""pre_stop_ns":1000,"stopped_ns":1000,"post_stop_ns":1500,"total_ns":3500,"#,
                r#""idle_seen":true,"sample_count":2,"samples":[{"phase":"stopped","#,
                r#""offset_ns":500,"g":7,"func":"runtime.gcMarkTermination"}]}"#,
                "\n"
            )
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["samples"][0]["phase"], "stopped");
    }
}
