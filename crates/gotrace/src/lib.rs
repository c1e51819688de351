//! Reader for Go execution traces.
//!
//! [`Reader`] reads a trace from any [`std::io::Read`] and yields its
//! events one at a time, in exactly the order and with exactly the content
//! Go's own parser (`internal/trace`, `golang.org/x/exp/trace`) gives them:
//! the same kinds, times, M/P/G contexts, state transitions and stacks.
//!
//! Events borrow the reader's string and stack tables, so reading does not
//! allocate per event; only one generation of the trace (about a second of
//! execution) is held in memory at a time.
//!
//! [`format`](mod@format) renders events as `go tool trace -d=parsed` prints them;
//! [`vocab`] names block reasons and maps Go ≤1.21 event names onto the model.

mod bytes;
mod error;
mod event;
pub mod format;
mod input;
pub mod legacy;
mod raw;
mod reader;
mod table;
mod v1;
mod v2;
mod values;
mod version;
pub mod vocab;
mod wire;

pub use error::{Error, Result};
pub use event::{
    ClockSnapshot, Event, EventKind, Experimental, ExperimentalArg, Frame, GoState, Log, Metric,
    NO_TASK, NONE, OwnedFrame, ProcState, Range, RangeName, Region, Resource, Stack,
    StateTransition, Sync, Task, Time, Transition,
};
pub use input::{ReadAt, TraceSource};
pub use reader::Reader;
pub use table::ExperimentalBatch;
pub use version::Version;
