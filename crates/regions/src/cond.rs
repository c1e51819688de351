//! Conditions on one event, as written in pattern files: `match` (the
//! pattern's stacks match the event's stack), `stack` (the event has a
//! stack), an event name, a quoted reason, `true`, `false`, combined with
//! `not`, `and`, `or` and parentheses (`!`, `&&`, `||` also accepted);
//! `and` binds tighter than `or`.
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
    /// `and`.
    And(Box<Cond>, Box<Cond>),
    /// `or`.
    Or(Box<Cond>, Box<Cond>),
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
        let tokens = tokenize(src)?;
        let mut p = Parser { tokens, at: 0 };
        let c = p.or()?;
        match p.tokens.get(p.at) {
            None => Ok(c),
            Some(tok) => Err(CondError::Trailing(tok.to_string(), src.to_string())),
        }
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
            Cond::And(a, b) => a.eval(f) && b.eval(f),
            Cond::Or(a, b) => a.eval(f) || b.eval(f),
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

struct Parser {
    tokens: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek_word(&self) -> Option<&str> {
        match self.tokens.get(self.at) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }

    fn or(&mut self) -> Result<Cond, CondError> {
        let mut c = self.and()?;
        while self.peek_word() == Some("or") {
            self.at += 1;
            c = Cond::Or(Box::new(c), Box::new(self.and()?));
        }
        Ok(c)
    }

    fn and(&mut self) -> Result<Cond, CondError> {
        let mut c = self.unary()?;
        while self.peek_word() == Some("and") {
            self.at += 1;
            c = Cond::And(Box::new(c), Box::new(self.unary()?));
        }
        Ok(c)
    }

    fn unary(&mut self) -> Result<Cond, CondError> {
        let Some(tok) = self.tokens.get(self.at).cloned() else {
            return Err(CondError::EndsEarly);
        };
        self.at += 1;
        let word = match tok {
            Tok::Quoted(reason) => {
                return Reason::from_name(&reason)
                    .map(Cond::Reason)
                    .ok_or(CondError::UnknownReason(reason));
            }
            Tok::Word(w) => w,
        };
        match word.as_str() {
            "not" | "!" => Ok(Cond::Not(Box::new(self.unary()?))),
            "(" => {
                let c = self.or()?;
                if self.peek_word() != Some(")") {
                    return Err(CondError::MissingParen);
                }
                self.at += 1;
                Ok(c)
            }
            "true" => Ok(Cond::Const(true)),
            "false" => Ok(Cond::Const(false)),
            "match" => Ok(Cond::Match),
            "stack" => Ok(Cond::HasStack),
            name => EventKind::from_name(name)
                .map(Cond::Kind)
                .or_else(|| OldEvent::from_name(name).map(Cond::Old))
                .ok_or_else(|| CondError::UnknownWord(name.to_string())),
        }
    }
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
    }
}
