//! The events the analysis reads, one at a time: each with its goroutine,
//! a v1-style event type, an interned stack and what links it to other
//! events (the link Go 1.21's parser would give it), whatever the trace's
//! format (see [`crate::source`]). Also what the event types mean to spans.

use gotrace::legacy::types as t;

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
    /// The event type, as a Go ≤1.21 type number (`gotrace::legacy::types`).
    pub typ: u8,
    /// Index into the scan's [`crate::source::Stacks`]; 0 is the empty
    /// stack.
    pub stack: u32,
    /// The earlier event that links to this one, if any.
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
    /// Its type.
    pub typ: u8,
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
            typ: self.typ,
            back_ts: self.back.map(|b| b.ts),
        }
    }
}

/// A stack: function names, root first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StackFrames(pub Vec<Box<str>>);

/// Whether the type starts a run of a goroutine (for span timelines).
pub fn is_run_start(typ: u8) -> bool {
    matches!(typ, t::EV_GO_START | t::EV_GC_MARK_ASSIST_DONE)
}

/// The reasons of assists and waits, as spans name them.
pub const REASONS: [&str; 10] = [
    "gc", "cpu", "block", "cond", "net", "recv", "select", "send", "sync", "syscall",
];

/// The "cpu" reason in [`REASONS`]: waiting to be scheduled.
pub const CPU: u8 = 1;

/// The assist reason an event type starts, if any, as an index into
/// [`REASONS`].
pub fn assist_code(typ: u8) -> Option<u8> {
    (typ == t::EV_GC_MARK_ASSIST_START).then_some(0)
}

/// The wait reason an event type starts, if any, as an index into
/// [`REASONS`].
pub fn wait_code(typ: u8) -> Option<u8> {
    Some(match typ {
        t::EV_GO_BLOCK_GC => 0,
        t::EV_GO_PREEMPT => CPU,
        t::EV_GO_BLOCK => 2,
        t::EV_GO_BLOCK_COND => 3,
        t::EV_GO_BLOCK_NET => 4,
        t::EV_GO_BLOCK_RECV => 5,
        t::EV_GO_BLOCK_SELECT => 6,
        t::EV_GO_BLOCK_SEND => 7,
        t::EV_GO_BLOCK_SYNC => 8,
        t::EV_GO_SYS_BLOCK => 9,
        _ => return None,
    })
}

/// The assist reason an event type starts, if any.
pub fn assist_reason(typ: u8) -> Option<&'static str> {
    assist_code(typ).map(|i| REASONS[i as usize])
}

/// The wait reason an event type starts, if any.
pub fn wait_reason(typ: u8) -> Option<&'static str> {
    wait_code(typ).map(|i| REASONS[i as usize])
}

/// Whether the type changes what a span's goroutine is doing (runs, assists
/// or waits).
pub fn is_change(typ: u8) -> bool {
    is_run_start(typ) || assist_code(typ).is_some() || wait_code(typ).is_some()
}

/// The type number of a v1 event type name (`GoStart`, `GoBlockNet`, ...).
pub fn type_by_name(name: &str) -> Option<u8> {
    (0..=t::EV_CPU_SAMPLE).find(|&c| t::name(c) == name)
}
