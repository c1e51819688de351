//! The Go 1.11–1.21 wire format ("v1"): one stream of per-P batches, parsed
//! whole, merged into one timeline as Go's parser merges it, validated, and
//! converted into the same event model as the newer format.

pub(crate) mod convert;
pub(crate) mod parse;
mod parse_check;
pub(crate) mod spec;
