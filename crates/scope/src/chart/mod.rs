//! scope_chart: draws scope_tls's text lines as a chart, one lane per
//! distinct stack and each sample at its fraction of the way through its
//! instance ([`input`] reads the lines, [`png`] and [`svg`] draw them as
//! upstream's scope_chart does).

pub mod input;
pub mod png;
pub mod prefixes;
pub mod svg;

/// Lane width (the PNG's column width, the SVG's row height), in pixels.
pub const LANE_WIDTH: usize = 30;
/// Length of the time axis, in pixels.
pub const LANE_LENGTH: usize = 800;
/// Half the side of a sample's square mark, in pixels.
pub const MARK_SIZE: i64 = 8;

/// Upstream scope_chart's built-in input (GC mark termination samples from
/// a Go program, not TLS), for `scope_chart -sample`.
pub const SAMPLE: &str = include_str!("sample.txt");
