//! Why scope could not find its instances or draw its chart.

/// A failure of the region search or of the chart.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `-region KIND` names no kind of the region patterns.
    #[error("no region kind {kind:?} (kinds: {})", .known.join(", "))]
    NoRegionKind {
        /// The kind asked for.
        kind: String,
        /// The kinds the patterns define.
        known: Vec<String>,
    },
    /// The region analysis could not read the trace.
    #[error(transparent)]
    Regions(#[from] regions::Error),
    /// A chart without lanes (upstream refuses it too).
    #[error("no samples to draw")]
    NoSamples,
    /// More lanes than a PNG can be wide.
    #[error("{lanes} distinct stacks: too many lanes for a PNG (at most {max}); use -svg")]
    TooManyLanes {
        /// The chart's lanes.
        lanes: usize,
        /// The most a PNG can hold.
        max: usize,
    },
    /// A line of the chart's input goes past a limit.
    #[error("line {line}: {source}")]
    Line {
        /// Its number, from 1.
        line: usize,
        /// The limit.
        source: limits::Exceeded,
    },
    /// The chart's input goes past a limit.
    #[error(transparent)]
    Limit(#[from] limits::Exceeded),
    /// The PNG encoder failed.
    #[error("png: {0}")]
    Png(#[from] png::EncodingError),
}
