//! The gzip layer: undone the way Go's `gzip.Reader` does (only when the
//! data starts with the gzip magic, reading every concatenated member, and
//! failing on corrupt members or trailing garbage), and added to profiles
//! being written. A stream that is one member goes through the one-call
//! fast path in `inflate.rs` first.

use std::io;

use std::io::Write;

use flate2::{Compression, Decompress, FlushDecompress, Status, write::GzEncoder};

use crate::error::Error;

/// Whether `data` starts with the gzip magic bytes.
pub fn is_gzip(data: &[u8]) -> bool {
    data.len() >= 2 && data[0] == 0x1f && data[1] == 0x8b
}

fn corrupt(what: &str) -> Error {
    Error::Gzip(io::Error::new(io::ErrorKind::InvalidData, what.to_string()))
}

/// Gzips `data` in one member (no name, no time stamp).
pub(crate) fn compress(data: &[u8], level: Compression) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::with_capacity(data.len() / 4 + 64), level);
    // Writing into a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// Decompresses every gzip member of `data` into `out` (which is cleared
/// first), checking each member's CRC-32 and length. Fails with
/// [`Error::TooLarge`] rather than decompress more than
/// [`crate::max_decompressed`] bytes.
pub fn decompress_into(data: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    decompress_capped(data, out, crate::max_decompressed())
}

/// [`decompress_into`] with the cap `limit`: `out` never grows past
/// `limit + 1` bytes.
pub(crate) fn decompress_capped(data: &[u8], out: &mut Vec<u8>, limit: u64) -> Result<(), Error> {
    if let Some(size) = single_member_size(data, limit)
        && crate::inflate::one_member(data, size, out)
    {
        return Ok(());
    }
    out.clear();
    let too_large = || Error::TooLarge { limit };
    let room =
        |len: usize| usize::try_from((limit + 1).saturating_sub(len as u64)).unwrap_or(usize::MAX);
    // The last member's trailer holds its size mod 2^32: a good first guess.
    let hint = data
        .len()
        .checked_sub(4)
        .map(|i| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]) as usize)
        .unwrap_or(0)
        .min(data.len().saturating_mul(1032))
        .min(1 << 30)
        .saturating_add(64)
        .min(room(0));
    out.reserve_exact(hint);
    let mut pos = 0;
    let mut inflater = Decompress::new(false);
    while pos < data.len() {
        pos += header_len(&data[pos..])?;
        let start = out.len();
        inflater.reset(false);
        loop {
            if out.len() == out.capacity() {
                if out.len() as u64 > limit {
                    return Err(too_large());
                }
                out.reserve_exact(out.capacity().max(1 << 16).min(room(out.len())));
            }
            let before = (inflater.total_in(), inflater.total_out());
            let consumed = inflater.total_in() as usize;
            let status = inflater
                .decompress_vec(&data[pos + consumed..], out, FlushDecompress::Finish)
                .map_err(|e| Error::Gzip(io::Error::new(io::ErrorKind::InvalidData, e)))?;
            if status == Status::StreamEnd {
                break;
            }
            if out.len() as u64 > limit {
                return Err(too_large());
            }
            if before == (inflater.total_in(), inflater.total_out()) && out.len() < out.capacity() {
                return Err(corrupt("unexpected end of gzip data"));
            }
        }
        if out.len() as u64 > limit {
            return Err(too_large());
        }
        pos += inflater.total_in() as usize;
        let Some(trailer) = data.get(pos..pos + 8) else {
            return Err(corrupt("unexpected end of gzip data"));
        };
        let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        let member = &out[start..];
        if crc32fast::hash(member) != crc || member.len() as u32 != size {
            return Err(corrupt("gzip checksum error"));
        }
        pos += 8;
    }
    Ok(())
}

/// The size that the trailer of `data` states, if `data` could be one
/// gzip member of that size within `limit` (deflate expands at most
/// 1032-fold).
fn single_member_size(data: &[u8], limit: u64) -> Option<usize> {
    let n = data.len();
    if n < 18 {
        return None;
    }
    let size = u32::from_le_bytes([data[n - 4], data[n - 3], data[n - 2], data[n - 1]]);
    let size = usize::try_from(size).ok()?;
    (size as u64 <= limit && size <= n.saturating_mul(1032)).then_some(size)
}

/// The length of the gzip member header at the start of `d`.
fn header_len(d: &[u8]) -> Result<usize, Error> {
    if d.len() < 10 {
        return Err(corrupt("unexpected end of gzip header"));
    }
    if d[0] != 0x1f || d[1] != 0x8b || d[2] != 8 {
        return Err(corrupt("invalid gzip header"));
    }
    let flags = d[3];
    let mut n = 10;
    if flags & 0x04 != 0 {
        let x = d
            .get(n..n + 2)
            .ok_or_else(|| corrupt("unexpected end of gzip header"))?;
        n += 2 + usize::from(u16::from_le_bytes([x[0], x[1]]));
    }
    for bit in [0x08, 0x10] {
        if flags & bit != 0 {
            let rest = d.get(n..).unwrap_or_default();
            let nul = rest
                .iter()
                .position(|&c| c == 0)
                .ok_or_else(|| corrupt("unexpected end of gzip header"))?;
            n += nul + 1;
        }
    }
    if flags & 0x02 != 0 {
        n += 2;
    }
    if n > d.len() {
        return Err(corrupt("unexpected end of gzip header"));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    fn gz(b: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    fn decompress(d: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        decompress_into(d, &mut out).map(|()| out)
    }

    #[test]
    fn magic() {
        assert!(is_gzip(&gz(b"")));
        assert!(!is_gzip(b"\x1f"));
        assert!(!is_gzip(b"\x0a\x00"));
    }

    #[test]
    fn optional_header_fields_and_big_outputs() {
        let body: Vec<u8> = (0..300_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let g = gz(&body);
        // Same member with FEXTRA, FNAME and FCOMMENT set.
        let mut h = vec![
            0x1f,
            0x8b,
            8,
            0x04 | 0x08 | 0x10,
            0,
            0,
            0,
            0,
            0,
            0xff,
            2,
            0,
            b'x',
            b'y',
        ];
        h.extend_from_slice(b"name\0comment\0");
        h.extend_from_slice(&g[10..]);
        assert_eq!(decompress(&h).unwrap(), body);
        // A wrong size hint in the trailer of a previous member still works.
        let mut two = gz(&body);
        two.extend(gz(b"x"));
        assert_eq!(decompress(&two).unwrap().len(), body.len() + 1);
    }

    #[test]
    fn members_concatenate() {
        let mut two = gz(b"hello ");
        two.extend(gz(b"world"));
        assert_eq!(decompress(&two).unwrap(), b"hello world");
    }

    #[test]
    fn a_bomb_stops_at_the_cap() {
        let bomb = gz(&vec![0; 1 << 20]);
        let mut out = Vec::new();
        let e = decompress_capped(&bomb, &mut out, 1000).unwrap_err();
        assert!(matches!(e, Error::TooLarge { limit: 1000 }), "{e}");
        assert!(out.capacity() <= 1001 + (1 << 16), "{}", out.capacity());
        decompress_capped(&bomb, &mut out, 1 << 20).unwrap();
        assert_eq!(out.len(), 1 << 20);
        let mut two = gz(&[1; 600]);
        two.extend(gz(&[2; 600]));
        assert!(decompress_capped(&two, &mut out, 1000).is_err());
        assert!(decompress_capped(&two, &mut out, 1200).is_ok());
    }

    #[test]
    fn corruption_is_an_error() {
        let g = gz(b"some profile bytes, long enough to matter");
        assert!(decompress(&g[..g.len() - 3]).is_err());
        let mut bad_crc = g.clone();
        let n = bad_crc.len();
        bad_crc[n - 6] ^= 0xff;
        assert!(decompress(&bad_crc).is_err());
        let mut trailing = g.clone();
        trailing.extend_from_slice(b"garbage!!!!");
        assert!(decompress(&trailing).is_err());
        assert!(decompress(&g[..5]).is_err());
        assert!(decompress(&[]).is_ok());
    }
}
