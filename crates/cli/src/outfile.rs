//! Output files written whole or not at all: the bytes go to a temporary
//! file beside the target, which is then renamed into place, so a reader
//! (or a failed run) never sees half a file. Targets that are not regular
//! files (`/dev/stdout`, a named pipe) are written directly.

use crate::Error;
use std::ffi::OsStr;
use std::fs::Permissions;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Writes `bytes` to the file `path` as a whole. A new file gets mode
/// 0666 less the umask, as any file the user creates.
pub fn write(path: impl AsRef<OsStr>, bytes: &[u8]) -> Result<(), Error> {
    let target = Path::new(path.as_ref());
    let fail = |source| Error::Write {
        path: crate::shown(target.as_os_str()),
        source,
    };
    if let Ok(meta) = std::fs::metadata(target)
        && !meta.is_file()
        && !meta.is_dir()
    {
        return std::fs::write(target, bytes).map_err(fail);
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = target.file_name().unwrap_or(target.as_os_str());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_data().map_err(fail)?;
    tmp.persist(target).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.dot");
        let p = path.to_str().unwrap();
        write(p, b"first").unwrap();
        write(p, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        // A folder in the way: an error naming the path, nothing left.
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let e = write(sub.to_str().unwrap(), b"x").unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("write {}: ", sub.display()))
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        // Not a regular file: written in place.
        write("/dev/null", b"x").unwrap();
    }
}
