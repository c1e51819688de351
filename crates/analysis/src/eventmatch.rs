//! The `-match` filter: an event kind (or `Any`, or one of the older
//! Go ≤1.21 event names, mapped onto the parsed model) followed by a stack
//! pattern written as Go string literals, root first.

use crate::golit::scan_literals;
use crate::stackmatch::StackPattern;
use gotrace::vocab::{Meaning, OldEvent};
use gotrace::{Event, EventKind};

/// The older (Go ≤1.21) event name `name` as the parsed model sees it, or
/// why it has no counterpart there.
fn alias(name: &str) -> Result<Option<OldEvent>, String> {
    let Some(old) = OldEvent::from_name(name) else {
        return Ok(None);
    };
    match old.meaning() {
        Meaning::NoCounterpart => Err(format!(
            "the older event name {name:?} has no equivalent in the parsed model \
             (a blocked syscall shows as its proc being stolen); try 'GoSysCall'"
        )),
        Meaning::Record => Err(format!(
            "{name:?} is a record of the older trace format, not an event"
        )),
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
    pub fn parse(value: &str) -> Result<EventMatcher, String> {
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
            return Err(format!("invalid trace event name {name:?}"));
        };
        let specs = match rest {
            Some(r) => scan_literals(r)?,
            None => Vec::new(),
        };
        let pattern =
            StackPattern::new(&specs).map_err(|e| format!("invalid stack matcher flag: {e}"))?;
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
        assert_eq!(e, "invalid trace event name \"Foo\"");
        assert!(EventMatcher::parse("any").is_err());
        assert!(EventMatcher::parse("Bad").is_err());
        assert!(EventMatcher::parse("StateTransition\t\"**\"").is_err());
        let e = EventMatcher::parse("Any \"[\"").unwrap_err();
        assert!(
            e.starts_with("invalid stack matcher flag: could not compile regexp \"[\""),
            "{e}"
        );
        assert!(
            EventMatcher::parse("GoSysBlock")
                .unwrap_err()
                .contains("no equivalent")
        );
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
