//! The parsed event model, the same for every trace format: an event has a
//! kind, a time, an M/P/G context and a stack, plus kind-specific details
//! computed on demand from its wire type and arguments.

use crate::raw::{RawEvent, go_status_state, proc_status_state};
use crate::table::Table;
pub use crate::values::{ClockSnapshot, GoState, NO_TASK, NONE, ProcState, Time};
use crate::wire::{self, *};
use std::borrow::Cow;

/// What an event is about. The numbering is Go's `trace.EventKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    Bad,
    Sync,
    Metric,
    Label,
    StackSample,
    RangeBegin,
    RangeActive,
    RangeEnd,
    TaskBegin,
    TaskEnd,
    RegionBegin,
    RegionEnd,
    Log,
    StateTransition,
    Experimental,
}

impl EventKind {
    /// Every kind but `Bad`, in Go's order.
    pub const ALL: [EventKind; 14] = [
        EventKind::Sync,
        EventKind::Metric,
        EventKind::Label,
        EventKind::StackSample,
        EventKind::RangeBegin,
        EventKind::RangeActive,
        EventKind::RangeEnd,
        EventKind::TaskBegin,
        EventKind::TaskEnd,
        EventKind::RegionBegin,
        EventKind::RegionEnd,
        EventKind::Log,
        EventKind::StateTransition,
        EventKind::Experimental,
    ];

    /// The kind's name as Go prints it.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Bad => "Bad",
            EventKind::Sync => "Sync",
            EventKind::Metric => "Metric",
            EventKind::Label => "Label",
            EventKind::StackSample => "StackSample",
            EventKind::RangeBegin => "RangeBegin",
            EventKind::RangeActive => "RangeActive",
            EventKind::RangeEnd => "RangeEnd",
            EventKind::TaskBegin => "TaskBegin",
            EventKind::TaskEnd => "TaskEnd",
            EventKind::RegionBegin => "RegionBegin",
            EventKind::RegionEnd => "RegionEnd",
            EventKind::Log => "Log",
            EventKind::StateTransition => "StateTransition",
            EventKind::Experimental => "Experimental",
        }
    }

    /// The kind with this exact name (`Bad` is not accepted).
    pub fn from_name(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.name() == name)
    }

    fn of_type(typ: EventType) -> EventKind {
        match typ {
            EV_READER_SYNC => EventKind::Sync,
            EV_CPU_SAMPLE => EventKind::StackSample,
            EV_PROCS_CHANGE | EV_HEAP_ALLOC | EV_HEAP_GOAL => EventKind::Metric,
            EV_PROC_START..=EV_GO_STATUS
            | EV_GO_SWITCH
            | EV_GO_SWITCH_DESTROY
            | EV_GO_CREATE_BLOCKED
            | EV_GO_STATUS_STACK => EventKind::StateTransition,
            EV_STW_BEGIN | EV_GC_BEGIN | EV_GC_SWEEP_BEGIN | EV_GC_MARK_ASSIST_BEGIN => {
                EventKind::RangeBegin
            }
            EV_GC_ACTIVE | EV_GC_SWEEP_ACTIVE | EV_GC_MARK_ASSIST_ACTIVE => EventKind::RangeActive,
            EV_STW_END | EV_GC_END | EV_GC_SWEEP_END | EV_GC_MARK_ASSIST_END => EventKind::RangeEnd,
            EV_GO_LABEL => EventKind::Label,
            EV_USER_TASK_BEGIN => EventKind::TaskBegin,
            EV_USER_TASK_END => EventKind::TaskEnd,
            EV_USER_REGION_BEGIN => EventKind::RegionBegin,
            EV_USER_REGION_END => EventKind::RegionEnd,
            EV_USER_LOG => EventKind::Log,
            EV_SPAN..=EV_GOROUTINE_STACK_FREE => EventKind::Experimental,
            _ => EventKind::Bad,
        }
    }
}

/// A resource an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    None,
    Goroutine(i64),
    Proc(i64),
    Thread(i64),
}

/// Which resource changed state, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Goroutine {
        id: i64,
        from: GoState,
        to: GoState,
    },
    Proc {
        id: i64,
        from: ProcState,
        to: ProcState,
    },
}

/// Details of a StateTransition event.
#[derive(Debug, Clone, Copy)]
pub struct StateTransition<'a> {
    pub transition: Transition,
    /// Why (for blocking and stopping goroutines); empty otherwise.
    pub reason: &'a str,
    /// The stack of the resource that changes state: for a goroutine
    /// creation, the new goroutine's start stack; for a block or stop, the
    /// blocking goroutine's stack.
    pub stack: Stack<'a>,
}

/// A metric sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    pub name: &'static str,
    pub value: u64,
}

impl Metric {
    /// The name of GOMAXPROCS samples.
    pub const GOMAXPROCS: &'static str = "/sched/gomaxprocs:threads";
    /// The name of heap-size samples.
    pub const HEAP_ALLOC: &'static str = "/memory/classes/heap/objects:bytes";
    /// The name of heap-goal samples.
    pub const HEAP_GOAL: &'static str = "/gc/heap/goal:bytes";
}

/// The name of a range, which for stop-the-world ranges carries its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeName<'a> {
    /// `stop-the-world (KIND)`.
    StopTheWorld(&'a str),
    /// `GC concurrent mark phase`.
    GcMark,
    /// `GC incremental sweep`.
    GcSweep,
    /// `GC mark assist`.
    GcMarkAssist,
}

impl RangeName<'_> {
    /// The full name as Go gives it.
    pub fn to_cow(&self) -> Cow<'static, str> {
        match self {
            RangeName::StopTheWorld(k) => Cow::Owned(format!("stop-the-world ({k})")),
            RangeName::GcMark => Cow::Borrowed("GC concurrent mark phase"),
            RangeName::GcSweep => Cow::Borrowed("GC incremental sweep"),
            RangeName::GcMarkAssist => Cow::Borrowed("GC mark assist"),
        }
    }
}

/// Details of a RangeBegin, RangeActive or RangeEnd event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range<'a> {
    pub name: RangeName<'a>,
    pub scope: Resource,
}

/// Details of a TaskBegin or TaskEnd event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task<'a> {
    pub id: u64,
    /// [`NO_TASK`] for a root task.
    pub parent: u64,
    pub name: &'a str,
}

/// Details of a RegionBegin or RegionEnd event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region<'a> {
    pub task: u64,
    pub name: &'a str,
}

/// Details of a Log event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Log<'a> {
    pub task: u64,
    pub category: &'a str,
    pub message: &'a str,
}

/// Details of a Sync event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sync<'a> {
    /// 1 for the first Sync of the trace, 2 for the second, ...
    pub n: u64,
    pub clock: Option<ClockSnapshot>,
    /// The experimental batches of the generation this Sync begins.
    pub experimental: &'a [crate::table::ExperimentalBatch],
}

/// Details of an Experimental event.
#[derive(Debug, Clone, Copy)]
pub struct Experimental<'a> {
    pub name: &'static str,
    pub experiment: &'static str,
    /// Argument names (the spec's, without the time delta).
    pub arg_names: &'static [&'static str],
    values: [u64; 4],
    table: &'a Table,
}

impl Experimental<'_> {
    /// Argument `i`: a string if its name ends in "string", else a number.
    pub fn arg(&self, i: usize) -> ExperimentalArg<'_> {
        if self.arg_names[i].ends_with("string") {
            ExperimentalArg::String(self.table.str(self.values[i]))
        } else {
            ExperimentalArg::Uint64(self.values[i])
        }
    }
}

/// The value of an experimental event's argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExperimentalArg<'a> {
    Uint64(u64),
    String(&'a str),
}

/// A stack: frames leaf first, possibly none.
#[derive(Clone, Copy)]
pub struct Stack<'a> {
    table: &'a Table,
    id: u64,
}

impl std::fmt::Debug for Stack<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.frames()).finish()
    }
}

impl<'a> Stack<'a> {
    #[inline]
    pub(crate) fn new(table: &'a Table, id: u64) -> Stack<'a> {
        Stack { table, id }
    }

    /// The stack's ID, unique among the stacks of one generation (0: none).
    #[inline]
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Whether the stack has no frames.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.table.stack_frames(self.id).is_empty()
    }

    /// Number of frames.
    #[inline]
    pub fn len(&self) -> usize {
        self.table.stack_frames(self.id).len()
    }

    /// The frames, leaf first.
    #[inline]
    pub fn frames(&self) -> impl DoubleEndedIterator<Item = Frame<'a>> + ExactSizeIterator + 'a {
        let table = self.table;
        (table.stack_frames(self.id).iter()).map(move |&i| Frame {
            table,
            entry: table.frame(i),
        })
    }
}

/// A frame copied out of the reader's tables ([`Frame::to_owned_frame`]),
/// for analyses that keep stacks past their event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedFrame {
    /// Function name.
    pub func: String,
    /// Source file.
    pub file: String,
    /// Line number.
    pub line: u64,
    /// Program counter.
    pub pc: u64,
}

/// One frame of a stack.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    table: &'a Table,
    entry: &'a crate::table::FrameEntry,
}

impl std::fmt::Debug for Frame<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:x} {} {}:{}",
            self.pc(),
            self.func(),
            self.file(),
            self.line()
        )
    }
}

impl<'a> Frame<'a> {
    #[inline]
    pub fn pc(&self) -> u64 {
        self.entry.data.pc
    }
    /// The function name (lossily decoded if the trace holds invalid UTF-8).
    #[inline]
    pub fn func(&self) -> &'a str {
        self.table.func_str(self.entry)
    }
    /// The source file path.
    #[inline]
    pub fn file(&self) -> &'a str {
        self.table.file_str(self.entry)
    }
    #[inline]
    pub fn line(&self) -> u64 {
        self.entry.data.line
    }
    /// The exact bytes of the function name.
    #[inline]
    pub fn func_bytes(&self) -> &'a [u8] {
        self.table.func_bytes(self.entry)
    }
    /// The exact bytes of the file name.
    #[inline]
    pub fn file_bytes(&self) -> &'a [u8] {
        self.table.file_bytes(self.entry)
    }
    /// The frame's function, file, line and PC, copied out of the tables.
    pub fn to_owned_frame(&self) -> OwnedFrame {
        OwnedFrame {
            func: self.func().to_owned(),
            file: self.file().to_owned(),
            line: self.line(),
            pc: self.pc(),
        }
    }
}

/// For each wire type, 1 + the index in `RawEvent::args` of the event's
/// own stack ID (0: none): the first of the spec's stack arguments; a CPU
/// sample's sampled stack; none for the reader's Sync.
static OWN_STACK: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut typ = 0;
    while typ < wire::NUM_SPECS {
        if let [first, ..] = wire::SPEC_ROWS[typ].stack_ids {
            t[typ] = *first;
        }
        typ += 1;
    }
    t[EV_CPU_SAMPLE as usize] = 1;
    t[EV_READER_SYNC as usize] = 0;
    t
};

/// One event of the trace. It borrows the reader's tables, so it lives until
/// the next call to [`Reader::read_event`](crate::Reader::read_event); copy
/// out what must be kept.
#[derive(Clone, Copy)]
pub struct Event<'a> {
    /// The reader's record, borrowed as the tables are (copying its 80
    /// bytes out for every event cost more than reading them in place).
    pub(crate) raw: &'a RawEvent,
    pub(crate) table: &'a Table,
}

impl<'a> Event<'a> {
    #[inline]
    pub fn kind(&self) -> EventKind {
        EventKind::of_type(self.raw.typ)
    }
    /// Nanoseconds; strictly increasing along the trace.
    #[inline]
    pub fn time(&self) -> Time {
        self.raw.time
    }
    /// The thread (M) the event happened on, or [`NONE`].
    #[inline]
    pub fn thread(&self) -> i64 {
        self.raw.m
    }
    /// The proc (P) held when the event happened, or [`NONE`].
    #[inline]
    pub fn proc(&self) -> i64 {
        self.raw.p
    }
    /// The goroutine running when the event happened, or [`NONE`].
    #[inline]
    pub fn goroutine(&self) -> i64 {
        self.raw.g
    }

    /// The event's own stack (for a CPU sample, the sampled stack).
    #[inline]
    pub fn stack(&self) -> Stack<'a> {
        let id = match OWN_STACK[usize::from(self.raw.typ)] {
            0 => 0,
            i => self.raw.args[usize::from(i) - 1],
        };
        Stack::new(self.table, id)
    }

    fn str_arg(&self, i: usize) -> &'a str {
        self.table.str(self.raw.args[i])
    }

    fn bytes_arg(&self, i: usize) -> &'a [u8] {
        self.table.bytes(self.raw.args[i])
    }

    // The exact bytes of an event's strings, which the text rendering
    // quotes as Go does (the `&str` accessors decode invalid UTF-8 lossily).

    /// A Label's label.
    pub(crate) fn label_bytes(&self) -> &'a [u8] {
        self.bytes_arg(0)
    }

    /// A stop-the-world range's kind.
    pub(crate) fn stw_kind_bytes(&self) -> &'a [u8] {
        self.table.bytes(self.raw.stw_kind())
    }

    /// A region's name.
    pub(crate) fn region_name_bytes(&self) -> &'a [u8] {
        self.bytes_arg(1)
    }

    /// A Log's category.
    pub(crate) fn log_category_bytes(&self) -> &'a [u8] {
        self.bytes_arg(1)
    }

    /// A Log's message.
    pub(crate) fn log_message_bytes(&self) -> &'a [u8] {
        self.bytes_arg(2)
    }

    /// A state transition's reason (empty but for blocks and stops).
    pub(crate) fn reason_bytes(&self) -> &'a [u8] {
        match self.raw.typ {
            EV_GO_STOP | EV_GO_BLOCK => self.bytes_arg(0),
            _ => b"",
        }
    }

    /// Metric details, for Metric events.
    pub fn metric(&self) -> Option<Metric> {
        let name = match self.raw.typ {
            EV_PROCS_CHANGE => Metric::GOMAXPROCS,
            EV_HEAP_ALLOC => Metric::HEAP_ALLOC,
            EV_HEAP_GOAL => Metric::HEAP_GOAL,
            _ => return None,
        };
        Some(Metric {
            name,
            value: self.raw.args[0],
        })
    }

    /// Label details, for Label events: the label and its goroutine.
    pub fn label(&self) -> Option<(&'a str, Resource)> {
        (self.raw.typ == EV_GO_LABEL).then(|| (self.str_arg(0), Resource::Goroutine(self.raw.g)))
    }

    /// Range details, for RangeBegin, RangeActive and RangeEnd events.
    pub fn range(&self) -> Option<Range<'a>> {
        let r = &self.raw;
        Some(match r.typ {
            EV_STW_BEGIN | EV_STW_END => Range {
                name: RangeName::StopTheWorld(self.table.str(r.stw_kind())),
                scope: Resource::Goroutine(r.g),
            },
            EV_GC_BEGIN | EV_GC_ACTIVE | EV_GC_END => Range {
                name: RangeName::GcMark,
                scope: Resource::None,
            },
            EV_GC_SWEEP_ACTIVE => Range {
                name: RangeName::GcSweep,
                scope: Resource::Proc(r.args[0] as i64),
            },
            EV_GC_SWEEP_BEGIN | EV_GC_SWEEP_END => Range {
                name: RangeName::GcSweep,
                scope: Resource::Proc(r.p),
            },
            EV_GC_MARK_ASSIST_ACTIVE => Range {
                name: RangeName::GcMarkAssist,
                scope: Resource::Goroutine(r.args[0] as i64),
            },
            EV_GC_MARK_ASSIST_BEGIN | EV_GC_MARK_ASSIST_END => Range {
                name: RangeName::GcMarkAssist,
                scope: Resource::Goroutine(r.g),
            },
            _ => return None,
        })
    }

    /// A RangeEnd's attributes: only the sweep range has any
    /// (`bytes swept`, `bytes reclaimed`).
    pub fn range_attributes(&self) -> &'static [&'static str] {
        if self.raw.typ == EV_GC_SWEEP_END {
            &["bytes swept", "bytes reclaimed"]
        } else {
            &[]
        }
    }

    /// The value of RangeEnd attribute `i` (see [`Event::range_attributes`]).
    pub fn range_attribute_value(&self, i: usize) -> u64 {
        self.raw.args[i]
    }

    /// Task details, for TaskBegin and TaskEnd events.
    pub fn task(&self) -> Option<Task<'a>> {
        let r = &self.raw;
        match r.typ {
            EV_USER_TASK_BEGIN => Some(Task {
                id: r.args[0],
                parent: r.args[1],
                name: self.str_arg(2),
            }),
            EV_USER_TASK_END => Some(Task {
                id: r.args[0],
                parent: r.task_end_parent(),
                name: self.table.str(r.task_end_name()),
            }),
            _ => None,
        }
    }

    /// The exact bytes of a TaskBegin's or TaskEnd's name.
    pub(crate) fn task_name_bytes(&self) -> &'a [u8] {
        match self.raw.typ {
            EV_USER_TASK_END => self.table.bytes(self.raw.task_end_name()),
            _ => self.bytes_arg(2),
        }
    }

    /// Region details, for RegionBegin and RegionEnd events.
    pub fn region(&self) -> Option<Region<'a>> {
        matches!(self.raw.typ, EV_USER_REGION_BEGIN | EV_USER_REGION_END).then(|| Region {
            task: self.raw.args[0],
            name: self.str_arg(1),
        })
    }

    /// Log details, for Log events.
    pub fn log(&self) -> Option<Log<'a>> {
        (self.raw.typ == EV_USER_LOG).then(|| Log {
            task: self.raw.args[0],
            category: self.str_arg(1),
            message: self.str_arg(2),
        })
    }

    /// Sync details, for Sync events.
    pub fn sync(&self) -> Option<Sync<'a>> {
        let own = self.raw.sync_has_snapshot();
        (self.raw.typ == EV_READER_SYNC).then(|| Sync {
            n: self.raw.sync_number(),
            clock: if own { self.table.clock } else { None },
            experimental: if own { &self.table.experimental } else { &[] },
        })
    }

    /// Experimental-event details, for Experimental events.
    pub fn experimental(&self) -> Option<Experimental<'a>> {
        if self.kind() != EventKind::Experimental {
            return None;
        }
        let s = wire::spec(self.raw.typ);
        Some(Experimental {
            name: s.name,
            experiment: wire::EXPERIMENT_ALLOC_FREE,
            arg_names: &s.args[1..],
            values: self.raw.args,
            table: self.table,
        })
    }

    /// The state change of a StateTransition event alone: what
    /// [`Event::state_transition`] gives without looking up the reason and
    /// the stack (for consumers that look at every event and need only
    /// this).
    #[inline]
    pub fn transition(&self) -> Option<Transition> {
        use GoState as G;
        use ProcState as P;
        let r = &self.raw;
        let a = r.args;
        let go = |id: i64, from, to| Transition::Goroutine { id, from, to };
        let proc = |id: i64, from, to| Transition::Proc { id, from, to };
        Some(match r.typ {
            EV_PROC_START => proc(a[0] as i64, P::Idle, P::Running),
            EV_PROC_STOP => proc(r.p, P::Running, P::Idle),
            EV_PROC_STEAL => proc(a[0] as i64, r.proc_before(), P::Idle),
            EV_PROC_STATUS => proc(a[0] as i64, r.proc_before(), proc_status_state(a[1])),
            EV_GO_CREATE => go(a[0] as i64, G::NotExist, G::Runnable),
            EV_GO_CREATE_BLOCKED => go(a[0] as i64, G::NotExist, G::Waiting),
            EV_GO_CREATE_SYSCALL => go(a[0] as i64, G::NotExist, G::Syscall),
            EV_GO_START => go(a[0] as i64, G::Runnable, G::Running),
            EV_GO_DESTROY => go(r.g, G::Running, G::NotExist),
            EV_GO_DESTROY_SYSCALL => go(r.g, G::Syscall, G::NotExist),
            EV_GO_STOP => go(r.g, G::Running, G::Runnable),
            EV_GO_BLOCK => go(r.g, G::Running, G::Waiting),
            EV_GO_UNBLOCK | EV_GO_SWITCH | EV_GO_SWITCH_DESTROY => {
                go(a[0] as i64, G::Waiting, G::Runnable)
            }
            EV_GO_SYSCALL_BEGIN => go(r.g, G::Running, G::Syscall),
            EV_GO_SYSCALL_END => go(r.g, G::Syscall, G::Running),
            EV_GO_SYSCALL_END_BLOCKED => go(r.g, G::Syscall, G::Runnable),
            EV_GO_STATUS | EV_GO_STATUS_STACK => {
                go(a[0] as i64, r.go_before(), go_status_state(a[2]))
            }
            _ => return None,
        })
    }

    /// State-transition details, for StateTransition events.
    pub fn state_transition(&self) -> Option<StateTransition<'a>> {
        let transition = self.transition()?;
        let (reason, stack) = match self.raw.typ {
            EV_GO_CREATE | EV_GO_CREATE_BLOCKED => ("", Stack::new(self.table, self.raw.args[1])),
            EV_GO_STOP | EV_GO_BLOCK => (self.str_arg(0), self.stack()),
            EV_GO_SYSCALL_BEGIN | EV_GO_STATUS | EV_GO_STATUS_STACK => ("", self.stack()),
            _ => ("", Stack::new(self.table, 0)),
        };
        Some(StateTransition {
            transition,
            reason,
            stack,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of own stacks says what the spec says: the first stack
    /// argument, the sampled stack for a CPU sample, none for a Sync.
    #[test]
    fn own_stack_is_the_specs_first_stack_argument() {
        let table = Table::default();
        let mut with_stack = 0;
        for typ in 0..=255u8 {
            let raw = RawEvent::new(typ, 0, [11, 12, 13, 14]);
            let want = match typ {
                EV_READER_SYNC => 0,
                EV_CPU_SAMPLE => 11,
                t => (wire::spec(t).stack_ids.first()).map_or(0, |&i| raw.args[usize::from(i) - 1]),
            };
            let ev = Event {
                raw: &raw,
                table: &table,
            };
            assert_eq!(ev.stack().id(), want, "type {typ}");
            with_stack += usize::from(want != 0);
        }
        assert!(with_stack >= 15, "{with_stack}");
    }
}
