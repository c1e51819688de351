//! The Go 1.22+ wire format: batches and generations, and the ordering of
//! per-thread event streams into one timeline as Go's parser does it.

pub(crate) mod cursor;
pub(crate) mod generation;
pub(crate) mod order;
pub(crate) mod reader;

/// Go's `frequency.mul`: trace clock units to ns, through float64.
#[inline]
pub(crate) fn mul(ns_per_unit: f64, t: u64) -> i64 {
    (t as f64 * ns_per_unit) as i64
}
