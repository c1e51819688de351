//! The readers an input hands out, each from the input's start: a file
//! read through one shared handle with positional reads, a zip member
//! decompressed in place and checked against its CRC and size, and
//! standard input and other streams held in memory.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::sync::Arc;

/// Reads `file` from `pos` up to `end` with positional reads, so readers
/// on one handle do not disturb each other.
pub(crate) struct At {
    file: Arc<File>,
    pos: u64,
    end: u64,
}

impl At {
    /// `len` bytes from `start`.
    pub(crate) fn range(file: Arc<File>, start: u64, len: u64) -> At {
        At {
            file,
            pos: start,
            end: start.saturating_add(len),
        }
    }
}

impl Read for At {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = usize::try_from(self.end - self.pos).unwrap_or(usize::MAX);
        let n = buf.len().min(left);
        if n == 0 {
            return Ok(0);
        }
        let got = self.file.read_at(&mut buf[..n], self.pos)?;
        self.pos += got as u64;
        Ok(got)
    }
}

/// Passes a zip member's bytes through, and fails at their end if their
/// CRC-32 or length is not the one the zip's directory gives.
pub(crate) struct Checked<R> {
    inner: R,
    crc: flate2::Crc,
    len: u64,
    want_crc: u32,
    want_len: u64,
}

impl<R: Read> Checked<R> {
    pub(crate) fn new(inner: R, want_crc: u32, want_len: u64) -> Checked<R> {
        Checked {
            inner,
            crc: flate2::Crc::new(),
            len: 0,
            want_crc,
            want_len,
        }
    }
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            if self.len != self.want_len || self.crc.sum() != self.want_crc {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "pprof/trace: zip member is corrupt (wrong size or CRC)",
                ));
            }
            return Ok(0);
        }
        self.crc.update(&buf[..n]);
        self.len += n as u64;
        // Not one byte past the declared size: a member that inflates to
        // more is refused as it goes, not at its end.
        if self.len > self.want_len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "pprof/trace: zip member is corrupt (longer than its declared size)",
            ));
        }
        Ok(n)
    }
}

/// Bytes held in memory, shared by every reader of them.
pub(crate) struct Held {
    bytes: Arc<[u8]>,
    pos: usize,
    end: usize,
}

impl Held {
    pub(crate) fn new(bytes: Arc<[u8]>) -> Held {
        Held::range(bytes, 0, u64::MAX)
    }

    /// `len` bytes from `start` (fewer at the end of the bytes).
    pub(crate) fn range(bytes: Arc<[u8]>, start: u64, len: u64) -> Held {
        let clamp = |v: u64| usize::try_from(v).unwrap_or(usize::MAX).min(bytes.len());
        let (pos, end) = (clamp(start), clamp(start.saturating_add(len)));
        Held { bytes, pos, end }
    }
}

impl Read for Held {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = &self.bytes[self.pos.min(self.end)..self.end];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn positional_readers_share_a_handle() {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(b"0123456789").unwrap();
        let f = Arc::new(f);
        let mut a = At::range(f.clone(), 2, 5);
        let mut b = At::range(f, 0, u64::MAX);
        let (mut x, mut y) = (String::new(), String::new());
        a.read_to_string(&mut x).unwrap();
        b.read_to_string(&mut y).unwrap();
        assert_eq!((x.as_str(), y.as_str()), ("23456", "0123456789"));
    }

    #[test]
    fn checked_fails_on_a_wrong_crc_or_length() {
        let mut crc = flate2::Crc::new();
        crc.update(b"abc");
        let mut out = Vec::new();
        Checked::new(&b"abc"[..], crc.sum(), 3)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"abc");
        assert!(
            Checked::new(&b"abd"[..], crc.sum(), 3)
                .read_to_end(&mut Vec::new())
                .is_err()
        );
        assert!(
            Checked::new(&b"ab"[..], crc.sum(), 3)
                .read_to_end(&mut Vec::new())
                .is_err()
        );
        // Longer than declared: refused at the first byte too many, even
        // read a byte at a time.
        let mut c = Checked::new(&b"abcdef"[..], crc.sum(), 3);
        let mut one = [0u8; 1];
        for _ in 0..3 {
            assert_eq!(c.read(&mut one).unwrap(), 1);
        }
        assert!(c.read(&mut one).is_err());
    }

    #[test]
    fn held_bytes_read_again() {
        let bytes: Arc<[u8]> = Arc::from(&b"xyz"[..]);
        for _ in 0..2 {
            let mut s = String::new();
            Held::new(bytes.clone()).read_to_string(&mut s).unwrap();
            assert_eq!(s, "xyz");
        }
        let mut s = String::new();
        Held::range(bytes.clone(), 1, 1)
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "y");
        let mut s = String::new();
        Held::range(bytes, 2, u64::MAX)
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "z");
    }
}
