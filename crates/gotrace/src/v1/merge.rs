//! The v1 merge: each P's events decoded a batch at a time from the trace's
//! bytes (from a file, through a window of its own per P), merged into one order that respects each goroutine's state
//! sequence, with syscall exits moved to their real times, yielded one at a
//! time in Go's final order (`parseEventBatches` and the stable sort after
//! it in Go's `internal/trace/internal/tracev1/parser.go`).
//!
//! Go's parser visits Ps in map order, so events of different Ps with equal
//! tick times can come out in either order from run to run. Here Ps are
//! visited in ascending order, which makes the output deterministic and
//! equal to Go's whenever Go's is stable.
//!
//! Go moves each syscall exit to its real time and then sorts the whole
//! trace stably by time. Here an event waits in a small heap only while a
//! syscall exit not merged yet could still be moved before it: the index
//! knows, per P, the earliest real time of the exits still ahead.

use super::decode::{
    BASE, Decoder, ERR_TIME_ORDER, PLAIN_MAX, Raw, batch_p, check_arg_count, next_in,
};
use super::index::{Index, PIndex};
use super::parse::V1Event;
use super::source::{Bytes, MAX_PLAIN, Window};
use super::spec::*;
use crate::error::{Error, Result};
use rustc_hash::FxHashMap as HashMap;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Inline strings (UserLog messages), deduplicated in the order met.
#[derive(Default)]
pub(crate) struct Inline {
    pub(crate) list: Vec<Vec<u8>>,
    index: HashMap<Vec<u8>, usize>,
}

impl Inline {
    fn id(&mut self, s: &[u8]) -> usize {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.list.push(s.to_vec());
        self.index.insert(s.to_vec(), self.list.len() - 1);
        self.list.len() - 1
    }
}

/// The events of one P, decoded one at a time from the trace's bytes as
/// the merge needs them (the CPU samples, decoded by the index, form one
/// more stream with no batches).
struct Stream {
    p: PIndex,
    next_batch: usize,
    /// Where the next event is, inside a batch, and where the batch ends.
    off: Option<usize>,
    end: usize,
    /// The bytes around `off`, from a file.
    win: Window,
    /// The P of the current batch, and the time of its last event.
    batch_p: i32,
    last_ts: i64,
    /// The goroutine running on this P (it carries over to the next batch).
    last_g: u64,
    /// The next event, decoded.
    head: Option<V1Event>,
    /// For the samples' stream, the samples.
    samples: Option<std::vec::IntoIter<V1Event>>,
    /// How many of `p.exit_times` are merged.
    exits_merged: usize,
    /// The goroutine whose state the head waited for when last checked.
    blocked_on: Option<u64>,
}

impl Stream {
    fn new(p: PIndex, win: Window) -> Stream {
        Stream {
            p,
            next_batch: 0,
            off: None,
            end: 0,
            win,
            batch_p: 0,
            last_ts: 0,
            last_g: 0,
            head: None,
            samples: None,
            exits_merged: 0,
            blocked_on: None,
        }
    }

    /// The earliest real time of the stream's syscall exits not merged yet.
    fn next_exit_time(&self) -> i64 {
        self.p
            .exit_times
            .get(self.exits_merged)
            .copied()
            .unwrap_or(i64::MAX)
    }

    /// The stream's next event (decoded now if it is not yet).
    #[inline]
    fn head(
        &mut self,
        data: &Bytes,
        ver: u32,
        raw: &mut Raw,
        inline: &mut Inline,
    ) -> Result<Option<&V1Event>> {
        if self.head.is_none() {
            self.head = self.decode(data, ver, raw, inline)?;
        }
        Ok(self.head.as_ref())
    }

    /// Decodes the stream's next event, moving to its next batch as
    /// needed; `None` at its end.
    fn decode(
        &mut self,
        data: &Bytes,
        ver: u32,
        raw: &mut Raw,
        inline: &mut Inline,
    ) -> Result<Option<V1Event>> {
        if let Some(samples) = &mut self.samples {
            return Ok(samples.next());
        }
        let mut vals = [0; PLAIN_MAX];
        loop {
            let Some(off) = self.off else {
                let Some(&(start, end)) = self.p.batches.get(self.next_batch) else {
                    self.win.release();
                    return Ok(None);
                };
                self.next_batch += 1;
                self.end = end;
                let read = next_in(&mut self.win, data, start, end, ver, raw, None)?;
                let (Some(after), EV_BATCH) = (read, raw.typ) else {
                    let msg = "the trace changed while it was read: no batch where there was one";
                    return Err(Error::at(BASE + start as u64, msg));
                };
                self.batch_p = batch_p(raw);
                self.last_ts = raw.args.get(1).copied().unwrap_or(0) as i64;
                self.off = Some(after);
                continue;
            };
            let window = self.win.get(data, off, self.end, MAX_PLAIN)?;
            let mut dec = Decoder {
                data: window,
                off: 0,
                base: off,
            };
            if let Some((typ, n)) = dec.plain(ver, &mut vals) {
                self.off = Some(off + dec.off);
                if matches!(typ, EV_CPU_SAMPLE | EV_FREQUENCY | EV_TIMER_GOROUTINE) {
                    continue;
                }
                return Ok(Some(self.event(typ, &vals[..n], BASE + off as u64)));
            }
            let read = next_in(&mut self.win, data, off, self.end, ver, raw, None)?;
            let Some(after) = read.filter(|_| raw.typ != EV_BATCH) else {
                self.off = None;
                continue;
            };
            self.off = Some(after);
            if matches!(
                raw.typ,
                EV_STRING | EV_CPU_SAMPLE | EV_FREQUENCY | EV_TIMER_GOROUTINE | EV_STACK
            ) {
                continue;
            }
            check_arg_count(raw)?;
            let mut ev = self.event(raw.typ, &raw.args, raw.off);
            if raw.typ == EV_USER_LOG {
                ev.args[2] = inline.id(&raw.text) as u64;
            }
            return Ok(Some(ev));
        }
    }

    /// The event of type `typ` with values `a` (as many as the type has) at
    /// offset `off` in the current batch; follows the goroutine running on
    /// the P.
    #[inline]
    fn event(&mut self, typ: u8, a: &[u64], off: u64) -> V1Event {
        let mut ev = V1Event {
            typ,
            p: self.batch_p,
            g: self.last_g,
            off: super::parse::short_offset(off),
            ..V1Event::default()
        };
        ev.ts = self.last_ts.wrapping_add(a[0] as i64);
        self.last_ts = ev.ts;
        let d = desc(typ);
        let n = a.len();
        for (i, &v) in a.iter().enumerate().skip(1) {
            if i == n - 1 && d.stack {
                ev.stk = v as u32;
            } else if let Some(slot) = ev.args.get_mut(i - 1) {
                *slot = v;
            }
        }
        match typ {
            EV_GO_START | EV_GO_START_LOCAL | EV_GO_START_LABEL => {
                self.last_g = ev.args[0];
                ev.g = self.last_g;
            }
            EV_GO_END | EV_GO_STOP | EV_GO_SCHED | EV_GO_PREEMPT => self.last_g = 0,
            t if is_block(t) => self.last_g = 0,
            EV_GO_SYS_EXIT | EV_GO_WAITING | EV_GO_IN_SYSCALL => ev.g = ev.args[0],
            _ => {}
        }
        ev
    }
}

/// Goroutine sequence state used for ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct GSeq {
    seq: u64,
    status: u8,
}

const G_DEAD: u8 = 0;
const G_RUNNABLE: u8 = 1;
const G_RUNNING: u8 = 2;
const G_WAITING: u8 = 3;
const UNORDERED: u64 = u64::MAX;
const GARBAGE: u64 = u64::MAX - 1;
const NOSEQ: u64 = u64::MAX;
const SEQINC: u64 = u64::MAX - 1;

/// The goroutine an event moves through its state sequence, the state it
/// needs and the state it leaves.
fn state_transition(ev: &V1Event) -> (u64, GSeq, GSeq) {
    let s = |seq, status| GSeq { seq, status };
    let a = ev.args;
    match ev.typ {
        EV_GO_CREATE => (a[0], s(0, G_DEAD), s(1, G_RUNNABLE)),
        EV_GO_WAITING | EV_GO_IN_SYSCALL => (ev.g, s(1, G_RUNNABLE), s(2, G_WAITING)),
        EV_GO_START | EV_GO_START_LABEL => (
            ev.g,
            s(a[1], G_RUNNABLE),
            s(a[1].wrapping_add(1), G_RUNNING),
        ),
        EV_GO_START_LOCAL => (ev.g, s(NOSEQ, G_RUNNABLE), s(SEQINC, G_RUNNING)),
        t if is_block(t) => (ev.g, s(NOSEQ, G_RUNNING), s(NOSEQ, G_WAITING)),
        EV_GO_SCHED | EV_GO_PREEMPT => (ev.g, s(NOSEQ, G_RUNNING), s(NOSEQ, G_RUNNABLE)),
        EV_GO_UNBLOCK | EV_GO_SYS_EXIT => (
            a[0],
            s(a[1], G_WAITING),
            s(a[1].wrapping_add(1), G_RUNNABLE),
        ),
        EV_GO_UNBLOCK_LOCAL | EV_GO_SYS_EXIT_LOCAL => {
            (a[0], s(NOSEQ, G_WAITING), s(SEQINC, G_RUNNABLE))
        }
        EV_GC_START => (GARBAGE, s(a[0], G_DEAD), s(a[0].wrapping_add(1), G_DEAD)),
        _ => (UNORDERED, GSeq::default(), GSeq::default()),
    }
}

fn ready(g: u64, cur: GSeq, init: GSeq) -> bool {
    g == UNORDERED || ((init.seq == NOSEQ || init.seq == cur.seq) && init.status == cur.status)
}

/// A merged event waiting for the syscall exits that may go before it,
/// ordered by time, then merge order (the stable sort's order).
struct Held {
    seq: u64,
    ev: V1Event,
}

impl PartialEq for Held {
    fn eq(&self, o: &Held) -> bool {
        self.key() == o.key()
    }
}
impl Eq for Held {}
impl PartialOrd for Held {
    fn partial_cmp(&self, o: &Held) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Held {
    fn cmp(&self, o: &Held) -> std::cmp::Ordering {
        self.key().cmp(&o.key())
    }
}
impl Held {
    fn key(&self) -> (i64, u64) {
        (self.ev.ts, self.seq)
    }
}

/// The merge of a trace's per-P streams and CPU samples, yielding events in
/// Go's final order (times still in ticks).
pub(crate) struct Merger {
    data: Bytes,
    /// Offset just past the trace's data.
    end: u64,
    ver: u32,
    streams: Vec<Stream>,
    raw: Raw,
    pub(crate) inline: Inline,
    available: Vec<usize>,
    done: Vec<bool>,
    gs: HashMap<u64, GSeq>,
    /// The goroutine the last merged event moved (`UNORDERED` if none).
    last_g: u64,
    /// Time and stream of the streams' heads that are ready (each still
    /// the `head` of its stream).
    frontier: Vec<(i64, usize)>,
    /// Pre-move time of the last merged event: no later event but a moved
    /// syscall exit can be earlier.
    prev_ts: i64,
    /// The earliest real time of the syscall exits not merged yet.
    exit_bound: i64,
    last_block: HashMap<u64, i64>,
    /// Go checks the merged order, then moves syscall exits to their real
    /// times; both are checked here as events are merged, their errors
    /// kept for after the merge so that they are reported in Go's order.
    order_err: Option<u64>,
    exit_err: Option<Error>,
    /// Merged events waiting for syscall exits that may go before them:
    /// in merge order (their times never decrease, or the merge fails),
    /// and the moved syscall exits by time.
    held: VecDeque<Held>,
    held_exits: BinaryHeap<Reverse<Held>>,
    /// Whether the last merged event is a syscall exit moved to its real
    /// time.
    moved: bool,
    merged: u64,
    finished: bool,
}

impl Merger {
    /// A merge of the streams of `index` over `data` (the trace after its
    /// header); takes the index's per-P parts and samples.
    pub(crate) fn new(data: Bytes, ver: u32, index: &mut Index) -> Merger {
        let mut streams: Vec<Stream> = std::mem::take(&mut index.ps)
            .into_iter()
            .map(|(_, p)| Stream::new(p, data.stream_window()))
            .collect();
        let mut samples = std::mem::take(&mut index.samples);
        gocompat::sort::sort_func(&mut samples, &|a: &V1Event, b: &V1Event| a.ts < b.ts);
        let mut profile = Stream::new(PIndex::default(), data.stream_window());
        profile.samples = Some(samples.into_iter());
        streams.push(profile);
        let n = streams.len();
        let mut m = Merger {
            data,
            end: index.end,
            ver,
            streams,
            raw: Raw::default(),
            inline: Inline::default(),
            available: (0..n).collect(),
            done: vec![false; n],
            gs: HashMap::default(),
            last_g: UNORDERED,
            frontier: Vec::new(),
            prev_ts: i64::MIN,
            exit_bound: i64::MAX,
            last_block: HashMap::default(),
            order_err: None,
            exit_err: None,
            held: VecDeque::new(),
            held_exits: BinaryHeap::new(),
            moved: false,
            merged: 0,
            finished: false,
        };
        m.update_exit_bound();
        m
    }

    fn update_exit_bound(&mut self) {
        self.exit_bound = self
            .streams
            .iter()
            .map(Stream::next_exit_time)
            .min()
            .unwrap_or(i64::MAX);
    }

    /// Whether the merge found an error Go reports after merging.
    pub(crate) fn has_late_error(&self) -> bool {
        self.order_err.is_some() || self.exit_err.is_some()
    }

    /// The error the merge found that Go reports after merging, if any.
    pub(crate) fn late_error(&self) -> Option<Error> {
        if let Some(off) = self.order_err {
            return Some(Error::at(off, ERR_TIME_ORDER));
        }
        self.exit_err.clone()
    }

    /// The next event in Go's final order (times in ticks); `None` at the
    /// end. Errors are the merge's own; the late ones are kept (see
    /// [`Merger::late_error`]).
    #[inline(always)]
    pub(crate) fn next(&mut self) -> Result<Option<V1Event>> {
        loop {
            let bound = self.prev_ts.min(self.exit_bound);
            if (self.finished || self.first_held().is_some_and(|h| h.ev.ts <= bound))
                && let Some(ev) = self.pop_held()
            {
                return Ok(Some(ev));
            }
            if self.finished {
                return Ok(None);
            }
            match self.merge_one()? {
                Some(ev) => {
                    let bound = self.prev_ts.min(self.exit_bound);
                    if self.held.is_empty() && self.held_exits.is_empty() && ev.ts <= bound {
                        return Ok(Some(ev));
                    }
                    self.merged += 1;
                    let h = Held {
                        seq: self.merged,
                        ev,
                    };
                    if self.moved {
                        self.held_exits.push(Reverse(h));
                    } else {
                        self.held.push_back(h);
                    }
                }
                None => self.finished = true,
            }
        }
    }

    /// The earliest held event.
    fn first_held(&self) -> Option<&Held> {
        match (self.held.front(), self.held_exits.peek()) {
            (Some(a), Some(Reverse(b))) => Some(if b < a { b } else { a }),
            (a, b) => a.or(b.map(|Reverse(b)| b)),
        }
    }

    /// Takes the earliest held event.
    fn pop_held(&mut self) -> Option<V1Event> {
        let exit_first = match (self.held.front(), self.held_exits.peek()) {
            (Some(a), Some(Reverse(b))) => b < a,
            (a, _) => a.is_none(),
        };
        let h = if exit_first {
            self.held_exits.pop().map(|Reverse(h)| h)
        } else {
            self.held.pop_front()
        };
        h.map(|h| h.ev)
    }

    /// Runs the merge to its end, for its errors only.
    pub(crate) fn drain(&mut self) -> Result<()> {
        self.held.clear();
        self.held_exits.clear();
        while !self.finished {
            if self.merge_one()?.is_none() {
                self.finished = true;
            }
        }
        Ok(())
    }

    /// The next event in merge order, a syscall exit at its real time.
    #[inline]
    fn merge_one(&mut self) -> Result<Option<V1Event>> {
        let mut i = 0;
        while i < self.available.len() {
            let s = self.available[i];
            let st = &mut self.streams[s];
            // Its head waits for a goroutine that the last merged event
            // did not move: it still waits.
            if st.blocked_on.is_some_and(|g| g != self.last_g) {
                i += 1;
                continue;
            }
            let Some(ev) = st.head(&self.data, self.ver, &mut self.raw, &mut self.inline)? else {
                self.done[s] = true;
                self.available.swap_remove(i);
                continue;
            };
            let (g, init, _) = state_transition(ev);
            if g != UNORDERED && !ready(g, self.gs.get(&g).copied().unwrap_or_default(), init) {
                st.blocked_on = Some(g);
                i += 1;
                continue;
            }
            let ts = ev.ts;
            st.blocked_on = None;
            self.available.swap_remove(i);
            heap_push(&mut self.frontier, (ts, s));
        }
        if self.frontier.is_empty() {
            if let Some(s) = (0..self.streams.len()).find(|&s| !self.done[s]) {
                let off = self.streams[s].head.map_or(0, |e| e.offset());
                return Err(Error::at(off, "no consistent ordering of events possible"));
            }
            return Ok(None);
        }
        self.moved = false;
        let (_, s) = heap_pop(&mut self.frontier);
        let mut ev = (self.streams[s].head.take()).expect("a stream in the frontier has its head");
        let (g, init, mut next) = state_transition(&ev);
        self.last_g = g;
        ev.typ = match ev.typ {
            EV_GO_START_LOCAL => EV_GO_START,
            EV_GO_UNBLOCK_LOCAL => EV_GO_UNBLOCK,
            EV_GO_SYS_EXIT_LOCAL => EV_GO_SYS_EXIT,
            t => t,
        };
        if ev.ts < self.prev_ts && self.order_err.is_none() {
            self.order_err = Some(ev.offset());
        }
        self.prev_ts = ev.ts;
        match ev.typ {
            EV_GO_SYS_BLOCK | EV_GO_IN_SYSCALL => {
                self.last_block.insert(ev.g, ev.ts);
            }
            EV_GO_SYS_EXIT if ev.args[2] != 0 => {
                self.streams[s].exits_merged += 1;
                self.update_exit_bound();
                if self.exit_err.is_none() {
                    let ts = ev.args[2] as i64;
                    let block = self.last_block.get(&ev.g).copied().unwrap_or(0);
                    if block == 0 {
                        self.exit_err = Some(Error::at(ev.offset(), "stray syscall exit"));
                    } else if ts < block {
                        self.exit_err = Some(Error::at(ev.offset(), ERR_TIME_ORDER));
                    } else {
                        ev.ts = ts;
                        self.moved = true;
                    }
                }
            }
            _ => {}
        }
        if g != UNORDERED {
            let cur = self.gs.entry(g).or_default();
            if !ready(g, *cur, init) {
                return Err(Error::at(
                    ev.offset(),
                    "encountered impossible goroutine state transition",
                ));
            }
            next.seq = match next.seq {
                NOSEQ => cur.seq,
                SEQINC => cur.seq.wrapping_add(1),
                n => n,
            };
            *cur = next;
        }
        self.available.push(s);
        Ok(Some(ev))
    }

    /// The offset just past the trace's data.
    pub(crate) fn end(&self) -> u64 {
        self.end
    }
}

/// Go's `container/heap`-style push with "less" = earlier time.
fn heap_push(h: &mut Vec<(i64, usize)>, x: (i64, usize)) {
    h.push(x);
    let mut j = h.len() - 1;
    while j > 0 {
        let i = (j - 1) / 2;
        if h[j].0 >= h[i].0 {
            break;
        }
        h.swap(i, j);
        j = i;
    }
}

fn heap_pop(h: &mut Vec<(i64, usize)>) -> (i64, usize) {
    let n = h.len() - 1;
    h.swap(0, n);
    let mut i = 0;
    loop {
        let j1 = 2 * i + 1;
        if j1 >= n {
            break;
        }
        let mut j = j1;
        if j1 + 1 < n && h[j1 + 1].0 < h[j1].0 {
            j = j1 + 1;
        }
        if h[j].0 >= h[i].0 {
            break;
        }
        h.swap(i, j);
        i = j;
    }
    h.pop().expect("non-empty heap")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Held events come out as Go's stable sort by time orders them: by
    /// time, then merge order, moved syscall exits among the others.
    #[test]
    fn held_events_come_out_stably_sorted() {
        let mut m = Merger::new(Bytes::Held(Vec::new()), 21, &mut Index::default());
        let ev = |ts, g| V1Event {
            ts,
            g,
            ..V1Event::default()
        };
        let merged = [
            (5, 1, false),
            (3, 2, true),
            (5, 3, false),
            (2, 4, true),
            (7, 5, false),
            (5, 6, true),
        ];
        for (seq, &(ts, g, moved)) in merged.iter().enumerate() {
            let h = Held {
                seq: seq as u64,
                ev: ev(ts, g),
            };
            if moved {
                m.held_exits.push(Reverse(h));
            } else {
                m.held.push_back(h);
            }
        }
        let mut order = Vec::new();
        while let Some(e) = m.pop_held() {
            order.push((e.ts, e.g));
        }
        let mut want: Vec<(i64, u64)> = merged.iter().map(|&(ts, g, _)| (ts, g)).collect();
        want.sort_by_key(|e| e.0);
        assert_eq!(order, want);
    }
}
