//! Reading scope_tls's text lines into lanes (distinct stacks, sorted) and
//! samples (fraction and lane), as upstream's scope_chart does.

use crate::Error;
use limits::Limit;
use std::collections::{BTreeSet, HashMap};

/// Frames in one line's stack.
pub static MAX_FRAMES: Limit = Limit::new("TOOLBOX_MAX_FRAMES", 100_000, "frames in a stack");
/// Distinct stacks, each a lane of the picture.
pub static MAX_LANES: Limit = Limit::new(
    "TOOLBOX_MAX_LANES",
    100_000,
    "distinct stacks (lanes) in a picture",
);

/// The chart's data.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Distinct stacks, root first without the root frame itself, sorted
    /// frame by frame (a prefix sorts first). Lane `i` (0-based) is
    /// `lanes[i]`.
    pub lanes: Vec<Vec<String>>,
    /// (fraction, 0-based lane), sorted by fraction and then lane.
    pub samples: Vec<(f64, usize)>,
}

/// Whether a float's text names infinity itself ("inf", "+Infinity", …),
/// which Go parses without error, rather than a number out of range.
fn spells_infinity(text: &str) -> bool {
    let t = text.trim_start_matches(['+', '-']);
    t.eq_ignore_ascii_case("inf") || t.eq_ignore_ascii_case("infinity")
}

/// Parses the lines: a line is used only if it has exactly 8
/// whitespace-separated fields and the 6th is a number; the 8th is the
/// `;`-separated stack, whose first (root) frame is dropped. Other lines
/// are skipped. A stack deeper than [`MAX_FRAMES`], or more distinct
/// stacks than [`MAX_LANES`], is an error.
pub fn parse(text: &str) -> Result<Chart, Error> {
    let mut raw = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() != 8 {
            continue;
        }
        let Ok(frac) = fields[5].parse::<f64>() else {
            continue;
        };
        if frac.is_infinite() && !spells_infinity(fields[5]) {
            // Go's ParseFloat calls a number too large a range error,
            // and upstream skips the line.
            continue;
        }
        let frames = fields[7].split(';').skip(1);
        let depth = frames.clone().count();
        MAX_FRAMES
            .check(depth as u64)
            .map_err(|source| Error::Line {
                line: i + 1,
                source,
            })?;
        raw.push((frac, frames.map(str::to_owned).collect::<Vec<String>>()));
    }
    let distinct: BTreeSet<&Vec<String>> = raw.iter().map(|(_, s)| s).collect();
    MAX_LANES.check(distinct.len() as u64)?;
    let lanes: Vec<Vec<String>> = distinct.into_iter().cloned().collect();
    let index: HashMap<&Vec<String>, usize> =
        lanes.iter().enumerate().map(|(i, s)| (s, i)).collect();
    let mut samples: Vec<(f64, usize)> = raw.iter().map(|(f, s)| (*f, index[s])).collect();
    samples.sort_by(|a, b| {
        a.0.partial_cmp(&b.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    Ok(Chart { lanes, samples })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_out_of_range_are_skipped_as_go_does() {
        let c = parse(
            "start 1 length 2 frac 0.8E5725 stack r;a\n\
             start 1 length 2 frac -1e999 stack r;a\n\
             start 1 length 2 frac Inf stack r;b\n\
             start 1 length 2 frac -infinity stack r;b\n\
             start 1 length 2 frac NaN stack r;b\n",
        )
        .unwrap();
        assert_eq!(c.lanes, [vec!["b".to_string()]]);
        assert_eq!(c.samples.len(), 3);
        assert!(c.samples.iter().any(|s| s.0.is_nan()));
    }

    #[test]
    fn lanes_sorted_and_root_dropped() {
        let c = parse(
            "start 1 length 2 frac 0.5 stack r;a;b\n\
             junk line\n\
             start 1 length 2 frac x stack r;a\n\
             start 1 length 2 frac 0.25 stack q;a\r\n\
             start 1 length 2 frac 0.25 stack r;0\n",
        )
        .unwrap();
        let lanes: Vec<Vec<&str>> = c
            .lanes
            .iter()
            .map(|l| l.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(lanes, [vec!["0"], vec!["a"], vec!["a", "b"]]);
        assert_eq!(c.samples, [(0.25, 0), (0.25, 1), (0.5, 2)]);
        let p = crate::chart::prefixes::Prefixes::new(&c);
        assert_eq!((p.weight(1, 1), p.weight(2, 2), p.weight(0, 1)), (2, 1, 1));
    }
}
