//! Go's `encoding/json` string escaping: `<`, `>`, `&`, U+2028 and U+2029
//! escaped as `\u` sequences (Go's HTML-safe default), besides JSON's own.

use std::fmt::Write;

/// Appends `s` as a JSON string, escaped as Go's encoding/json does.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_string_escaping() {
        let mut s = String::new();
        write_str(&mut s, "a\"b\\c\n<>&\u{1}\u{2028}é");
        assert_eq!(s, r#""a\"b\\c\n\u003c\u003e\u0026\u0001\u2028é""#);
    }
}
