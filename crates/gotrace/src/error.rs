//! The reader's error type: Go's message text plus, where known, the byte
//! offset in the input at which the problem was found.

use std::fmt;

/// An error found while reading a trace.
///
/// The message is worded like the one Go's own parser gives for the same
/// problem; `offset` is the byte offset in the input (counting the header)
/// of the batch, record or event that could not be read, when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    offset: Option<u64>,
    message: String,
}

impl Error {
    pub(crate) fn new(offset: Option<u64>, message: impl Into<String>) -> Error {
        Error {
            offset,
            message: message.into(),
        }
    }

    pub(crate) fn at(offset: u64, message: impl Into<String>) -> Error {
        Error::new(Some(offset), message)
    }

    /// The byte offset in the input where the problem was found, if known.
    pub fn offset(&self) -> Option<u64> {
        self.offset
    }

    /// The message alone, without the offset (Go's wording).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(off) => write!(f, "at byte offset {off}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, Error>;
