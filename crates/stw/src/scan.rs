//! Reading one trace: its events through the detector, the pauses found,
//! and the SHA-256 of the whole input (for the profile's `trace-sha256`
//! label).

use crate::detect::{Detector, Overlap, Pause};
use gotrace::{ReadAt, TraceSource};
use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::sync::Arc;

/// Why a trace could not be read to its end.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The trace is broken (the reader's error names the byte offset).
    #[error(transparent)]
    Trace(#[from] gotrace::Error),
    /// A stop-the-world range began inside another.
    #[error(transparent)]
    Overlap(#[from] Overlap),
    /// The input could not be read after the trace's end (for the hash).
    #[error("read: {0}")]
    Read(#[from] io::Error),
}

/// What one trace holds.
#[derive(Debug, Default)]
pub struct Scan {
    /// The pauses, in trace order (those before the problem, if any).
    pub pauses: Vec<Pause>,
    /// The SHA-256 of the whole input, when asked for and read to its end.
    pub sha256: Option<[u8; 32]>,
    /// Why the trace could not be read to its end.
    pub error: Option<Error>,
}

impl Scan {
    /// The SHA-256 in lowercase hex, if known.
    pub fn sha256_hex(&self) -> Option<String> {
        self.sha256
            .map(|h| h.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hash: Option<Sha256>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hash {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Reads the trace `input` to its end, finding its pauses; with `hash`,
/// also the SHA-256 of all of the input's bytes. A Go ≤1.21 trace in a
/// regular file is read by position; its stream is then read only for
/// the hash.
pub fn scan(input: TraceSource, hash: bool) -> Scan {
    let at = input.at();
    let mut src = Hashing {
        inner: input,
        hash: hash.then(Sha256::new),
    };
    let mut scan = Scan::default();
    if let Err(e) = read(&mut src, at, &mut scan.pauses) {
        scan.error = Some(e);
        return scan;
    }
    if let Some(h) = src.hash.take() {
        scan.sha256 = Some(h.finalize().into());
    }
    scan
}

fn read(
    src: &mut Hashing<TraceSource>,
    at: Option<Arc<dyn ReadAt>>,
    pauses: &mut Vec<Pause>,
) -> Result<(), Error> {
    let positional = at.is_some();
    let mut reader = match at {
        Some(at) => gotrace::Reader::with_positional(&mut *src, at)?,
        None => gotrace::Reader::new(&mut *src)?,
    };
    let mut detector = Detector::new();
    while let Some(ev) = reader.read_event()? {
        if let Some(p) = detector.event(&ev)? {
            pauses.push(p);
        }
    }
    let positional = positional && reader.version().is_v1();
    drop(reader);
    if positional && src.hash.is_none() {
        // Nothing more to learn from the stream: the trace was read by
        // position.
        return Ok(());
    }
    // Hash whatever follows the trace's end too (for a trace read by
    // position, all of it after the header).
    io::copy(
        &mut io::BufReader::with_capacity(256 << 10, src),
        &mut io::sink(),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A stream that gives at most 64 bytes a read, so that the reader's
    /// own buffering takes only the start of the trace from it.
    struct Trickle(Cursor<Vec<u8>>);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(64);
            self.0.read(&mut buf[..n])
        }
    }

    #[test]
    fn a_trace_read_by_position_is_hashed_whole_and_gives_the_same_pauses() {
        for name in ["go1.21", "http-go1.19", "go1.25"] {
            let path = testkit::testdata().join(format!("traces/{name}.trace"));
            let data = std::fs::read(&path).unwrap();
            let by_position = scan(
                TraceSource::positional(
                    Box::new(Trickle(Cursor::new(data.clone()))),
                    Arc::new(data.clone()),
                ),
                true,
            );
            assert!(by_position.error.is_none(), "{name}");
            let want: [u8; 32] = Sha256::digest(&data).into();
            assert_eq!(by_position.sha256, Some(want), "{name}");
            let streamed = scan(TraceSource::stream(Box::new(Cursor::new(data))), true);
            assert_eq!(by_position.pauses, streamed.pauses, "{name}");
            assert_eq!(streamed.sha256, Some(want), "{name}");
            assert!(!streamed.pauses.is_empty(), "{name}");
        }
    }
}
