//! Scripted goroutine lives for the unit tests: transitions fed straight
//! to the tracker, each event's example line `ev<N>` (N counting from 1).

use crate::graph::{Graph, StackState};
use crate::stacks::{NO_STACK, StackId};
use crate::track::{Step, Tracker};
use gotrace::{GoState, NONE};

#[derive(Default)]
pub(crate) struct Script {
    pub(crate) tracker: Tracker,
    events: u64,
}

pub(crate) fn ss(stack: StackId, state: GoState) -> StackState {
    StackState { stack, state }
}

impl Script {
    /// A stack of `(function, line)` frames, leaf first.
    pub(crate) fn stack(&mut self, frames: &[(&str, u64)]) -> StackId {
        self.stack_at(frames, 0x1000)
    }

    /// The same, PCs counting from `pc`.
    pub(crate) fn stack_at(&mut self, frames: &[(&str, u64)], pc: u64) -> StackId {
        self.tracker.stacks.test_stack(frames, pc)
    }

    /// One event; returns its number.
    pub(crate) fn step(
        &mut self,
        (src, src_stk): (i64, StackId),
        (dst, dst_stk): (i64, StackId),
        from: GoState,
        to: GoState,
    ) -> u64 {
        self.events += 1;
        let n = self.events;
        let step = Step {
            src,
            src_stk,
            dst,
            dst_stk,
            from,
            to,
        };
        self.tracker
            .step(step, &mut || format!("ev{n}").into_bytes().into());
        n
    }

    /// `parent`, at `at`, creates `child`, which will start at `start`.
    pub(crate) fn create(&mut self, parent: i64, at: StackId, child: i64, start: StackId) -> u64 {
        use GoState::*;
        self.step((parent, at), (child, start), NotExist, Runnable)
    }

    /// The scheduler runs `g`.
    pub(crate) fn start(&mut self, g: i64) -> u64 {
        use GoState::*;
        self.step((NONE, NO_STACK), (g, NO_STACK), Runnable, Running)
    }

    /// `g` changes its own state at `at`.
    pub(crate) fn own(&mut self, g: i64, at: StackId, from: GoState, to: GoState) -> u64 {
        self.step((g, at), (g, NO_STACK), from, to)
    }

    /// `by`, at `at`, makes `g` runnable.
    pub(crate) fn unblock(&mut self, by: i64, at: StackId, g: i64) -> u64 {
        use GoState::*;
        self.step((by, at), (g, NO_STACK), Waiting, Runnable)
    }

    /// `g` ends.
    pub(crate) fn exit(&mut self, g: i64) -> u64 {
        use GoState::*;
        self.own(g, NO_STACK, Running, NotExist)
    }

    pub(crate) fn finish(self) -> Graph {
        self.tracker.finish()
    }
}

/// The example text `ev<n>`.
pub(crate) fn ev(n: u64) -> Box<[u8]> {
    format!("ev{n}").into_bytes().into()
}
