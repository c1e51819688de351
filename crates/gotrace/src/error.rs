//! The reader's error type: a failure to read the input (with its
//! [`io::ErrorKind`]) or a problem with the trace itself (worded like Go's
//! parser), each with the byte offset in the input where it was found,
//! when known.

use std::borrow::Cow;
use std::io;
use std::sync::Arc;

/// An error found while reading a trace.
///
/// Offsets count bytes from the start of the input (the header included)
/// and point at the batch, record or event that could not be read. The
/// error is `Clone` (the reader returns it again on every later call), so
/// an I/O error is shared.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input could not be read.
    #[error("at byte offset {offset}: {}read error: {source}", context(.during))]
    Io {
        /// How far the input had been read.
        offset: u64,
        /// What was being read, in Go's words (`batch gen`), if that is
        /// part of the message.
        during: Option<&'static str>,
        /// What the system said; its [`io::Error::kind`] tells why.
        source: Arc<io::Error>,
    },
    /// The input is no trace, or a trace this reader (like Go's) rejects.
    #[error("{}", located(.offset, .message))]
    Format {
        /// Where the problem is, if known.
        offset: Option<u64>,
        /// Go's wording of the problem.
        message: String,
    },
}

fn context(during: &Option<&'static str>) -> String {
    during.map_or_else(String::new, |d| format!("error reading {d}: "))
}

fn located(offset: &Option<u64>, message: &str) -> String {
    match offset {
        Some(off) => format!("at byte offset {off}: {message}"),
        None => message.to_string(),
    }
}

impl Error {
    pub(crate) fn new(offset: Option<u64>, message: impl Into<String>) -> Error {
        Error::Format {
            offset,
            message: message.into(),
        }
    }

    pub(crate) fn at(offset: u64, message: impl Into<String>) -> Error {
        Error::new(Some(offset), message)
    }

    pub(crate) fn io(offset: u64, source: io::Error) -> Error {
        Error::Io {
            offset,
            during: None,
            source: Arc::new(source),
        }
    }

    /// The same error met while reading `what` (Go's "error reading batch
    /// gen: ..."), at the same offset.
    pub(crate) fn reading(self, what: &'static str) -> Error {
        match self {
            Error::Io { offset, source, .. } => Error::Io {
                offset,
                during: Some(what),
                source,
            },
            Error::Format { offset, message } => Error::Format {
                offset,
                message: format!("error reading {what}: {message}"),
            },
        }
    }

    /// The byte offset in the input where the problem was found, if known.
    pub fn offset(&self) -> Option<u64> {
        match self {
            Error::Io { offset, .. } => Some(*offset),
            Error::Format { offset, .. } => *offset,
        }
    }

    /// The message alone, without the offset (Go's wording).
    pub fn message(&self) -> Cow<'_, str> {
        match self {
            Error::Io { during, source, .. } => {
                Cow::Owned(format!("{}read error: {source}", context(during)))
            }
            Error::Format { message, .. } => Cow::Borrowed(message),
        }
    }

    /// For an I/O error, why the input could not be read.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            Error::Io { source, .. } => Some(source.kind()),
            Error::Format { .. } => None,
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A reader that fails after `good` bytes.
    struct Failing {
        good: &'static [u8],
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.good.is_empty() {
                return Err(io::Error::new(io::ErrorKind::ConnectionReset, "gone"));
            }
            let n = self.good.read(buf)?;
            Ok(n)
        }
    }

    #[test]
    fn io_errors_keep_their_kind_and_offset() {
        let input = Failing {
            good: b"go 1.26 trace\0\0\0",
        };
        let mut r = crate::Reader::new(input).unwrap();
        let e = loop {
            match r.read_event() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("no error"),
                Err(e) => break e,
            }
        };
        assert_eq!(e.io_kind(), Some(io::ErrorKind::ConnectionReset));
        assert_eq!(e.offset(), Some(16));
        assert_eq!(e.to_string(), "at byte offset 16: read error: gone");
        let source = std::error::Error::source(&e).expect("a source");
        assert_eq!(source.to_string(), "gone");
        // The same error again on the next call.
        let again = r.read_event().unwrap_err();
        assert_eq!(again.io_kind(), Some(io::ErrorKind::ConnectionReset));
    }

    #[test]
    fn display_is_offset_then_message() {
        assert_eq!(Error::at(7, "bad").to_string(), "at byte offset 7: bad");
        assert_eq!(Error::new(None, "bad").to_string(), "bad");
        let e = Error::at(3, "EOF").reading("batch gen");
        assert_eq!(
            e.to_string(),
            "at byte offset 3: error reading batch gen: EOF"
        );
        assert_eq!(e.io_kind(), None);
        let e = Error::io(9, io::Error::other("x")).reading("batch size");
        assert_eq!(
            e.to_string(),
            "at byte offset 9: error reading batch size: read error: x"
        );
        assert_eq!(e.message(), "error reading batch size: read error: x");
    }
}
