//! The first pass over a Go 1.11–1.21 trace: where each P's batches start,
//! the CPU samples, the clock frequency, the timer goroutines, and the
//! trace-wide string and stack tables (which the runtime writes at the end
//! of the trace, so no event can be converted before this pass is done).
//! Events are not kept: the merge decodes them again from the bytes, and
//! the pass only checks and steps over most of them. From a file, it reads
//! a window at a time.

use super::decode::{
    BASE, Decoder, ERR_TIME_ORDER, PLAIN_MAX, PlainTypes, Raw, batch_p, check_arg_count, next_in,
};
use super::parse::V1Event;
use super::source::{Bytes, MAX_PLAIN};
use super::spec::*;
use crate::error::{Error, Result};
use crate::table::{FrameData, Table};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// One P's share of the trace.
#[derive(Default)]
pub(crate) struct PIndex {
    /// Where the P's batches start and end (offsets in the data after
    /// the header): each ends where the trace's next batch starts.
    pub(crate) batches: Vec<(usize, usize)>,
    /// The real times of the P's syscall exits that carry one, in stream
    /// order, as suffix minima once the pass is done: element `i` is the
    /// earliest real time of exits `i..`.
    pub(crate) exit_times: Vec<i64>,
}

/// What the first pass collects.
#[derive(Default)]
pub(crate) struct Index {
    /// Per P, in ascending P order.
    pub(crate) ps: Vec<(i32, PIndex)>,
    pub(crate) samples: Vec<V1Event>,
    pub(crate) ticks_per_sec: i64,
    pub(crate) timer_goids: HashSet<u64>,
    /// The trace's strings and stacks.
    pub(crate) table: Table,
    /// The largest string ID defined.
    pub(crate) max_string: u64,
    /// Stacks defined with no frames (not in `table`).
    pub(crate) empty_stacks: HashSet<u64>,
    /// Offset just past the last event.
    pub(crate) end: u64,
    /// The P and number of the last batch met.
    last_batch: Option<(i32, usize)>,
}

/// Stacks as the wire defines them: PCs per stack ID (a later definition
/// with frames replaces an earlier one, as in Go's map), and each PC's
/// first frame.
#[derive(Default)]
struct Stacks {
    stacks: HashMap<u32, Vec<u64>>,
    frames: HashMap<u64, FrameData>,
    /// IDs defined with no frames.
    empty: HashSet<u64>,
}

/// Reads every event of `bytes` (the trace after its header) once.
pub(crate) fn index(bytes: &Bytes, ver: u32) -> Result<Index> {
    let mut index = Index::default();
    let mut ps: HashMap<i32, PIndex> = HashMap::default();
    let mut stacks = Stacks::default();
    let mut win = bytes.index_window();
    let mut off = 0;
    let mut cur_p: Option<i32> = None;
    let mut raw = Raw::default();
    let mut vals = [0; PLAIN_MAX];
    let types = PlainTypes::new(ver);
    // The plain events whose values the index needs (see `add_plain`);
    // the others are only stepped over.
    let keep = [
        EV_CPU_SAMPLE,
        EV_FREQUENCY,
        EV_TIMER_GOROUTINE,
        EV_GO_SYS_EXIT,
    ]
    .iter()
    .fold(0u64, |k, &t| k | 1 << t);
    loop {
        let start = off;
        let data = win.get(bytes, off, usize::MAX, MAX_PLAIN)?;
        // Plain events are decoded from this window while it surely
        // holds the next one whole.
        let safe = data.len().saturating_sub(MAX_PLAIN);
        let mut dec = Decoder {
            data,
            off: 0,
            base: off,
        };
        let mut at = 0;
        loop {
            let plain = match dec.skip_plain(&types, keep) {
                Some(typ) => Some((typ, 0)),
                None => dec.plain(&types, &mut vals),
            };
            let Some((typ, n)) = plain else {
                break;
            };
            let Some(p) = cur_p else {
                return Err(no_batch(typ, BASE + (start + at) as u64));
            };
            if n > 0 {
                index.add_plain(p, &mut ps, typ, &vals[..n], BASE + (start + at) as u64)?;
            }
            at = dec.off;
            if at > safe {
                break;
            }
        }
        if at > 0 {
            off += at;
            continue;
        }
        let read = next_in(
            &mut win,
            bytes,
            off,
            usize::MAX,
            ver,
            &mut raw,
            Some(&mut index.table),
        )?;
        let Some(after) = read else {
            break;
        };
        off = after;
        match raw.typ {
            EV_STRING => {
                index.max_string = index.max_string.max(raw.args.first().copied().unwrap_or(0));
                continue;
            }
            EV_BATCH => {
                let p = batch_p(&raw);
                cur_p = Some(p);
                // A batch ends where the next begins.
                if let Some((last_p, i)) = index.last_batch
                    && let Some(b) = ps.get_mut(&last_p).and_then(|x| x.batches.get_mut(i))
                {
                    b.1 = start;
                }
                let batches = &mut ps.entry(p).or_default().batches;
                index.last_batch = Some((p, batches.len()));
                batches.push((start, usize::MAX));
            }
            _ => {}
        }
        let Some(p) = cur_p else {
            return Err(no_batch(raw.typ, raw.off));
        };
        check_arg_count(&raw)?;
        match raw.typ {
            EV_STACK => stacks.add(&raw)?,
            typ => index.add_plain(p, &mut ps, typ, &raw.args, raw.off)?,
        }
    }
    index.end = BASE + off as u64;
    if let Some((last_p, i)) = index.last_batch
        && let Some(b) = ps.get_mut(&last_p).and_then(|x| x.batches.get_mut(i))
    {
        b.1 = off;
    }
    stacks.into_table(&mut index);
    let mut ps: Vec<(i32, PIndex)> = ps.into_iter().collect();
    ps.sort_unstable_by_key(|p| p.0);
    for (_, p) in &mut ps {
        let mut min = i64::MAX;
        for t in p.exit_times.iter_mut().rev() {
            min = min.min(*t);
            *t = min;
        }
    }
    index.ps = ps;
    Ok(index)
}

fn no_batch(typ: u8, off: u64) -> Error {
    let msg = format!("read event {typ} with current P of 0, but P has no batches yet");
    Error::at(off, msg)
}

impl Index {
    /// Notes what the index needs of event `typ` with values `a` (as many
    /// as its type has) at offset `off`, in a batch of P `p`.
    #[inline]
    fn add_plain(
        &mut self,
        p: i32,
        ps: &mut HashMap<i32, PIndex>,
        typ: u8,
        a: &[u64],
        off: u64,
    ) -> Result<()> {
        match typ {
            EV_CPU_SAMPLE => self.samples.push(V1Event {
                ts: a[1] as i64,
                p: a[2] as i32,
                g: a[3],
                stk: a[4] as u32,
                typ: EV_CPU_SAMPLE,
                off: super::parse::short_offset(off),
                ..V1Event::default()
            }),
            EV_FREQUENCY => {
                self.ticks_per_sec = a[0] as i64;
                if self.ticks_per_sec <= 0 {
                    return Err(Error::at(off, ERR_TIME_ORDER));
                }
            }
            EV_TIMER_GOROUTINE => {
                self.timer_goids.insert(a[0]);
            }
            EV_GO_SYS_EXIT if a[3] != 0 => {
                if let Some(pi) = ps.get_mut(&p) {
                    pi.exit_times.push(a[3] as i64);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl Stacks {
    fn add(&mut self, raw: &Raw) -> Result<()> {
        let a = &raw.args;
        if a.len() < 2 {
            let msg = format!(
                "EvStack has wrong number of arguments: want at least 2, got {}",
                a.len()
            );
            return Err(Error::at(raw.off, msg));
        }
        let size = a[1];
        if size > 1000 {
            return Err(Error::at(
                raw.off,
                format!("EvStack has bad number of frames: {size}"),
            ));
        }
        let want = 2 + 4 * size;
        if a.len() as u64 != want {
            let msg = format!(
                "EvStack has wrong number of arguments: want {want}, got {}",
                a.len()
            );
            return Err(Error::at(raw.off, msg));
        }
        let id = a[0] as u32;
        if id != 0 && size == 0 {
            self.empty.insert(u64::from(id));
        }
        if id != 0 && size > 0 {
            let mut pcs = Vec::with_capacity(size as usize);
            for f in a[2..].chunks_exact(4) {
                let frame = FrameData {
                    pc: f[0],
                    func: f[1],
                    file: f[2],
                    line: f[3],
                };
                self.frames.entry(f[0]).or_insert(frame);
                pcs.push(f[0]);
            }
            crate::table::MAX_STACKS
                .check(self.stacks.len() as u64 + 1)
                .map_err(|e| Error::at(raw.off, e.to_string()))?;
            self.stacks.insert(id, pcs);
        }
        Ok(())
    }

    /// Moves the stacks into the index's table, in ascending ID order.
    fn into_table(self, index: &mut Index) {
        let mut ids: Vec<u32> = self.stacks.keys().copied().collect();
        ids.sort_unstable();
        index.empty_stacks = self.empty;
        for id in ids {
            let pcs = &self.stacks[&id];
            let unknown = |pc: u64| FrameData {
                pc,
                func: 0,
                file: 0,
                line: 0,
            };
            let frames = pcs
                .iter()
                .map(|&pc| self.frames.get(&pc).copied().unwrap_or(unknown(pc)));
            index.table.add_stack(u64::from(id), frames);
        }
    }
}
