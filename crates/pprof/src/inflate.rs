//! The fast path of the gzip layer: a stream that is exactly one gzip
//! member is inflated in one call to libdeflate, straight into a buffer of
//! the size its trailer states, with libdeflate checking the CRC-32 and the
//! size. Anything else (several members, trailing bytes, corrupt data, a
//! size that does not match) is left to the streaming decoder in
//! `gzip.rs`, which reads it as Go does and says what is wrong.

use std::cell::RefCell;
use std::ptr::NonNull;

use libdeflate_sys as sys;

/// A libdeflate decompressor (a few kilobytes of tables), one per thread.
struct Decompressor(NonNull<sys::libdeflate_decompressor>);

impl Decompressor {
    fn new() -> Option<Self> {
        // SAFETY: no preconditions; a null result (out of memory) is handled.
        NonNull::new(unsafe { sys::libdeflate_alloc_decompressor() }).map(Decompressor)
    }
}

impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: the pointer came from libdeflate_alloc_decompressor and is
        // freed once.
        unsafe { sys::libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}

thread_local! {
    static DECOMPRESSOR: RefCell<Option<Decompressor>> = const { RefCell::new(None) };
}

/// Inflates `data`, which must be one whole gzip member (header, deflate
/// stream, trailer, nothing after) holding `size` bytes, into `out`.
/// Returns false, with `out` empty, when it is not so or is corrupt: the
/// caller then reads it the slow way.
pub(crate) fn one_member(data: &[u8], size: usize, out: &mut Vec<u8>) -> bool {
    out.clear();
    out.reserve_exact(size);
    DECOMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = Decompressor::new();
        }
        let Some(d) = cell.as_ref() else {
            return false;
        };
        let (mut used, mut made) = (0usize, 0usize);
        // SAFETY: the decompressor is live and only this thread uses it; the
        // input pointer and length are `data`'s; `out` has room for `size`
        // bytes (reserved above) and libdeflate writes at most that many.
        let result = unsafe {
            sys::libdeflate_gzip_decompress_ex(
                d.0.as_ptr(),
                data.as_ptr().cast(),
                data.len(),
                out.as_mut_ptr().cast(),
                size,
                &mut used,
                &mut made,
            )
        };
        if result != sys::libdeflate_result_LIBDEFLATE_SUCCESS || used != data.len() || made != size
        {
            return false;
        }
        // SAFETY: libdeflate wrote the first `made` bytes, and `made` is at
        // most the capacity reserved above.
        unsafe { out.set_len(made) };
        true
    })
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
    fn one_whole_member_only() {
        let body: Vec<u8> = (0..100_000u32)
            .flat_map(|i| (i % 977).to_le_bytes())
            .collect();
        let g = gz(&body);
        let mut out = Vec::new();
        assert!(one_member(&g, body.len(), &mut out));
        assert_eq!(out, body);
        // A wrong size, a second member, trailing bytes, a bad CRC: refused.
        assert!(!one_member(&g, body.len() - 1, &mut out));
        assert!(out.is_empty());
        assert!(!one_member(&g, body.len() + 1, &mut out));
        let mut two = g.clone();
        two.extend(gz(b"more"));
        assert!(!one_member(&two, body.len(), &mut out));
        let mut trailing = g.clone();
        trailing.push(0);
        assert!(!one_member(&trailing, body.len(), &mut out));
        let mut bad_crc = g.clone();
        let n = bad_crc.len();
        bad_crc[n - 6] ^= 1;
        assert!(!one_member(&bad_crc, body.len(), &mut out));
        assert!(one_member(&gz(b""), 0, &mut out));
        assert!(out.is_empty());
    }
}
