//! A streaming writer of Perfetto traces (the protobuf format that
//! ui.perfetto.dev and trace_processor read): track descriptors, slices,
//! instants, counters and flows, with names and call stacks interned.
//!
//! [`Writer`] writes each `TracePacket` as it is given, so memory holds no
//! more than the interning tables (dropped and started afresh when they
//! grow large). [`proto`] declares the part of Perfetto's schema written.
//! The crate knows nothing of Go traces: converters build on it.
//!
//! ```
//! use perfetto::{Arg, Details, Writer};
//!
//! let mut w = Writer::new(Vec::new(), 1);
//! w.process_track(1, 1, "app.trace")?;
//! w.slice_track(2, 1, "G1 main.main", 0)?;
//! w.begin(100, 2, "running", &Details { args: &[Arg::uint("g", 1)], ..Details::default() })?;
//! w.end(250, 2)?;
//! let bytes = w.finish()?;
//! assert!(!bytes.is_empty());
//! # Ok::<(), std::io::Error>(())
//! ```

mod intern;
pub mod proto;
mod writer;

pub use intern::StackFrame;
pub use proto::CounterUnit;
pub use writer::{Arg, ArgValue, Details, Writer};
