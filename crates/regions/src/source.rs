//! Where the analysis reads its events from, once per pass: a trace file of
//! any format, scanned as a stream of [`Ev`]s.
//!
//! Go 1.11–1.21 traces are read whole through `gotrace::legacy` (their
//! events must be sorted before any can be given, as Go 1.21's parser did
//! for upstream regiongraph), and each scan walks that view. Go 1.22+ traces
//! are re-read from the file at each scan, one event at a time, through the
//! common event model, mapped onto the same v1-style events (see the
//! README's regiongraph section): only the goroutines' states, links and
//! the events held while a system call's outcome is unknown are kept.

use crate::error::Result;
use crate::event::{Back, Ev, StackFrames};
use analysis::links::LinkTracker;
use gotrace::legacy::{LegacyTrace, types as t};
use gotrace::{Event, EventKind, GoState, RangeName, Reader, Resource, Stack, Transition, Version};
use rustc_hash::{FxHashMap, FxHashSet};
use std::io::{BufReader, Read};
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
    fn new_generation(&mut self) {
        self.by_id.clear();
    }

    fn intern(&mut self, stack: &Stack<'_>) -> u32 {
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
            legacy(std::io::Read::chain(&head[..], input))
        } else {
            Ok(Source::Reopen(Box::new(open)))
        }
    }

    /// Opens a trace file (see [`Source::from_fn`]).
    pub fn open(path: impl Into<PathBuf>) -> Result<Source> {
        let path = path.into();
        Source::from_fn(move || {
            let file = std::fs::File::open(&path)?;
            Ok(Box::new(file) as Box<dyn Read + Send>)
        })
    }

    /// Reads a trace from a stream that cannot be read twice: Go ≤1.21
    /// traces as [`Source::from_fn`] does, newer ones into memory.
    pub fn from_reader<R: Read>(mut input: R) -> Result<Source> {
        let head = read_head(&mut input)?;
        let mut chained = std::io::Read::chain(&head[..], input);
        if is_v1(&head) {
            return legacy(chained);
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
            Source::Legacy(l) => scan_legacy(l, stacks, &mut f),
            Source::Reopen(open) => {
                let input = BufReader::new(open()?);
                scan_v2(input, stacks, &mut f)
            }
            Source::Bytes(b) => scan_v2(&b[..], stacks, &mut f),
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
fn legacy<R: Read>(input: R) -> Result<Source> {
    Ok(Source::Legacy(Box::new(LegacyTrace::read(input)?)))
}

/// Go 1.11–1.21: every event of Go 1.21's parser, in its order, with its
/// links.
fn scan_legacy(
    legacy: &LegacyTrace,
    stacks: &mut Stacks,
    f: &mut impl FnMut(&Ev, &Stacks),
) -> Result<()> {
    // Links not yet reached: target event -> its source.
    let mut pending: FxHashMap<u32, Back> = FxHashMap::default();
    for ev in legacy.events() {
        let idx = ev.index() as u32;
        let g = ev.g() as i64;
        let mut wakes = None;
        if let Some(l) = ev.link() {
            let back = Back { idx, ts: ev.ts() };
            if pending.insert(l as u32, back).is_some() {
                let msg = format!("two events link to event {l}");
                return Err(std::io::Error::other(msg).into());
            }
            let target = legacy.event(l);
            if target.typ() == t::EV_GO_START && target.g() as i64 != g {
                wakes = Some(target.g() as i64);
            }
        }
        let out = Ev {
            idx,
            ts: ev.ts(),
            g,
            typ: ev.typ(),
            stack: stacks.intern(&ev.stack()),
            back: pending.remove(&idx),
            wakes,
        };
        f(&out, stacks);
    }
    Ok(())
}

/// The v1 block type for a Go 1.22+ block reason.
fn block_type(reason: &str) -> u8 {
    match reason {
        "network" => t::EV_GO_BLOCK_NET,
        "select" => t::EV_GO_BLOCK_SELECT,
        "chan send" => t::EV_GO_BLOCK_SEND,
        "chan receive" => t::EV_GO_BLOCK_RECV,
        "sync" => t::EV_GO_BLOCK_SYNC,
        "sync.(*Cond).Wait" => t::EV_GO_BLOCK_COND,
        "GC mark assist wait for work" => t::EV_GO_BLOCK_GC,
        "sleep" => t::EV_GO_SLEEP,
        "forever" => t::EV_GO_STOP,
        _ => t::EV_GO_BLOCK,
    }
}

/// What a Go 1.22+ event does to a goroutine's system call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syscall {
    /// Nothing.
    None,
    /// The event enters one.
    Enter,
    /// The goroutine leaves it; `blocked`: it lost its P, so the call was a
    /// blocking one.
    Leave { g: i64, blocked: bool },
}

/// A Go 1.22+ event as the analysis sees it.
struct Mapped {
    /// Goroutine, v1 type and stack; None for events the analysis does not
    /// use.
    ev: Option<(i64, u8, u32)>,
    wakes: Option<i64>,
    syscall: Syscall,
}

/// State kept while mapping Go 1.22+ events.
#[derive(Default)]
struct V2State {
    /// New goroutines' start stacks, given to their first start.
    start_stack: FxHashMap<i64, u32>,
    assisting: FxHashSet<i64>,
    links: LinkTracker,
    /// Per goroutine in a system call: its events since entering it (the
    /// first one the GoSysCall), held until the call's outcome is known,
    /// for a blocking call turns that first event into a GoSysBlock.
    held: FxHashMap<i64, Vec<Ev>>,
}

/// Go 1.22+: the common model's events mapped onto v1 types.
fn scan_v2<R: Read>(input: R, stacks: &mut Stacks, f: &mut impl FnMut(&Ev, &Stacks)) -> Result<()> {
    let mut reader = Reader::new(input)?;
    stacks.new_generation();
    let mut st = V2State::default();
    let mut next: u32 = 0;
    let mut origin: Option<i64> = None;
    while let Some(ev) = reader.read_event()? {
        let time = ev.time();
        let base = *origin.get_or_insert(time);
        if ev.kind() == EventKind::Sync {
            stacks.new_generation();
            continue;
        }
        let m = map_event(&ev, &mut st, stacks);
        if let Syscall::Leave { g, blocked } = m.syscall
            && let Some(mut held) = st.held.remove(&g)
        {
            if blocked {
                held[0].typ = t::EV_GO_SYS_BLOCK;
            }
            held.iter().for_each(|e| f(e, stacks));
        }
        let Some((g, typ, stack)) = m.ev else {
            continue;
        };
        let idx = next;
        next += 1;
        let back = st.links.observe(u64::from(idx), &ev).map(|l| Back {
            idx: l.from as u32,
            ts: l.from_time - base,
        });
        let out = Ev {
            idx,
            ts: time - base,
            g,
            typ,
            stack,
            back,
            wakes: m.wakes,
        };
        if m.syscall == Syscall::Enter {
            if let Some(unresolved) = st.held.insert(g, vec![out]) {
                unresolved.iter().for_each(|e| f(e, stacks));
            }
        } else if let Some(held) = st.held.get_mut(&g) {
            held.push(out);
        } else {
            f(&out, stacks);
        }
    }
    // Calls still open at the end keep their GoSysCall.
    let mut rest: Vec<Vec<Ev>> = st.held.into_values().collect();
    rest.sort_by_key(|h| h[0].idx);
    rest.iter().flatten().for_each(|e| f(e, stacks));
    Ok(())
}

/// How the analysis sees a Go 1.22+ event.
fn map_event(ev: &Event<'_>, st: &mut V2State, stacks: &mut Stacks) -> Mapped {
    let mut m = Mapped {
        ev: None,
        wakes: None,
        syscall: Syscall::None,
    };
    let own = |stacks: &mut Stacks| stacks.intern(&ev.stack());
    m.ev = match ev.kind() {
        EventKind::StateTransition => {
            let Some(tr) = ev.state_transition() else {
                return m;
            };
            let Transition::Goroutine { id, from, to } = tr.transition else {
                return m;
            };
            use GoState as S;
            let by = ev.goroutine();
            Some(match (from, to) {
                _ if from == to => return m,
                (S::NotExist, S::Runnable | S::Waiting) => {
                    let start = stacks.intern(&tr.stack);
                    st.start_stack.insert(id, start);
                    if to == S::Runnable && by != id {
                        m.wakes = Some(id);
                    }
                    (by, t::EV_GO_CREATE, own(stacks))
                }
                (S::NotExist | S::Undetermined, S::Syscall) => (id, t::EV_GO_IN_SYSCALL, 0),
                (S::Undetermined, S::Waiting) => (id, t::EV_GO_WAITING, 0),
                (S::Runnable, S::Running) => {
                    (id, t::EV_GO_START, st.start_stack.remove(&id).unwrap_or(0))
                }
                (S::Waiting, S::Runnable) => {
                    if by != id {
                        m.wakes = Some(id);
                    }
                    (by, t::EV_GO_UNBLOCK, own(stacks))
                }
                (S::Running, S::Waiting) => (id, block_type(tr.reason), own(stacks)),
                (S::Running, S::Runnable) if tr.reason == "preempted" => {
                    (id, t::EV_GO_PREEMPT, own(stacks))
                }
                (S::Running, S::Runnable) => (id, t::EV_GO_SCHED, own(stacks)),
                (S::Running | S::Syscall, S::NotExist) => {
                    m.syscall = Syscall::Leave {
                        g: id,
                        blocked: false,
                    };
                    (id, t::EV_GO_END, 0)
                }
                (S::Running, S::Syscall) => {
                    m.syscall = Syscall::Enter;
                    (id, t::EV_GO_SYS_CALL, own(stacks))
                }
                (S::Syscall, S::Runnable) => {
                    // The syscall blocked: its wait starts at its begin.
                    m.syscall = Syscall::Leave {
                        g: id,
                        blocked: true,
                    };
                    (id, t::EV_GO_SYS_EXIT, 0)
                }
                (S::Syscall, S::Running) => {
                    m.syscall = Syscall::Leave {
                        g: id,
                        blocked: false,
                    };
                    return m;
                }
                _ => return m,
            })
        }
        EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => {
            let Some(r) = ev.range() else {
                return m;
            };
            match (r.name, r.scope) {
                (RangeName::GcMarkAssist, Resource::Goroutine(g)) => {
                    if ev.kind() == EventKind::RangeEnd {
                        st.assisting.remove(&g);
                        Some((g, t::EV_GC_MARK_ASSIST_DONE, 0))
                    } else if st.assisting.insert(g) {
                        Some((g, t::EV_GC_MARK_ASSIST_START, own(stacks)))
                    } else {
                        None
                    }
                }
                (RangeName::GcMark, _) if ev.kind() == EventKind::RangeBegin => {
                    stack_event(ev, t::EV_GC_START, own(stacks))
                }
                (RangeName::GcSweep, _) if ev.kind() == EventKind::RangeBegin => {
                    stack_event(ev, t::EV_GC_SWEEP_START, own(stacks))
                }
                _ => None,
            }
        }
        EventKind::StackSample => stack_event(ev, t::EV_CPU_SAMPLE, own(stacks)),
        EventKind::Log => stack_event(ev, t::EV_USER_LOG, own(stacks)),
        EventKind::RegionBegin | EventKind::RegionEnd => {
            stack_event(ev, t::EV_USER_REGION, own(stacks))
        }
        EventKind::TaskBegin => stack_event(ev, t::EV_USER_TASK_CREATE, own(stacks)),
        EventKind::TaskEnd => stack_event(ev, t::EV_USER_TASK_END, own(stacks)),
        _ => None,
    };
    m
}

/// Other events count only when a goroutine's stack comes with them.
fn stack_event(ev: &Event<'_>, typ: u8, stack: u32) -> Option<(i64, u8, u32)> {
    (ev.goroutine() >= 0 && stack != 0).then_some((ev.goroutine(), typ, stack))
}

#[cfg(test)]
mod tests {
    use super::*;
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
            let mut counts: HashMap<u8, usize> = HashMap::new();
            for e in &by_idx {
                if let Some(x) = e.wakes {
                    assert!(matches!(e.typ, t::EV_GO_CREATE | t::EV_GO_UNBLOCK));
                    assert_ne!(x, e.g);
                    wakes.insert(x, e.idx);
                    *counts.entry(e.typ).or_default() += 1;
                }
                if e.typ == t::EV_GO_START {
                    if let Some(w) = wakes.remove(&e.g) {
                        let b = e.back.expect("a woken start links back");
                        assert_eq!(b.idx, w, "go{v}");
                        assert_eq!(b.ts, by_idx[w as usize].ts);
                    }
                    if let Some(b) = e.back {
                        let from = by_idx[b.idx as usize].typ;
                        let ok = [
                            t::EV_GO_CREATE,
                            t::EV_GO_UNBLOCK,
                            t::EV_GO_SCHED,
                            t::EV_GO_PREEMPT,
                            t::EV_GO_SYS_EXIT,
                        ];
                        assert!(ok.contains(&from), "go{v}: start after {}", t::name(from));
                    }
                }
            }
            assert!(counts[&t::EV_GO_CREATE] > 100, "go{v}: {counts:?}");
            assert!(counts[&t::EV_GO_UNBLOCK] > 100, "go{v}: {counts:?}");
            let waits = evs
                .iter()
                .filter(|e| crate::event::wait_reason(e.typ) == Some("net"));
            assert!(waits.count() > 100, "go{v}: network waits");
        }
    }

    /// In Go 1.22+ traces a system call is a GoSysBlock when the goroutine
    /// came back runnable, and its events in between stay in order.
    #[test]
    fn blocking_syscalls_are_marked() {
        let evs = events(&fixture("1.25"));
        let mut blocks = 0;
        let mut in_call: HashMap<i64, u8> = HashMap::new();
        for e in &evs {
            match e.typ {
                t::EV_GO_SYS_CALL | t::EV_GO_SYS_BLOCK => {
                    in_call.insert(e.g, e.typ);
                }
                t::EV_GO_SYS_EXIT => {
                    assert_eq!(in_call.remove(&e.g), Some(t::EV_GO_SYS_BLOCK), "{e:?}");
                    blocks += 1;
                }
                t::EV_GO_START | t::EV_GO_END => {
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
