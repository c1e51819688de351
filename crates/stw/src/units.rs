//! Durations turned into the numbers upstream's summary line prints (with
//! [`gocompat::fmt`]), computed as upstream computes them.

/// A duration in nanoseconds as Go's `Duration.Seconds()` gives it.
pub fn seconds(ns: i64) -> f64 {
    let (sec, nsec) = (ns / 1_000_000_000, ns % 1_000_000_000);
    sec as f64 + nsec as f64 / 1e9
}

/// A duration in nanoseconds in milliseconds with microsecond resolution,
/// as upstream computes it: `float64(d.Microseconds())/1000`.
pub fn millis(ns: i64) -> f64 {
    (ns / 1000) as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use gocompat::fmt::fixed;

    #[test]
    fn f3_and_units_as_go() {
        let mut s = String::new();
        fixed(&mut s, seconds(62_500_000), 3);
        assert_eq!(s, "0.062", "a tie rounds to even");
        s.clear();
        fixed(&mut s, seconds(1_001_499_999), 3);
        assert_eq!(s, "1.001");
        assert_eq!(millis(4_350_999), 4.35);
        assert_eq!(millis(-1_999), -0.001, "truncated toward zero");
    }
}
