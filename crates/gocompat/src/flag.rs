//! Flag values as Go's `flag` package parses them: booleans with
//! `strconv.ParseBool`, integers with `strconv.ParseInt(s, 0, 64)`.

/// A value Go's `flag` package would reject. Its text is the one Go's
/// `strconv` errors end with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("parse error")]
pub struct ParseError;

/// Parses a boolean as Go's `strconv.ParseBool` does.
pub fn parse_bool(s: &str) -> Result<bool, ParseError> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(ParseError),
    }
}

/// Parses an integer as Go's flag package does (`strconv.ParseInt(s, 0,
/// 64)`): optional sign, then decimal, `0x`, `0o`, `0b` or leading-`0`
/// octal digits, with `_` allowed between digits and after a prefix.
pub fn parse_int(s: &str) -> Result<i64, ParseError> {
    if s.is_empty() || !underscores_ok(s) {
        return Err(ParseError);
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = match lower.as_bytes() {
        [b'0', b'x', _, ..] => (16, &lower[2..]),
        [b'0', b'o', _, ..] => (8, &lower[2..]),
        [b'0', b'b', _, ..] => (2, &lower[2..]),
        [b'0', ..] => (8, &lower[1..]),
        [] => return Err(ParseError),
        _ => (10, &lower[..]),
    };
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let magnitude = if clean.is_empty() {
        0
    } else {
        u64::from_str_radix(&clean, radix).map_err(|_| ParseError)?
    };
    if neg {
        0i64.checked_sub_unsigned(magnitude).ok_or(ParseError)
    } else {
        i64::try_from(magnitude).map_err(|_| ParseError)
    }
}

/// Go's rule for `_` in base-0 literals: only between digits, or between
/// a base prefix and a digit.
fn underscores_ok(s: &str) -> bool {
    let b = s.strip_prefix(['-', '+']).unwrap_or(s).as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    for &c in &b[i..] {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
    }
    saw != b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_numbers_and_booleans() {
        assert_eq!(parse_int("42"), Ok(42));
        assert_eq!(parse_int("-1"), Ok(-1));
        assert_eq!(parse_int("0x1F"), Ok(31));
        assert_eq!(parse_int("017"), Ok(15));
        assert_eq!(parse_int("0o17"), Ok(15));
        assert_eq!(parse_int("0b101"), Ok(5));
        assert_eq!(parse_int("1_000"), Ok(1000));
        assert_eq!(parse_int("0x_1_0"), Ok(16));
        assert_eq!(parse_int("0_7"), Ok(7));
        assert_eq!(parse_int("0"), Ok(0));
        assert!(parse_int("1__0").is_err() && parse_int("_1").is_err() && parse_int("1_").is_err());
        assert!(parse_int("0x").is_err() && parse_int("08").is_err() && parse_int("-").is_err());
        assert_eq!(parse_int("-9223372036854775808"), Ok(i64::MIN));
        assert!(parse_int("9223372036854775808").is_err());
        assert!(parse_int("x").is_err() && parse_int("").is_err());
        assert_eq!(parse_bool("T"), Ok(true));
        assert_eq!(parse_bool("False"), Ok(false));
        assert!(parse_bool("maybe").is_err());
    }
}
