//! Turning command-line arguments into inputs: `-` is standard input, a
//! `.zip` file or a folder holding `meta` is a bundle, any other folder is
//! searched (apshuffle's walk) for bundles and trace files, and any other
//! path is a trace file.

use std::ffi::OsStr;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use autoprof::walk::{Entry, is_bundle_folder, is_zip_name, walk};
use autoprof::{BundleError, folder_has_trace, open_zip};
use rayon::prelude::*;
use zip::CompressionMethod;
use zip::result::ZipError;

use crate::error::Error;
use crate::input::{Input, Member};

/// The inputs `args` name, in argument order (walk order inside a searched
/// folder). An argument that cannot be read as an input gives an error in
/// its place; so does a bundle or file found in a folder that cannot be
/// read. Bundles without a trace, zips without `meta` and files that do
/// not start with a trace header are skipped when found in a folder, but
/// are errors when named.
/// Any path the system accepts works; outputs name it lossily when it is
/// not UTF-8.
pub fn expand<S: AsRef<OsStr>>(args: &[S]) -> Vec<Result<Input, Error>> {
    let mut out = Vec::new();
    for arg in args {
        let path = Path::new(arg.as_ref());
        let shown = path.to_string_lossy();
        let arg: &str = &shown;
        if path.as_os_str() == "-" {
            out.push(Ok(Input::stdin()));
        } else if path.is_dir() {
            if is_bundle_folder(path) {
                out.push(named_folder_bundle(path));
            } else {
                out.extend(search(path));
            }
        } else if path.file_name().is_some_and(is_zip_name) {
            out.push(zip_bundle(arg.into(), path).and_then(|found| {
                found.map_err(|missing| match missing {
                    Missing::Meta => Error::NotBundle { path: arg.into() },
                    Missing::Trace => Error::NoTrace { path: arg.into() },
                })
            }));
        } else {
            out.push(Ok(Input::file(arg.into(), path.into())));
        }
    }
    out
}

/// What a bundle candidate lacks.
enum Missing {
    /// A zip without a `meta` member: no bundle.
    Meta,
    /// A bundle without `pprof/trace`.
    Trace,
}

fn named_folder_bundle(path: &Path) -> Result<Input, Error> {
    let name = path.to_string_lossy().into_owned();
    if folder_has_trace(path) {
        Ok(Input::folder_bundle(name, path.into()))
    } else {
        Err(Error::NoTrace { path: name })
    }
}

/// Reads a zip's directory and finds its trace member.
fn zip_bundle(name: String, path: &Path) -> Result<Result<Input, Missing>, Error> {
    let bad = |source| Error::Bundle {
        path: name.clone(),
        source,
    };
    let mut z = open_zip(path).map_err(bad)?;
    if z.index_for_name("meta").is_none() {
        return Ok(Err(Missing::Meta));
    }
    let member = "pprof/trace";
    let f = match z.by_name(member) {
        Ok(f) => f,
        Err(ZipError::FileNotFound) => return Ok(Err(Missing::Trace)),
        Err(source) => {
            return Err(bad(BundleError::Member {
                name: member.into(),
                source,
            }));
        }
    };
    if f.is_dir() {
        return Ok(Err(Missing::Trace));
    }
    let unreadable = |reason: &str| Error::Member {
        path: name.clone(),
        reason: reason.into(),
    };
    if f.encrypted() {
        return Err(unreadable("encrypted"));
    }
    let deflated = match f.compression() {
        CompressionMethod::Stored => false,
        CompressionMethod::Deflated => true,
        other => return Err(unreadable(&format!("unsupported compression {other}"))),
    };
    // A deflated member is capped like every other bundle member: the
    // runtime's traces are far smaller, a zip bomb's is not (its declared
    // size is what the reader will accept).
    if deflated {
        pprof::limit::MAX_DECOMPRESSED
            .check(f.size())
            .map_err(|e| unreadable(&format!("declares {} bytes decompressed: {e}", f.size())))?;
    }
    let start = f
        .data_start()
        .ok_or_else(|| unreadable("no local header"))?;
    let member = Member {
        start,
        compressed: f.compressed_size(),
        size: f.size(),
        crc: f.crc32(),
        deflated,
    };
    drop(f);
    Ok(Ok(Input::zip_bundle(name, path.into(), member)))
}

/// What the walk of a searched folder found, before it is looked at.
enum Found {
    Folder(PathBuf),
    Zip(PathBuf),
    File(PathBuf),
    Failed(PathBuf, BundleError),
}

/// Searches `root` for bundles and trace files, in walk order. Bundle
/// folders are not walked into: their trace is the bundle's.
fn search(root: &Path) -> Vec<Result<Input, Error>> {
    let mut found = Vec::new();
    walk(root, &mut |e| match e {
        Entry::Folder(rel) => {
            let dir = root.join(rel);
            let bundle = is_bundle_folder(&dir);
            if bundle {
                found.push(Found::Folder(dir));
            }
            !bundle
        }
        Entry::File(rel) => {
            let path = root.join(rel);
            if rel.file_name().is_some_and(is_zip_name) {
                found.push(Found::Zip(path));
            } else {
                found.push(Found::File(path));
            }
            true
        }
        Entry::Failed(rel, e) => {
            // An empty `rel` is the root itself.
            let path = if rel.as_os_str().is_empty() {
                root.to_path_buf()
            } else {
                root.join(rel)
            };
            found.push(Found::Failed(path, e));
            true
        }
    });
    let looked: Vec<Option<Result<Input, Error>>> = found.into_par_iter().map(look).collect();
    looked.into_iter().flatten().collect()
}

/// Decides what a found entry is: `None` when it is skipped silently.
fn look(found: Found) -> Option<Result<Input, Error>> {
    let name = |p: &Path| p.to_string_lossy().into_owned();
    match found {
        Found::Folder(dir) => {
            folder_has_trace(&dir).then(|| Ok(Input::folder_bundle(name(&dir), dir)))
        }
        Found::Zip(path) => match zip_bundle(name(&path), &path) {
            Ok(Ok(input)) => Some(Ok(input)),
            Ok(Err(_)) => None,
            Err(e) => Some(Err(e)),
        },
        Found::File(path) => match is_trace(&path) {
            Ok(true) => Some(Ok(Input::file(name(&path), path))),
            Ok(false) => None,
            Err(source) => Some(Err(Error::Open {
                path: name(&path),
                source,
            })),
        },
        Found::Failed(path, source) => Some(Err(Error::Search {
            path: name(&path),
            source,
        })),
    }
}

/// Whether a file starts with a Go execution trace header.
fn is_trace(path: &Path) -> std::io::Result<bool> {
    let mut head = Vec::with_capacity(16);
    File::open(path)?.take(16).read_to_end(&mut head)?;
    Ok(gotrace::Version::from_header(&head).is_ok())
}
