//! Conditions on one event, as written in pattern files: `match` (the
//! pattern's stacks match the event's stack), `stack` (the event has a
//! stack), an event name, a quoted reason, `true`, `false`, combined with
//! `not`, `and`, `or` and parentheses (`!`, `&&`, `||` also accepted);
//! `and` binds tighter than `or`. Parentheses and `not`s nest at most
//! [`MAX_NESTING`] deep; the parser keeps its own stack (no recursion), and
//! a deeper condition is an error, which also bounds the depth of what
//! evaluating a condition walks.
//!
//! Event names are looked up as [`gotrace::vocab`] says: first the kinds of
//! the common model (`StateTransition`, `RangeBegin`, `StackSample`,
//! `RegionBegin`, ...), then Go ≤1.21 event names (`GoStart`, `GoEnd`,
//! `GoBlockNet`, ...: the event the analysis tells the event as, see
//! [`Did::old`]). A quoted reason (the name of a
//! [`gotrace::vocab::Reason`], quotes included) holds for the events that
//! block or stop their goroutine for that reason.

use crate::did::Did;
use crate::error::CondError;
use gotrace::EventKind;
use gotrace::vocab::{OldEvent, Reason};

/// How deep parentheses and `not`s may nest in a condition.
pub const MAX_NESTING: usize = 100;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// `true` or `false`.
    Const(bool),
    /// `match`: the pattern's stacks match the event's stack.
    Match,
    /// `stack`: the event has a stack.
    HasStack,
    /// A kind of the common model: the event is of that kind.
    Kind(EventKind),
    /// A Go ≤1.21 event name: the event stands for that event.
    Old(OldEvent),
    /// A quoted reason: the event blocks or stops its goroutine for it.
    Reason(Reason),
    /// `not`.
    Not(Box<Cond>),
    /// `and` of two or more conditions.
    And(Vec<Cond>),
    /// `or` of two or more conditions.
    Or(Vec<Cond>),
}

/// What a condition looks at.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    /// What the event's goroutine did.
    pub did: Did,
    /// Whether it has a stack.
    pub has_stack: bool,
    /// Whether the pattern's stacks match its stack.
    pub matches: bool,
}

impl Cond {
    /// Parses a condition; the error says what was expected where.
    pub fn parse(src: &str) -> Result<Cond, CondError> {
        Parser {
            tokens: tokenize(src)?,
            at: 0,
        }
        .parse(src)
    }

    /// Evaluates the condition.
    pub fn eval(&self, f: &Facts) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Match => f.matches,
            Cond::HasStack => f.has_stack,
            Cond::Kind(k) => f.did.kind() == *k,
            Cond::Old(e) => f.did.old() == *e,
            Cond::Reason(r) => f.did.reason() == Some(*r),
            Cond::Not(c) => !c.eval(f),
            Cond::And(all) => all.iter().all(|c| c.eval(f)),
            Cond::Or(any) => any.iter().any(|c| c.eval(f)),
        }
    }
}

/// A token of a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A word, a parenthesis or an operator (`&&` and `||` as `and`, `or`).
    Word(String),
    /// A quoted reason, without its quotes.
    Quoted(String),
}

impl std::fmt::Display for Tok {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tok::Word(w) => f.write_str(w),
            Tok::Quoted(q) => write!(f, "{q:?}"),
        }
    }
}

fn tokenize(src: &str) -> Result<Vec<Tok>, CondError> {
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' || c == ')' || c == '!' {
            out.push(Tok::Word(c.to_string()));
            chars.next();
        } else if c == '&' || c == '|' {
            chars.next();
            if chars.next_if(|&(_, d)| d == c).is_none() {
                return Err(CondError::Single(c, i, src.to_string()));
            }
            out.push(Tok::Word(if c == '&' { "and" } else { "or" }.to_string()));
        } else if c == '"' {
            chars.next();
            let mut text = String::new();
            loop {
                match chars.next() {
                    Some((_, '"')) => break,
                    Some((_, d)) => text.push(d),
                    None => return Err(CondError::Unterminated(i, src.to_string())),
                }
            }
            out.push(Tok::Quoted(text));
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let mut word = String::new();
            while let Some((_, d)) = chars.next_if(|&(_, d)| d.is_ascii_alphanumeric() || d == '_')
            {
                word.push(d);
            }
            out.push(Tok::Word(word));
        } else {
            return Err(CondError::BadChar {
                found: c,
                offset: i,
                src: src.to_string(),
            });
        }
    }
    Ok(out)
}

/// One level of parentheses being parsed: the `or` terms so far, the
/// `and` terms of the current one, and the `not`s before its `(`.
#[derive(Default)]
struct Level {
    ors: Vec<Cond>,
    ands: Vec<Cond>,
    nots: usize,
}

impl Level {
    /// The level's condition, once its last operand is in.
    fn close(mut self) -> Cond {
        self.end_and();
        one_or(self.ors, Cond::Or)
    }

    fn end_and(&mut self) {
        let ands = std::mem::take(&mut self.ands);
        self.ors.push(one_or(ands, Cond::And));
    }
}

/// The only condition of a list, or `make` of them all.
fn one_or(mut list: Vec<Cond>, make: fn(Vec<Cond>) -> Cond) -> Cond {
    match list.len() {
        1 => list.pop().unwrap_or(Cond::Const(true)),
        _ => make(list),
    }
}

/// `not` `n` times.
fn negate(mut c: Cond, n: usize) -> Cond {
    for _ in 0..n {
        c = Cond::Not(Box::new(c));
    }
    c
}

struct Parser {
    tokens: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn peek_word(&self) -> Option<&str> {
        match self.tokens.get(self.at) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }

    /// The whole condition, read left to right with a stack of the open
    /// parentheses.
    fn parse(mut self, src: &str) -> Result<Cond, CondError> {
        let mut outer: Vec<Level> = Vec::new();
        let mut cur = Level::default();
        // `not`s before the next operand, and how deep things nest now.
        let (mut nots, mut nesting) = (0usize, 0usize);
        loop {
            // An operand is due.
            let operand = match self.next().ok_or(CondError::EndsEarly)? {
                Tok::Quoted(reason) => Cond::Reason(
                    Reason::from_name(&reason).ok_or(CondError::UnknownReason(reason))?,
                ),
                Tok::Word(w) if w == "not" || w == "!" || w == "(" => {
                    nesting += 1;
                    if nesting > MAX_NESTING {
                        return Err(CondError::TooDeep(MAX_NESTING));
                    }
                    if w == "(" {
                        outer.push(std::mem::take(&mut cur));
                        cur.nots = std::mem::take(&mut nots);
                    } else {
                        nots += 1;
                    }
                    continue;
                }
                Tok::Word(w) => word(&w)?,
            };
            nesting -= nots;
            cur.ands.push(negate(operand, std::mem::take(&mut nots)));
            // An operator, a `)` or the end is due.
            loop {
                match self.peek_word() {
                    Some("and") => {}
                    Some("or") => cur.end_and(),
                    Some(")") if !outer.is_empty() => {
                        let level = std::mem::replace(&mut cur, outer.pop().unwrap_or_default());
                        nesting -= 1 + level.nots;
                        let n = level.nots;
                        let c = negate(level.close(), n);
                        cur.ands.push(c);
                        self.at += 1;
                        continue;
                    }
                    _ if !outer.is_empty() => return Err(CondError::MissingParen),
                    _ => match self.tokens.get(self.at) {
                        None => return Ok(cur.close()),
                        Some(tok) => {
                            return Err(CondError::Trailing(tok.to_string(), src.to_string()));
                        }
                    },
                }
                self.at += 1;
                break;
            }
        }
    }
}

/// The operand a word names.
fn word(w: &str) -> Result<Cond, CondError> {
    Ok(match w {
        "true" => Cond::Const(true),
        "false" => Cond::Const(false),
        "match" => Cond::Match,
        "stack" => Cond::HasStack,
        name => EventKind::from_name(name)
            .map(Cond::Kind)
            .or_else(|| OldEvent::from_name(name).map(Cond::Old))
            .ok_or_else(|| CondError::UnknownWord(name.to_string()))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gotrace::legacy::types as t;

    fn facts(typ: u8, has_stack: bool, matches: bool) -> Facts {
        Facts {
            did: Did::of_old(typ, false),
            has_stack,
            matches,
        }
    }

    #[test]
    fn precedence_and_words() {
        let c = Cond::parse("not GoEnd and (not stack or match)").unwrap();
        assert!(c.eval(&facts(t::EV_GO_BLOCK, false, false)));
        assert!(c.eval(&facts(t::EV_GO_BLOCK, true, true)));
        assert!(!c.eval(&facts(t::EV_GO_BLOCK, true, false)));
        assert!(!c.eval(&facts(t::EV_GO_END, false, false)));
        let d = Cond::parse("!GoEnd && (!stack || match)").unwrap();
        assert_eq!(c, d);
        // and binds tighter than or
        let e = Cond::parse("stack or GoStart and false").unwrap();
        assert_eq!(
            e,
            Cond::Or(vec![
                Cond::HasStack,
                Cond::And(vec![Cond::parse("GoStart").unwrap(), Cond::Const(false)])
            ])
        );
        assert!(e.eval(&facts(t::EV_GO_START, true, false)));
        assert!(!e.eval(&facts(t::EV_GO_START, false, false)));
    }

    /// Kinds of the common model and its reasons name events of either
    /// source; old names name what the analysis tells an event as.
    #[test]
    fn kinds_reasons_and_old_names() {
        let of = |did| Facts {
            did,
            has_stack: true,
            matches: false,
        };
        let eval = |src: &str, did| Cond::parse(src).unwrap().eval(&of(did));
        let recv = Did::of_old(t::EV_GO_BLOCK_RECV, false);
        assert!(eval("StateTransition", recv));
        assert!(eval("\"chan receive\"", recv));
        assert!(eval("GoBlockRecv and \"chan receive\"", recv));
        assert!(!eval("\"chan send\" or RangeBegin", recv));
        let synctest = Did::Block(Some(Reason::Synctest));
        assert!(eval("\"synctest\" and GoBlock", synctest));
        assert!(!eval("GoBlockSync", synctest));
        let preempted = Did::Stop(Some(Reason::Preempted));
        assert!(eval("GoPreempt and \"preempted\"", preempted));
        assert!(eval("GoSched", Did::Stop(Some(Reason::Unspecified))));
        assert!(eval(
            "\"unspecified\"",
            Did::Stop(Some(Reason::Unspecified))
        ));
        assert!(eval("RangeBegin and GCMarkAssistStart", Did::AssistBegin));
        assert!(eval("StackSample and CPUSample", Did::Sample));
        let region = Did::of_old(t::EV_USER_REGION, true);
        assert!(eval("RegionEnd and UserRegion", region));
        assert!(!eval("RegionBegin", region));
        assert!(eval(
            "STWStart and GCSTWStart",
            Did::of_old(t::EV_STW_START, false)
        ));
        // The legacy view reports "local" events as their plain forms.
        assert!(!eval("GoStartLocal", Did::Start));
    }

    #[test]
    fn errors() {
        assert!(
            Cond::parse("GoStrat")
                .unwrap_err()
                .to_string()
                .contains("GoStrat")
        );
        assert!(Cond::parse("match and").is_err());
        assert!(Cond::parse("(match").is_err());
        assert!(Cond::parse("match & stack").is_err());
        assert!(Cond::parse("match stack").is_err());
        assert_eq!(
            Cond::parse("\"chan recv\""),
            Err(CondError::UnknownReason("chan recv".into()))
        );
        assert!(matches!(
            Cond::parse("match and \"sleep"),
            Err(CondError::Unterminated(10, _))
        ));
        assert!(matches!(
            Cond::parse("match \"sleep\""),
            Err(CondError::Trailing(..))
        ));
        assert!(matches!(
            Cond::parse("match)"),
            Err(CondError::Trailing(..))
        ));
        assert_eq!(Cond::parse("(match stack)"), Err(CondError::MissingParen));
        assert_eq!(Cond::parse("not"), Err(CondError::EndsEarly));
        assert_eq!(Cond::parse("()"), Err(CondError::UnknownWord(")".into())));
    }

    /// Up to the limit, nesting parses as the recursive grammar would;
    /// above it, far above too, it is an error, not a crash; long flat
    /// lists are no nesting.
    #[test]
    fn nesting_limit() {
        let f = facts(t::EV_GO_BLOCK, true, false);
        let nested = |n: usize, inner: &str| "(".repeat(n) + inner + &")".repeat(n);
        let c = Cond::parse(&nested(MAX_NESTING - 1, "stack and not match")).unwrap();
        assert!(c.eval(&f));
        assert_eq!(c, Cond::parse("stack and not match").unwrap());
        let nots = |n: usize| "not ".repeat(n) + "stack";
        assert!(Cond::parse(&nots(MAX_NESTING)).unwrap().eval(&f));
        assert!(!Cond::parse(&nots(MAX_NESTING - 1)).unwrap().eval(&f));
        let mixed = "not (".repeat(MAX_NESTING / 2) + "stack" + &")".repeat(MAX_NESTING / 2);
        assert!(Cond::parse(&mixed).unwrap().eval(&f));
        let too_deep = CondError::TooDeep(MAX_NESTING);
        for src in [
            nested(MAX_NESTING + 1, "stack"),
            nested(20_000, "stack"),
            nots(100_000),
            "(not ".repeat(MAX_NESTING),
        ] {
            assert_eq!(Cond::parse(&src), Err(too_deep.clone()));
        }
        let flat = vec!["stack"; 100_000].join(" and ");
        assert!(Cond::parse(&flat).unwrap().eval(&f));
        let flat = vec!["match"; 100_000].join(" or ") + " or (stack and not match)";
        assert!(Cond::parse(&flat).unwrap().eval(&f));
        assert!(too_deep.to_string().contains("100"), "{too_deep}");
    }
}
