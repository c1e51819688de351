//! Streaming over a profile's sample messages: each sample's location-id
//! field and chosen value, with every other part checked as pprof would
//! (value count, label string indices, wire format). Also the fast fold of
//! a stack's location ids into filter bits.

use crate::decode::label;
use crate::error::{DecodeError, Error};
use crate::profile::Profile;
use crate::wire::{Reader, Value, bytes, repeated};

/// Bit 31 of an [`IdMasks`] entry: the id names a location. Entries are
/// 32 bits (up to 31 patterns) so that the table stays in the L1 cache
/// longer.
pub(crate) const VALID: u32 = 1 << 31;

pub(crate) fn unknown_location() -> Error {
    Error::Invalid("a sample has an unknown location id".into())
}

/// Iterates samples, yielding each one's location ids (as the raw field
/// values) and its value at the chosen index.
pub(crate) struct SampleSums<'p, 'a> {
    profile: &'p Profile<'a>,
    index: usize,
    next: usize,
    /// The running total, kept by the caller.
    pub total: i128,
    str_lo: i64,
    str_hi: i64,
}

impl<'p, 'a> SampleSums<'p, 'a> {
    pub(crate) fn new(profile: &'p Profile<'a>, index: usize) -> Self {
        SampleSums {
            profile,
            index,
            next: 0,
            total: 0,
            str_lo: 0,
            str_hi: 0,
        }
    }

    /// Decodes the next sample, handing each location-id field to
    /// `on_ids`; returns its chosen value, or `None` after the last sample.
    #[inline(always)]
    pub(crate) fn next_sample(
        &mut self,
        mut on_ids: impl FnMut(Value<'a>) -> Result<(), DecodeError>,
    ) -> Result<Option<i64>, Error> {
        let Some(&(msg, at)) = self.profile.samples.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        let (mut nvals, mut value) = (0usize, 0i64);
        let mut r = Reader::new(msg, at);
        while !r.at_end() {
            let fat = r.offset();
            let (num, v) = r.field()?;
            match num {
                1 => {
                    if let Value::Fixed = v {
                        return Err(type_mismatch(fat));
                    }
                    on_ids(v)?;
                }
                2 => repeated(v, fat, |x| {
                    if nvals == self.index {
                        value = x as i64;
                    }
                    nvals += 1;
                    Ok(())
                })?,
                3 => {
                    let (b, bat) = bytes(v, fat)?;
                    label(b, bat, &mut self.str_lo, &mut self.str_hi)?;
                }
                _ => {}
            }
        }
        let nst = self.profile.sample_types.len();
        if nvals != nst {
            return Err(Error::Invalid(format!(
                "mismatch: sample has {nvals} values vs. {nst} types"
            )));
        }
        Ok(Some(value))
    }

    /// The total, once label string indices are checked.
    pub(crate) fn finish(self) -> Result<i128, Error> {
        if self.str_lo < 0 || self.str_hi >= self.profile.strings.len() as i64 {
            return Err(Error::Invalid("label string index out of range".into()));
        }
        Ok(self.total)
    }
}

fn type_mismatch(offset: usize) -> Error {
    Error::Decode(DecodeError {
        offset,
        problem: crate::error::Problem::TypeMismatch,
    })
}

/// The table entry of location `l`: its pattern bits and [`VALID`].
fn entry(masks: &[u64], l: u32) -> u32 {
    masks.get(l as usize).map_or(0, |&m| m as u32) | VALID
}

/// Ids below this (those of one- and two-byte varints) are looked up in a
/// flat table.
const FLAT: usize = 1 << 14;

/// Filter bits of every location, indexed by location id (in a flat table
/// for ids below [`FLAT`]; larger ids go through the profile's index).
pub(crate) struct IdMasks<'p, 'a> {
    flat: Box<[u32; FLAT]>,
    profile: &'p Profile<'a>,
    masks: &'p [u64],
}

impl<'p, 'a> IdMasks<'p, 'a> {
    /// `masks` holds at most one word per location (none without filters),
    /// with bits above 30 clear.
    pub(crate) fn new(profile: &'p Profile<'a>, masks: &'p crate::filter::Masks) -> Self {
        let masks = masks.words_one();
        let mut flat = Box::new([0u32; FLAT]);
        for (id, m) in flat.iter_mut().enumerate() {
            *m = profile
                .location_ids
                .get(id as u64)
                .map_or(0, |l| entry(masks, l));
        }
        IdMasks {
            flat,
            profile,
            masks,
        }
    }

    #[inline(always)]
    fn mask(&self, id: u64) -> u32 {
        match self.flat.get(id as usize) {
            Some(&m) => m,
            None => self.mask_large(id),
        }
    }

    #[inline(never)]
    fn mask_large(&self, id: u64) -> u32 {
        self.profile
            .location_ids
            .get(id)
            .map_or(0, |l| entry(self.masks, l))
    }

    /// For one location-id field: the number of ids, the OR of their masks,
    /// and the AND (whose [`VALID`] bit says whether every id was known).
    #[inline(always)]
    pub(crate) fn fold(&self, v: Value<'_>) -> Result<(usize, u32, u32), DecodeError> {
        let (mut n, mut or, mut and) = (0usize, 0u32, VALID);
        match v {
            Value::Bytes(b, at) => {
                let mut i = 0;
                // Eight bytes at a time: every varint that ends inside them
                // is found from the bytes with the high bit clear, so that
                // finding the next one does not wait on the last one's bytes.
                while let Some(chunk) = b[i..].first_chunk::<8>() {
                    let w = u64::from_le_bytes(*chunk);
                    let mut ends = !w & 0x8080_8080_8080_8080;
                    if ends == 0 {
                        // A varint longer than eight bytes, or a bad one.
                        let mut r = Reader::new(&b[i..], at + i);
                        let m = self.mask(r.varint()?);
                        i = r.offset() - at;
                        (or, and, n) = (or | m, and & m, n + 1);
                        continue;
                    }
                    let mut start = 0;
                    while ends != 0 {
                        let stop = ends.trailing_zeros() + 1;
                        let x = w >> start;
                        let bits = stop - start;
                        let m = if bits <= 16 {
                            // One or two bytes, without a branch on which.
                            let two = u64::from(bits >> 4).wrapping_neg();
                            self.flat[((x & 0x7f) | (x >> 1) & 0x3f80 & two) as usize]
                        } else {
                            self.mask(long_varint(x, bits))
                        };
                        (or, and, n) = (or | m, and & m, n + 1);
                        start = stop;
                        ends &= ends - 1;
                    }
                    i += start as usize / 8;
                }
                while i < b.len() {
                    let mut r = Reader::new(&b[i..], at + i);
                    let m = self.mask(r.varint()?);
                    i = r.offset() - at;
                    (or, and, n) = (or | m, and & m, n + 1);
                }
            }
            v => repeated(v, 0, |id| {
                let m = self.mask(id);
                or |= m;
                and &= m;
                n += 1;
                Ok(())
            })?,
        }
        Ok((n, or, and))
    }
}

/// The value of a varint of `bits / 8` bytes (three to eight) at the
/// bottom of `x`.
#[cold]
fn long_varint(x: u64, bits: u32) -> u64 {
    (0..bits / 8).fold(0, |v, k| v | (x >> (8 * k) & 0x7f) << (7 * k))
}
