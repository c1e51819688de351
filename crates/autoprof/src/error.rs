//! autoprof's errors: the fatal ones that end `apshuffle` ([`Error`]), and
//! the reasons one bundle or profile is skipped ([`BundleError`]), each
//! naming the path or member it concerns where that is not already said.

use std::io;
use std::path::PathBuf;

/// A fatal error of [`crate::run`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The `-C` root cannot be listed.
    #[error("-C {}: {source}", root.display())]
    Root {
        /// The root as given.
        root: PathBuf,
        /// Why it cannot be listed.
        source: io::Error,
    },
    /// Writing the results or the report of skipped inputs failed.
    #[error(transparent)]
    Write(#[from] io::Error),
}

/// Why one bundle, or one profile in it, was skipped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// A folder of the walk could not be listed.
    #[error("cannot list folder: {0}")]
    List(#[source] io::Error),
    /// The type of a walk entry could not be read.
    #[error("cannot stat")]
    Stat(#[source] io::Error),
    /// A zip file could not be opened.
    #[error("{0}")]
    OpenZip(#[source] io::Error),
    /// A zip file's central directory could not be read.
    #[error("not a readable zip file: {0}")]
    Zip(#[source] zip::result::ZipError),
    /// A zip member could not be found or opened.
    #[error("zip member {name}: {source}")]
    Member {
        /// The member's name.
        name: String,
        /// What the zip reader said.
        source: zip::result::ZipError,
    },
    /// A zip member could not be read (or decompressed).
    #[error("zip member {name}: {source}")]
    MemberRead {
        /// The member's name.
        name: String,
        /// What the zip reader said.
        source: io::Error,
    },
    /// A folder bundle's `meta` file could not be read.
    #[error("reading meta: {0}")]
    ReadMeta(#[source] io::Error),
    /// The `meta` file is not what Autoprof writes.
    #[error("bad meta: {0}")]
    BadMeta(#[source] serde_json::Error),
    /// A folder bundle's file could not be read.
    #[error("{}: {source}", path.display())]
    File {
        /// The file, relative to the root.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// `-write-links`: the bundle's `_link` is not apshuffle's own.
    #[error("not writing links: {0}")]
    NotOwnLink(String),
    /// `-write-links`: a link could not be made.
    #[error("not writing links: {0}: {1}")]
    Link(&'static str, #[source] io::Error),
    /// A profile could not be decoded.
    #[error("pprof/{name}: {source}")]
    Profile {
        /// The profile's name under `pprof/`.
        name: String,
        /// What the decoder said.
        source: pprof::Error,
    },
}
