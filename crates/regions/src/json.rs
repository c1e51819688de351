//! JSON lines for spans and summaries, byte-compatible with Go's
//! `encoding/json` output of upstream's `cluster.Span` and
//! `cluster.TreeSummary` (compact, fields in order, sorted map keys,
//! Go's string escaping); optionally led by a `"Trace"` field naming the
//! input file.

use crate::spans::Span;
use crate::summary::Summary;
use gocompat::json::write_str;
use std::fmt::Write;
use std::io;

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

/// Text of one JSON value on its way to a writer, handed over in chunks so
/// that a value as large as a deep tree is never held whole.
struct Chunks<'a> {
    buf: String,
    out: &'a mut dyn io::Write,
}

impl Chunks<'_> {
    /// Hands the text over once there is enough of it.
    fn spill(&mut self) -> io::Result<()> {
        if self.buf.len() >= 1 << 16 {
            self.out.write_all(self.buf.as_bytes())?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Hands the rest over.
    fn finish(self) -> io::Result<()> {
        self.out.write_all(self.buf.as_bytes())
    }
}

fn open(out: &mut String, trace: Option<&str>) {
    out.push('{');
    if let Some(name) = trace {
        out.push_str("\"Trace\":");
        write_str(out, name);
        out.push(',');
    }
}

/// A span's fields up to its children: `..."Caused":null}` when it has
/// none, else `..."Caused":[` (the caller goes on with them).
fn fields(out: &mut String, span: &Span) {
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
    out.push_str(if span.caused.is_empty() { "null}" } else { "[" });
}

/// Writes a span tree as one JSON object, in pre-order with an explicit
/// stack (trees are as deep as the trace's chains).
fn tree(c: &mut Chunks<'_>, span: &Span, trace: Option<&str>) -> io::Result<()> {
    open(&mut c.buf, trace);
    fields(&mut c.buf, span);
    // Per open list of children: those left, and whether one was written.
    let mut stack = vec![(span.caused.iter(), false)];
    while let Some((kids, started)) = stack.last_mut() {
        let Some(kid) = kids.next() else {
            stack.pop();
            if !stack.is_empty() || !span.caused.is_empty() {
                c.buf.push_str("]}");
            }
            continue;
        };
        if std::mem::replace(started, true) {
            c.buf.push(',');
        }
        c.buf.push('{');
        fields(&mut c.buf, kid);
        if !kid.caused.is_empty() {
            stack.push((kid.caused.iter(), false));
        }
        c.spill()?;
    }
    Ok(())
}

/// Writes a span tree as one JSON object (no newline).
pub fn write_span(out: &mut dyn io::Write, span: &Span, trace: Option<&str>) -> io::Result<()> {
    let mut c = Chunks {
        buf: String::new(),
        out,
    };
    tree(&mut c, span, trace)?;
    c.finish()
}

/// Writes a summary as one JSON object (no newline).
pub fn write_summary(
    out: &mut dyn io::Write,
    s: &Summary<'_>,
    trace: Option<&str>,
) -> io::Result<()> {
    let mut c = Chunks {
        buf: String::new(),
        out,
    };
    let out = &mut c.buf;
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
    tree(&mut c, &s.flat, None)?;
    c.buf.push_str(",\"Root\":");
    tree(&mut c, s.root, None)?;
    c.buf.push('}');
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_line(span: &Span, trace: Option<&str>) -> String {
        let mut out = Vec::new();
        write_span(&mut out, span, trace).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Upstream's README line (reference 2.8), byte for byte.
    #[test]
    fn reference_span_line() {
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
            caused: vec![child].into(),
            ..Span::default()
        };
        let s = span_line(&root, None);
        assert_eq!(
            s,
            r#"{"G":84,"Kind":"server/http_write","StartNs":15037820,"LengthNs":8443,"StartRun":[0,8443],"StartAssist":{},"StartWait":{"cond":[7015],"cpu":[8024]},"Caused":[{"G":78,"Kind":"net/http.(*connReader).backgroundRead","StartNs":15045106,"LengthNs":886,"StartRun":[0],"StartAssist":{},"StartWait":{"cpu":[-665]},"Caused":null}]}"#
        );
        let t = span_line(&Span::default(), Some("a.trace"));
        assert!(t.starts_with(
            r#"{"Trace":"a.trace","G":0,"Kind":"","StartNs":0,"LengthNs":0,"StartRun":null,"#
        ));
    }
}
