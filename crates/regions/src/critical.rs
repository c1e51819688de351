//! Critical paths of cause trees: what the root region's goroutine waited
//! for, nanosecond by nanosecond, and who or what ended each wait.
//!
//! The walk starts at the end of a tree's root span and goes back in time
//! on the root's goroutine. While the goroutine ran, the time is
//! [`State::Running`]; while it waited for a P, [`State::Runnable`]; while
//! in a blocking system call, [`State::Syscall`]. While it waited, the
//! wait's reason decides: a wait on synchronization (channels, select,
//! mutexes, condition variables, wait groups, ...) that another goroutine
//! ended at time `t` is explained by that goroutine's own history from the
//! wait's start to `t` (recursively: its running, its waits, the goroutine
//! that woke *it*, ...); time before a goroutine was created is explained
//! by its creator. A wait the runtime ends on its own (the network poller,
//! sleep and timers, GC), one that nothing ended, or one ended by no
//! goroutine is a [`State::Waiting`] segment with its reason (the reason
//! strings of Go's parsed model, [`gotrace::vocab::Reason`], for every
//! trace format). Every nanosecond of the root span is attributed exactly
//! once: the segments are in time order, do not overlap and sum to the
//! root's length.
//!
//! ```no_run
//! use regions::{Analysis, patterns::PatternDefs, source::Source};
//!
//! let patterns = PatternDefs::builtin().compile()?;
//! let source = Source::open("http.trace")?;
//! let a = Analysis::run_critical(&source, patterns)?;
//! let (trees, paths) = a.into_trees_and_paths();
//! let mut paths = paths.expect("recorded by run_critical");
//! for span in trees {
//!     let path = paths.of(&span);
//!     for s in &path.segments {
//!         println!("g{} {} {:?} {} ns {}", s.g, s.state.name(), s.reason, s.length_ns,
//!                  s.func().unwrap_or("?"));
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod history;
pub mod json;
pub mod profile;
pub mod text;
mod walk;

pub use history::History;

use crate::source::Stacks;
use crate::spans::Span;
use gotrace::vocab::Reason;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// What a goroutine on the critical path was doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// On a CPU.
    Running,
    /// Waiting for a P (woken, preempted, back from a system call).
    Runnable,
    /// In a system call that blocked.
    Syscall,
    /// Waiting for a reason no goroutine on the path explains.
    Waiting,
}

impl State {
    /// `running`, `runnable`, `syscall` or `waiting`.
    pub fn name(self) -> &'static str {
        match self {
            State::Running => "running",
            State::Runnable => "runnable",
            State::Syscall => "syscall",
            State::Waiting => "waiting",
        }
    }
}

/// A stack: function names, innermost (leaf) first.
pub type Stack = Arc<[Box<str>]>;

/// One stretch of the critical path: one goroutine in one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The goroutine.
    pub g: i64,
    /// What it was doing.
    pub state: State,
    /// For [`State::Waiting`], why, when known (`None`: a reason this
    /// reader does not know, or a wait the trace began inside).
    pub reason: Option<Reason>,
    /// Start, on the spans' clock (nanoseconds since the trace's first
    /// event).
    pub start_ns: i64,
    /// Duration, at least 1.
    pub length_ns: i64,
    /// Where the goroutine was, leaf first (empty when unknown): for waits
    /// and system calls, where it blocked; for runnable time, where it
    /// stopped or blocked before; for running time, the event that ended
    /// the segment (it woke the next goroutine on the path, blocked,
    /// stopped, or the root region ended).
    pub stack: Stack,
}

impl Segment {
    /// The innermost function of [`Segment::stack`] outside the runtime
    /// (packages `runtime` and `internal/runtime/...`, and the runtime's
    /// `runtime_*` entry points in other packages), if any.
    pub fn func(&self) -> Option<&str> {
        self.stack.iter().map(|f| &**f).find(|f| !is_runtime(f))
    }

    /// The state as the text printer shows it: `running`, `runnable`,
    /// `syscall`, or `waiting(<reason>)`.
    pub fn label(&self) -> String {
        match self.state {
            State::Waiting => format!("waiting({})", reason_name(self.reason)),
            st => st.name().to_string(),
        }
    }

    /// The segment's key in [`CriticalPath::by_state`]: the state, and
    /// for waits `waiting:<reason>`.
    pub fn key(&self) -> String {
        match self.state {
            State::Waiting => format!("waiting:{}", reason_name(self.reason)),
            s => s.name().to_string(),
        }
    }
}

/// A reason's string, "" when unknown.
pub fn reason_name(r: Option<Reason>) -> &'static str {
    r.map_or("", Reason::name)
}

fn is_runtime(func: &str) -> bool {
    func.starts_with("runtime.")
        || func.starts_with("internal/runtime/")
        || func.contains(".runtime_")
}

/// The root of a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    /// The root span's goroutine.
    pub g: i64,
    /// Its kind.
    pub kind: String,
    /// Its start ([`Span::start_ns`]).
    pub start_ns: i64,
    /// Its length.
    pub length_ns: i64,
}

/// The critical path of one tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriticalPath {
    /// The tree's root.
    pub root: Root,
    /// The path, in time order, covering the root span exactly.
    pub segments: Vec<Segment>,
}

impl CriticalPath {
    /// Time per [`Segment::key`], sorted by key.
    pub fn by_state(&self) -> Vec<(String, i64)> {
        let mut sums: Vec<(String, i64)> = Vec::new();
        for s in &self.segments {
            let k = s.key();
            match sums.iter_mut().find(|(x, _)| *x == k) {
                Some((_, v)) => *v += s.length_ns,
                None => sums.push((k, s.length_ns)),
            }
        }
        sums.sort();
        sums
    }
}

/// Finds the critical paths of a trace's trees, from the history recorded
/// during the analysis (see [`crate::Analysis::run_critical`]).
#[derive(Debug)]
pub struct Paths {
    history: History,
    stacks: Stacks,
    /// Stacks already turned leaf first, by index.
    leaf_first: FxHashMap<u32, Stack>,
}

impl Paths {
    /// Paths over a finished history and the stacks its entries index.
    pub fn new(mut history: History, stacks: Stacks) -> Paths {
        history.finish();
        Paths {
            history,
            stacks,
            leaf_first: FxHashMap::default(),
        }
    }

    /// The critical path of the tree rooted at `root`.
    pub fn of(&mut self, root: &Span) -> CriticalPath {
        let raw = walk::walk(
            &self.history,
            root.g,
            root.start_ns,
            root.start_ns + root.length_ns,
        );
        let segments = raw
            .into_iter()
            .map(|r| Segment {
                g: r.g,
                state: r.state,
                reason: r.reason,
                start_ns: r.start,
                length_ns: r.end - r.start,
                stack: self.stack(r.stack),
            })
            .collect();
        CriticalPath {
            root: Root {
                g: root.g,
                kind: root.kind.clone(),
                start_ns: root.start_ns,
                length_ns: root.length_ns,
            },
            segments,
        }
    }

    fn stack(&mut self, i: u32) -> Stack {
        let stacks = &self.stacks;
        self.leaf_first
            .entry(i)
            .or_insert_with(|| stacks.get(i).0.iter().rev().cloned().collect())
            .clone()
    }
}
