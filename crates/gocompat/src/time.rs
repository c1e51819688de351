//! Go's RFC 3339 parsing as `time.Time.UnmarshalJSON` does it today (Go's
//! stricter checks are disabled, see go.dev/issue/54580, so it accepts what
//! `time.Parse(time.RFC3339, s)` accepts), producing an instant in
//! nanoseconds since the Unix epoch.

/// Nanoseconds since 1970-01-01T00:00:00Z of Go's zero `time.Time`
/// (0001-01-01T00:00:00Z), which a missing or null timestamp leaves.
pub const ZERO_TIME_NANOS: i128 = -62_135_596_800 * 1_000_000_000;

/// Parses `s` like Go's `time.Parse(time.RFC3339, s)`: `YYYY-MM-DDTHH:MM:SS`
/// (the hour may have one digit), an optional fraction after `.` or `,` of
/// any length (truncated to nanoseconds), then `Z` or `±hh:mm` (at most
/// 24 hours and 60 minutes). Returns the instant in nanoseconds since the
/// epoch.
pub fn parse_rfc3339(s: &str) -> Option<i128> {
    let mut p = Cursor(s.as_bytes());
    let year = p.num(4)?;
    p.lit(b'-')?;
    let month = p.num(2).filter(|m| (1..=12).contains(m))?;
    p.lit(b'-')?;
    let day = p
        .num(2)
        .filter(|d| (1..=days_in(month, year)).contains(d))?;
    p.lit(b'T')?;
    let hour_digits = if p.0.get(1).is_some_and(u8::is_ascii_digit) {
        2
    } else {
        1
    };
    let hour = p.num(hour_digits).filter(|h| *h < 24)?;
    p.lit(b':')?;
    let min = p.num(2).filter(|m| *m < 60)?;
    p.lit(b':')?;
    let sec = p.num(2).filter(|s| *s < 60)?;
    let mut nanos: i64 = 0;
    if let [b'.' | b',', d, ..] = p.0
        && d.is_ascii_digit()
    {
        let digits = p.0[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        for i in 0..9 {
            let d =
                p.0.get(1 + i)
                    .filter(|_| i < digits)
                    .map_or(0, |c| i64::from(c - b'0'));
            nanos = nanos * 10 + d;
        }
        p.0 = &p.0[1 + digits..];
    }
    let offset_secs = match p.0 {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            // Go allows offsets of 24 hours or 60 minutes.
            let hh = Cursor(&[*h1, *h2]).num(2).filter(|h| *h <= 24)?;
            let mm = Cursor(&[*m1, *m2]).num(2).filter(|m| *m <= 60)?;
            let secs = (hh * 60 + mm) * 60;
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset_secs;
    Some(i128::from(secs) * 1_000_000_000 + i128::from(nanos))
}

/// The unparsed rest of a timestamp.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    /// A decimal field of exactly `n` digits.
    fn num(&mut self, n: usize) -> Option<i64> {
        let digits = self.0.get(..n)?;
        let mut v = 0i64;
        for &c in digits {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        self.0 = &self.0[n..];
        Some(v)
    }

    fn lit(&mut self, c: u8) -> Option<()> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        (first == c).then_some(())
    }
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_compare_across_offsets() {
        let a = parse_rfc3339("2024-01-01T01:00:00+01:00").unwrap();
        let b = parse_rfc3339("2024-01-01T00:00:00.000Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("0001-01-01T00:00:00Z"), Some(ZERO_TIME_NANOS));
        assert_eq!(
            parse_rfc3339("2026-11-26T10:27:44.348Z").unwrap() % 1_000_000_000,
            348_000_000
        );
        assert_eq!(
            parse_rfc3339("1970-01-01T00:00:00.1234567891Z"),
            Some(123_456_789)
        );
    }

    #[test]
    fn rejects_what_go_rejects() {
        for bad in [
            "bad",
            "2024-01-01",
            "2024-01-01t00:00:00z",
            "2024-01-01T00:00:00",
            "2024-1-01T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:60Z",
            "2024-01-01T00:00:00+0100",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00Zx",
            "2024-01-01T00:00:00*01:00",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn accepts_what_go_accepts() {
        let t = |s| parse_rfc3339(s).unwrap();
        assert!(parse_rfc3339("2024-02-29T23:59:59.999999999-23:59").is_some());
        assert_eq!(t("2024-01-01T00:00:00,5Z"), t("2024-01-01T00:00:00.5Z"));
        assert_eq!(t("2024-01-01T1:00:00Z"), t("2024-01-01T01:00:00Z"));
        assert_eq!(t("2024-01-02T00:00:00+24:00"), t("2024-01-01T00:00:00Z"));
        assert_eq!(t("2024-01-01T00:00:00-00:60"), t("2024-01-01T01:00:00Z"));
        assert_eq!(parse_rfc3339("2024-01-01T00:00:00+25:00"), None);
        assert_eq!(parse_rfc3339("2024-01-01T00:00:00+00:61"), None);
    }
}
