//! Conditions on one event, as written in pattern files: `match` (the
//! pattern's stacks match the event's stack), `stack` (the event has a
//! stack), an event type name such as `GoStart` or `GoEnd` (Go ≤1.21
//! names), `true`, `false`, combined with `not`, `and`, `or` and
//! parentheses (`!`, `&&`, `||` also accepted). `and` binds tighter than
//! `or`.

use crate::error::CondError;
use crate::event::type_by_name;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// `true` or `false`.
    Const(bool),
    /// `match`: the pattern's stacks match the event's stack.
    Match,
    /// `stack`: the event has a stack.
    HasStack,
    /// An event type name: the event has that (Go ≤1.21) type.
    Type(u8),
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
    /// The event's type.
    pub typ: u8,
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
            Some(tok) => Err(CondError::Trailing(tok.clone(), src.to_string())),
        }
    }

    /// Evaluates the condition.
    pub fn eval(&self, f: &Facts) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Match => f.matches,
            Cond::HasStack => f.has_stack,
            Cond::Type(t) => f.typ == *t,
            Cond::Not(c) => !c.eval(f),
            Cond::And(a, b) => a.eval(f) && b.eval(f),
            Cond::Or(a, b) => a.eval(f) || b.eval(f),
        }
    }
}

fn tokenize(src: &str) -> Result<Vec<String>, CondError> {
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' || c == ')' || c == '!' {
            out.push(c.to_string());
            chars.next();
        } else if c == '&' || c == '|' {
            chars.next();
            if chars.next_if(|&(_, d)| d == c).is_none() {
                return Err(CondError::Single(c, i, src.to_string()));
            }
            out.push(if c == '&' { "and" } else { "or" }.to_string());
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let mut word = String::new();
            while let Some((_, d)) = chars.next_if(|&(_, d)| d.is_ascii_alphanumeric() || d == '_')
            {
                word.push(d);
            }
            out.push(word);
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
    tokens: Vec<String>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn or(&mut self) -> Result<Cond, CondError> {
        let mut c = self.and()?;
        while self.peek() == Some("or") {
            self.at += 1;
            c = Cond::Or(Box::new(c), Box::new(self.and()?));
        }
        Ok(c)
    }

    fn and(&mut self) -> Result<Cond, CondError> {
        let mut c = self.unary()?;
        while self.peek() == Some("and") {
            self.at += 1;
            c = Cond::And(Box::new(c), Box::new(self.unary()?));
        }
        Ok(c)
    }

    fn unary(&mut self) -> Result<Cond, CondError> {
        let Some(tok) = self.peek().map(str::to_string) else {
            return Err(CondError::EndsEarly);
        };
        self.at += 1;
        match tok.as_str() {
            "not" | "!" => Ok(Cond::Not(Box::new(self.unary()?))),
            "(" => {
                let c = self.or()?;
                if self.peek() != Some(")") {
                    return Err(CondError::MissingParen);
                }
                self.at += 1;
                Ok(c)
            }
            "true" => Ok(Cond::Const(true)),
            "false" => Ok(Cond::Const(false)),
            "match" => Ok(Cond::Match),
            "stack" => Ok(Cond::HasStack),
            name => type_by_name(name)
                .map(Cond::Type)
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
            typ,
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
    }
}
