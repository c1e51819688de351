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
/// so that later reads reuse the handle: every pass reads the file that
/// the first one read, even if another file has taken its path since.
struct Lazy {
    path: PathBuf,
    file: Mutex<Option<Opened>>,
}

/// What a file input's path gave when first opened.
#[derive(Clone)]
enum Opened {
    /// A regular file, read with positional reads through this handle, and
    /// what it was like then.
    File(Arc<File>, Identity),
    /// Anything that cannot be read from its start again (a FIFO, a
    /// process substitution, a terminal): read whole into memory, once.
    Held(Arc<[u8]>),
}

/// What a regular file was like when first opened: a file overwritten in
/// place since (through the same handle) is not read again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Identity {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Identity {
    fn of(meta: &std::fs::Metadata) -> Identity {
        Identity {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

impl Opened {
    /// The file (or what is held of it) from `start`, `len` bytes; the
    /// file only if it is still as it was when first opened.
    fn range(&self, start: u64, len: u64) -> io::Result<TraceReader> {
        match self {
            Opened::File(f, id) => {
                if Identity::of(&f.metadata()?) != *id {
                    return Err(io::Error::other(
                        "the file changed since it was first read (its size or modification time): not read again",
                    ));
                }
                Ok(Box::new(At::range(f.clone(), start, len)))
            }
            Opened::Held(bytes) => Ok(Box::new(Held::range(bytes.clone(), start, len))),
        }
    }
}

impl Lazy {
    fn new(path: PathBuf) -> Arc<Lazy> {
        Arc::new(Lazy {
            path,
            file: Mutex::new(None),
        })
    }

    fn get(&self) -> io::Result<Opened> {
        let mut slot = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(f) = &*slot {
            return Ok(f.clone());
        }
        let mut f = File::open(&self.path)?;
        let meta = f.metadata()?;
        let opened = if meta.is_file() {
            Opened::File(Arc::new(f), Identity::of(&meta))
        } else {
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes)?;
            Opened::Held(Arc::from(bytes))
        };
        *slot = Some(opened.clone());
        Ok(opened)
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
    /// and its handle reused by later ones, which fail if the file has
    /// changed size or modification time since; a path that is no regular
    /// file (a FIFO, a process substitution) is read into memory on the
    /// first call. Standard input can be opened once, unless
    /// [`Input::hold`] has held it in memory.
    pub fn open(&self) -> io::Result<TraceReader> {
        match &self.trace {
            Trace::File(f) => f
                .get()
                .and_then(|o| o.range(0, u64::MAX))
                .map_err(in_bundle(self.bundle.is_some())),
            Trace::Zip(f, m) => {
                let raw = f.get()?.range(m.start, m.compressed)?;
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

    /// Opens the trace from its start as [`Input::open`] does, for
    /// [`gotrace::Reader::from_source`]: a regular file (a trace file or a
    /// bundle folder's `pprof/trace`) can also be read by position, so a
    /// Go ≤1.21 trace's events need not be held in memory; any other
    /// input is a stream only.
    pub fn source(&self) -> io::Result<gotrace::TraceSource> {
        if let Trace::File(f) = &self.trace
            && let Opened::File(file, _) = f.get().map_err(in_bundle(self.bundle.is_some()))?
        {
            let stream = self.open()?;
            return Ok(gotrace::TraceSource::positional(stream, file));
        }
        Ok(gotrace::TraceSource::stream(self.open()?))
    }

    /// A function that opens the trace from its start at each call, as
    /// [`Input::source`] does, for analyses that read their input in
    /// passes.
    pub fn source_opener(
        &self,
    ) -> impl Fn() -> io::Result<gotrace::TraceSource> + Send + Sync + 'static {
        let me = self.clone();
        move || me.source()
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
        self.hold_some(false)
    }

    /// As [`Input::hold`], but a Go ≤1.21 trace is held too: for tools
    /// that open the trace more than once whatever its format (each of
    /// their passes reads it whole).
    pub fn hold_all(&self) -> io::Result<()> {
        self.hold_some(true)
    }

    fn hold_some(&self, v1_too: bool) -> io::Result<()> {
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
        if !v1_too && gotrace::Version::from_header(&bytes).is_ok_and(|v| v.is_v1()) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read(input: &Input) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        input.open()?.read_to_end(&mut out)?;
        Ok(out)
    }

    /// A later pass reads the bytes the first one read, though another
    /// file was renamed over the path in between; a file overwritten in
    /// place is not read again.
    #[test]
    fn later_passes_read_what_the_first_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.trace");
        std::fs::write(&path, b"first trace").unwrap();
        let input = Input::file("t.trace".into(), path.clone());
        assert_eq!(read(&input).unwrap(), b"first trace");
        let other = dir.path().join("new");
        std::fs::write(&other, b"a later, other trace").unwrap();
        std::fs::rename(&other, &path).unwrap();
        assert_eq!(read(&input).unwrap(), b"first trace");
        assert_eq!(read(&input.clone()).unwrap(), b"first trace");

        let input = Input::file("t.trace".into(), path.clone());
        assert_eq!(read(&input).unwrap(), b"a later, other trace");
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all(b"overwritten in place, longer").unwrap();
        drop(f);
        let e = read(&input).unwrap_err();
        assert!(e.to_string().contains("changed"), "{e}");
    }

    /// Every event of `input` read through [`Input::source`], with its
    /// stack, and the error that ended the reading, if any.
    fn events(input: &Input) -> (Vec<u8>, Option<String>) {
        let mut out = Vec::new();
        let mut reader = match gotrace::Reader::from_source(input.source().unwrap()) {
            Ok(r) => r,
            Err(e) => return (out, Some(e.to_string())),
        };
        loop {
            match reader.read_event() {
                Ok(Some(ev)) => {
                    gotrace::format::write_event_line(&ev, &mut out);
                    out.push(b'\n');
                    gotrace::format::write_stack_lines(&ev, &mut out);
                }
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e.to_string())),
            }
        }
    }

    /// A Go ≤1.21 trace file is read by position, a FIFO held in memory:
    /// both give the same events, and, cut in the middle, the same error
    /// naming the byte offset.
    #[test]
    fn a_file_and_a_pipe_give_the_same_events() {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/traces/http-go1.21.trace");
        let whole = std::fs::read(fixture).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (i, keep) in [whole.len(), whole.len() / 2].into_iter().enumerate() {
            let bytes = whole[..keep].to_vec();
            let file = dir.path().join(format!("t{i}.trace"));
            std::fs::write(&file, &bytes).unwrap();
            let input = Input::file("t.trace".into(), file);
            assert!(matches!(&input.trace, Trace::File(_)));
            let from_file = events(&input);

            let fifo = dir.path().join(format!("fifo{i}"));
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            assert!(made.unwrap().success());
            let writer = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::write(fifo, bytes).unwrap())
            };
            let from_pipe = events(&Input::file("fifo".into(), fifo));
            writer.join().unwrap();

            assert!(from_file == from_pipe, "cut at {keep}");
            if keep < whole.len() {
                let e = from_file.1.unwrap_or_default();
                assert!(e.starts_with("at byte offset "), "{e}");
            } else {
                assert!(from_file.0.len() > 100_000, "{}", from_file.0.len());
                assert_eq!(from_file.1, None);
            }
        }
    }

    /// A FIFO (as a process substitution gives) is read once, into memory,
    /// and then as often as asked.
    #[test]
    fn a_fifo_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        assert!(made.unwrap().success());
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || std::fs::write(path, b"streamed trace").unwrap())
        };
        let input = Input::file("fifo".into(), path);
        for _ in 0..3 {
            assert_eq!(read(&input).unwrap(), b"streamed trace");
        }
        writer.join().unwrap();
    }
}
