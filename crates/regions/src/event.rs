//! The events the analysis reads, one at a time: each with its goroutine,
//! what it did ([`Did`]), an interned stack and what links it to other
//! events (the wake-ups, resumptions and ends of waits that Go 1.21's
//! parser links, derived alike for every format: see `analysis::links`),
//! whatever the trace's format (see [`crate::source`]).

use crate::did::Did;

/// "No such thing" for `u32` indexes.
pub const NONE: u32 = u32::MAX;

/// One event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ev {
    /// The event's number in the trace's sequence of analysis events: the
    /// same in every scan of a source. Events come in this order, except
    /// that a goroutine's events from a system call on may come later than
    /// other goroutines' (never out of order within one goroutine).
    pub idx: u32,
    /// Nanoseconds since the first event of the trace.
    pub ts: i64,
    /// The goroutine the event is filed under (-1: none, only in Go 1.22+
    /// traces).
    pub g: i64,
    /// What the goroutine did.
    pub did: Did,
    /// Index into the scan's [`crate::source::Stacks`]; 0 is the empty
    /// stack.
    pub stack: u32,
    /// The earlier event that links to this one, if any: what made this
    /// start's goroutine runnable, or the wait this event ended.
    pub back: Option<Back>,
    /// A goroutine this event makes runnable, linking to that goroutine's
    /// next start, when it is not the event's own goroutine.
    pub wakes: Option<i64>,
}

/// The earlier end of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Back {
    /// Its number.
    pub idx: u32,
    /// Its time.
    pub ts: i64,
}

/// What the analysis keeps of one event of a goroutine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    /// Position in the goroutine's own sequence of events.
    pub pos: u32,
    /// The event's number ([`Ev::idx`]).
    pub idx: u32,
    /// Its time.
    pub ts: i64,
    /// What the goroutine did.
    pub did: Did,
    /// The time of the event linking to it, if any.
    pub back_ts: Option<i64>,
}

impl Ev {
    /// What is kept of the event, at position `pos` of its goroutine.
    pub fn at(&self, pos: u32) -> At {
        At {
            pos,
            idx: self.idx,
            ts: self.ts,
            did: self.did,
            back_ts: self.back.map(|b| b.ts),
        }
    }
}

/// A stack: function names, root first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StackFrames(pub Vec<Box<str>>);
