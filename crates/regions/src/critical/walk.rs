//! The critical-path walk over goroutine histories: from the end of an
//! interval back to its start on one goroutine, handing the time of each
//! wait a goroutine ended (and of a goroutine's life before its creation)
//! to that goroutine's own history, with an explicit stack of open
//! intervals (no recursion, however long the chain of wake-ups).

use super::State;
use super::history::{Entry, History, St, What, reason_of};
use gotrace::vocab::Reason;

/// A segment as the walk finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Raw {
    pub g: i64,
    pub state: State,
    pub reason: Option<Reason>,
    pub start: i64,
    pub end: i64,
    pub stack: u32,
}

/// Beyond this many goroutines handing time to one another at once, a
/// wait is left unexplained (only inconsistent times can chain that far).
const MAX_DEPTH: usize = 1 << 16;

/// Whether a wait for `reason` ends because another goroutine ended it (a
/// channel, select, lock, condition, wait group ...), rather than by the
/// runtime on its own (the network poller, timers, GC), or never.
fn woken_by_goroutine(reason: Option<Reason>) -> bool {
    matches!(
        reason,
        Some(
            Reason::ChanSend
                | Reason::ChanReceive
                | Reason::Select
                | Reason::Sync
                | Reason::CondWait
                | Reason::Empty
                | Reason::Unspecified
                | Reason::Synctest
        )
    )
}

/// An interval still to explain: goroutine index, start, and the point
/// the walk has come back to.
struct Open {
    gi: usize,
    start: i64,
    cursor: i64,
}

/// What to do with the time before `cursor` on one goroutine.
enum Step {
    /// A segment from the given time (clipped to the interval).
    Emit(i64, State, Option<Reason>, u32),
    /// Hand the time from the given time to goroutine index `gi`.
    Hand(i64, usize),
}

/// The critical path of goroutine `g` over `[start, end]`, in time order.
pub(crate) fn walk(h: &History, g: i64, start: i64, end: i64) -> Vec<Raw> {
    let mut out: Vec<Raw> = Vec::new();
    let Some(gi) = h.gi(g) else {
        if end > start {
            out.push(unknown(g, start, end));
        }
        return out;
    };
    let mut open = vec![Open {
        gi,
        start,
        cursor: end,
    }];
    loop {
        let deeper = open.len() < MAX_DEPTH;
        let Some(top) = open.last_mut() else {
            break;
        };
        if top.cursor <= top.start {
            open.pop();
            continue;
        }
        let (gi, cursor) = (top.gi, top.cursor);
        let step = step(h, gi, cursor, deeper);
        let from = match step {
            Step::Emit(from, ..) | Step::Hand(from, _) => from.max(top.start),
        };
        top.cursor = from;
        match step {
            Step::Hand(_, to) => open.push(Open {
                gi: to,
                start: from,
                cursor,
            }),
            Step::Emit(_, state, reason, stack) => {
                let g = h.g(gi);
                match out.last_mut() {
                    // Walking back: a piece just before the last segment,
                    // in the same state, extends it.
                    Some(last)
                        if last.g == g
                            && last.state == state
                            && last.reason == reason
                            && last.start == cursor =>
                    {
                        last.start = from;
                    }
                    _ => out.push(Raw {
                        g,
                        state,
                        reason,
                        start: from,
                        end: cursor,
                        stack,
                    }),
                }
            }
        }
    }
    out.reverse();
    out
}

/// A goroutine the walk knows nothing of.
fn unknown(g: i64, start: i64, end: i64) -> Raw {
    Raw {
        g,
        state: State::Waiting,
        reason: None,
        start,
        end,
        stack: 0,
    }
}

/// What goroutine index `gi` was doing just before `cursor`. `deeper`:
/// whether time may be handed on.
fn step(h: &History, gi: usize, cursor: i64, deeper: bool) -> Step {
    let hist = &h.by_g[gi];
    let i = hist.partition_point(|e| e.ts < cursor);
    let hand = |by: i64| h.gi(by).filter(|&to| deeper && to != gi);
    let Some(e) = i.checked_sub(1).map(|j| hist[j]) else {
        return before_first(hist.first(), i64::MIN, &hand);
    };
    // The entry that ends this state (at or after the cursor).
    let next = hist.get(i);
    match e.state {
        St::Running => Step::Emit(
            e.ts,
            State::Running,
            None,
            next.map_or(e.stack, |n| n.stack),
        ),
        St::Runnable => Step::Emit(e.ts, State::Runnable, None, e.stack),
        St::Syscall => Step::Emit(e.ts, State::Syscall, None, e.stack),
        St::Waiting => {
            let reason = reason_of(e.reason);
            if let Some(n) = next
                && n.what == What::Woken
                && n.ts == cursor
                && woken_by_goroutine(reason)
                && let Some(to) = hand(n.by)
            {
                return Step::Hand(e.ts, to);
            }
            Step::Emit(e.ts, State::Waiting, reason, e.stack)
        }
        St::Dead => Step::Emit(e.ts, State::Waiting, None, 0),
    }
}

/// The time before a goroutine's first entry: its creator's, or the state
/// the first entry leaves.
fn before_first(first: Option<&Entry>, from: i64, hand: &impl Fn(i64) -> Option<usize>) -> Step {
    let Some(f) = first else {
        return Step::Emit(from, State::Waiting, None, 0);
    };
    let (state, reason) = match f.what {
        What::Created => match hand(f.by) {
            Some(to) => return Step::Hand(from, to),
            None => (State::Runnable, None),
        },
        What::Start => (State::Runnable, None),
        What::Woken => (State::Waiting, None),
        What::SyscallEnd => (State::Syscall, None),
        What::Found => match f.state {
            St::Syscall => (State::Syscall, None),
            _ => (State::Waiting, None),
        },
        What::Stop | What::Block | What::Syscall | What::End | What::Mark => (State::Running, None),
    };
    Step::Emit(from, state, reason, f.stack)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::did::Did;
    use crate::event::Ev;
    use crate::track::Tracked;

    /// Histories of goroutines 1 to 4 from events `(time, goroutine, what
    /// it did, goroutine it wakes)`.
    fn history(evs: &[(i64, i64, Did, Option<i64>)]) -> History {
        let tracked = Tracked {
            goroutines: vec![0, 1, 2, 3, 4],
            ..Tracked::default()
        };
        let mut h = History::new(&tracked);
        for (i, &(ts, g, did, wakes)) in evs.iter().enumerate() {
            h.observe(&Ev {
                idx: i as u32,
                ts,
                g,
                did,
                stack: 0,
                back: None,
                wakes,
            });
        }
        h.finish();
        h
    }

    /// The path as `(goroutine, state, reason, start, end)`, checked to
    /// cover `[start, end]` exactly.
    fn path(
        h: &History,
        g: i64,
        start: i64,
        end: i64,
    ) -> Vec<(i64, &'static str, &'static str, i64, i64)> {
        let p = walk(h, g, start, end);
        let mut at = start;
        for r in &p {
            assert_eq!(r.start, at, "{p:?}");
            assert!(r.end > r.start, "{p:?}");
            at = r.end;
        }
        assert_eq!(at, end, "{p:?}");
        p.iter()
            .map(|r| {
                (
                    r.g,
                    r.state.name(),
                    super::super::reason_name(r.reason),
                    r.start,
                    r.end,
                )
            })
            .collect()
    }

    const RECV: Did = Did::Block(Some(Reason::ChanReceive));
    const SYNC: Did = Did::Block(Some(Reason::Sync));

    /// A wait ended by a goroutine that was itself woken by another: each
    /// waker's history explains the time it took, down the chain.
    #[test]
    fn nested_wakes() {
        let h = history(&[
            (0, 1, Did::Start, None),
            (5, 2, Did::Start, None),
            (10, 1, RECV, None),
            (12, 2, SYNC, None),
            (20, 3, Did::Start, None),
            (40, 3, Did::Unblock, Some(2)),
            (41, 3, Did::Block(Some(Reason::Sleep)), None),
            (45, 2, Did::Start, None),
            (60, 2, Did::Unblock, Some(1)),
            (61, 2, Did::End, None),
            (70, 1, Did::Start, None),
            (100, 1, Did::Block(Some(Reason::Network)), None),
        ]);
        assert_eq!(
            path(&h, 1, 0, 100),
            [
                (1, "running", "", 0, 10),
                (2, "running", "", 10, 12),
                (3, "runnable", "", 12, 20),
                (3, "running", "", 20, 40),
                (2, "runnable", "", 40, 45),
                (2, "running", "", 45, 60),
                (1, "runnable", "", 60, 70),
                (1, "running", "", 70, 100),
            ]
        );
    }

    /// The waker had been waiting since before the wait it ended began:
    /// its wait, cut to the interval, is explained by its own waker, or is
    /// a leaf when the runtime ended it.
    #[test]
    fn waker_waiting_since_before() {
        let h = history(&[
            (0, 1, Did::Start, None),
            (1, 2, Did::Start, None),
            (2, 2, Did::Block(Some(Reason::Network)), None),
            (3, 3, Did::Start, None),
            (4, 3, SYNC, None),
            (10, 1, RECV, None),
            (30, 0, Did::Unblock, Some(2)),
            (32, 2, Did::Start, None),
            (35, 2, Did::Unblock, Some(3)),
            (36, 2, Did::Block(Some(Reason::Network)), None),
            (40, 3, Did::Start, None),
            (50, 3, Did::Unblock, Some(1)),
            (55, 1, Did::Start, None),
            (60, 1, Did::End, None),
        ]);
        assert_eq!(
            path(&h, 1, 0, 60),
            [
                (1, "running", "", 0, 10),
                (2, "waiting", "network", 10, 30),
                (2, "runnable", "", 30, 32),
                (2, "running", "", 32, 35),
                (3, "runnable", "", 35, 40),
                (3, "running", "", 40, 50),
                (1, "runnable", "", 50, 55),
                (1, "running", "", 55, 60),
            ]
        );
    }

    /// Waits ended by no goroutine (Go ≤1.21's goroutine 0, Go 1.22+'s
    /// -1), and network waits ended on a goroutine's behalf, are leaves;
    /// so is a wait still going on when the trace (and the tree) ends.
    #[test]
    fn leaves_and_cut_trees() {
        let h = history(&[
            (0, 1, Did::Start, None),
            (10, 1, RECV, None),
            (20, -1, Did::Unblock, Some(1)),
            (25, 1, Did::Start, None),
            (30, 1, Did::Block(Some(Reason::Network)), None),
            (31, 2, Did::Start, None),
            (40, 2, Did::Unblock, Some(1)),
            (42, 1, Did::Start, None),
            (50, 1, SYNC, None),
        ]);
        assert_eq!(
            path(&h, 1, 0, 70),
            [
                (1, "running", "", 0, 10),
                (1, "waiting", "chan receive", 10, 20),
                (1, "runnable", "", 20, 25),
                (1, "running", "", 25, 30),
                (1, "waiting", "network", 30, 40),
                (1, "runnable", "", 40, 42),
                (1, "running", "", 42, 50),
                (1, "waiting", "sync", 50, 70),
            ]
        );
    }

    /// Time before a goroutine existed is its creator's; time before a
    /// goroutine's first event is in the state that event leaves; a
    /// blocking system call is one segment from its entry.
    #[test]
    fn creation_and_first_events() {
        let h = history(&[
            (0, 1, Did::Start, None),
            (2, 1, RECV, None),
            (3, 3, Did::SyscallBegin, None),
            (4, 3, Did::SyscallBlock, None),
            (5, 3, Did::SyscallEnd, None),
            (6, 3, Did::Start, None),
            (8, 3, Did::Create, Some(2)),
            (9, 3, Did::Block(Some(Reason::Sleep)), None),
            (20, 2, Did::Start, None),
            (30, 2, Did::Unblock, Some(1)),
            (31, 1, Did::Start, None),
            (40, 4, Did::Stop(Some(Reason::Preempted)), None),
        ]);
        assert_eq!(
            path(&h, 1, 0, 35),
            [
                (1, "running", "", 0, 2),
                (3, "running", "", 2, 3),
                (3, "syscall", "", 3, 5),
                (3, "runnable", "", 5, 6),
                (3, "running", "", 6, 8),
                (2, "runnable", "", 8, 20),
                (2, "running", "", 20, 30),
                (1, "runnable", "", 30, 31),
                (1, "running", "", 31, 35),
            ]
        );
        // Goroutine 4 ran until it was preempted, as far as the trace says.
        assert_eq!(
            path(&h, 4, 10, 45),
            [(4, "running", "", 10, 40), (4, "runnable", "", 40, 45)]
        );
        // A goroutine the trace never mentions.
        assert_eq!(path(&h, 9, 0, 5), [(9, "waiting", "", 0, 5)]);
    }
}
