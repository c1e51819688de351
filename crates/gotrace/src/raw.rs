//! The reader's record of one event, as the wire readers (`v2`'s ordering,
//! the v1 converter) hand it to the event model: its wire type, time, M/P/G
//! context and wire arguments, plus what the reader learned that the wire
//! does not say, under names: the state a resource was in before a status
//! or steal event, a TaskEnd's task as its TaskBegin gave it, a STWEnd's
//! kind. Depends only on the wire specification and the plain values.

use crate::values::{GoState, NONE, ProcState, Time};
use crate::wire::*;

/// What the reader knew about a resource before a status or steal event:
/// the transition's "from" state, which the wire does not carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Before {
    /// Not a status or steal event.
    Nothing,
    /// GoStatus, GoStatusStack: the goroutine's state.
    Go(GoState),
    /// ProcStatus, ProcSteal: the proc's state.
    Proc(ProcState),
}

/// An event as the reader keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawEvent {
    pub(crate) typ: EventType,
    /// See [`Before`].
    pub(crate) before: Before,
    pub(crate) time: Time,
    pub(crate) m: i64,
    pub(crate) p: i64,
    pub(crate) g: i64,
    /// The wire arguments after the time delta, in the spec's order; the
    /// slots after them hold what [`RawEvent::set_task_end`] and
    /// [`RawEvent::set_stw_end_kind`] add (as Go's parser adds "extra"
    /// arguments).
    pub(crate) args: [u64; 4],
    /// Input offset of the wire event this came from (0 if none).
    pub(crate) offset: u64,
}

impl RawEvent {
    pub(crate) fn new(typ: EventType, time: Time, args: [u64; 4]) -> RawEvent {
        RawEvent {
            typ,
            before: Before::Nothing,
            time,
            m: NONE,
            p: NONE,
            g: NONE,
            args,
            offset: 0,
        }
    }

    /// The reader's Sync event number `n`; `snapshot` says whether the
    /// generation's clock snapshot belongs to it.
    pub(crate) fn sync(time: Time, n: u64, snapshot: bool) -> RawEvent {
        RawEvent::new(EV_READER_SYNC, time, [n, u64::from(snapshot), 0, 0])
    }

    /// A CPU sample with this stack (its context is the sampled one).
    pub(crate) fn cpu_sample(time: Time, stack: u64) -> RawEvent {
        RawEvent::new(EV_CPU_SAMPLE, time, [stack, 0, 0, 0])
    }

    /// A Sync event's number.
    pub(crate) fn sync_number(&self) -> u64 {
        self.args[0]
    }

    /// Whether the generation's clock snapshot belongs to this Sync.
    pub(crate) fn sync_has_snapshot(&self) -> bool {
        self.args[1] == 1
    }

    /// The goroutine's state before a GoStatus event.
    pub(crate) fn go_before(&self) -> GoState {
        match self.before {
            Before::Go(s) => s,
            _ => GoState::Undetermined,
        }
    }

    /// The proc's state before a ProcStatus or ProcSteal event.
    pub(crate) fn proc_before(&self) -> ProcState {
        match self.before {
            Before::Proc(s) => s,
            _ => ProcState::Undetermined,
        }
    }

    /// A TaskEnd's task as its TaskBegin gave it: the parent task and the
    /// name's string ID (after the wire's task and stack arguments).
    pub(crate) fn set_task_end(&mut self, parent: u64, name: u64) {
        self.args[2] = parent;
        self.args[3] = name;
    }

    /// A TaskEnd's parent task (see [`RawEvent::set_task_end`]).
    pub(crate) fn task_end_parent(&self) -> u64 {
        self.args[2]
    }

    /// A TaskEnd's name string ID (see [`RawEvent::set_task_end`]).
    pub(crate) fn task_end_name(&self) -> u64 {
        self.args[3]
    }

    /// A STWEnd's kind string ID, the one of its STWBegin (the wire's
    /// STWEnd has no arguments).
    pub(crate) fn set_stw_end_kind(&mut self, kind: u64) {
        self.args[0] = kind;
    }

    /// A STWBegin's or STWEnd's kind string ID.
    pub(crate) fn stw_kind(&self) -> u64 {
        self.args[0]
    }
}

/// The parsed state a wire goroutine status stands for.
pub(crate) fn go_status_state(s: u64) -> GoState {
    match s {
        GO_RUNNABLE => GoState::Runnable,
        GO_RUNNING => GoState::Running,
        GO_SYSCALL => GoState::Syscall,
        GO_WAITING => GoState::Waiting,
        _ => GoState::Undetermined,
    }
}

/// The parsed state a wire proc status stands for.
pub(crate) fn proc_status_state(s: u64) -> ProcState {
    match s {
        PROC_RUNNING | PROC_SYSCALL => ProcState::Running,
        PROC_IDLE | PROC_SYSCALL_ABANDONED => ProcState::Idle,
        _ => ProcState::Undetermined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_small() {
        // The reader copies these per event; the named state must fit in
        // the padding after the type byte.
        assert_eq!(std::mem::size_of::<RawEvent>(), 80);
    }
}
