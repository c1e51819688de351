//! What every goroutine did over time, compactly, for the critical-path
//! walk: one entry per change of state (started, stopped, blocked, woken,
//! created, entered or left a blocking system call, ended) and per wake-up
//! or creation it caused (where it was when it did), recorded from the
//! analysis's events during the connector's pass. Wake links are the
//! events' own (`Ev::wakes`, derived once for every format).

use crate::did::Did;
use crate::event::Ev;
use crate::track::Tracked;
use gotrace::vocab::Reason;

/// What a goroutine was doing after an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum St {
    Running,
    Runnable,
    Syscall,
    Waiting,
    Dead,
}

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum What {
    /// Started running.
    Start,
    /// Stopped, still runnable.
    Stop,
    /// Blocked.
    Block,
    /// Made runnable by `by`.
    Woken,
    /// Created (runnable) by `by`.
    Created,
    /// A system call that blocked.
    Syscall,
    /// Back from it, runnable.
    SyscallEnd,
    /// Found waiting or in a system call when the trace began to see it.
    Found,
    /// Ended.
    End,
    /// Woke or created another goroutine (no change of its own state).
    Mark,
}

/// One entry of a goroutine's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub ts: i64,
    /// The waker or creator ([`What::Woken`], [`What::Created`]).
    pub by: i64,
    /// Where the goroutine was: the event's stack (for a wake-up, the
    /// stack of the wait it ends; for a system call's end, of the call).
    pub stack: u32,
    pub what: What,
    /// The state after the entry.
    pub state: St,
    /// The reason of a block or stop, as an index in [`Reason::ALL`]
    /// ([`NO_REASON`]: none or unknown).
    pub reason: u8,
}

/// No reason known.
pub(crate) const NO_REASON: u8 = u8::MAX;

fn reason_code(r: Option<Reason>) -> u8 {
    r.and_then(|r| Reason::ALL.iter().position(|&x| x == r))
        .map_or(NO_REASON, |i| i as u8)
}

/// The reason stored as `code`.
pub(crate) fn reason_of(code: u8) -> Option<Reason> {
    Reason::ALL.get(code as usize).copied()
}

/// Every goroutine's history, by goroutine index (as in
/// [`Tracked::goroutines`]).
#[derive(Debug)]
pub struct History {
    /// Goroutine ids, ascending.
    goroutines: Vec<i64>,
    pub(crate) by_g: Vec<Vec<Entry>>,
    /// Per goroutine: the time of a system call entered since its last
    /// entry (a Go ≤1.21 GoSysCall, before the GoSysBlock that says it
    /// blocked).
    syscall_begin: Vec<Option<i64>>,
}

impl History {
    /// An empty history for the goroutines of `tracked`.
    pub fn new(tracked: &Tracked) -> History {
        let n = tracked.goroutines.len();
        History {
            goroutines: tracked.goroutines.clone(),
            by_g: vec![Vec::new(); n],
            syscall_begin: vec![None; n],
        }
    }

    /// The index of goroutine `g`, when it is a goroutine (not the Go
    /// ≤1.21 pseudo-goroutine 0, nor "no goroutine").
    pub(crate) fn gi(&self, g: i64) -> Option<usize> {
        if g <= 0 {
            return None;
        }
        self.goroutines.binary_search(&g).ok()
    }

    /// The id of goroutine index `gi`.
    pub(crate) fn g(&self, gi: usize) -> i64 {
        self.goroutines[gi]
    }

    fn push(&mut self, gi: usize, e: Entry) {
        self.syscall_begin[gi] = None;
        self.by_g[gi].push(e);
    }

    /// Records the next event.
    pub fn observe(&mut self, ev: &Ev) {
        if let Some(x) = ev.wakes
            && let Some(xi) = self.gi(x)
        {
            let last = self.by_g[xi].last().map_or(0, |e| e.stack);
            let (what, stack) = match ev.did {
                Did::Create => (What::Created, ev.stack),
                _ => (What::Woken, last),
            };
            self.push(
                xi,
                Entry {
                    ts: ev.ts,
                    by: ev.g,
                    stack,
                    what,
                    state: St::Runnable,
                    reason: NO_REASON,
                },
            );
        }
        let Some(gi) = self.gi(ev.g) else {
            return;
        };
        let entry = |what, state, reason| Entry {
            ts: ev.ts,
            by: 0,
            stack: ev.stack,
            what,
            state,
            reason: reason_code(reason),
        };
        let e = match ev.did {
            Did::Start | Did::StartLabel => entry(What::Start, St::Running, None),
            Did::Stop(r) => entry(What::Stop, St::Runnable, r),
            Did::Block(r) => entry(What::Block, St::Waiting, r),
            Did::SyscallBegin => {
                self.syscall_begin[gi] = Some(ev.ts);
                return;
            }
            Did::SyscallBlock => {
                let begin = self.syscall_begin[gi].unwrap_or(ev.ts);
                Entry {
                    ts: begin,
                    ..entry(What::Syscall, St::Syscall, None)
                }
            }
            Did::SyscallEnd => {
                let stack = self.by_g[gi].last().map_or(0, |e| e.stack);
                Entry {
                    stack,
                    ..entry(What::SyscallEnd, St::Runnable, None)
                }
            }
            Did::InSyscall => entry(What::Found, St::Syscall, None),
            Did::Waiting => entry(What::Found, St::Waiting, None),
            Did::End => entry(What::End, St::Dead, None),
            Did::Create | Did::Unblock if ev.wakes.is_some_and(|x| x != ev.g) => {
                entry(What::Mark, St::Running, None)
            }
            _ => return,
        };
        self.push(gi, e);
    }

    /// Puts each history in time order (events of a goroutine in a system
    /// call may come after others' in a Go 1.22+ trace), keeping the order
    /// of entries at one time.
    pub fn finish(&mut self) {
        for h in &mut self.by_g {
            if !h.is_sorted_by_key(|e| e.ts) {
                h.sort_by_key(|e| e.ts);
            }
            h.shrink_to_fit();
        }
        self.syscall_begin = Vec::new();
    }
}
