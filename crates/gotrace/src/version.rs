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

/// What sets one format version apart from the others: one row per
/// version, like Go's `versions` map in `internal/trace/version`. Code that
/// behaves differently by version asks for a feature here rather than
/// comparing versions.
#[derive(Debug)]
pub(crate) struct Features {
    pub(crate) version: Version,
    /// The minor number in the header (`go 1.N trace`).
    pub(crate) minor: u32,
    /// The Go 1.11–1.21 format, parsed whole and converted; else Go 1.22+'s
    /// generations.
    pub(crate) v1: bool,
    /// (v1) STWStart events number their kind as the runtime does; before
    /// Go 1.21 only 0 (mark termination) and 1 (sweep termination) exist.
    pub(crate) stw_kinds_numbered: bool,
    /// (v2) A generation's frequency comes in a Sync batch with a clock
    /// snapshot, which every generation must have; before Go 1.25, in a
    /// Frequency batch.
    pub(crate) sync_batch: bool,
    /// (v2) Generations end with an EndOfGeneration marker; before Go 1.26,
    /// a generation ends where the next one's first batch begins.
    pub(crate) end_marker: bool,
}

const V1: Features = Features {
    version: Version::Go111,
    minor: 11,
    v1: true,
    stw_kinds_numbered: false,
    sync_batch: false,
    end_marker: false,
};

/// The table, in the order of [`Version`].
static VERSIONS: [Features; 7] = [
    V1,
    Features {
        version: Version::Go119,
        minor: 19,
        ..V1
    },
    Features {
        version: Version::Go121,
        minor: 21,
        stw_kinds_numbered: true,
        ..V1
    },
    Features {
        version: Version::Go122,
        minor: 22,
        v1: false,
        ..V1
    },
    Features {
        version: Version::Go123,
        minor: 23,
        v1: false,
        ..V1
    },
    Features {
        version: Version::Go125,
        minor: 25,
        v1: false,
        sync_batch: true,
        ..V1
    },
    Features {
        version: Version::Go126,
        minor: 26,
        v1: false,
        sync_batch: true,
        end_marker: true,
        ..V1
    },
];

impl Version {
    /// The version's row of the table.
    pub(crate) fn features(self) -> &'static Features {
        &VERSIONS[self as usize]
    }

    /// The minor number in the header (`go 1.N trace`).
    pub fn minor(self) -> u32 {
        self.features().minor
    }

    fn from_minor(n: u64) -> Option<Version> {
        VERSIONS
            .iter()
            .find(|f| u64::from(f.minor) == n)
            .map(|f| f.version)
    }

    /// Whether this is the Go 1.11–1.21 format.
    pub fn is_v1(self) -> bool {
        self.features().v1
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
    fn one_row_per_version_in_order() {
        for (i, f) in VERSIONS.iter().enumerate() {
            assert_eq!(f.version as usize, i);
            assert_eq!(Version::from_minor(u64::from(f.minor)), Some(f.version));
        }
        assert!(Version::Go121.is_v1() && !Version::Go122.is_v1());
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
