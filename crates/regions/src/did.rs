//! What a goroutine did: the region analysis's own typed vocabulary of
//! events, whatever the trace's format. Each source has one adapter onto
//! it (`source::legacy` for Go ≤1.21 traces, `source::common` for the
//! common event model); the names conditions use for it come from
//! [`gotrace::vocab`] (common-model event kinds, block and stop reasons,
//! Go ≤1.21 event names). Also what the events mean to span timelines.

use gotrace::EventKind;
use gotrace::legacy::types as t;
use gotrace::vocab::{Meaning, OldEvent, Reason, ReasonMatch};
use std::sync::OnceLock;

/// What one event says its goroutine did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Did {
    /// Created a goroutine (GoCreate).
    Create,
    /// Made a waiting goroutine runnable (GoUnblock).
    Unblock,
    /// Started running (GoStart).
    Start,
    /// A GC worker started running (GoStartLabel, Go ≤1.21 traces only).
    StartLabel,
    /// Stopped running but stayed runnable, for a reason (`runtime.Gosched`
    /// is GoSched, `preempted` GoPreempt); `None`: a reason
    /// [`gotrace::vocab`] does not know.
    Stop(Option<Reason>),
    /// Blocked for a reason (GoBlockRecv for `chan receive`, GoSleep for
    /// `sleep`, GoStop for `forever`, GoBlock for the others, ...); `None`:
    /// a reason [`gotrace::vocab`] does not know.
    Block(Option<Reason>),
    /// Entered a system call (GoSysCall).
    SyscallBegin,
    /// Its system call blocked and lost its P (GoSysBlock). In Go 1.22+
    /// traces this is the call's begin, once the call is known to have
    /// blocked.
    SyscallBlock,
    /// Came back runnable from a system call that blocked (GoSysExit).
    SyscallEnd,
    /// Was in a system call when the trace began to see it (GoInSyscall).
    InSyscall,
    /// Was waiting when the trace began to see it (GoWaiting).
    Waiting,
    /// Ended (GoEnd).
    End,
    /// Began a GC mark assist (GCMarkAssistStart).
    AssistBegin,
    /// Ended one (GCMarkAssistDone).
    AssistEnd,
    /// A CPU profile sample of the goroutine (CPUSample).
    Sample,
    /// Anything else (GC and sweep phases, user tasks, regions and logs; in
    /// Go ≤1.21 traces also the runtime's events filed under goroutine 0),
    /// by its Go ≤1.21 name and its kind in the common model.
    Other(OldEvent, EventKind),
}

/// The Go ≤1.21 event type numbered `code` (a constant of
/// `gotrace::legacy::types`).
fn old(code: u8) -> OldEvent {
    OldEvent::from_code(code).expect("a Go ≤1.21 event type")
}

/// The block events whose name says their reason (GoBlockRecv, GoSleep,
/// GoStop, ...), by reason.
fn named_blocks() -> &'static [(Reason, OldEvent)] {
    static BLOCKS: OnceLock<Vec<(Reason, OldEvent)>> = OnceLock::new();
    BLOCKS.get_or_init(|| {
        (0..=u8::MAX)
            .map_while(OldEvent::from_code)
            .filter_map(|e| match e.meaning() {
                Meaning::Goroutine {
                    to: [gotrace::GoState::Waiting],
                    reason: ReasonMatch::Is(r),
                    ..
                } => Some((r, e)),
                _ => None,
            })
            .collect()
    })
}

impl Did {
    /// What a Go ≤1.21 event of type `code` did; `region_end` tells a
    /// UserRegion's end from its begin.
    pub fn of_old(code: u8, region_end: bool) -> Did {
        match code {
            t::EV_GO_CREATE => Did::Create,
            t::EV_GO_UNBLOCK => Did::Unblock,
            t::EV_GO_START => Did::Start,
            t::EV_GO_START_LABEL => Did::StartLabel,
            t::EV_GO_END => Did::End,
            t::EV_GO_SYS_CALL => Did::SyscallBegin,
            t::EV_GO_SYS_BLOCK => Did::SyscallBlock,
            t::EV_GO_SYS_EXIT => Did::SyscallEnd,
            t::EV_GO_IN_SYSCALL => Did::InSyscall,
            t::EV_GO_WAITING => Did::Waiting,
            t::EV_GC_MARK_ASSIST_START => Did::AssistBegin,
            t::EV_GC_MARK_ASSIST_DONE => Did::AssistEnd,
            t::EV_CPU_SAMPLE => Did::Sample,
            _ => {
                let ev = old(code);
                match ev.meaning() {
                    Meaning::Goroutine {
                        to: [gotrace::GoState::Waiting],
                        ..
                    } => Did::Block(ev.reason()),
                    Meaning::Goroutine {
                        to: [gotrace::GoState::Runnable],
                        reason: ReasonMatch::Is(r),
                        ..
                    } => Did::Stop(Some(r)),
                    _ => {
                        let kinds = ev.kinds();
                        let kind = match kinds {
                            [begin, end] => [begin, end][usize::from(region_end)],
                            _ => kinds.first().unwrap_or(&EventKind::Bad),
                        };
                        Did::Other(ev, *kind)
                    }
                }
            }
        }
    }

    /// The Go ≤1.21 event it stands for. Every stop but a preemption is a
    /// GoSched, every block whose reason has no event of its own a
    /// GoBlock.
    pub fn old(self) -> OldEvent {
        old(match self {
            Did::Create => t::EV_GO_CREATE,
            Did::Unblock => t::EV_GO_UNBLOCK,
            Did::Start => t::EV_GO_START,
            Did::StartLabel => t::EV_GO_START_LABEL,
            Did::Stop(Some(Reason::Preempted)) => t::EV_GO_PREEMPT,
            Did::Stop(_) => t::EV_GO_SCHED,
            Did::Block(reason) => {
                let named = named_blocks().iter().find(|(r, _)| Some(*r) == reason);
                return named.map_or(old(t::EV_GO_BLOCK), |&(_, e)| e);
            }
            Did::SyscallBegin => t::EV_GO_SYS_CALL,
            Did::SyscallBlock => t::EV_GO_SYS_BLOCK,
            Did::SyscallEnd => t::EV_GO_SYS_EXIT,
            Did::InSyscall => t::EV_GO_IN_SYSCALL,
            Did::Waiting => t::EV_GO_WAITING,
            Did::End => t::EV_GO_END,
            Did::AssistBegin => t::EV_GC_MARK_ASSIST_START,
            Did::AssistEnd => t::EV_GC_MARK_ASSIST_DONE,
            Did::Sample => t::EV_CPU_SAMPLE,
            Did::Other(e, _) => return e,
        })
    }

    /// Its kind in the common model (a Go ≤1.21 GoSysBlock, which has
    /// none, is a state transition: its goroutine's P is taken).
    pub fn kind(self) -> EventKind {
        match self {
            Did::AssistBegin => EventKind::RangeBegin,
            Did::AssistEnd => EventKind::RangeEnd,
            Did::Sample => EventKind::StackSample,
            Did::Other(_, kind) => kind,
            _ => EventKind::StateTransition,
        }
    }

    /// The reason it blocked or stopped for, if it did and the reason is
    /// known.
    pub fn reason(self) -> Option<Reason> {
        match self {
            Did::Stop(r) | Did::Block(r) => r,
            _ => None,
        }
    }

    /// Whether it starts a run of the goroutine (for span timelines).
    pub fn is_run_start(self) -> bool {
        matches!(self, Did::Start | Did::AssistEnd)
    }

    /// The assist it starts, if any.
    pub fn assist(self) -> Option<Why> {
        (self == Did::AssistBegin).then_some(Why::Gc)
    }

    /// The wait it starts, if any.
    pub fn wait(self) -> Option<Why> {
        Some(match self {
            Did::Stop(Some(Reason::Preempted)) => Why::Cpu,
            Did::SyscallBlock => Why::Syscall,
            Did::Block(r) => match r {
                Some(Reason::MarkAssistWait) => Why::Gc,
                Some(Reason::CondWait) => Why::Cond,
                Some(Reason::Network) => Why::Net,
                Some(Reason::ChanReceive) => Why::Recv,
                Some(Reason::Select) => Why::Select,
                Some(Reason::ChanSend) => Why::Send,
                Some(Reason::Sync) => Why::Sync,
                // As in Go ≤1.21 traces, sleeping and blocking forever
                // (GoSleep, GoStop) are not waits.
                Some(Reason::Sleep | Reason::Forever) => return None,
                _ => Why::Block,
            },
            _ => return None,
        })
    }

    /// Whether it changes what a span's goroutine is doing (runs, assists
    /// or waits).
    pub fn is_change(self) -> bool {
        self.is_run_start() || self.assist().is_some() || self.wait().is_some()
    }
}

/// Why a span's goroutine assists or waits, as spans name it (upstream's
/// reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Why {
    /// GC work: a mark assist, or waiting for one.
    Gc,
    /// Waiting to be scheduled.
    Cpu,
    /// Blocked for a reason without a name of its own.
    Block,
    /// `sync.(*Cond).Wait`.
    Cond,
    /// The network.
    Net,
    /// A channel receive.
    Recv,
    /// A select.
    Select,
    /// A channel send.
    Send,
    /// Other `sync` waits.
    Sync,
    /// A system call that blocked.
    Syscall,
}

impl Why {
    /// The name spans give it.
    pub fn name(self) -> &'static str {
        match self {
            Why::Gc => "gc",
            Why::Cpu => "cpu",
            Why::Block => "block",
            Why::Cond => "cond",
            Why::Net => "net",
            Why::Recv => "recv",
            Why::Select => "select",
            Why::Send => "send",
            Why::Sync => "sync",
            Why::Syscall => "syscall",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Go ≤1.21 event type maps onto the vocabulary and back to its
    /// own name, but for the "local" variants (which the legacy view
    /// reports as their plain forms) and records, which are no events.
    #[test]
    fn old_events_round_trip() {
        for code in (0..=u8::MAX).map_while(OldEvent::from_code) {
            let did = Did::of_old(code.code(), false);
            let local = [
                t::EV_GO_START_LOCAL,
                t::EV_GO_UNBLOCK_LOCAL,
                t::EV_GO_SYS_EXIT_LOCAL,
            ];
            if local.contains(&code.code()) {
                continue;
            }
            assert_eq!(did.old(), code, "{}", code.name());
            if !matches!(code.meaning(), Meaning::Record | Meaning::NoCounterpart) {
                assert!(code.kinds().contains(&did.kind()), "{}", code.name());
            }
        }
        let region = t::EV_USER_REGION;
        assert_eq!(Did::of_old(region, false).kind(), EventKind::RegionBegin);
        assert_eq!(Did::of_old(region, true).kind(), EventKind::RegionEnd);
    }

    /// What the events mean to spans, as Go ≤1.21's event types did.
    #[test]
    fn waits_and_assists() {
        let wait = |code| Did::of_old(code, false).wait().map(Why::name);
        assert_eq!(wait(t::EV_GO_BLOCK_NET), Some("net"));
        assert_eq!(wait(t::EV_GO_BLOCK_COND), Some("cond"));
        assert_eq!(wait(t::EV_GO_BLOCK_GC), Some("gc"));
        assert_eq!(wait(t::EV_GO_BLOCK), Some("block"));
        assert_eq!(wait(t::EV_GO_PREEMPT), Some("cpu"));
        assert_eq!(wait(t::EV_GO_SYS_BLOCK), Some("syscall"));
        for none in [
            t::EV_GO_SLEEP,
            t::EV_GO_STOP,
            t::EV_GO_SCHED,
            t::EV_GO_START,
        ] {
            assert_eq!(wait(none), None, "{}", old(none).name());
        }
        // Reasons only Go 1.22+ traces have are plain blocks and stops.
        assert_eq!(Did::Block(Some(Reason::Synctest)).wait(), Some(Why::Block));
        assert_eq!(Did::Block(None).old().name(), "GoBlock");
        assert_eq!(Did::Stop(Some(Reason::Unspecified)).old().name(), "GoSched");
        assert_eq!(Did::Stop(None).wait(), None);
        assert_eq!(Did::AssistBegin.assist(), Some(Why::Gc));
        assert!(Did::AssistEnd.is_run_start() && Did::Start.is_run_start());
        assert!(!Did::StartLabel.is_change());
    }
}
