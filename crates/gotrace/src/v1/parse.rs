//! Parsing a Go 1.11–1.21 trace: decoding every event, merging the per-P
//! streams into one order that respects each goroutine's state sequence,
//! fixing syscall-exit times, converting ticks to nanoseconds and checking
//! the result (`internal/trace/internal/tracev1/parser.go` in Go 1.27).
//!
//! Go's parser visits Ps in map order, so events of different Ps with equal
//! tick times can come out in either order from run to run. Here Ps are
//! visited in ascending order, which makes the output deterministic and
//! equal to Go's whenever Go's is stable.

use super::spec::*;
use crate::bytes::uvarint;
use crate::error::{Error, Result};
use crate::table::{FrameData, Table};
use crate::version::Version;
use rustc_hash::FxHashMap as HashMap;

/// Fake P numbers the parser assigns.
pub(crate) const TIMER_P: i32 = 1_000_001;
pub(crate) const NETPOLL_P: i32 = 1_000_002;
pub(crate) const SYSCALL_P: i32 = 1_000_003;
pub(crate) const GC_P: i32 = 1_000_004;

/// One decoded event (56 bytes: the whole trace is held in memory as these).
/// `ts` is in ticks until the whole trace is merged, then in ns since the
/// first event. A UserLog keeps the index of its message in `args[2]`.
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

fn short_offset(off: u64) -> u32 {
    u32::try_from(off).unwrap_or(u32::MAX)
}

/// A parsed trace, ready for conversion.
pub(crate) struct V1Trace {
    pub(crate) version: Version,
    pub(crate) events: Vec<V1Event>,
    pub(crate) strings: HashMap<u64, Vec<u8>>,
    /// UserLog messages, deduplicated; events refer to them by index.
    pub(crate) inline: Vec<Vec<u8>>,
    pub(crate) stacks: HashMap<u32, Vec<u64>>,
    pub(crate) frames: HashMap<u64, FrameData>,
}

impl V1Trace {
    /// A table holding the trace's strings and stacks, and the largest
    /// string ID in it.
    pub(crate) fn table(&self) -> (Table, u64) {
        let mut table = Table::default();
        let mut ids: Vec<&u64> = self.strings.keys().collect();
        ids.sort_unstable();
        for &id in &ids {
            table.add_string(*id, &self.strings[id]);
        }
        let mut stack_ids: Vec<u32> = self.stacks.keys().copied().collect();
        stack_ids.sort_unstable();
        for id in stack_ids {
            let unknown = |pc: u64| FrameData {
                pc,
                func: 0,
                file: 0,
                line: 0,
            };
            let frames = self.stacks[&id]
                .iter()
                .map(|&pc| self.frames.get(&pc).copied().unwrap_or(unknown(pc)));
            table.add_stack(u64::from(id), frames);
        }
        (table, ids.last().map_or(0, |id| **id))
    }
}

const ERR_VARINT: &str = "malformatted base-128 varint";
const ERR_TIME_ORDER: &str = "time stamps out of order";

struct Decoder<'a> {
    data: &'a [u8],
    off: usize,
    /// Offset of `data[0]` in the input (the header is not in `data`).
    base: u64,
}

/// One raw event: type and values as on the wire.
struct Raw {
    typ: u8,
    args: Vec<u64>,
    /// The inline string of a UserLog.
    text: Vec<u8>,
    off: u64,
}

impl<'a> Decoder<'a> {
    fn val(&mut self) -> std::result::Result<u64, ()> {
        let (v, n) = uvarint(&self.data[self.off..]).map_err(|_| ())?;
        self.off += n;
        Ok(v)
    }

    fn bytes(&mut self, n: u64) -> Option<&'a [u8]> {
        let n = usize::try_from(n).ok()?;
        let end = self.off.checked_add(n).filter(|&e| e <= self.data.len())?;
        let s = &self.data[self.off..end];
        self.off = end;
        Some(s)
    }

    /// Reads the next event into `raw`; `Ok(false)` at end of input.
    fn next(
        &mut self,
        ver: u32,
        raw: &mut Raw,
        strings: Option<&mut HashMap<u64, Vec<u8>>>,
    ) -> Result<bool> {
        let start = self.off;
        let at = self.base + start as u64;
        let Some(&b) = self.data.get(self.off) else {
            return Ok(false);
        };
        self.off += 1;
        let typ = b & 0x3f;
        let narg = usize::from(b >> 6) + 1;
        if typ == 0 || typ >= EV_COUNT || desc(typ).min_version > ver {
            return Err(Error::at(at, format!("unknown event type {typ}")));
        }
        raw.typ = typ;
        raw.off = self.base + start as u64;
        raw.args.clear();
        raw.text.clear();
        let eof = "failed to read trace: unexpected EOF";
        match typ {
            EV_STRING => {
                let id = self.val().map_err(|_| Error::at(at, ERR_VARINT))?;
                if id == 0 {
                    return Err(Error::at(at, "string has invalid id 0"));
                }
                if strings.as_deref().is_some_and(|m| m.contains_key(&id)) {
                    return Err(Error::at(at, format!("string has duplicate id {id}")));
                }
                let len = self.val().map_err(|_| Error::at(at, ERR_VARINT))?;
                if len == 0 {
                    return Err(Error::at(at, "string has invalid length 0"));
                }
                if len > 1_000_000 {
                    return Err(Error::at(at, format!("string has too large length {len}")));
                }
                let s = self.bytes(len).ok_or_else(|| Error::at(at, eof))?;
                if let Some(m) = strings {
                    crate::table::MAX_STRINGS
                        .check(m.len() as u64 + 1)
                        .map_err(|e| Error::at(at, e.to_string()))?;
                    m.insert(id, s.to_vec());
                }
            }
            EV_BATCH => {
                if narg != 2 {
                    let msg = format!("EvBatch has wrong number of arguments: got {narg}, want 2");
                    return Err(Error::at(at, msg));
                }
                for _ in 0..2 {
                    raw.args
                        .push(self.val().map_err(|_| Error::at(at, ERR_VARINT))?);
                }
                let pid = raw.args[0];
                if pid != u64::MAX && pid > i32::MAX as u64 {
                    let msg = format!("processor ID {pid} is larger than maximum of {}", i32::MAX);
                    return Err(Error::at(at, msg));
                }
            }
            _ if narg <= 3 => {
                for _ in 0..narg {
                    let v = self.val().map_err(|_| {
                        Error::at(
                            at,
                            format!("failed to read event {typ} argument: {ERR_VARINT}"),
                        )
                    })?;
                    raw.args.push(v);
                }
            }
            _ => {
                let len = self.val().map_err(|_| {
                    Error::at(
                        at,
                        format!("failed to read event {typ} argument: {ERR_VARINT}"),
                    )
                })?;
                if len > 2048 {
                    let msg = format!(
                        "failed to read event {typ} argument: length-prefixed argument too big: {len} bytes, limit is 2048"
                    );
                    return Err(Error::at(at, msg));
                }
                let mut buf = self.bytes(len).ok_or_else(|| Error::at(at, eof))?;
                while !buf.is_empty() {
                    let (v, n) = uvarint(buf).map_err(|_| Error::at(at, ERR_VARINT))?;
                    raw.args.push(v);
                    buf = &buf[n..];
                }
                if typ == EV_USER_LOG {
                    let len = self.val().map_err(|_| Error::at(at, ERR_VARINT))?;
                    if len > 1_000_000 {
                        return Err(Error::at(at, format!("string is too large (len={len})")));
                    }
                    let s = self.bytes(len).ok_or_else(|| Error::at(at, eof))?;
                    raw.text.extend_from_slice(s);
                }
            }
        }
        Ok(true)
    }
}

/// What the first pass over the file collects: where each P's batches
/// start, the CPU samples, and the trace-wide tables.
#[derive(Default)]
struct Index {
    batches: HashMap<i32, Vec<usize>>,
    samples: Vec<V1Event>,
    /// Number of events the merge will yield (for sizing its output).
    events: usize,
    ticks_per_sec: i64,
    timer_goids: HashMap<u64, ()>,
}

/// Parses a whole v1 trace (everything after the 16-byte header).
pub(crate) fn parse(data: &[u8], version: Version) -> Result<V1Trace> {
    let ver = version.minor();
    let mut trace = V1Trace {
        version,
        events: Vec::new(),
        strings: HashMap::default(),
        inline: Vec::new(),
        stacks: HashMap::default(),
        frames: HashMap::default(),
    };
    let mut index = Index::default();
    let mut dec = Decoder {
        data,
        off: 0,
        base: 16,
    };
    let mut cur_p: Option<i32> = None;
    let mut raw = Raw {
        typ: 0,
        args: Vec::new(),
        text: Vec::new(),
        off: 0,
    };
    loop {
        let start = dec.off;
        if !dec.next(ver, &mut raw, Some(&mut trace.strings))? {
            break;
        }
        match raw.typ {
            EV_STRING => continue,
            EV_BATCH => {
                let p = batch_p(&raw);
                cur_p = Some(p);
                index.batches.entry(p).or_default().push(start);
            }
            _ => {}
        }
        if cur_p.is_none() {
            let msg = format!(
                "read event {} with current P of 0, but P has no batches yet",
                raw.typ
            );
            return Err(Error::at(raw.off, msg));
        }
        check_arg_count(&raw)?;
        match raw.typ {
            EV_CPU_SAMPLE => {
                let a = &raw.args;
                index.samples.push(V1Event {
                    ts: a[1] as i64,
                    p: a[2] as i32,
                    g: a[3],
                    stk: a[4] as u32,
                    typ: EV_CPU_SAMPLE,
                    off: short_offset(raw.off),
                    ..V1Event::default()
                });
            }
            EV_FREQUENCY => {
                index.ticks_per_sec = raw.args[0] as i64;
                if index.ticks_per_sec <= 0 {
                    return Err(Error::at(raw.off, ERR_TIME_ORDER));
                }
            }
            EV_TIMER_GOROUTINE => {
                index.timer_goids.insert(raw.args[0], ());
            }
            EV_STACK => add_stack(&raw, &mut trace)?,
            EV_BATCH => {}
            _ => index.events += 1,
        }
    }
    let end = dec.base + dec.off as u64;
    let samples = std::mem::take(&mut index.samples);
    trace.events = merge(data, ver, &index, samples, &mut trace.inline)?;
    if index.ticks_per_sec == 0 {
        return Err(Error::at(end, "no EvFrequency event"));
    }
    let clock = super::parse_check::Clock {
        ns_per_tick: 1e9 / index.ticks_per_sec as f64,
        timer_goroutines: &index.timer_goids,
    };
    super::parse_check::post_process(&mut trace, &clock)?;
    Ok(trace)
}

fn batch_p(raw: &Raw) -> i32 {
    if raw.args[0] == u64::MAX {
        -1
    } else {
        raw.args[0] as i32
    }
}

fn check_arg_count(raw: &Raw) -> Result<()> {
    let want = if raw.typ == EV_STACK {
        raw.args.len()
    } else {
        wire_args(raw.typ)
    };
    if raw.args.len() != want {
        let name = if raw.typ == EV_CPU_SAMPLE {
            "CPU sample"
        } else {
            desc(raw.typ).name
        };
        let msg = format!(
            "{name} has wrong number of arguments: want {want}, got {}",
            raw.args.len()
        );
        return Err(Error::at(raw.off, msg));
    }
    Ok(())
}

fn add_stack(raw: &Raw, trace: &mut V1Trace) -> Result<()> {
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
    if id != 0 && size > 0 {
        let mut pcs = Vec::with_capacity(size as usize);
        for f in a[2..].chunks_exact(4) {
            let frame = FrameData {
                pc: f[0],
                func: f[1],
                file: f[2],
                line: f[3],
            };
            trace.frames.entry(f[0]).or_insert(frame);
            pcs.push(f[0]);
        }
        crate::table::MAX_STACKS
            .check(trace.stacks.len() as u64 + 1)
            .map_err(|e| Error::at(raw.off, e.to_string()))?;
        trace.stacks.insert(id, pcs);
    }
    Ok(())
}

/// Inline strings (UserLog messages), deduplicated in the order met.
struct Inline<'a> {
    list: &'a mut Vec<Vec<u8>>,
    index: HashMap<Vec<u8>, usize>,
}

impl Inline<'_> {
    fn id(&mut self, s: &[u8]) -> usize {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.list.push(s.to_vec());
        self.index.insert(s.to_vec(), self.list.len() - 1);
        self.list.len() - 1
    }
}

/// The events of one P, decoded a batch at a time as the merge needs them
/// (the CPU samples form one more stream with no batches).
struct Stream<'a> {
    batches: &'a [usize],
    next_batch: usize,
    buf: Vec<V1Event>,
    pos: usize,
    /// The goroutine running on this P at the end of the last batch.
    last_g: u64,
}

impl Stream<'_> {
    /// The stream's next event, loading batches as needed.
    fn head(
        &mut self,
        dec: &mut Decoder<'_>,
        ver: u32,
        raw: &mut Raw,
        inline: &mut Inline<'_>,
    ) -> Result<Option<V1Event>> {
        while self.pos == self.buf.len() {
            let Some(&start) = self.batches.get(self.next_batch) else {
                return Ok(None);
            };
            self.next_batch += 1;
            self.load(start, dec, ver, raw, inline)?;
        }
        Ok(Some(self.buf[self.pos]))
    }

    /// Decodes the batch at `start`: its events up to the next batch.
    fn load(
        &mut self,
        start: usize,
        dec: &mut Decoder<'_>,
        ver: u32,
        raw: &mut Raw,
        inline: &mut Inline<'_>,
    ) -> Result<()> {
        self.buf.clear();
        self.pos = 0;
        dec.off = start;
        dec.next(ver, raw, None)?;
        let p = batch_p(raw);
        let mut last_ts = raw.args[1] as i64;
        while dec.next(ver, raw, None)? {
            let typ = raw.typ;
            if typ == EV_BATCH {
                break;
            }
            if matches!(
                typ,
                EV_STRING | EV_CPU_SAMPLE | EV_FREQUENCY | EV_TIMER_GOROUTINE | EV_STACK
            ) {
                continue;
            }
            check_arg_count(raw)?;
            let a = &raw.args;
            let mut ev = V1Event {
                typ,
                p,
                g: self.last_g,
                off: short_offset(raw.off),
                ..V1Event::default()
            };
            ev.ts = last_ts.wrapping_add(a[0] as i64);
            last_ts = ev.ts;
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
                EV_USER_LOG => ev.args[2] = inline.id(&raw.text) as u64,
                _ => {}
            }
            self.buf.push(ev);
        }
        Ok(())
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

/// Merges the per-P streams and the CPU samples into one order.
fn merge(
    data: &[u8],
    ver: u32,
    index: &Index,
    mut samples: Vec<V1Event>,
    inline: &mut Vec<Vec<u8>>,
) -> Result<Vec<V1Event>> {
    gocompat::sort::sort_func(&mut samples, &|a: &V1Event, b: &V1Event| a.ts < b.ts);
    let mut pids: Vec<i32> = index.batches.keys().copied().collect();
    pids.sort_unstable();
    let stream = |batches| Stream {
        batches,
        next_batch: 0,
        buf: Vec::new(),
        pos: 0,
        last_g: 0,
    };
    let mut streams: Vec<Stream<'_>> = pids.iter().map(|p| stream(&index.batches[p][..])).collect();
    let mut profile = stream(&[]);
    profile.buf = samples;
    streams.push(profile);
    let mut dec = Decoder {
        data,
        off: 0,
        base: 16,
    };
    let mut raw = Raw {
        typ: 0,
        args: Vec::new(),
        text: Vec::new(),
        off: 0,
    };
    let mut inline = Inline {
        list: inline,
        index: HashMap::default(),
    };
    let mut available: Vec<usize> = (0..streams.len()).collect();
    let mut done = vec![false; streams.len()];
    let mut gs: HashMap<u64, GSeq> = HashMap::default();
    let mut frontier: Vec<(V1Event, usize)> = Vec::new();
    let mut out = Vec::with_capacity(index.events + streams.last().map_or(0, |s| s.buf.len()));
    // Go checks the merged order, then moves syscall exits to their real
    // times; both are done here as events are merged, their errors kept
    // for after the merge so that they are reported in Go's order.
    let mut prev_ts = i64::MIN;
    let mut order_err: Option<u64> = None;
    let mut exit_err: Option<Error> = None;
    let mut last_block: HashMap<u64, i64> = HashMap::default();
    let mut moved = false;
    loop {
        let mut i = 0;
        while i < available.len() {
            let s = available[i];
            let Some(ev) = streams[s].head(&mut dec, ver, &mut raw, &mut inline)? else {
                done[s] = true;
                available.swap_remove(i);
                continue;
            };
            let (g, init, _) = state_transition(&ev);
            if !ready(g, gs.get(&g).copied().unwrap_or_default(), init) {
                i += 1;
                continue;
            }
            streams[s].pos += 1;
            available.swap_remove(i);
            heap_push(&mut frontier, (ev, s));
        }
        if frontier.is_empty() {
            if let Some(s) = (0..streams.len()).find(|&s| !done[s]) {
                let off = streams[s]
                    .buf
                    .get(streams[s].pos)
                    .map_or(0, V1Event::offset);
                return Err(Error::at(off, "no consistent ordering of events possible"));
            }
            break;
        }
        let (mut ev, s) = heap_pop(&mut frontier);
        let (g, init, mut next) = state_transition(&ev);
        ev.typ = match ev.typ {
            EV_GO_START_LOCAL => EV_GO_START,
            EV_GO_UNBLOCK_LOCAL => EV_GO_UNBLOCK,
            EV_GO_SYS_EXIT_LOCAL => EV_GO_SYS_EXIT,
            t => t,
        };
        if ev.ts < prev_ts && order_err.is_none() {
            order_err = Some(ev.offset());
        }
        prev_ts = ev.ts;
        match ev.typ {
            EV_GO_SYS_BLOCK | EV_GO_IN_SYSCALL => {
                last_block.insert(ev.g, ev.ts);
            }
            EV_GO_SYS_EXIT if ev.args[2] != 0 && exit_err.is_none() => {
                let ts = ev.args[2] as i64;
                let block = last_block.get(&ev.g).copied().unwrap_or(0);
                if block == 0 {
                    exit_err = Some(Error::at(ev.offset(), "stray syscall exit"));
                } else if ts < block {
                    exit_err = Some(Error::at(ev.offset(), ERR_TIME_ORDER));
                } else {
                    moved |= ts != ev.ts;
                    ev.ts = ts;
                }
            }
            _ => {}
        }
        out.push(ev);
        if g != UNORDERED {
            let cur = gs.get(&g).copied().unwrap_or_default();
            if !ready(g, cur, init) {
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
            gs.insert(g, next);
        }
        available.push(s);
    }
    if let Some(off) = order_err {
        return Err(Error::at(off, ERR_TIME_ORDER));
    }
    if let Some(e) = exit_err {
        return Err(e);
    }
    if moved {
        sort_nearly_sorted(&mut out);
    }
    Ok(out)
}

/// Stably sorts events by time when only a few are out of place (syscall
/// exits moved to their real time): an insertion pass needs no scratch
/// memory, unlike a general stable sort, which would need half the trace
/// again. Falls back to the general sort if events are far out of place.
fn sort_nearly_sorted(v: &mut [V1Event]) {
    let mut budget = 64 * v.len() + 4096;
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && v[j - 1].ts > v[j].ts {
            v.swap(j - 1, j);
            j -= 1;
            budget -= 1;
            if budget == 0 {
                // Insertion kept equal times in order, so this is still
                // the stable order of the original sequence.
                v.sort_by_key(|e| e.ts);
                return;
            }
        }
    }
}

/// Go's `container/heap`-style push with "less" = earlier time.
fn heap_push(h: &mut Vec<(V1Event, usize)>, x: (V1Event, usize)) {
    h.push(x);
    let mut j = h.len() - 1;
    while j > 0 {
        let i = (j - 1) / 2;
        if h[j].0.ts >= h[i].0.ts {
            break;
        }
        h.swap(i, j);
        j = i;
    }
}

fn heap_pop(h: &mut Vec<(V1Event, usize)>) -> (V1Event, usize) {
    let n = h.len() - 1;
    h.swap(0, n);
    let mut i = 0;
    loop {
        let j1 = 2 * i + 1;
        if j1 >= n {
            break;
        }
        let mut j = j1;
        if j1 + 1 < n && h[j1 + 1].0.ts < h[j1].0.ts {
            j = j1 + 1;
        }
        if h[j].0.ts >= h[i].0.ts {
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

    #[test]
    fn nearly_sorted_events_sort_stably() {
        let ev = |ts, g| V1Event {
            ts,
            g,
            ..V1Event::default()
        };
        let mut v = vec![
            ev(1, 1),
            ev(5, 2),
            ev(3, 3),
            ev(5, 4),
            ev(2, 5),
            ev(9, 6),
            ev(3, 7),
        ];
        let mut want = v.clone();
        want.sort_by_key(|e| e.ts);
        sort_nearly_sorted(&mut v);
        let order = |v: &[V1Event]| v.iter().map(|e| (e.ts, e.g)).collect::<Vec<_>>();
        assert_eq!(order(&v), order(&want));
        let mut big: Vec<V1Event> = (0..5000).rev().map(|i| ev(i / 3, i as u64)).collect();
        let mut want = big.clone();
        want.sort_by_key(|e| e.ts);
        sort_nearly_sorted(&mut big);
        assert_eq!(order(&big), order(&want));
    }

    #[test]
    fn events_stay_small() {
        assert!(std::mem::size_of::<V1Event>() <= 56);
    }
}
