//! Stack patterns: a list of specs matched against a stack from the root
//! to the leaf. `"**"` consumes any number of frames (at least one when it
//! is the last spec); every other spec is a regexp that must find a match
//! in exactly one frame's function name, after vendor paths are trimmed.
//! Specs are Go regexps, compiled with [`gocompat::re2`] as pprof's
//! `-focus` compiles them.

use regex::Regex;

/// A spec that is not a valid Go regexp.
#[derive(Debug, Clone, thiserror::Error)]
#[error("could not compile regexp {spec:?}: {source}")]
pub struct PatternError {
    /// The spec as given.
    pub spec: String,
    /// Why it does not compile.
    pub source: regex::Error,
}

#[derive(Debug, Clone)]
enum Spec {
    Any,
    Re(Regex),
}

/// A compiled stack pattern.
#[derive(Debug, Clone, Default)]
pub struct StackPattern {
    specs: Vec<Spec>,
}

impl StackPattern {
    /// Compiles specs given root first. Consecutive `"**"` collapse into
    /// one. The error names the spec that is not a valid regexp.
    pub fn new<S: AsRef<str>>(specs: &[S]) -> Result<StackPattern, PatternError> {
        let mut out: Vec<Spec> = Vec::with_capacity(specs.len());
        for s in specs {
            let s = s.as_ref();
            if s == "**" {
                if !matches!(out.last(), Some(Spec::Any)) {
                    out.push(Spec::Any);
                }
                continue;
            }
            let re = gocompat::re2::compile(s).map_err(|source| PatternError {
                spec: s.to_owned(),
                source,
            })?;
            out.push(Spec::Re(re));
        }
        Ok(StackPattern { specs: out })
    }

    /// Whether the pattern has no specs (it then matches only empty stacks).
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Matches function names given root first.
    pub fn matches<'a, I>(&self, funcs_root_first: I) -> bool
    where
        I: IntoIterator<Item = &'a str>,
    {
        let n = self.specs.len();
        // The spec positions reachable after the frames seen so far.
        let mut states = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        states[0] = true;
        let mut empty = true;
        for func in funcs_root_first {
            empty = false;
            let func = vendor_trim(func);
            next.fill(false);
            let mut alive = false;
            for s in (0..n).filter(|&s| states[s]) {
                match &self.specs[s] {
                    Spec::Any => {
                        // "**" eats this frame and stays, or eats it and ends.
                        next[s] = true;
                        next[s + 1] = true;
                        alive = true;
                        // "**" eats nothing; the regexp after it eats the frame.
                        if let Some(Spec::Re(re)) = self.specs.get(s + 1)
                            && re.is_match(func)
                        {
                            next[s + 2] = true;
                        }
                    }
                    Spec::Re(re) => {
                        if re.is_match(func) {
                            next[s + 1] = true;
                            alive = true;
                        }
                    }
                }
            }
            if !alive {
                return false;
            }
            std::mem::swap(&mut states, &mut next);
        }
        if empty {
            return n == 0 || (n == 1 && matches!(self.specs[0], Spec::Any));
        }
        states[n]
    }

    /// Matches a stack of the trace reader (leaf first in the trace).
    pub fn matches_stack(&self, stack: &gotrace::Stack<'_>) -> bool {
        self.matches(stack.frames().rev().map(|f| f.func()))
    }
}

/// Removes vendor path prefixes from a function name: everything up to and
/// including the last `/vendor/`, then a leading `vendor/`.
pub fn vendor_trim(name: &str) -> &str {
    let name = match name.rfind("/vendor/") {
        Some(i) => &name[i + "/vendor/".len()..],
        None => name,
    };
    name.strip_prefix("vendor/").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(specs: &[&str], stack: &[&str]) -> bool {
        StackPattern::new(specs)
            .unwrap()
            .matches(stack.iter().copied())
    }

    /// The truth table of upstream's matcher tests: the stack is, root to
    /// leaf, a, bee, cee, x/vendor/d, e.
    #[test]
    fn upstream_truth_table() {
        let stack = ["a", "bee", "cee", "x/vendor/d", "e"];
        let cases: &[(&[&str], bool)] = &[
            (&["**"], true),
            (&["a", "**"], true),
            (&["bee", "**"], false),
            (&["**", "bee", "**"], true),
            (&["**", "e"], true),
            (&["**", "e", "**"], true),
            (&["**", "a", "**"], true),
            (&["a", "**", "bee", "**"], true),
            (&["a", "**", "**", "**", "bee", "**"], true),
            (&["a", "ee", "ee", "**"], true),
            (&["a", "**", "^d$", "**"], true),
            (&["a", ".*", "^d$", ".*"], false),
            (&["a", ".*", ".*", "^d$", ".*"], true),
            (&["**", "x", "**"], false),
        ];
        for (specs, want) in cases {
            assert_eq!(m(specs, &stack), *want, "{specs:?}");
        }
        assert!(m(&["**"], &[]));
        assert!(!m(&["**", "f", "**"], &[]));
        assert!(m(&[], &[]));
        assert!(!m(&[], &["a"]));
    }

    /// The reference's table for a stack runtime.gcBgMarkWorker →
    /// runtime.gcMarkDone.
    #[test]
    fn trailing_wildcard_must_eat_a_frame() {
        let stack = ["runtime.gcBgMarkWorker", "runtime.gcMarkDone"];
        let cases: &[(&[&str], bool)] = &[
            (&["**"], true),
            (&["**", "**"], true),
            (&["**", "gcMarkDone"], true),
            (&["gcBgMarkWorker", "**", "**", "gcMarkDone"], true),
            (&["**", "gcBgMarkWorker", "**", "gcMarkDone"], true),
            (&["**", "gcBgMarkWorker", "**"], true),
            (&["**", "gcMarkDone", "**"], false),
            (&["gcBgMarkWorker$", "gcMarkDone", "**"], false),
            (&["gcBgMarkWorker$", "gcMarkDone"], true),
            (&["Mark", "Mark"], true),
        ];
        for (specs, want) in cases {
            assert_eq!(m(specs, &stack), *want, "{specs:?}");
        }
    }

    #[test]
    fn vendor_trimming() {
        assert_eq!(vendor_trim("x/vendor/d"), "d");
        assert_eq!(
            vendor_trim("vendor/golang.org/x/net/http2/hpack.(*Decoder).Write"),
            "golang.org/x/net/http2/hpack.(*Decoder).Write"
        );
        assert_eq!(vendor_trim("a/vendor/b/vendor/c.F"), "c.F");
        assert_eq!(vendor_trim("main.main"), "main.main");
    }

    /// Specs are Go regexps: constructs the `regex` crate spells otherwise
    /// or rejects mean what they mean in Go (upstream's -match is Go).
    #[test]
    fn specs_are_go_regexps() {
        // `\Q…\E` quoting: the regex crate rejects it.
        let quoted = r"\Q(*Mutex).Lock\E";
        assert!(Regex::new(quoted).is_err());
        assert!(m(&["**", quoted], &["main.main", "sync.(*Mutex).Lock"]));
        // `\d` and `\w` are ASCII-only in Go, Unicode in the regex crate.
        assert!(Regex::new(r"^main\.f\d$").unwrap().is_match("main.f٣"));
        assert!(!m(&["**", r"^main\.f\d$"], &["main.f٣"]));
        assert!(m(&["**", r"^main\.f\d$"], &["main.f3"]));
        assert!(!m(&[r"^\w+\.\w+$"], &["main.café"]));
        // `[` is literal inside a Go class.
        assert!(m(&[r"^x\.[[]0]$"], &["x.[0]"]));
    }

    #[test]
    fn bad_regexp_is_reported() {
        let e = StackPattern::new(&["a", "["]).unwrap_err();
        assert_eq!(e.spec, "[");
        let e = e.to_string();
        assert!(e.starts_with("could not compile regexp \"[\""), "{e}");
    }
}
