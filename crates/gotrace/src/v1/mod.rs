//! The Go 1.11–1.21 wire format ("v1"): one stream of per-P batches,
//! indexed once, merged into one timeline as Go's parser merges it (each
//! batch decoded from the bytes when the merge reaches it), validated, and
//! converted into the same event model as the newer format, one event at a
//! time.

pub(crate) mod convert;
mod decode;
mod index;
mod merge;
pub(crate) mod parse;
mod parse_check;
mod pmap;
pub(crate) mod source;
pub(crate) mod spec;
