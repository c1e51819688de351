//! Reading a bundle's files without ever waiting and without unbounded
//! memory: a file is opened non-blocking and refused unless it is a
//! regular file (a FIFO or device found in a pile is reported, never
//! waited on), and a file or zip member is read whole only up to the cap
//! on decompressed sizes ([`pprof::max_decompressed`]).

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Opens `path` for reading without blocking (so opening a FIFO returns at
/// once) and checks that it is a regular file (symlinks followed). A
/// folder gives an [`io::ErrorKind::IsADirectory`] error, anything else
/// that is not a regular file an [`io::ErrorKind::InvalidInput`] one.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let f = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let ty = f.metadata()?.file_type();
    if ty.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        ));
    }
    if !ty.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (skipped, never waited on)",
        ));
    }
    Ok(f)
}

/// Appends the whole regular file `path` to `buf` ([`open_regular`]),
/// up to the cap on decompressed sizes ([`read_capped`]).
pub fn read_file(path: &Path, buf: &mut Vec<u8>) -> io::Result<()> {
    read_capped(open_regular(path)?, buf, pprof::max_decompressed())
}

/// Appends all of `r` to `buf`, failing with [`TooLarge`] once more than
/// `limit` bytes have been read.
pub fn read_capped(r: impl Read, buf: &mut Vec<u8>, limit: u64) -> io::Result<()> {
    let start = buf.len();
    r.take(limit.saturating_add(1)).read_to_end(buf)?;
    if (buf.len() - start) as u64 > limit {
        buf.truncate(start);
        buf.shrink_to(start);
        return Err(io::Error::new(io::ErrorKind::FileTooLarge, TooLarge(limit)));
    }
    Ok(())
}

/// The error inside an [`io::Error`] of kind `FileTooLarge` from
/// [`read_capped`]: the cap that was hit.
#[derive(Debug, thiserror::Error)]
#[error("larger than the limit of {0} bytes ({how})", how = pprof::limit::how_to_raise())]
pub struct TooLarge(pub u64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifos_are_refused_at_once_and_sizes_capped() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("heap");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = open_regular(&fifo).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            open_regular(tmp.path()).unwrap_err().kind(),
            io::ErrorKind::IsADirectory
        );
        let mut buf = b"x".to_vec();
        let e = read_capped(&[7u8; 11][..], &mut buf, 10).unwrap_err();
        assert!(e.to_string().contains("limit of 10 bytes"), "{e}");
        assert_eq!(buf, b"x");
        read_capped(&[7u8; 10][..], &mut buf, 10).unwrap();
        assert_eq!(buf.len(), 11);
    }
}
