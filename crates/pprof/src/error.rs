//! Why a profile could not be read: decompression, wire-format and
//! validation failures, with byte offsets into the decompressed data.

use thiserror::Error;

/// A profile that cannot be used, and why.
#[derive(Debug, Error)]
pub enum Error {
    /// The gzip stream is corrupt or truncated.
    #[error("decompressing profile: {0}")]
    Gzip(#[source] std::io::Error),
    /// The profile decompresses to more than the cap
    /// ([`crate::max_decompressed`]).
    #[error(
        "decompressing profile: larger than the limit of {limit} bytes ({})",
        crate::limit::how_to_raise()
    )]
    TooLarge {
        /// The cap in bytes.
        limit: u64,
    },
    /// The (decompressed) input is empty.
    #[error("empty profile")]
    Empty,
    /// The bytes are not a well-formed profile.proto message.
    #[error("parsing profile: {0}")]
    Decode(#[from] DecodeError),
    /// The message decoded but breaks one of pprof's consistency rules.
    #[error("malformed profile: {0}")]
    Invalid(String),
    /// prost could not decode the message (whole-profile reading).
    #[error("parsing profile: {0}")]
    Proto(#[from] prost::DecodeError),
    /// A string-table entry (at this index) is not UTF-8; the text is
    /// prost's for a string field that is not.
    #[error(
        "parsing profile: failed to decode Protobuf message: Profile.string_table: \
         invalid string value: data is not UTF-8 encoded"
    )]
    NotUtf8 {
        /// Index of the first such entry.
        index: usize,
    },
    /// The first string is not empty, or a sample type or function names a
    /// string past the table.
    #[error("parsing profile: malformed string table references")]
    StringReferences,
}

/// A wire-format failure at a byte offset of the decompressed profile.
#[derive(Debug, Error)]
#[error("at byte offset {offset} of the decompressed profile: {problem}")]
pub struct DecodeError {
    /// Offset of the failing byte in the decompressed profile.
    pub offset: usize,
    /// What went wrong there.
    pub problem: Problem,
}

/// The kinds of wire-format failure.
#[derive(Debug, Error)]
pub enum Problem {
    /// A varint is longer than ten bytes or truncated.
    #[error("bad varint")]
    BadVarint,
    /// A length-delimited field runs past its enclosing message.
    #[error("length runs past the end of the data")]
    TooMuchData,
    /// A fixed-size field is truncated.
    #[error("truncated fixed-size field")]
    NotEnoughData,
    /// Wire types 3, 4, 6 and 7 are not accepted.
    #[error("unknown wire type {0}")]
    UnknownWireType(u8),
    /// A known field has the wrong wire type.
    #[error("wire type does not match the field's type")]
    TypeMismatch,
    /// The first string table entry must be empty.
    #[error("string_table[0] must be empty")]
    FirstStringNotEmpty,
    /// A second non-zero `time_nanos`: two profiles concatenated.
    #[error("concatenated profiles detected")]
    Concatenated,
}
