//! The `-match` filter: an event kind (or `Any`, or one of the older
//! Go ≤1.21 event names, mapped onto the parsed model) followed by a stack
//! pattern written as Go string literals, root first.

use crate::stackmatch::{PatternError, StackPattern};
use gocompat::literal::{LiteralError, scan_literals};
use gotrace::{Event, EventKind, GoState, ProcState, RangeName, Transition};

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
    NotAnEvent(String),
    /// The stack specs are not Go string literals.
    #[error(transparent)]
    Literal(#[from] LiteralError),
    /// A stack spec is not a valid regexp.
    #[error("invalid stack matcher flag: {0}")]
    Stack(#[from] PatternError),
}

/// Block reasons that have an older event name of their own.
const NAMED_BLOCK_REASONS: [&str; 9] = [
    "forever",
    "sleep",
    "chan send",
    "chan receive",
    "select",
    "sync",
    "sync.(*Cond).Wait",
    "network",
    "GC mark assist wait for work",
];

/// What an older (Go ≤1.21) event name means in the parsed model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alias {
    /// A goroutine transition between these states, with this reason
    /// (`None`: any reason).
    Go(&'static [GoState], &'static [GoState], Option<&'static str>),
    /// A goroutine blocking for a reason without a name of its own.
    GoBlockOther,
    /// A proc transition.
    Proc(&'static [ProcState], &'static [ProcState]),
    /// A metric with this name.
    Metric(&'static str),
    /// A range of this family.
    Range(RangeFamily),
    /// Any event of the kinds listed.
    Kinds(&'static [EventKind]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeFamily {
    GcMark,
    Stw,
    Sweep,
    Assist,
}

fn alias(name: &str) -> Result<Option<(Alias, &'static [EventKind])>, MatchError> {
    use GoState as G;
    use ProcState as P;
    const ST: &[EventKind] = &[EventKind::StateTransition];
    const BEGIN: &[EventKind] = &[EventKind::RangeBegin];
    const END: &[EventKind] = &[EventKind::RangeEnd];
    let blocked = |reason| Alias::Go(&[G::Running], &[G::Waiting], Some(reason));
    let a = match name {
        "GoCreate" => (
            Alias::Go(&[G::NotExist], &[G::Runnable, G::Waiting], None),
            ST,
        ),
        "GoStart" | "GoStartLocal" | "GoStartLabel" => {
            (Alias::Go(&[G::Runnable], &[G::Running], None), ST)
        }
        "GoEnd" => (Alias::Go(&[G::Running], &[G::NotExist], None), ST),
        "GoStop" => (blocked("forever"), ST),
        "GoSched" => (
            Alias::Go(&[G::Running], &[G::Runnable], Some("runtime.Gosched")),
            ST,
        ),
        "GoPreempt" => (
            Alias::Go(&[G::Running], &[G::Runnable], Some("preempted")),
            ST,
        ),
        "GoSleep" => (blocked("sleep"), ST),
        "GoBlockSend" => (blocked("chan send"), ST),
        "GoBlockRecv" => (blocked("chan receive"), ST),
        "GoBlockSelect" => (blocked("select"), ST),
        "GoBlockSync" => (blocked("sync"), ST),
        "GoBlockCond" => (blocked("sync.(*Cond).Wait"), ST),
        "GoBlockNet" => (blocked("network"), ST),
        "GoBlockGC" => (blocked("GC mark assist wait for work"), ST),
        "GoBlock" => (Alias::GoBlockOther, ST),
        "GoUnblock" | "GoUnblockLocal" => (Alias::Go(&[G::Waiting], &[G::Runnable], None), ST),
        "GoSysCall" => (Alias::Go(&[G::Running], &[G::Syscall], None), ST),
        "GoSysExit" | "GoSysExitLocal" => (Alias::Go(&[G::Syscall], &[G::Runnable], None), ST),
        "GoWaiting" => (Alias::Go(&[G::Undetermined], &[G::Waiting], None), ST),
        "GoInSyscall" => (Alias::Go(&[G::Undetermined], &[G::Syscall], None), ST),
        "ProcStart" => (Alias::Proc(&[P::Idle, P::Undetermined], &[P::Running]), ST),
        "ProcStop" => (Alias::Proc(&[P::Running, P::Undetermined], &[P::Idle]), ST),
        "Gomaxprocs" => (
            Alias::Metric("/sched/gomaxprocs:threads"),
            &[EventKind::Metric][..],
        ),
        "HeapAlloc" => (
            Alias::Metric("/memory/classes/heap/objects:bytes"),
            &[EventKind::Metric][..],
        ),
        "HeapGoal" => (
            Alias::Metric("/gc/heap/goal:bytes"),
            &[EventKind::Metric][..],
        ),
        "GCStart" => (Alias::Range(RangeFamily::GcMark), BEGIN),
        "GCDone" => (Alias::Range(RangeFamily::GcMark), END),
        "GCSTWStart" | "STWStart" => (Alias::Range(RangeFamily::Stw), BEGIN),
        "GCSTWDone" | "STWDone" => (Alias::Range(RangeFamily::Stw), END),
        "GCSweepStart" => (Alias::Range(RangeFamily::Sweep), BEGIN),
        "GCSweepDone" => (Alias::Range(RangeFamily::Sweep), END),
        "GCMarkAssistStart" => (Alias::Range(RangeFamily::Assist), BEGIN),
        "GCMarkAssistDone" => (Alias::Range(RangeFamily::Assist), END),
        "UserTaskCreate" => (
            Alias::Kinds(&[EventKind::TaskBegin]),
            &[EventKind::TaskBegin][..],
        ),
        "UserTaskEnd" => (
            Alias::Kinds(&[EventKind::TaskEnd]),
            &[EventKind::TaskEnd][..],
        ),
        "UserRegion" => {
            const R: &[EventKind] = &[EventKind::RegionBegin, EventKind::RegionEnd];
            (Alias::Kinds(R), R)
        }
        "UserLog" => (Alias::Kinds(&[EventKind::Log]), &[EventKind::Log][..]),
        "CPUSample" => (
            Alias::Kinds(&[EventKind::StackSample]),
            &[EventKind::StackSample][..],
        ),
        "GoSysBlock" => return Err(MatchError::NoEquivalent("GoSysBlock")),
        "Batch" | "Frequency" | "Stack" | "String" | "TimerGoroutine" | "FutileWakeup" | "None" => {
            return Err(MatchError::NotAnEvent(name.to_owned()));
        }
        _ => return Ok(None),
    };
    Ok(Some(a))
}

impl Alias {
    fn matches(&self, ev: &Event<'_>) -> bool {
        match *self {
            Alias::Go(from, to, reason) => match ev.state_transition() {
                Some(st) => match st.transition {
                    Transition::Goroutine { from: f, to: t, .. } => {
                        from.contains(&f)
                            && to.contains(&t)
                            && reason.is_none_or(|r| st.reason == r)
                    }
                    Transition::Proc { .. } => false,
                },
                None => false,
            },
            Alias::GoBlockOther => match ev.state_transition() {
                Some(st) => {
                    matches!(
                        st.transition,
                        Transition::Goroutine {
                            from: GoState::Running,
                            to: GoState::Waiting,
                            ..
                        }
                    ) && !NAMED_BLOCK_REASONS.contains(&st.reason)
                }
                None => false,
            },
            Alias::Proc(from, to) => match ev.state_transition().map(|s| s.transition) {
                Some(Transition::Proc { from: f, to: t, .. }) => {
                    from.contains(&f) && to.contains(&t)
                }
                _ => false,
            },
            Alias::Metric(name) => ev.metric().is_some_and(|m| m.name == name),
            Alias::Range(family) => ev.range().is_some_and(|r| {
                matches!(
                    (family, r.name),
                    (RangeFamily::GcMark, RangeName::GcMark)
                        | (RangeFamily::Stw, RangeName::StopTheWorld(_))
                        | (RangeFamily::Sweep, RangeName::GcSweep)
                        | (RangeFamily::Assist, RangeName::GcMarkAssist)
                )
            }),
            Alias::Kinds(kinds) => kinds.contains(&ev.kind()),
        }
    }
}

/// A parsed `-match` value.
#[derive(Debug, Clone)]
pub struct EventMatcher {
    /// Kinds accepted; empty for `Any`.
    kinds: &'static [EventKind],
    alias: Option<Alias>,
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
        } else if let Some((a, kinds)) = alias(name)? {
            alias_pred = Some(a);
            kinds
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
