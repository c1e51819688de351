//! unstoppable's analysis: explains the stop-the-world (STW) pauses of Go
//! execution traces, as upstream's `unstoppable` does.
//!
//! [`scan()`] reads a trace (any format the reader takes) and gives its
//! [`Pause`]s: each STW range with the moments that split it into three
//! [`Phase`]s — *pre-stop* (from the request until only one P is left
//! executing), *stopped* (until a P executes again) and *post-stop* (until
//! the range ends) — found by [`detect::Detector`], and the CPU samples
//! taken during it. [`Pause::placed`] assigns the samples to phases.
//! Printers: [`text`] (upstream's lines), [`json`] (one line per pause) and
//! [`profile`] (the samples as a pprof profile).

pub mod detect;
pub mod json;
pub mod phase;
mod procs;
pub mod profile;
pub mod scan;
pub mod text;
pub mod units;

pub use detect::{Frame, Overlap, Pause, Sample};
pub use phase::{Phase, Placed};
pub use scan::{Error, Scan, scan};
