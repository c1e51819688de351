//! One Autoprof bundle, as an extracted folder or a zip file read in place,
//! and access to its members (`meta`, `pprof/<name>`).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use zip::ZipArchive;
use zip::result::ZipError;

use crate::error::BundleError;
use crate::files::{open_regular, read_capped, read_file};
use crate::meta::Meta;
use crate::paths::join_inside;

/// How a bundle is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Form {
    /// A folder holding a `meta` file (upstream's only form).
    Folder,
    /// An Autoprof zip file, read in place.
    Zip,
}

/// A bundle found under the root.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// Path relative to the root: the folder (empty for the root itself)
    /// or the zip file.
    pub rel: PathBuf,
    /// Folder or zip.
    pub form: Form,
    /// Its parsed `meta`.
    pub meta: Meta,
    /// Position in the walk (byte-wise name order, depth first).
    pub walk_index: usize,
}

/// Opens a zip file's central directory.
pub fn open_zip(path: &Path) -> Result<ZipArchive<File>, BundleError> {
    let f = open_regular(path).map_err(BundleError::OpenZip)?;
    ZipArchive::new(f).map_err(BundleError::Zip)
}

/// Reads a whole zip member into `buf` (cleared first); `Ok(false)` when
/// there is no such file member.
pub fn read_zip_member(
    z: &mut ZipArchive<File>,
    name: &str,
    buf: &mut Vec<u8>,
) -> Result<bool, BundleError> {
    buf.clear();
    let mut f = match z.by_name(name) {
        Ok(f) => f,
        Err(ZipError::FileNotFound) => return Ok(false),
        Err(source) => {
            return Err(BundleError::Member {
                name: name.into(),
                source,
            });
        }
    };
    if f.is_dir() {
        return Ok(false);
    }
    let limit = pprof::max_decompressed();
    buf.reserve(f.size().min(limit).min(1 << 30) as usize);
    read_capped(&mut f, buf, limit).map_err(|source| BundleError::MemberRead {
        name: name.into(),
        source,
    })?;
    Ok(true)
}

/// Whether a bundle folder's `pprof/trace` is a regular file (symlinks
/// followed).
pub fn folder_has_trace(dir: &Path) -> bool {
    std::fs::metadata(dir.join("pprof/trace")).is_ok_and(|m| m.is_file())
}

/// Whether an I/O error means "no such file here" (silently skipped, as
/// upstream does for bundles that lack a profile).
fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory
    )
}

impl Bundle {
    /// Reads the profile `pprof/<name>` into `buf` (cleared first).
    /// `Ok(false)` when the bundle has no such file, or the path leaves the
    /// root.
    pub fn read_profile(
        &self,
        root: &Path,
        name: &str,
        buf: &mut Vec<u8>,
    ) -> Result<bool, BundleError> {
        buf.clear();
        match self.form {
            Form::Folder => {
                let Some(rel) = join_inside(&self.rel, &format!("pprof/{name}")) else {
                    return Ok(false);
                };
                let read = read_file(&root.join(&rel), buf);
                match read {
                    Ok(_) => Ok(true),
                    Err(e) if is_absent(&e) => Ok(false),
                    Err(source) => Err(BundleError::File { path: rel, source }),
                }
            }
            Form::Zip => {
                let Some(member) = join_inside(Path::new(""), &format!("pprof/{name}")) else {
                    return Ok(false);
                };
                let mut z = open_zip(&root.join(&self.rel))?;
                read_zip_member(&mut z, &member.to_string_lossy(), buf)
            }
        }
    }

    /// The names of the bundle's `pprof/` members (files, not folders),
    /// in byte order.
    pub fn profile_names(&self, root: &Path) -> Result<Vec<String>, BundleError> {
        let mut names = match self.form {
            Form::Folder => {
                let dir = root.join(&self.rel).join("pprof");
                let entries = match std::fs::read_dir(&dir) {
                    Ok(rd) => rd
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(BundleError::List)?,
                    Err(e) if is_absent(&e) => return Ok(Vec::new()),
                    Err(e) => return Err(BundleError::List(e)),
                };
                entries
                    .into_iter()
                    .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
            }
            Form::Zip => {
                let z = open_zip(&root.join(&self.rel))?;
                let mut names = Vec::new();
                for n in z.file_names() {
                    let n = n.map_err(BundleError::Zip)?;
                    if let Some(p) = n.strip_prefix("pprof/")
                        && !p.is_empty()
                        && !p.contains('/')
                    {
                        names.push(p.to_owned());
                    }
                }
                names
            }
        };
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Whether `pprof/trace` is a regular file (symlinks followed) or, in a
    /// zip, a file member.
    pub fn has_trace(&self, root: &Path) -> bool {
        match self.form {
            Form::Folder => folder_has_trace(&root.join(&self.rel)),
            Form::Zip => open_zip(&root.join(&self.rel))
                .is_ok_and(|mut z| z.by_name("pprof/trace").is_ok_and(|f| !f.is_dir())),
        }
    }
}
