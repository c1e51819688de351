//! Region patterns: the pattern-file format (TOML, documented in
//! `builtin.toml`, which holds the built-in HTTP/1 patterns), merging user
//! files into the defaults, and compiling them for the tracker.

use crate::cond::Cond;
use crate::error::{PatternError, RegionProblem};
use analysis::stackmatch::StackPattern;
use serde::Deserialize;

/// The built-in patterns, in the pattern-file format.
pub const BUILTIN: &str = include_str!("builtin.toml");

/// One pattern file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternFile {
    /// Drop the patterns defined before this file (the built-ins).
    #[serde(default)]
    replace_builtins: bool,
    #[serde(default, rename = "region")]
    regions: Vec<RegionDef>,
}

/// One `[[region]]` entry, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionDef {
    kind: String,
    #[serde(default)]
    stacks: Vec<Vec<String>>,
    activate: Option<String>,
    keepalive: Option<String>,
    critical: Option<String>,
    #[serde(default)]
    reactivate: bool,
    #[serde(default)]
    allow_single: bool,
    #[serde(default)]
    flush_at_end: bool,
    #[serde(default)]
    shared: bool,
    between: Option<[String; 2]>,
    /// The file that defined it (`None`: the built-ins), for errors.
    #[serde(skip)]
    origin: Option<String>,
}

/// How a tracker pattern finds regions on one goroutine.
#[derive(Debug, Clone)]
pub struct Tracker {
    /// Stack patterns; `match` is true when any matches.
    pub stacks: Vec<StackPattern>,
    /// Whether an event may open a region.
    pub activate: Cond,
    /// Whether an event may continue an open region.
    pub keepalive: Cond,
    /// Which events a region must end with (none: no trimming).
    pub critical: Option<Cond>,
    /// With `critical`, an activating event closes the open region and
    /// opens a new one.
    pub reactivate: bool,
    /// Keep single-event regions.
    pub allow_single: bool,
    /// Keep a region still open at the goroutine's last event.
    pub flush_at_end: bool,
}

/// How a pattern's regions are found.
#[derive(Debug, Clone)]
pub enum Rule {
    /// A tracker run on each goroutine.
    Track(Tracker),
    /// Negative space between regions of two other patterns (indexes into
    /// the set).
    Between {
        /// The pattern whose regions' last events start these regions.
        starts: usize,
        /// The pattern whose regions' first events end them.
        ends: usize,
    },
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The regions' name.
    pub kind: String,
    /// Its work may serve unrelated goroutines (its chain is only adopted
    /// by goroutines with no reason of their own).
    pub shared: bool,
    /// How its regions are found.
    pub rule: Rule,
}

/// Pattern definitions being assembled from the built-ins and user files.
#[derive(Debug, Clone)]
pub struct PatternDefs {
    defs: Vec<RegionDef>,
}

impl Default for PatternDefs {
    fn default() -> Self {
        PatternDefs::builtin()
    }
}

impl PatternDefs {
    /// The built-in patterns.
    pub fn builtin() -> PatternDefs {
        let mut p = PatternDefs { defs: Vec::new() };
        p.add(BUILTIN).expect("the built-in patterns parse");
        p
    }

    /// Adds a pattern file's entries: an entry whose kind is already defined
    /// replaces that definition in place, others are appended. With
    /// `replace_builtins = true` the earlier definitions are dropped first.
    pub fn add(&mut self, src: &str) -> Result<(), PatternError> {
        self.add_from(src, None)
    }

    /// [`PatternDefs::add`], remembering that the entries come from the
    /// file `origin` (see [`PatternDefs::origin`]).
    pub fn add_file(&mut self, src: &str, origin: &str) -> Result<(), PatternError> {
        self.add_from(src, Some(origin))
    }

    /// The file that defined `kind` (`None`: a built-in, or no such kind):
    /// where to look when [`PatternDefs::compile`] names that kind.
    pub fn origin(&self, kind: &str) -> Option<&str> {
        let d = self.defs.iter().find(|d| d.kind == kind)?;
        d.origin.as_deref()
    }

    fn add_from(&mut self, src: &str, origin: Option<&str>) -> Result<(), PatternError> {
        let file: PatternFile = toml::from_str(src)?;
        if file.replace_builtins {
            self.defs.clear();
        }
        let mut seen = std::collections::HashSet::new();
        for mut def in file.regions {
            def.origin = origin.map(str::to_owned);
            if !seen.insert(def.kind.clone()) {
                return Err(PatternError::DefinedTwice(def.kind));
            }
            match self.defs.iter_mut().find(|d| d.kind == def.kind) {
                Some(old) => *old = def,
                None => self.defs.push(def),
            }
        }
        Ok(())
    }

    /// Compiles the definitions; errors name the kind at fault.
    pub fn compile(&self) -> Result<Vec<Pattern>, PatternError> {
        let mut out = Vec::with_capacity(self.defs.len());
        for d in &self.defs {
            let err = |problem: RegionProblem| PatternError::Region {
                kind: d.kind.clone(),
                problem,
            };
            let index = |kind: &str| {
                let i = self.defs.iter().position(|d| d.kind == kind);
                match i {
                    Some(i) if self.defs[i].between.is_none() => Ok(i),
                    Some(_) => Err(err(RegionProblem::BetweenOfBetween(kind.to_string()))),
                    None => Err(err(RegionProblem::NoSuchKind(kind.to_string()))),
                }
            };
            let rule = match &d.between {
                Some([a, b]) => {
                    let tracked = !d.stacks.is_empty()
                        || d.activate.is_some()
                        || d.keepalive.is_some()
                        || d.critical.is_some()
                        || d.reactivate
                        || d.allow_single
                        || d.flush_at_end;
                    if tracked {
                        return Err(err(RegionProblem::BetweenWithTrackerKeys));
                    }
                    Rule::Between {
                        starts: index(a)?,
                        ends: index(b)?,
                    }
                }
                None => {
                    let cond = |src: &Option<String>, default: &str| {
                        Cond::parse(src.as_deref().unwrap_or(default))
                            .map_err(|e| err(RegionProblem::Cond(e)))
                    };
                    let stacks = d
                        .stacks
                        .iter()
                        .map(|s| {
                            StackPattern::new(s).map_err(|e| err(RegionProblem::Stack(e.into())))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    Rule::Track(Tracker {
                        stacks,
                        activate: cond(&d.activate, "match")?,
                        keepalive: cond(&d.keepalive, "not stack or match")?,
                        critical: d
                            .critical
                            .as_deref()
                            .map(|c| Cond::parse(c).map_err(|e| err(RegionProblem::Cond(e))))
                            .transpose()?,
                        reactivate: d.reactivate,
                        allow_single: d.allow_single,
                        flush_at_end: d.flush_at_end,
                    })
                }
            };
            out.push(Pattern {
                kind: d.kind.clone(),
                shared: d.shared,
                rule,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gotrace::legacy::types as t;

    fn matcher(p: &Pattern) -> impl Fn(&[&str]) -> bool + '_ {
        move |stack: &[&str]| {
            let Rule::Track(tr) = &p.rule else {
                panic!("not a tracker")
            };
            tr.stacks.iter().any(|s| s.matches(stack.iter().copied()))
        }
    }

    #[test]
    fn builtins_have_upstream_kinds_and_settings() {
        let ps = PatternDefs::builtin().compile().unwrap();
        let kinds: Vec<&str> = ps.iter().map(|p| p.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "client/http_write",
                "client/http_read",
                "client/http_roundtrip",
                "client/http_dial",
                "client/http_dns",
                "server/http_read",
                "server/http_write",
                "server/http"
            ]
        );
        let flags: Vec<(bool, bool, bool)> = ps
            .iter()
            .filter_map(|p| match &p.rule {
                Rule::Track(t) => Some((t.allow_single, t.flush_at_end, p.shared)),
                Rule::Between { .. } => None,
            })
            .collect();
        assert_eq!(
            flags,
            [
                (true, false, false),
                (true, false, false),
                (false, false, false),
                (false, true, false),
                (false, true, true),
                (true, false, false),
                (true, false, false),
            ]
        );
        assert!(matches!(ps[7].rule, Rule::Between { starts: 5, ends: 6 }));
        // Stack shapes, root first.
        let dial = matcher(&ps[3]);
        assert!(dial(&[
            "net/http.(*Transport).dialConnFor",
            "net/http.(*Transport).dialConn"
        ]));
        assert!(dial(&[
            "net/http.(*Transport).startDialConnForLocked.func1",
            "net/http.(*Transport).dialConnFor",
            "net/http.(*Transport).dialConn"
        ]));
        assert!(
            !dial(&["net/http.(*Transport).dialConnFor"]),
            "trailing ** needs a frame"
        );
        let dns = matcher(&ps[4]);
        assert!(dns(&[
            "internal/singleflight.(*Group).doCall",
            "net.(*Resolver).lookupIPAddr.func1",
            "net.(*Resolver).goLookupIPCNAMEOrder"
        ]));
        let write = matcher(&ps[0]);
        assert!(write(&[
            "net/http.(*persistConn).writeLoop",
            "net/http.(*Request).write",
            "net/http.(*Request).write.func1"
        ]));
        assert!(write(&[
            "net/http.(*persistConn).writeLoop",
            "bufio.(*Writer).Flush",
            "net/http.persistConnWriter.Write",
            "net.(*conn).Write"
        ]));
        let sr = matcher(&ps[5]);
        assert!(sr(&["net/http.(*conn).serve", "bufio.(*Reader).Peek", "x"]));
        assert!(!sr(&[
            "net/http.(*conn).serve",
            "x",
            "bufio.(*Reader).Peek",
            "y"
        ]));
    }

    #[test]
    fn conditions_of_builtins() {
        let ps = PatternDefs::builtin().compile().unwrap();
        let Rule::Track(rt) = &ps[2].rule else {
            panic!()
        };
        let f = |typ, has_stack, matches| crate::cond::Facts {
            did: crate::did::Did::of_old(typ, false),
            has_stack,
            matches,
        };
        let crit = rt.critical.as_ref().unwrap();
        assert!(crit.eval(&f(t::EV_GO_START, false, false)));
        assert!(!crit.eval(&f(t::EV_GO_START_LABEL, false, false)));
        assert!(crit.eval(&f(t::EV_GO_BLOCK, true, true)));
        let Rule::Track(w) = &ps[0].rule else {
            panic!()
        };
        assert!(!w.keepalive.eval(&f(t::EV_GO_END, false, false)));
        assert!(w.keepalive.eval(&f(t::EV_GO_SCHED, false, false)));
    }

    #[test]
    fn user_files_extend_replace_and_fail_clearly() {
        let mut d = PatternDefs::builtin();
        d.add(
            r#"
[[region]]
kind = "worker/job"
stacks = [["^main.worker$", "**", "^main.process$", "**"]]
flush_at_end = true

[[region]]
kind = "client/http_dial"
stacks = [["**", "dialConnFor$", "**"]]
"#,
        )
        .unwrap();
        let ps = d.compile().unwrap();
        assert_eq!(ps.len(), 9);
        assert_eq!(ps[3].kind, "client/http_dial");
        assert_eq!(ps[8].kind, "worker/job");

        let mut r = PatternDefs::builtin();
        r.add("replace_builtins = true\n[[region]]\nkind = \"a\"\nstacks = [[\"**\"]]\n")
            .unwrap();
        assert_eq!(r.compile().unwrap().len(), 1);

        let bad = |src: &str| {
            let mut d = PatternDefs::builtin();
            d.add(src)
                .and_then(|_| d.compile().map(|_| ()))
                .unwrap_err()
                .to_string()
        };
        assert!(bad("[[region]]\nkind = \"x\"\nstacks = [[\"(\"]]\n").contains("\"x\""));
        assert!(bad("[[region]]\nkind = \"x\"\nactivate = \"GoStrat\"\n").contains("GoStrat"));
        assert!(
            bad("[[region]]\nkind = \"x\"\nbetween = [\"a\", \"b\"]\n").contains("no region kind")
        );
        assert!(bad("[[region]]\nkind = \"x\"\nflsh_at_end = true\n").contains("flsh_at_end"));
        assert!(bad("[[region]]\nkind = \"x\"\n[[region]]\nkind = \"x\"\n").contains("twice"));
    }
}
