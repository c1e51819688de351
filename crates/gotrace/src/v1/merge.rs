//! The v1 merge: each P's events decoded a batch at a time from the trace's
//! bytes (from a file, through a window of its own per P), merged into one order that respects each goroutine's state
//! sequence, with syscall exits moved to their real times, yielded one at a
//! time in Go's final order (`parseEventBatches` and the stable sort after
//! it in Go's `internal/trace/internal/tracev1/parser.go`).
//!
//! Go's parser visits Ps in map order and keeps the ready heads of the Ps
//! in a heap by time, so events of different Ps with equal tick times can
//! come out in either order from run to run. Here the ready heads go by
//! time, and among equal times, in the order they became ready (as Go's
//! heap orders a head that ties with its earliest one; Ps are first
//! visited in ascending order, the CPU samples last): the same order on
//! every run, and equal to Go's whenever Go's is stable. A head found
//! ready that goes before all of the heap's goes first with no heap
//! operation.
//!
//! Go moves each syscall exit to its real time and then sorts the whole
//! trace stably by time. Here an event waits in a small heap only while a
//! syscall exit not merged yet could still be moved before it: the index
//! knows, per P, the earliest real time of the exits still ahead.

use super::decode::{
    BASE, Decoder, ERR_TIME_ORDER, PLAIN_MAX, PlainTypes, Raw, batch_p, check_arg_count, next_in,
};
use super::index::{Index, PIndex};
use super::parse::V1Event;
use super::pmap::GMap;
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
    /// The next event, when `has_head`.
    head: V1Event,
    has_head: bool,
    /// The head's state transition, once the head was checked.
    tr: Transition,
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
            head: V1Event::default(),
            has_head: false,
            tr: Transition::default(),
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

    /// Whether the stream has a next event (decoded now into `head` if it
    /// is not yet).
    #[inline(always)]
    fn fill_head(&mut self, data: &Bytes, sc: &mut Scratch, inline: &mut Inline) -> Result<bool> {
        if self.has_head {
            return Ok(true);
        }
        // The usual case: a plain event of the merge inside the batch.
        if self.samples.is_none()
            && let Some(off) = self.off
        {
            let window = self.win.get(data, off, self.end, MAX_PLAIN)?;
            let mut dec = Decoder {
                data: window,
                off: 0,
                base: off,
            };
            if let Some((typ, n)) = dec.plain(&sc.types, &mut sc.vals)
                && !matches!(typ, EV_CPU_SAMPLE | EV_FREQUENCY | EV_TIMER_GOROUTINE)
            {
                self.off = Some(off + dec.off);
                self.event(typ, &sc.vals[..n], BASE + off as u64);
                self.has_head = true;
                return Ok(true);
            }
        }
        self.has_head = self.decode(data, sc, inline)?;
        Ok(self.has_head)
    }

    /// Decodes the stream's next event into `head`, moving to its next
    /// batch as needed; `false` at its end.
    #[inline(never)]
    fn decode(&mut self, data: &Bytes, sc: &mut Scratch, inline: &mut Inline) -> Result<bool> {
        let Scratch {
            ver,
            types,
            raw,
            vals,
        } = sc;
        let ver = *ver;
        if let Some(samples) = &mut self.samples {
            return Ok(match samples.next() {
                Some(ev) => {
                    self.head = ev;
                    true
                }
                None => false,
            });
        }
        loop {
            let Some(off) = self.off else {
                let Some(&(start, end)) = self.p.batches.get(self.next_batch) else {
                    self.win.release();
                    return Ok(false);
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
            if let Some((typ, n)) = dec.plain(types, vals) {
                self.off = Some(off + dec.off);
                if matches!(typ, EV_CPU_SAMPLE | EV_FREQUENCY | EV_TIMER_GOROUTINE) {
                    continue;
                }
                self.event(typ, &vals[..n], BASE + off as u64);
                return Ok(true);
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
            self.event(raw.typ, &raw.args, raw.off);
            if raw.typ == EV_USER_LOG {
                self.head.args[2] = inline.id(&raw.text) as u64;
            }
            return Ok(true);
        }
    }

    /// Sets `head` to the event of type `typ` with values `a` (as many as
    /// the type has) at offset `off` in the current batch; follows the
    /// goroutine running on the P.
    #[inline(always)]
    fn event(&mut self, typ: u8, a: &[u64], off: u64) {
        // The values after the time: the arguments, then the stack if
        // the type has one.
        let n = a.len();
        let stack = desc(typ).stack && n >= 2;
        let nargs = n - 1 - usize::from(stack);
        let arg = |i: usize| if i < nargs { a[1 + i] } else { 0 };
        let ts = self.last_ts.wrapping_add(a[0] as i64);
        self.last_ts = ts;
        let mut g = self.last_g;
        let args = [arg(0), arg(1), arg(2)];
        match typ {
            EV_GO_START | EV_GO_START_LOCAL | EV_GO_START_LABEL => {
                self.last_g = args[0];
                g = args[0];
            }
            EV_GO_END | EV_GO_STOP | EV_GO_SCHED | EV_GO_PREEMPT => self.last_g = 0,
            t if is_block(t) => self.last_g = 0,
            EV_GO_SYS_EXIT | EV_GO_WAITING | EV_GO_IN_SYSCALL => g = args[0],
            _ => {}
        }
        self.head = V1Event {
            ts,
            g,
            args,
            stk: if stack { a[n - 1] as u32 } else { 0 },
            p: self.batch_p,
            off: super::parse::short_offset(off),
            typ,
        };
    }
}

/// What decoding needs, shared by the streams: the version, its plain
/// event types, and room for an event's values.
struct Scratch {
    ver: u32,
    types: PlainTypes,
    raw: Raw,
    vals: [u64; PLAIN_MAX],
}

/// Each event type as it is merged: "Local" events, there only for the
/// order, become their global kind.
static GLOBAL: [u8; 64] = {
    let mut t = [0; 64];
    let mut i = 0;
    while i < 64 {
        t[i] = match i as u8 {
            EV_GO_START_LOCAL => EV_GO_START,
            EV_GO_UNBLOCK_LOCAL => EV_GO_UNBLOCK,
            EV_GO_SYS_EXIT_LOCAL => EV_GO_SYS_EXIT,
            t => t,
        };
        i += 1;
    }
    t
};

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
#[derive(Clone, Copy, Default)]
struct Transition {
    g: u64,
    init: GSeq,
    next: GSeq,
}

fn state_transition(ev: &V1Event) -> Transition {
    let (g, init, next) = transition_parts(ev);
    Transition { g, init, next }
}

fn transition_parts(ev: &V1Event) -> (u64, GSeq, GSeq) {
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
    streams: Vec<Stream>,
    sc: Scratch,
    pub(crate) inline: Inline,
    /// The streams that are not done and whose heads are not in the
    /// frontier.
    available: Vec<usize>,
    done: Vec<bool>,
    gs: GMap<GSeq>,
    /// The goroutine the last merged event moved (`UNORDERED` if none).
    last_g: u64,
    /// The streams' heads that are ready, as a heap of keys (each still
    /// the `head` of its stream).
    frontier: Vec<Key>,
    /// Heads found ready so far (their order among equal times).
    pushed: u64,
    /// Pre-move time of the last merged event: no later event but a moved
    /// syscall exit can be earlier.
    prev_ts: i64,
    /// The earliest real time of the syscall exits not merged yet.
    exit_bound: i64,
    last_block: GMap<i64>,
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
    /// The last merged event.
    cur: V1Event,
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
            streams,
            sc: Scratch {
                ver,
                types: PlainTypes::new(ver),
                raw: Raw::default(),
                vals: [0; PLAIN_MAX],
            },
            inline: Inline::default(),
            available: (0..n).collect(),
            done: vec![false; n],
            gs: GMap::default(),
            last_g: UNORDERED,
            frontier: Vec::new(),
            pushed: 0,
            prev_ts: i64::MIN,
            exit_bound: i64::MAX,
            last_block: GMap::default(),
            order_err: None,
            exit_err: None,
            held: VecDeque::new(),
            held_exits: BinaryHeap::new(),
            moved: false,
            merged: 0,
            cur: V1Event::default(),
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
        // The usual case: nothing held, and the merged event goes now.
        if !self.finished && self.held.is_empty() && self.held_exits.is_empty() {
            if !self.merge_one()? {
                self.finished = true;
                return Ok(None);
            }
            if self.cur.ts <= self.prev_ts.min(self.exit_bound) {
                return Ok(Some(self.cur));
            }
            self.hold();
        }
        self.next_held()
    }

    /// [`Merger::next`] once events are held or the merge is finished.
    #[inline(never)]
    fn next_held(&mut self) -> Result<Option<V1Event>> {
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
            if self.merge_one()? {
                let bound = self.prev_ts.min(self.exit_bound);
                if self.held.is_empty() && self.held_exits.is_empty() && self.cur.ts <= bound {
                    return Ok(Some(self.cur));
                }
                self.hold();
            } else {
                self.finished = true;
            }
        }
    }

    /// Holds the last merged event until the syscall exits that may go
    /// before it are merged.
    fn hold(&mut self) {
        self.merged += 1;
        let h = Held {
            seq: self.merged,
            ev: self.cur,
        };
        if self.moved {
            self.held_exits.push(Reverse(h));
        } else {
            self.held.push_back(h);
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
            if !self.merge_one()? {
                self.finished = true;
            }
        }
        Ok(())
    }

    /// Merges the next event in merge order into `cur`, a syscall exit at
    /// its real time; `false` at the end.
    #[inline]
    fn merge_one(&mut self) -> Result<bool> {
        // The earliest of the heads found ready now: it goes first unless
        // the frontier has an earlier one, with no heap operation then.
        let mut best: Option<Key> = None;
        // Streams are looked at in Go's order: the one that took the
        // place of a stream leaving the list is looked at next.
        let mut i = 0;
        while i < self.available.len() {
            let s = self.available[i];
            // Its head waits for a goroutine that the last merged event
            // did not move: it still waits.
            if self.streams[s].blocked_on.is_some_and(|g| g != self.last_g)
                || self.waits(s, &mut best)?
            {
                i += 1;
            } else {
                self.available.swap_remove(i);
            }
        }
        let s = match best {
            Some(b) => match self.frontier.first() {
                Some(&top) if top < b => heap_replace_top(&mut self.frontier, b).2,
                _ => b.2,
            },
            None if self.frontier.is_empty() => {
                if let Some(s) = (0..self.streams.len()).find(|&s| !self.done[s]) {
                    let st = &self.streams[s];
                    let off = if st.has_head { st.head.offset() } else { 0 };
                    return Err(Error::at(off, "no consistent ordering of events possible"));
                }
                return Ok(false);
            }
            None => heap_pop(&mut self.frontier).2,
        };
        self.moved = false;
        let st = &mut self.streams[s];
        st.has_head = false;
        self.cur = st.head;
        let Transition { g, init, mut next } = st.tr;
        let ev = &mut self.cur;
        self.last_g = g;
        ev.typ = GLOBAL[usize::from(ev.typ)];
        if ev.ts < self.prev_ts && self.order_err.is_none() {
            self.order_err = Some(ev.offset());
        }
        self.prev_ts = ev.ts;
        match ev.typ {
            EV_GO_SYS_BLOCK | EV_GO_IN_SYSCALL => {
                *self.last_block.get_mut(ev.g) = ev.ts;
            }
            EV_GO_SYS_EXIT if ev.args[2] != 0 => {
                self.streams[s].exits_merged += 1;
                if self.exit_err.is_none() {
                    let ts = ev.args[2] as i64;
                    let block = self.last_block.get(ev.g);
                    if block == 0 {
                        self.exit_err = Some(Error::at(ev.offset(), "stray syscall exit"));
                    } else if ts < block {
                        self.exit_err = Some(Error::at(ev.offset(), ERR_TIME_ORDER));
                    } else {
                        ev.ts = ts;
                        self.moved = true;
                    }
                }
                self.update_exit_bound();
            }
            _ => {}
        }
        if g != UNORDERED {
            let cur = self.gs.get_mut(g);
            if !ready(g, *cur, init) {
                return Err(Error::at(
                    self.cur.offset(),
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
        Ok(true)
    }

    /// Looks at the head of available stream `s`: whether it waits for a
    /// goroutine's state. At its end, the stream is done; a ready head
    /// becomes `best` if it goes before it, and goes in the frontier
    /// otherwise (as does the `best` it replaces).
    #[inline(always)]
    fn waits(&mut self, s: usize, best: &mut Option<Key>) -> Result<bool> {
        let st = &mut self.streams[s];
        if !st.fill_head(&self.data, &mut self.sc, &mut self.inline)? {
            self.done[s] = true;
            return Ok(false);
        }
        let tr = state_transition(&st.head);
        st.tr = tr;
        if tr.g != UNORDERED && !ready(tr.g, self.gs.get(tr.g), tr.init) {
            st.blocked_on = Some(tr.g);
            return Ok(true);
        }
        st.blocked_on = None;
        self.pushed += 1;
        let key = (st.head.ts, self.pushed, s);
        match *best {
            Some(b) if b < key => heap_push(&mut self.frontier, key),
            Some(b) => {
                heap_push(&mut self.frontier, b);
                *best = Some(key);
            }
            None => *best = Some(key),
        }
        Ok(false)
    }

    /// The offset just past the trace's data.
    pub(crate) fn end(&self) -> u64 {
        self.end
    }
}

/// A ready head in the frontier: its time and when it became ready (the
/// order in which heads go), then its stream.
type Key = (i64, u64, usize);

/// Adds `x` to the binary min-heap `h`.
fn heap_push(h: &mut Vec<Key>, x: Key) {
    h.push(x);
    let mut j = h.len() - 1;
    while j > 0 {
        let i = (j - 1) / 2;
        if h[j] >= h[i] {
            break;
        }
        h.swap(i, j);
        j = i;
    }
}

/// Takes the least of the non-empty heap `h`.
fn heap_pop(h: &mut Vec<Key>) -> Key {
    let last = h.pop().expect("non-empty heap");
    if h.is_empty() {
        return last;
    }
    heap_replace_top(h, last)
}

/// Takes the least of the non-empty heap `h` and adds `x` in its place.
fn heap_replace_top(h: &mut [Key], x: Key) -> Key {
    let top = h[0];
    let n = h.len();
    let mut i = 0;
    loop {
        let mut j = 2 * i + 1;
        if j >= n {
            break;
        }
        if j + 1 < n && h[j + 1] < h[j] {
            j += 1;
        }
        if x <= h[j] {
            break;
        }
        h[i] = h[j];
        i = j;
    }
    h[i] = x;
    top
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
