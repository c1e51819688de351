//! Where the analysis reads its events from, once per pass: a trace of any
//! format, scanned as a stream of [`Ev`]s, each telling what its goroutine
//! did ([`crate::did`]) through one adapter per source.
//!
//! Go 1.11–1.21 traces are read whole through `gotrace::legacy` (their
//! events must be sorted before any can be given, as Go 1.21's parser did
//! for upstream regiongraph), and each scan walks that view
//! (`source/legacy.rs`). Go 1.22+ traces are read again at each scan, one
//! event at a time, through the common event model (`source/common.rs`;
//! see the README's regiongraph section).

mod common;
mod legacy;

use crate::error::Result;
use crate::event::{Ev, StackFrames};
use gotrace::legacy::LegacyTrace;
use gotrace::{Stack, Version};
use rustc_hash::FxHashMap;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;

/// Interns stacks as root-first function-name lists. Index 0 is the empty
/// stack. One table serves every scan of a source: the same stack gets the
/// same index each time.
#[derive(Debug)]
pub struct Stacks {
    list: Vec<StackFrames>,
    by_frames: FxHashMap<StackFrames, u32>,
    /// By the trace's stack id, valid within one generation.
    by_id: FxHashMap<u64, u32>,
}

impl Default for Stacks {
    fn default() -> Self {
        Stacks::new()
    }
}

impl Stacks {
    /// A table holding only the empty stack.
    pub fn new() -> Stacks {
        let mut s = Stacks {
            list: vec![StackFrames::default()],
            by_frames: FxHashMap::default(),
            by_id: FxHashMap::default(),
        };
        s.by_frames.insert(StackFrames::default(), 0);
        s
    }

    /// The stack at `i`.
    pub fn get(&self, i: u32) -> &StackFrames {
        &self.list[i as usize]
    }

    /// All stacks, by index.
    pub fn all(&self) -> &[StackFrames] {
        &self.list
    }

    /// Forgets the trace's stack ids (at a new generation or scan).
    pub(crate) fn new_generation(&mut self) {
        self.by_id.clear();
    }

    pub(crate) fn intern(&mut self, stack: &Stack<'_>) -> u32 {
        if stack.id() == 0 {
            return 0;
        }
        if let Some(&i) = self.by_id.get(&stack.id()) {
            return i;
        }
        let frames = StackFrames(stack.frames().rev().map(|f| f.func().into()).collect());
        let next = self.list.len() as u32;
        let i = *self.by_frames.entry(frames.clone()).or_insert(next);
        if i == next {
            self.list.push(frames);
        }
        self.by_id.insert(stack.id(), i);
        i
    }
}

/// Opens a fresh reader of a trace, from its start, at each call.
pub type Open = dyn Fn() -> std::io::Result<Box<dyn Read + Send>> + Send + Sync;

/// A trace to scan.
pub enum Source {
    /// A Go ≤1.21 trace, read whole.
    Legacy(Box<LegacyTrace>),
    /// A Go 1.22+ trace, re-opened at each scan.
    Reopen(Box<Open>),
    /// A Go 1.22+ trace held in memory (read from a stream that cannot be
    /// read twice).
    Bytes(Vec<u8>),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Legacy(l) => write!(f, "Legacy({} events)", l.len()),
            Source::Reopen(_) => f.write_str("Reopen"),
            Source::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
        }
    }
}

impl Source {
    /// A trace that `open` reads from its start at each call: Go ≤1.21
    /// traces are read whole now (one call); newer ones are read again at
    /// each scan (a call per scan).
    pub fn from_fn(
        open: impl Fn() -> std::io::Result<Box<dyn Read + Send>> + Send + Sync + 'static,
    ) -> Result<Source> {
        let mut input = open()?;
        let head = read_head(&mut input)?;
        if is_v1(&head) {
            read_legacy(std::io::Read::chain(&head[..], input))
        } else {
            Ok(Source::Reopen(Box::new(open)))
        }
    }

    /// Opens a trace file (see [`Source::from_fn`]); each scan reads it
    /// from its start through the handle opened now, so every scan reads
    /// the same file even if another one takes its path meanwhile.
    pub fn open(path: impl Into<PathBuf>) -> Result<Source> {
        let file = std::fs::File::open(path.into())?;
        Source::from_fn(move || {
            let mut f = file.try_clone()?;
            f.seek(SeekFrom::Start(0))?;
            Ok(Box::new(f) as Box<dyn Read + Send>)
        })
    }

    /// Reads a trace from a stream that cannot be read twice: Go ≤1.21
    /// traces as [`Source::from_fn`] does, newer ones into memory.
    pub fn from_reader<R: Read>(mut input: R) -> Result<Source> {
        let head = read_head(&mut input)?;
        let mut chained = std::io::Read::chain(&head[..], input);
        if is_v1(&head) {
            return read_legacy(chained);
        }
        let mut bytes = Vec::new();
        chained.read_to_end(&mut bytes)?;
        Ok(Source::Bytes(bytes))
    }

    /// Calls `f` on every event, in trace order (see [`Ev::idx`]), interning
    /// stacks in `stacks` (given to `f` too). A read error stops the scan;
    /// a broken trace's error has the reader's byte offset when known.
    pub fn scan(&self, stacks: &mut Stacks, mut f: impl FnMut(&Ev, &Stacks)) -> Result<()> {
        match self {
            // Stack ids are the trace's own: the same in every scan.
            Source::Legacy(l) => {
                legacy::scan(l, stacks, &mut f);
                Ok(())
            }
            Source::Reopen(open) => {
                let input = BufReader::new(open()?);
                common::scan(input, stacks, &mut f)
            }
            Source::Bytes(b) => common::scan(&b[..], stacks, &mut f),
        }
    }
}

/// Up to the first 16 bytes of a stream.
fn read_head<R: Read>(input: &mut R) -> Result<Vec<u8>> {
    let mut head = Vec::with_capacity(16);
    input.take(16).read_to_end(&mut head)?;
    Ok(head)
}

/// Whether a header names the Go 1.11–1.21 format. Anything else goes to
/// the newer reader, which reports what is wrong with it.
fn is_v1(head: &[u8]) -> bool {
    Version::from_header(head).is_ok_and(Version::is_v1)
}

/// Reads a whole Go ≤1.21 trace.
fn read_legacy<R: Read>(input: R) -> Result<Source> {
    Ok(Source::Legacy(Box::new(LegacyTrace::read(input)?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::did::{Did, Why};
    use std::collections::HashMap;

    fn fixture(v: &str) -> Source {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../testdata/traces/http-go{v}.trace"));
        Source::open(path).unwrap()
    }

    fn events(src: &Source) -> Vec<Ev> {
        let mut out = Vec::new();
        src.scan(&mut Stacks::new(), |e, _| out.push(*e)).unwrap();
        out
    }

    /// Both formats give the v1 shapes the analysis relies on: times from
    /// zero, in order within each goroutine and nearly so overall; every
    /// event once; creations and unblocks waking another goroutine's next
    /// start, which links back to them; one-frame start stacks on first
    /// starts only; the same events in every scan.
    #[test]
    fn both_formats_have_v1_shapes() {
        for v in ["1.21", "1.25"] {
            let src = fixture(v);
            let evs = events(&src);
            assert_eq!(evs, events(&src), "go{v}: scans differ");
            let mut seen = vec![false; evs.len()];
            let mut last: HashMap<i64, (u32, i64)> = HashMap::new();
            let mut by_idx = vec![None; evs.len()];
            for e in &evs {
                assert!(!std::mem::replace(&mut seen[e.idx as usize], true));
                assert!(e.ts >= 0);
                by_idx[e.idx as usize] = Some(*e);
                if let Some((idx, ts)) = last.insert(e.g, (e.idx, e.ts)) {
                    assert!(idx < e.idx && ts <= e.ts, "go{v}: {e:?}");
                }
            }
            let by_idx: Vec<Ev> = by_idx.into_iter().map(Option::unwrap).collect();
            assert!(by_idx.windows(2).all(|w| w[0].ts <= w[1].ts), "go{v}");
            let mut wakes: HashMap<i64, u32> = HashMap::new();
            let mut counts: HashMap<Did, usize> = HashMap::new();
            for e in &by_idx {
                if let Some(x) = e.wakes {
                    assert!(matches!(e.did, Did::Create | Did::Unblock));
                    assert_ne!(x, e.g);
                    wakes.insert(x, e.idx);
                    *counts.entry(e.did).or_default() += 1;
                }
                if e.did == Did::Start {
                    if let Some(w) = wakes.remove(&e.g) {
                        let b = e.back.expect("a woken start links back");
                        assert_eq!(b.idx, w, "go{v}");
                        assert_eq!(b.ts, by_idx[w as usize].ts);
                    }
                    if let Some(b) = e.back {
                        let from = by_idx[b.idx as usize].did.old().name();
                        let ok = ["GoCreate", "GoUnblock", "GoSched", "GoPreempt", "GoSysExit"];
                        assert!(ok.contains(&from), "go{v}: start after {from}");
                    }
                }
            }
            assert!(counts[&Did::Create] > 100, "go{v}: {counts:?}");
            assert!(counts[&Did::Unblock] > 100, "go{v}: {counts:?}");
            let waits = evs.iter().filter(|e| e.did.wait() == Some(Why::Net));
            assert!(waits.count() > 100, "go{v}: network waits");
        }
    }

    /// In Go 1.22+ traces a system call is a GoSysBlock when the goroutine
    /// came back runnable, and its events in between stay in order.
    #[test]
    fn blocking_syscalls_are_marked() {
        let evs = events(&fixture("1.25"));
        let mut blocks = 0;
        let mut in_call: HashMap<i64, Did> = HashMap::new();
        for e in &evs {
            match e.did {
                Did::SyscallBegin | Did::SyscallBlock => {
                    in_call.insert(e.g, e.did);
                }
                Did::SyscallEnd => {
                    assert_eq!(in_call.remove(&e.g), Some(Did::SyscallBlock), "{e:?}");
                    blocks += 1;
                }
                Did::Start | Did::End => {
                    in_call.remove(&e.g);
                }
                _ => {}
            }
        }
        assert!(blocks > 0);
    }

    /// The mapping of the common model is checked against the ground truth
    /// of a Go 1.21 trace: read through the common model (converted from
    /// v1 by the reader) instead of the legacy view, the same execution
    /// gives nearly the same regions of each kind.
    #[test]
    fn common_model_finds_what_legacy_view_finds() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/traces/http-go1.21.trace");
        let patterns = crate::patterns::PatternDefs::builtin().compile().unwrap();
        let counts = |src: &Source| {
            let tracked = crate::track::track(src, &patterns, &mut Stacks::new()).unwrap();
            let mut n = vec![0usize; patterns.len()];
            tracked
                .regions
                .iter()
                .for_each(|r| n[r.pattern as usize] += 1);
            n
        };
        let legacy = counts(&fixture("1.21"));
        let common = counts(&Source::Bytes(std::fs::read(path).unwrap()));
        for (p, (a, b)) in legacy.iter().zip(&common).enumerate() {
            assert!(*a > 0, "{}", patterns[p].kind);
            assert!(
                a.abs_diff(*b) * 20 <= *a,
                "{}: {a} vs {b}",
                patterns[p].kind
            );
        }
    }

    /// `from_fn` opens a Go ≤1.21 trace once and a newer one again for
    /// each scan, giving what the file gives; a broken trace's error keeps
    /// the reader's byte offset, and a failing opener its I/O error.
    #[test]
    fn from_fn_reopens_newer_traces_only() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        for (v, calls) in [("1.21", 1), ("1.25", 3)] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../../testdata/traces/http-go{v}.trace"));
            let n = Arc::new(AtomicUsize::new(0));
            let counter = Arc::clone(&n);
            let src = Source::from_fn(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok(Box::new(std::fs::File::open(&path)?) as Box<dyn Read + Send>)
            })
            .unwrap();
            let (a, b) = (events(&src), events(&src));
            assert_eq!(a, b);
            assert_eq!(a, events(&fixture(v)), "go{v}");
            assert_eq!(n.load(Ordering::SeqCst), calls, "go{v}");
        }
        let data = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../testdata/traces/http-go1.25.trace"),
        )
        .unwrap();
        let half = data[..data.len() / 2].to_vec();
        let src =
            Source::from_fn(move || Ok(Box::new(std::io::Cursor::new(half.clone())) as _)).unwrap();
        let err = src.scan(&mut Stacks::new(), |_, _| {}).unwrap_err();
        assert!(matches!(err, crate::Error::Trace(_)), "{err:?}");
        assert!(err.offset().is_some_and(|o| o > 0), "{err:?}");
        let gone = Source::from_fn(|| Err(std::io::ErrorKind::NotFound.into())).unwrap_err();
        assert_eq!(
            gone.io().map(std::io::Error::kind),
            Some(std::io::ErrorKind::NotFound)
        );
    }

    /// Go ≤1.21 traces are read whole, newer ones kept for each scan;
    /// what is no trace header goes to the newer reader, which names it.
    #[test]
    fn sources_by_header() {
        let read = |v: &str| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../../testdata/traces/http-go{v}.trace"));
            Source::from_reader(std::fs::File::open(path).unwrap()).unwrap()
        };
        assert!(matches!(read("1.21"), Source::Legacy(_)));
        assert!(matches!(read("1.25"), Source::Bytes(_)));
        assert!(matches!(fixture("1.19"), Source::Legacy(_)));
        assert!(matches!(fixture("1.25"), Source::Reopen(_)));
        assert!(is_v1(b"go 1.21 trace\0\0\0"));
        assert!(is_v1(b"go 1.11 trace\0\0\0"));
        assert!(!is_v1(b"go 1.22 trace\0\0\0"));
        assert!(!is_v1(b"not a trace"));
        let bad = Source::from_reader(&b"not a trace at all"[..]).unwrap();
        let err = bad.scan(&mut Stacks::new(), |_, _| {}).unwrap_err();
        assert!(
            err.to_string().contains("not a Go execution trace"),
            "{err}"
        );
    }
}
