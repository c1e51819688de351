//! The public `Reader`: detects the format from the header and yields
//! events one at a time in the order Go's parser yields them.

use crate::bytes::Stream;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::v2::reader::V2Reader;
use crate::version::{Version, read_header};
use std::io::{BufReader, Read};

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
    inner: V2Reader<BufReader<R>>,
    failed: Option<Error>,
}

impl<R: Read> Reader<R> {
    /// Reads the header. Fails on input that is not a trace or whose
    /// format version is not supported.
    pub fn new(input: R) -> Result<Reader<R>> {
        let mut stream = Stream::new(BufReader::with_capacity(256 << 10, input));
        let version = read_header(&mut stream)?;
        if version.is_v1() {
            return Err(Error::at(
                0,
                format!(
                    "unsupported trace version go 1.{} (Go 1.11–1.21 format)",
                    version.minor()
                ),
            ));
        }
        Ok(Reader {
            version,
            inner: V2Reader::new(stream, version),
            failed: None,
        })
    }

    /// The trace's format version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The next event, or `None` at the end of the trace. After an error,
    /// every later call returns the same error.
    pub fn read_event(&mut self) -> Result<Option<Event<'_>>> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match self.inner.next() {
            Ok(Some(raw)) => Ok(Some(Event {
                raw,
                table: self.inner.table(),
            })),
            Ok(None) => Ok(None),
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }
}

impl<R: Read> std::fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}
