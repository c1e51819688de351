//! One input's complete output for the chosen mode, as text ready to be
//! written; with several inputs each line names its trace (a `path:`
//! prefix on text lines, a `"Trace"` field in JSON lines).

use crate::{Analysis, json, summary, text};

/// What to print (upstream's flags, first set wins in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Chains,
    Pairs,
    Regions,
    Json,
    JsonSummary,
}

/// Renders one analysis. `name` is the trace's name, given when several
/// traces are printed together.
pub fn render(a: &Analysis, mode: Mode, name: Option<&str>) -> String {
    let mut out = String::new();
    let lines = match mode {
        Mode::Chains => text::chains(a),
        Mode::Pairs => text::pairs(a),
        Mode::Regions => text::regions(a),
        Mode::Json | Mode::JsonSummary => {
            for span in a.spans() {
                if mode == Mode::Json {
                    json::write_span(&mut out, &span, name);
                } else {
                    json::write_summary(&mut out, &summary::summarize(&span), name);
                }
                out.push('\n');
            }
            return out;
        }
    };
    for line in lines {
        if let Some(n) = name {
            out.push_str(n);
            out.push(':');
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}
