//! What a [`Reader`](crate::Reader) reads: any stream, or a
//! [`TraceSource`] that can also be read by position ([`ReadAt`]), which
//! spares holding a whole Go ≤1.21 trace in memory.

use std::io::{self, Read};
use std::sync::Arc;

/// Positional reads of a trace's bytes, position 0 being its first byte
/// (the header's). With one, a Go ≤1.21 trace's batches are read again as
/// the reader needs them instead of the whole trace being held in memory.
pub trait ReadAt: Send + Sync {
    /// Reads up to `buf.len()` bytes at `pos`; 0 only at the end.
    fn read_at(&self, buf: &mut [u8], pos: u64) -> io::Result<usize>;
}

impl ReadAt for std::fs::File {
    fn read_at(&self, buf: &mut [u8], pos: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, pos)
    }
}

/// Bytes in memory.
impl ReadAt for Vec<u8> {
    fn read_at(&self, buf: &mut [u8], pos: u64) -> io::Result<usize> {
        let rest = usize::try_from(pos)
            .ok()
            .and_then(|p| self.get(p..))
            .unwrap_or(&[]);
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }
}

impl<T: ReadAt + ?Sized> ReadAt for Arc<T> {
    fn read_at(&self, buf: &mut [u8], pos: u64) -> io::Result<usize> {
        (**self).read_at(buf, pos)
    }
}

/// A trace opened from its start: a stream, and for a regular file the
/// same bytes by position. Read it with
/// [`Reader::from_source`](crate::Reader::from_source).
pub struct TraceSource {
    stream: Box<dyn Read + Send>,
    at: Option<Arc<dyn ReadAt>>,
}

impl TraceSource {
    /// A stream only (standard input, a pipe, a decompressed member): a
    /// Go ≤1.21 trace read from it is held in memory.
    pub fn stream(stream: Box<dyn Read + Send>) -> TraceSource {
        TraceSource { stream, at: None }
    }

    /// `stream`, whose bytes `at` also reads by position from the same
    /// first byte.
    pub fn positional(stream: Box<dyn Read + Send>, at: Arc<dyn ReadAt>) -> TraceSource {
        TraceSource {
            stream,
            at: Some(at),
        }
    }

    /// A regular file, from its start, read by position.
    pub fn file(file: std::fs::File) -> TraceSource {
        let file = Arc::new(file);
        let stream = PositionalStream {
            at: file.clone(),
            pos: 0,
        };
        TraceSource::positional(Box::new(stream), file)
    }

    /// The positional reads, if any (for a caller that reads the stream
    /// itself through a wrapper, with
    /// [`Reader::with_positional`](crate::Reader::with_positional)).
    pub fn at(&self) -> Option<Arc<dyn ReadAt>> {
        self.at.clone()
    }
}

impl std::fmt::Debug for TraceSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceSource")
            .field("positional", &self.at.is_some())
            .finish_non_exhaustive()
    }
}

impl Read for TraceSource {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.read(buf)
    }
}

/// Sequential reads made of positional ones.
struct PositionalStream {
    at: Arc<dyn ReadAt>,
    pos: u64,
}

impl Read for PositionalStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.at.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}
