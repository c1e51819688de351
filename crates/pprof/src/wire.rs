//! Protobuf wire-level reading with google/pprof's rules: varints of at most
//! ten bytes (extra high bits dropped), wire types 0, 1, 2 and 5 only, and
//! lengths that must fit in the enclosing buffer.

use crate::error::{DecodeError, Problem};

/// One decoded field value.
#[derive(Clone, Copy)]
pub(crate) enum Value<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire types 1 and 5.
    Fixed,
    /// Wire type 2, with the absolute offset of its first byte.
    Bytes(&'a [u8], usize),
}

/// A cursor over one protobuf message; `base` is the absolute offset of
/// `buf[0]` in the whole decompressed profile, for error messages.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8], base: usize) -> Self {
        Reader { buf, pos: 0, base }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// Absolute offset of the next byte to read.
    pub(crate) fn offset(&self) -> usize {
        self.base + self.pos
    }

    fn err(&self, problem: Problem) -> DecodeError {
        DecodeError {
            offset: self.base + self.pos,
            problem,
        }
    }

    /// Reads a varint as pprof does: at most ten bytes, high bits dropped.
    #[inline(always)]
    pub(crate) fn varint(&mut self) -> Result<u64, DecodeError> {
        // One- and two-byte varints (keys, lengths, ids) first; then any
        // varint of up to eight bytes from one load, without a loop.
        match self.buf.get(self.pos..self.pos + 2) {
            Some(&[b0, _]) if b0 < 0x80 => {
                self.pos += 1;
                Ok(u64::from(b0))
            }
            Some(&[b0, b1]) if b1 < 0x80 => {
                self.pos += 2;
                Ok(u64::from(b0 & 0x7f) | u64::from(b1) << 7)
            }
            _ if self.pos < self.buf.len() => match varint8(word_at(self.buf, self.pos)) {
                Some((v, n)) => {
                    self.pos += n;
                    Ok(v)
                }
                None => self.varint_long(),
            },
            _ => Err(self.err(Problem::BadVarint)),
        }
    }

    #[inline(never)]
    fn varint_long(&mut self) -> Result<u64, DecodeError> {
        let mut u: u64 = 0;
        for i in 0..10 {
            let Some(&b) = self.buf.get(self.pos + i) else {
                return Err(self.err(Problem::BadVarint));
            };
            u |= u64::from(b & 0x7f).wrapping_shl(7 * i as u32);
            if b & 0x80 == 0 {
                self.pos += i + 1;
                return Ok(u);
            }
        }
        Err(self.err(Problem::BadVarint))
    }

    /// Reads the next field: its number and value.
    #[inline(always)]
    pub(crate) fn field(&mut self) -> Result<(u64, Value<'a>), DecodeError> {
        let key = self.varint()?;
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => self.skip(8)?,
            5 => self.skip(4)?,
            2 => {
                let n = self.varint()?;
                let start = self.pos;
                if n > (self.buf.len() - start) as u64 {
                    return Err(self.err(Problem::TooMuchData));
                }
                self.pos += n as usize;
                Value::Bytes(&self.buf[start..self.pos], self.base + start)
            }
            t => return Err(self.err(Problem::UnknownWireType(t as u8))),
        };
        Ok((key >> 3, value))
    }

    fn skip(&mut self, n: usize) -> Result<Value<'a>, DecodeError> {
        if self.buf.len() - self.pos < n {
            return Err(self.err(Problem::NotEnoughData));
        }
        self.pos += n;
        Ok(Value::Fixed)
    }
}

/// The eight bytes of `b` from `i` (which must be in `b`) as a
/// little-endian word; bytes past the end of `b` read as 0xff, so that
/// no varint seems to end there.
#[inline(always)]
pub(crate) fn word_at(b: &[u8], i: usize) -> u64 {
    if let Some(c) = b[i..].first_chunk::<8>() {
        return u64::from_le_bytes(*c);
    }
    let rem = b.len() - i;
    if let Some(c) = b.last_chunk::<8>() {
        // The last eight bytes, shifted down to start at `i`.
        return u64::from_le_bytes(*c) >> (8 * (8 - rem)) | u64::MAX << (8 * rem);
    }
    let mut c = [0xff; 8];
    c[..rem].copy_from_slice(&b[i..]);
    u64::from_le_bytes(c)
}

/// [`word_at`], or `None` when `i` is past the end of `b`.
#[inline(always)]
pub(crate) fn word_from(b: &[u8], i: usize) -> Option<u64> {
    (i < b.len()).then(|| word_at(b, i))
}

/// The varint at the bottom of `w` (eight little-endian bytes) and its
/// length, if it ends within them.
#[inline(always)]
pub(crate) fn varint8(w: u64) -> Option<(u64, usize)> {
    let ends = !w & 0x8080_8080_8080_8080;
    if ends == 0 {
        return None;
    }
    let bits = ends.trailing_zeros() + 1;
    // The varint's bytes, each with its continuation bit cleared, then
    // their 7-bit groups packed together pairwise, in three steps.
    let x = (w & (u64::MAX >> (64 - bits))) & 0x7f7f_7f7f_7f7f_7f7f;
    let x = (x & 0x007f_007f_007f_007f) | ((x & 0x7f00_7f00_7f00_7f00) >> 1);
    let x = (x & 0x0000_3fff_0000_3fff) | ((x & 0x3fff_0000_3fff_0000) >> 2);
    let v = (x & 0x0fff_ffff) | ((x & 0x0fff_ffff_0000_0000) >> 4);
    Some((v, bits as usize / 8))
}

/// Requires a varint (wire type 0) for a known scalar field.
#[inline]
pub(crate) fn int(v: Value<'_>, offset: usize) -> Result<u64, DecodeError> {
    match v {
        Value::Varint(u) => Ok(u),
        _ => Err(DecodeError {
            offset,
            problem: Problem::TypeMismatch,
        }),
    }
}

/// Requires wire type 2 for a known message or string field.
#[inline]
pub(crate) fn bytes(v: Value<'_>, offset: usize) -> Result<(&[u8], usize), DecodeError> {
    match v {
        Value::Bytes(b, at) => Ok((b, at)),
        _ => Err(DecodeError {
            offset,
            problem: Problem::TypeMismatch,
        }),
    }
}

/// Calls `f` on each element of a repeated integer field, packed (wire
/// type 2) or not (wire type 0).
#[inline(always)]
pub(crate) fn repeated(
    v: Value<'_>,
    offset: usize,
    mut f: impl FnMut(u64) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    match v {
        Value::Varint(u) => f(u),
        Value::Bytes(b, at) => {
            // Packed: one-byte values, then any of up to eight bytes.
            let mut i = 0;
            while let Some(&b0) = b.get(i) {
                if b0 < 0x80 {
                    f(u64::from(b0))?;
                    i += 1;
                } else if let Some((v, n)) = varint8(word_at(b, i)) {
                    f(v)?;
                    i += n;
                } else {
                    let mut r = Reader {
                        buf: b,
                        pos: i,
                        base: at,
                    };
                    f(r.varint_long()?)?;
                    i = r.pos;
                }
            }
            Ok(())
        }
        Value::Fixed => Err(DecodeError {
            offset,
            problem: Problem::TypeMismatch,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_follow_pprof_rules() {
        let mut r = Reader::new(&[0x96, 0x01], 0);
        assert_eq!(r.varint().unwrap(), 150);
        // Ten bytes with high bits set in the last byte: bits above 64 dropped.
        let ten = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
        let mut r = Reader::new(&ten, 0);
        assert_eq!(r.varint().unwrap(), u64::MAX);
        // Eleven bytes is too long; a truncated varint is an error.
        let long = [0x80u8; 10];
        assert!(matches!(
            Reader::new(&long, 0).varint().unwrap_err().problem,
            Problem::BadVarint
        ));
        assert!(Reader::new(&[0x80], 0).varint().is_err());
    }

    #[test]
    fn field_rejects_groups_and_overlong_lengths() {
        // field 1, wire type 3 (start group)
        let e = Reader::new(&[0x0b], 7).field().err().unwrap();
        assert!(matches!(e.problem, Problem::UnknownWireType(3)));
        assert_eq!(e.offset, 8);
        // field 1, wire type 2, length 5 but only 1 byte follows
        assert!(matches!(
            Reader::new(&[0x0a, 5, 0], 0).field().err().unwrap().problem,
            Problem::TooMuchData
        ));
        // fixed32 needs four bytes
        assert!(matches!(
            Reader::new(&[0x0d, 1], 0).field().err().unwrap().problem,
            Problem::NotEnoughData
        ));
    }

    #[test]
    fn repeated_accepts_packed_and_unpacked() {
        let mut out = Vec::new();
        let mut push = |u| {
            out.push(u);
            Ok(())
        };
        repeated(Value::Varint(3), 0, &mut push).unwrap();
        repeated(Value::Bytes(&[1, 2, 0x80, 1], 0), 0, &mut push).unwrap();
        assert!(repeated(Value::Fixed, 0, &mut push).is_err());
        assert!(repeated(Value::Bytes(&[0x80], 0), 0, &mut push).is_err());
        assert_eq!(out, [3, 1, 2, 128]);
    }
}
