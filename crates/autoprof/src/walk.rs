//! The one walk over a folder tree, shared by apshuffle's bundle discovery
//! (`-C`) and the trace tools' folder inputs: depth first, the entries of
//! each folder in byte-wise name order, symlinks not followed (so the
//! `_link` trees of `-write-links` are not walked).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::error::BundleError;

/// What the walk found, by path relative to the root.
#[derive(Debug)]
pub enum Entry<'a> {
    /// A folder (the root itself is not reported).
    Folder(&'a Path),
    /// A regular file.
    File(&'a Path),
    /// A folder that could not be listed (the root's path is empty), or an
    /// entry whose type could not be read.
    Failed(&'a Path, BundleError),
}

/// Walks the tree under `root`, calling `visit` on every folder, regular
/// file and failure in walk order. For a folder, `visit` returns whether
/// to walk into it; for other entries its answer is ignored.
pub fn walk(root: &Path, visit: &mut impl FnMut(Entry<'_>) -> bool) {
    walk_in(root, PathBuf::new(), visit);
}

fn walk_in(root: &Path, rel: PathBuf, visit: &mut impl FnMut(Entry<'_>) -> bool) {
    let entries = match std::fs::read_dir(root.join(&rel)) {
        Ok(rd) => rd.collect::<Result<Vec<_>, _>>(),
        Err(e) => Err(e),
    };
    let mut entries = match entries {
        Ok(e) => e,
        Err(e) => {
            visit(Entry::Failed(&rel, BundleError::List(e)));
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let child = rel.join(e.file_name());
        match e.file_type() {
            Err(err) => {
                visit(Entry::Failed(&child, BundleError::Stat(err)));
            }
            Ok(ty) if ty.is_dir() => {
                if visit(Entry::Folder(&child)) {
                    walk_in(root, child, visit);
                }
            }
            Ok(ty) if ty.is_file() => {
                visit(Entry::File(&child));
            }
            Ok(_) => {}
        }
    }
}

/// Whether a file name ends in `.zip` (any case) after at least one byte.
pub fn is_zip_name(name: &OsStr) -> bool {
    let b = name.as_encoded_bytes();
    b.len() > 4 && b[b.len() - 4..].eq_ignore_ascii_case(b".zip")
}

/// Whether `dir` is an extracted bundle: it holds a regular file (not a
/// symlink) named `meta`.
pub fn is_bundle_folder(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join("meta")).is_ok_and(|m| m.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_in_name_order_and_prunes_on_request() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        for d in ["b/skip", "a", "c"] {
            std::fs::create_dir_all(r.join(d)).unwrap();
        }
        for f in ["z.zip", "a/2", "a/1", "b/skip/x", "c/meta"] {
            std::fs::write(r.join(f), "").unwrap();
        }
        std::os::unix::fs::symlink(r.join("a"), r.join("link")).unwrap();
        let mut seen = Vec::new();
        walk(r, &mut |e| {
            let (tag, p) = match &e {
                Entry::Folder(p) => ("d", p),
                Entry::File(p) => ("f", p),
                Entry::Failed(p, _) => ("!", p),
            };
            seen.push(format!("{tag} {}", p.display()));
            !p.ends_with("b")
        });
        assert_eq!(
            seen,
            ["d a", "f a/1", "f a/2", "d b", "d c", "f c/meta", "f z.zip"]
        );
        assert!(is_bundle_folder(&r.join("c")) && !is_bundle_folder(&r.join("a")));
        assert!(is_zip_name(OsStr::new("x.ZIP")) && !is_zip_name(OsStr::new(".zip")));
    }
}
