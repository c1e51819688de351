//! Streaming over a profile's sample messages: each sample's location-id
//! field and chosen value, with every other part checked as pprof would
//! (value count, label string indices, wire format).

use crate::decode::label;
use crate::error::{DecodeError, Error};
use crate::profile::Profile;
use crate::quick::{self, FoldIds, Quick};
use crate::wire::{Reader, Value, bytes, repeated};

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

    /// Reads the next sample by the fast path (see `quick.rs`), if it is
    /// of the usual shape and well-formed: `None` otherwise (then
    /// [`Self::next_sample`] reads it), and after the last sample.
    #[inline(always)]
    pub(crate) fn next_quick(&mut self, ids: &impl FoldIds) -> Option<Quick> {
        let (msg, at) = self.profile.sample(self.next)?;
        let (mut lo, mut hi) = (self.str_lo, self.str_hi);
        let q = quick::sample(msg, at, self.index, ids, &mut lo, &mut hi)?;
        if q.values != self.profile.sample_types.len() {
            return None;
        }
        (self.str_lo, self.str_hi) = (lo, hi);
        self.next += 1;
        Some(q)
    }

    /// Decodes the next sample, handing each location-id field to
    /// `on_ids`; returns its chosen value, or `None` after the last sample.
    #[inline(always)]
    pub(crate) fn next_sample(
        &mut self,
        mut on_ids: impl FnMut(Value<'a>) -> Result<(), DecodeError>,
    ) -> Result<Option<i64>, Error> {
        let Some((msg, at)) = self.profile.sample(self.next) else {
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
        if self.str_lo < 0 || self.str_hi >= self.profile.t.strings.len() as i64 {
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
