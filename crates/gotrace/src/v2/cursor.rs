//! Cursors over each thread's event batches, and the min-heap ("frontier")
//! of their current events, with Go's exact tie behaviour.

use super::generation::{Generation, ThreadBatches};
use crate::bytes::uvarint;
use crate::values::Time;
use crate::wire::{self, EventType};

/// A decoded event still in its batch: type, time and wire arguments.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BaseEvent {
    pub(crate) typ: EventType,
    pub(crate) time: Time,
    pub(crate) args: [u64; 4],
}

/// Reads the events of one thread's batches in order.
pub(crate) struct Cursor {
    /// Index into `Generation::threads`.
    pub(crate) thread: usize,
    pub(crate) m: i64,
    /// The thread's context slot in the ordering, once known (see
    /// `Ordering::m_slot`).
    pub(crate) slot: usize,
    batch: usize,
    off: usize,
    last_ts: Time,
    /// The current event.
    pub(crate) ev: BaseEvent,
    /// Input offset of the current event.
    pub(crate) ev_offset: u64,
}

impl Cursor {
    pub(crate) fn new(thread: usize, m: i64) -> Cursor {
        Cursor {
            thread,
            m,
            slot: super::order::NO_SLOT,
            batch: 0,
            off: 0,
            last_ts: 0,
            ev: BaseEvent::default(),
            ev_offset: 0,
        }
    }

    /// Moves to the next event; false when the thread has no more. An
    /// error's message is about the event at `self.ev_offset`.
    pub(crate) fn advance(&mut self, generation: &Generation) -> Result<bool, Box<str>> {
        let tb: &ThreadBatches = &generation.threads[self.thread];
        while self.batch < tb.batches.len() {
            let b = &tb.batches[self.batch];
            if b.end - b.start != self.off {
                break;
            }
            self.batch += 1;
            self.off = 0;
            self.last_ts = 0;
        }
        let Some(b) = tb.batches.get(self.batch) else {
            return Ok(false);
        };
        if self.last_ts == 0 {
            self.last_ts = super::mul(generation.ns_per_unit, b.time);
        }
        let data = &generation.data[b.start + self.off..b.end];
        self.ev_offset = b.file_offset + self.off as u64;
        let (n, dt) = read_timed(data, &mut self.ev)?;
        self.ev.time = super::mul(generation.ns_per_unit, dt).wrapping_add(self.last_ts);
        self.last_ts = self.ev.time;
        self.off += n;
        Ok(true)
    }
}

/// Decodes one timed event; returns its length and raw time delta.
#[inline]
fn read_timed(b: &[u8], ev: &mut BaseEvent) -> std::result::Result<(usize, u64), String> {
    let typ = b[0];
    let s = wire::spec(typ);
    if s.args.is_empty() || !s.timed {
        return Err(untimed(typ));
    }
    ev.typ = typ;
    let (dt, mut n) = uvarint(&b[1..]).map_err(|_| bad_uvarint(" for timestamp"))?;
    n += 1;
    ev.args = [0; 4];
    for a in &mut ev.args[..s.args.len() - 1] {
        let (v, k) = uvarint(&b[n..]).map_err(|_| bad_uvarint(""))?;
        *a = v;
        n += k;
    }
    Ok((n, dt))
}

#[cold]
fn untimed(typ: u8) -> String {
    if usize::from(typ) >= wire::NUM_SPECS {
        format!("found invalid event type: {typ}")
    } else {
        format!("found event without a timestamp: type={typ}")
    }
}

#[cold]
fn bad_uvarint(what: &str) -> String {
    format!("found invalid uvarint{what}")
}

/// Inserts a cursor and sifts it up.
pub(crate) fn heap_insert(heap: &mut Vec<Cursor>, c: Cursor) {
    heap.push(c);
    let last = heap.len() - 1;
    sift_up(heap, last);
}

/// Restores the heap after the cursor at `i` moved to a later event.
pub(crate) fn heap_update(heap: &mut [Cursor], i: usize) {
    if sift_up(heap, i) != i {
        return;
    }
    sift_down(heap, i);
}

/// Removes the cursor at `i`: swapped up to the root whatever the times,
/// then replaced by the last element, which sifts down.
pub(crate) fn heap_remove(heap: &mut Vec<Cursor>, mut i: usize) {
    while i > 0 {
        heap.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    let last = heap.len() - 1;
    heap.swap(0, last);
    heap.pop();
    sift_down(heap, 0);
}

fn sift_up(heap: &mut [Cursor], mut i: usize) -> usize {
    while i > 0 && heap[(i - 1) / 2].ev.time > heap[i].ev.time {
        heap.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    i
}

fn sift_down(heap: &mut [Cursor], mut i: usize) {
    loop {
        let mut m = i;
        let mut t = heap.get(i).map_or(Time::MAX, |c| c.ev.time);
        for child in [2 * i + 1, 2 * i + 2] {
            if let Some(c) = heap.get(child)
                && c.ev.time < t
            {
                t = c.ev.time;
                m = child;
            }
        }
        if m == i {
            return;
        }
        heap.swap(i, m);
        i = m;
    }
}
