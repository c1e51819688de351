//! A critical path as one JSON line (no newline):
//! `{"Trace"?,"Root":{"G","Kind","StartNs","LengthNs"},"Path":[{"G","State","Reason"?,"StartNs","LengthNs","Func"?},...],"ByState":{...}}`,
//! compact, in Go `encoding/json`'s spelling (string escaping, sorted map
//! keys).

use super::{CriticalPath, reason_name};
use gocompat::json::write_str;
use std::fmt::Write as _;
use std::io;

/// The JSON text of `path`, led by a `"Trace"` field when `trace` is given.
pub fn line(path: &CriticalPath, trace: Option<&str>) -> String {
    let mut out = String::with_capacity(128 + 96 * path.segments.len());
    out.push('{');
    if let Some(t) = trace {
        out.push_str("\"Trace\":");
        write_str(&mut out, t);
        out.push(',');
    }
    let r = &path.root;
    let _ = write!(out, "\"Root\":{{\"G\":{},\"Kind\":", r.g);
    write_str(&mut out, &r.kind);
    let _ = write!(
        out,
        ",\"StartNs\":{},\"LengthNs\":{}}},\"Path\":[",
        r.start_ns, r.length_ns
    );
    for (i, s) in path.segments.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{{\"G\":{},\"State\":\"{}\"", s.g, s.state.name());
        if s.state == super::State::Waiting {
            out.push_str(",\"Reason\":");
            write_str(&mut out, reason_name(s.reason));
        }
        let _ = write!(
            out,
            ",\"StartNs\":{},\"LengthNs\":{}",
            s.start_ns, s.length_ns
        );
        if let Some(f) = s.func() {
            out.push_str(",\"Func\":");
            write_str(&mut out, f);
        }
        out.push('}');
    }
    out.push_str("],\"ByState\":{");
    for (i, (k, v)) in path.by_state().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(&mut out, k);
        let _ = write!(out, ":{v}");
    }
    out.push_str("}}");
    out
}

/// Writes [`line`] (no newline).
pub fn write(out: &mut dyn io::Write, path: &CriticalPath, trace: Option<&str>) -> io::Result<()> {
    out.write_all(line(path, trace).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::super::{Root, Segment, State};
    use super::*;
    use gotrace::vocab::Reason;

    /// The fields in order, optional ones only where they apply, and the
    /// sums by state sorted by key.
    #[test]
    fn one_line() {
        let seg = |g, state, reason, start_ns, length_ns, stack: &[&str]| Segment {
            g,
            state,
            reason,
            start_ns,
            length_ns,
            stack: stack.iter().map(|&f| f.into()).collect(),
        };
        let path = CriticalPath {
            root: Root {
                g: 7,
                kind: "server/http".into(),
                start_ns: 100,
                length_ns: 60,
            },
            segments: vec![
                seg(
                    7,
                    State::Running,
                    None,
                    100,
                    10,
                    &["runtime.gopark", "main.h"],
                ),
                seg(9, State::Waiting, Some(Reason::Network), 110, 30, &[]),
                seg(9, State::Running, None, 140, 5, &["main.w"]),
                seg(7, State::Runnable, None, 145, 15, &[]),
            ],
        };
        assert_eq!(
            line(&path, Some("a\"b")),
            concat!(
                r#"{"Trace":"a\"b","Root":{"G":7,"Kind":"server/http","StartNs":100,"LengthNs":60},"Path":["#,
                r#"{"G":7,"State":"running","StartNs":100,"LengthNs":10,"Func":"main.h"},"#,
                r#"{"G":9,"State":"waiting","Reason":"network","StartNs":110,"LengthNs":30},"#,
                r#"{"G":9,"State":"running","StartNs":140,"LengthNs":5,"Func":"main.w"},"#,
                r#"{"G":7,"State":"runnable","StartNs":145,"LengthNs":15}],"#,
                r#""ByState":{"runnable":15,"running":15,"waiting:network":30}}"#
            )
        );
    }
}
