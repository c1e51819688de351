//! The table of Go 1.22+ wire event types (`internal/trace/tracev2`): names,
//! argument lists, which arguments are stack or string IDs, and which
//! "begin" event an "end" event closes.

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
/// The reader's own Sync event, which has no wire type.
pub(crate) const EV_READER_SYNC: EventType = 255;

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

const fn untimed(name: &'static str, args: &'static [&'static str]) -> Spec {
    Spec {
        name,
        args,
        timed: false,
        stack_ids: &[],
        string_ids: &[],
        start: 0,
    }
}

const fn timed(name: &'static str, args: &'static [&'static str]) -> Spec {
    Spec {
        name,
        args,
        timed: true,
        stack_ids: &[],
        string_ids: &[],
        start: 0,
    }
}

const fn with(
    name: &'static str,
    args: &'static [&'static str],
    stack_ids: &'static [u8],
    string_ids: &'static [u8],
    start: EventType,
) -> Spec {
    Spec {
        name,
        args,
        timed: true,
        stack_ids,
        string_ids,
        start,
    }
}

const NONE: Spec = untimed("", &[]);

/// Number of entries in the spec table; type bytes at or above it are invalid.
pub(crate) const NUM_SPECS: usize = 137;

static SPECS: [Spec; NUM_SPECS] = {
    let mut t = [NONE; NUM_SPECS];
    t[1] = untimed("EventBatch", &["gen", "m", "time", "size"]);
    t[2] = untimed("Stacks", &[]);
    t[3] = untimed("Stack", &["id", "nframes"]);
    t[4] = untimed("Strings", &[]);
    t[5] = untimed("String", &["id"]);
    t[6] = untimed("CPUSamples", &[]);
    t[7] = untimed("CPUSample", &["time", "m", "p", "g", "stack"]);
    t[8] = untimed("Frequency", &["freq"]);
    t[9] = with("ProcsChange", &["dt", "procs_value", "stack"], &[2], &[], 0);
    t[10] = timed("ProcStart", &["dt", "p", "p_seq"]);
    t[11] = timed("ProcStop", &["dt"]);
    t[12] = timed("ProcSteal", &["dt", "p", "p_seq", "m"]);
    t[13] = timed("ProcStatus", &["dt", "p", "pstatus"]);
    t[14] = with(
        "GoCreate",
        &["dt", "new_g", "new_stack", "stack"],
        &[3, 2],
        &[],
        0,
    );
    t[15] = timed("GoCreateSyscall", &["dt", "new_g"]);
    t[16] = timed("GoStart", &["dt", "g", "g_seq"]);
    t[17] = timed("GoDestroy", &["dt"]);
    t[18] = timed("GoDestroySyscall", &["dt"]);
    t[19] = with("GoStop", &["dt", "reason_string", "stack"], &[2], &[1], 0);
    t[20] = with("GoBlock", &["dt", "reason_string", "stack"], &[2], &[1], 0);
    t[21] = with("GoUnblock", &["dt", "g", "g_seq", "stack"], &[3], &[], 0);
    t[22] = with("GoSyscallBegin", &["dt", "p_seq", "stack"], &[2], &[], 0);
    t[23] = with("GoSyscallEnd", &["dt"], &[], &[], EV_GO_SYSCALL_BEGIN);
    t[24] = with(
        "GoSyscallEndBlocked",
        &["dt"],
        &[],
        &[],
        EV_GO_SYSCALL_BEGIN,
    );
    t[25] = timed("GoStatus", &["dt", "g", "m", "gstatus"]);
    t[26] = with("STWBegin", &["dt", "kind_string", "stack"], &[2], &[1], 0);
    t[27] = with("STWEnd", &["dt"], &[], &[], EV_STW_BEGIN);
    t[28] = with("GCActive", &["dt", "gc_seq"], &[], &[], EV_GC_BEGIN);
    t[29] = with("GCBegin", &["dt", "gc_seq", "stack"], &[2], &[], 0);
    t[30] = with("GCEnd", &["dt", "gc_seq"], &[], &[], EV_GC_BEGIN);
    t[31] = with("GCSweepActive", &["dt", "p"], &[], &[], EV_GC_SWEEP_BEGIN);
    t[32] = with("GCSweepBegin", &["dt", "stack"], &[1], &[], 0);
    t[33] = with(
        "GCSweepEnd",
        &["dt", "swept_value", "reclaimed_value"],
        &[],
        &[],
        EV_GC_SWEEP_BEGIN,
    );
    t[34] = with(
        "GCMarkAssistActive",
        &["dt", "g"],
        &[],
        &[],
        EV_GC_MARK_ASSIST_BEGIN,
    );
    t[35] = with("GCMarkAssistBegin", &["dt", "stack"], &[1], &[], 0);
    t[36] = with(
        "GCMarkAssistEnd",
        &["dt"],
        &[],
        &[],
        EV_GC_MARK_ASSIST_BEGIN,
    );
    t[37] = timed("HeapAlloc", &["dt", "heapalloc_value"]);
    t[38] = timed("HeapGoal", &["dt", "heapgoal_value"]);
    t[39] = with("GoLabel", &["dt", "label_string"], &[], &[1], 0);
    t[40] = with(
        "UserTaskBegin",
        &["dt", "task", "parent_task", "name_string", "stack"],
        &[4],
        &[3],
        0,
    );
    t[41] = with("UserTaskEnd", &["dt", "task", "stack"], &[2], &[], 0);
    t[42] = with(
        "UserRegionBegin",
        &["dt", "task", "name_string", "stack"],
        &[3],
        &[2],
        0,
    );
    t[43] = with(
        "UserRegionEnd",
        &["dt", "task", "name_string", "stack"],
        &[3],
        &[2],
        EV_USER_REGION_BEGIN,
    );
    t[44] = with(
        "UserLog",
        &["dt", "task", "key_string", "value_string", "stack"],
        &[4],
        &[2, 3],
        0,
    );
    t[45] = timed("GoSwitch", &["dt", "g", "g_seq"]);
    t[46] = timed("GoSwitchDestroy", &["dt", "g", "g_seq"]);
    t[47] = with(
        "GoCreateBlocked",
        &["dt", "new_g", "new_stack", "stack"],
        &[3, 2],
        &[],
        0,
    );
    t[48] = with(
        "GoStatusStack",
        &["dt", "g", "m", "gstatus", "stack"],
        &[4],
        &[],
        0,
    );
    t[49] = untimed("ExperimentalBatch", &["exp", "gen", "m", "time"]);
    t[50] = untimed("Sync", &[]);
    t[51] = timed("ClockSnapshot", &["dt", "mono", "sec", "nsec"]);
    t[52] = untimed("EndOfGeneration", &[]);
    t[128] = timed("Span", &["dt", "id", "npages_value", "kindclass"]);
    t[129] = timed("SpanAlloc", &["dt", "id", "npages_value", "kindclass"]);
    t[130] = timed("SpanFree", &["dt", "id"]);
    t[131] = timed("HeapObject", &["dt", "id", "type"]);
    t[132] = timed("HeapObjectAlloc", &["dt", "id", "type"]);
    t[133] = timed("HeapObjectFree", &["dt", "id"]);
    t[134] = timed("GoroutineStack", &["dt", "id", "order"]);
    t[135] = timed("GoroutineStackAlloc", &["dt", "id", "order"]);
    t[136] = timed("GoroutineStackFree", &["dt", "id"]);
    t
};

/// The spec of a wire type; types past the table get an empty spec.
pub(crate) fn spec(typ: EventType) -> &'static Spec {
    SPECS.get(usize::from(typ)).unwrap_or(&NONE)
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
