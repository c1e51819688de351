//! Which inputs the arguments name. Traces are found as every trace tool
//! finds them (`traceinput`), but a bundle counts even without a trace:
//! its `meta` and profiles are tables too. So a searched folder is walked
//! here (autoprof's walk: depth first, names in byte order), and each
//! bundle or trace found is named as `traceinput` would name it.

use autoprof::walk::{Entry, is_bundle_folder, is_zip_name, walk};
use autoprof::{Bundle, Form, load_bundle};
use std::ffi::OsStr;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// One input of ettables.
#[derive(Debug)]
pub enum Item {
    /// A trace file, or standard input.
    Trace(traceinput::Input),
    /// An Autoprof bundle, with or without a trace.
    Bundle {
        /// Its path as given or found.
        path: PathBuf,
        /// Its name: the path, shown.
        name: String,
        form: Form,
        /// Named on the command line (an error if it is none) rather than
        /// found (then skipped if it is none).
        named: bool,
    },
    /// A file found in a searched folder (its path, and the path shown):
    /// a trace if it starts like one.
    Found(PathBuf, String),
}

impl Item {
    /// The input's name in the tables.
    pub fn name(&self) -> &str {
        match self {
            Item::Trace(i) => i.name(),
            Item::Bundle { name, .. } | Item::Found(_, name) => name,
        }
    }
}

/// The inputs `args` name, in argument order (walk order inside a folder).
pub fn expand<S: AsRef<OsStr>>(args: &[S]) -> Vec<Result<Item, Error>> {
    let mut out = Vec::new();
    for arg in args {
        let arg = arg.as_ref();
        let path = Path::new(arg);
        if arg != "-" && path.is_dir() {
            if is_bundle_folder(path) {
                out.push(Ok(bundle(path.into(), Form::Folder, true)));
            } else {
                search(path, &mut out);
            }
        } else if arg != "-" && path.file_name().is_some_and(is_zip_name) {
            out.push(Ok(bundle(path.into(), Form::Zip, true)));
        } else {
            out.extend(
                traceinput::expand(&[arg])
                    .into_iter()
                    .map(|r| r.map(Item::Trace).map_err(Error::from)),
            );
        }
    }
    out
}

fn bundle(path: PathBuf, form: Form, named: bool) -> Item {
    let name = path.to_string_lossy().into_owned();
    Item::Bundle {
        path,
        name,
        form,
        named,
    }
}

fn search(base: &Path, out: &mut Vec<Result<Item, Error>>) {
    let path = |rel: &Path| -> PathBuf {
        if rel.as_os_str().is_empty() {
            base.to_path_buf()
        } else {
            base.join(rel)
        }
    };
    let name = |rel: &Path| path(rel).to_string_lossy().into_owned();
    walk(base, &mut |e| match e {
        Entry::Folder(rel) => {
            if is_bundle_folder(&base.join(rel)) {
                out.push(Ok(bundle(path(rel), Form::Folder, false)));
                false
            } else {
                true
            }
        }
        Entry::File(rel) => {
            if rel.file_name().is_some_and(is_zip_name) {
                out.push(Ok(bundle(path(rel), Form::Zip, false)));
            } else {
                out.push(Ok(Item::Found(path(rel), name(rel))));
            }
            true
        }
        Entry::Failed(rel, source) => {
            out.push(Err(Error::Input(traceinput::Error::Search {
                path: name(rel),
                source,
            })));
            true
        }
    });
}

/// What an item turned out to be, once looked at.
pub enum Resolved {
    /// A trace.
    Trace(traceinput::Input),
    /// A bundle, and its trace if it has one.
    Bundle(Box<Bundle>, Option<traceinput::Input>),
    /// Found in a folder, and neither a trace nor a bundle.
    Skip,
}

/// Looks at an item: reads a bundle's `meta`, finds its trace, and checks
/// that a found file starts with a trace header.
pub fn resolve(item: Item) -> Result<Resolved, Error> {
    match item {
        Item::Trace(i) => Ok(Resolved::Trace(i)),
        Item::Found(path, name) => {
            let mut head = Vec::with_capacity(16);
            let read = File::open(&path).and_then(|f| f.take(16).read_to_end(&mut head));
            if let Err(source) = read {
                return Err(Error::Input(traceinput::Error::Open { path: name, source }));
            }
            if gotrace::Version::from_header(&head).is_err() {
                return Ok(Resolved::Skip);
            }
            let mut found = traceinput::expand(&[path]);
            match found.pop() {
                Some(r) if found.is_empty() => Ok(Resolved::Trace(r?)),
                _ => Ok(Resolved::Skip),
            }
        }
        Item::Bundle {
            path,
            name,
            form,
            named,
        } => {
            let bad = |source| Error::Bundle {
                input: name.clone(),
                source,
            };
            let Some(mut b) = load_bundle(&path, form).map_err(bad)? else {
                return if named {
                    Err(Error::Input(traceinput::Error::NotBundle { path: name }))
                } else {
                    Ok(Resolved::Skip)
                };
            };
            b.rel = path.clone();
            let trace = if b.has_trace(Path::new("")) {
                let mut found = traceinput::expand(&[&path]);
                match found.pop() {
                    Some(r) if found.is_empty() => Some(r?),
                    _ => None,
                }
            } else {
                None
            };
            Ok(Resolved::Bundle(Box::new(b), trace))
        }
    }
}
