//! One input's complete output for the chosen mode, written as it is
//! produced (one span tree at a time); with several inputs each line names
//! its trace (a `path:` prefix on text lines, a `"Trace"` field in JSON
//! lines).

use crate::{Analysis, json, summary, text};
use std::io::{self, Write};

/// What to print (upstream's flags, first set wins in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `-show-chains`.
    Chains,
    /// `-show-pairs`.
    Pairs,
    /// `-show-regions`.
    Regions,
    /// `-json`.
    Json,
    /// `-json -summarize`.
    JsonSummary,
}

/// Writes one analysis. `name` is the trace's name, given when several
/// traces are printed together. Stops at the first write error, which it
/// returns.
pub fn render(a: Analysis, mode: Mode, name: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    match mode {
        Mode::Chains => text::chains(&a, name, out),
        Mode::Pairs => text::pairs(&a, name, out),
        Mode::Regions => text::regions(&a, name, out),
        Mode::Json | Mode::JsonSummary => {
            for span in a.into_trees() {
                if mode == Mode::Json {
                    json::write_span(out, &span, name)?;
                } else {
                    json::write_summary(out, &summary::summarize(&span), name)?;
                }
                out.write_all(b"\n")?;
            }
            Ok(())
        }
    }
}
