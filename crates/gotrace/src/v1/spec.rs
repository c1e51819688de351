//! The table of Go 1.11–1.21 event types: names, the first format version
//! that has them, their arguments and whether they carry a stack.

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

const fn d(name: &'static str, min_version: u32, nargs: usize, stack: bool) -> Desc {
    Desc {
        name,
        min_version,
        nargs,
        stack,
    }
}

static DESCS: [Desc; EV_COUNT as usize] = [
    d("None", 5, 0, false),
    d("Batch", 5, 2, false),
    d("Frequency", 5, 1, false),
    d("Stack", 5, 2, false),
    d("Gomaxprocs", 5, 1, true),
    d("ProcStart", 5, 1, false),
    d("ProcStop", 5, 0, false),
    d("GCStart", 5, 1, true),
    d("GCDone", 5, 0, false),
    d("GCSTWStart", 5, 1, false),
    d("GCSTWDone", 5, 0, false),
    d("GCSweepStart", 5, 0, true),
    d("GCSweepDone", 5, 2, false),
    d("GoCreate", 5, 2, true),
    d("GoStart", 5, 2, false),
    d("GoEnd", 5, 0, false),
    d("GoStop", 5, 0, true),
    d("GoSched", 5, 0, true),
    d("GoPreempt", 5, 0, true),
    d("GoSleep", 5, 0, true),
    d("GoBlock", 5, 0, true),
    d("GoUnblock", 5, 2, true),
    d("GoBlockSend", 5, 0, true),
    d("GoBlockRecv", 5, 0, true),
    d("GoBlockSelect", 5, 0, true),
    d("GoBlockSync", 5, 0, true),
    d("GoBlockCond", 5, 0, true),
    d("GoBlockNet", 5, 0, true),
    d("GoSysCall", 5, 0, true),
    d("GoSysExit", 5, 3, false),
    d("GoSysBlock", 5, 0, false),
    d("GoWaiting", 5, 1, false),
    d("GoInSyscall", 5, 1, false),
    d("HeapAlloc", 5, 1, false),
    d("HeapGoal", 5, 1, false),
    d("TimerGoroutine", 5, 1, false),
    d("FutileWakeup", 5, 0, false),
    d("String", 7, 0, false),
    d("GoStartLocal", 7, 1, false),
    d("GoUnblockLocal", 7, 1, true),
    d("GoSysExitLocal", 7, 2, false),
    d("GoStartLabel", 8, 3, false),
    d("GoBlockGC", 8, 0, true),
    d("GCMarkAssistStart", 9, 0, true),
    d("GCMarkAssistDone", 9, 0, false),
    d("UserTaskCreate", 11, 3, true),
    d("UserTaskEnd", 11, 1, true),
    d("UserRegion", 11, 3, true),
    d("UserLog", 11, 2, true),
    d("CPUSample", 19, 3, true),
];

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
