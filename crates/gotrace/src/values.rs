//! The plain values the wire formats, the string and stack tables and the
//! event model share: times, "no such ID", goroutine and proc states, and a
//! generation's clock snapshot. Depends on nothing else in the crate.

/// Nanoseconds on the trace's clock.
pub type Time = i64;
/// "No thread", "no proc", "no goroutine".
pub const NONE: i64 = -1;
/// The parent of a root task.
pub const NO_TASK: u64 = u64::MAX;

/// Goroutine states (Go's `trace.GoState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GoState {
    Undetermined,
    NotExist,
    Runnable,
    Running,
    Waiting,
    Syscall,
    /// A value outside Go's range.
    Bad,
}

impl GoState {
    /// The state's name as Go prints it.
    pub fn name(self) -> &'static str {
        match self {
            GoState::Undetermined => "Undetermined",
            GoState::NotExist => "NotExist",
            GoState::Runnable => "Runnable",
            GoState::Running => "Running",
            GoState::Waiting => "Waiting",
            GoState::Syscall => "Syscall",
            GoState::Bad => "Bad",
        }
    }

    /// Running or in a syscall.
    pub fn executing(self) -> bool {
        matches!(self, GoState::Running | GoState::Syscall)
    }
}

/// Proc states (Go's `trace.ProcState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProcState {
    Undetermined,
    NotExist,
    Running,
    Idle,
    /// A value outside Go's range.
    Bad,
}

impl ProcState {
    /// The state's name as Go prints it.
    pub fn name(self) -> &'static str {
        match self {
            ProcState::Undetermined => "Undetermined",
            ProcState::NotExist => "NotExist",
            ProcState::Running => "Running",
            ProcState::Idle => "Idle",
            ProcState::Bad => "Bad",
        }
    }
}

/// The clock reading a generation starts with (Go 1.25+ traces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockSnapshot {
    /// The trace clock, in ns.
    pub trace: Time,
    /// The OS monotonic clock, in ns.
    pub mono: u64,
    /// Wall-clock seconds since the Unix epoch.
    pub wall_sec: i64,
    /// Nanoseconds within `wall_sec`.
    pub wall_nsec: i64,
}
