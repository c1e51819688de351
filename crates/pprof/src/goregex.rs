//! Compiles Go (RE2) regular expressions with the `regex` crate, rewriting
//! the places where the two dialects differ for the same text: Go's `\d`,
//! `\w`, `\s`, `\b` are ASCII-only, `\Q…\E` quotes literally, octal escapes
//! are allowed, and inside a character class `[`, `&`, `~` are literal.

use regex::{Regex, RegexBuilder};

const DIGIT: &str = "0-9";
const WORD: &str = "0-9A-Za-z_";
const SPACE: &str = r"\t\n\x0C\r ";

/// Compiles a Go regexp for unanchored matching.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&translate(pattern))
        .octal(true)
        .build()
}

/// Rewrites Go regexp syntax into equivalent `regex` crate syntax.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    // Some(n): inside a class, with n characters of it seen so far.
    let mut class: Option<usize> = None;
    while let Some(c) = chars.next() {
        match (c, class) {
            ('\\', _) => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                if e == 'Q' {
                    let mut lit = String::new();
                    while let Some(q) = chars.next() {
                        if q == '\\' && chars.peek() == Some(&'E') {
                            chars.next();
                            break;
                        }
                        lit.push(q);
                    }
                    if class.is_some() {
                        for q in lit.chars() {
                            out.push_str(&regex::escape(&q.to_string()));
                        }
                    } else {
                        out.push_str(&format!("(?:{})", regex::escape(&lit)));
                    }
                } else {
                    out.push_str(&perl_class(e, class.is_some()));
                }
                if let Some(n) = class.as_mut() {
                    *n += 1;
                }
            }
            ('[', None) => {
                out.push('[');
                class = Some(0);
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap_or('^'));
                }
            }
            (']', Some(n)) if n > 0 => {
                out.push(']');
                class = None;
            }
            ('[', Some(n)) => {
                if chars.peek() == Some(&':') {
                    // A POSIX class such as [:alpha:], copied through.
                    out.push('[');
                    for p in chars.by_ref() {
                        out.push(p);
                        if p == ']' {
                            break;
                        }
                    }
                } else {
                    out.push_str(r"\[");
                }
                class = Some(n + 1);
            }
            ('&' | '~', Some(n)) => {
                out.push('\\');
                out.push(c);
                class = Some(n + 1);
            }
            (_, Some(n)) => {
                out.push(c);
                class = Some(n + 1);
            }
            (_, None) => out.push(c),
        }
    }
    out
}

/// The replacement for the escape `\e`, inside a class or not.
fn perl_class(e: char, in_class: bool) -> String {
    let (set, negated) = match e {
        'd' => (DIGIT, false),
        'D' => (DIGIT, true),
        'w' => (WORD, false),
        'W' => (WORD, true),
        's' => (SPACE, false),
        'S' => (SPACE, true),
        'b' | 'B' => return format!("(?-u:\\{e})"),
        _ => return format!("\\{e}"),
    };
    match (in_class, negated) {
        (true, false) => set.to_string(),
        (_, true) => format!("[^{set}]"),
        (false, false) => format!("[{set}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        compile(p).unwrap().is_match(s)
    }

    #[test]
    fn perl_classes_are_ascii_only_like_go() {
        assert!(!m(r"^\w+$", "é"));
        assert!(m(r"^\w+$", "a_9"));
        assert!(!m(r"\d", "٣"));
        assert!(m(r"^[\w.]+$", "sync.Mutex"));
        assert!(!m(r"^[\w.]+$", "sync.Müx"));
        assert!(m(r"^[^\d]+$", "abc"));
        assert!(m(r"^\S+\s\S+$", "a b"));
        assert!(!m(r"\s", "\u{b}"));
        assert!(m(r"\bLock\b", "sync.(*Mutex).Lock"));
    }

    #[test]
    fn go_literals_in_classes_and_quotes() {
        assert!(m(r"[[]", "["));
        assert!(m(r"^[a&&b]+$", "a&b"));
        assert!(m(r"[[:digit:]]", "5"));
        assert!(m(r"\Q(*Mutex).Lock\E", "sync.(*Mutex).Lock"));
        assert!(m(r"[]a]", "]"));
        assert!(m(r"\141", "a"));
        assert!(m("sync...Mutex..Lock", "sync.(*Mutex).Lock"));
    }

    #[test]
    fn invalid_patterns_are_errors() {
        assert!(compile("(").is_err());
        assert!(compile(r"(?=x)").is_err());
    }
}
