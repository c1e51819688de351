//! Go's strict RFC 3339 parsing (what `time.Time.UnmarshalJSON` accepts),
//! producing an instant in nanoseconds since the Unix epoch.

/// Nanoseconds since 1970-01-01T00:00:00Z of Go's zero `time.Time`
/// (0001-01-01T00:00:00Z), which a missing or null timestamp leaves.
pub const ZERO_TIME_NANOS: i128 = -62_135_596_800 * 1_000_000_000;

/// Parses `s` like Go's `time.Time.UnmarshalJSON` does: `YYYY-MM-DDTHH:MM:SS`,
/// an optional `.` fraction of any length (truncated to nanoseconds), then
/// `Z` or `±HH:MM`. Returns the instant in nanoseconds since the epoch.
pub fn parse_rfc3339(s: &str) -> Option<i128> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let year = num(&b[0..4], 0, 9999)?;
    let month = num(&b[5..7], 1, 12)?;
    let day = num(&b[8..10], 1, days_in(month, year))?;
    let hour = num(&b[11..13], 0, 23)?;
    let min = num(&b[14..16], 0, 59)?;
    let sec = num(&b[17..19], 0, 59)?;
    if !(b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':') {
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos: i64 = 0;
    if rest.len() >= 2 && rest[0] == b'.' && rest[1].is_ascii_digit() {
        let n = 1 + rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        for i in 1..10 {
            let d = rest
                .get(i)
                .filter(|_| i < n)
                .map_or(0, |c| i64::from(c - b'0'));
            nanos = nanos * 10 + d;
        }
        rest = &rest[n..];
    }
    let offset_secs = if rest == b"Z" {
        0
    } else {
        if rest.len() != 6 || !(rest[0] == b'+' || rest[0] == b'-') || rest[3] != b':' {
            return None;
        }
        let secs = (num(&rest[1..3], 0, 23)? * 60 + num(&rest[4..6], 0, 59)?) * 60;
        if rest[0] == b'-' { -secs } else { secs }
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset_secs;
    Some(i128::from(secs) * 1_000_000_000 + i128::from(nanos))
}

/// A fixed-width decimal field within `[lo, hi]`.
fn num(b: &[u8], lo: i64, hi: i64) -> Option<i64> {
    let mut v = 0i64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    (lo..=hi).contains(&v).then_some(v)
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
            "2024-01-01T00:00:00,5Z",
            "2024-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:60Z",
            "2024-01-01T00:00:00+24:00",
            "2024-01-01T00:00:00+0100",
            "2024-01-01T00:00:00.Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert!(parse_rfc3339("2024-02-29T23:59:59.999999999-23:59").is_some());
    }
}
