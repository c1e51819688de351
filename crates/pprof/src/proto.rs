//! The profile.proto schema as prost messages (string fields are indices
//! into `string_table`), read whole with [`Profile::decode_any`]. Profiles
//! are written with [`crate::ProfileBuilder`]; [`Profile::intern`] and
//! [`Profile::encode_gzip`] serve tests that write odd profiles by hand.

use flate2::Compression;
use prost::Message;

use crate::error::Error;
use crate::gzip::{decompress_into, is_gzip};

/// A whole profile.
#[derive(Clone, PartialEq, Message)]
pub struct Profile {
    /// Names and units of each sample value, in order.
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<ValueType>,
    /// The samples.
    #[prost(message, repeated, tag = "2")]
    pub sample: Vec<Sample>,
    /// Memory mappings of the profiled process.
    #[prost(message, repeated, tag = "3")]
    pub mapping: Vec<Mapping>,
    /// Stack locations referenced by samples.
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<Location>,
    /// Functions referenced by locations.
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<Function>,
    /// All strings; entry 0 must be empty.
    #[prost(bytes = "vec", repeated, tag = "6")]
    pub string_table: Vec<Vec<u8>>,
    /// Frames to drop (string index).
    #[prost(int64, tag = "7")]
    pub drop_frames: i64,
    /// Frames to keep (string index).
    #[prost(int64, tag = "8")]
    pub keep_frames: i64,
    /// Collection time.
    #[prost(int64, tag = "9")]
    pub time_nanos: i64,
    /// Collection duration.
    #[prost(int64, tag = "10")]
    pub duration_nanos: i64,
    /// What the period measures.
    #[prost(message, optional, tag = "11")]
    pub period_type: Option<ValueType>,
    /// Sampling period.
    #[prost(int64, tag = "12")]
    pub period: i64,
    /// Free-form comments (string indices).
    #[prost(int64, repeated, tag = "13")]
    pub comment: Vec<i64>,
    /// The sample type shown by default (string index).
    #[prost(int64, tag = "14")]
    pub default_sample_type: i64,
    /// Documentation link for this profile (string index).
    #[prost(int64, tag = "15")]
    pub doc_url: i64,
}

/// A value's type and unit (string indices).
#[derive(Clone, Copy, PartialEq, Message)]
pub struct ValueType {
    /// Type name, such as `inuse_space`.
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    /// Unit, such as `bytes`.
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

/// One sample: a stack (leaf first) and one value per sample type.
#[derive(Clone, PartialEq, Message)]
pub struct Sample {
    /// Location ids, leaf first.
    #[prost(uint64, repeated, tag = "1")]
    pub location_id: Vec<u64>,
    /// Values, one per sample type.
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
    /// Labels.
    #[prost(message, repeated, tag = "3")]
    pub label: Vec<Label>,
}

/// A sample label, string or numeric.
#[derive(Clone, PartialEq, Message)]
pub struct Label {
    /// Key (string index).
    #[prost(int64, tag = "1")]
    pub key: i64,
    /// String value (string index), or 0.
    #[prost(int64, tag = "2")]
    pub str: i64,
    /// Numeric value.
    #[prost(int64, tag = "3")]
    pub num: i64,
    /// Unit of `num` (string index).
    #[prost(int64, tag = "4")]
    pub num_unit: i64,
}

/// A memory mapping.
#[derive(Clone, PartialEq, Message)]
pub struct Mapping {
    /// Unique non-zero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Start address.
    #[prost(uint64, tag = "2")]
    pub memory_start: u64,
    /// End address.
    #[prost(uint64, tag = "3")]
    pub memory_limit: u64,
    /// File offset.
    #[prost(uint64, tag = "4")]
    pub file_offset: u64,
    /// Mapped file (string index).
    #[prost(int64, tag = "5")]
    pub filename: i64,
    /// Build id (string index).
    #[prost(int64, tag = "6")]
    pub build_id: i64,
    /// Symbolization flags.
    #[prost(bool, tag = "7")]
    pub has_functions: bool,
    /// Symbolization flags.
    #[prost(bool, tag = "8")]
    pub has_filenames: bool,
    /// Symbolization flags.
    #[prost(bool, tag = "9")]
    pub has_line_numbers: bool,
    /// Symbolization flags.
    #[prost(bool, tag = "10")]
    pub has_inline_frames: bool,
}

/// A stack location.
#[derive(Clone, PartialEq, Message)]
pub struct Location {
    /// Unique non-zero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Mapping id, or 0.
    #[prost(uint64, tag = "2")]
    pub mapping_id: u64,
    /// Instruction address.
    #[prost(uint64, tag = "3")]
    pub address: u64,
    /// Lines, innermost inlined frame first.
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<Line>,
    /// Whether frames were folded.
    #[prost(bool, tag = "5")]
    pub is_folded: bool,
}

/// A source line within a location.
#[derive(Clone, PartialEq, Message)]
pub struct Line {
    /// Function id.
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    /// Line number.
    #[prost(int64, tag = "2")]
    pub line: i64,
    /// Column number.
    #[prost(int64, tag = "3")]
    pub column: i64,
}

/// A function.
#[derive(Clone, PartialEq, Message)]
pub struct Function {
    /// Unique non-zero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Name (string index).
    #[prost(int64, tag = "2")]
    pub name: i64,
    /// System name (string index).
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    /// Source file (string index).
    #[prost(int64, tag = "4")]
    pub filename: i64,
    /// First line of the function.
    #[prost(int64, tag = "5")]
    pub start_line: i64,
}

impl Profile {
    /// Returns the string-table index of `s`, adding it if needed (entry 0
    /// is made the empty string first).
    pub fn intern(&mut self, s: &str) -> i64 {
        if self.string_table.is_empty() {
            self.string_table.push(Vec::new());
        }
        match self.string_table.iter().position(|t| t == s.as_bytes()) {
            Some(i) => i as i64,
            None => {
                self.string_table.push(s.as_bytes().to_vec());
                self.string_table.len() as i64 - 1
            }
        }
    }

    /// Encodes the profile and gzips it at the fastest level, as Go's
    /// runtime writes profiles.
    pub fn encode_gzip(&self) -> Vec<u8> {
        crate::gzip::compress(&self.encode_to_vec(), Compression::fast())
    }

    /// Decodes a whole profile, gzipped (when it starts with the gzip
    /// magic) or raw, with prost's decoder: nothing is checked beyond the
    /// wire format (see [`crate::ProfileBuilder::from_base`] for the checks
    /// a base profile gets).
    pub fn decode_any(raw: &[u8]) -> Result<Profile, Error> {
        if !is_gzip(raw) {
            return Ok(Profile::decode(raw)?);
        }
        let mut plain = Vec::new();
        decompress_into(raw, &mut plain)?;
        Ok(Profile::decode(&plain[..])?)
    }
}
