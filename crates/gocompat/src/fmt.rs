//! Go's `fmt` number verbs where Rust's formatting spells the result
//! otherwise: `%.3g` (three significant digits, trailing zeros dropped,
//! exponent form for small and large numbers) and `%.Nf` (with `NaN`,
//! `+Inf`, `-Inf`), with Go's rounding (to nearest, ties to even on the
//! exact binary value, as Rust's formatting also rounds).

use std::fmt::Write;

/// Appends `v` formatted as Go's `fmt` formats it with `%.3g`.
pub fn g3(out: &mut String, v: f64) {
    const PREC: i32 = 3;
    if v == 0.0 || !v.is_finite() {
        // Finite values here are always differences of times; Go prints
        // zero as "0" and non-finite values as below.
        let _ = match v {
            x if x.is_nan() => write!(out, "NaN"),
            x if x == f64::INFINITY => write!(out, "+Inf"),
            x if x == f64::NEG_INFINITY => write!(out, "-Inf"),
            x if x.is_sign_negative() => write!(out, "-0"),
            _ => write!(out, "0"),
        };
        return;
    }
    // Rust's exponent form rounds to PREC significant digits as Go does.
    let e = format!("{:.*e}", (PREC - 1) as usize, v.abs());
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    let nd = digits.len() as i32;
    // The decimal point sits after `dp` digits.
    let dp = exp + 1;
    if v < 0.0 {
        out.push('-');
    }
    let mut eprec = PREC;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if exp < -4 || exp >= eprec {
        let shown = PREC.min(nd) as usize;
        out.push(char::from(digits[0]));
        if shown > 1 {
            out.push('.');
            digits[1..shown]
                .iter()
                .for_each(|&d| out.push(char::from(d)));
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
        return;
    }
    let prec = if PREC > dp { nd } else { PREC };
    let decimals = (prec - dp).max(0);
    let digit = |i: i32| {
        if (0..nd).contains(&i) {
            char::from(digits[i as usize])
        } else {
            '0'
        }
    };
    if dp > 0 {
        (0..dp).for_each(|i| out.push(digit(i)));
    } else {
        out.push('0');
    }
    if decimals > 0 {
        out.push('.');
        (0..decimals).for_each(|i| out.push(digit(dp + i)));
    }
}

/// Appends `v` formatted as Go's `fmt` formats it with `%.Nf`, `N` being
/// `decimals`.
pub fn fixed(out: &mut String, v: f64, decimals: usize) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        let _ = write!(out, "{v:.decimals$}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(v: f64) -> String {
        let mut s = String::new();
        g3(&mut s, v);
        s
    }

    #[test]
    fn g3_as_go_prints() {
        // Each pair was printed by Go 1.27's fmt.Printf("%.3g").
        let cases = [
            (0.0, "0"),
            (0.015, "0.015"),
            (0.283, "0.283"),
            (4.35, "4.35"),
            (5.02, "5.02"),
            (1.0, "1"),
            (0.1, "0.1"),
            (1.125, "1.12"),
            (1.375, "1.38"),
            (0.0625, "0.0625"),
            (2.5, "2.5"),
            (100.0, "100"),
            (120.0, "120"),
            (999.4, "999"),
            (999.5, "1e+03"),
            (1250.0, "1.25e+03"),
            (1000.0, "1e+03"),
            (0.00005, "5e-05"),
            (0.0001, "0.0001"),
            (0.000123, "0.000123"),
            (1e21, "1e+21"),
            (123456.0, "1.23e+05"),
            (-378598283.264, "-3.79e+08"),
            (-0.005, "-0.005"),
            (12.345, "12.3"),
        ];
        for (v, want) in cases {
            assert_eq!(g(v), want, "{v}");
        }
    }

    #[test]
    fn fixed_as_go() {
        let f = |v: f64, d| {
            let mut s = String::new();
            fixed(&mut s, v, d);
            s
        };
        assert_eq!(f(0.0625, 3), "0.062", "a tie rounds to even");
        assert_eq!(f(1.0014999, 3), "1.001");
        assert_eq!(f(5.0, 6), "5.000000");
        assert_eq!(f(-0.0, 6), "-0.000000");
        assert_eq!(f(f64::NAN, 6), "NaN");
        assert_eq!(f(f64::INFINITY, 3), "+Inf");
        assert_eq!(f(f64::NEG_INFINITY, 3), "-Inf");
    }
}
