//! Shared plumbing for the toolbox binaries: Go-style flag spelling on top of
//! clap, and the common way of reporting fatal errors.

pub mod goflags;
