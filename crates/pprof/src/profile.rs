//! A decoded, validated profile: ids resolved to table indices, with the
//! same acceptance rules as google/pprof's `Parse` + `CheckValid`.

use std::collections::HashMap;

use crate::decode::{Decoded, RawFunction, RawMapping, SampleEnd, decode};
use crate::error::Error;

/// A validated profile.proto message borrowing its decompressed bytes.
///
/// It keeps what summing and filtering need: sample values, each sample's
/// stack as location indices, each location's functions and mapping, and
/// the string table.
pub struct Profile<'a> {
    pub(crate) sample_types: Vec<&'a [u8]>,
    default_sample_type: &'a [u8],
    pub(crate) values: Vec<i64>,
    /// Location *indices* (not ids) of every sample's stack, concatenated.
    pub(crate) locs: Vec<u64>,
    pub(crate) samples: Vec<SampleEnd>,
    /// Per location: mapping index (if any) and the end of its lines.
    pub(crate) locations: Vec<(Option<u32>, usize)>,
    /// Function *indices* of every location's lines, concatenated.
    pub(crate) line_funcs: Vec<u64>,
    pub(crate) functions: Vec<RawFunction>,
    pub(crate) mappings: Vec<RawMapping>,
    strings: Vec<&'a [u8]>,
}

impl<'a> Profile<'a> {
    /// Decodes and validates an uncompressed profile.proto message.
    pub fn parse(data: &'a [u8]) -> Result<Self, Error> {
        if data.is_empty() {
            return Err(Error::Empty);
        }
        validate(decode(data)?)
    }

    /// Number of samples.
    pub fn sample_count(&self) -> usize {
        self.samples.len()
    }

    /// The sample types' names, in value order.
    pub fn sample_types(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.sample_types.iter().copied()
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

    /// The string at a validated string-table index.
    pub(crate) fn string(&self, idx: i64) -> &'a [u8] {
        self.strings[idx as usize]
    }
}

/// Maps ids to table indices: dense for ids up to the table size (as Go's
/// runtime writes them), hashed above.
struct IdIndex {
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

    #[inline]
    fn get(&self, id: u64) -> Option<u32> {
        let i = match self.dense.get(id as usize) {
            Some(&i) => i,
            None => *self.sparse.get(&id)?,
        };
        (i != NONE).then_some(i)
    }
}

fn validate(d: Decoded<'_>) -> Result<Profile<'_>, Error> {
    if d.str_lo < 0 || d.str_hi >= d.strings.len() as i64 {
        return Err(Error::Invalid(format!(
            "string index out of range (string table has {} entries)",
            d.strings.len()
        )));
    }
    if u32::try_from(d.locations.len().max(d.functions.len()).max(d.mappings.len())).is_err() {
        return Err(Error::Invalid("too many table entries".into()));
    }
    let nst = d.sample_types.len();
    if nst == 0 && !d.samples.is_empty() {
        return Err(Error::Invalid("missing sample type information".into()));
    }
    let mut prev = 0;
    for s in &d.samples {
        if s.values - prev != nst {
            return Err(Error::Invalid(format!(
                "mismatch: sample has {} values vs. {nst} types",
                s.values - prev
            )));
        }
        prev = s.values;
    }

    let maps = IdIndex::build(d.mappings.iter().map(|m| m.id), "mapping")?;
    let funcs = IdIndex::build(d.functions.iter().map(|f| f.id), "function")?;
    let locs = IdIndex::build(d.locations.iter().map(|l| l.id), "location")?;

    let mut line_funcs = d.line_funcs;
    for f in &mut line_funcs {
        match funcs.get(*f) {
            Some(i) => *f = u64::from(i),
            None => {
                return Err(Error::Invalid(format!(
                    "a location has a line with unknown function id {f}"
                )));
            }
        }
    }
    let locations = d
        .locations
        .iter()
        .map(|l| (maps.get(l.mapping_id), l.lines_end))
        .collect();
    let mut sample_locs = d.locs;
    for l in &mut sample_locs {
        match locs.get(*l) {
            Some(i) => *l = u64::from(i),
            None => {
                return Err(Error::Invalid(format!(
                    "a sample has unknown location id {l}"
                )));
            }
        }
    }
    let strings = d.strings;
    Ok(Profile {
        sample_types: d
            .sample_types
            .iter()
            .map(|&t| strings[t as usize])
            .collect(),
        default_sample_type: strings[d.default_sample_type as usize],
        values: d.values,
        locs: sample_locs,
        samples: d.samples,
        locations,
        line_funcs,
        functions: d.functions,
        mappings: d.mappings,
        strings,
    })
}
