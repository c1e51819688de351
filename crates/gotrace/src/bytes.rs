//! Low-level decoding: unsigned LEB128 varints as Go's `encoding/binary`
//! reads them, from slices and from a byte stream that counts its offset.

use crate::error::{Error, Result};
use std::io::{self, BufRead, ErrorKind};

/// Why a varint could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarintError {
    /// The input ended inside the varint.
    Truncated,
    /// More than 64 bits (Go's "varint overflows a 64-bit integer").
    Overflow,
}

/// Decodes a uvarint at the start of `b`, returning the value and its length.
/// Non-minimal encodings are accepted, as Go accepts them. One- and two-byte
/// values (most of a trace's) take the inlined fast path.
#[inline(always)]
pub(crate) fn uvarint(b: &[u8]) -> std::result::Result<(u64, usize), VarintError> {
    match *b {
        [b0, ..] if b0 < 0x80 => Ok((u64::from(b0), 1)),
        [b0, b1, ..] if b1 < 0x80 => Ok((u64::from(b0 & 0x7f) | (u64::from(b1) << 7), 2)),
        _ => uvarint_long(b),
    }
}

/// [`uvarint`] for values of three bytes or more, and for errors.
#[inline(never)]
fn uvarint_long(b: &[u8]) -> std::result::Result<(u64, usize), VarintError> {
    let mut x: u64 = 0;
    let mut shift = 0u32;
    for (i, &byte) in b.iter().enumerate() {
        if i == 10 {
            return Err(VarintError::Overflow);
        }
        if byte < 0x80 {
            if i == 9 && byte > 1 {
                return Err(VarintError::Overflow);
            }
            return Ok((x | (u64::from(byte) << shift), i + 1));
        }
        x |= u64::from(byte & 0x7f) << shift;
        shift += 7;
    }
    Err(VarintError::Truncated)
}

/// A cursor over a byte slice for decoding records inside a batch.
pub(crate) struct SliceReader<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> SliceReader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        SliceReader { data, pos: 0 }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub(crate) fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    pub(crate) fn uvarint(&mut self) -> std::result::Result<u64, VarintError> {
        let (v, n) = uvarint(&self.data[self.pos.min(self.data.len())..])?;
        self.pos += n;
        Ok(v)
    }

    /// Takes up to `n` bytes; fewer if the data ends first.
    pub(crate) fn take(&mut self, n: u64) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        let end = start.saturating_add(usize::try_from(n).unwrap_or(usize::MAX));
        let end = end.min(self.data.len());
        self.pos = end;
        &self.data[start..end]
    }
}

/// A buffered byte stream that knows its offset from the start of the input.
pub(crate) struct Stream<R> {
    inner: R,
    offset: u64,
}

impl<R: BufRead> Stream<R> {
    pub(crate) fn new(inner: R) -> Self {
        Stream { inner, offset: 0 }
    }

    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Reads one byte; `Ok(None)` at end of input.
    pub(crate) fn byte(&mut self) -> Result<Option<u8>> {
        loop {
            match self.inner.fill_buf() {
                Ok([]) => return Ok(None),
                Ok(buf) => {
                    let b = buf[0];
                    self.inner.consume(1);
                    self.offset += 1;
                    return Ok(Some(b));
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(self.offset, e)),
            }
        }
    }

    /// Reads a uvarint. End of input inside it is `unexpected EOF` (at its
    /// start: `EOF`), as `binary.ReadUvarint` reports.
    pub(crate) fn uvarint(&mut self) -> Result<u64> {
        let start = self.offset;
        let mut x: u64 = 0;
        let mut shift = 0u32;
        for i in 0..10 {
            let Some(byte) = self.byte()? else {
                let msg = if i == 0 { "EOF" } else { "unexpected EOF" };
                return Err(Error::at(start, msg));
            };
            if byte < 0x80 {
                if i == 9 && byte > 1 {
                    break;
                }
                return Ok(x | (u64::from(byte) << shift));
            }
            x |= u64::from(byte & 0x7f) << shift;
            shift += 7;
        }
        Err(Error::at(
            start,
            "binary: varint overflows a 64-bit integer",
        ))
    }

    /// Appends up to `n` bytes to `out`, returning how many were read
    /// (fewer only at end of input).
    pub(crate) fn read_into(&mut self, n: usize, out: &mut Vec<u8>) -> Result<usize> {
        let mut left = n;
        while left > 0 {
            let buf = match self.inner.fill_buf() {
                Ok([]) => break,
                Ok(buf) => buf,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(self.offset, e)),
            };
            let k = buf.len().min(left);
            out.extend_from_slice(&buf[..k]);
            self.inner.consume(k);
            self.offset += k as u64;
            left -= k;
        }
        Ok(n - left)
    }

    /// Reads everything that is left.
    pub(crate) fn read_to_end(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let n =
            io::Read::read_to_end(&mut self.inner, out).map_err(|e| Error::io(self.offset, e))?;
        self.offset += n as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uvarint_accepts_padded_and_rejects_overflow() {
        assert_eq!(uvarint(&[0x05]), Ok((5, 1)));
        assert_eq!(uvarint(&[0x80, 0x01]), Ok((128, 2)));
        assert_eq!(uvarint(&[0xff, 0x7f, 0x33]), Ok((0x3fff, 2)));
        assert_eq!(uvarint(&[0x81, 0x80, 0x01]), Ok((1 | 1 << 14, 3)));
        assert_eq!(uvarint(&[]), Err(VarintError::Truncated));
        assert_eq!(uvarint(&[0x81]), Err(VarintError::Truncated));
        // The runtime's fixed-width batch sizes: a 10-byte padded encoding.
        let padded = [0xb1, 0xff, 0x83, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
        assert_eq!(
            uvarint(&padded),
            Ok((0xb1 & 0x7f | 0x7f << 7 | 0x03 << 14, 10))
        );
        assert_eq!(uvarint(&[0x80, 0x80]), Err(VarintError::Truncated));
        let mut big = [0xff; 10];
        big[9] = 0x01;
        assert_eq!(uvarint(&big), Ok((u64::MAX, 10)));
        big[9] = 0x02;
        assert_eq!(uvarint(&big), Err(VarintError::Overflow));
        assert_eq!(uvarint(&[0xff; 11]), Err(VarintError::Overflow));
    }

    #[test]
    fn stream_counts_offsets() {
        let data = [0x01, 0x80, 0x01, 7, 8, 9];
        let mut s = Stream::new(&data[..]);
        assert_eq!(s.byte().unwrap(), Some(1));
        assert_eq!(s.uvarint().unwrap(), 128);
        assert_eq!(s.offset(), 3);
        let mut out = Vec::new();
        assert_eq!(s.read_into(5, &mut out).unwrap(), 3);
        assert_eq!(out, [7, 8, 9]);
        assert_eq!(s.byte().unwrap(), None);
        let err = Stream::new(&[0x80][..]).uvarint().unwrap_err();
        assert_eq!(err.message(), "unexpected EOF");
    }
}
