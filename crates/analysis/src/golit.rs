//! Go string literals as `fmt.Fscanf("%q")` reads them: a sequence of
//! double-quoted (with Go escapes) or back-quoted strings separated by
//! spaces. This is how upstream's `-match` flag reads its stack specs.

/// Splits `s` into the strings its Go literals denote.
pub fn scan_literals(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        // Skip spaces; a newline is an error, as in Fscanf.
        while let Some(&c) = chars.peek() {
            if c == '\n' {
                return Err("unexpected newline".into());
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
                        None => return Err("unexpected EOF".into()),
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
                        None => return Err("unexpected EOF".into()),
                        Some('"') => break,
                        Some('\\') => {
                            body.push('\\');
                            body.push(chars.next().ok_or("unexpected EOF")?);
                        }
                        Some(c) => body.push(c),
                    }
                }
                out.push(unquote_body(&body).ok_or("invalid syntax")?);
            }
            _ => return Err("expected quoted string".into()),
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
        assert_eq!(scan_literals(r#""\.""#).unwrap_err(), "invalid syntax");
        assert_eq!(
            scan_literals(r#"abc"#).unwrap_err(),
            "expected quoted string"
        );
        assert_eq!(scan_literals(r#""abc"#).unwrap_err(), "unexpected EOF");
        assert_eq!(
            scan_literals("\"a\"\n\"b\"").unwrap_err(),
            "unexpected newline"
        );
    }
}
