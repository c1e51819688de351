//! The binaries' one error type: what failed and the file it concerns.
//! Library errors are wrapped with the path of the input or file they came
//! from; a write to a closed pipe is told apart by its kind, never by its
//! text.

use std::io;

/// A library error of a crate whose error type is its own message (or any
/// other), boxed.
pub type LibError = Box<dyn std::error::Error + Send + Sync>;

/// Why a tool, or one of its inputs, failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Flags that do not fit together (clap has checked each alone).
    #[error("{0}")]
    Usage(String),
    /// A file could not be opened.
    #[error("open {path}: {source}")]
    Open {
        /// The file, as named on the command line.
        path: String,
        /// What the system said.
        source: io::Error,
    },
    /// A file (or standard input) could not be read.
    #[error("read {path}: {source}")]
    Read {
        /// The file, as named on the command line.
        path: String,
        /// What the system said.
        source: io::Error,
    },
    /// An output file could not be written.
    #[error("write {path}: {source}")]
    Write {
        /// The file, as named on the command line.
        path: String,
        /// What the system said.
        source: io::Error,
    },
    /// Standard output could not be written.
    #[error("writing standard output: {0}")]
    Stdout(#[source] io::Error),
    /// A trace could not be read.
    #[error("{path}: {source}")]
    Trace {
        /// The input's name.
        path: String,
        /// The reader's error, with its byte offset.
        source: gotrace::Error,
    },
    /// A trace could not be read for, or analysed by, the region analysis;
    /// or a region pattern file or etviz's input is wrong.
    #[error("{path}: {source}")]
    Regions {
        /// The input's name.
        path: String,
        /// What went wrong, with the byte offset when the trace is broken.
        source: regions::Error,
    },
    /// An argument could not be turned into trace inputs.
    #[error(transparent)]
    Input(#[from] traceinput::Error),
    /// A bundle's profile could not be read.
    #[error("{path}: {source}")]
    Bundle {
        /// The bundle.
        path: String,
        /// What went wrong.
        source: autoprof::BundleError,
    },
    /// apshuffle failed.
    #[error(transparent)]
    Apshuffle(autoprof::Error),
    /// A graph picture could not be drawn.
    #[error("{path}: {source}")]
    Svg {
        /// The picture's file.
        path: String,
        /// What went wrong (Graphviz missing or failing).
        source: grgraph::svg::SvgError,
    },
    /// A library whose errors are still their message found a problem in
    /// the data of a file or input (scope's profiles and instances).
    #[error("{path}: {source}")]
    Data {
        /// The file or input, or what the data is when it has no file.
        path: String,
        /// The library's error.
        source: LibError,
    },
    /// Problems were already reported on standard error; the tool exits
    /// with this status.
    #[error("exit status {0}")]
    Exit(u8),
}

impl Error {
    /// Wraps a library error about the data of `path`.
    pub fn data(path: impl Into<String>, source: impl Into<LibError>) -> Error {
        Error::Data {
            path: path.into(),
            source: source.into(),
        }
    }

    /// Whether this is a write to a pipe whose reader has gone (as when
    /// the output is piped into `head`): the tool then ends quietly.
    pub fn is_closed_pipe(&self) -> bool {
        match self {
            Error::Stdout(e) | Error::Write { source: e, .. } => {
                e.kind() == io::ErrorKind::BrokenPipe
            }
            _ => false,
        }
    }
}
