//! The table of Go 1.11–1.21 event types: names, the first format version
//! that has them, their arguments and whether they carry a stack.

/// The zero type, which no event has.
pub const EV_NONE: u8 = 0;
pub const EV_BATCH: u8 = 1;
pub const EV_FREQUENCY: u8 = 2;
pub const EV_STACK: u8 = 3;
pub const EV_GOMAXPROCS: u8 = 4;
pub const EV_PROC_START: u8 = 5;
pub const EV_PROC_STOP: u8 = 6;
pub const EV_GC_START: u8 = 7;
pub const EV_GC_DONE: u8 = 8;
pub const EV_STW_START: u8 = 9;
pub const EV_STW_DONE: u8 = 10;
pub const EV_GC_SWEEP_START: u8 = 11;
pub const EV_GC_SWEEP_DONE: u8 = 12;
pub const EV_GO_CREATE: u8 = 13;
pub const EV_GO_START: u8 = 14;
pub const EV_GO_END: u8 = 15;
pub const EV_GO_STOP: u8 = 16;
pub const EV_GO_SCHED: u8 = 17;
pub const EV_GO_PREEMPT: u8 = 18;
pub const EV_GO_SLEEP: u8 = 19;
pub const EV_GO_BLOCK: u8 = 20;
pub const EV_GO_UNBLOCK: u8 = 21;
pub const EV_GO_BLOCK_SEND: u8 = 22;
pub const EV_GO_BLOCK_RECV: u8 = 23;
pub const EV_GO_BLOCK_SELECT: u8 = 24;
pub const EV_GO_BLOCK_SYNC: u8 = 25;
pub const EV_GO_BLOCK_COND: u8 = 26;
pub const EV_GO_BLOCK_NET: u8 = 27;
pub const EV_GO_SYS_CALL: u8 = 28;
pub const EV_GO_SYS_EXIT: u8 = 29;
pub const EV_GO_SYS_BLOCK: u8 = 30;
pub const EV_GO_WAITING: u8 = 31;
pub const EV_GO_IN_SYSCALL: u8 = 32;
pub const EV_HEAP_ALLOC: u8 = 33;
pub const EV_HEAP_GOAL: u8 = 34;
pub const EV_TIMER_GOROUTINE: u8 = 35;
pub const EV_FUTILE_WAKEUP: u8 = 36;
pub const EV_STRING: u8 = 37;
pub const EV_GO_START_LOCAL: u8 = 38;
pub const EV_GO_UNBLOCK_LOCAL: u8 = 39;
pub const EV_GO_SYS_EXIT_LOCAL: u8 = 40;
pub const EV_GO_START_LABEL: u8 = 41;
pub const EV_GO_BLOCK_GC: u8 = 42;
pub const EV_GC_MARK_ASSIST_START: u8 = 43;
pub const EV_GC_MARK_ASSIST_DONE: u8 = 44;
pub const EV_USER_TASK_CREATE: u8 = 45;
pub const EV_USER_TASK_END: u8 = 46;
pub const EV_USER_REGION: u8 = 47;
pub const EV_USER_LOG: u8 = 48;
pub const EV_CPU_SAMPLE: u8 = 49;
/// Type numbers at or above this are unknown.
pub const EV_COUNT: u8 = 50;

/// One event type: name, first version (minor number) that may contain it,
/// number of arguments after the timestamp, and whether a stack ID follows.
pub(crate) struct Desc {
    pub(crate) name: &'static str,
    pub(crate) min_version: u32,
    pub(crate) nargs: usize,
    pub(crate) stack: bool,
}

impl Desc {
    const UNUSED: Desc = Desc {
        name: "",
        min_version: 0,
        nargs: 0,
        stack: false,
    };
}

/// One row per event type, in type-number order (Go 1.21's `EventDescriptions`).
static DESCS: [Desc; EV_COUNT as usize] = {
    let mut t = [Desc::UNUSED; EV_COUNT as usize];
    t[EV_NONE as usize] = Desc {
        name: "None",
        min_version: 5,
        nargs: 0,
        stack: false,
    };
    t[EV_BATCH as usize] = Desc {
        name: "Batch",
        min_version: 5,
        nargs: 2,
        stack: false,
    };
    t[EV_FREQUENCY as usize] = Desc {
        name: "Frequency",
        min_version: 5,
        nargs: 1,
        stack: false,
    };
    t[EV_STACK as usize] = Desc {
        name: "Stack",
        min_version: 5,
        nargs: 2,
        stack: false,
    };
    t[EV_GOMAXPROCS as usize] = Desc {
        name: "Gomaxprocs",
        min_version: 5,
        nargs: 1,
        stack: true,
    };
    t[EV_PROC_START as usize] = Desc {
        name: "ProcStart",
        min_version: 5,
        nargs: 1,
        stack: false,
    };
    t[EV_PROC_STOP as usize] = Desc {
        name: "ProcStop",
        min_version: 5,
        nargs: 0,
        stack: false,
    };
    t[EV_GC_START as usize] = Desc {
        name: "GCStart",
        min_version: 5,
        nargs: 1,
        stack: true,
    };
    t[EV_GC_DONE as usize] = Desc {
        name: "GCDone",
        min_version: 5,
        nargs: 0,
        stack: false,
    };
    t[EV_STW_START as usize] = Desc {
        name: "GCSTWStart",
        min_version: 5,
        nargs: 1,
        stack: false,
    };
    t[EV_STW_DONE as usize] = Desc {
        name: "GCSTWDone",
        min_version: 5,
        nargs: 0,
        stack: false,
    };
    t[EV_GC_SWEEP_START as usize] = Desc {
        name: "GCSweepStart",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GC_SWEEP_DONE as usize] = Desc {
        name: "GCSweepDone",
        min_version: 5,
        nargs: 2,
        stack: false,
    };
    t[EV_GO_CREATE as usize] = Desc {
        name: "GoCreate",
        min_version: 5,
        nargs: 2,
        stack: true,
    };
    t[EV_GO_START as usize] = Desc {
        name: "GoStart",
        min_version: 5,
        nargs: 2,
        stack: false,
    };
    t[EV_GO_END as usize] = Desc {
        name: "GoEnd",
        min_version: 5,
        nargs: 0,
        stack: false,
    };
    t[EV_GO_STOP as usize] = Desc {
        name: "GoStop",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GO_SCHED as usize] = Desc {
        name: "GoSched",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GO_PREEMPT as usize] = Desc {
        name: "GoPreempt",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GO_SLEEP as usize] = Desc {
        name: "GoSleep",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GO_BLOCK as usize] = Desc {
        name: "GoBlock",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GO_UNBLOCK as usize] = Desc {
        name: "GoUnblock",
        min_version: 5,
        nargs: 2,
        stack: true,
    };
    t[EV_GO_BLOCK_SEND as usize] = Desc {
        name: "GoBlockSend",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GO_BLOCK_RECV as usize] = Desc {
        name: "GoBlockRecv",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GO_BLOCK_SELECT as usize] = Desc {
        name: "GoBlockSelect",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GO_BLOCK_SYNC as usize] = Desc {
        name: "GoBlockSync",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GO_BLOCK_COND as usize] = Desc {
        name: "GoBlockCond",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GO_BLOCK_NET as usize] = Desc {
        name: "GoBlockNet",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GO_SYS_CALL as usize] = Desc {
        name: "GoSysCall",
        min_version: 5,
        nargs: 0,
        stack: true,
    };
    t[EV_GO_SYS_EXIT as usize] = Desc {
        name: "GoSysExit",
        min_version: 5,
        nargs: 3,
        stack: false,
    };
    t[EV_GO_SYS_BLOCK as usize] = Desc {
        name: "GoSysBlock",
        min_version: 5,
        nargs: 0,
        stack: false,
    };
    t[EV_GO_WAITING as usize] = Desc {
        name: "GoWaiting",
        min_version: 5,
        nargs: 1,
        stack: false,
    };
    t[EV_GO_IN_SYSCALL as usize] = Desc {
        name: "GoInSyscall",
        min_version: 5,
        nargs: 1,
        stack: false,
    };
    t[EV_HEAP_ALLOC as usize] = Desc {
        name: "HeapAlloc",
        min_version: 5,
        nargs: 1,
        stack: false,
    };
    t[EV_HEAP_GOAL as usize] = Desc {
        name: "HeapGoal",
        min_version: 5,
        nargs: 1,
        stack: false,
    };
    t[EV_TIMER_GOROUTINE as usize] = Desc {
        name: "TimerGoroutine",
        min_version: 5,
        nargs: 1,
        stack: false,
    };
    t[EV_FUTILE_WAKEUP as usize] = Desc {
        name: "FutileWakeup",
        min_version: 5,
        nargs: 0,
        stack: false,
    };
    t[EV_STRING as usize] = Desc {
        name: "String",
        min_version: 7,
        nargs: 0,
        stack: false,
    };
    t[EV_GO_START_LOCAL as usize] = Desc {
        name: "GoStartLocal",
        min_version: 7,
        nargs: 1,
        stack: false,
    };
    t[EV_GO_UNBLOCK_LOCAL as usize] = Desc {
        name: "GoUnblockLocal",
        min_version: 7,
        nargs: 1,
        stack: true,
    };
    t[EV_GO_SYS_EXIT_LOCAL as usize] = Desc {
        name: "GoSysExitLocal",
        min_version: 7,
        nargs: 2,
        stack: false,
    };
    t[EV_GO_START_LABEL as usize] = Desc {
        name: "GoStartLabel",
        min_version: 8,
        nargs: 3,
        stack: false,
    };
    t[EV_GO_BLOCK_GC as usize] = Desc {
        name: "GoBlockGC",
        min_version: 8,
        nargs: 0,
        stack: true,
    };
    t[EV_GC_MARK_ASSIST_START as usize] = Desc {
        name: "GCMarkAssistStart",
        min_version: 9,
        nargs: 0,
        stack: true,
    };
    t[EV_GC_MARK_ASSIST_DONE as usize] = Desc {
        name: "GCMarkAssistDone",
        min_version: 9,
        nargs: 0,
        stack: false,
    };
    t[EV_USER_TASK_CREATE as usize] = Desc {
        name: "UserTaskCreate",
        min_version: 11,
        nargs: 3,
        stack: true,
    };
    t[EV_USER_TASK_END as usize] = Desc {
        name: "UserTaskEnd",
        min_version: 11,
        nargs: 1,
        stack: true,
    };
    t[EV_USER_REGION as usize] = Desc {
        name: "UserRegion",
        min_version: 11,
        nargs: 3,
        stack: true,
    };
    t[EV_USER_LOG as usize] = Desc {
        name: "UserLog",
        min_version: 11,
        nargs: 2,
        stack: true,
    };
    t[EV_CPU_SAMPLE as usize] = Desc {
        name: "CPUSample",
        min_version: 19,
        nargs: 3,
        stack: true,
    };
    t
};

pub(crate) fn desc(typ: u8) -> &'static Desc {
    &DESCS[usize::from(typ).min(DESCS.len() - 1)]
}

/// Number of values an event of this type must carry on the wire.
pub(crate) fn wire_args(typ: u8) -> usize {
    let d = desc(typ);
    let n = d.nargs + usize::from(d.stack);
    match typ {
        EV_BATCH | EV_FREQUENCY | EV_TIMER_GOROUTINE => n,
        _ => n + 1,
    }
}

/// Whether the event blocks its goroutine (the v1 parser's ordering rules).
pub(crate) fn is_block(typ: u8) -> bool {
    matches!(
        typ,
        EV_GO_BLOCK
            | EV_GO_BLOCK_SEND
            | EV_GO_BLOCK_RECV
            | EV_GO_BLOCK_SELECT
            | EV_GO_BLOCK_SYNC
            | EV_GO_BLOCK_COND
            | EV_GO_BLOCK_NET
            | EV_GO_SLEEP
            | EV_GO_SYS_BLOCK
            | EV_GO_BLOCK_GC
    )
}
