//! Reading one trace: its events through the detector, the pauses found,
//! and the SHA-256 of the whole input (for the profile's `trace-sha256`
//! label).

use crate::detect::{Detector, Overlap, Pause};
use sha2::{Digest, Sha256};
use std::io::{self, Read};

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
/// also the SHA-256 of all of the input's bytes.
pub fn scan(input: impl Read, hash: bool) -> Scan {
    let mut src = Hashing {
        inner: input,
        hash: hash.then(Sha256::new),
    };
    let mut scan = Scan::default();
    if let Err(e) = read(&mut src, &mut scan.pauses) {
        scan.error = Some(e);
        return scan;
    }
    if let Some(h) = src.hash.take() {
        scan.sha256 = Some(h.finalize().into());
    }
    scan
}

fn read(src: &mut impl Read, pauses: &mut Vec<Pause>) -> Result<(), Error> {
    let mut reader = gotrace::Reader::new(&mut *src)?;
    let mut detector = Detector::new();
    while let Some(ev) = reader.read_event()? {
        if let Some(p) = detector.event(&ev)? {
            pauses.push(p);
        }
    }
    drop(reader);
    // Hash whatever follows the trace's end too.
    io::copy(src, &mut io::sink())?;
    Ok(())
}
