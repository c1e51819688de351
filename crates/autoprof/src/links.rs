//! `-write-links`: `_link/prev` and `_link/next` symlinks between folder
//! bundles of the same process, as upstream makes them. Zip bundles take no
//! part: nothing can be written inside them, and a link to a zip file could
//! not be used as `_link/prev/pprof/heap`.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use crate::bundle::{Bundle, Form};
use crate::error::Error;
use crate::paths::{display, link_target};

/// Writes the links for every process's folder bundles, oldest to newest.
pub fn write_links(root: &Path, bundles: &[Bundle]) -> Result<(), Error> {
    let mut by_proc: BTreeMap<&str, Vec<&Bundle>> = BTreeMap::new();
    for b in bundles.iter().filter(|b| b.form == Form::Folder) {
        by_proc.entry(&b.meta.proc_id).or_default().push(b);
    }
    for group in by_proc.values_mut() {
        group.sort_by_key(|b| b.meta.capture_time.nanos);
        for pair in group.windows(2) {
            let (older, newer) = (pair[0], pair[1]);
            link(root, newer, older, "prev")?;
            link(root, older, newer, "next")?;
        }
    }
    Ok(())
}

/// Makes `from/_link/<name>` point at `to`. An existing symlink is
/// replaced; any other existing file is left alone.
fn link(root: &Path, from: &Bundle, to: &Bundle, name: &str) -> Result<(), Error> {
    let dir = root.join(&from.rel).join("_link");
    let shown = Path::new(display(&from.rel)).join("_link");
    let fail = |op, path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Link { op, path, source }
    };
    if let Err(e) = std::fs::create_dir(&dir)
        && e.kind() != io::ErrorKind::AlreadyExists
    {
        return Err(fail("mkdir", &shown)(e));
    }
    let path = dir.join(name);
    let shown = shown.join(name);
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::remove_file(&path).map_err(fail("remove", &shown))?;
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(fail("lstat", &shown)(e)),
    }
    match std::os::unix::fs::symlink(link_target(&from.rel, &to.rel), &path) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(fail("symlink", &shown)(e)),
        _ => Ok(()),
    }
}
