//! etviz's input: a stream of `regiongraph -json -summarize` values,
//! decoded as Go's encoding/json decodes them into upstream's types: field
//! names matched exactly or else ignoring case, unknown fields ignored,
//! `null` lists and maps read as empty. Spans of
//! `net/http.(*connReader).backgroundRead` are removed with their subtrees,
//! as upstream does before drawing.

use crate::error::{Error, SummaryProblem};
use crate::spans::{Reasons, Span};
use serde_json::{Map, Value};

/// The spans etviz leaves out (with their subtrees).
const REJECTED_KIND: &str = "net/http.(*connReader).backgroundRead";

/// What etviz uses of one summary line.
#[derive(Debug, Clone)]
pub struct VizSummary {
    /// The tree's duration.
    pub length_ns: i64,
    /// Its CPU time.
    pub total_run_ns: i64,
    /// Its flattened timeline.
    pub flat: Span,
    /// The tree, without the spans etviz leaves out.
    pub root: Span,
}

/// A field, by exact name or else case-insensitively (ASCII), as Go finds it.
fn field<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn int(obj: &Map<String, Value>, name: &str) -> Result<i64, String> {
    match field(obj, name) {
        None | Some(Value::Null) => Ok(0),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| format!("{name}: want an integer, got {v}")),
    }
}

fn ints(v: Option<&Value>, name: &str) -> Result<Vec<i64>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_i64()
                    .ok_or_else(|| format!("{name}: want integers, got {x}"))
            })
            .collect(),
        Some(v) => Err(format!("{name}: want a list, got {v}")),
    }
}

fn lists(obj: &Map<String, Value>, name: &str) -> Result<Reasons, String> {
    match field(obj, name) {
        None | Some(Value::Null) => Ok(Reasons::default()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| Ok((k.clone(), ints(Some(v), name)?)))
            .collect(),
        Some(v) => Err(format!("{name}: want an object, got {v}")),
    }
}

fn span(v: &Value) -> Result<Span, String> {
    let Value::Object(obj) = v else {
        return Err(format!("want a span object, got {v}"));
    };
    let kind = match field(obj, "Kind") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => return Err(format!("Kind: want a string, got {v}")),
    };
    let caused = match field(obj, "Caused") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().map(span).collect::<Result<_, _>>()?,
        Some(v) => return Err(format!("Caused: want a list, got {v}")),
    };
    Ok(Span {
        g: int(obj, "G")?,
        kind,
        start_ns: int(obj, "StartNs")?,
        length_ns: int(obj, "LengthNs")?,
        start_run: ints(field(obj, "StartRun"), "StartRun")?,
        start_assist: lists(obj, "StartAssist")?,
        start_wait: lists(obj, "StartWait")?,
        caused,
    })
}

fn summary(v: &Value) -> Result<VizSummary, String> {
    let Value::Object(obj) = v else {
        return Err(format!("want a summary object, got {v}"));
    };
    let part = |name| match field(obj, name) {
        None | Some(Value::Null) => Err(format!(
            "not a summary (no {name}); use regiongraph -json -summarize"
        )),
        Some(v) => span(v).map_err(|e| format!("{name}: {e}")),
    };
    Ok(VizSummary {
        length_ns: int(obj, "LengthNs")?,
        total_run_ns: int(obj, "TotalRunNs")?,
        flat: part("Flat")?,
        root: part("Root")?,
    })
}

/// Removes rejected spans (and their subtrees) below `span`.
fn filter(span: &mut Span) {
    span.caused.retain(|c| c.kind != REJECTED_KIND);
    span.caused.iter_mut().for_each(filter);
}

/// Reads a stream of summary JSON values (whitespace-separated). Summaries
/// whose root is rejected are skipped. Errors give the byte offset (of the
/// bad JSON, or of the value that does not fit).
pub fn read_summaries(input: &str) -> Result<Vec<VizSummary>, Error> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(input).into_iter::<Value>();
    loop {
        let end = stream.byte_offset();
        let at = input.len() - input[end..].trim_start().len();
        let Some(next) = stream.next() else { break };
        let v = next.map_err(|e| Error::Summaries {
            offset: error_offset(input, &e) as u64,
            problem: SummaryProblem::Json(e),
        })?;
        let mut s = summary(&v).map_err(|e| Error::Summaries {
            offset: at as u64,
            problem: SummaryProblem::Shape(e),
        })?;
        if s.root.kind == REJECTED_KIND {
            continue;
        }
        filter(&mut s.root);
        out.push(s);
    }
    Ok(out)
}

/// The byte offset of a JSON error's line and column.
fn error_offset(input: &str, e: &serde_json::Error) -> usize {
    let line_start: usize = input
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + e.column().saturating_sub(1)).min(input.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_go() {
        let line = r#"{"lengthns":5,"TotalRunNs":null,"Trace":"a","flat":{"g":3,"kind":"k","startNs":7,"StartWait":{"cpu":null},"Caused":null},"Root":{"G":3,"Kind":"k","StartNs":7,"Caused":[{"Kind":"net/http.(*connReader).backgroundRead"},{"Kind":"x","StartRun":[1,2]}]}}"#;
        let s = read_summaries(line).unwrap();
        assert_eq!((s[0].length_ns, s[0].total_run_ns), (5, 0));
        assert_eq!((s[0].flat.g, s[0].flat.start_ns), (3, 7));
        assert_eq!(s[0].flat.start_wait["cpu"], Vec::<i64>::new());
        assert_eq!(s[0].root.caused.len(), 1, "backgroundRead is filtered");
        assert_eq!(s[0].root.caused[0].start_run, [1, 2]);
        let rejected = r#"{"Flat":{},"Root":{"Kind":"net/http.(*connReader).backgroundRead"}}"#;
        assert!(read_summaries(rejected).unwrap().is_empty());
    }

    #[test]
    fn errors_name_the_offset() {
        let e = read_summaries("{\"LengthNs\":1}\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("byte offset 0") && e.contains("-summarize"),
            "{e}"
        );
        let e = read_summaries("{\"LengthNs\":1,\"Flat\":{},\"Root\":{}}\n{\"LengthNs\":x}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("byte offset 47"), "{e}");
        let e = read_summaries("\n  {\"LengthNs\":1}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("byte offset 3"), "{e}");
        let e = read_summaries("{\"Flat\":{},\"Root\":{\"G\":\"x\"}}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("Root: G: want an integer"), "{e}");
    }
}
