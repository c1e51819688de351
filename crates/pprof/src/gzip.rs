//! Undoing the gzip layer the way Go's `gzip.Reader` does: only when the
//! data starts with the gzip magic, reading every concatenated member, and
//! failing on corrupt members or trailing garbage.

use std::borrow::Cow;
use std::io::Read;

use flate2::read::MultiGzDecoder;

use crate::error::Error;

/// Returns the profile.proto bytes: `data` decompressed if it is gzipped,
/// `data` itself otherwise.
pub fn decompress(data: &[u8]) -> Result<Cow<'_, [u8]>, Error> {
    if !(data.len() >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        return Ok(Cow::Borrowed(data));
    }
    // The last member's trailer holds its size mod 2^32: a good first guess.
    let hint = data
        .len()
        .checked_sub(4)
        .map(|i| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]) as usize)
        .unwrap_or(0)
        .min(data.len().saturating_mul(64));
    let mut out = Vec::with_capacity(hint + 1);
    MultiGzDecoder::new(data)
        .read_to_end(&mut out)
        .map_err(Error::Gzip)?;
    Ok(Cow::Owned(out))
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

    #[test]
    fn raw_data_passes_through() {
        assert_eq!(&*decompress(b"\x0a\x00").unwrap(), b"\x0a\x00");
        assert_eq!(&*decompress(b"\x1f").unwrap(), b"\x1f");
    }

    #[test]
    fn members_concatenate() {
        let mut two = gz(b"hello ");
        two.extend(gz(b"world"));
        assert_eq!(&*decompress(&two).unwrap(), b"hello world");
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
    }
}
