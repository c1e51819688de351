//! Edge widths computed and printed bit for bit as upstream's (a Go
//! program on amd64) computes and prints them, with Go's `math.Log` and
//! Go's `%f` from [`gocompat`].

/// Upstream's edge width for a count: `4 × ln(count) / ln(max) + 1`.
#[derive(Clone, Copy, Debug)]
pub struct PenWidth {
    ln_max: f64,
}

impl PenWidth {
    /// Widths relative to the largest count `max`.
    pub fn new(max: u64) -> PenWidth {
        PenWidth {
            ln_max: gocompat::math::log(max as f64),
        }
    }

    /// The width of an edge taken `count` times.
    pub fn of(&self, count: u64) -> f64 {
        4.0 * (gocompat::math::log(count as f64) / self.ln_max) + 1.0
    }
}

/// Appends `x` as Go's `fmt` `%f` prints it.
pub fn write_f(x: f64, out: &mut Vec<u8>) {
    let mut s = String::new();
    gocompat::fmt::fixed(&mut s, x, 6);
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> String {
        let mut out = Vec::new();
        write_f(x, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn widths_print_as_upstream_printed_them() {
        // From upstream's output on a Go 1.27 trace: max weight 5282.
        let pen = PenWidth::new(5282);
        assert_eq!(f(pen.of(1290)), "4.342206");
        assert_eq!(f(pen.of(5282)), "5.000000");
        assert_eq!(f(pen.of(1)), "1.000000");
        // One edge taken once: 0/0.
        assert_eq!(f(PenWidth::new(1).of(1)), "NaN");
        assert_eq!(f(PenWidth::new(1).of(3)), "+Inf");
        // No edges at all: ln(0) is -Inf, so every width is 1 (or -0 + 1).
        assert_eq!(f(PenWidth::new(0).of(7)), "1.000000");
        assert_eq!(f(-0.0), "-0.000000");
    }
}
