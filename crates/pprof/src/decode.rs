//! First pass over a profile.proto message, with pprof's wire rules:
//! every field except the samples is decoded into flat tables (strings as
//! their places in the input); samples are only located (their bytes are
//! decoded later, in one streaming pass, by `filter.rs`). Ids and string indices are kept as
//! numbers and resolved by `profile.rs`, because Go's runtime writes the
//! string table (and mappings) last. Profiles of the usual shape are read
//! by the fast path in `quickdecode.rs`; this general decoder reads the
//! others, and says what is wrong with malformed ones.

use crate::error::{DecodeError, Problem};
use crate::wire::{Reader, bytes, int, repeated};

/// A location: its id, mapping id, and the end of its lines in
/// [`Decoded::line_funcs`].
#[derive(Debug, PartialEq)]
pub(crate) struct RawLocation {
    pub id: u64,
    pub mapping_id: u64,
    pub lines_end: usize,
}

/// A function: id plus the string indices that filters match.
#[derive(Debug, PartialEq)]
pub(crate) struct RawFunction {
    pub id: u64,
    pub name: i64,
    pub filename: i64,
}

/// A mapping: id plus the string index of its file name.
#[derive(Debug, PartialEq)]
pub(crate) struct RawMapping {
    pub id: u64,
    pub filename: i64,
}

/// The decoded but not yet validated message. Its tables are kept from
/// one profile to the next (see `profile.rs`), so it owns no input.
#[derive(Default, Debug, PartialEq)]
pub(crate) struct Decoded {
    pub sample_types: Vec<i64>,
    pub default_sample_type: i64,
    /// Where each sample message's bytes start and end in the input.
    pub samples: Vec<(usize, usize)>,
    pub locations: Vec<RawLocation>,
    pub line_funcs: Vec<u64>,
    pub functions: Vec<RawFunction>,
    pub mappings: Vec<RawMapping>,
    /// Where each string starts and ends in the input.
    pub strings: Vec<(usize, usize)>,
    /// Smallest and largest string index that pprof resolves.
    pub str_lo: i64,
    pub str_hi: i64,
    pub period_type: (i64, i64),
    pub time_nanos: u64,
}

impl Decoded {
    /// Empties every table, keeping their memory.
    pub(crate) fn clear(&mut self) {
        self.sample_types.clear();
        self.samples.clear();
        self.locations.clear();
        self.line_funcs.clear();
        self.functions.clear();
        self.mappings.clear();
        self.strings.clear();
        (self.default_sample_type, self.str_lo, self.str_hi) = (0, 0, 0);
        (self.period_type, self.time_nanos) = ((0, 0), 0);
    }

    #[inline]
    pub(crate) fn string_ref(&mut self, idx: i64) {
        string_ref(&mut self.str_lo, &mut self.str_hi, idx);
    }

    /// Notes the string indices of the fields read last: drop and keep
    /// frames (`drop_keep`), the period type and the default sample type.
    pub(crate) fn finish(&mut self, drop_keep: (i64, i64)) {
        let (pt_type, pt_unit) = self.period_type;
        for idx in [
            drop_keep.0,
            drop_keep.1,
            pt_type,
            pt_unit,
            self.default_sample_type,
        ] {
            self.string_ref(idx);
        }
    }
}

/// Widens the range of string indices that must resolve.
#[inline]
pub(crate) fn string_ref(lo: &mut i64, hi: &mut i64, idx: i64) {
    *lo = (*lo).min(idx);
    *hi = (*hi).max(idx);
}

/// Decodes `data` (an uncompressed profile.proto message) into `p`
/// (whose tables are emptied first).
pub(crate) fn decode(data: &[u8], p: &mut Decoded) -> Result<(), DecodeError> {
    p.clear();
    if crate::quickdecode::decode(data, p).is_some() {
        // Fuzzing (with debug assertions) checks the fast path against
        // the general decoder on every input.
        #[cfg(debug_assertions)]
        {
            let mut general = Decoded::default();
            let same = decode_general(data, &mut general).is_ok() && general == *p;
            debug_assert!(same, "the fast first pass disagrees");
        }
        return Ok(());
    }
    p.clear();
    decode_general(data, p)
}

/// [`decode`] without the fast path, into an empty `p`.
pub(crate) fn decode_general(data: &[u8], p: &mut Decoded) -> Result<(), DecodeError> {
    let mut r = Reader::new(data, 0);
    let mut drop_keep = (0i64, 0i64);
    while !r.at_end() {
        let at = r.offset();
        let (num, v) = r.field()?;
        match num {
            1 => {
                let (b, at) = bytes(v, at)?;
                let (ty, unit) = value_type(b, at)?;
                p.string_ref(ty);
                p.string_ref(unit);
                p.sample_types.push(ty);
            }
            2 => {
                let (b, at) = bytes(v, at)?;
                p.samples.push((at, at + b.len()));
            }
            3 => {
                let (b, at) = bytes(v, at)?;
                mapping(p, b, at)?;
            }
            4 => {
                let (b, at) = bytes(v, at)?;
                location(p, b, at)?;
            }
            5 => {
                let (b, at) = bytes(v, at)?;
                function(p, b, at)?;
            }
            6 => {
                let (b, start) = bytes(v, at)?;
                p.strings.push((start, start + b.len()));
                if p.strings[0].0 != p.strings[0].1 {
                    return Err(DecodeError {
                        offset: at,
                        problem: Problem::FirstStringNotEmpty,
                    });
                }
            }
            7 => drop_keep.0 = int(v, at)? as i64,
            8 => drop_keep.1 = int(v, at)? as i64,
            9 => {
                if p.time_nanos != 0 {
                    return Err(DecodeError {
                        offset: at,
                        problem: Problem::Concatenated,
                    });
                }
                p.time_nanos = int(v, at)?;
            }
            10 | 12 => {
                int(v, at)?;
            }
            11 => {
                let (b, at) = bytes(v, at)?;
                p.period_type = value_type(b, at)?;
            }
            13 => {
                repeated(v, at, |c| {
                    p.string_ref(c as i64);
                    Ok(())
                })?;
            }
            14 => p.default_sample_type = int(v, at)? as i64,
            _ => {}
        }
    }
    p.finish(drop_keep);
    Ok(())
}

fn value_type(b: &[u8], at: usize) -> Result<(i64, i64), DecodeError> {
    let mut r = Reader::new(b, at);
    let (mut ty, mut unit) = (0, 0);
    while !r.at_end() {
        let at = r.offset();
        let (num, v) = r.field()?;
        match num {
            1 => ty = int(v, at)? as i64,
            2 => unit = int(v, at)? as i64,
            _ => {}
        }
    }
    Ok((ty, unit))
}

/// Checks a sample label's wire format and notes the string indices
/// pprof resolves for it.
pub(crate) fn label(b: &[u8], at: usize, lo: &mut i64, hi: &mut i64) -> Result<(), DecodeError> {
    let mut r = Reader::new(b, at);
    let (mut key, mut s, mut unit) = (0i64, 0i64, 0i64);
    while !r.at_end() {
        let at = r.offset();
        let (num, v) = r.field()?;
        match num {
            1 => key = int(v, at)? as i64,
            2 => s = int(v, at)? as i64,
            3 => {
                int(v, at)?;
            }
            4 => unit = int(v, at)? as i64,
            _ => {}
        }
    }
    string_ref(lo, hi, key);
    if s != 0 {
        string_ref(lo, hi, s);
    } else if unit != 0 {
        string_ref(lo, hi, unit);
    }
    Ok(())
}

pub(crate) fn mapping(p: &mut Decoded, b: &[u8], at: usize) -> Result<(), DecodeError> {
    let mut r = Reader::new(b, at);
    let (mut id, mut filename, mut build_id) = (0u64, 0i64, 0i64);
    while !r.at_end() {
        let at = r.offset();
        let (num, v) = r.field()?;
        match num {
            1 => id = int(v, at)?,
            5 => filename = int(v, at)? as i64,
            6 => build_id = int(v, at)? as i64,
            2..=4 | 7..=10 => {
                int(v, at)?;
            }
            _ => {}
        }
    }
    p.string_ref(filename);
    p.string_ref(build_id);
    p.mappings.push(RawMapping { id, filename });
    Ok(())
}

fn location(p: &mut Decoded, b: &[u8], at: usize) -> Result<(), DecodeError> {
    let mut r = Reader::new(b, at);
    let (mut id, mut mapping_id) = (0u64, 0u64);
    while !r.at_end() {
        let at = r.offset();
        let (num, v) = r.field()?;
        match num {
            1 => id = int(v, at)?,
            2 => mapping_id = int(v, at)?,
            3 | 5 => {
                int(v, at)?;
            }
            4 => {
                let (lb, lat) = bytes(v, at)?;
                let mut lr = Reader::new(lb, lat);
                let mut func = 0u64;
                while !lr.at_end() {
                    let lat = lr.offset();
                    let (n, lv) = lr.field()?;
                    match n {
                        1 => func = int(lv, lat)?,
                        2 => {
                            int(lv, lat)?;
                        }
                        _ => {}
                    }
                }
                p.line_funcs.push(func);
            }
            _ => {}
        }
    }
    p.locations.push(RawLocation {
        id,
        mapping_id,
        lines_end: p.line_funcs.len(),
    });
    Ok(())
}

fn function(p: &mut Decoded, b: &[u8], at: usize) -> Result<(), DecodeError> {
    let mut r = Reader::new(b, at);
    let (mut id, mut name, mut system_name, mut filename) = (0u64, 0i64, 0i64, 0i64);
    while !r.at_end() {
        let at = r.offset();
        let (num, v) = r.field()?;
        match num {
            1 => id = int(v, at)?,
            2 => name = int(v, at)? as i64,
            3 => system_name = int(v, at)? as i64,
            4 => filename = int(v, at)? as i64,
            5 => {
                int(v, at)?;
            }
            _ => {}
        }
    }
    p.string_ref(name);
    p.string_ref(system_name);
    p.string_ref(filename);
    p.functions.push(RawFunction { id, name, filename });
    Ok(())
}
