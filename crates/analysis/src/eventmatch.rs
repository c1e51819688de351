//! The `-match` filter: an event kind (or `Any`, or one of the older
//! Go ≤1.21 event names, mapped onto the parsed model) followed by a stack
//! pattern written as Go string literals, root first.

use crate::stackmatch::{PatternError, StackPattern};
use gocompat::literal::{LiteralError, scan_literals};
use gotrace::vocab::{Meaning, OldEvent};
use gotrace::{Event, EventKind};

/// Why a `-match` value cannot be used (the texts are upstream's where
/// upstream has the case).
#[derive(Debug, Clone, thiserror::Error)]
pub enum MatchError {
    /// Neither a kind, `Any`, nor an older event name.
    #[error("invalid trace event name {0:?}")]
    UnknownEvent(String),
    /// An older event name the parsed model cannot express.
    #[error(
        "the older event name {0:?} has no equivalent in the parsed model \
         (a blocked syscall shows as its proc being stolen); try 'GoSysCall'"
    )]
    NoEquivalent(&'static str),
    /// A record type of the older format that is not an event.
    #[error("{0:?} is a record of the older trace format, not an event")]
    NotAnEvent(&'static str),
    /// The stack specs are not Go string literals.
    #[error(transparent)]
    Literal(#[from] LiteralError),
    /// A stack spec is not a valid regexp.
    #[error("invalid stack matcher flag: {0}")]
    Stack(#[from] PatternError),
}

/// The older (Go ≤1.21) event name `name` as the parsed model sees it, or
/// why it has no counterpart there.
fn alias(name: &str) -> Result<Option<OldEvent>, MatchError> {
    let Some(old) = OldEvent::from_name(name) else {
        return Ok(None);
    };
    match old.meaning() {
        Meaning::NoCounterpart => Err(MatchError::NoEquivalent(old.name())),
        Meaning::Record => Err(MatchError::NotAnEvent(old.name())),
        _ => Ok(Some(old)),
    }
}

/// A parsed `-match` value.
#[derive(Debug, Clone)]
pub struct EventMatcher {
    /// Kinds accepted; empty for `Any`.
    kinds: &'static [EventKind],
    alias: Option<OldEvent>,
    specs: Vec<String>,
    pattern: StackPattern,
}

impl EventMatcher {
    /// Parses `KIND "spec" "spec" ...`. KIND is a kind name, `Any`, or an
    /// older event name (see the README); specs are Go string literals.
    pub fn parse(value: &str) -> Result<EventMatcher, MatchError> {
        let (name, rest) = match value.split_once(' ') {
            Some((n, r)) => (n, Some(r)),
            None => (value, None),
        };
        let mut alias_pred = None;
        let kinds: &'static [EventKind] = if name == "Any" {
            &[]
        } else if let Some(k) = EventKind::from_name(name) {
            std::slice::from_ref(
                EventKind::ALL
                    .iter()
                    .find(|x| **x == k)
                    .expect("listed kind"),
            )
        } else if let Some(old) = alias(name)? {
            alias_pred = Some(old);
            old.kinds()
        } else {
            return Err(MatchError::UnknownEvent(name.to_owned()));
        };
        let specs = match rest {
            Some(r) => scan_literals(r)?,
            None => Vec::new(),
        };
        let pattern = StackPattern::new(&specs)?;
        Ok(EventMatcher {
            kinds,
            alias: alias_pred,
            specs,
            pattern,
        })
    }

    /// Whether this matcher filters anything: `Any` without specs does not.
    pub fn is_filter(&self) -> bool {
        !self.kinds.is_empty() || !self.specs.is_empty()
    }

    /// Whether the event's kind (and older-name meaning) is accepted,
    /// regardless of its stack.
    pub fn kind_matches(&self, ev: &Event<'_>) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&ev.kind()))
            && self.alias.is_none_or(|a| a.matches(ev))
    }

    /// The stack pattern.
    pub fn pattern(&self) -> &StackPattern {
        &self.pattern
    }

    /// Whether the event passes: its kind is accepted and its own stack
    /// matches the pattern (an empty pattern matches only empty stacks).
    pub fn matches(&self, ev: &Event<'_>) -> bool {
        self.kind_matches(ev) && self.pattern.matches_stack(&ev.stack())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_match_upstream_wording() {
        let e = EventMatcher::parse("Foo").unwrap_err();
        assert!(matches!(&e, MatchError::UnknownEvent(n) if n == "Foo"));
        assert_eq!(e.to_string(), "invalid trace event name \"Foo\"");
        assert!(EventMatcher::parse("any").is_err());
        assert!(EventMatcher::parse("Bad").is_err());
        assert!(EventMatcher::parse("StateTransition\t\"**\"").is_err());
        let e = EventMatcher::parse("Any \"[\"").unwrap_err();
        assert!(matches!(&e, MatchError::Stack(p) if p.spec == "["));
        let e = e.to_string();
        assert!(
            e.starts_with("invalid stack matcher flag: could not compile regexp \"[\""),
            "{e}"
        );
        let e = EventMatcher::parse("GoSysBlock").unwrap_err();
        assert!(matches!(e, MatchError::NoEquivalent("GoSysBlock")));
        assert!(e.to_string().contains("no equivalent"));
        assert_eq!(
            e.to_string(),
            "the older event name \"GoSysBlock\" has no equivalent in the parsed model \
             (a blocked syscall shows as its proc being stolen); try 'GoSysCall'"
        );
        let e = EventMatcher::parse("Stack").unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"Stack\" is a record of the older trace format, not an event"
        );
        let e = EventMatcher::parse("Any `x").unwrap_err();
        assert!(matches!(e, MatchError::Literal(LiteralError::Eof)));
    }

    #[test]
    fn filtering_rules() {
        assert!(!EventMatcher::parse("Any").unwrap().is_filter());
        assert!(!EventMatcher::parse("Any ").unwrap().is_filter());
        assert!(EventMatcher::parse("Any \"**\"").unwrap().is_filter());
        assert!(EventMatcher::parse("StateTransition").unwrap().is_filter());
        let m = EventMatcher::parse("GoBlockSync \"net/http...conn..serve\" \"ServeHTTP\" \"**\"")
            .unwrap();
        assert_eq!(m.kinds, &[EventKind::StateTransition]);
        assert_eq!(m.specs.len(), 3);
    }
}
