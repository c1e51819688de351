//! One input of a trace tool: its name in outputs, and how to open its
//! trace from the start, as often as the tool needs.

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::read::{At, Checked, Held};

/// A fresh reader of an input's trace, from its start.
pub type TraceReader = Box<dyn Read + Send>;

/// One trace to read: a trace file, standard input, or the `pprof/trace`
/// of an Autoprof bundle (zip or folder), read in place.
#[derive(Clone)]
pub struct Input {
    name: String,
    trace: Trace,
    bundle: Option<BundleAt>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Input({})", self.name)
    }
}

/// Where the trace's bytes are.
#[derive(Clone)]
enum Trace {
    /// A whole file (a trace file, or a folder bundle's `pprof/trace`).
    File(Arc<Lazy>),
    /// A zip member, stored or deflated.
    Zip(Arc<Lazy>, Member),
    /// Standard input.
    Stdin(Arc<Stdin>),
}

/// Where a zip member's data is, and what it must decompress to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Member {
    pub(crate) start: u64,
    pub(crate) compressed: u64,
    pub(crate) size: u64,
    pub(crate) crc: u32,
    pub(crate) deflated: bool,
}

/// The bundle an input's trace belongs to.
#[derive(Clone, Debug)]
enum BundleAt {
    Folder(PathBuf),
    Zip(PathBuf),
}

/// A file opened at its first read and kept open while the input lives,
/// so later reads reuse the handle.
struct Lazy {
    path: PathBuf,
    file: Mutex<Option<Arc<File>>>,
}

impl Lazy {
    fn new(path: PathBuf) -> Arc<Lazy> {
        Arc::new(Lazy {
            path,
            file: Mutex::new(None),
        })
    }

    fn get(&self) -> io::Result<Arc<File>> {
        let mut slot = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(f) = &*slot {
            return Ok(f.clone());
        }
        let f = Arc::new(File::open(&self.path)?);
        *slot = Some(f.clone());
        Ok(f)
    }
}

/// Standard input: streamed once, or held in memory for tools that read
/// their input more than once.
#[derive(Default)]
struct Stdin {
    /// The whole input, once held.
    held: Mutex<Option<Arc<[u8]>>>,
    /// The header read by [`Input::hold`] from a trace that is not held.
    head: Mutex<Option<Vec<u8>>>,
    /// Whether the stream has been handed out or read.
    taken: AtomicBool,
}

impl Input {
    /// A trace file (read when first opened).
    pub(crate) fn file(name: String, path: PathBuf) -> Input {
        Input {
            name,
            trace: Trace::File(Lazy::new(path)),
            bundle: None,
        }
    }

    /// Standard input, named `-`.
    pub(crate) fn stdin() -> Input {
        Input {
            name: "-".into(),
            trace: Trace::Stdin(Arc::default()),
            bundle: None,
        }
    }

    /// The trace of the bundle folder `dir`.
    pub(crate) fn folder_bundle(name: String, dir: PathBuf) -> Input {
        Input {
            name,
            trace: Trace::File(Lazy::new(dir.join("pprof/trace"))),
            bundle: Some(BundleAt::Folder(dir)),
        }
    }

    /// The trace member of the bundle zip `zip`.
    pub(crate) fn zip_bundle(name: String, zip: PathBuf, member: Member) -> Input {
        Input {
            name,
            trace: Trace::Zip(Lazy::new(zip.clone()), member),
            bundle: Some(BundleAt::Zip(zip)),
        }
    }

    /// The input's name in outputs: the path as given on the command line
    /// or as found under a searched folder (for a bundle, the bundle's
    /// path, zip or folder), or `-` for standard input.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the input is an Autoprof bundle.
    pub fn is_bundle(&self) -> bool {
        self.bundle.is_some()
    }

    /// Opens the trace from its start. A file is opened on the first call
    /// and its handle reused by later ones; standard input can be opened
    /// once, unless [`Input::hold`] has held it in memory.
    pub fn open(&self) -> io::Result<TraceReader> {
        match &self.trace {
            Trace::File(f) => Ok(Box::new(At::whole(
                f.get().map_err(in_bundle(self.bundle.is_some()))?,
            ))),
            Trace::Zip(f, m) => {
                let raw = At::range(f.get()?, m.start, m.compressed);
                Ok(if m.deflated {
                    Box::new(Checked::new(
                        flate2::read::DeflateDecoder::new(raw),
                        m.crc,
                        m.size,
                    ))
                } else {
                    Box::new(Checked::new(raw, m.crc, m.size))
                })
            }
            Trace::Stdin(s) => {
                if let Some(bytes) = &*s.held.lock().unwrap_or_else(PoisonError::into_inner) {
                    return Ok(Box::new(Held::new(bytes.clone())));
                }
                if let Some(head) = s.head.lock().unwrap_or_else(PoisonError::into_inner).take() {
                    return Ok(Box::new(io::Cursor::new(head).chain(io::stdin())));
                }
                if s.taken.swap(true, Ordering::SeqCst) {
                    return Err(io::Error::other("standard input can be read only once"));
                }
                Ok(Box::new(io::stdin()))
            }
        }
    }

    /// A function that opens the trace from its start at each call, as
    /// [`Input::open`] does, for analyses that read their input in passes.
    pub fn opener(&self) -> impl Fn() -> io::Result<TraceReader> + Send + Sync + 'static {
        let me = self.clone();
        move || me.open()
    }

    /// Makes standard input readable more than once by reading it into
    /// memory now (nothing to do for other inputs). A Go ≤1.21 trace is
    /// not held: it must be read whole before any of its events can be
    /// given, so every reader of it reads it in one pass; it can be
    /// opened once.
    pub fn hold(&self) -> io::Result<()> {
        let Trace::Stdin(s) = &self.trace else {
            return Ok(());
        };
        let mut held = s.held.lock().unwrap_or_else(PoisonError::into_inner);
        if held.is_some() || s.taken.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let mut bytes = Vec::new();
        let mut stdin = io::stdin().lock();
        (&mut stdin).take(16).read_to_end(&mut bytes)?;
        if gotrace::Version::from_header(&bytes).is_ok_and(|v| v.is_v1()) {
            *s.head.lock().unwrap_or_else(PoisonError::into_inner) = Some(bytes);
            return Ok(());
        }
        stdin.read_to_end(&mut bytes)?;
        *held = Some(Arc::from(bytes));
        Ok(())
    }

    /// The bundle's profile `pprof/<name>` (for example
    /// `profile-during-trace`), read whole; `Ok(None)` when the input is
    /// no bundle or the bundle has no such profile.
    pub fn bundle_profile(&self, name: &str) -> Result<Option<Vec<u8>>, autoprof::BundleError> {
        let member = format!("pprof/{name}");
        match &self.bundle {
            None => Ok(None),
            Some(BundleAt::Folder(dir)) => {
                let mut buf = Vec::new();
                match autoprof::read_file(&dir.join(&member), &mut buf) {
                    Ok(()) => Ok(Some(buf)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                    Err(source) => Err(autoprof::BundleError::File {
                        path: member.into(),
                        source,
                    }),
                }
            }
            Some(BundleAt::Zip(zip)) => {
                let mut z = autoprof::open_zip(zip)?;
                let mut buf = Vec::new();
                Ok(autoprof::read_zip_member(&mut z, &member, &mut buf)?.then_some(buf))
            }
        }
    }
}

/// Says, for a bundle folder, which of its files could not be opened.
fn in_bundle(bundle: bool) -> impl FnOnce(io::Error) -> io::Error {
    move |e| {
        if bundle {
            io::Error::new(e.kind(), format!("pprof/trace: {e}"))
        } else {
            e
        }
    }
}
