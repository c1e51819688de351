//! Go's `strconv.Quote`: printable characters as they are, `\a`-style
//! escapes for the usual controls, `\x`, `\u` and `\U` escapes for the
//! rest, and `\x` for each byte that is not valid UTF-8.

use unicode_general_category::{GeneralCategory as C, get_general_category};

/// Appends `s` quoted as Go's `strconv.Quote` quotes it.
pub fn quote(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    quote_body(out, s);
    out.push(b'"');
}

/// Appends `s` escaped as [`quote`] escapes it, without the quotes.
pub fn quote_body(out: &mut Vec<u8>, s: &[u8]) {
    if s.iter().all(|&b| PLAIN[usize::from(b)]) {
        out.extend_from_slice(s);
        return;
    }
    let mut rest = s;
    while !rest.is_empty() {
        let (c, width) = decode_utf8(rest);
        let bytes = &rest[..width];
        rest = &rest[width..];
        let Some(c) = c else {
            hex_escape(out, b'x', u32::from(bytes[0]), 2);
            continue;
        };
        match c {
            '"' | '\\' => {
                out.push(b'\\');
                out.push(c as u8);
            }
            _ if is_print(c) => out.extend_from_slice(bytes),
            '\x07' => out.extend_from_slice(b"\\a"),
            '\x08' => out.extend_from_slice(b"\\b"),
            '\x0c' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\x0b' => out.extend_from_slice(b"\\v"),
            _ if (c as u32) < 0x20 || c == '\x7f' => hex_escape(out, b'x', c as u32, 2),
            _ if (c as u32) < 0x10000 => hex_escape(out, b'u', c as u32, 4),
            _ => hex_escape(out, b'U', c as u32, 8),
        }
    }
}

/// The bytes that stand for themselves in a quoted string: printable
/// ASCII but the quote and the backslash.
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0x20;
    while b < 0x7f {
        t[b] = b != b'"' as usize && b != b'\\' as usize;
        b += 1;
    }
    t
};

fn hex_escape(out: &mut Vec<u8>, letter: u8, v: u32, digits: u32) {
    out.push(b'\\');
    out.push(letter);
    for i in (0..digits).rev() {
        out.push(b"0123456789abcdef"[((v >> (4 * i)) & 15) as usize]);
    }
}

/// Decodes one UTF-8 sequence as Go does: `None` with width 1 for an
/// invalid byte.
fn decode_utf8(s: &[u8]) -> (Option<char>, usize) {
    let n = match s[0] {
        0x00..=0x7f => return (Some(s[0] as char), 1),
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (None, 1),
    };
    match s.get(..n).map(std::str::from_utf8) {
        Some(Ok(t)) => (t.chars().next(), n),
        _ => (None, 1),
    }
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space.
fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !matches!(
        get_general_category(c),
        C::SpaceSeparator
            | C::LineSeparator
            | C::ParagraphSeparator
            | C::Control
            | C::Format
            | C::Surrogate
            | C::PrivateUse
            | C::Unassigned
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &[u8]) -> String {
        let mut out = Vec::new();
        quote(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quotes_like_go() {
        assert_eq!(q(b"plain"), r#""plain""#);
        assert_eq!(q(b"region \"quoted\""), r#""region \"quoted\"""#);
        assert_eq!(q(b"message with\ttab"), r#""message with\ttab""#);
        assert_eq!(q(b"a\\b\n\x01\x7f"), r#""a\\b\n\x01\x7f""#);
        assert_eq!(q("héllo ✓".as_bytes()), "\"héllo ✓\"");
        assert_eq!(q(b"\xff\xc3"), r#""\xff\xc3""#);
        assert_eq!(
            q("\u{a0}\u{200b}\u{1F600}\u{E000}".as_bytes()),
            r#""\u00a0\u200b😀\ue000""#
        );
        assert_eq!(q("\u{10FFFF}".as_bytes()), r#""\U0010ffff""#);
    }
}
