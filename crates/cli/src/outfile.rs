//! Output files written whole or not at all: the bytes go to a temporary
//! file beside the target, which is then renamed into place, so a reader
//! (or a failed run) never sees half a file. Targets that are not regular
//! files (`/dev/stdout`, a named pipe) are written directly.

use crate::Error;
use std::ffi::OsStr;
use std::fs::Permissions;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Writes `bytes` to the file `path` as a whole. A new file gets mode
/// 0666 less the umask, as any file the user creates.
pub fn write(path: impl AsRef<OsStr>, bytes: &[u8]) -> Result<(), Error> {
    let mut f = create(path)?;
    f.write_all(bytes).map_err(|source| f.error(source))?;
    f.commit()
}

/// An output file being written as a stream: the bytes go to a temporary
/// file beside the target, renamed into place by [`OutFile::commit`];
/// dropped without a commit, it leaves nothing behind. A target that is
/// not a regular file (`/dev/stdout`, a named pipe) is written directly.
#[derive(Debug)]
pub struct OutFile {
    /// The target, as shown in messages.
    path: String,
    target: PathBuf,
    to: Target,
}

#[derive(Debug)]
enum Target {
    Temp(tempfile::NamedTempFile),
    Direct(std::fs::File),
}

/// Starts writing the file `path` (see [`OutFile`]).
pub fn create(path: impl AsRef<OsStr>) -> Result<OutFile, Error> {
    let target = Path::new(path.as_ref());
    let shown = crate::shown(target.as_os_str());
    let fail = |source| Error::Write {
        path: shown.clone(),
        source,
    };
    if let Ok(meta) = std::fs::metadata(target)
        && !meta.is_file()
        && !meta.is_dir()
    {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(target)
            .map_err(fail)?;
        return Ok(OutFile {
            path: shown,
            target: target.to_owned(),
            to: Target::Direct(f),
        });
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = target.file_name().unwrap_or(target.as_os_str());
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(fail)?;
    Ok(OutFile {
        path: shown,
        target: target.to_owned(),
        to: Target::Temp(tmp),
    })
}

impl OutFile {
    /// The error of a failed write to this file.
    pub fn error(&self, source: std::io::Error) -> Error {
        Error::Write {
            path: self.path.clone(),
            source,
        }
    }

    /// Puts the file in place (after syncing it).
    pub fn commit(self) -> Result<(), Error> {
        let fail = |source| Error::Write {
            path: self.path.clone(),
            source,
        };
        match self.to {
            Target::Direct(mut f) => f.flush().map_err(fail),
            Target::Temp(tmp) => {
                tmp.as_file().sync_data().map_err(fail)?;
                tmp.persist(&self.target).map_err(|e| fail(e.error))?;
                Ok(())
            }
        }
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.to {
            Target::Temp(t) => t.write(buf),
            Target::Direct(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.to {
            Target::Temp(t) => t.flush(),
            Target::Direct(f) => f.flush(),
        }
    }
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

    #[test]
    fn a_stream_not_committed_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.pftrace");
        let p = path.to_str().unwrap();
        write(p, b"old").unwrap();
        let mut f = create(p).unwrap();
        f.write_all(b"half").unwrap();
        drop(f);
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let mut f = create(p).unwrap();
        f.write_all(b"whole").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"whole");
        // A folder that does not exist: an error naming the path.
        let e = create(dir.path().join("no/such").to_str().unwrap()).unwrap_err();
        assert!(e.to_string().contains("no/such"));
    }
}
