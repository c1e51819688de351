//! The event model the analysis runs on: every event that matters to
//! regions, in trace order, with its goroutine, a v1-style event type, an
//! interned stack and the link Go 1.21's parser would give it; plus the
//! per-goroutine event lists. Built from either trace format (see
//! [`crate::load`]).

use gotrace::legacy::types as t;

/// "No such thing" for `u32` indexes.
pub const NONE: u32 = u32::MAX;

/// One event.
#[derive(Debug, Clone, Copy)]
pub struct Ev {
    /// Nanoseconds since the first event of the trace.
    pub ts: i64,
    /// The goroutine the event is filed under (-1: none, only in Go 1.22+
    /// traces).
    pub g: i64,
    /// The event type, as a Go ≤1.21 type number (`gotrace::legacy::types`).
    pub typ: u8,
    /// Index into [`Trace::stacks`]; 0 is the empty stack.
    pub stack: u32,
    /// The linked event (see the Go 1.21 parser's `Link`), or [`NONE`].
    pub link: u32,
    /// The event's position in its goroutine's list, or [`NONE`].
    pub pos: u32,
}

/// A stack: function names, root first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StackFrames(pub Vec<Box<str>>);

/// A whole trace, prepared for region tracking.
#[derive(Debug, Default)]
pub struct Trace {
    /// All events, in trace order.
    pub events: Vec<Ev>,
    /// Distinct stacks; entry 0 is the empty stack.
    pub stacks: Vec<StackFrames>,
    /// Goroutine ids in ascending order (goroutine 0 included for Go ≤1.21
    /// traces, where it collects scheduler, GC and poller events).
    pub goroutines: Vec<i64>,
    /// Per goroutine (same order as `goroutines`), its events in order.
    pub lists: Vec<Vec<u32>>,
    /// For each event, the event whose link points to it, or [`NONE`].
    pub backlinks: Vec<u32>,
    /// For each event, the index of its goroutine in `goroutines`, or
    /// [`NONE`].
    pub gindex: Vec<u32>,
}

impl Trace {
    /// Builds the per-goroutine lists and the backlinks once `events` and
    /// `stacks` are final. Events with goroutine -1 get no list.
    pub fn finish(&mut self) -> Result<(), String> {
        let mut ids: Vec<i64> = self
            .events
            .iter()
            .map(|e| e.g)
            .filter(|&g| g >= 0)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut lists = vec![Vec::new(); ids.len()];
        let mut gindex = vec![NONE; self.events.len()];
        let mut backlinks = vec![NONE; self.events.len()];
        for (i, ev) in self.events.iter_mut().enumerate() {
            if ev.link != NONE {
                let target = ev.link as usize;
                if backlinks[target] != NONE {
                    return Err(format!("two events link to event {target}"));
                }
                backlinks[target] = i as u32;
            }
            if ev.g < 0 {
                continue;
            }
            let gi = ids.binary_search(&ev.g).expect("collected above");
            ev.pos = lists[gi].len() as u32;
            lists[gi].push(i as u32);
            gindex[i] = gi as u32;
        }
        self.goroutines = ids;
        self.lists = lists;
        self.gindex = gindex;
        self.backlinks = backlinks;
        Ok(())
    }

    /// The event at `i`.
    pub fn ev(&self, i: u32) -> &Ev {
        &self.events[i as usize]
    }

    /// The root function of a goroutine (by index into `goroutines`): the
    /// root frame of its first event with a stack of two or more frames,
    /// else of its last event with a one-frame stack, else "".
    pub fn root_func(&self, gi: u32) -> &str {
        let mut name: &str = "";
        for &e in &self.lists[gi as usize] {
            let frames = &self.stacks[self.ev(e).stack as usize].0;
            if let Some(root) = frames.first() {
                name = root;
                if frames.len() >= 2 {
                    break;
                }
            }
        }
        name
    }
}

/// Whether the type starts a run of a goroutine (for span timelines).
pub fn is_run_start(typ: u8) -> bool {
    matches!(typ, t::EV_GO_START | t::EV_GC_MARK_ASSIST_DONE)
}

/// The assist reason an event type starts, if any.
pub fn assist_reason(typ: u8) -> Option<&'static str> {
    (typ == t::EV_GC_MARK_ASSIST_START).then_some("gc")
}

/// The wait reason an event type starts, if any.
pub fn wait_reason(typ: u8) -> Option<&'static str> {
    Some(match typ {
        t::EV_GO_PREEMPT => "cpu",
        t::EV_GO_BLOCK => "block",
        t::EV_GO_BLOCK_COND => "cond",
        t::EV_GO_BLOCK_GC => "gc",
        t::EV_GO_BLOCK_NET => "net",
        t::EV_GO_BLOCK_RECV => "recv",
        t::EV_GO_BLOCK_SELECT => "select",
        t::EV_GO_BLOCK_SEND => "send",
        t::EV_GO_BLOCK_SYNC => "sync",
        t::EV_GO_SYS_BLOCK => "syscall",
        _ => return None,
    })
}

/// The type number of a v1 event type name (`GoStart`, `GoBlockNet`, ...).
pub fn type_by_name(name: &str) -> Option<u8> {
    (0..=t::EV_CPU_SAMPLE).find(|&c| t::name(c) == name)
}
