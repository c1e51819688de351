//! The Go 1.22+ wire format: batches and generations, and the ordering of
//! per-thread event streams into one timeline as Go's parser does it.

pub(crate) mod cursor;
pub(crate) mod generation;
pub(crate) mod order;
pub(crate) mod reader;

/// Go's `frequency.mul`: trace clock units to ns, through float64.
#[inline]
pub(crate) fn mul(ns_per_unit: f64, t: u64) -> i64 {
    // Below 2^63, the signed conversion (one instruction on x86-64, where
    // the unsigned one takes several) gives the same float; above, halving
    // with the lost bit kept sticky rounds as the unsigned one does.
    let f = if t >> 63 == 0 {
        t as i64 as f64
    } else {
        ((t >> 1) | (t & 1)) as i64 as f64 * 2.0
    };
    (f * ns_per_unit) as i64
}

#[cfg(test)]
mod tests {
    #[test]
    fn mul_converts_as_go_does() {
        let ns = 1.0 / (15_625_000.0 / 1e9);
        let big = 1u64 << 63;
        let edges = [0, 1, 3, 1 << 53, (1 << 53) + 1, big - 1, big, big + 1];
        let rounding = [
            big + 1024,
            big + 1025,
            big + 3072,
            u64::MAX - 1024,
            u64::MAX,
        ];
        for t in edges.into_iter().chain(rounding) {
            assert_eq!(super::mul(ns, t), (t as f64 * ns) as i64, "{t}");
            assert_eq!(super::mul(1.0, t), (t as f64) as i64, "{t}");
        }
    }
}
