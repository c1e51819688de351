//! The limits that keep memory and time bounded on hostile input, each a
//! default that an environment variable (`TOOLBOX_MAX_...`) raises or
//! lowers, read once per process. Hitting one is an [`Exceeded`] error
//! that names the limit and how to raise it; the caller adds the file.
//!
//! ```
//! static WIDGETS: limits::Limit = limits::Limit::new("TOOLBOX_MAX_WIDGETS", 10, "widgets");
//! assert_eq!(WIDGETS.get(), 10);
//! assert!(WIDGETS.check(10).is_ok());
//! let e = WIDGETS.check(11).unwrap_err();
//! assert_eq!(e.to_string(), "more than 10 widgets (the limit; raise it with TOOLBOX_MAX_WIDGETS=N)");
//! ```

use std::sync::OnceLock;

/// One limit: its environment variable, default and unit.
#[derive(Debug)]
pub struct Limit {
    var: &'static str,
    default: u64,
    unit: &'static str,
    value: OnceLock<u64>,
}

/// A count or size past its limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("more than {limit} {unit} (the limit; raise it with {var}=N)")]
pub struct Exceeded {
    /// The limit.
    pub limit: u64,
    /// What it counts.
    pub unit: &'static str,
    /// The environment variable that sets it.
    pub var: &'static str,
}

impl Limit {
    /// A limit of `default` `unit`s unless the environment variable `var`
    /// says otherwise.
    pub const fn new(var: &'static str, default: u64, unit: &'static str) -> Limit {
        Limit {
            var,
            default,
            unit,
            value: OnceLock::new(),
        }
    }

    /// The limit: the environment variable's value if it is a number (with
    /// an optional `K`, `M` or `G` suffix, binary units), else the default.
    pub fn get(&self) -> u64 {
        *self.value.get_or_init(|| {
            std::env::var(self.var)
                .ok()
                .and_then(|v| parse_size(&v))
                .unwrap_or(self.default)
        })
    }

    /// The environment variable that sets it.
    pub fn var(&self) -> &'static str {
        self.var
    }

    /// `Ok` when `n` is within the limit.
    pub fn check(&self, n: u64) -> Result<(), Exceeded> {
        let limit = self.get();
        if n <= limit {
            return Ok(());
        }
        Err(Exceeded {
            limit,
            unit: self.unit,
            var: self.var,
        })
    }
}

/// `123`, `64K`, `512M`, `2G` (case-insensitive suffix, binary units).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (digits, shift) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 10),
        b'm' | b'M' => (&s[..s.len() - 1], 20),
        b'g' | b'G' => (&s[..s.len() - 1], 30),
        _ => (s, 0),
    };
    digits.parse::<u64>().ok()?.checked_mul(1 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_binary_suffixes() {
        assert_eq!(parse_size("123"), Some(123));
        assert_eq!(parse_size("64k"), Some(64 << 10));
        assert_eq!(parse_size(" 2G "), Some(2 << 30));
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size(""), None);
        assert_eq!(parse_size("99999999999999999999G"), None);
    }

    #[test]
    fn the_environment_sets_a_limit() {
        // Only this test sets this variable.
        static L: Limit = Limit::new("TOOLBOX_MAX_LIMITS_TEST", 5, "things");
        // SAFETY: no other thread of this test binary reads or writes it.
        unsafe { std::env::set_var("TOOLBOX_MAX_LIMITS_TEST", "2K") };
        assert_eq!(L.get(), 2048);
        assert!(L.check(2048).is_ok());
        assert_eq!(L.check(2049).unwrap_err().limit, 2048);
    }
}
