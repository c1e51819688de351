//! What is open on each track, and the one door to the writer: slices are
//! begun and ended here, so every begin gets its end on its own track (the
//! ones still open are ended when the conversion stops), a track's
//! descriptor is written before its first event, and nothing is written
//! before the time window opens (the slices open then are begun at its
//! start).

use perfetto::proto::TrackDescriptor;
use perfetto::proto::{ChildOrdering, CounterDescriptor, ProcessDescriptor, SiblingMerge};
use perfetto::{CounterUnit, Details, StackFrame, Writer};
use rustc_hash::FxHashMap;
use std::io::{self, Write};
use std::rc::Rc;

/// How a track is described.
#[derive(Debug, Clone)]
pub(crate) struct Desc {
    /// The enclosing track (0: none, for a process's track).
    pub parent: u64,
    /// Its name.
    pub name: String,
    /// Its rank among its siblings.
    pub rank: i32,
    /// What it is.
    pub shape: Shape,
}

/// A track's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A process's track: the group of an input's tracks (the pid).
    Process(i32),
    /// A track of slices and instants.
    Slices,
    /// A counter.
    Counter(CounterUnit),
}

#[derive(Debug)]
struct TrackState {
    desc: Desc,
    described: bool,
    /// Names of the open slices, outermost first.
    open: Vec<Rc<str>>,
}

/// The tracks of one input and their open slices.
pub(crate) struct Timeline<'w, W: Write> {
    w: &'w mut Writer<W>,
    tracks: FxHashMap<u64, TrackState>,
    /// Whether the time window is open (events are written).
    live: bool,
}

impl<'w, W: Write> Timeline<'w, W> {
    pub(crate) fn new(w: &'w mut Writer<W>, live: bool) -> Timeline<'w, W> {
        Timeline {
            w,
            tracks: FxHashMap::default(),
            live,
        }
    }

    /// Whether the time window is open.
    pub(crate) fn live(&self) -> bool {
        self.live
    }

    /// Whether `uuid` is declared.
    pub(crate) fn known(&self, uuid: u64) -> bool {
        self.tracks.contains_key(&uuid)
    }

    /// Declares a track (written when first used in the window).
    pub(crate) fn declare(&mut self, uuid: u64, desc: Desc) {
        self.tracks.entry(uuid).or_insert(TrackState {
            desc,
            described: false,
            open: Vec::new(),
        });
    }

    /// Forgets a track with nothing open (its goroutine is gone).
    pub(crate) fn forget(&mut self, uuid: u64) {
        if self.tracks.get(&uuid).is_some_and(|t| t.open.is_empty()) {
            self.tracks.remove(&uuid);
        }
    }

    /// Number of slices open on `uuid`.
    pub(crate) fn depth(&self, uuid: u64) -> usize {
        self.tracks.get(&uuid).map_or(0, |t| t.open.len())
    }

    /// Writes the descriptor of `uuid` and its ancestors, if not yet.
    fn describe(&mut self, uuid: u64) -> io::Result<()> {
        let mut chain = Vec::new();
        let mut at = uuid;
        while let Some(t) = self.tracks.get(&at) {
            if t.described {
                break;
            }
            chain.push(at);
            if t.desc.parent == 0 {
                break;
            }
            at = t.desc.parent;
        }
        for u in chain.into_iter().rev() {
            let Some(t) = self.tracks.get_mut(&u) else {
                continue;
            };
            t.described = true;
            let d = &t.desc;
            let explicit = Some(ChildOrdering::Explicit as i32);
            let desc = match d.shape {
                Shape::Process(pid) => TrackDescriptor {
                    uuid: Some(u),
                    process: Some(ProcessDescriptor {
                        pid: Some(pid),
                        process_name: Some(d.name.clone()),
                    }),
                    child_ordering: explicit,
                    ..TrackDescriptor::default()
                },
                Shape::Slices => TrackDescriptor {
                    uuid: Some(u),
                    parent_uuid: Some(d.parent),
                    name: Some(d.name.clone()),
                    sibling_order_rank: Some(d.rank),
                    child_ordering: explicit,
                    sibling_merge_behavior: Some(SiblingMerge::None as i32),
                    ..TrackDescriptor::default()
                },
                Shape::Counter(unit) => TrackDescriptor {
                    uuid: Some(u),
                    parent_uuid: Some(d.parent),
                    name: Some(d.name.clone()),
                    counter: Some(CounterDescriptor {
                        unit: Some(unit as i32),
                    }),
                    sibling_order_rank: Some(d.rank),
                    sibling_merge_behavior: Some(SiblingMerge::None as i32),
                    ..TrackDescriptor::default()
                },
            };
            self.w.track(desc)?;
        }
        Ok(())
    }

    /// Begins a slice on a declared track; `stack` is the writer's stack
    /// key and frames (leaf first), if the slice carries one.
    pub(crate) fn begin<'f, I>(
        &mut self,
        ts: u64,
        uuid: u64,
        name: &Rc<str>,
        d: &Details<'_>,
        stack: Option<(u64, impl FnOnce() -> I)>,
    ) -> io::Result<()>
    where
        I: IntoIterator<Item = StackFrame<'f>>,
    {
        let Some(t) = self.tracks.get_mut(&uuid) else {
            return Ok(());
        };
        t.open.push(name.clone());
        if !self.live {
            return Ok(());
        }
        self.describe(uuid)?;
        match stack {
            Some((key, frames)) => self.w.begin_with_stack(ts, uuid, name, d, key, frames),
            None => self.w.begin(ts, uuid, name, d),
        }
    }

    /// Ends the innermost open slice of `uuid`, if any.
    pub(crate) fn end(&mut self, ts: u64, uuid: u64) -> io::Result<()> {
        let Some(t) = self.tracks.get_mut(&uuid) else {
            return Ok(());
        };
        if t.open.pop().is_none() || !self.live {
            return Ok(());
        }
        self.w.end(ts, uuid)
    }

    /// Ends every slice open on `uuid`.
    pub(crate) fn end_all(&mut self, ts: u64, uuid: u64) -> io::Result<()> {
        while self.depth(uuid) > 0 {
            self.end(ts, uuid)?;
        }
        Ok(())
    }

    /// An instant event on a declared track (only inside the window).
    pub(crate) fn instant<'f, I>(
        &mut self,
        ts: u64,
        uuid: u64,
        name: &str,
        d: &Details<'_>,
        stack: Option<(u64, impl FnOnce() -> I)>,
    ) -> io::Result<()>
    where
        I: IntoIterator<Item = StackFrame<'f>>,
    {
        if !self.live || !self.tracks.contains_key(&uuid) {
            return Ok(());
        }
        self.describe(uuid)?;
        match stack {
            Some((key, frames)) => self.w.instant_with_stack(ts, uuid, name, d, key, frames),
            None => self.w.instant(ts, uuid, name, d),
        }
    }

    /// A counter value on a declared counter track (only inside the
    /// window).
    pub(crate) fn counter(&mut self, ts: u64, uuid: u64, value: i64) -> io::Result<()> {
        if !self.live || !self.tracks.contains_key(&uuid) {
            return Ok(());
        }
        self.describe(uuid)?;
        self.w.counter(ts, uuid, value)
    }

    /// Opens the window at `ts`: the slices open then begin there.
    pub(crate) fn go_live(&mut self, ts: u64) -> io::Result<()> {
        if self.live {
            return Ok(());
        }
        self.live = true;
        for uuid in self.open_tracks() {
            self.describe(uuid)?;
            let names = self.tracks[&uuid].open.clone();
            for n in names {
                self.w.begin(ts, uuid, &n, &Details::default())?;
            }
        }
        Ok(())
    }

    /// The tracks with open slices, in uuid order.
    fn open_tracks(&self) -> Vec<u64> {
        let mut open: Vec<u64> = self
            .tracks
            .iter()
            .filter(|(_, t)| !t.open.is_empty())
            .map(|(&u, _)| u)
            .collect();
        open.sort_unstable();
        open
    }

    /// Ends every open slice at `ts` (the conversion stops there).
    pub(crate) fn close(&mut self, ts: u64) -> io::Result<()> {
        for uuid in self.open_tracks() {
            self.end_all(ts, uuid)?;
        }
        Ok(())
    }

    /// The writer, for what bypasses the tracks' bookkeeping.
    pub(crate) fn writer(&mut self) -> &mut Writer<W> {
        self.w
    }
}
