//! Finding bundles under the root: a depth-first walk in byte-wise name
//! order that does not follow symlinks, collecting folders that hold a
//! regular file named `meta` and regular `.zip` files that have a `meta`
//! member; then reading every meta in parallel, sorting by capture time and
//! process id, and dropping duplicates (a folder beats a zip, then the
//! earlier path in walk order wins).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::bundle::{Bundle, Form, open_zip, read_zip_member};
use crate::error::{BundleError, Error};
use crate::files::read_file;
use crate::meta::Meta;
use crate::report::{Problems, Progress};
use crate::walk::{Entry, is_zip_name, walk};

/// Something the walk found that may be a bundle.
struct Candidate {
    /// The folder holding `meta`, or the zip file.
    rel: PathBuf,
    form: Form,
}

/// Walks `root` and returns the de-duplicated bundles, sorted ascending by
/// capture time then process id. Unreadable folders, zips and metas are
/// recorded in `problems` and skipped. Fails only if `root` itself cannot
/// be listed.
pub fn discover(
    root: &Path,
    problems: &mut Problems,
    progress: bool,
) -> Result<Vec<Bundle>, Error> {
    std::fs::read_dir(root).map_err(|source| Error::Root {
        root: root.to_path_buf(),
        source,
    })?;
    let found = candidates(root, problems);

    let bar = Progress::new(progress, found.len(), "reading metas");
    let loaded: Vec<Result<Option<Bundle>, BundleError>> = found
        .par_iter()
        .enumerate()
        .map(|(walk_index, c)| {
            let r = load(root, c, walk_index);
            bar.inc();
            r
        })
        .collect();
    bar.finish();

    let mut bundles = Vec::new();
    for (c, r) in found.iter().zip(loaded) {
        match r {
            Ok(Some(b)) => bundles.push(b),
            Ok(None) => {}
            Err(e) => problems.add(&c.rel, e),
        }
    }
    Ok(sort_and_dedupe(bundles))
}

/// Collects folders that hold a regular file named `meta` and regular
/// `.zip` files, in walk order; every folder is walked into.
fn candidates(root: &Path, problems: &mut Problems) -> Vec<Candidate> {
    let mut out = Vec::new();
    walk(root, &mut |e| {
        match e {
            Entry::Folder(_) => {}
            Entry::File(rel) => {
                let Some(name) = rel.file_name() else {
                    return true;
                };
                if name == "meta" {
                    out.push(Candidate {
                        rel: rel.parent().unwrap_or(Path::new("")).to_path_buf(),
                        form: Form::Folder,
                    });
                } else if is_zip_name(name) {
                    out.push(Candidate {
                        rel: rel.to_path_buf(),
                        form: Form::Zip,
                    });
                }
            }
            Entry::Failed(rel, e) => problems.add(rel, e),
        }
        true
    });
    out
}

/// Reads a candidate's meta. `Ok(None)`: a zip without a `meta` member,
/// which is not a bundle.
fn load(root: &Path, c: &Candidate, walk_index: usize) -> Result<Option<Bundle>, BundleError> {
    let bytes = match c.form {
        Form::Folder => {
            let mut b = Vec::new();
            read_file(&root.join(&c.rel).join("meta"), &mut b).map_err(BundleError::ReadMeta)?;
            b
        }
        Form::Zip => {
            let mut z = open_zip(&root.join(&c.rel))?;
            let mut b = Vec::new();
            if !read_zip_member(&mut z, "meta", &mut b)? {
                return Ok(None);
            }
            b
        }
    };
    let meta = Meta::parse(&bytes).map_err(BundleError::BadMeta)?;
    Ok(Some(Bundle {
        rel: c.rel.clone(),
        form: c.form,
        meta,
        walk_index,
    }))
}

/// Reads the bundle at `path` (a folder holding `meta`, or a zip file)
/// alone, outside any walk. `Ok(None)`: a zip without a `meta` member.
pub fn load_bundle(path: &Path, form: Form) -> Result<Option<Bundle>, BundleError> {
    let c = Candidate {
        rel: path.to_path_buf(),
        form,
    };
    load(Path::new(""), &c, 0)
}

/// Sorts ascending by (capture time, process id) and keeps one bundle per
/// pair: the folder if there is one, else the first in walk order.
pub fn sort_and_dedupe(mut bundles: Vec<Bundle>) -> Vec<Bundle> {
    bundles.sort_by(|a, b| {
        (
            a.meta.capture_time.nanos,
            &a.meta.proc_id,
            a.form,
            a.walk_index,
        )
            .cmp(&(
                b.meta.capture_time.nanos,
                &b.meta.proc_id,
                b.form,
                b.walk_index,
            ))
    });
    bundles.dedup_by(|later, kept| {
        later.meta.proc_id == kept.meta.proc_id
            && later.meta.capture_time.nanos == kept.meta.capture_time.nanos
    });
    bundles
}
