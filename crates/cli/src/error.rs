//! The binaries' one error type: what failed and the file it concerns.
//! Library errors are wrapped with the path of the input or file they came
//! from; a write to a closed pipe is told apart by its kind, never by its
//! text.

use std::io;

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
    /// scope could not find or chart its instances.
    #[error("{path}: {source}")]
    Scope {
        /// The input or file.
        path: String,
        /// What went wrong.
        source: Box<scope::Error>,
    },
    /// A profile could not be read.
    #[error("{path}: {source}")]
    Profile {
        /// The profile's file (or bundle member).
        path: String,
        /// What is wrong with it.
        source: Box<pprof::Error>,
    },
    /// unstoppable could not follow a trace's stop-the-world ranges.
    #[error("{path}: {source}")]
    Stw {
        /// The input's name.
        path: String,
        /// What went wrong.
        source: Box<stw::Error>,
    },
    /// etperfetto could not convert a trace.
    #[error("{path}: {source}")]
    Perfetto {
        /// The input's name.
        path: String,
        /// What went wrong.
        source: Box<goperfetto::Error>,
    },
    /// ettables could not write an input's tables.
    #[error(transparent)]
    Tables(#[from] Box<tables::Error>),
    /// scope_chart's input holds no sample line.
    #[error("{path}: no sample lines (start N length N frac F stack A;B;...)")]
    NoSampleLines {
        /// The input's name.
        path: String,
    },
    /// Problems were already reported on standard error; the tool exits
    /// with this status.
    #[error("exit status {0}")]
    Exit(u8),
}

impl Error {
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
