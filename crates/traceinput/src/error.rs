//! Why an argument could not be turned into inputs: each error names the
//! path (as given, or as found under a searched folder) it concerns.

use autoprof::BundleError;

/// An argument, or something found under a searched folder, that cannot be
/// read as a trace input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A bundle that cannot be read (a zip that is not one, or cut short).
    #[error("{path}: {source}")]
    Bundle {
        /// The bundle.
        path: String,
        /// What went wrong.
        source: BundleError,
    },
    /// A bundle named on the command line has no `pprof/trace`.
    #[error("{path}: bundle has no pprof/trace")]
    NoTrace {
        /// The bundle.
        path: String,
    },
    /// A zip file named on the command line has no `meta` member.
    #[error("{path}: not an Autoprof bundle (no meta member)")]
    NotBundle {
        /// The zip file.
        path: String,
    },
    /// A bundle's `pprof/trace` member is stored in a way that cannot be
    /// read in place.
    #[error("{path}: pprof/trace: {reason}")]
    Member {
        /// The bundle.
        path: String,
        /// What is wrong with the member.
        reason: String,
    },
    /// A folder under a searched one, or an entry in it, cannot be read.
    #[error("{path}: {source}")]
    Search {
        /// The folder or entry.
        path: String,
        /// What went wrong.
        source: BundleError,
    },
    /// A file under a searched folder cannot be opened to see whether it is
    /// a trace.
    #[error("open {path}: {source}")]
    Open {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
}
