//! Parsing a Go 1.11–1.21 trace as Go's parser does
//! (`internal/trace/internal/tracev1/parser.go` in Go 1.27): an index of
//! the whole trace (`index`), the merge of the per-P streams into Go's
//! order (`merge`), and the checks and adjustments after it
//! (`parse_check`), pulled one event at a time.

use super::index::{Index, index};
use super::merge::Merger;
use super::parse_check::{Checker, Stacks};
use super::source::Bytes;
use crate::error::{Error, Result};
use crate::table::Table;
use crate::version::Version;
use rustc_hash::FxHashSet as HashSet;

/// Fake P numbers the parser assigns.
pub(crate) const TIMER_P: i32 = 1_000_001;
pub(crate) const NETPOLL_P: i32 = 1_000_002;
pub(crate) const SYSCALL_P: i32 = 1_000_003;
pub(crate) const GC_P: i32 = 1_000_004;

/// One decoded event (56 bytes: only the events of the batches being
/// merged and those waiting to be ordered are held as these). `ts` is in
/// ticks until the checks after the merge, then in ns since the first
/// event. A UserLog keeps the index of its message in `args[2]`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct V1Event {
    pub(crate) ts: i64,
    pub(crate) g: u64,
    pub(crate) args: [u64; 3],
    pub(crate) stk: u32,
    pub(crate) p: i32,
    /// Input offset of the event (saturated at 4 GiB).
    pub(crate) off: u32,
    pub(crate) typ: u8,
}

impl V1Event {
    /// The input offset, for error messages.
    pub(crate) fn offset(&self) -> u64 {
        u64::from(self.off)
    }
}

pub(crate) fn short_offset(off: u64) -> u32 {
    u32::try_from(off).unwrap_or(u32::MAX)
}

/// The events of a v1 trace in Go's final order, checked and adjusted as
/// Go's parser checks and adjusts them, pulled one at a time: the merge
/// decodes each P's batches from the trace's bytes as it needs them, so
/// only the bytes, the tables and the events waiting to be ordered are
/// held, never the whole decoded trace.
///
/// Go's parser reports an error before any event; here the events before
/// the point where a problem shows are yielded first. Which error is
/// reported is still Go's: on the first problem the merge runs to its end
/// for the errors Go finds first.
pub(crate) struct V1Parser {
    merger: Merger,
    checker: Checker,
    ticks_per_sec: i64,
    empty_stacks: HashSet<u64>,
    merge_done: bool,
    /// Events parsed ahead, and how many of them are taken: parsing a
    /// chunk at a time keeps the merge's and the caller's loops apart.
    out: Vec<V1Event>,
    pos: usize,
    done: bool,
    failed: Option<Error>,
}

/// Events parsed at a time.
pub(crate) const CHUNK: usize = 1024;

impl V1Parser {
    /// A parser over `data` (the trace after its header), indexed by
    /// `index`, whose table the caller takes.
    pub(crate) fn new(data: Bytes, version: Version, mut index: Index) -> V1Parser {
        let merger = Merger::new(data, version.minor(), &mut index);
        let ns_per_tick = if index.ticks_per_sec > 0 {
            1e9 / index.ticks_per_sec as f64
        } else {
            0.0
        };
        V1Parser {
            merger,
            checker: Checker::new(ns_per_tick, std::mem::take(&mut index.timer_goids)),
            ticks_per_sec: index.ticks_per_sec,
            empty_stacks: std::mem::take(&mut index.empty_stacks),
            merge_done: false,
            out: Vec::with_capacity(CHUNK),
            pos: 0,
            done: false,
            failed: None,
        }
    }

    /// UserLog messages met so far; events refer to them by index.
    pub(crate) fn inline(&self) -> &[Vec<u8>] {
        &self.merger.inline.list
    }

    /// The next event; `table` holds the trace's stacks.
    #[inline(always)]
    pub(crate) fn next(&mut self, table: &Table) -> Result<Option<V1Event>> {
        if self.pos == self.out.len() {
            self.refill(table);
        }
        match self.out.get(self.pos) {
            Some(&ev) => {
                self.pos += 1;
                Ok(Some(ev))
            }
            None => match &self.failed {
                Some(e) => Err(e.clone()),
                None => Ok(None),
            },
        }
    }

    /// Time of the next event, which stays next; `None` at the end.
    pub(crate) fn peek_time(&mut self, table: &Table) -> Result<Option<i64>> {
        if self.pos == self.out.len() {
            self.refill(table);
        }
        match self.out.get(self.pos) {
            Some(ev) => Ok(Some(ev.ts)),
            None => match &self.failed {
                Some(e) => Err(e.clone()),
                None => Ok(None),
            },
        }
    }

    /// The next events, up to [`CHUNK`] of them, swapped into `chunk`
    /// (its old events dropped): the caller reads them in place. Empty at
    /// the end, or before an error, which comes after the events before it.
    pub(crate) fn next_chunk(&mut self, table: &Table, chunk: &mut Vec<V1Event>) -> Result<()> {
        if self.pos == self.out.len() {
            self.refill(table);
        }
        self.out.drain(..self.pos);
        self.pos = 0;
        std::mem::swap(&mut self.out, chunk);
        self.out.clear();
        match &self.failed {
            Some(e) if chunk.is_empty() => Err(e.clone()),
            _ => Ok(()),
        }
    }

    /// Parses the next [`CHUNK`] events into `out` (fewer at the end or
    /// before an error, which is kept for after them).
    #[inline(never)]
    fn refill(&mut self, table: &Table) {
        self.out.clear();
        self.pos = 0;
        if self.done || self.failed.is_some() {
            return;
        }
        if let Err(e) = self.fill(table) {
            self.failed = Some(e);
        }
    }

    /// Parses events into `out` until it holds [`CHUNK`] of them or the
    /// trace ends (`done`).
    #[inline(always)]
    fn fill(&mut self, table: &Table) -> Result<()> {
        while self.out.len() < CHUNK {
            if let Some(ev) = self.checker.pop(self.merge_done) {
                self.out.push(ev);
                continue;
            }
            if self.merge_done {
                self.done = true;
                return Ok(());
            }
            if self.ticks_per_sec == 0 {
                let end = self.merger.end();
                return Err(self.fail(Error::at(end, "no EvFrequency event")));
            }
            let Some(ev) = self.merger.next()? else {
                self.merge_done = true;
                match self.merger.late_error() {
                    Some(e) => return Err(e),
                    None => continue,
                }
            };
            if self.merger.has_late_error()
                && let Some(late) = self.merger.late_error()
            {
                return Err(self.fail(late));
            }
            let stacks = Stacks {
                table,
                empty: &self.empty_stacks,
                end: self.merger.end(),
            };
            if let Err(e) = self.checker.push(ev, &stacks, &mut self.out) {
                return Err(self.fail(e));
            }
        }
        Ok(())
    }

    /// The error Go reports when the checks after the merge find `later`:
    /// the merge's own errors come first, then its late ones.
    fn fail(&mut self, later: Error) -> Error {
        if let Err(e) = self.merger.drain() {
            return e;
        }
        self.merger.late_error().unwrap_or(later)
    }
}

/// Reads a whole v1 trace: its events in Go's order, its table, and its
/// UserLog messages.
pub(crate) fn parse_all(
    data: Vec<u8>,
    version: Version,
) -> Result<(Vec<V1Event>, Table, Vec<Vec<u8>>)> {
    let data = Bytes::Held(data);
    let mut index = index(&data, version.minor())?;
    let table = std::mem::take(&mut index.table);
    let mut parser = V1Parser::new(data, version, index);
    let mut events = Vec::new();
    while let Some(ev) = parser.next(&table)? {
        events.push(ev);
    }
    let inline = std::mem::take(&mut parser.merger.inline.list);
    Ok((events, table, inline))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_stay_small() {
        assert!(std::mem::size_of::<V1Event>() <= 56);
    }

    /// Every event (or the error that ends them) of the trace `data`
    /// (after its header).
    fn parse(data: Bytes, version: Version) -> (Vec<String>, Option<String>) {
        let mut index = match index(&data, version.minor()) {
            Ok(i) => i,
            Err(e) => return (Vec::new(), Some(e.to_string())),
        };
        let table = std::mem::take(&mut index.table);
        let mut parser = V1Parser::new(data, version, index);
        let mut events = Vec::new();
        loop {
            match parser.next(&table) {
                Ok(Some(ev)) => events.push(format!("{ev:?}")),
                Ok(None) => return (events, None),
                Err(e) => return (events, Some(e.to_string())),
            }
        }
    }

    /// A trace read by position, through windows much smaller than its
    /// batches and events, gives the events and errors of the same bytes
    /// held in memory, whole or cut anywhere.
    #[test]
    fn small_windows_give_the_held_events() {
        for name in ["go1.11-tasks", "go1.19", "http-go1.21"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../../testdata/traces/{name}.trace"));
            let whole = std::fs::read(path).unwrap();
            let version = Version::from_header(&whole[..16]).unwrap();
            let n = whole.len();
            for keep in [n, n - 1, n - 700, n * 2 / 3, n / 3, 100, 16] {
                let trace = whole[..keep].to_vec();
                let held = parse(Bytes::Held(trace[16..].to_vec()), version);
                if keep == n {
                    assert!(held.1.is_none() && held.0.len() > 20, "{name}");
                } else {
                    let e = held.1.as_deref().unwrap_or_default();
                    assert!(e.starts_with("at byte offset "), "{name}: {e}");
                }
                let file = std::sync::Arc::new(trace);
                for chunk in [1, 200, 5000] {
                    let at = Bytes::At {
                        file: file.clone(),
                        base: 16,
                        chunk,
                    };
                    assert!(
                        parse(at, version) == held,
                        "{name} cut at {keep}, chunk {chunk}"
                    );
                }
            }
        }
    }
}
