//! Go string literals as `fmt.Fscanf("%q")` reads them: a sequence of
//! double-quoted (with Go escapes) or back-quoted strings separated by
//! spaces. This is how upstream's `-match` flag reads its stack specs.

/// Why a list of Go literals could not be read (the texts are Go's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LiteralError {
    /// A newline between literals.
    #[error("unexpected newline")]
    Newline,
    /// The input ends inside a literal.
    #[error("unexpected EOF")]
    Eof,
    /// A double-quoted literal with an invalid escape or a newline.
    #[error("invalid syntax")]
    Syntax,
    /// Something other than a literal.
    #[error("expected quoted string")]
    NotQuoted,
}

/// Splits `s` into the strings its Go literals denote.
pub fn scan_literals(s: &str) -> Result<Vec<String>, LiteralError> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        // Skip spaces; a newline is an error, as in Fscanf.
        while let Some(&c) = chars.peek() {
            if c == '\n' {
                return Err(LiteralError::Newline);
            }
            if !is_space(c) {
                break;
            }
            chars.next();
        }
        let Some(open) = chars.next() else {
            return Ok(out);
        };
        match open {
            '`' => {
                let mut lit = String::new();
                loop {
                    match chars.next() {
                        None => return Err(LiteralError::Eof),
                        Some('`') => break,
                        Some(c) => lit.push(c),
                    }
                }
                out.push(lit);
            }
            '"' => {
                let mut body = String::new();
                loop {
                    match chars.next() {
                        None => return Err(LiteralError::Eof),
                        Some('"') => break,
                        Some('\\') => {
                            body.push('\\');
                            body.push(chars.next().ok_or(LiteralError::Eof)?);
                        }
                        Some(c) => body.push(c),
                    }
                }
                out.push(unquote_body(&body).ok_or(LiteralError::Syntax)?);
            }
            _ => return Err(LiteralError::NotQuoted),
        }
    }
}

/// Go's `unicode.IsSpace` as fmt's scanner uses it.
fn is_space(c: char) -> bool {
    matches!(c, '\t'..='\r' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}')
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
        )
}

/// The body of a double-quoted Go literal with its escapes resolved, as
/// `strconv.Unquote` does; `None` if it is not valid Go syntax.
fn unquote_body(body: &str) -> Option<String> {
    if body.contains('\n') {
        return None;
    }
    let mut bytes: Vec<u8> = Vec::with_capacity(body.len());
    let mut it = body.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let e = it.next()?;
        let simple = match e {
            'a' => Some(7u8),
            'b' => Some(8),
            'f' => Some(12),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(11),
            '\\' => Some(b'\\'),
            '"' => Some(b'"'),
            _ => None,
        };
        if let Some(b) = simple {
            bytes.push(b);
            continue;
        }
        let mut digits = |n: usize, radix: u32| -> Option<u32> {
            let mut v = 0u32;
            for _ in 0..n {
                v = v * radix + it.next()?.to_digit(radix)?;
            }
            Some(v)
        };
        match e {
            'x' => bytes.push(digits(2, 16)? as u8),
            '0'..='7' => {
                let rest = digits(2, 8)?;
                let v = e.to_digit(8)? * 64 + rest;
                bytes.push(u8::try_from(v).ok()?);
            }
            'u' | 'U' => {
                let v = digits(if e == 'u' { 4 } else { 8 }, 16)?;
                let c = char::from_u32(v)?;
                let mut buf = [0; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert_eq!(scan_literals(r#""a" "b"  "#).unwrap(), ["a", "b"]);
        assert_eq!(scan_literals(r#""a""b""#).unwrap(), ["a", "b"]);
        assert_eq!(
            scan_literals("`runtime\\.gc$` \"**\"").unwrap(),
            ["runtime\\.gc$", "**"]
        );
        assert_eq!(
            scan_literals(r#""\x41\101\u00e9\t\"""#).unwrap(),
            ["AAé\t\""]
        );
        assert!(scan_literals("").unwrap().is_empty());
        let err = |s| scan_literals(s).unwrap_err();
        assert_eq!(err(r#""\.""#), LiteralError::Syntax);
        assert_eq!(err(r#""\.""#).to_string(), "invalid syntax");
        assert_eq!(err(r#"abc"#), LiteralError::NotQuoted);
        assert_eq!(err(r#"abc"#).to_string(), "expected quoted string");
        assert_eq!(err(r#""abc"#), LiteralError::Eof);
        assert_eq!(err(r#""abc"#).to_string(), "unexpected EOF");
        assert_eq!(err("\"a\"\n\"b\""), LiteralError::Newline);
        assert_eq!(err("\"a\"\n\"b\"").to_string(), "unexpected newline");
    }
}
