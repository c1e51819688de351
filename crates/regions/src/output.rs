//! One input's complete output for the chosen mode, written as it is
//! produced (one span tree at a time); with several inputs each line names
//! its trace (a `path:` prefix on text lines, a `"Trace"` field in JSON
//! lines). Trees can be selected by root kind and length, and their
//! critical paths printed and handed back for a profile.

use crate::critical::{self, CriticalPath};
use crate::spans::Span;
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
    /// `-critical-path`: a block of text per tree.
    Critical,
    /// `-critical-path -json`: a JSON line per tree.
    CriticalJson,
}

impl Mode {
    /// Whether the mode prints critical paths.
    pub fn critical(self) -> bool {
        matches!(self, Mode::Critical | Mode::CriticalJson)
    }
}

/// Which trees to print: by root kind, and at least so long.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Select {
    /// The root region's kind, if only one.
    pub kind: Option<String>,
    /// The shortest root length kept, in nanoseconds.
    pub min_length_ns: i64,
}

impl Select {
    /// Whether the tree rooted at `root` is printed.
    pub fn keeps(&self, root: &Span) -> bool {
        root.length_ns >= self.min_length_ns && self.kind.as_ref().is_none_or(|k| *k == root.kind)
    }
}

/// Writes one analysis. `name` is the trace's name, given when several
/// traces are printed together. Stops at the first write error, which it
/// returns.
pub fn render(a: Analysis, mode: Mode, name: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    render_selected(a, Some(mode), &Select::default(), name, out, None)
}

/// Writes one analysis, as [`render`] does, in tree modes only the trees
/// `select` keeps; with `paths`, the critical paths of those trees are
/// collected there too (the analysis must then have been run with
/// [`Analysis::run_critical`], as for the critical modes). Stops at the
/// first write error, which it returns.
pub fn render_selected(
    a: Analysis,
    mode: Option<Mode>,
    select: &Select,
    name: Option<&str>,
    out: &mut dyn Write,
    mut paths: Option<&mut Vec<CriticalPath>>,
) -> io::Result<()> {
    match mode {
        Some(Mode::Chains) => return text::chains(&a, name, out),
        Some(Mode::Pairs) => return text::pairs(&a, name, out),
        Some(Mode::Regions) => return text::regions(&a, name, out),
        None if paths.is_none() => return Ok(()),
        _ => {}
    }
    let wants_paths = mode.is_some_and(Mode::critical) || paths.is_some();
    let (trees, mut finder) = a.into_trees_and_paths();
    for span in trees.filter(|s| select.keeps(s)) {
        let path = match &mut finder {
            Some(f) if wants_paths => Some(f.of(&span)),
            _ => None,
        };
        match (mode, &path) {
            (Some(Mode::Json), _) => {
                json::write_span(out, &span, name)?;
                out.write_all(b"\n")?;
            }
            (Some(Mode::JsonSummary), _) => {
                json::write_summary(out, &summary::summarize(&span), name)?;
                out.write_all(b"\n")?;
            }
            (Some(Mode::CriticalJson), Some(p)) => {
                critical::json::write(out, p, name)?;
                out.write_all(b"\n")?;
            }
            (Some(Mode::Critical), Some(p)) => critical::text::write(out, p, name)?,
            _ => {}
        }
        if let (Some(list), Some(p)) = (paths.as_deref_mut(), path) {
            list.push(p);
        }
    }
    Ok(())
}
