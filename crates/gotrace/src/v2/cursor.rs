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
    /// The next batch of the thread, after the one being read.
    batch: usize,
    /// The unread part of the batch being read: `Generation::data[pos..end]`.
    pos: usize,
    end: usize,
    /// The input offset of the batch's data, minus its start in
    /// `Generation::data`.
    base: u64,
    /// The batch's time, in ns.
    batch_ts: Time,
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
            pos: 0,
            end: 0,
            base: 0,
            batch_ts: 0,
            last_ts: 0,
            ev: BaseEvent::default(),
            ev_offset: 0,
        }
    }

    /// Moves to the next event; false when the thread has no more. An
    /// error's message is about the event at `self.ev_offset`.
    #[inline(always)]
    pub(crate) fn advance(&mut self, generation: &Generation) -> Result<bool, Box<str>> {
        if self.pos == self.end && !self.next_batch(generation) {
            return Ok(false);
        }
        // Go's batch cursor: a zero last time is taken as "not yet set",
        // even within a batch.
        if self.last_ts == 0 {
            self.last_ts = self.batch_ts;
        }
        self.ev_offset = self.base.wrapping_add(self.pos as u64);
        let data = generation.data.get(self.pos..self.end).unwrap_or_default();
        let (n, dt) = read_timed(data, &mut self.ev)?;
        self.ev.time = super::mul(generation.ns_per_unit, dt).wrapping_add(self.last_ts);
        self.last_ts = self.ev.time;
        self.pos += n;
        Ok(true)
    }

    /// Moves to the thread's next batch that holds any data; false if
    /// there is none.
    #[inline(never)]
    fn next_batch(&mut self, generation: &Generation) -> bool {
        let tb: &ThreadBatches = &generation.threads[self.thread];
        while let Some(b) = tb.batches.get(self.batch) {
            self.batch += 1;
            if b.end > b.start {
                (self.pos, self.end) = (b.start, b.end);
                self.base = b.file_offset.wrapping_sub(b.start as u64);
                self.batch_ts = super::mul(generation.ns_per_unit, b.time);
                self.last_ts = 0;
                return true;
            }
        }
        false
    }
}

/// The most bytes one timed event takes: its type, then five varints.
const MAX_EVENT_LEN: usize = 1 + 5 * 10;

/// Decodes one timed event; returns its length and raw time delta.
#[inline(always)]
fn read_timed(b: &[u8], ev: &mut BaseEvent) -> Result<(usize, u64), String> {
    let typ = *b.first().ok_or_else(|| untimed(0))?;
    let s = wire::spec(typ);
    if s.args.is_empty() || !s.timed {
        return Err(untimed(typ));
    }
    ev.typ = typ;
    ev.args = [0; 4];
    let args = &mut ev.args[..s.args.len() - 1];
    match b.first_chunk::<64>() {
        // Most events: far enough from the batch's end that no varint
        // can run past it, so no length checks per byte.
        Some(w) => {
            let mut n = 1;
            let dt = window_uvarint(w, &mut n).ok_or_else(|| bad_uvarint(" for timestamp"))?;
            for a in args {
                *a = window_uvarint(w, &mut n).ok_or_else(|| bad_uvarint(""))?;
            }
            Ok((n, dt))
        }
        None => {
            let (dt, mut n) = uvarint(&b[1..]).map_err(|_| bad_uvarint(" for timestamp"))?;
            n += 1;
            for a in args {
                let (v, k) = uvarint(&b[n..]).map_err(|_| bad_uvarint(""))?;
                *a = v;
                n += k;
            }
            Ok((n, dt))
        }
    }
}

/// Decodes the uvarint at `w[*n]` and moves `n` past it, as
/// [`uvarint`] would; `None` if it overflows. `*n` stays below
/// [`MAX_EVENT_LEN`], so the varint ends inside the window.
#[inline(always)]
fn window_uvarint(w: &[u8; 64], n: &mut usize) -> Option<u64> {
    const _: () = assert!(MAX_EVENT_LEN <= 64);
    // The mask only tells the compiler the index is in bounds.
    let at = |i: usize| w[i & 63];
    let b0 = at(*n);
    if b0 < 0x80 {
        *n += 1;
        return Some(u64::from(b0));
    }
    let mut x = u64::from(b0 & 0x7f);
    for i in 1..10 {
        let byte = at(*n + i);
        if byte < 0x80 {
            if i == 9 && byte > 1 {
                return None;
            }
            *n += i + 1;
            return Some(x | (u64::from(byte) << (7 * i)));
        }
        x |= u64::from(byte & 0x7f) << (7 * i);
    }
    None
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
#[inline(always)]
pub(crate) fn heap_update(heap: &mut [Cursor], i: usize) {
    // The common case: the root's thread is still first.
    if i == 0 {
        let t = heap[0].ev.time;
        let before = |c: Option<&Cursor>| c.is_some_and(|c| c.ev.time < t);
        if !before(heap.get(1)) && !before(heap.get(2)) {
            return;
        }
    }
    update_slow(heap, i);
}

#[inline(never)]
fn update_slow(heap: &mut [Cursor], i: usize) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The windowed decoder agrees with `uvarint` on every varint that fits
    /// the window: one to ten bytes, padded, overflowing.
    #[test]
    fn window_uvarint_matches_uvarint() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for case in 0..20_000 {
            let mut w = [0u8; 64];
            let len = 1 + case % 11;
            for b in &mut w[..len] {
                *b = next() as u8 | 0x80;
            }
            // A terminator (sometimes one that overflows in tenth place).
            w[len - 1] &= if case % 3 == 0 { 0x7f } else { 0x01 };
            let start = (next() % 41) as usize;
            w.copy_within(0..len, start);
            let mut n = start;
            let want = uvarint(&w[start..]).ok();
            let got = window_uvarint(&w, &mut n);
            assert_eq!(got, want.map(|(v, _)| v), "{:?}", &w[start..start + len]);
            if let Some((_, k)) = want {
                assert_eq!(n, start + k);
            }
        }
    }
}
