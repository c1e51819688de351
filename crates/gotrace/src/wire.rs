//! The Go 1.22+ wire specification (`internal/trace/tracev2`): event type
//! numbers, the table of their names, argument lists, which arguments are
//! stack or string IDs and which "begin" event an "end" event closes, and
//! the goroutine and proc status codes. Depends on nothing else in the
//! crate; the wire reader (`v2`), the v1 converter and the event model all
//! read it.

/// A wire event type number.
pub(crate) type EventType = u8;

pub(crate) const EV_EVENT_BATCH: EventType = 1;
pub(crate) const EV_STACKS: EventType = 2;
pub(crate) const EV_STACK: EventType = 3;
pub(crate) const EV_STRINGS: EventType = 4;
pub(crate) const EV_STRING: EventType = 5;
pub(crate) const EV_CPU_SAMPLES: EventType = 6;
pub(crate) const EV_CPU_SAMPLE: EventType = 7;
pub(crate) const EV_FREQUENCY: EventType = 8;
pub(crate) const EV_PROCS_CHANGE: EventType = 9;
pub(crate) const EV_PROC_START: EventType = 10;
pub(crate) const EV_PROC_STOP: EventType = 11;
pub(crate) const EV_PROC_STEAL: EventType = 12;
pub(crate) const EV_PROC_STATUS: EventType = 13;
pub(crate) const EV_GO_CREATE: EventType = 14;
pub(crate) const EV_GO_CREATE_SYSCALL: EventType = 15;
pub(crate) const EV_GO_START: EventType = 16;
pub(crate) const EV_GO_DESTROY: EventType = 17;
pub(crate) const EV_GO_DESTROY_SYSCALL: EventType = 18;
pub(crate) const EV_GO_STOP: EventType = 19;
pub(crate) const EV_GO_BLOCK: EventType = 20;
pub(crate) const EV_GO_UNBLOCK: EventType = 21;
pub(crate) const EV_GO_SYSCALL_BEGIN: EventType = 22;
pub(crate) const EV_GO_SYSCALL_END: EventType = 23;
pub(crate) const EV_GO_SYSCALL_END_BLOCKED: EventType = 24;
pub(crate) const EV_GO_STATUS: EventType = 25;
pub(crate) const EV_STW_BEGIN: EventType = 26;
pub(crate) const EV_STW_END: EventType = 27;
pub(crate) const EV_GC_ACTIVE: EventType = 28;
pub(crate) const EV_GC_BEGIN: EventType = 29;
pub(crate) const EV_GC_END: EventType = 30;
pub(crate) const EV_GC_SWEEP_ACTIVE: EventType = 31;
pub(crate) const EV_GC_SWEEP_BEGIN: EventType = 32;
pub(crate) const EV_GC_SWEEP_END: EventType = 33;
pub(crate) const EV_GC_MARK_ASSIST_ACTIVE: EventType = 34;
pub(crate) const EV_GC_MARK_ASSIST_BEGIN: EventType = 35;
pub(crate) const EV_GC_MARK_ASSIST_END: EventType = 36;
pub(crate) const EV_HEAP_ALLOC: EventType = 37;
pub(crate) const EV_HEAP_GOAL: EventType = 38;
pub(crate) const EV_GO_LABEL: EventType = 39;
pub(crate) const EV_USER_TASK_BEGIN: EventType = 40;
pub(crate) const EV_USER_TASK_END: EventType = 41;
pub(crate) const EV_USER_REGION_BEGIN: EventType = 42;
pub(crate) const EV_USER_REGION_END: EventType = 43;
pub(crate) const EV_USER_LOG: EventType = 44;
pub(crate) const EV_GO_SWITCH: EventType = 45;
pub(crate) const EV_GO_SWITCH_DESTROY: EventType = 46;
pub(crate) const EV_GO_CREATE_BLOCKED: EventType = 47;
pub(crate) const EV_GO_STATUS_STACK: EventType = 48;
pub(crate) const EV_EXPERIMENTAL_BATCH: EventType = 49;
pub(crate) const EV_SYNC: EventType = 50;
pub(crate) const EV_CLOCK_SNAPSHOT: EventType = 51;
pub(crate) const EV_END_OF_GENERATION: EventType = 52;
/// The experimental events of the AllocFree experiment (Go 1.23+).
pub(crate) const EV_SPAN: EventType = 128;
pub(crate) const EV_SPAN_ALLOC: EventType = 129;
pub(crate) const EV_SPAN_FREE: EventType = 130;
pub(crate) const EV_HEAP_OBJECT: EventType = 131;
pub(crate) const EV_HEAP_OBJECT_ALLOC: EventType = 132;
pub(crate) const EV_HEAP_OBJECT_FREE: EventType = 133;
pub(crate) const EV_GOROUTINE_STACK: EventType = 134;
pub(crate) const EV_GOROUTINE_STACK_ALLOC: EventType = 135;
pub(crate) const EV_GOROUTINE_STACK_FREE: EventType = 136;
/// The reader's own Sync event, which has no wire type.
pub(crate) const EV_READER_SYNC: EventType = 255;

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

/// The description of one wire event type.
pub(crate) struct Spec {
    pub(crate) name: &'static str,
    /// Argument names, the timestamp delta first for timed events.
    pub(crate) args: &'static [&'static str],
    pub(crate) timed: bool,
    /// Positions in `args` of stack-ID arguments, the event's own stack first.
    pub(crate) stack_ids: &'static [u8],
    /// Positions in `args` of string-ID arguments.
    pub(crate) string_ids: &'static [u8],
    /// For an end or active event, the event that begins its range.
    pub(crate) start: EventType,
}

impl Spec {
    /// An unused type number.
    const NONE: Spec = Spec {
        name: "",
        args: &[],
        timed: false,
        stack_ids: &[],
        string_ids: &[],
        start: 0,
    };
    /// The defaults of an event without a timestamp (batch contents).
    const UNTIMED: Spec = Spec::NONE;
    /// The defaults of a timed event: no stack or string arguments, no range.
    const TIMED: Spec = Spec {
        timed: true,
        ..Spec::NONE
    };
}

/// Number of entries in the spec table; type bytes at or above it are invalid.
pub(crate) const NUM_SPECS: usize = 137;

/// One row per wire type, as Go's `tracev2.specs`.
static SPECS: [Spec; NUM_SPECS] = SPEC_ROWS;

/// [`SPECS`] as a constant, for tables derived from it at compile time.
pub(crate) const SPEC_ROWS: [Spec; NUM_SPECS] = {
    let mut t = [Spec::NONE; NUM_SPECS];
    t[EV_EVENT_BATCH as usize] = Spec {
        name: "EventBatch",
        args: &["gen", "m", "time", "size"],
        ..Spec::UNTIMED
    };
    t[EV_STACKS as usize] = Spec {
        name: "Stacks",
        ..Spec::UNTIMED
    };
    t[EV_STACK as usize] = Spec {
        name: "Stack",
        args: &["id", "nframes"],
        ..Spec::UNTIMED
    };
    t[EV_STRINGS as usize] = Spec {
        name: "Strings",
        ..Spec::UNTIMED
    };
    t[EV_STRING as usize] = Spec {
        name: "String",
        args: &["id"],
        ..Spec::UNTIMED
    };
    t[EV_CPU_SAMPLES as usize] = Spec {
        name: "CPUSamples",
        ..Spec::UNTIMED
    };
    t[EV_CPU_SAMPLE as usize] = Spec {
        name: "CPUSample",
        args: &["time", "m", "p", "g", "stack"],
        ..Spec::UNTIMED
    };
    t[EV_FREQUENCY as usize] = Spec {
        name: "Frequency",
        args: &["freq"],
        ..Spec::UNTIMED
    };
    t[EV_PROCS_CHANGE as usize] = Spec {
        name: "ProcsChange",
        args: &["dt", "procs_value", "stack"],
        stack_ids: &[2],
        ..Spec::TIMED
    };
    t[EV_PROC_START as usize] = Spec {
        name: "ProcStart",
        args: &["dt", "p", "p_seq"],
        ..Spec::TIMED
    };
    t[EV_PROC_STOP as usize] = Spec {
        name: "ProcStop",
        args: &["dt"],
        ..Spec::TIMED
    };
    t[EV_PROC_STEAL as usize] = Spec {
        name: "ProcSteal",
        args: &["dt", "p", "p_seq", "m"],
        ..Spec::TIMED
    };
    t[EV_PROC_STATUS as usize] = Spec {
        name: "ProcStatus",
        args: &["dt", "p", "pstatus"],
        ..Spec::TIMED
    };
    t[EV_GO_CREATE as usize] = Spec {
        name: "GoCreate",
        args: &["dt", "new_g", "new_stack", "stack"],
        stack_ids: &[3, 2],
        ..Spec::TIMED
    };
    t[EV_GO_CREATE_SYSCALL as usize] = Spec {
        name: "GoCreateSyscall",
        args: &["dt", "new_g"],
        ..Spec::TIMED
    };
    t[EV_GO_START as usize] = Spec {
        name: "GoStart",
        args: &["dt", "g", "g_seq"],
        ..Spec::TIMED
    };
    t[EV_GO_DESTROY as usize] = Spec {
        name: "GoDestroy",
        args: &["dt"],
        ..Spec::TIMED
    };
    t[EV_GO_DESTROY_SYSCALL as usize] = Spec {
        name: "GoDestroySyscall",
        args: &["dt"],
        ..Spec::TIMED
    };
    t[EV_GO_STOP as usize] = Spec {
        name: "GoStop",
        args: &["dt", "reason_string", "stack"],
        stack_ids: &[2],
        string_ids: &[1],
        ..Spec::TIMED
    };
    t[EV_GO_BLOCK as usize] = Spec {
        name: "GoBlock",
        args: &["dt", "reason_string", "stack"],
        stack_ids: &[2],
        string_ids: &[1],
        ..Spec::TIMED
    };
    t[EV_GO_UNBLOCK as usize] = Spec {
        name: "GoUnblock",
        args: &["dt", "g", "g_seq", "stack"],
        stack_ids: &[3],
        ..Spec::TIMED
    };
    t[EV_GO_SYSCALL_BEGIN as usize] = Spec {
        name: "GoSyscallBegin",
        args: &["dt", "p_seq", "stack"],
        stack_ids: &[2],
        ..Spec::TIMED
    };
    t[EV_GO_SYSCALL_END as usize] = Spec {
        name: "GoSyscallEnd",
        args: &["dt"],
        start: EV_GO_SYSCALL_BEGIN,
        ..Spec::TIMED
    };
    t[EV_GO_SYSCALL_END_BLOCKED as usize] = Spec {
        name: "GoSyscallEndBlocked",
        args: &["dt"],
        start: EV_GO_SYSCALL_BEGIN,
        ..Spec::TIMED
    };
    t[EV_GO_STATUS as usize] = Spec {
        name: "GoStatus",
        args: &["dt", "g", "m", "gstatus"],
        ..Spec::TIMED
    };
    t[EV_STW_BEGIN as usize] = Spec {
        name: "STWBegin",
        args: &["dt", "kind_string", "stack"],
        stack_ids: &[2],
        string_ids: &[1],
        ..Spec::TIMED
    };
    t[EV_STW_END as usize] = Spec {
        name: "STWEnd",
        args: &["dt"],
        start: EV_STW_BEGIN,
        ..Spec::TIMED
    };
    t[EV_GC_ACTIVE as usize] = Spec {
        name: "GCActive",
        args: &["dt", "gc_seq"],
        start: EV_GC_BEGIN,
        ..Spec::TIMED
    };
    t[EV_GC_BEGIN as usize] = Spec {
        name: "GCBegin",
        args: &["dt", "gc_seq", "stack"],
        stack_ids: &[2],
        ..Spec::TIMED
    };
    t[EV_GC_END as usize] = Spec {
        name: "GCEnd",
        args: &["dt", "gc_seq"],
        start: EV_GC_BEGIN,
        ..Spec::TIMED
    };
    t[EV_GC_SWEEP_ACTIVE as usize] = Spec {
        name: "GCSweepActive",
        args: &["dt", "p"],
        start: EV_GC_SWEEP_BEGIN,
        ..Spec::TIMED
    };
    t[EV_GC_SWEEP_BEGIN as usize] = Spec {
        name: "GCSweepBegin",
        args: &["dt", "stack"],
        stack_ids: &[1],
        ..Spec::TIMED
    };
    t[EV_GC_SWEEP_END as usize] = Spec {
        name: "GCSweepEnd",
        args: &["dt", "swept_value", "reclaimed_value"],
        start: EV_GC_SWEEP_BEGIN,
        ..Spec::TIMED
    };
    t[EV_GC_MARK_ASSIST_ACTIVE as usize] = Spec {
        name: "GCMarkAssistActive",
        args: &["dt", "g"],
        start: EV_GC_MARK_ASSIST_BEGIN,
        ..Spec::TIMED
    };
    t[EV_GC_MARK_ASSIST_BEGIN as usize] = Spec {
        name: "GCMarkAssistBegin",
        args: &["dt", "stack"],
        stack_ids: &[1],
        ..Spec::TIMED
    };
    t[EV_GC_MARK_ASSIST_END as usize] = Spec {
        name: "GCMarkAssistEnd",
        args: &["dt"],
        start: EV_GC_MARK_ASSIST_BEGIN,
        ..Spec::TIMED
    };
    t[EV_HEAP_ALLOC as usize] = Spec {
        name: "HeapAlloc",
        args: &["dt", "heapalloc_value"],
        ..Spec::TIMED
    };
    t[EV_HEAP_GOAL as usize] = Spec {
        name: "HeapGoal",
        args: &["dt", "heapgoal_value"],
        ..Spec::TIMED
    };
    t[EV_GO_LABEL as usize] = Spec {
        name: "GoLabel",
        args: &["dt", "label_string"],
        string_ids: &[1],
        ..Spec::TIMED
    };
    t[EV_USER_TASK_BEGIN as usize] = Spec {
        name: "UserTaskBegin",
        args: &["dt", "task", "parent_task", "name_string", "stack"],
        stack_ids: &[4],
        string_ids: &[3],
        ..Spec::TIMED
    };
    t[EV_USER_TASK_END as usize] = Spec {
        name: "UserTaskEnd",
        args: &["dt", "task", "stack"],
        stack_ids: &[2],
        ..Spec::TIMED
    };
    t[EV_USER_REGION_BEGIN as usize] = Spec {
        name: "UserRegionBegin",
        args: &["dt", "task", "name_string", "stack"],
        stack_ids: &[3],
        string_ids: &[2],
        ..Spec::TIMED
    };
    t[EV_USER_REGION_END as usize] = Spec {
        name: "UserRegionEnd",
        args: &["dt", "task", "name_string", "stack"],
        stack_ids: &[3],
        string_ids: &[2],
        start: EV_USER_REGION_BEGIN,
        ..Spec::TIMED
    };
    t[EV_USER_LOG as usize] = Spec {
        name: "UserLog",
        args: &["dt", "task", "key_string", "value_string", "stack"],
        stack_ids: &[4],
        string_ids: &[2, 3],
        ..Spec::TIMED
    };
    t[EV_GO_SWITCH as usize] = Spec {
        name: "GoSwitch",
        args: &["dt", "g", "g_seq"],
        ..Spec::TIMED
    };
    t[EV_GO_SWITCH_DESTROY as usize] = Spec {
        name: "GoSwitchDestroy",
        args: &["dt", "g", "g_seq"],
        ..Spec::TIMED
    };
    t[EV_GO_CREATE_BLOCKED as usize] = Spec {
        name: "GoCreateBlocked",
        args: &["dt", "new_g", "new_stack", "stack"],
        stack_ids: &[3, 2],
        ..Spec::TIMED
    };
    t[EV_GO_STATUS_STACK as usize] = Spec {
        name: "GoStatusStack",
        args: &["dt", "g", "m", "gstatus", "stack"],
        stack_ids: &[4],
        ..Spec::TIMED
    };
    t[EV_EXPERIMENTAL_BATCH as usize] = Spec {
        name: "ExperimentalBatch",
        args: &["exp", "gen", "m", "time"],
        ..Spec::UNTIMED
    };
    t[EV_SYNC as usize] = Spec {
        name: "Sync",
        ..Spec::UNTIMED
    };
    t[EV_CLOCK_SNAPSHOT as usize] = Spec {
        name: "ClockSnapshot",
        args: &["dt", "mono", "sec", "nsec"],
        ..Spec::TIMED
    };
    t[EV_END_OF_GENERATION as usize] = Spec {
        name: "EndOfGeneration",
        ..Spec::UNTIMED
    };
    t[EV_SPAN as usize] = Spec {
        name: "Span",
        args: &["dt", "id", "npages_value", "kindclass"],
        ..Spec::TIMED
    };
    t[EV_SPAN_ALLOC as usize] = Spec {
        name: "SpanAlloc",
        args: &["dt", "id", "npages_value", "kindclass"],
        ..Spec::TIMED
    };
    t[EV_SPAN_FREE as usize] = Spec {
        name: "SpanFree",
        args: &["dt", "id"],
        ..Spec::TIMED
    };
    t[EV_HEAP_OBJECT as usize] = Spec {
        name: "HeapObject",
        args: &["dt", "id", "type"],
        ..Spec::TIMED
    };
    t[EV_HEAP_OBJECT_ALLOC as usize] = Spec {
        name: "HeapObjectAlloc",
        args: &["dt", "id", "type"],
        ..Spec::TIMED
    };
    t[EV_HEAP_OBJECT_FREE as usize] = Spec {
        name: "HeapObjectFree",
        args: &["dt", "id"],
        ..Spec::TIMED
    };
    t[EV_GOROUTINE_STACK as usize] = Spec {
        name: "GoroutineStack",
        args: &["dt", "id", "order"],
        ..Spec::TIMED
    };
    t[EV_GOROUTINE_STACK_ALLOC as usize] = Spec {
        name: "GoroutineStackAlloc",
        args: &["dt", "id", "order"],
        ..Spec::TIMED
    };
    t[EV_GOROUTINE_STACK_FREE as usize] = Spec {
        name: "GoroutineStackFree",
        args: &["dt", "id"],
        ..Spec::TIMED
    };
    t
};

/// The spec of a wire type; types past the table get an empty spec.
pub(crate) fn spec(typ: EventType) -> &'static Spec {
    SPECS.get(usize::from(typ)).unwrap_or(&Spec::NONE)
}

/// The experiment an experimental event belongs to.
pub(crate) const EXPERIMENT_ALLOC_FREE: &str = "AllocFree";

/// Name of experiment number `n` as Go's table gives it.
pub(crate) fn experiment_name(n: u8) -> &'static str {
    match n {
        0 => "None",
        1 => EXPERIMENT_ALLOC_FREE,
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_events_fit_the_argument_array() {
        for t in 0..NUM_SPECS {
            let s = spec(t as u8);
            if s.timed {
                assert!(s.args.len() <= 5, "{}", s.name);
                assert_eq!(s.args[0], "dt", "{}", s.name);
            }
            for &i in s.stack_ids.iter().chain(s.string_ids) {
                assert!(usize::from(i) < s.args.len(), "{}", s.name);
            }
        }
        assert_eq!(spec(EV_USER_LOG).name, "UserLog");
        assert_eq!(spec(200).name, "");
    }
}
