//! Finding bundles under the root: a depth-first walk in byte-wise name
//! order that does not follow symlinks, collecting folders that hold a
//! regular file named `meta` and regular `.zip` files that have a `meta`
//! member; then reading every meta in parallel, sorting by capture time and
//! process id, and dropping duplicates (a folder beats a zip, then the
//! earlier path in walk order wins).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::bundle::{Bundle, Form, open_zip, read_zip_member};
use crate::meta::Meta;
use crate::report::{Problems, Progress};

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
) -> std::io::Result<Vec<Bundle>> {
    let mut found = Vec::new();
    std::fs::read_dir(root)?;
    walk(root, PathBuf::new(), &mut found, problems);

    let bar = Progress::new(progress, found.len(), "reading metas");
    let loaded: Vec<Result<Option<Bundle>, String>> = found
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

fn walk(root: &Path, rel: PathBuf, out: &mut Vec<Candidate>, problems: &mut Problems) {
    let entries = match std::fs::read_dir(root.join(&rel)) {
        Ok(rd) => rd.collect::<Result<Vec<_>, _>>(),
        Err(e) => Err(e),
    };
    let mut entries = match entries {
        Ok(e) => e,
        Err(e) => {
            problems.add(&rel, format!("cannot list folder: {e}"));
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let child = rel.join(&name);
        let Ok(ty) = e.file_type() else {
            problems.add(&child, "cannot stat".into());
            continue;
        };
        if ty.is_dir() {
            walk(root, child, out, problems);
        } else if ty.is_file() {
            if name == "meta" {
                out.push(Candidate {
                    rel: rel.clone(),
                    form: Form::Folder,
                });
            } else if is_zip_name(&name) {
                out.push(Candidate {
                    rel: child,
                    form: Form::Zip,
                });
            }
        }
    }
}

fn is_zip_name(name: &OsStr) -> bool {
    let b = name.as_encoded_bytes();
    b.len() > 4 && b[b.len() - 4..].eq_ignore_ascii_case(b".zip")
}

/// Reads a candidate's meta. `Ok(None)`: a zip without a `meta` member,
/// which is not a bundle.
fn load(root: &Path, c: &Candidate, walk_index: usize) -> Result<Option<Bundle>, String> {
    let bytes = match c.form {
        Form::Folder => std::fs::read(root.join(&c.rel).join("meta"))
            .map_err(|e| format!("reading meta: {e}"))?,
        Form::Zip => {
            let mut z = open_zip(&root.join(&c.rel))?;
            let mut b = Vec::new();
            if !read_zip_member(&mut z, "meta", &mut b)? {
                return Ok(None);
            }
            b
        }
    };
    let meta = Meta::parse(&bytes).map_err(|e| format!("bad meta: {e}"))?;
    Ok(Some(Bundle {
        rel: c.rel.clone(),
        form: c.form,
        meta,
        walk_index,
    }))
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
