//! Deep cause trees, from the chain traces of `testdata/gen/chaingen`
//! (each worker starts the next and waits for it): every output does work
//! linear in the depth (counted in allocations, two depths compared; the
//! times are bench/chain-depth.sh's job), nothing recurses as deep as the trees (the work runs on a small
//! stack), chains are written as made (the memory held stays far below the
//! output's size), and the JSON summaries are read back whole.

use regions::Analysis;
use regions::output::{Mode, render};
use regions::patterns::PatternDefs;
use regions::source::Source;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts the bytes allocated now and their peak.
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        CALLS.fetch_add(1, Ordering::Relaxed);
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        CALLS.fetch_add(1, Ordering::Relaxed);
        let q = unsafe { System.realloc(p, layout, size) };
        if !q.is_null() {
            NOW.fetch_sub(layout.size(), Ordering::Relaxed);
            let now = NOW.fetch_add(size, Ordering::Relaxed) + size;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The tests of this file one at a time, for the allocation counts.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn top() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn trace(depth: usize) -> PathBuf {
    top().join(format!("testdata/traces/chain-{depth}-go1.25.trace"))
}

fn analysis(depth: usize) -> Analysis {
    let mut defs = PatternDefs::builtin();
    let toml = std::fs::read_to_string(top().join("testdata/gen/chaingen/chain.toml")).unwrap();
    defs.add(&toml).unwrap();
    let source = Source::open(trace(depth)).unwrap();
    Analysis::run(&source, defs.compile().unwrap()).unwrap()
}

/// Runs `f` on a thread with a stack far smaller than recursion as deep
/// as the trees would need.
fn small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// Counts what is written.
#[derive(Default)]
struct Count(u64);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn output(depth: usize, mode: Mode) -> Vec<u8> {
    let mut out = Vec::new();
    render(analysis(depth), mode, None, &mut out).unwrap();
    out
}

/// The best of a few runs of the whole analysis and output.
fn allocations(depth: usize, mode: Mode) -> usize {
    let before = CALLS.load(Ordering::Relaxed);
    render(analysis(depth), mode, None, &mut io::sink()).unwrap();
    CALLS.load(Ordering::Relaxed) - before
}

/// Ten times deeper does about ten times the work (allocations counted, a
/// measure the machine's load cannot change), far from the hundred times of
/// work repeated per level (upstream's walks of whole chains).
#[test]
fn work_grows_linearly_with_depth() {
    let _one = ONE_AT_A_TIME.lock();
    for mode in [Mode::Regions, Mode::Pairs, Mode::Json, Mode::JsonSummary] {
        let (small, large) = (allocations(300, mode), allocations(3000, mode));
        let ratio = large as f64 / small.max(1) as f64;
        assert!(
            ratio < 15.0,
            "{mode:?}: {small} allocations at depth 300, {large} at 3000 ({ratio:.1}x)"
        );
    }
}

/// The trees are as deep as the chain: written, summarized, read back by
/// etviz's reader and drawn, all on a small stack.
#[test]
fn deep_trees_without_recursion() {
    let _one = ONE_AT_A_TIME.lock();
    small_stack(|| {
        let json = String::from_utf8(output(3000, Mode::Json)).unwrap();
        let summary = String::from_utf8(output(3000, Mode::JsonSummary)).unwrap();
        let sums = regions::vizinput::read_summaries(&summary).unwrap();
        assert_eq!(sums.len(), json.lines().count());
        let deepest = sums
            .iter()
            .flat_map(|s| s.root.walk())
            .map(|(depth, _)| depth)
            .max()
            .unwrap_or_default();
        assert!(deepest >= 2990, "deepest span at {deepest}");
        // The tree's JSON nests as deep.
        let nesting = json.matches("\"Caused\":[").count();
        assert!(nesting >= 2990, "{nesting}");
        let mut svg = Vec::new();
        regions::svg::render(&sums, true, &mut svg).unwrap();
        let rows = sums.iter().map(|s| s.root.walk().count()).sum::<usize>();
        let svg = String::from_utf8(svg).unwrap();
        assert_eq!(svg.matches("<text ").count(), 2 * rows);
        drop(sums);
    });
}

/// `-show-chains` writes lines as long as the tree is deep, one per node:
/// hundreds of megabytes, while what it holds stays a small part of it.
#[test]
fn chains_are_written_as_made() {
    let _one = ONE_AT_A_TIME.lock();
    let a = analysis(3000);
    let before = NOW.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let mut out = Count::default();
    render(a, Mode::Chains, None, &mut out).unwrap();
    let held = PEAK.load(Ordering::Relaxed) - before;
    assert!(out.0 > 100 << 20, "{} bytes of chains", out.0);
    assert!(
        (held as u64) < out.0 / 50,
        "{held} bytes held for {} bytes written",
        out.0
    );
}
