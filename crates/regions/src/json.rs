//! JSON lines for spans and summaries, byte-compatible with Go's
//! `encoding/json` output of upstream's `cluster.Span` and
//! `cluster.TreeSummary` (compact, fields in order, sorted map keys,
//! Go's string escaping); optionally led by a `"Trace"` field naming the
//! input file.

use crate::spans::Span;
use crate::summary::Summary;
use gocompat::json::write_str;
use std::fmt::Write;

fn write_list(out: &mut String, list: &[i64]) {
    if list.is_empty() {
        out.push_str("null");
        return;
    }
    out.push('[');
    for (i, v) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{v}");
    }
    out.push(']');
}

fn write_map<'a, V: 'a>(
    out: &mut String,
    map: impl IntoIterator<Item = (&'a String, &'a V)>,
    mut value: impl FnMut(&mut String, &V),
) {
    out.push('{');
    for (i, (k, v)) in map.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, k);
        out.push(':');
        value(out, v);
    }
    out.push('}');
}

fn open(out: &mut String, trace: Option<&str>) {
    out.push('{');
    if let Some(name) = trace {
        out.push_str("\"Trace\":");
        write_str(out, name);
        out.push(',');
    }
}

/// Appends a span tree as one JSON object.
pub fn write_span(out: &mut String, span: &Span, trace: Option<&str>) {
    open(out, trace);
    let _ = write!(out, "\"G\":{},\"Kind\":", span.g);
    write_str(out, &span.kind);
    let _ = write!(
        out,
        ",\"StartNs\":{},\"LengthNs\":{},\"StartRun\":",
        span.start_ns, span.length_ns
    );
    write_list(out, &span.start_run);
    out.push_str(",\"StartAssist\":");
    write_map(out, &span.start_assist, |o, l| write_list(o, l));
    out.push_str(",\"StartWait\":");
    write_map(out, &span.start_wait, |o, l| write_list(o, l));
    out.push_str(",\"Caused\":");
    if span.caused.is_empty() {
        out.push_str("null");
    } else {
        out.push('[');
        for (i, c) in span.caused.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_span(out, c, None);
        }
        out.push(']');
    }
    out.push('}');
}

/// Appends a summary as one JSON object.
pub fn write_summary(out: &mut String, s: &Summary<'_>, trace: Option<&str>) {
    open(out, trace);
    let num = |o: &mut String, v: &i64| {
        let _ = write!(o, "{v}");
    };
    let _ = write!(
        out,
        "\"LengthNs\":{},\"TotalRunNs\":{},\"TotalAssistNs\":",
        s.length_ns, s.total_run_ns
    );
    write_map(out, &s.total_assist_ns, num);
    let _ = write!(out, ",\"FlatRunNs\":{},\"FlatAssistNs\":", s.flat_run_ns);
    write_map(out, &s.flat_assist_ns, num);
    out.push_str(",\"FlatWaitNs\":");
    write_map(out, &s.flat_wait_ns, num);
    out.push_str(",\"Flat\":");
    write_span(out, &s.flat, None);
    out.push_str(",\"Root\":");
    write_span(out, s.root, None);
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Upstream's README line (reference 2.8), byte for byte.
    #[test]
    fn span_line() {
        let child = Span {
            g: 78,
            kind: "net/http.(*connReader).backgroundRead".into(),
            start_ns: 15045106,
            length_ns: 886,
            start_run: vec![0],
            start_wait: [("cpu".to_string(), vec![-665])].into(),
            ..Span::default()
        };
        let root = Span {
            g: 84,
            kind: "server/http_write".into(),
            start_ns: 15037820,
            length_ns: 8443,
            start_run: vec![0, 8443],
            start_wait: [
                ("cond".to_string(), vec![7015]),
                ("cpu".to_string(), vec![8024]),
            ]
            .into(),
            caused: vec![child],
            ..Span::default()
        };
        let mut s = String::new();
        write_span(&mut s, &root, None);
        assert_eq!(
            s,
            r#"{"G":84,"Kind":"server/http_write","StartNs":15037820,"LengthNs":8443,"StartRun":[0,8443],"StartAssist":{},"StartWait":{"cond":[7015],"cpu":[8024]},"Caused":[{"G":78,"Kind":"net/http.(*connReader).backgroundRead","StartNs":15045106,"LengthNs":886,"StartRun":[0],"StartAssist":{},"StartWait":{"cpu":[-665]},"Caused":null}]}"#
        );
        let mut t = String::new();
        write_span(&mut t, &Span::default(), Some("a.trace"));
        assert!(t.starts_with(
            r#"{"Trace":"a.trace","G":0,"Kind":"","StartNs":0,"LengthNs":0,"StartRun":null,"#
        ));
    }
}
