//! `-write-links`: `_link/prev` and `_link/next` symlinks between folder
//! bundles of the same process, as upstream makes them. Zip bundles take no
//! part: nothing can be written inside them, and a link to a zip file could
//! not be used as `_link/prev/pprof/heap`.
//!
//! Nothing is written through a symlink apshuffle did not make: a bundle
//! whose `_link` is not apshuffle's own (a symlink, a regular file, a
//! folder holding anything but `prev` and `next` symlinks) is skipped and
//! reported. A link is made under a temporary name and renamed over the
//! old one, so runs in parallel on one pile never fail each other.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::bundle::{Bundle, Form};
use crate::error::BundleError;
use crate::paths::link_target;
use crate::report::Problems;

/// Names in `_link` that are apshuffle's: the links and their temporaries.
const TEMP_PREFIX: &str = ".apshuffle-";

/// A link to make: its name in `_link`, and the bundle it points at.
type Wanted<'b> = (&'static str, &'b Bundle);

/// Writes the links for every process's folder bundles, oldest to newest.
/// A bundle whose links cannot be written is recorded in `problems` and
/// the others are still linked.
pub fn write_links(root: &Path, bundles: &[Bundle], problems: &mut Problems) {
    let mut by_proc: BTreeMap<&str, Vec<&Bundle>> = BTreeMap::new();
    for b in bundles.iter().filter(|b| b.form == Form::Folder) {
        by_proc.entry(&b.meta.proc_id).or_default().push(b);
    }
    let mut links: BTreeMap<usize, (&Bundle, Vec<Wanted<'_>>)> = BTreeMap::new();
    for group in by_proc.values_mut() {
        group.sort_by_key(|b| b.meta.capture_time.nanos);
        for pair in group.windows(2) {
            let (older, newer) = (pair[0], pair[1]);
            for (from, name, to) in [(newer, "prev", older), (older, "next", newer)] {
                links
                    .entry(from.walk_index)
                    .or_insert_with(|| (from, Vec::new()))
                    .1
                    .push((name, to));
            }
        }
    }
    for (from, wanted) in links.values() {
        let made = own_link_dir(root, from).and_then(|()| {
            wanted
                .iter()
                .try_for_each(|(name, to)| link(root, from, to, name))
        });
        if let Err(e) = made {
            problems.add(&from.rel, e);
        }
    }
}

/// Makes `from/_link` if it is missing, and checks that it is
/// apshuffle's: a real folder (not a symlink) holding nothing but `prev`
/// and `next` symlinks and apshuffle's temporaries.
fn own_link_dir(root: &Path, from: &Bundle) -> Result<(), BundleError> {
    let dir = root.join(&from.rel).join("_link");
    let not_own = |why: String| BundleError::NotOwnLink(why);
    match std::fs::create_dir(&dir) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(BundleError::Link("mkdir _link", e)),
    }
    let meta = std::fs::symlink_metadata(&dir).map_err(|e| BundleError::Link("lstat _link", e))?;
    if meta.file_type().is_symlink() {
        return Err(not_own("_link is a symlink".into()));
    }
    if !meta.is_dir() {
        return Err(not_own("_link is not a folder".into()));
    }
    for e in std::fs::read_dir(&dir).map_err(|e| BundleError::Link("list _link", e))? {
        let e = e.map_err(|e| BundleError::Link("list _link", e))?;
        let name = e.file_name();
        let ours_by_name = name == "prev"
            || name == "next"
            || name.as_encoded_bytes().starts_with(TEMP_PREFIX.as_bytes());
        let is_link = e.file_type().is_ok_and(|t| t.is_symlink());
        if !(ours_by_name && is_link) {
            return Err(not_own(format!(
                "_link holds {}, which apshuffle did not make",
                name.to_string_lossy()
            )));
        }
    }
    Ok(())
}

/// Makes `from/_link/<name>` point at `to`: a symlink made under a
/// temporary name and renamed over whatever symlink is there.
fn link(root: &Path, from: &Bundle, to: &Bundle, name: &str) -> Result<(), BundleError> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let dir = root.join(&from.rel).join("_link");
    let tmp = dir.join(format!(
        "{TEMP_PREFIX}{name}-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    std::os::unix::fs::symlink(link_target(&from.rel, &to.rel), &tmp)
        .map_err(|e| BundleError::Link("symlink", e))?;
    std::fs::rename(&tmp, dir.join(name)).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        BundleError::Link("rename", e)
    })
}
