//! What can go wrong with one input or one output file.

use std::path::PathBuf;

/// Why an input's tables could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The argument could not be turned into inputs.
    #[error(transparent)]
    Input(#[from] traceinput::Error),
    /// The trace could not be opened or read.
    #[error("{input}: {source}")]
    Read {
        input: String,
        source: std::io::Error,
    },
    /// The trace is broken (with the byte offset where known).
    #[error("{input}: {source}")]
    Trace {
        input: String,
        source: gotrace::Error,
    },
    /// regiongraph's analysis failed.
    #[error("{input}: {source}")]
    Regions {
        input: String,
        source: regions::Error,
    },
    /// The bundle, or one of its members, could not be read.
    #[error("{input}: {source}")]
    Bundle {
        input: String,
        source: autoprof::BundleError,
    },
    /// The bundle's `meta` is not valid.
    #[error("{input}: meta: {reason}")]
    Meta { input: String, reason: String },
    /// A profile of the bundle is not valid.
    #[error("{input}: pprof/{profile}: {reason}")]
    Profile {
        input: String,
        profile: String,
        reason: String,
    },
    /// An output file could not be created or renamed.
    #[error("write {}: {source}", path.display())]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The Parquet writer failed.
    #[error("write {}: {source}", path.display())]
    Parquet {
        path: PathBuf,
        source: parquet::errors::ParquetError,
    },
}
