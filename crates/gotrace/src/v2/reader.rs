//! The Go 1.22+ event stream: generation by generation, interleaving each
//! thread's events through the ordering state machine and the CPU samples
//! by time, as `internal/trace/reader.go` does.

use super::cursor::{Cursor, heap_insert, heap_remove, heap_update};
use super::generation::{Generation, Spill, read_generation, read_generation_with_spill};
use super::order::{NO_SLOT, Ordering};
use crate::bytes::Stream;
use crate::error::{Error, Result};
use crate::raw::RawEvent;
use crate::table::Table;
use crate::values::{NONE, Time};
use crate::version::Version;
use crate::wire::{self, EV_CPU_SAMPLE, EV_READER_SYNC};
use std::io::BufRead;

/// The results of the hot path: a boxed error keeps them two words long,
/// returned in registers (an unboxed [`Error`] makes every call of the
/// per-event path write and re-read its result through memory).
pub(crate) type Fast<T> = std::result::Result<T, Box<Error>>;

pub(crate) struct V2Reader<R> {
    stream: Stream<R>,
    version: Version,
    last_ts: Time,
    current: Option<Generation>,
    frontier: Vec<Cursor>,
    next_sample: usize,
    order: Ordering,
    syncs: u64,
    /// An error met reading the next generation, reported after a Sync.
    pending: Option<Error>,
    pending_synced: bool,
    spill: Option<Spill>,
    done: bool,
    /// Table for events that belong to no generation (the final Sync).
    empty: Table,
    /// The reader's own event (a Sync or a CPU sample) read last.
    ev: RawEvent,
    /// Whether the event [`V2Reader::next`] read last is `ev`, rather than
    /// the ordering's current one. Events stay where they were written
    /// rather than being returned: copying the 80-byte record cost about
    /// as much as decoding it.
    own: bool,
    /// The error that made [`V2Reader::next`] return `Next::Failed`.
    pub(crate) error: Option<Error>,
}

/// What [`V2Reader::next`] found: one byte, returned in a register (a
/// `Result` carrying the error would go through memory on every event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// An event, in `V2Reader::ev`.
    Event,
    /// The end of the trace.
    End,
    /// An error, in `V2Reader::error`.
    Failed,
}

impl<R: BufRead> V2Reader<R> {
    pub(crate) fn new(stream: Stream<R>, version: Version) -> Self {
        V2Reader {
            stream,
            version,
            last_ts: 0,
            current: None,
            frontier: Vec::new(),
            next_sample: 0,
            order: Ordering::new(),
            syncs: 0,
            pending: None,
            pending_synced: false,
            spill: None,
            done: false,
            empty: Table::default(),
            ev: RawEvent::sync(0, 0, false),
            own: true,
            error: None,
        }
    }

    /// The table events currently refer to.
    #[inline]
    pub(crate) fn table(&self) -> &Table {
        self.current.as_ref().map_or(&self.empty, |g| &g.table)
    }

    /// The event [`V2Reader::next`] read last.
    #[inline]
    pub(crate) fn event(&self) -> &RawEvent {
        if self.own {
            &self.ev
        } else {
            self.order.current()
        }
    }

    /// Reads the next event, then found with [`V2Reader::event`]. After
    /// `Next::Failed`, the error is in `self.error`.
    pub(crate) fn next(&mut self) -> Next {
        match self.read() {
            Ok(true) => Next::Event,
            Ok(false) => Next::End,
            Err(e) => {
                self.error = Some(*e);
                Next::Failed
            }
        }
    }

    /// [`V2Reader::next`] with its error returned.
    #[inline(always)]
    fn read(&mut self) -> Fast<bool> {
        if !self.next_unchecked()? {
            return Ok(false);
        }
        let ev = if self.own {
            &mut self.ev
        } else {
            self.order.current_mut()
        };
        if ev.typ != EV_READER_SYNC {
            let table = self.current.as_ref().map_or(&self.empty, |g| &g.table);
            validate_ids(table, ev)?;
        }
        if ev.time <= self.last_ts {
            ev.time = self.last_ts + 1;
        }
        self.last_ts = ev.time;
        Ok(true)
    }

    fn sync(&mut self, time: Time, snapshot: bool) -> bool {
        self.syncs += 1;
        self.ev = RawEvent::sync(time, self.syncs, snapshot);
        self.own = true;
        true
    }

    fn next_unchecked(&mut self) -> Fast<bool> {
        if self.done {
            return Ok(false);
        }
        if self.order.next() {
            self.own = false;
            return Ok(true);
        }
        let samples_left = self
            .current
            .as_ref()
            .is_some_and(|g| self.next_sample < g.cpu_samples.len());
        if self.frontier.is_empty() && !samples_left {
            return self.next_generation();
        }
        let generation = self
            .current
            .as_mut()
            .expect("a generation is installed while events remain");
        if let Some(s) = generation.cpu_samples.get(self.next_sample)
            && (self.frontier.is_empty() || s.time < self.frontier[0].ev.time)
        {
            self.next_sample += 1;
            self.ev = RawEvent::cpu_sample(s.time, s.stack);
            (self.ev.m, self.ev.p, self.ev.g) = (s.m, s.p, s.g);
            self.own = true;
            return Ok(true);
        }
        if !self.try_advance(0)? {
            sort_frontier(&mut self.frontier);
            let mut advanced = false;
            for i in 1..self.frontier.len() {
                if self.try_advance(i)? {
                    advanced = true;
                    break;
                }
            }
            if !advanced {
                let generation = self.current.as_ref().map_or(0, |g| g.generation);
                let offset = self.frontier.first().map(|c| c.ev_offset);
                let mut msg =
                    format!("broken trace: failed to advance: frontier:\n[gen={generation}]\n\n");
                for c in &self.frontier {
                    let s = wire::spec(c.ev.typ);
                    msg += &format!("M {} [{} time={}", c.m, s.name, c.ev.time);
                    for (name, v) in s.args[1..].iter().zip(c.ev.args) {
                        msg += &format!(" {name}={v}");
                    }
                    msg += "]\n";
                }
                return Err(Box::new(Error::new(offset, msg)));
            }
        }
        self.own = false;
        Ok(self.order.next())
    }

    /// Offers the event of frontier cursor `i` to the ordering; on success
    /// moves the cursor on.
    #[inline(always)]
    fn try_advance(&mut self, i: usize) -> Fast<bool> {
        let generation = self.current.as_mut().expect("generation installed");
        let c = &mut self.frontier[i];
        if c.slot == NO_SLOT && c.m != NONE {
            c.slot = self.order.m_slot(c.m);
        }
        let offset = c.ev_offset;
        let accepted = self
            .order
            .advance(
                &mut c.ev,
                &mut generation.table,
                (c.m, c.slot),
                generation.generation,
                offset,
            )
            .map_err(|m| Error::at(offset, m))?;
        if !accepted {
            return Ok(false);
        }
        if c.advance(generation)
            .map_err(|m| Error::at(c.ev_offset, m))?
        {
            heap_update(&mut self.frontier, i);
        } else {
            heap_remove(&mut self.frontier, i);
        }
        Ok(true)
    }

    fn next_generation(&mut self) -> Fast<bool> {
        if !self.version.features().end_marker {
            return self.next_generation_with_spill();
        }
        if let Some(e) = &self.pending {
            return Err(Box::new(e.clone()));
        }
        match read_generation(&mut self.stream, self.version.features()) {
            Ok(Some(g)) => self.install(g),
            Ok(None) => {
                self.current = None;
                self.done = true;
                Ok(self.sync(self.last_ts, false))
            }
            Err(e) => {
                self.pending = Some(e);
                self.current = None;
                Ok(self.sync(self.last_ts, false))
            }
        }
    }

    fn next_generation_with_spill(&mut self) -> Fast<bool> {
        if let Some(e) = &self.pending {
            if self.pending_synced {
                return Err(Box::new(e.clone()));
            }
            self.pending_synced = true;
            return Ok(self.sync(self.last_ts, false));
        }
        if self.current.is_some() && self.spill.is_none() {
            self.done = true;
            return Ok(self.sync(self.last_ts, false));
        }
        match read_generation_with_spill(
            &mut self.stream,
            self.spill.take(),
            self.version.features(),
        ) {
            Ok((g, spill, err)) => {
                self.spill = spill;
                self.pending = err;
                self.install(g)
            }
            Err(e) => {
                self.pending = Some(e);
                self.pending_synced = true;
                self.current = None;
                Ok(self.sync(self.last_ts, false))
            }
        }
    }

    fn install(&mut self, g: Generation) -> Fast<bool> {
        self.next_sample = 0;
        self.frontier.clear();
        let generation = self.current.insert(g);
        for (i, tb) in generation.threads.iter().enumerate() {
            let mut c = Cursor::new(i, tb.m);
            if c.advance(generation)
                .map_err(|m| Error::at(c.ev_offset, m))?
            {
                heap_insert(&mut self.frontier, c);
            }
        }
        let time = super::mul(generation.ns_per_unit, generation.min_ts);
        Ok(self.sync(time, true))
    }
}

/// Checks that the stack and string IDs `ev` refers to exist, as Go's
/// reader does before returning an event.
#[inline]
fn validate_ids(table: &Table, ev: &RawEvent) -> Result<()> {
    let s = wire::spec(ev.typ);
    for &i in s.stack_ids {
        let id = ev.args[usize::from(i) - 1];
        // CPU samples' stack sits in another slot than the spec says;
        // Go checks the spec's slot, which is always 0 there.
        if ev.typ != EV_CPU_SAMPLE && !table.has_stack(id) {
            return Err(Error::at(
                ev.offset,
                format!("found invalid stack ID {id} for event {}", s.name),
            ));
        }
    }
    for &i in s.string_ids {
        let id = ev.args[usize::from(i) - 1];
        if !table.has_string(id) {
            return Err(Error::at(
                ev.offset,
                format!("found invalid string ID {id} for event {}", s.name),
            ));
        }
    }
    Ok(())
}

/// Sorts the frontier by event time, leaving equal times in the order Go's
/// `slices.SortFunc` leaves them.
fn sort_frontier(f: &mut [Cursor]) {
    gocompat::sort::sort_func(f, &|a: &Cursor, b: &Cursor| a.ev.time < b.ev.time);
}
