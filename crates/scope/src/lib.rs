//! The sampling oscilloscope: find many instances of a short, repeated
//! operation in Go execution traces ([`region`]), place each CPU sample
//! taken inside one at its fraction of the way through it, and print the
//! result as text lines ([`text`]) or a pprof profile ([`profile`]).
//! [`tls`] holds scope_tls's TLS client handshake patterns; [`kind`] takes
//! the instances from regiongraph's region patterns instead; [`chart`]
//! draws the text lines (scope_chart). Failures are [`Error`]s.

pub mod chart;
mod error;
pub mod kind;
pub mod profile;
pub mod region;
pub mod text;
pub mod tls;

pub use error::Error;
