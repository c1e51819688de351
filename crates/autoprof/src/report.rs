//! What went wrong with individual inputs (reported on stderr at the end,
//! in a deterministic order), and the optional progress bar.

use std::io::{self, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::BundleError;
use crate::paths::display;
use crate::rank::{Missing, Query};

/// Inputs that were skipped, with the reason, in the order found.
#[derive(Debug, Default)]
pub struct Problems {
    items: Vec<(String, String)>,
}

impl Problems {
    /// Records that the bundle or file at `rel` (relative to the root) was
    /// skipped because of `reason`.
    pub fn add(&mut self, rel: &Path, reason: BundleError) {
        self.items.push((
            display(rel).to_string_lossy().into_owned(),
            reason.to_string(),
        ));
    }

    /// How many inputs were skipped.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing was skipped.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Writes one `apshuffle: skipped <path>: <reason>` line per problem.
    pub fn write_to(&self, w: &mut impl Write) -> io::Result<()> {
        for (path, reason) in &self.items {
            writeln!(w, "apshuffle: skipped {path}: {reason}")?;
        }
        Ok(())
    }
}

/// Says, for each set of sample types among the profiles that lack the one
/// `-sample-type` names, which they are and which was used instead:
/// `apshuffle: -sample-type=X: no such sample type in pprof/P of N
/// bundle(s) (first: PATH), whose sample types are A, B; ranked by A, as
/// upstream does`.
pub fn unknown_sample_type(w: &mut impl Write, q: &Query, missing: &Missing) -> io::Result<()> {
    for (types, (n, first)) in missing {
        let first_type = types.first().map_or("(none)", String::as_str);
        writeln!(
            w,
            "apshuffle: -sample-type={}: no such sample type in pprof/{} of {n} bundle{} (first: {}), whose sample types are {}; ranked by {first_type}, as upstream does",
            q.sample_type,
            q.profile,
            if *n == 1 { "" } else { "s" },
            display(first).to_string_lossy(),
            types.join(", "),
        )?;
    }
    Ok(())
}

/// A progress bar on stderr, or nothing.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar of `len` steps labelled `what`, drawn only if `enabled`.
    pub fn new(enabled: bool, len: usize, what: &'static str) -> Self {
        Progress(enabled.then(|| {
            let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} {eta}") {
                bar.set_style(style);
            }
            bar.set_message(what);
            bar
        }))
    }

    /// Advances by one step.
    pub fn inc(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
