//! The streaming writer: each call writes one `TracePacket` as one
//! `Trace.packet` field, so the output is a valid `Trace` message at every
//! packet boundary and nothing is held but the interning tables.
//!
//! Event timestamps are incremental: each sequence's state, when cleared,
//! is started by a packet that reads an incremental clock of the sequence
//! ([`INCREMENTAL_CLOCK`]) equal to `BOOTTIME` and makes it the default
//! clock, so each event gives the time since the sequence's previous one
//! (a varint of a few bytes, not an absolute time's eight or nine). An
//! event earlier than the one before it names `BOOTTIME` and gives its
//! time whole.

use crate::intern::{Interner, StackFrame};
use crate::proto::{
    BOOTTIME, Clock, ClockSnapshot, CounterDescriptor, CounterUnit, Data, DebugAnnotation,
    EventType, ProcessDescriptor, SequenceFlags, SiblingMerge, TracePacket, TracePacketDefaults,
    TrackDescriptor, TrackEvent, Value,
};
use prost::Message;
use std::io::{self, Write};

/// Tables past this many entries are dropped and the sequence's state
/// cleared.
const INTERN_LIMIT: usize = 1 << 17;

/// The sequence's incremental clock (64 to 127 are a sequence's own).
pub const INCREMENTAL_CLOCK: u32 = 64;

/// The field tag of `Trace.packet` (field 1, length-delimited).
const TRACE_PACKET_TAG: u8 = 0x0a;

/// An argument's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgValue<'a> {
    /// A signed number.
    Int(i64),
    /// An unsigned number.
    Uint(u64),
    /// A string.
    Str(&'a str),
}

/// A named argument of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arg<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its value.
    pub value: ArgValue<'a>,
}

impl<'a> Arg<'a> {
    /// A signed argument.
    pub fn int(name: &'a str, v: i64) -> Arg<'a> {
        Arg {
            name,
            value: ArgValue::Int(v),
        }
    }

    /// An unsigned argument.
    pub fn uint(name: &'a str, v: u64) -> Arg<'a> {
        Arg {
            name,
            value: ArgValue::Uint(v),
        }
    }

    /// A string argument.
    pub fn str(name: &'a str, v: &'a str) -> Arg<'a> {
        Arg {
            name,
            value: ArgValue::Str(v),
        }
    }
}

/// What a slice or instant carries besides its name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Details<'a> {
    /// Arguments.
    pub args: &'a [Arg<'a>],
    /// Flows that begin here.
    pub flows: &'a [u64],
    /// Flows that end here.
    pub terminating_flows: &'a [u64],
}

/// Writes a Perfetto trace, packet by packet, on one packet sequence.
pub struct Writer<W: Write> {
    out: W,
    seq: u32,
    intern: Interner,
    /// Whether the next event must clear the sequence's state.
    clear: bool,
    /// The time of the sequence's latest event on its incremental clock.
    last: u64,
    buf: Vec<u8>,
    packet: TracePacket,
}

impl<W: Write> Writer<W> {
    /// A writer on `out`, whose events form the packet sequence `seq`
    /// (nonzero).
    pub fn new(out: W, seq: u32) -> Writer<W> {
        Writer {
            out,
            seq,
            intern: Interner::default(),
            clear: true,
            last: 0,
            buf: Vec::with_capacity(256),
            packet: TracePacket::default(),
        }
    }

    /// Starts a new packet sequence (interned names are not shared
    /// across sequences): for each input of a trace made of several.
    pub fn new_sequence(&mut self, seq: u32) {
        self.seq = seq;
        self.intern.clear();
        self.clear = true;
    }

    /// Forgets the stack keys given so far (they name other stacks from
    /// now on).
    pub fn forget_stack_keys(&mut self) {
        self.intern.forget_keys();
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }

    fn emit(&mut self) -> io::Result<()> {
        let len = self.packet.encoded_len();
        self.buf.clear();
        self.buf.push(TRACE_PACKET_TAG);
        prost::encoding::encode_varint(len as u64, &mut self.buf);
        self.packet
            .encode(&mut self.buf)
            .map_err(io::Error::other)?;
        self.out.write_all(&self.buf)
    }

    /// Writes a track's descriptor.
    pub fn track(&mut self, desc: TrackDescriptor) -> io::Result<()> {
        self.packet = TracePacket {
            trusted_packet_sequence_id: Some(self.seq),
            data: Some(Data::TrackDescriptor(desc)),
            ..TracePacket::default()
        };
        self.emit()
    }

    /// Writes the descriptor of a process's track (the group of one
    /// input's tracks).
    pub fn process_track(&mut self, uuid: u64, pid: i32, name: &str) -> io::Result<()> {
        self.track(TrackDescriptor {
            uuid: Some(uuid),
            process: Some(ProcessDescriptor {
                pid: Some(pid),
                process_name: Some(name.to_owned()),
            }),
            ..TrackDescriptor::default()
        })
    }

    /// Writes the descriptor of a track of slices under `parent`, shown in
    /// `rank` order among its siblings, and never merged with same-named
    /// ones.
    pub fn slice_track(&mut self, uuid: u64, parent: u64, name: &str, rank: i32) -> io::Result<()> {
        self.track(TrackDescriptor {
            uuid: Some(uuid),
            parent_uuid: Some(parent),
            name: Some(name.to_owned()),
            sibling_order_rank: Some(rank),
            child_ordering: Some(crate::proto::ChildOrdering::Explicit as i32),
            sibling_merge_behavior: Some(SiblingMerge::None as i32),
            ..TrackDescriptor::default()
        })
    }

    /// Writes the descriptor of a counter track under `parent`.
    pub fn counter_track(
        &mut self,
        uuid: u64,
        parent: u64,
        name: &str,
        unit: CounterUnit,
        rank: i32,
    ) -> io::Result<()> {
        self.track(TrackDescriptor {
            uuid: Some(uuid),
            parent_uuid: Some(parent),
            name: Some(name.to_owned()),
            counter: Some(CounterDescriptor {
                unit: Some(unit as i32),
            }),
            sibling_order_rank: Some(rank),
            sibling_merge_behavior: Some(SiblingMerge::None as i32),
            ..TrackDescriptor::default()
        })
    }

    /// Starts a track event packet: clears the sequence's state first if
    /// due (so that whatever is interned next is defined from this packet
    /// on), and gives its time on the incremental clock.
    fn start(&mut self, ts: u64, typ: EventType, track: u64) -> io::Result<TrackEvent> {
        if self.intern.len() > INTERN_LIMIT {
            self.intern.clear();
            self.clear = true;
        }
        if self.clear {
            self.reset(ts)?;
        }
        let mut ev = match self.packet.data.take() {
            Some(Data::TrackEvent(ev)) => ev,
            _ => TrackEvent::default(),
        };
        ev.r#type = Some(typ as i32);
        ev.track_uuid = Some(track);
        ev.name_iid = None;
        ev.counter_value = None;
        ev.callstack_iid = None;
        ev.debug_annotations.clear();
        ev.flow_ids.clear();
        ev.terminating_flow_ids.clear();
        if ts >= self.last {
            self.packet.timestamp = Some(ts - self.last);
            self.packet.timestamp_clock_id = None;
            self.last = ts;
        } else {
            self.packet.timestamp = Some(ts);
            self.packet.timestamp_clock_id = Some(BOOTTIME);
        }
        Ok(ev)
    }

    /// Clears the sequence's state at time `ts`: a packet that says so,
    /// reads the incremental clock as `ts` and makes it the default.
    fn reset(&mut self, ts: u64) -> io::Result<()> {
        self.clear = false;
        self.last = ts;
        let clock = |id, incremental| Clock {
            clock_id: Some(id),
            timestamp: Some(ts),
            is_incremental: incremental,
        };
        self.packet = TracePacket {
            timestamp: Some(ts),
            timestamp_clock_id: Some(BOOTTIME),
            trusted_packet_sequence_id: Some(self.seq),
            sequence_flags: Some(SequenceFlags::IncrementalStateCleared as u32),
            trace_packet_defaults: Some(TracePacketDefaults {
                timestamp_clock_id: Some(INCREMENTAL_CLOCK),
            }),
            data: Some(Data::ClockSnapshot(ClockSnapshot {
                clocks: vec![clock(BOOTTIME, None), clock(INCREMENTAL_CLOCK, Some(true))],
            })),
            ..TracePacket::default()
        };
        self.emit()?;
        self.packet = TracePacket::default();
        Ok(())
    }

    fn fill(&mut self, ev: &mut TrackEvent, name: &str, d: &Details<'_>) {
        ev.name_iid = Some(self.intern.name(name));
        for a in d.args {
            ev.debug_annotations.push(DebugAnnotation {
                name_iid: Some(self.intern.arg_name(a.name)),
                value: Some(match a.value {
                    ArgValue::Int(v) => Value::Int(v),
                    ArgValue::Uint(v) => Value::Uint(v),
                    ArgValue::Str(s) => Value::String(s.to_owned()),
                }),
            });
        }
        ev.flow_ids.extend_from_slice(d.flows);
        ev.terminating_flow_ids
            .extend_from_slice(d.terminating_flows);
    }

    fn finish_event(&mut self, ev: TrackEvent) -> io::Result<()> {
        self.packet.trusted_packet_sequence_id = Some(self.seq);
        self.packet.sequence_flags = Some(SequenceFlags::NeedsIncrementalState as u32);
        self.packet.interned_data = self.intern.take_pending();
        self.packet.data = Some(Data::TrackEvent(ev));
        self.emit()
    }

    /// Begins a slice on `track`.
    pub fn begin(&mut self, ts: u64, track: u64, name: &str, d: &Details<'_>) -> io::Result<()> {
        let mut ev = self.start(ts, EventType::SliceBegin, track)?;
        self.fill(&mut ev, name, d);
        self.finish_event(ev)
    }

    /// Begins a slice carrying a call stack: `key` names the stack (the
    /// same key, the same stack, until [`Writer::forget_stack_keys`]) and
    /// `frames` gives its frames, leaf first, the first time only.
    pub fn begin_with_stack<'f, I>(
        &mut self,
        ts: u64,
        track: u64,
        name: &str,
        d: &Details<'_>,
        key: u64,
        frames: impl FnOnce() -> I,
    ) -> io::Result<()>
    where
        I: IntoIterator<Item = StackFrame<'f>>,
    {
        self.event_with_stack(EventType::SliceBegin, ts, track, name, d, key, frames)
    }

    /// Ends the innermost open slice of `track`.
    pub fn end(&mut self, ts: u64, track: u64) -> io::Result<()> {
        let ev = self.start(ts, EventType::SliceEnd, track)?;
        self.finish_event(ev)
    }

    /// An instant event on `track`.
    pub fn instant(&mut self, ts: u64, track: u64, name: &str, d: &Details<'_>) -> io::Result<()> {
        let mut ev = self.start(ts, EventType::Instant, track)?;
        self.fill(&mut ev, name, d);
        self.finish_event(ev)
    }

    /// An instant event carrying a call stack (see
    /// [`Writer::begin_with_stack`]).
    pub fn instant_with_stack<'f, I>(
        &mut self,
        ts: u64,
        track: u64,
        name: &str,
        d: &Details<'_>,
        key: u64,
        frames: impl FnOnce() -> I,
    ) -> io::Result<()>
    where
        I: IntoIterator<Item = StackFrame<'f>>,
    {
        self.event_with_stack(EventType::Instant, ts, track, name, d, key, frames)
    }

    /// A slice begin or an instant with its call stack interned.
    #[allow(clippy::too_many_arguments)]
    fn event_with_stack<'f, I>(
        &mut self,
        kind: EventType,
        ts: u64,
        track: u64,
        name: &str,
        d: &Details<'_>,
        key: u64,
        frames: impl FnOnce() -> I,
    ) -> io::Result<()>
    where
        I: IntoIterator<Item = StackFrame<'f>>,
    {
        let mut ev = self.start(ts, kind, track)?;
        self.fill(&mut ev, name, d);
        ev.callstack_iid = Some(self.intern.stack(key, frames));
        self.finish_event(ev)
    }

    /// A counter's value from `ts` on.
    pub fn counter(&mut self, ts: u64, track: u64, value: i64) -> io::Result<()> {
        let mut ev = self.start(ts, EventType::Counter, track)?;
        ev.counter_value = Some(value);
        self.finish_event(ev)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::InternedData;

    /// Reads back the packets of a trace.
    fn packets(mut bytes: &[u8]) -> Vec<TracePacket> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            assert_eq!(bytes[0], TRACE_PACKET_TAG);
            bytes = &bytes[1..];
            out.push(TracePacket::decode_length_delimited(&mut bytes).unwrap());
        }
        out
    }

    fn event(p: &TracePacket) -> &TrackEvent {
        match &p.data {
            Some(Data::TrackEvent(e)) => e,
            other => panic!("not an event: {other:?}"),
        }
    }

    #[test]
    fn packets_with_interning_and_sequence_flags() {
        let mut w = Writer::new(Vec::new(), 3);
        w.process_track(1, 1, "trace").unwrap();
        w.slice_track(2, 1, "G1", 0).unwrap();
        let args = [Arg::uint("g", 1), Arg::str("reason", "sleep")];
        let frames = [StackFrame {
            func: "main.main",
            file: "m.go",
            line: 1,
            pc: 2,
        }];
        let d = Details {
            args: &args,
            flows: &[9],
            ..Details::default()
        };
        w.begin_with_stack(10, 2, "waiting", &d, 5, || frames)
            .unwrap();
        w.end(20, 2).unwrap();
        w.instant(20, 2, "waiting", &Details::default()).unwrap();
        w.counter(30, 2, -4).unwrap();
        // Earlier than the event before: on BOOTTIME, whole.
        w.counter(25, 2, 1).unwrap();
        w.counter(35, 2, 2).unwrap();
        w.new_sequence(4);
        w.instant(40, 2, "waiting", &Details::default()).unwrap();
        let p = packets(&w.finish().unwrap());
        assert_eq!(p.len(), 11);
        assert!(p.iter().all(|p| p.trusted_packet_sequence_id.is_some()));
        // The sequence's state cleared, its incremental clock set at the
        // first event's time.
        let reset = |p: &TracePacket, ts: u64| {
            assert_eq!(p.sequence_flags, Some(1));
            assert_eq!(p.timestamp, Some(ts));
            assert_eq!(p.timestamp_clock_id, Some(BOOTTIME));
            let d = p.trace_packet_defaults.as_ref().unwrap();
            assert_eq!(d.timestamp_clock_id, Some(INCREMENTAL_CLOCK));
            let Some(Data::ClockSnapshot(c)) = &p.data else {
                panic!("no clock snapshot: {p:?}");
            };
            assert_eq!(c.clocks[1].clock_id, Some(INCREMENTAL_CLOCK));
            assert_eq!(c.clocks[1].timestamp, Some(ts));
            assert_eq!(c.clocks[1].is_incremental, Some(true));
        };
        reset(&p[2], 10);
        let first = event(&p[3]);
        assert_eq!(p[3].sequence_flags, Some(2));
        assert_eq!(p[3].timestamp, Some(0));
        assert_eq!(first.flow_ids, [9]);
        assert_eq!(first.debug_annotations.len(), 2);
        let defs: &InternedData = p[3].interned_data.as_ref().unwrap();
        assert_eq!(defs.event_names[0].iid, first.name_iid);
        assert_eq!(defs.callstacks[0].iid, first.callstack_iid);
        assert_eq!(p[4].sequence_flags, Some(2));
        assert_eq!(p[4].timestamp, Some(10));
        assert!(p[4].interned_data.is_none());
        assert_eq!(event(&p[4]).name_iid, None);
        // The name is already defined on this sequence.
        assert!(p[5].interned_data.is_none());
        assert_eq!(p[5].timestamp, Some(0));
        assert_eq!(event(&p[6]).counter_value, Some(-4));
        assert_eq!(p[6].timestamp, Some(10));
        assert_eq!(
            (p[7].timestamp, p[7].timestamp_clock_id),
            (Some(25), Some(BOOTTIME))
        );
        assert_eq!((p[8].timestamp, p[8].timestamp_clock_id), (Some(5), None));
        // A new sequence clears its state, and defines the name again.
        reset(&p[9], 40);
        assert_eq!(p[10].sequence_flags, Some(2));
        assert_eq!(p[10].trusted_packet_sequence_id, Some(4));
        assert_eq!(p[10].interned_data.as_ref().unwrap().event_names.len(), 1);
    }
}
