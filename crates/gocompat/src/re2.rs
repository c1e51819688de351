//! Compiles Go (RE2) regular expressions with the `regex` crate, rewriting
//! the places where the two dialects differ for the same text: Go's `\d`,
//! `\w`, `\s`, `\b` are ASCII-only, `\Q…\E` quotes literally, octal escapes
//! are allowed, and inside a character class `[`, `&`, `~` are literal.
//! Patterns without metacharacters are searched for as plain substrings.

use std::borrow::Cow;

use memchr::memmem::Finder;
use regex::{Regex, RegexBuilder};

/// A compiled `-focus`/`-ignore` pattern, matched unanchored like Go's
/// `MatchString`.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// A pattern without metacharacters: a substring search.
    Literal(Box<Finder<'static>>),
    /// Any other pattern.
    Regex(Regex),
}

impl Pattern {
    /// Compiles a Go regexp.
    pub fn new(pattern: &str) -> Result<Pattern, regex::Error> {
        let re = compile(pattern)?;
        // U+FFFD stays with the regex: Go matches it against invalid bytes.
        if regex::escape(pattern) == pattern && !pattern.contains('\u{FFFD}') {
            let finder = Finder::new(pattern.as_bytes()).into_owned();
            Ok(Pattern::Literal(Box::new(finder)))
        } else {
            Ok(Pattern::Regex(re))
        }
    }

    /// Whether the pattern matches somewhere in `text` (invalid UTF-8 is
    /// read as U+FFFD, as Go does).
    pub fn is_match(&self, text: &[u8]) -> bool {
        match self {
            Pattern::Literal(f) => f.find(text).is_some(),
            Pattern::Regex(re) => {
                let text = match std::str::from_utf8(text) {
                    Ok(s) => Cow::Borrowed(s),
                    Err(_) => String::from_utf8_lossy(text),
                };
                re.is_match(&text)
            }
        }
    }
}

const DIGIT: &str = "0-9";
const WORD: &str = "0-9A-Za-z_";
const SPACE: &str = r"\t\n\x0C\r ";

/// Compiles a Go regexp for unanchored matching.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&translate(pattern)).octal(true).build()
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
    fn literals_and_regexes_agree() {
        for (p, lit) in [
            ("internal/api", true),
            ("sync...Mutex..Lock", false),
            ("", true),
        ] {
            let pat = Pattern::new(p).unwrap();
            assert_eq!(matches!(pat, Pattern::Literal(_)), lit, "{p}");
            let re = compile(p).unwrap();
            for text in ["x/internal/api.F", "sync.(*Mutex).Lock", "", "internal"] {
                assert_eq!(
                    pat.is_match(text.as_bytes()),
                    re.is_match(text),
                    "{p} {text}"
                );
            }
        }
        assert!(Pattern::new("\u{FFFD}").unwrap().is_match(b"a\xffb"));
        assert!(Pattern::new("(").is_err());
    }

    #[test]
    fn invalid_patterns_are_errors() {
        assert!(compile("(").is_err());
        assert!(compile(r"(?=x)").is_err());
    }
}
