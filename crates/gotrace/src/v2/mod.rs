//! The Go 1.22+ wire format: batches and generations, and the ordering of
//! per-thread event streams into one timeline as Go's parser does it.

pub(crate) mod cursor;
pub(crate) mod generation;
pub(crate) mod order;
pub(crate) mod reader;
pub(crate) mod spec;

use crate::event::{GoState, ProcState};

/// Wire goroutine statuses.
pub(crate) const GO_RUNNABLE: u64 = 1;
pub(crate) const GO_RUNNING: u64 = 2;
pub(crate) const GO_SYSCALL: u64 = 3;
pub(crate) const GO_WAITING: u64 = 4;

/// Wire proc statuses.
pub(crate) const PROC_RUNNING: u64 = 1;
pub(crate) const PROC_IDLE: u64 = 2;
pub(crate) const PROC_SYSCALL: u64 = 3;
pub(crate) const PROC_SYSCALL_ABANDONED: u64 = 4;

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

/// Go's `frequency.mul`: trace clock units to ns, through float64.
#[inline]
pub(crate) fn mul(ns_per_unit: f64, t: u64) -> i64 {
    (t as f64 * ns_per_unit) as i64
}
