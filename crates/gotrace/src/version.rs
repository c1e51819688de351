//! The 16-byte file header and the trace format versions it names.

use crate::bytes::Stream;
use crate::error::{Error, Result};
use std::io::BufRead;

/// A trace format version, named after the Go release that introduced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// Written by Go 1.11 to 1.18 (the older format).
    Go111,
    /// Written by Go 1.19 and 1.20 (the older format).
    Go119,
    /// Written by Go 1.21 (the older format).
    Go121,
    /// Written by Go 1.22.
    Go122,
    /// Written by Go 1.23 and 1.24.
    Go123,
    /// Written by Go 1.25.
    Go125,
    /// Written by Go 1.26 and later.
    Go126,
}

impl Version {
    /// The minor number in the header (`go 1.N trace`).
    pub fn minor(self) -> u32 {
        match self {
            Version::Go111 => 11,
            Version::Go119 => 19,
            Version::Go121 => 21,
            Version::Go122 => 22,
            Version::Go123 => 23,
            Version::Go125 => 25,
            Version::Go126 => 26,
        }
    }

    fn from_minor(n: u64) -> Option<Version> {
        Some(match n {
            11 => Version::Go111,
            19 => Version::Go119,
            21 => Version::Go121,
            22 => Version::Go122,
            23 => Version::Go123,
            25 => Version::Go125,
            26 => Version::Go126,
            _ => return None,
        })
    }

    /// Whether this is the Go 1.11–1.21 format.
    pub fn is_v1(self) -> bool {
        self <= Version::Go121
    }
}

/// Reads and checks the header.
pub(crate) fn read_header<R: BufRead>(s: &mut Stream<R>) -> Result<Version> {
    let mut head = Vec::with_capacity(16);
    s.read_into(16, &mut head)?;
    Version::from_header(&head)
}

impl Version {
    /// The version a file's first 16 bytes name (`go 1.N trace`, padded
    /// with zero bytes), or why they are no trace header.
    pub fn from_header(head: &[u8]) -> Result<Version> {
        let bad = || Error::at(0, "bad file format: not a Go execution trace?");
        let rest = head.strip_prefix(b"go 1.").ok_or_else(bad)?;
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return Err(bad());
        }
        let tail = &rest[digits..];
        let tail = tail.strip_prefix(b" trace").ok_or_else(bad)?;
        if head.len() < 16 || tail.iter().any(|&b| b != 0) {
            return Err(bad());
        }
        let n: u64 = std::str::from_utf8(&rest[..digits])
            .ok()
            .and_then(|d| d.parse().ok())
            .ok_or_else(bad)?;
        Version::from_minor(n)
            .ok_or_else(|| Error::at(0, format!("unknown or unsupported trace version go 1.{n}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(h: &[u8]) -> Result<Version> {
        read_header(&mut Stream::new(h))
    }

    #[test]
    fn headers() {
        assert_eq!(header(b"go 1.26 trace\0\0\0").unwrap(), Version::Go126);
        assert_eq!(header(b"go 1.11 trace\0\0\0rest").unwrap(), Version::Go111);
        let e = header(b"go 1.10 trace\0\0\0").unwrap_err();
        assert_eq!(e.message(), "unknown or unsupported trace version go 1.10");
        let e = header(b"go 1.5 trace\0\0\0\0").unwrap_err();
        assert_eq!(e.message(), "unknown or unsupported trace version go 1.5");
        for bad in [
            &b"go 1.26 trace"[..],
            b"",
            b"go 1.x trace\0\0\0\0",
            b"GO 1.26 trace\0\0\0",
        ] {
            let e = header(bad).unwrap_err();
            assert_eq!(e.message(), "bad file format: not a Go execution trace?");
        }
    }
}
