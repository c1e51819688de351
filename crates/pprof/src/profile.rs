//! A decoded profile with ids resolved to table indices, checked with the
//! same rules as google/pprof's `Parse` + `CheckValid`. Samples are checked
//! as they are streamed (see `filter.rs`).

use std::collections::HashMap;

use crate::decode::{Decoded, RawFunction, RawMapping, decode};
use crate::error::Error;

/// A profile.proto message borrowing its decompressed bytes.
///
/// Parsing decodes and checks everything but the samples, which
/// [`Profile::total`] decodes and checks in one streaming pass.
pub struct Profile<'a> {
    pub(crate) sample_types: Vec<&'a [u8]>,
    default_sample_type: &'a [u8],
    /// Each sample message's bytes and their offset in the profile.
    pub(crate) samples: Vec<(&'a [u8], usize)>,
    /// Location id to location index.
    pub(crate) location_ids: IdIndex,
    /// Per location: mapping index (if any) and the end of its lines.
    pub(crate) locations: Vec<(Option<u32>, usize)>,
    /// Function *indices* of every location's lines, concatenated.
    pub(crate) line_funcs: Vec<u32>,
    pub(crate) functions: Vec<RawFunction>,
    pub(crate) mappings: Vec<RawMapping>,
    pub(crate) strings: Vec<&'a [u8]>,
}

impl<'a> Profile<'a> {
    /// Decodes an uncompressed profile.proto message and checks everything
    /// except the samples' contents.
    pub fn parse(data: &'a [u8]) -> Result<Self, Error> {
        if data.is_empty() {
            return Err(Error::Empty);
        }
        resolve(decode(data)?)
    }

    /// The value index apshuffle sums: the first sample type named `want`,
    /// or when `want` is empty the first named like the profile's
    /// `default_sample_type`; index 0 when nothing matches.
    pub fn sample_index(&self, want: &str) -> usize {
        let want = if want.is_empty() {
            self.default_sample_type
        } else {
            want.as_bytes()
        };
        self.sample_types
            .iter()
            .position(|t| *t == want)
            .unwrap_or(0)
    }

    /// Whether the profile has a sample type named `want`.
    pub fn has_sample_type(&self, want: &str) -> bool {
        self.sample_types.contains(&want.as_bytes())
    }

    /// The names of the profile's sample types, in order.
    pub fn sample_type_names(&self) -> Vec<String> {
        self.sample_types
            .iter()
            .map(|t| String::from_utf8_lossy(t).into_owned())
            .collect()
    }

    /// The string at a checked string-table index.
    pub(crate) fn string(&self, idx: i64) -> &'a [u8] {
        self.strings[idx as usize]
    }
}

/// Maps ids to table indices: dense for ids up to the table size (as Go's
/// runtime writes them), hashed above.
pub(crate) struct IdIndex {
    dense: Vec<u32>,
    sparse: HashMap<u64, u32>,
}

const NONE: u32 = u32::MAX;

impl IdIndex {
    fn build(ids: impl ExactSizeIterator<Item = u64>, kind: &str) -> Result<Self, Error> {
        let n = ids.len();
        let mut idx = IdIndex {
            dense: vec![NONE; n + 1],
            sparse: HashMap::new(),
        };
        for (i, id) in ids.enumerate() {
            if id == 0 {
                return Err(Error::Invalid(format!("found {kind} with reserved id 0")));
            }
            let slot = if id <= n as u64 {
                &mut idx.dense[id as usize]
            } else {
                idx.sparse.entry(id).or_insert(NONE)
            };
            if *slot != NONE {
                return Err(Error::Invalid(format!("multiple {kind}s with id {id}")));
            }
            *slot = i as u32;
        }
        Ok(idx)
    }

    /// The index of the entry with this id.
    #[inline]
    pub(crate) fn get(&self, id: u64) -> Option<u32> {
        let i = match self.dense.get(id as usize) {
            Some(&i) => i,
            None => *self.sparse.get(&id)?,
        };
        (i != NONE).then_some(i)
    }
}

fn resolve(d: Decoded<'_>) -> Result<Profile<'_>, Error> {
    if d.str_lo < 0 || d.str_hi >= d.strings.len() as i64 {
        return Err(Error::Invalid(format!(
            "string index out of range (string table has {} entries)",
            d.strings.len()
        )));
    }
    if u32::try_from(
        d.locations
            .len()
            .max(d.functions.len())
            .max(d.mappings.len()),
    )
    .is_err()
    {
        return Err(Error::Invalid("too many table entries".into()));
    }
    if d.sample_types.is_empty() && !d.samples.is_empty() {
        return Err(Error::Invalid("missing sample type information".into()));
    }
    let maps = IdIndex::build(d.mappings.iter().map(|m| m.id), "mapping")?;
    let funcs = IdIndex::build(d.functions.iter().map(|f| f.id), "function")?;
    let location_ids = IdIndex::build(d.locations.iter().map(|l| l.id), "location")?;
    let line_funcs = d
        .line_funcs
        .iter()
        .map(|&f| {
            funcs.get(f).ok_or_else(|| {
                Error::Invalid(format!(
                    "a location has a line with unknown function id {f}"
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let locations = d
        .locations
        .iter()
        .map(|l| (maps.get(l.mapping_id), l.lines_end))
        .collect();
    let strings = d.strings;
    Ok(Profile {
        sample_types: d
            .sample_types
            .iter()
            .map(|&t| strings[t as usize])
            .collect(),
        default_sample_type: strings[d.default_sample_type as usize],
        samples: d.samples,
        location_ids,
        locations,
        line_funcs,
        functions: d.functions,
        mappings: d.mappings,
        strings,
    })
}
