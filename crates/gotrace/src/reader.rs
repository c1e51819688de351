//! The public `Reader`: detects the format from the header and yields
//! events one at a time in the order Go's parser yields them.

use crate::bytes::Stream;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::input::{ReadAt, TraceSource};
use crate::v1::convert::Converter;
use crate::v1::source::Bytes;
use crate::v2::reader::{Next, V2Reader};
use crate::version::{Version, read_header};
use std::io::{BufReader, Read};
use std::sync::Arc;

/// Reads the events of one execution trace.
///
/// ```no_run
/// use gotrace::{EventKind, Reader};
///
/// let file = std::fs::File::open("app.trace")?;
/// let mut reader = Reader::new(file)?;
/// let mut blocked = 0;
/// while let Some(ev) = reader.read_event()? {
///     if ev.kind() == EventKind::StateTransition {
///         let st = ev.state_transition().unwrap();
///         if st.reason == "sync" {
///             blocked += 1;
///             for frame in ev.stack().frames() {
///                 println!("  {} {}:{}", frame.func(), frame.file(), frame.line());
///             }
///         }
///     }
/// }
/// println!("{blocked} goroutines blocked on sync primitives");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Reader<R: Read> {
    version: Version,
    inner: Source<R>,
    failed: Option<Error>,
}

/// Where events come from: the incremental Go 1.22+ reader, or the
/// converted events of a Go 1.11–1.21 trace (indexed, then merged and
/// converted a chunk at a time, its bytes held whole or read again by
/// position).
enum Source<R: Read> {
    V2(Box<V2Reader<BufReader<R>>>),
    V1(Box<Converter>),
}

impl<R: Read> Reader<R> {
    /// Reads the header. Fails on input that is not a trace or whose
    /// format version is not supported. A Go ≤1.21 trace is read whole
    /// into memory first (its events can be ordered only once all of it
    /// is known); [`Reader::with_positional`] does not hold it.
    pub fn new(input: R) -> Result<Reader<R>> {
        Reader::open(input, None)
    }

    /// Like [`Reader::new`], but a Go ≤1.21 trace is read again by
    /// position from `at` (the same bytes as `input`, from the trace's
    /// first byte: a regular file, typically): once to index it, then
    /// each P's batches as the merge reaches them, so that memory holds
    /// the trace's string and stack tables but not its events. Go 1.22+
    /// traces are read from `input` alone.
    pub fn with_positional(input: R, at: Arc<dyn ReadAt>) -> Result<Reader<R>> {
        Reader::open(input, Some(at))
    }

    fn open(input: R, at: Option<Arc<dyn ReadAt>>) -> Result<Reader<R>> {
        let mut stream = Stream::new(BufReader::with_capacity(256 << 10, input));
        let version = read_header(&mut stream)?;
        let inner = if version.is_v1() {
            let data = match at {
                Some(at) => Bytes::after_header(at),
                None => {
                    let mut data = Vec::new();
                    stream.read_to_end(&mut data)?;
                    Bytes::Held(data)
                }
            };
            Source::V1(Box::new(Converter::new(data, version)?))
        } else {
            Source::V2(Box::new(V2Reader::new(stream, version)))
        };
        Ok(Reader {
            version,
            inner,
            failed: None,
        })
    }

    /// The trace's format version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The next event, or `None` at the end of the trace. After an error,
    /// every later call returns the same error.
    #[inline]
    pub fn read_event(&mut self) -> Result<Option<Event<'_>>> {
        match self.advance() {
            Next::Event => {}
            Next::End => return Ok(None),
            Next::Failed => return self.failed.clone().map_or(Ok(None), Err),
        }
        // Borrowed from the reader's record: no copy per event.
        Ok(Some(match &self.inner {
            Source::V2(r) => Event {
                raw: r.event(),
                table: r.table(),
            },
            Source::V1(r) => Event {
                raw: r.event(),
                table: &r.table,
            },
        }))
    }

    /// Moves to the next event. After `Next::Failed` (this time or any
    /// earlier one) the error is in `self.failed`.
    fn advance(&mut self) -> Next {
        if self.failed.is_some() {
            return Next::Failed;
        }
        let (next, error) = match &mut self.inner {
            Source::V2(r) => match r.next() {
                Next::Failed => (Next::Failed, r.error.take()),
                next => (next, None),
            },
            Source::V1(r) => match r.next() {
                Next::Failed => (Next::Failed, r.error.take()),
                next => (next, None),
            },
        };
        if error.is_some() {
            self.failed = error;
        }
        next
    }
}

impl Reader<TraceSource> {
    /// Reads the header of `source`; a Go ≤1.21 trace is read by position
    /// if `source` can be (see [`Reader::with_positional`]), else held in
    /// memory.
    pub fn from_source(source: TraceSource) -> Result<Reader<TraceSource>> {
        let at = source.at();
        Reader::open(source, at)
    }
}

impl<R: Read> std::fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}
