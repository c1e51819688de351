//! Where a Go 1.11–1.21 trace's bytes come from, and the windows the index
//! and each P's stream decode from: bytes held in memory (a stream read
//! whole), or a file read again by position, a window at a time, so that
//! memory does not grow with the trace.

use crate::error::{Error, Result};
use crate::input::ReadAt;
use std::io;
use std::sync::Arc;

/// The trace's data after its header.
pub(crate) enum Bytes {
    Held(Vec<u8>),
    /// Read by position, data offset 0 being at `base` in `file`, by
    /// windows of `chunk` bytes for each P (16 times that for the index).
    At {
        file: Arc<dyn ReadAt>,
        base: u64,
        chunk: usize,
    },
}

/// Bytes a P's stream reads at a time from a file: the runtime's batches
/// are at most 64 KiB.
const CHUNK: usize = 64 << 10;

impl Bytes {
    /// The data of the trace that `file` reads from its first byte.
    pub(crate) fn after_header(file: Arc<dyn ReadAt>) -> Bytes {
        Bytes::At {
            file,
            base: super::decode::BASE,
            chunk: CHUNK,
        }
    }

    /// A window for reading a P's batches.
    pub(crate) fn stream_window(&self) -> Window {
        Window::new(self.chunk())
    }

    /// A window for reading the whole data once.
    pub(crate) fn index_window(&self) -> Window {
        Window::new(self.chunk() * 16)
    }

    fn chunk(&self) -> usize {
        match self {
            Bytes::Held(_) => 0,
            Bytes::At { chunk, .. } => *chunk,
        }
    }
}

/// The most bytes one event takes: a UserLog with its longest arguments
/// and message (strings are shorter).
pub(crate) const MAX_EVENT: usize = 1 + 10 + 2048 + 10 + 1_000_000;

/// The most bytes a plain event takes (see `Decoder::plain`).
pub(crate) const MAX_PLAIN: usize = 1 + 10 + 2048;

/// A window on the data of a [`Bytes::At`]: the bytes from data offset
/// `start`, read by position as needed.
#[derive(Default)]
pub(crate) struct Window {
    /// The bytes read are `buf[..len]` (the rest is room, kept for the
    /// next read).
    buf: Vec<u8>,
    len: usize,
    start: usize,
    /// Bytes read at a time.
    chunk: usize,
    /// Whether the window reaches the end of the data.
    at_eof: bool,
}

impl Window {
    fn new(chunk: usize) -> Window {
        Window {
            buf: Vec::new(),
            len: 0,
            start: 0,
            chunk,
            at_eof: false,
        }
    }

    /// The data from offset `off` up to `end` (or the data's end): all of
    /// it for held bytes; for a file, at least `want` bytes of it (fewer
    /// only at `end` or at the data's end).
    #[inline]
    pub(crate) fn get<'a>(
        &'a mut self,
        bytes: &'a Bytes,
        off: usize,
        end: usize,
        want: usize,
    ) -> Result<&'a [u8]> {
        match bytes {
            Bytes::Held(data) => Ok(data.get(off..end.min(data.len())).unwrap_or(&[])),
            Bytes::At { file, base, .. } => {
                let held_end = self.start + self.len;
                let need = off.saturating_add(want).min(end);
                if off < self.start || need > held_end {
                    self.fill(&**file, *base, off, end, want)?;
                }
                let from = off - self.start;
                Ok(&self.buf[from..self.len])
            }
        }
    }

    /// Reads the window again from `off`: `chunk` bytes, or `want` if more,
    /// never past `end`; fewer at the end of the data.
    fn fill(
        &mut self,
        file: &dyn ReadAt,
        base: u64,
        off: usize,
        end: usize,
        want: usize,
    ) -> Result<()> {
        let len = self.chunk.max(want).min(end.saturating_sub(off));
        if self.buf.len() < len {
            self.buf.resize(len, 0);
        }
        let mut got = 0;
        while got < len {
            let pos = base + (off + got) as u64;
            match file.read_at(&mut self.buf[got..len], pos) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(pos, e)),
            }
        }
        self.at_eof = got < len;
        self.len = got;
        self.start = off;
        Ok(())
    }

    /// Whether the window, read from `off` up to `end`, stops short of
    /// `end` and of the data's end with fewer bytes than an event may
    /// take: a decoding error there may only mean that the event goes on
    /// past the window (read it again with `want` = [`MAX_EVENT`]).
    pub(crate) fn short(&self, bytes: &Bytes, off: usize, end: usize) -> bool {
        let held_end = self.start + self.len;
        matches!(bytes, Bytes::At { .. })
            && !self.at_eof
            && held_end < end
            && held_end.saturating_sub(off) < MAX_EVENT
    }

    /// Frees the window's buffer.
    pub(crate) fn release(&mut self) {
        self.buf = Vec::new();
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode::{Raw, next_in};
    use super::super::spec::EV_STRING;
    use super::*;
    use crate::table::Table;

    /// A string event of `len` bytes.
    fn string_event(id: u8, len: usize) -> Vec<u8> {
        let mut ev = vec![EV_STRING, id];
        let mut n = len;
        while n >= 0x80 {
            ev.push(n as u8 | 0x80);
            n >>= 7;
        }
        ev.push(n as u8);
        ev.extend(std::iter::repeat_n(b'x', len));
        ev
    }

    fn file(data: Vec<u8>, chunk: usize) -> Bytes {
        Bytes::At {
            file: Arc::new(data),
            base: 0,
            chunk,
        }
    }

    /// An event longer than the window is read again whole; one cut by
    /// the end of the data fails as it does from memory.
    #[test]
    fn events_longer_than_the_window() {
        let mut data = string_event(1, 5000);
        let first = data.len();
        data.extend(string_event(2, 3));
        let bytes = file(data.clone(), 16);
        let mut win = bytes.index_window();
        let (mut raw, mut table) = (Raw::default(), Table::default());
        let end = next_in(
            &mut win,
            &bytes,
            0,
            usize::MAX,
            21,
            &mut raw,
            Some(&mut table),
        );
        assert_eq!(end.unwrap(), Some(first));
        assert_eq!(table.str(1).len(), 5000);
        let end = next_in(
            &mut win,
            &bytes,
            first,
            usize::MAX,
            21,
            &mut raw,
            Some(&mut table),
        );
        assert_eq!(end.unwrap(), Some(data.len()));
        let end = next_in(&mut win, &bytes, data.len(), usize::MAX, 21, &mut raw, None);
        assert_eq!(end.unwrap(), None);

        let cut = data[..4000].to_vec();
        let held = Bytes::Held(cut.clone());
        let mut raw = Raw::default();
        let want = next_in(&mut win, &held, 0, usize::MAX, 21, &mut raw, None).unwrap_err();
        let bytes = file(cut, 16);
        let mut win = bytes.index_window();
        let got = next_in(&mut win, &bytes, 0, usize::MAX, 21, &mut raw, None).unwrap_err();
        assert_eq!(got.to_string(), want.to_string());
        assert!(got.offset().is_some(), "{got}");
    }
}
