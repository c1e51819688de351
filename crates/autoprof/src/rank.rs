//! Counting mode: one number per bundle (the chosen sample value summed
//! over the samples the filters keep), optionally minus the same number for
//! the previous counted bundle of the same process, in upstream's order.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use pprof::Filter;
use rayon::prelude::*;

use crate::bundle::Bundle;
use crate::error::BundleError;
use crate::report::{Problems, Progress};

/// A bundle's value, and the bundle it was compared with (`-vs-prev`).
#[derive(Debug, Clone)]
pub struct Ranked<'b> {
    /// The bundle.
    pub bundle: &'b Bundle,
    /// Its sum, or its sum minus its base's sum.
    pub value: i128,
    /// The previous bundle of the same process, with `-vs-prev`.
    pub base: Option<&'b Bundle>,
}

/// What to count.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Profile name under `pprof/`, already cleaned.
    pub profile: String,
    /// Sample type; empty means the profile's default, else index 0.
    pub sample_type: String,
    /// Focus and ignore patterns.
    pub filter: Filter,
}

/// Profiles that lack the sample type asked for, grouped by the sample
/// types they have: those types, how many bundles, and the first of them.
pub type Missing = BTreeMap<Vec<String>, (usize, PathBuf)>;

/// Counts every bundle in parallel. `None` for bundles without the profile
/// (silently skipped, as upstream does) and for unreadable ones (recorded
/// in `problems`). Profiles without the sample type asked for are counted
/// by their first one, as upstream does, and recorded in `missing`.
pub fn count(
    root: &Path,
    bundles: &[Bundle],
    q: &Query,
    problems: &mut Problems,
    missing: &mut Missing,
    progress: bool,
) -> Vec<Option<i128>> {
    let bar = Progress::new(progress, bundles.len(), "counting");
    let results: Vec<Result<Option<pprof::Summed>, BundleError>> = bundles
        .par_iter()
        .map(|b| {
            let r = count_one(root, b, q);
            bar.inc();
            r
        })
        .collect();
    bar.finish();
    bundles
        .iter()
        .zip(results)
        .map(|(b, r)| match r {
            Ok(Some(s)) => {
                if let Some(types) = s.missing {
                    missing.entry(types).or_insert((0, b.rel.clone())).0 += 1;
                }
                Some(s.total)
            }
            Ok(None) => None,
            Err(e) => {
                problems.add(&b.rel, e);
                None
            }
        })
        .collect()
}

/// Counts one bundle, reading its profile into a per-thread buffer so that
/// memory stays at one profile per thread.
fn count_one(root: &Path, b: &Bundle, q: &Query) -> Result<Option<pprof::Summed>, BundleError> {
    thread_local! {
        static RAW: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    RAW.with(|raw| {
        let mut raw = raw.borrow_mut();
        if !b.read_profile(root, &q.profile, &mut raw)? {
            return Ok(None);
        }
        let sum = pprof::sum_checked(&raw, &q.sample_type, &q.filter)
            .map(Some)
            .map_err(|source| BundleError::Profile {
                name: q.profile.clone(),
                source,
            });
        shrink(&mut raw);
        sum
    })
}

/// Keeps a reused buffer from holding on to an unusually large profile.
fn shrink(buf: &mut Vec<u8>) {
    const KEEP: usize = 64 << 20;
    if buf.capacity() > KEEP {
        *buf = Vec::new();
    }
}

/// The counted bundles with their own values. `bundles` and `values` are
/// parallel.
pub fn plain<'b>(bundles: &'b [Bundle], values: &[Option<i128>]) -> Vec<Ranked<'b>> {
    let mut out: Vec<Ranked<'b>> = bundles
        .iter()
        .zip(values)
        .filter_map(|(bundle, v)| {
            v.map(|value| Ranked {
                bundle,
                value,
                base: None,
            })
        })
        .collect();
    order(&mut out);
    out
}

/// Each counted bundle minus the closest earlier counted bundle of the same
/// process; a process's first counted bundle is left out. `bundles` must be
/// sorted by capture time.
pub fn vs_prev<'b>(bundles: &'b [Bundle], values: &[Option<i128>]) -> Vec<Ranked<'b>> {
    let mut last: HashMap<&str, (&'b Bundle, i128)> = HashMap::new();
    let mut out = Vec::new();
    for (bundle, v) in bundles.iter().zip(values) {
        let Some(v) = *v else { continue };
        if let Some((base, bv)) = last.insert(&bundle.meta.proc_id, (bundle, v)) {
            out.push(Ranked {
                bundle,
                value: v - bv,
                base: Some(base),
            });
        }
    }
    order(&mut out);
    out
}

/// Upstream's output order: value descending, then capture time
/// descending, then process id descending.
fn order(r: &mut [Ranked<'_>]) {
    r.sort_by(|a, b| {
        let key = |x: &Ranked<'_>| (x.value, x.bundle.meta.capture_time.nanos);
        key(b)
            .cmp(&key(a))
            .then_with(|| b.bundle.meta.proc_id.cmp(&a.bundle.meta.proc_id))
    });
}
