//! The one input layer of the trace tools (etgrep, regiongraph, scope_tls
//! and those to come).
//!
//! [`expand`] turns command-line arguments into [`Input`]s. An argument
//! may be:
//! - a trace file;
//! - `-`, standard input;
//! - an Autoprof bundle, as a zip file (`*.zip`) or an extracted folder (a
//!   folder holding a `meta` file), whose `pprof/trace` is read in place:
//!   nothing is extracted to disk;
//! - any other folder, searched as `apshuffle -C` searches (depth first,
//!   names in byte order, symlinks not followed) for bundles and for files
//!   that start with a Go execution trace header.
//!
//! Each input is named in outputs by its path as given or as found (a
//! bundle by the bundle's path, not its member's), and `-` for standard
//! input. [`Input::open`] gives a fresh reader from the trace's start at
//! each call, for analyses that read in passes; [`Input::source`] gives
//! the same for `gotrace::Reader::from_source`, with positional reads for
//! a regular file (a Go ≤1.21 trace is then not held in memory). [`in_order`] processes
//! many inputs in parallel and hands their results on in argument order;
//! [`stream_in_order`] does the same for text, copied to the output in
//! argument order through bounded queues.

mod error;
mod expand;
mod input;
mod order;
mod read;
mod stream;

pub use error::Error;
pub use expand::expand;
pub use input::{Input, TraceReader};
pub use order::in_order;
pub use stream::stream_in_order;
