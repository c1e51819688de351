//! Why a conversion failed: the trace could not be read (with the reader's
//! byte offset), the region analysis failed, or the output could not be
//! written.

use std::io;

/// A conversion error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The trace could not be opened or read.
    #[error("{0}")]
    Read(#[source] io::Error),
    /// The trace is broken or of an unknown format.
    #[error(transparent)]
    Trace(#[from] gotrace::Error),
    /// The region analysis (`-regions`) failed.
    #[error(transparent)]
    Regions(#[from] regions::Error),
    /// The output could not be written.
    #[error("{0}")]
    Write(#[source] io::Error),
}

/// A conversion result.
pub type Result<T> = std::result::Result<T, Error>;
