//! The vocabulary every trace format shares: why goroutines block and stop
//! ([`Reason`]), the kinds of stop-the-world the Go ≤1.21 converter names
//! ([`StwKind`]), and what each Go ≤1.21 event name means in the common
//! event model ([`OldEvent`]). This module is the only place these names
//! are spelled; the v1 converter writes them, and every consumer that lets
//! a user name events reads them from here.
//!
//! # Looking a name up
//!
//! A consumer that accepts event names from its user (etgrep's `-match`,
//! region conditions) resolves a name in this order:
//!
//! 1. [`EventKind::from_name`] for a kind of the common model
//!    (`StateTransition`, `RegionBegin`, ...);
//! 2. [`OldEvent::from_name`] for a Go ≤1.21 event name (`GoBlockSync`,
//!    `GCStart`, `STWStart`, ...). [`OldEvent::kinds`] says which kinds of
//!    event it can be, [`OldEvent::matches`] whether an event is one, and
//!    [`Meaning::NoCounterpart`] / [`Meaning::Record`] mark the names a
//!    consumer should reject (with its own explanation);
//! 3. [`Reason::from_name`] for a block or stop reason (`chan receive`),
//!    to compare with [`StateTransition::reason`](crate::StateTransition)
//!    through [`Reason::of`].
//!
//! The other way round, [`OldEvent::of_event`] names the Go ≤1.21 event an
//! event of any format stands for, and [`OldEvent::block`] the one a block
//! for a given reason stands for, for analyses that speak the old names;
//! [`OldEvent::all`] lists every old event type.
//!
//! ```
//! use gotrace::vocab::{Meaning, OldEvent, Reason};
//! use gotrace::{EventKind, GoState};
//!
//! let cond = OldEvent::from_name("GoBlockCond").unwrap();
//! assert_eq!(cond.kinds(), &[EventKind::StateTransition]);
//! assert_eq!(cond.reason(), Some(Reason::CondWait));
//! assert_eq!(Reason::CondWait.name(), "sync.(*Cond).Wait");
//! assert!(matches!(
//!     cond.meaning(),
//!     Meaning::Goroutine { from: [GoState::Running], to: [GoState::Waiting], .. }
//! ));
//! ```

use crate::event::{Event, EventKind, GoState, Metric, ProcState, RangeName, Transition};
use crate::v1::spec::{self as v1, desc};
use crate::version::Version;

/// Why a goroutine blocked (Running → Waiting) or stopped (Running →
/// Runnable): the reason strings of Go's parsed model. Go 1.22+ traces
/// carry these strings themselves (a newer runtime may add some); the v1
/// converter gives old events the ones [`OldEvent::reason`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// `forever` (`select {}`, a nil channel; GoStop in old traces).
    Forever,
    /// `preempted`.
    Preempted,
    /// `runtime.Gosched`.
    Gosched,
    /// `sleep`.
    Sleep,
    /// `chan send`.
    ChanSend,
    /// `chan receive`.
    ChanReceive,
    /// `network`.
    Network,
    /// `sync`.
    Sync,
    /// `sync.(*Cond).Wait`.
    CondWait,
    /// `select`.
    Select,
    /// The empty string: the v1 converter's reason for an old GoBlock.
    Empty,
    /// `GC mark assist wait for work`.
    MarkAssistWait,
    /// `unspecified`: Go 1.22+'s generic block or stop.
    Unspecified,
    /// `GC background sweeper wait`.
    SweepWait,
    /// `system goroutine wait`.
    SystemGoroutine,
    /// `wait for debug call`.
    DebugCall,
    /// `wait until GC ends`.
    UntilGcEnds,
    /// `GC weak to strong wait`.
    WeakToStrongWait,
    /// `synctest`.
    Synctest,
}

impl Reason {
    /// Every reason, in the order the v1 converter adds them to the string
    /// table (Go's `tracev1.go` order first).
    pub const ALL: [Reason; 19] = [
        Reason::Forever,
        Reason::Preempted,
        Reason::Gosched,
        Reason::Sleep,
        Reason::ChanSend,
        Reason::ChanReceive,
        Reason::Network,
        Reason::Sync,
        Reason::CondWait,
        Reason::Select,
        Reason::Empty,
        Reason::MarkAssistWait,
        Reason::Unspecified,
        Reason::SweepWait,
        Reason::SystemGoroutine,
        Reason::DebugCall,
        Reason::UntilGcEnds,
        Reason::WeakToStrongWait,
        Reason::Synctest,
    ];

    /// The string as the parsed model gives it.
    pub fn name(self) -> &'static str {
        match self {
            Reason::Forever => "forever",
            Reason::Preempted => "preempted",
            Reason::Gosched => "runtime.Gosched",
            Reason::Sleep => "sleep",
            Reason::ChanSend => "chan send",
            Reason::ChanReceive => "chan receive",
            Reason::Network => "network",
            Reason::Sync => "sync",
            Reason::CondWait => "sync.(*Cond).Wait",
            Reason::Select => "select",
            Reason::Empty => "",
            Reason::MarkAssistWait => "GC mark assist wait for work",
            Reason::Unspecified => "unspecified",
            Reason::SweepWait => "GC background sweeper wait",
            Reason::SystemGoroutine => "system goroutine wait",
            Reason::DebugCall => "wait for debug call",
            Reason::UntilGcEnds => "wait until GC ends",
            Reason::WeakToStrongWait => "GC weak to strong wait",
            Reason::Synctest => "synctest",
        }
    }

    /// The reason with exactly this string.
    pub fn from_name(name: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Whether a transition's reason string is this reason.
    pub fn of(self, reason: &str) -> bool {
        self.name() == reason
    }
}

/// The stop-the-world kinds of Go ≤1.21 traces, as the v1 converter names
/// them in `stop-the-world (KIND)` ranges (Go 1.21's runtime numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StwKind {
    /// The empty string: a kind the trace does not say.
    Unknown,
    GcMarkTermination,
    GcSweepTermination,
    WriteHeapDump,
    GoroutineProfile,
    GoroutineProfileCleanup,
    AllGoroutinesStack,
    ReadMemStats,
    AllThreadsSyscall,
    Gomaxprocs,
    StartTrace,
    StopTrace,
    CountPagesInUse,
    ReadMetricsSlow,
    ReadMemStatsSlow,
    PageCachePagesLeaked,
    ResetDebugLog,
}

impl StwKind {
    /// Every kind; the index is the Go 1.21 runtime's number for it.
    pub const ALL: [StwKind; 17] = [
        StwKind::Unknown,
        StwKind::GcMarkTermination,
        StwKind::GcSweepTermination,
        StwKind::WriteHeapDump,
        StwKind::GoroutineProfile,
        StwKind::GoroutineProfileCleanup,
        StwKind::AllGoroutinesStack,
        StwKind::ReadMemStats,
        StwKind::AllThreadsSyscall,
        StwKind::Gomaxprocs,
        StwKind::StartTrace,
        StwKind::StopTrace,
        StwKind::CountPagesInUse,
        StwKind::ReadMetricsSlow,
        StwKind::ReadMemStatsSlow,
        StwKind::PageCachePagesLeaked,
        StwKind::ResetDebugLog,
    ];

    /// The kind's name, as in `stop-the-world (NAME)`.
    pub fn name(self) -> &'static str {
        match self {
            StwKind::Unknown => "",
            StwKind::GcMarkTermination => "GC mark termination",
            StwKind::GcSweepTermination => "GC sweep termination",
            StwKind::WriteHeapDump => "write heap dump",
            StwKind::GoroutineProfile => "goroutine profile",
            StwKind::GoroutineProfileCleanup => "goroutine profile cleanup",
            StwKind::AllGoroutinesStack => "all goroutine stack trace",
            StwKind::ReadMemStats => "read mem stats",
            StwKind::AllThreadsSyscall => "AllThreadsSyscall",
            StwKind::Gomaxprocs => "GOMAXPROCS",
            StwKind::StartTrace => "start trace",
            StwKind::StopTrace => "stop trace",
            StwKind::CountPagesInUse => "CountPagesInUse (test)",
            StwKind::ReadMetricsSlow => "ReadMetricsSlow (test)",
            StwKind::ReadMemStatsSlow => "ReadMemStatsSlow (test)",
            StwKind::PageCachePagesLeaked => "PageCachePagesLeaked (test)",
            StwKind::ResetDebugLog => "ResetDebugLog (test)",
        }
    }

    /// The kind a GCSTWStart argument of a Go ≤1.21 trace stands for:
    /// before Go 1.21 only 0 (mark termination) and 1 (sweep termination)
    /// exist; an unknown number is [`StwKind::Unknown`].
    pub fn from_v1(version: Version, code: u64) -> StwKind {
        let i = if version.features().stw_kinds_numbered {
            code
        } else if code <= 1 {
            code + 1
        } else {
            0
        };
        usize::try_from(i)
            .ok()
            .and_then(|i| StwKind::ALL.get(i).copied())
            .unwrap_or(StwKind::Unknown)
    }
}

/// The families of ranges, whatever their stop-the-world kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RangeFamily {
    /// `GC concurrent mark phase`.
    GcMark,
    /// `stop-the-world (KIND)`.
    StopTheWorld,
    /// `GC incremental sweep`.
    GcSweep,
    /// `GC mark assist`.
    GcMarkAssist,
}

impl RangeFamily {
    /// The family a range name belongs to.
    pub fn of(name: RangeName<'_>) -> RangeFamily {
        match name {
            RangeName::GcMark => RangeFamily::GcMark,
            RangeName::StopTheWorld(_) => RangeFamily::StopTheWorld,
            RangeName::GcSweep => RangeFamily::GcSweep,
            RangeName::GcMarkAssist => RangeFamily::GcMarkAssist,
        }
    }
}

/// Which reasons a goroutine transition of an old event name has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonMatch {
    /// Any reason.
    Any,
    /// This reason.
    Is(Reason),
    /// Any reason that no other old event name has (GoBlock); the v1
    /// converter writes [`Reason::Empty`].
    Unnamed,
}

/// What a Go ≤1.21 event name means in the common model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// A goroutine going from one of `from` to one of `to`.
    Goroutine {
        from: &'static [GoState],
        to: &'static [GoState],
        reason: ReasonMatch,
    },
    /// A proc going from one of `from` to one of `to`.
    Proc {
        from: &'static [ProcState],
        to: &'static [ProcState],
    },
    /// A sample of the metric of this name.
    Metric(&'static str),
    /// A range of this family beginning (`RangeBegin`) or ending
    /// (`RangeEnd`).
    Range {
        family: RangeFamily,
        kind: EventKind,
    },
    /// Any event of these kinds.
    Kinds(&'static [EventKind]),
    /// An event with no counterpart in the parsed model (GoSysBlock: a
    /// blocked syscall shows as its proc being stolen).
    NoCounterpart,
    /// A record of the old format (a batch header, a string, ...), not an
    /// event.
    Record,
}

/// A Go ≤1.21 event type, named as Go names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OldEvent(u8);

/// The block events whose name says their reason, in lookup order.
const NAMED_BLOCKS: [OldEvent; 9] = [
    OldEvent(v1::EV_GO_STOP),
    OldEvent(v1::EV_GO_SLEEP),
    OldEvent(v1::EV_GO_BLOCK_SEND),
    OldEvent(v1::EV_GO_BLOCK_RECV),
    OldEvent(v1::EV_GO_BLOCK_SELECT),
    OldEvent(v1::EV_GO_BLOCK_SYNC),
    OldEvent(v1::EV_GO_BLOCK_COND),
    OldEvent(v1::EV_GO_BLOCK_NET),
    OldEvent(v1::EV_GO_BLOCK_GC),
];

/// Names Go 1.21 gives event types that older releases named differently.
const RENAMED: [(&str, u8); 2] = [("STWStart", v1::EV_STW_START), ("STWDone", v1::EV_STW_DONE)];

impl OldEvent {
    /// The event type with this number (see
    /// [`legacy::types`](crate::legacy::types)).
    pub fn from_code(code: u8) -> Option<OldEvent> {
        (code < v1::EV_COUNT).then_some(OldEvent(code))
    }

    /// Every event type, in type-number order.
    pub fn all() -> impl Iterator<Item = OldEvent> {
        (0..v1::EV_COUNT).map(OldEvent)
    }

    /// The event a goroutine blocking for `reason` stands for: the one
    /// whose name says the reason (GoBlockRecv for `chan receive`, GoStop
    /// for `forever`, ...), else GoBlock.
    pub fn block(reason: &str) -> OldEvent {
        named_block(reason).unwrap_or(OldEvent(v1::EV_GO_BLOCK))
    }

    /// The event type with this name: Go ≤1.20's names and Go 1.21's
    /// (`STWStart`, `STWDone`).
    pub fn from_name(name: &str) -> Option<OldEvent> {
        (0..v1::EV_COUNT)
            .find(|&c| desc(c).name == name)
            .or_else(|| RENAMED.iter().find(|(n, _)| *n == name).map(|&(_, c)| c))
            .map(OldEvent)
    }

    /// The type number.
    pub fn code(self) -> u8 {
        self.0
    }

    /// The name Go ≤1.20 gives it.
    pub fn name(self) -> &'static str {
        desc(self.0).name
    }

    /// What it means in the common model.
    pub fn meaning(self) -> Meaning {
        use EventKind as K;
        use GoState as G;
        use ProcState as P;
        use v1::*;
        let go = |from, to, reason| Meaning::Goroutine { from, to, reason };
        let blocked = |r| go(&[G::Running], &[G::Waiting], ReasonMatch::Is(r));
        let range = |family, kind| Meaning::Range { family, kind };
        match self.0 {
            EV_GO_CREATE => go(&[G::NotExist], &[G::Runnable, G::Waiting], ReasonMatch::Any),
            EV_GO_START | EV_GO_START_LOCAL | EV_GO_START_LABEL => {
                go(&[G::Runnable], &[G::Running], ReasonMatch::Any)
            }
            EV_GO_END => go(&[G::Running], &[G::NotExist], ReasonMatch::Any),
            EV_GO_STOP => blocked(Reason::Forever),
            EV_GO_SCHED => go(
                &[G::Running],
                &[G::Runnable],
                ReasonMatch::Is(Reason::Gosched),
            ),
            EV_GO_PREEMPT => go(
                &[G::Running],
                &[G::Runnable],
                ReasonMatch::Is(Reason::Preempted),
            ),
            EV_GO_SLEEP => blocked(Reason::Sleep),
            EV_GO_BLOCK_SEND => blocked(Reason::ChanSend),
            EV_GO_BLOCK_RECV => blocked(Reason::ChanReceive),
            EV_GO_BLOCK_SELECT => blocked(Reason::Select),
            EV_GO_BLOCK_SYNC => blocked(Reason::Sync),
            EV_GO_BLOCK_COND => blocked(Reason::CondWait),
            EV_GO_BLOCK_NET => blocked(Reason::Network),
            EV_GO_BLOCK_GC => blocked(Reason::MarkAssistWait),
            EV_GO_BLOCK => go(&[G::Running], &[G::Waiting], ReasonMatch::Unnamed),
            EV_GO_UNBLOCK | EV_GO_UNBLOCK_LOCAL => {
                go(&[G::Waiting], &[G::Runnable], ReasonMatch::Any)
            }
            EV_GO_SYS_CALL => go(&[G::Running], &[G::Syscall], ReasonMatch::Any),
            EV_GO_SYS_EXIT | EV_GO_SYS_EXIT_LOCAL => {
                go(&[G::Syscall], &[G::Runnable], ReasonMatch::Any)
            }
            EV_GO_WAITING => go(&[G::Undetermined], &[G::Waiting], ReasonMatch::Any),
            EV_GO_IN_SYSCALL => go(&[G::Undetermined], &[G::Syscall], ReasonMatch::Any),
            EV_PROC_START => Meaning::Proc {
                from: &[P::Idle, P::Undetermined],
                to: &[P::Running],
            },
            EV_PROC_STOP => Meaning::Proc {
                from: &[P::Running, P::Undetermined],
                to: &[P::Idle],
            },
            EV_GOMAXPROCS => Meaning::Metric(Metric::GOMAXPROCS),
            EV_HEAP_ALLOC => Meaning::Metric(Metric::HEAP_ALLOC),
            EV_HEAP_GOAL => Meaning::Metric(Metric::HEAP_GOAL),
            EV_GC_START => range(RangeFamily::GcMark, K::RangeBegin),
            EV_GC_DONE => range(RangeFamily::GcMark, K::RangeEnd),
            EV_STW_START => range(RangeFamily::StopTheWorld, K::RangeBegin),
            EV_STW_DONE => range(RangeFamily::StopTheWorld, K::RangeEnd),
            EV_GC_SWEEP_START => range(RangeFamily::GcSweep, K::RangeBegin),
            EV_GC_SWEEP_DONE => range(RangeFamily::GcSweep, K::RangeEnd),
            EV_GC_MARK_ASSIST_START => range(RangeFamily::GcMarkAssist, K::RangeBegin),
            EV_GC_MARK_ASSIST_DONE => range(RangeFamily::GcMarkAssist, K::RangeEnd),
            EV_USER_TASK_CREATE => Meaning::Kinds(&[K::TaskBegin]),
            EV_USER_TASK_END => Meaning::Kinds(&[K::TaskEnd]),
            EV_USER_REGION => Meaning::Kinds(&[K::RegionBegin, K::RegionEnd]),
            EV_USER_LOG => Meaning::Kinds(&[K::Log]),
            EV_CPU_SAMPLE => Meaning::Kinds(&[K::StackSample]),
            EV_GO_SYS_BLOCK => Meaning::NoCounterpart,
            _ => Meaning::Record,
        }
    }

    /// The reason the goroutine transition it becomes has: the one its name
    /// says, [`Reason::Empty`] for GoBlock, `None` for events that do not
    /// block or stop a goroutine.
    pub fn reason(self) -> Option<Reason> {
        match self.meaning() {
            Meaning::Goroutine {
                reason: ReasonMatch::Is(r),
                ..
            } => Some(r),
            Meaning::Goroutine {
                reason: ReasonMatch::Unnamed,
                ..
            } => Some(Reason::Empty),
            _ => None,
        }
    }

    /// The kinds of event it can be (none for a record or an event without
    /// a counterpart).
    pub fn kinds(self) -> &'static [EventKind] {
        match self.meaning() {
            Meaning::Goroutine { .. } | Meaning::Proc { .. } => &[EventKind::StateTransition],
            Meaning::Metric(_) => &[EventKind::Metric],
            Meaning::Range {
                kind: EventKind::RangeBegin,
                ..
            } => &[EventKind::RangeBegin],
            Meaning::Range { .. } => &[EventKind::RangeEnd],
            Meaning::Kinds(kinds) => kinds,
            Meaning::NoCounterpart | Meaning::Record => &[],
        }
    }

    /// Whether an event of the common model is one of these.
    pub fn matches(self, ev: &Event<'_>) -> bool {
        match self.meaning() {
            Meaning::Goroutine { from, to, reason } => match ev.state_transition() {
                Some(st) => match st.transition {
                    Transition::Goroutine { from: f, to: t, .. } => {
                        from.contains(&f)
                            && to.contains(&t)
                            && match reason {
                                ReasonMatch::Any => true,
                                ReasonMatch::Is(r) => r.of(st.reason),
                                ReasonMatch::Unnamed => named_block(st.reason).is_none(),
                            }
                    }
                    Transition::Proc { .. } => false,
                },
                None => false,
            },
            Meaning::Proc { from, to } => match ev.state_transition().map(|s| s.transition) {
                Some(Transition::Proc { from: f, to: t, .. }) => {
                    from.contains(&f) && to.contains(&t)
                }
                _ => false,
            },
            Meaning::Metric(name) => ev.metric().is_some_and(|m| m.name == name),
            Meaning::Range { family, kind } => {
                ev.kind() == kind
                    && ev
                        .range()
                        .is_some_and(|r| RangeFamily::of(r.name) == family)
            }
            Meaning::Kinds(kinds) => kinds.contains(&ev.kind()),
            Meaning::NoCounterpart | Meaning::Record => false,
        }
    }

    /// The Go ≤1.21 event an event of the common model stands for, under
    /// its first name (GoStart, not GoStartLocal): the one whose
    /// [`matches`](OldEvent::matches) accepts it, if any.
    pub fn of_event(ev: &Event<'_>) -> Option<OldEvent> {
        use GoState as G;
        use ProcState as P;
        use v1::*;
        let code = match ev.kind() {
            EventKind::StateTransition => {
                let st = ev.state_transition()?;
                match st.transition {
                    Transition::Goroutine { from, to, .. } => match (from, to) {
                        (G::NotExist, G::Runnable | G::Waiting) => EV_GO_CREATE,
                        (G::Runnable, G::Running) => EV_GO_START,
                        (G::Running, G::NotExist) => EV_GO_END,
                        (G::Running, G::Waiting) => return Some(OldEvent::block(st.reason)),
                        (G::Running, G::Runnable) if Reason::Gosched.of(st.reason) => EV_GO_SCHED,
                        (G::Running, G::Runnable) if Reason::Preempted.of(st.reason) => {
                            EV_GO_PREEMPT
                        }
                        (G::Waiting, G::Runnable) => EV_GO_UNBLOCK,
                        (G::Running, G::Syscall) => EV_GO_SYS_CALL,
                        (G::Syscall, G::Runnable) => EV_GO_SYS_EXIT,
                        (G::Undetermined, G::Waiting) => EV_GO_WAITING,
                        (G::Undetermined, G::Syscall) => EV_GO_IN_SYSCALL,
                        _ => return None,
                    },
                    Transition::Proc { from, to, .. } => match (from, to) {
                        (P::Idle | P::Undetermined, P::Running) => EV_PROC_START,
                        (P::Running | P::Undetermined, P::Idle) => EV_PROC_STOP,
                        _ => return None,
                    },
                }
            }
            EventKind::Metric => match ev.metric()?.name {
                Metric::GOMAXPROCS => EV_GOMAXPROCS,
                Metric::HEAP_ALLOC => EV_HEAP_ALLOC,
                Metric::HEAP_GOAL => EV_HEAP_GOAL,
                _ => return None,
            },
            kind @ (EventKind::RangeBegin | EventKind::RangeEnd) => {
                let begin = kind == EventKind::RangeBegin;
                match RangeFamily::of(ev.range()?.name) {
                    RangeFamily::GcMark if begin => EV_GC_START,
                    RangeFamily::GcMark => EV_GC_DONE,
                    RangeFamily::StopTheWorld if begin => EV_STW_START,
                    RangeFamily::StopTheWorld => EV_STW_DONE,
                    RangeFamily::GcSweep if begin => EV_GC_SWEEP_START,
                    RangeFamily::GcSweep => EV_GC_SWEEP_DONE,
                    RangeFamily::GcMarkAssist if begin => EV_GC_MARK_ASSIST_START,
                    RangeFamily::GcMarkAssist => EV_GC_MARK_ASSIST_DONE,
                }
            }
            EventKind::TaskBegin => EV_USER_TASK_CREATE,
            EventKind::TaskEnd => EV_USER_TASK_END,
            EventKind::RegionBegin | EventKind::RegionEnd => EV_USER_REGION,
            EventKind::Log => EV_USER_LOG,
            EventKind::StackSample => EV_CPU_SAMPLE,
            _ => return None,
        };
        Some(OldEvent(code))
    }
}

/// The block event whose name says this reason (GoSleep for `sleep`, ...).
fn named_block(reason: &str) -> Option<OldEvent> {
    NAMED_BLOCKS
        .into_iter()
        .find(|e| e.reason().is_some_and(|r| r.of(reason)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Reason::ALL {
            assert_eq!(Reason::from_name(r.name()), Some(r));
        }
        for code in 0..v1::EV_COUNT {
            let e = OldEvent::from_code(code).unwrap();
            assert_eq!(OldEvent::from_name(e.name()), Some(e));
        }
        assert_eq!(OldEvent::from_code(v1::EV_COUNT), None);
        assert_eq!(
            OldEvent::from_name("STWStart").unwrap().name(),
            "GCSTWStart"
        );
        assert_eq!(OldEvent::from_name("STWDone").unwrap().name(), "GCSTWDone");
        assert_eq!(OldEvent::from_name("GoBlockSomething"), None);
    }

    #[test]
    fn meanings() {
        let m = |n| OldEvent::from_name(n).unwrap();
        assert_eq!(m("GoSysBlock").meaning(), Meaning::NoCounterpart);
        for rec in [
            "Batch",
            "Frequency",
            "Stack",
            "String",
            "TimerGoroutine",
            "FutileWakeup",
            "None",
        ] {
            assert_eq!(m(rec).meaning(), Meaning::Record, "{rec}");
            assert!(m(rec).kinds().is_empty());
        }
        assert_eq!(m("GoBlock").reason(), Some(Reason::Empty));
        assert_eq!(m("GoStop").reason(), Some(Reason::Forever));
        assert_eq!(m("GoSched").reason(), Some(Reason::Gosched));
        assert_eq!(m("GoStart").reason(), None);
        assert_eq!(m("GCDone").kinds(), &[EventKind::RangeEnd]);
        assert_eq!(
            m("UserRegion").kinds(),
            &[EventKind::RegionBegin, EventKind::RegionEnd]
        );
        // Every reason an old name spells is a block reason but Gosched's
        // and preempted (stops).
        let named: Vec<_> = NAMED_BLOCKS.iter().filter_map(|e| e.reason()).collect();
        assert_eq!(named.len(), 9);
        assert!(!named.contains(&Reason::Gosched));
        assert_eq!(OldEvent::block("chan receive"), m("GoBlockRecv"));
        assert_eq!(OldEvent::block("forever"), m("GoStop"));
        assert_eq!(OldEvent::block("unspecified"), m("GoBlock"));
        assert_eq!(OldEvent::block(""), m("GoBlock"));
        assert_eq!(OldEvent::all().count(), usize::from(v1::EV_COUNT));
    }

    #[test]
    fn stw_kinds() {
        let (old, new) = (Version::Go119, Version::Go121);
        assert_eq!(StwKind::from_v1(old, 0), StwKind::GcMarkTermination);
        assert_eq!(StwKind::from_v1(old, 1), StwKind::GcSweepTermination);
        assert_eq!(StwKind::from_v1(old, 2), StwKind::Unknown);
        assert_eq!(StwKind::from_v1(new, 9), StwKind::Gomaxprocs);
        assert_eq!(StwKind::from_v1(new, 17), StwKind::Unknown);
        assert_eq!(StwKind::from_v1(new, u64::MAX), StwKind::Unknown);
        for (i, k) in StwKind::ALL.into_iter().enumerate() {
            assert_eq!(StwKind::from_v1(new, i as u64), k);
        }
    }
}
