//! The subset of Perfetto's trace schema (`protos/perfetto/trace/*.proto`,
//! as published with Perfetto) that this crate writes, declared as prost
//! messages. Field numbers and types are Perfetto's; repeated numbers are
//! unpacked, as the schema (proto2) declares them. Fields not listed here
//! are never written.

use prost::{Enumeration, Message, Oneof};

/// `TracePacket`: one unit of the trace, with a timestamp and one payload.
#[derive(Clone, PartialEq, Message)]
pub struct TracePacket {
    /// Nanoseconds on the packet's clock.
    #[prost(uint64, optional, tag = "8")]
    pub timestamp: Option<u64>,
    /// The writer's sequence: interned data is valid within one sequence.
    #[prost(uint32, optional, tag = "10")]
    pub trusted_packet_sequence_id: Option<u32>,
    /// Names and stacks interned by this packet.
    #[prost(message, optional, tag = "12")]
    pub interned_data: Option<InternedData>,
    /// [`SequenceFlags`] bits.
    #[prost(uint32, optional, tag = "13")]
    pub sequence_flags: Option<u32>,
    /// The clock of [`TracePacket::timestamp`], when not the sequence's
    /// default.
    #[prost(uint32, optional, tag = "58")]
    pub timestamp_clock_id: Option<u32>,
    /// Defaults for the sequence's later packets (part of its incremental
    /// state).
    #[prost(message, optional, tag = "59")]
    pub trace_packet_defaults: Option<TracePacketDefaults>,
    /// The payload.
    #[prost(oneof = "Data", tags = "6, 11, 60")]
    pub data: Option<Data>,
}

/// `TracePacketDefaults`: what a sequence's packets leave out.
#[derive(Clone, PartialEq, Message)]
pub struct TracePacketDefaults {
    /// The clock of timestamps that name none.
    #[prost(uint32, optional, tag = "58")]
    pub timestamp_clock_id: Option<u32>,
}

/// `ClockSnapshot`: the readings of clocks at one moment.
#[derive(Clone, PartialEq, Message)]
pub struct ClockSnapshot {
    /// The clocks.
    #[prost(message, repeated, tag = "1")]
    pub clocks: Vec<Clock>,
}

/// `ClockSnapshot.Clock`.
#[derive(Clone, PartialEq, Message)]
pub struct Clock {
    /// A builtin clock (1 to 63: [`BOOTTIME`] is the trace's), or one of
    /// the sequence (64 to 127).
    #[prost(uint32, optional, tag = "1")]
    pub clock_id: Option<u32>,
    /// Its reading (ns).
    #[prost(uint64, optional, tag = "2")]
    pub timestamp: Option<u64>,
    /// Whether packets on this clock give the time since the previous
    /// packet on it (the first, since this reading).
    #[prost(bool, optional, tag = "3")]
    pub is_incremental: Option<bool>,
}

/// The builtin clock `BOOTTIME`, the trace's clock by default.
pub const BOOTTIME: u32 = 6;

/// `TracePacket.data`: the payloads written here.
#[derive(Clone, PartialEq, Oneof)]
pub enum Data {
    /// Clock readings.
    #[prost(message, tag = "6")]
    ClockSnapshot(ClockSnapshot),
    /// An event on a track.
    #[prost(message, tag = "11")]
    TrackEvent(TrackEvent),
    /// A track's description.
    #[prost(message, tag = "60")]
    TrackDescriptor(TrackDescriptor),
}

/// `TracePacket.SequenceFlags`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Enumeration)]
#[repr(i32)]
pub enum SequenceFlags {
    /// `SEQ_UNSPECIFIED`.
    Unspecified = 0,
    /// `SEQ_INCREMENTAL_STATE_CLEARED`: interned data starts afresh here.
    IncrementalStateCleared = 1,
    /// `SEQ_NEEDS_INCREMENTAL_STATE`: the packet refers to interned data.
    NeedsIncrementalState = 2,
}

/// `TrackEvent`.
#[derive(Clone, PartialEq, Message)]
pub struct TrackEvent {
    /// [`EventType`].
    #[prost(enumeration = "EventType", optional, tag = "9")]
    pub r#type: Option<i32>,
    /// The track's uuid.
    #[prost(uint64, optional, tag = "11")]
    pub track_uuid: Option<u64>,
    /// The name, interned in [`InternedData::event_names`].
    #[prost(uint64, optional, tag = "10")]
    pub name_iid: Option<u64>,
    /// A counter's value.
    #[prost(int64, optional, tag = "30")]
    pub counter_value: Option<i64>,
    /// Arguments.
    #[prost(message, repeated, tag = "4")]
    pub debug_annotations: Vec<DebugAnnotation>,
    /// Flows this event begins (or continues).
    #[prost(fixed64, repeated, packed = "false", tag = "47")]
    pub flow_ids: Vec<u64>,
    /// Flows this event ends.
    #[prost(fixed64, repeated, packed = "false", tag = "48")]
    pub terminating_flow_ids: Vec<u64>,
    /// A call stack, interned in [`InternedData::callstacks`].
    #[prost(uint64, optional, tag = "56")]
    pub callstack_iid: Option<u64>,
}

/// `TrackEvent.Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Enumeration)]
#[repr(i32)]
pub enum EventType {
    /// `TYPE_UNSPECIFIED`.
    Unspecified = 0,
    /// `TYPE_SLICE_BEGIN`.
    SliceBegin = 1,
    /// `TYPE_SLICE_END`.
    SliceEnd = 2,
    /// `TYPE_INSTANT`.
    Instant = 3,
    /// `TYPE_COUNTER`.
    Counter = 4,
}

/// `DebugAnnotation`: one named argument.
#[derive(Clone, PartialEq, Message)]
pub struct DebugAnnotation {
    /// The name, interned in [`InternedData::debug_annotation_names`].
    #[prost(uint64, optional, tag = "1")]
    pub name_iid: Option<u64>,
    /// The value.
    #[prost(oneof = "Value", tags = "3, 4, 6")]
    pub value: Option<Value>,
}

/// `DebugAnnotation.value`: the kinds written here.
#[derive(Clone, PartialEq, Oneof)]
pub enum Value {
    /// `uint_value`.
    #[prost(uint64, tag = "3")]
    Uint(u64),
    /// `int_value`.
    #[prost(int64, tag = "4")]
    Int(i64),
    /// `string_value`.
    #[prost(string, tag = "6")]
    String(String),
}

/// `TrackDescriptor`.
#[derive(Clone, PartialEq, Message)]
pub struct TrackDescriptor {
    /// The track's id, unique in the trace.
    #[prost(uint64, optional, tag = "1")]
    pub uuid: Option<u64>,
    /// The enclosing track.
    #[prost(uint64, optional, tag = "5")]
    pub parent_uuid: Option<u64>,
    /// The name shown.
    #[prost(string, optional, tag = "2")]
    pub name: Option<String>,
    /// A longer description, shown on request.
    #[prost(string, optional, tag = "14")]
    pub description: Option<String>,
    /// Set on a process's track.
    #[prost(message, optional, tag = "3")]
    pub process: Option<ProcessDescriptor>,
    /// Set on counter tracks.
    #[prost(message, optional, tag = "8")]
    pub counter: Option<CounterDescriptor>,
    /// [`ChildOrdering`] of this track's children.
    #[prost(enumeration = "ChildOrdering", optional, tag = "11")]
    pub child_ordering: Option<i32>,
    /// Rank among siblings under [`ChildOrdering::Explicit`].
    #[prost(int32, optional, tag = "12")]
    pub sibling_order_rank: Option<i32>,
    /// [`SiblingMerge`]: whether same-named siblings are shown as one.
    #[prost(enumeration = "SiblingMerge", optional, tag = "15")]
    pub sibling_merge_behavior: Option<i32>,
}

/// `TrackDescriptor.ChildTracksOrdering`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Enumeration)]
#[repr(i32)]
pub enum ChildOrdering {
    /// `UNKNOWN`.
    Unknown = 0,
    /// `LEXICOGRAPHIC`.
    Lexicographic = 1,
    /// `CHRONOLOGICAL`.
    Chronological = 2,
    /// `EXPLICIT`: by `sibling_order_rank`.
    Explicit = 3,
}

/// `TrackDescriptor.SiblingMergeBehavior`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Enumeration)]
#[repr(i32)]
pub enum SiblingMerge {
    /// `SIBLING_MERGE_BEHAVIOR_UNSPECIFIED`.
    Unspecified = 0,
    /// `SIBLING_MERGE_BEHAVIOR_BY_TRACK_NAME`.
    ByTrackName = 1,
    /// `SIBLING_MERGE_BEHAVIOR_NONE`.
    None = 2,
}

/// `ProcessDescriptor`.
#[derive(Clone, PartialEq, Message)]
pub struct ProcessDescriptor {
    /// Process id (made up: one per input).
    #[prost(int32, optional, tag = "1")]
    pub pid: Option<i32>,
    /// The name shown for the process group.
    #[prost(string, optional, tag = "6")]
    pub process_name: Option<String>,
}

/// `CounterDescriptor`.
#[derive(Clone, PartialEq, Message)]
pub struct CounterDescriptor {
    /// [`CounterUnit`].
    #[prost(enumeration = "CounterUnit", optional, tag = "3")]
    pub unit: Option<i32>,
}

/// `CounterDescriptor.Unit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Enumeration)]
#[repr(i32)]
pub enum CounterUnit {
    /// `UNIT_UNSPECIFIED`.
    Unspecified = 0,
    /// `UNIT_TIME_NS`.
    TimeNs = 1,
    /// `UNIT_COUNT`.
    Count = 2,
    /// `UNIT_SIZE_BYTES`.
    SizeBytes = 3,
}

/// `InternedData`: the names and stacks later packets refer to by iid.
#[derive(Clone, PartialEq, Message)]
pub struct InternedData {
    /// Event names.
    #[prost(message, repeated, tag = "2")]
    pub event_names: Vec<EventName>,
    /// Argument names.
    #[prost(message, repeated, tag = "3")]
    pub debug_annotation_names: Vec<EventName>,
    /// Function names of frames.
    #[prost(message, repeated, tag = "5")]
    pub function_names: Vec<InternedString>,
    /// Frames.
    #[prost(message, repeated, tag = "6")]
    pub frames: Vec<Frame>,
    /// Call stacks.
    #[prost(message, repeated, tag = "7")]
    pub callstacks: Vec<Callstack>,
    /// Paths of mappings.
    #[prost(message, repeated, tag = "17")]
    pub mapping_paths: Vec<InternedString>,
    /// Source file paths of frames.
    #[prost(message, repeated, tag = "18")]
    pub source_paths: Vec<InternedString>,
    /// Mappings (one: the Go program).
    #[prost(message, repeated, tag = "19")]
    pub mappings: Vec<Mapping>,
}

/// `EventName`, and `DebugAnnotationName` (the same fields).
#[derive(Clone, PartialEq, Message)]
pub struct EventName {
    /// The id.
    #[prost(uint64, optional, tag = "1")]
    pub iid: Option<u64>,
    /// The name.
    #[prost(string, optional, tag = "2")]
    pub name: Option<String>,
}

/// `InternedString`.
#[derive(Clone, PartialEq, Message)]
pub struct InternedString {
    /// The id.
    #[prost(uint64, optional, tag = "1")]
    pub iid: Option<u64>,
    /// The bytes.
    #[prost(bytes = "vec", optional, tag = "2")]
    pub str: Option<Vec<u8>>,
}

/// `Frame`.
#[derive(Clone, PartialEq, Message)]
pub struct Frame {
    /// The id.
    #[prost(uint64, optional, tag = "1")]
    pub iid: Option<u64>,
    /// Function name, in [`InternedData::function_names`].
    #[prost(uint64, optional, tag = "2")]
    pub function_name_id: Option<u64>,
    /// Mapping, in [`InternedData::mappings`].
    #[prost(uint64, optional, tag = "3")]
    pub mapping_id: Option<u64>,
    /// Program counter.
    #[prost(uint64, optional, tag = "4")]
    pub rel_pc: Option<u64>,
    /// Source file, in [`InternedData::source_paths`].
    #[prost(uint64, optional, tag = "5")]
    pub source_path_iid: Option<u64>,
    /// Line number.
    #[prost(uint32, optional, tag = "6")]
    pub line_number: Option<u32>,
}

/// `Callstack`: frames, outermost first.
#[derive(Clone, PartialEq, Message)]
pub struct Callstack {
    /// The id.
    #[prost(uint64, optional, tag = "1")]
    pub iid: Option<u64>,
    /// Frames, in [`InternedData::frames`], outermost first.
    #[prost(uint64, repeated, packed = "false", tag = "2")]
    pub frame_ids: Vec<u64>,
}

/// `Mapping`.
#[derive(Clone, PartialEq, Message)]
pub struct Mapping {
    /// The id.
    #[prost(uint64, optional, tag = "1")]
    pub iid: Option<u64>,
    /// Path components, in [`InternedData::mapping_paths`].
    #[prost(uint64, repeated, packed = "false", tag = "7")]
    pub path_string_ids: Vec<u64>,
}
