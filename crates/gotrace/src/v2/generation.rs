//! Reading one generation of a Go 1.22+ trace: its batches, grouped by
//! thread, and its string, stack, CPU-sample and clock data.

use crate::bytes::{SliceReader, Stream, VarintError};
use crate::error::{Error, Result};
use crate::table::{ExperimentalBatch, FrameData, Table};
use crate::values::ClockSnapshot;
use crate::version::Features;
use crate::wire::*;
use rustc_hash::FxHashMap as HashMap;
use std::io::BufRead;

/// Largest batch payload the runtime writes.
const MAX_BATCH_SIZE: u64 = 64 << 10;
/// Longest string the runtime writes.
const MAX_STRING_SIZE: u64 = 1 << 10;
/// Deepest stack the runtime writes.
const MAX_FRAMES: u64 = 128;

/// A batch as read from the file.
pub(crate) struct RawBatch {
    exp: u8,
    generation: u64,
    m: u64,
    time: u64,
    data: Vec<u8>,
    /// Offset of the batch's first byte in the input.
    offset: u64,
    /// Offset of `data[0]` in the input.
    data_offset: u64,
}

enum BatchRead {
    Batch(RawBatch),
    EndOfGeneration,
    Eof,
}

/// Where one event batch's data lies in `Generation::data`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchSpan {
    pub(crate) time: u64,
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Offset of `data[start]` in the input.
    pub(crate) file_offset: u64,
}

/// The event batches of one thread, in file order.
pub(crate) struct ThreadBatches {
    pub(crate) m: i64,
    pub(crate) batches: Vec<BatchSpan>,
}

/// A CPU sample, its time already in ns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuSample {
    pub(crate) time: i64,
    pub(crate) m: i64,
    pub(crate) p: i64,
    pub(crate) g: i64,
    pub(crate) stack: u64,
}

/// One generation, read completely.
pub(crate) struct Generation {
    pub(crate) generation: u64,
    /// Payloads of all event batches.
    pub(crate) data: Vec<u8>,
    /// Event batches by thread, threads in order of first appearance.
    pub(crate) threads: Vec<ThreadBatches>,
    pub(crate) cpu_samples: Vec<CpuSample>,
    pub(crate) min_ts: u64,
    pub(crate) ns_per_unit: f64,
    pub(crate) table: Table,
}

struct Builder {
    generation: u64,
    min_ts: u64,
    data: Vec<u8>,
    threads: Vec<ThreadBatches>,
    thread_index: HashMap<i64, usize>,
    cpu_samples: Vec<(u64, CpuSample)>,
    freq: Option<f64>,
    table: Table,
    /// Offset where the generation began, for errors about it as a whole.
    offset: u64,
}

impl Builder {
    fn new(offset: u64) -> Builder {
        Builder {
            generation: 0,
            min_ts: 0,
            data: Vec::new(),
            threads: Vec::new(),
            thread_index: HashMap::default(),
            cpu_samples: Vec::new(),
            freq: None,
            table: Table::default(),
            offset,
        }
    }

    fn note_time(&mut self, t: u64) {
        if self.min_ts == 0 || t < self.min_ts {
            self.min_ts = t;
        }
    }

    fn process(&mut self, b: RawBatch, features: &Features) -> Result<()> {
        let first = b.data.first().copied();
        if b.exp != 0 {
            self.table.experimental.push(ExperimentalBatch {
                experiment: experiment_name(b.exp),
                thread: b.m as i64,
                data: b.data,
            });
            return Ok(());
        }
        match first {
            Some(EV_STRINGS) => self.add_strings(&b),
            Some(EV_STACKS) => self.add_stacks(&b),
            Some(EV_CPU_SAMPLES) => self.add_cpu_samples(&b),
            Some(EV_FREQUENCY) if !features.sync_batch => self.set_sync(&b, features),
            Some(EV_SYNC) if features.sync_batch => self.set_sync(&b, features),
            _ => {
                let m = b.m as i64;
                let idx = *self.thread_index.entry(m).or_insert_with(|| {
                    self.threads.push(ThreadBatches {
                        m,
                        batches: Vec::new(),
                    });
                    self.threads.len() - 1
                });
                let start = self.data.len();
                self.data.extend_from_slice(&b.data);
                self.threads[idx].batches.push(BatchSpan {
                    time: b.time,
                    start,
                    end: self.data.len(),
                    file_offset: b.data_offset,
                });
                Ok(())
            }
        }
    }

    fn add_strings(&mut self, b: &RawBatch) -> Result<()> {
        let mut r = SliceReader::new(&b.data[1..]);
        let at = |r: &SliceReader| b.data_offset + 1 + r.pos as u64;
        while !r.is_empty() {
            let off = at(&r);
            let ev = r.byte().unwrap_or(0);
            if ev != EV_STRING {
                return Err(Error::at(off, format!("expected string event, got {ev}")));
            }
            let id = r.uvarint().map_err(|e| varint_err(at(&r), e, &r))?;
            let len = r.uvarint().map_err(|e| varint_err(at(&r), e, &r))?;
            if len > MAX_STRING_SIZE {
                return Err(Error::at(
                    off,
                    format!("invalid string size {len}, maximum is {MAX_STRING_SIZE}"),
                ));
            }
            let s = r.take(len);
            if (s.len() as u64) != len {
                let msg = format!(
                    "failed to read full string: read {} but wanted {len}",
                    s.len()
                );
                return Err(Error::at(off, msg));
            }
            self.table
                .room_for_string()
                .map_err(|e| Error::at(off, e.to_string()))?;
            if !self.table.add_string(id, s) {
                let msg = format!("multiple strings with the same ID: id={id}");
                return Err(Error::at(off, msg));
            }
        }
        Ok(())
    }

    fn add_stacks(&mut self, b: &RawBatch) -> Result<()> {
        let mut r = SliceReader::new(&b.data[1..]);
        let at = |r: &SliceReader| b.data_offset + 1 + r.pos as u64;
        let mut frames = Vec::new();
        while !r.is_empty() {
            let off = at(&r);
            let ev = r.byte().unwrap_or(0);
            if ev != EV_STACK {
                return Err(Error::at(off, format!("expected stack event, got {ev}")));
            }
            let id = r.uvarint().map_err(|e| varint_err(at(&r), e, &r))?;
            let n = r.uvarint().map_err(|e| varint_err(at(&r), e, &r))?;
            if n > MAX_FRAMES {
                let msg = format!("invalid stack size {n}, maximum is {MAX_FRAMES}");
                return Err(Error::at(off, msg));
            }
            frames.clear();
            for i in 1..=n {
                let mut field = |what: &str| {
                    r.uvarint().map_err(|e| {
                        let inner = varint_msg(e, r.is_empty());
                        let msg = format!("reading frame {i}'s {what} for stack {id}: {inner}");
                        Error::at(at(&r), msg)
                    })
                };
                let pc = field("PC")?;
                let func = field("funcID")?;
                let file = field("fileID")?;
                let line = field("line")?;
                frames.push(FrameData {
                    pc,
                    func,
                    file,
                    line,
                });
            }
            self.table
                .room_for_stack()
                .map_err(|e| Error::at(off, e.to_string()))?;
            if !self.table.add_stack(id, frames.iter().copied()) {
                let msg = format!("multiple stacks with the same ID: id={id}");
                return Err(Error::at(off, msg));
            }
        }
        Ok(())
    }

    fn add_cpu_samples(&mut self, b: &RawBatch) -> Result<()> {
        let mut r = SliceReader::new(&b.data[1..]);
        let at = |r: &SliceReader| b.data_offset + 1 + r.pos as u64;
        while !r.is_empty() {
            let off = at(&r);
            let ev = r.byte().unwrap_or(0);
            if ev != EV_CPU_SAMPLE {
                return Err(Error::at(
                    off,
                    format!("expected CPU sample event, got {ev}"),
                ));
            }
            let mut vals = [0u64; 5];
            for v in &mut vals {
                *v = r.uvarint().map_err(|e| varint_err(at(&r), e, &r))?;
            }
            let [ts, m, p, g, stack] = vals;
            let g = if g == 0 { -1 } else { g as i64 };
            let sample = CpuSample {
                time: 0,
                m: m as i64,
                p: p as i64,
                g,
                stack,
            };
            self.cpu_samples.push((ts, sample));
        }
        Ok(())
    }

    fn set_sync(&mut self, b: &RawBatch, features: &Features) -> Result<()> {
        // A Sync batch begins with its own type byte.
        let skip = usize::from(features.sync_batch);
        let mut r = SliceReader::new(&b.data[skip..]);
        let at = |r: &SliceReader| b.data_offset + (skip + r.pos) as u64;
        while !r.is_empty() {
            let off = at(&r);
            let ev = r.byte().unwrap_or(0);
            let mut num = || {
                r.uvarint()
                    .map_err(|e| Error::at(off, varint_msg(e, false)))
            };
            if ev == EV_FREQUENCY {
                if self.freq.is_some() {
                    return Err(Error::at(off, "found multiple frequency events"));
                }
                let f = num()?;
                self.freq = Some(1.0 / (f as f64 / 1e9));
            } else if ev == EV_CLOCK_SNAPSHOT && features.sync_batch {
                if self.table.clock.is_some() {
                    return Err(Error::at(off, "found multiple clock snapshot events"));
                }
                let dt = num()?;
                let mono = num()?;
                let sec = num()?;
                let nsec = num()?;
                // The trace time is converted once the frequency is known.
                self.table.clock = Some(ClockSnapshot {
                    trace: b.time.wrapping_add(dt) as i64,
                    mono,
                    wall_sec: sec as i64,
                    wall_nsec: nsec as i64,
                });
            } else {
                let msg = format!("expected frequency or clock snapshot event, got {ev}");
                return Err(Error::at(off, msg));
            }
        }
        Ok(())
    }

    fn finish(mut self, features: &Features) -> Result<Generation> {
        let Some(freq) = self.freq else {
            return Err(Error::at(self.offset, "no frequency event found"));
        };
        if features.sync_batch && self.table.clock.is_none() {
            return Err(Error::at(self.offset, "no clock snapshot event found"));
        }
        if let Some(c) = &mut self.table.clock {
            c.trace = super::mul(freq, c.trace as u64);
        }
        self.table
            .validate_frames()
            .map_err(|m| Error::at(self.offset, m))?;
        self.table.resolve_frames();
        let mut samples: Vec<CpuSample> = (self.cpu_samples.into_iter())
            .map(|(ts, s)| CpuSample {
                time: super::mul(freq, ts),
                ..s
            })
            .collect();
        gocompat::sort::sort_func(&mut samples, &|a: &CpuSample, b: &CpuSample| {
            a.time < b.time
        });
        Ok(Generation {
            generation: self.generation,
            data: self.data,
            threads: self.threads,
            cpu_samples: samples,
            min_ts: self.min_ts,
            ns_per_unit: freq,
            table: self.table,
        })
    }
}

fn varint_msg(e: VarintError, at_end: bool) -> &'static str {
    match e {
        VarintError::Overflow => "binary: varint overflows a 64-bit integer",
        VarintError::Truncated if at_end => "EOF",
        VarintError::Truncated => "unexpected EOF",
    }
}

fn varint_err(offset: u64, e: VarintError, r: &SliceReader) -> Error {
    Error::at(offset, varint_msg(e, r.is_empty()))
}

fn read_batch<R: BufRead>(s: &mut Stream<R>) -> Result<BatchRead> {
    let offset = s.offset();
    let Some(marker) = s.byte()? else {
        return Ok(BatchRead::Eof);
    };
    match marker {
        EV_END_OF_GENERATION => return Ok(BatchRead::EndOfGeneration),
        EV_EVENT_BATCH | EV_EXPERIMENTAL_BATCH => {}
        other => {
            return Err(Error::at(
                offset,
                format!("expected batch event, got event {other}"),
            ));
        }
    }
    let mut exp = 0;
    if marker == EV_EXPERIMENTAL_BATCH {
        // Go treats end of input here like a clean end of the trace.
        match s.byte()? {
            Some(e) => exp = e,
            None => return Ok(BatchRead::Eof),
        }
    }
    let generation = s.uvarint().map_err(|e| e.reading("batch gen"))?;
    let m = s.uvarint().map_err(|e| e.reading("batch M ID"))?;
    let time = s.uvarint().map_err(|e| e.reading("batch timestamp"))?;
    let size = s.uvarint().map_err(|e| e.reading("batch size"))?;
    if size > MAX_BATCH_SIZE {
        let msg = format!("invalid batch size {size}, maximum is {MAX_BATCH_SIZE}");
        return Err(Error::at(offset, msg));
    }
    let data_offset = s.offset();
    let mut data = Vec::with_capacity(size as usize);
    let n = s.read_into(size as usize, &mut data)?;
    if n as u64 != size {
        let msg = format!("failed to read full batch: read {n} but wanted {size}");
        return Err(Error::at(offset, msg));
    }
    Ok(BatchRead::Batch(RawBatch {
        exp,
        generation,
        m,
        time,
        data,
        offset,
        data_offset,
    }))
}

/// Reads a Go 1.26+ generation, which ends with an EndOfGeneration marker.
/// `Ok(None)` at a clean end of the trace.
pub(crate) fn read_generation<R: BufRead>(
    s: &mut Stream<R>,
    features: &Features,
) -> Result<Option<Generation>> {
    let mut g = Builder::new(s.offset());
    loop {
        let b = match read_batch(s)? {
            BatchRead::Eof if g.threads.is_empty() => return Ok(None),
            BatchRead::Eof => {
                let msg = "incomplete generation found; trace likely truncated";
                return Err(Error::at(s.offset(), msg));
            }
            BatchRead::EndOfGeneration => break,
            BatchRead::Batch(b) => b,
        };
        if g.generation == 0 {
            g.generation = b.generation;
        }
        if b.generation == 0 {
            return Err(Error::at(b.offset, "invalid generation number 0"));
        }
        if b.generation != g.generation {
            let msg =
                "broken trace: missing end-of-generation event, or generations are interleaved";
            return Err(Error::at(b.offset, msg));
        }
        g.note_time(b.time);
        g.process(b, features)?;
    }
    g.finish(features).map(Some)
}

/// The first batch of the next generation, read while looking for the end
/// of the current one (Go 1.22–1.25 traces have no end marker).
pub(crate) struct Spill(RawBatch);

/// The outcome of reading a generation that ends at the next one's first
/// batch: the generation, the batch that began the next one, and an error
/// met while reading that next batch, to be reported after the generation.
pub(crate) type SpillRead = (Generation, Option<Spill>, Option<Error>);

/// Reads a Go 1.22–1.25 generation.
pub(crate) fn read_generation_with_spill<R: BufRead>(
    s: &mut Stream<R>,
    spill: Option<Spill>,
    features: &Features,
) -> Result<SpillRead> {
    let mut g = Builder::new(s.offset());
    if let Some(Spill(b)) = spill {
        g.offset = b.offset;
        g.generation = b.generation;
        g.min_ts = b.time;
        g.process(b, features)?;
    }
    let mut next = None;
    let mut later_err = None;
    loop {
        let b = match read_batch(s) {
            Ok(BatchRead::Eof) => break,
            Ok(BatchRead::Batch(b)) => b,
            // Go 1.22–1.25 have no such marker: Go reads it as a batch of
            // generation 0.
            Ok(BatchRead::EndOfGeneration) => {
                return Err(Error::at(s.offset() - 1, "invalid generation number 0"));
            }
            Err(e) if g.generation != 0 => {
                later_err = Some(e);
                break;
            }
            Err(e) => return Err(e),
        };
        if b.generation == 0 {
            return Err(Error::at(b.offset, "invalid generation number 0"));
        }
        if g.generation == 0 {
            g.generation = b.generation;
        }
        if b.generation == g.generation.wrapping_add(1) {
            next = Some(Spill(b));
            break;
        }
        if b.generation != g.generation {
            return Err(Error::at(b.offset, "generations out of order"));
        }
        g.note_time(b.time);
        g.process(b, features)?;
    }
    Ok((g.finish(features)?, next, later_err))
}
