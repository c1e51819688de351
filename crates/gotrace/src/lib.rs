//! Reader for Go execution traces.
