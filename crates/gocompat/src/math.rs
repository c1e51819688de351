//! Go's `math` functions whose results differ from the C library's in
//! the last bits, reproduced bit for bit, and Go's float-to-integer
//! conversion as amd64 does it.

/// Go's `math.Log` (the algorithm of FreeBSD's `e_log.c` that Go uses on
/// amd64), for the counts the widths are made of.
pub fn log(x: f64) -> f64 {
    // The constants by their bits, as Go's source gives them.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const L1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
    const L2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
    const L3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
    const L4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
    const L5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
    const L6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
    const L7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    let (mut f1, mut ki) = frexp(x);
    if f1 < std::f64::consts::SQRT_2 / 2.0 {
        f1 *= 2.0;
        ki -= 1;
    }
    let f = f1 - 1.0;
    let k = f64::from(ki);
    let s = f / (2.0 + f);
    let s2 = s * s;
    let s4 = s2 * s2;
    let t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)));
    let t2 = s4 * (L2 + s4 * (L4 + s4 * L6));
    let r = t1 + t2;
    let hfsq = 0.5 * f * f;
    k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)
}

/// Go's `int(x)` for a float64 on amd64: truncation toward zero, and the
/// instruction's "integer indefinite" value, `i64::MIN`, for NaN and for
/// values outside the range of `i64` (Rust's `as` saturates instead).
pub fn int(x: f64) -> i64 {
    // 2^63 is exact as a float; every float below it truncates in range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if x.is_nan() || !(-LIMIT..LIMIT).contains(&x) {
        i64::MIN
    } else {
        x as i64
    }
}

/// `x` as `frac × 2^exp` with `frac` in [0.5, 1), for finite `x > 0`.
fn frexp(x: f64) -> (f64, i32) {
    let (mut x, mut exp) = (x, 0);
    if x < f64::MIN_POSITIVE {
        // Subnormal: scale into the normal range first.
        x *= (1u64 << 52) as f64;
        exp = -52;
    }
    let bits = x.to_bits();
    exp += ((bits >> 52) & 0x7ff) as i32 - 1022;
    let frac = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (frac, exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_matches_known_values() {
        // Go's math.Log gives these exact bits.
        assert_eq!(log(1.0), 0.0);
        assert_eq!(log(2.0), std::f64::consts::LN_2);
        assert_eq!(log(10.0).to_bits(), 0x40026bb1bbb55516);
        assert_eq!(log(0.0), f64::NEG_INFINITY);
        assert!(log(-1.0).is_nan());
        assert_eq!(frexp(8.0), (0.5, 4));
        assert_eq!(frexp(f64::MIN_POSITIVE / 4.0), (0.5, -1023));
    }

    #[test]
    fn int_is_amd64s_conversion() {
        assert_eq!(int(2.9), 2);
        assert_eq!(int(-2.9), -2);
        assert_eq!(int(-9_223_372_036_854_775_808.0), i64::MIN);
        assert_eq!(int(9_223_372_036_854_774_784.0), 9_223_372_036_854_774_784);
        for odd in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            9.3e18,
            -9.3e18,
            1e300,
        ] {
            assert_eq!(int(odd), i64::MIN, "{odd}");
        }
    }
}
