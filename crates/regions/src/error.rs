//! The errors of the region analysis: reading a trace (with the reader's
//! byte offset), pattern files and conditions, span timelines, and etviz's
//! summary input (with its byte offset).

use gotrace::vocab::Reason;
use std::io;
use thiserror::Error;

/// Anything the region analysis can fail on.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The trace could not be read (opening it, or reading its bytes).
    #[error("{0}")]
    Read(#[from] io::Error),
    /// The trace is broken; see [`Error::offset`].
    #[error("{0}")]
    Trace(#[from] gotrace::Error),
    /// A pattern file or a pattern in it is wrong.
    #[error("{0}")]
    Pattern(#[from] PatternError),
    /// A span cannot be turned into a timeline.
    #[error("{0}")]
    Timeline(#[from] TimelineError),
    /// etviz's input is not a stream of summaries.
    #[error("at byte offset {offset}: {problem}")]
    Summaries {
        /// Where in the input.
        offset: u64,
        /// What is wrong there.
        problem: SummaryProblem,
    },
    /// The input goes past a limit (see the README).
    #[error(transparent)]
    Limit(#[from] limits::Exceeded),
}

impl Error {
    /// The byte offset in the input where the problem was found, when
    /// known (broken traces, bad summary input).
    pub fn offset(&self) -> Option<u64> {
        match self {
            Error::Trace(e) => e.offset(),
            Error::Summaries { offset, .. } => Some(*offset),
            _ => None,
        }
    }

    /// The I/O error underneath, if the input could not be read.
    pub fn io(&self) -> Option<&io::Error> {
        match self {
            Error::Read(e) => Some(e),
            _ => None,
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What is wrong with a pattern file.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PatternError {
    /// Not TOML, or not the pattern-file format.
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    /// One file defines a kind twice.
    #[error("kind {0:?} is defined twice")]
    DefinedTwice(String),
    /// One region entry is wrong.
    #[error("region {kind:?}: {problem}")]
    Region {
        /// The entry's kind.
        kind: String,
        /// What is wrong with it.
        problem: RegionProblem,
    },
}

/// What is wrong with one region entry.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RegionProblem {
    /// A condition does not parse.
    #[error("{0}")]
    Cond(#[from] CondError),
    /// A stack pattern does not compile.
    #[error("{0}")]
    Stack(Box<dyn std::error::Error + Send + Sync>),
    /// A negative-space entry has tracker keys too.
    #[error("a negative-space region (between) takes no tracker keys")]
    BetweenWithTrackerKeys,
    /// `between` names a kind that is not defined.
    #[error("no region kind {0:?}")]
    NoSuchKind(String),
    /// `between` names a negative-space kind.
    #[error("{0:?} is itself a negative-space region")]
    BetweenOfBetween(String),
}

/// What is wrong with a condition.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CondError {
    /// A character that no condition has.
    #[error("unexpected {found:?} at offset {offset} of condition {src:?}")]
    BadChar {
        /// The character.
        found: char,
        /// Its byte offset in the condition.
        offset: usize,
        /// The condition.
        src: String,
    },
    /// `&` or `|` alone.
    #[error("expected {0}{0} at offset {1} of condition {2:?}")]
    Single(char, usize, String),
    /// A word that is no operand.
    #[error(
        "unknown word {0:?} in condition (expected match, stack, true, false, not, and, or, an event name such as GoStart or StateTransition, or a quoted reason)"
    )]
    UnknownWord(String),
    /// A quoted reason that `gotrace::vocab` does not know.
    #[error(
        "unknown reason {0:?} in condition (expected a reason such as {a:?} or {b:?})",
        a = Reason::ChanReceive.name(),
        b = Reason::Preempted.name()
    )]
    UnknownReason(String),
    /// A quoted reason that is not closed.
    #[error("unterminated reason at offset {0} of condition {1:?}")]
    Unterminated(usize, String),
    /// The condition stops where an operand is due.
    #[error("condition ends too early")]
    EndsEarly,
    /// Parentheses and `not`s nest deeper than the limit.
    #[error("condition nests parentheses and nots more than {0} deep")]
    TooDeep(usize),
    /// A `(` without its `)`.
    #[error("missing )")]
    MissingParen,
    /// A token after a complete condition.
    #[error("unexpected {0:?} in condition {1:?}")]
    Trailing(String, String),
}

/// Why a span has no timeline (upstream's `cluster.Running` errors).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TimelineError {
    /// An assist or wait with an empty reason.
    #[error("cluster.Running: blank {0} reason")]
    BlankReason(&'static str),
    /// Two assist (or two wait) reasons start at the same time.
    #[error("cluster.Running: duplicate {what} reasons {first:?} and {second:?} at {at}")]
    Duplicate {
        /// "assist" or "wait".
        what: &'static str,
        /// The reason seen first.
        first: String,
        /// The other.
        second: String,
        /// The time, relative to the span's start.
        at: i64,
    },
}

/// What is wrong with etviz's input at some offset.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SummaryProblem {
    /// Not JSON: what was expected there.
    #[error("{0}")]
    Json(String),
    /// JSON, but not a summary.
    #[error("{0}")]
    Shape(String),
}
