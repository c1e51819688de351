//! etviz's input: a stream of `regiongraph -json -summarize` values,
//! decoded as Go's encoding/json decodes them into upstream's types: field
//! names matched exactly or else ignoring case (a later field of the same
//! name wins), unknown fields ignored, `null` lists and maps read as empty.
//! Spans of `net/http.(*connReader).backgroundRead` are removed with their
//! subtrees, as upstream does before drawing.
//!
//! Trees are as deep as the traces' chains, so the JSON is read without
//! recursion: each value is first checked whole ([`json_end`], a stack of
//! open brackets), then decoded with an explicit stack of the spans being
//! filled.

use crate::error::{Error, SummaryProblem};
use crate::spans::{Reasons, Span};

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

/// A JSON syntax error: its byte offset, and what was expected there.
type Syntax = (usize, String);

fn expected(at: usize, what: &str) -> Syntax {
    (at, format!("expected {what}"))
}

/// Skips JSON whitespace from `at`.
fn skip_ws(b: &[u8], mut at: usize) -> usize {
    while at < b.len() && matches!(b[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

/// The end of the string starting (at its quote) at `at`.
fn string_end(b: &[u8], at: usize) -> Result<usize, Syntax> {
    let mut i = at + 1;
    while i < b.len() {
        match b[i] {
            b'"' => return Ok(i + 1),
            b'\\' => match b.get(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                Some(b'u') => {
                    let hex = b.get(i + 2..i + 6).unwrap_or_default();
                    if hex.len() != 4 || !hex.iter().all(u8::is_ascii_hexdigit) {
                        return Err(expected(i, "four hex digits after \\u"));
                    }
                    i += 6;
                }
                _ => {
                    return Err(expected(
                        i,
                        "an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t, \\u)",
                    ));
                }
            },
            c if c < 0x20 => return Err((i, "control character in string".into())),
            _ => i += 1,
        }
    }
    Err((b.len(), "unterminated string".into()))
}

/// The end of the number starting at `at`.
fn number_end(b: &[u8], at: usize) -> Result<usize, Syntax> {
    let digits = |mut i: usize| {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i, i > start)
    };
    let mut i = at;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i).0,
        _ => return Err(expected(i, "a digit")),
    }
    if b.get(i) == Some(&b'.') {
        let (end, any) = digits(i + 1);
        if !any {
            return Err(expected(end, "a digit after the decimal point"));
        }
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let (end, any) = digits(i);
        if !any {
            return Err(expected(end, "a digit in the exponent"));
        }
        i = end;
    }
    Ok(i)
}

/// Checks the JSON value starting at `at` (not whitespace) and gives its
/// end. Containers are tracked on a stack of their closing brackets.
pub fn json_end(b: &[u8], at: usize) -> Result<usize, Syntax> {
    let mut open: Vec<u8> = Vec::new();
    let mut i = at;
    loop {
        // A value is due at `i`.
        i = skip_ws(b, i);
        match b.get(i) {
            Some(b'{') => {
                i = skip_ws(b, i + 1);
                if b.get(i) == Some(&b'}') {
                    i += 1;
                } else {
                    open.push(b'}');
                    i = key(b, i)?;
                    continue;
                }
            }
            Some(b'[') => {
                i = skip_ws(b, i + 1);
                if b.get(i) == Some(&b']') {
                    i += 1;
                } else {
                    open.push(b']');
                    continue;
                }
            }
            Some(b'"') => i = string_end(b, i)?,
            Some(b'-' | b'0'..=b'9') => i = number_end(b, i)?,
            Some(b't') if b[i..].starts_with(b"true") => i += 4,
            Some(b'f') if b[i..].starts_with(b"false") => i += 5,
            Some(b'n') if b[i..].starts_with(b"null") => i += 4,
            _ => return Err(expected(i, "a value")),
        }
        // After a value: close what ends here, then a separator.
        loop {
            let Some(&close) = open.last() else {
                return Ok(i);
            };
            i = skip_ws(b, i);
            match b.get(i) {
                Some(&c) if c == close => {
                    open.pop();
                    i += 1;
                }
                Some(b',') if close == b'}' => {
                    i = key(b, skip_ws(b, i + 1))?;
                    break;
                }
                Some(b',') => {
                    i += 1;
                    break;
                }
                _ if close == b'}' => return Err(expected(i, "',' or '}'")),
                _ => return Err(expected(i, "',' or ']'")),
            }
        }
    }
}

/// Checks an object key and its colon at `at`; gives where its value is.
fn key(b: &[u8], at: usize) -> Result<usize, Syntax> {
    if b.get(at) != Some(&b'"') {
        return Err(expected(at, "a string key"));
    }
    let i = skip_ws(b, string_end(b, at)?);
    if b.get(i) != Some(&b':') {
        return Err(expected(i, "':'"));
    }
    Ok(i + 1)
}

/// Reads JSON already checked by [`json_end`].
struct Cursor<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&mut self) -> u8 {
        self.at = skip_ws(self.s.as_bytes(), self.at);
        self.s.as_bytes().get(self.at).copied().unwrap_or(0)
    }

    fn eat(&mut self, c: u8) -> bool {
        let here = self.peek() == c;
        if here {
            self.at += 1;
        }
        here
    }

    /// The next value's text, skipped.
    fn skip(&mut self) -> &'a str {
        let start = skip_ws(self.s.as_bytes(), self.at);
        // Checked already: this cannot fail.
        let end = json_end(self.s.as_bytes(), start).unwrap_or(self.s.len());
        self.at = end;
        &self.s[start..end]
    }

    fn null(&mut self) -> bool {
        self.peek() == b'n' && {
            self.at += 4;
            true
        }
    }

    /// A string (the cursor at its quote), unescaped.
    fn string(&mut self) -> String {
        let text = self.skip();
        let inner = &text[1..text.len() - 1];
        if !inner.contains('\\') {
            return inner.to_string();
        }
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        let hex = |chars: &mut std::str::Chars<'_>| {
            let h: String = chars.take(4).collect();
            u32::from_str_radix(&h, 16).unwrap_or(0xfffd)
        };
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let e = match chars.next() {
                Some('b') => '\u{8}',
                Some('f') => '\u{c}',
                Some('n') => '\n',
                Some('r') => '\r',
                Some('t') => '\t',
                Some('u') => {
                    let mut u = hex(&mut chars);
                    // A surrogate pair, else the replacement character.
                    if (0xd800..0xdc00).contains(&u) && chars.as_str().starts_with("\\u") {
                        let mut ahead = chars.clone();
                        ahead.nth(1);
                        let lo = hex(&mut ahead);
                        if (0xdc00..0xe000).contains(&lo) {
                            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                            chars = ahead;
                        }
                    }
                    char::from_u32(u).unwrap_or('\u{fffd}')
                }
                Some(c) => c,
                None => break,
            };
            out.push(e);
        }
        out
    }

    /// The next key of an object, with the cursor after its colon; None at
    /// the object's end (consumed).
    fn key(&mut self) -> Option<String> {
        self.eat(b',');
        if self.eat(b'}') {
            return None;
        }
        let k = self.string();
        self.eat(b':');
        Some(k)
    }
}

/// Shows a value in an error, shortened.
fn shown(text: &str) -> String {
    let mut end = text.len().min(40);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if end < text.len() {
        format!("{}...", &text[..end])
    } else {
        text.to_string()
    }
}

/// Which of `names` a key stands for: exactly, or else ignoring case.
fn field<'n>(key: &str, names: &[&'n str]) -> Option<&'n str> {
    let exact = names.iter().find(|n| **n == key);
    exact
        .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(key)))
        .copied()
}

fn int(c: &mut Cursor<'_>, name: &str) -> Result<i64, String> {
    if c.null() {
        return Ok(0);
    }
    let text = c.skip();
    text.parse()
        .map_err(|_| format!("{name}: want an integer, got {}", shown(text)))
}

fn ints(c: &mut Cursor<'_>, name: &str) -> Result<Vec<i64>, String> {
    if c.null() {
        return Ok(Vec::new());
    }
    if !c.eat(b'[') {
        return Err(format!("{name}: want a list, got {}", shown(c.skip())));
    }
    let mut out = Vec::new();
    while !c.eat(b']') {
        c.eat(b',');
        let text = c.skip();
        let v = text
            .parse()
            .map_err(|_| format!("{name}: want integers, got {}", shown(text)))?;
        out.push(v);
    }
    Ok(out)
}

fn lists(c: &mut Cursor<'_>, name: &str) -> Result<Reasons, String> {
    if c.null() {
        return Ok(Reasons::default());
    }
    if c.peek() != b'{' {
        return Err(format!("{name}: want an object, got {}", shown(c.skip())));
    }
    c.at += 1;
    let mut out = Reasons::default();
    while let Some(k) = c.key() {
        *out.list(&k) = ints(c, name)?;
    }
    Ok(out)
}

/// Opens the object of a span, or says what is there instead.
fn open_span(c: &mut Cursor<'_>) -> Result<Span, String> {
    if c.eat(b'{') {
        Ok(Span::default())
    } else {
        Err(format!("want a span object, got {}", shown(c.skip())))
    }
}

const SPAN_FIELDS: [&str; 8] = [
    "G",
    "Kind",
    "StartNs",
    "LengthNs",
    "StartRun",
    "StartAssist",
    "StartWait",
    "Caused",
];

/// A span tree, the cursor at its object. The spans whose `Caused` lists
/// are being read wait on a stack.
fn span(c: &mut Cursor<'_>) -> Result<Span, String> {
    let mut parents: Vec<Span> = Vec::new();
    let mut cur = open_span(c)?;
    loop {
        let Some(k) = c.key() else {
            // `cur` is complete.
            let Some(mut parent) = parents.pop() else {
                return Ok(cur);
            };
            parent.caused.push(cur);
            if c.eat(b',') {
                parents.push(parent);
                cur = open_span(c)?;
            } else {
                c.eat(b']');
                cur = parent;
            }
            continue;
        };
        match field(&k, &SPAN_FIELDS) {
            Some("G") => cur.g = int(c, "G")?,
            Some("Kind") => {
                cur.kind = if c.null() {
                    String::new()
                } else if c.peek() == b'"' {
                    c.string()
                } else {
                    return Err(format!("Kind: want a string, got {}", shown(c.skip())));
                }
            }
            Some("StartNs") => cur.start_ns = int(c, "StartNs")?,
            Some("LengthNs") => cur.length_ns = int(c, "LengthNs")?,
            Some("StartRun") => cur.start_run = ints(c, "StartRun")?,
            Some("StartAssist") => cur.start_assist = lists(c, "StartAssist")?,
            Some("StartWait") => cur.start_wait = lists(c, "StartWait")?,
            Some(_) => {
                cur.caused.clear();
                if c.null() {
                    continue;
                }
                if !c.eat(b'[') {
                    return Err(format!("Caused: want a list, got {}", shown(c.skip())));
                }
                if !c.eat(b']') {
                    parents.push(cur);
                    cur = open_span(c)?;
                }
            }
            None => {
                c.skip();
            }
        }
    }
}

/// One summary value, checked as JSON already.
fn summary(text: &str) -> Result<VizSummary, String> {
    let mut c = Cursor { s: text, at: 0 };
    if !c.eat(b'{') {
        return Err(format!("want a summary object, got {}", shown(text)));
    }
    let (mut length_ns, mut total_run_ns) = (0, 0);
    let (mut flat, mut root) = (None, None);
    while let Some(k) = c.key() {
        match field(&k, &["LengthNs", "TotalRunNs", "Flat", "Root"]) {
            Some("LengthNs") => length_ns = int(&mut c, "LengthNs")?,
            Some("TotalRunNs") => total_run_ns = int(&mut c, "TotalRunNs")?,
            Some(name) => {
                let part = if c.null() {
                    None
                } else {
                    Some(span(&mut c).map_err(|e| format!("{name}: {e}"))?)
                };
                *(if name == "Flat" { &mut flat } else { &mut root }) = part;
            }
            None => {
                c.skip();
            }
        }
    }
    let missing = |name| format!("not a summary (no {name}); use regiongraph -json -summarize");
    Ok(VizSummary {
        length_ns,
        total_run_ns,
        flat: flat.ok_or_else(|| missing("Flat"))?,
        root: root.ok_or_else(|| missing("Root"))?,
    })
}

/// Removes rejected spans (and their subtrees) below `span`.
fn filter(span: &mut Span) {
    let mut stack = vec![span];
    while let Some(s) = stack.pop() {
        s.caused.retain(|c| c.kind != REJECTED_KIND);
        stack.extend(s.caused.iter_mut());
    }
}

/// Reads a stream of summary JSON values (whitespace-separated). Summaries
/// whose root is rejected are skipped. Errors give the byte offset (of the
/// bad JSON, or of the value that does not fit).
pub fn read_summaries(input: &str) -> Result<Vec<VizSummary>, Error> {
    let b = input.as_bytes();
    let mut out = Vec::new();
    let mut at = skip_ws(b, 0);
    while at < b.len() {
        let end = json_end(b, at).map_err(|(offset, problem)| Error::Summaries {
            offset: offset as u64,
            problem: SummaryProblem::Json(problem),
        })?;
        let mut s = summary(&input[at..end]).map_err(|e| Error::Summaries {
            offset: at as u64,
            problem: SummaryProblem::Shape(e),
        })?;
        at = skip_ws(b, end);
        if s.root.kind == REJECTED_KIND {
            continue;
        }
        filter(&mut s.root);
        out.push(s);
    }
    Ok(out)
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

    /// Escapes, unknown fields of any shape, and a later field of the same
    /// name, as Go reads them.
    #[test]
    fn strings_unknown_fields_and_repeats() {
        let line = r#"{"Flat":{"Kind":"a\"\\\/\n\u00e9\ud83d\ude00\ud800x"},"X":[{"Caused":[[1,{"a":null}]]},true,-1.5e3],"Root":{"G":1,"Caused":[{"G":2}],"caused":null,"g":4}}"#;
        let s = read_summaries(line).unwrap();
        assert_eq!(s[0].flat.kind, "a\"\\/\n\u{e9}\u{1f600}\u{fffd}x");
        assert_eq!(s[0].root.g, 4);
        assert!(s[0].root.caused.is_empty());
    }

    /// Trees far deeper than any recursion could follow are read (and
    /// dropped) with explicit stacks.
    #[test]
    fn deep_trees() {
        let depth = 200_000;
        let mut line = String::from(r#"{"Flat":{},"Root":"#);
        for g in 0..depth {
            line.push_str(&format!(r#"{{"G":{g},"Caused":["#));
        }
        for _ in 0..depth {
            line.push_str("]}");
        }
        line.push('}');
        let s = read_summaries(&line).unwrap();
        let walk: Vec<_> = s[0].root.walk().map(|(d, s)| (d, s.g)).collect();
        assert_eq!(walk.len(), depth);
        assert!(
            walk.iter()
                .enumerate()
                .all(|(i, &(d, g))| d == i && g == i as i64)
        );
        // Unknown fields and bad JSON as deep.
        let deep = "[".repeat(depth) + &"]".repeat(depth);
        let ok = format!(r#"{{"X":{deep},"Flat":{{}},"Root":{{}}}}"#);
        assert_eq!(read_summaries(&ok).unwrap().len(), 1);
        let bad = "[".repeat(depth);
        let e = read_summaries(&bad).unwrap_err();
        assert_eq!(e.offset(), Some(depth as u64), "{e}");
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
        for (bad, at) in [
            ("{\"a\":1,}", 7),
            ("{\"a\" 1}", 5),
            ("[1 2]", 3),
            ("{\"a\":01}", 6),
            ("{\"a\":\"\\q\"}", 6),
            ("{\"a\":\"x", 7),
            ("{\"a\":tru}", 5),
        ] {
            let e = read_summaries(bad).unwrap_err();
            assert_eq!(e.offset(), Some(at), "{bad}: {e}");
        }
    }
}
