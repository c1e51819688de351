//! A critical path as text: a line for the root (kind, goroutine, start,
//! length), then a line per segment: its offset from the root's start and
//! length (milliseconds), share of the root, goroutine, state (with the
//! reason of a wait) and function. Each line is led by `NAME:` when a trace
//! name is given.

use super::CriticalPath;
use std::io::{self, Write};

/// Nanoseconds as milliseconds, to the nanosecond.
fn ms(ns: i64) -> String {
    format!("{:.6}", ns as f64 / 1e6)
}

/// Writes the block of one tree, and an empty line after it.
pub fn write(out: &mut dyn Write, path: &CriticalPath, trace: Option<&str>) -> io::Result<()> {
    let lead = trace.map(|t| format!("{t}:")).unwrap_or_default();
    let r = &path.root;
    writeln!(
        out,
        "{lead}{} g={} start={}ms length={}ms",
        r.kind,
        r.g,
        ms(r.start_ns),
        ms(r.length_ns)
    )?;
    for s in &path.segments {
        let share = if r.length_ns > 0 {
            100.0 * s.length_ns as f64 / r.length_ns as f64
        } else {
            0.0
        };
        writeln!(
            out,
            "{lead}  +{:>12} {:>12}ms {:>5.1}%  g={:<6} {:<22} {}",
            ms(s.start_ns - r.start_ns),
            ms(s.length_ns),
            share,
            s.g,
            s.label(),
            s.func().unwrap_or("-")
        )?;
    }
    writeln!(out, "{lead}")
}
