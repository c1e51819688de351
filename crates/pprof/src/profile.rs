//! A decoded profile with ids resolved to table indices, checked with the
//! same rules as google/pprof's `Parse` + `CheckValid`. Samples are checked
//! as they are streamed (see `filter.rs`). Each thread keeps the tables of
//! the profile it read last and reads the next one into them, so that
//! reading profile after profile allocates (and faults in) no new memory.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::decode::{Decoded, decode};
use crate::error::Error;

/// A profile.proto message borrowing its decompressed bytes.
///
/// Parsing decodes and checks everything but the samples, which
/// [`Profile::total`] decodes and checks in one streaming pass.
pub struct Profile<'a> {
    pub(crate) sample_types: Vec<&'a [u8]>,
    default_sample_type: &'a [u8],
    /// The decoded tables: samples and strings as places in `data`,
    /// functions and mappings (with ids not yet resolved).
    pub(crate) t: Decoded,
    /// Location id to location index.
    pub(crate) location_ids: IdIndex,
    /// Per location: mapping index (if any) and the end of its lines.
    pub(crate) locations: Vec<(Option<u32>, usize)>,
    /// Function *indices* of every location's lines, concatenated.
    pub(crate) line_funcs: Vec<u32>,
    /// The decompressed message.
    pub(crate) data: &'a [u8],
}

/// The tables of a profile, kept for the next one read on this thread.
#[derive(Default)]
struct Spare {
    decoded: Decoded,
    locations: Vec<(Option<u32>, usize)>,
    line_funcs: Vec<u32>,
    location_ids: Vec<u32>,
    function_ids: Vec<u32>,
}

thread_local! {
    static SPARE: RefCell<Spare> = RefCell::default();
}

impl Drop for Profile<'_> {
    fn drop(&mut self) {
        SPARE.with(|s| {
            let mut s = s.borrow_mut();
            s.decoded = std::mem::take(&mut self.t);
            s.locations = std::mem::take(&mut self.locations);
            s.line_funcs = std::mem::take(&mut self.line_funcs);
            s.location_ids = std::mem::take(&mut self.location_ids.dense);
        });
    }
}

impl<'a> Profile<'a> {
    /// Decodes an uncompressed profile.proto message and checks everything
    /// except the samples' contents.
    pub fn parse(data: &'a [u8]) -> Result<Self, Error> {
        if data.is_empty() {
            return Err(Error::Empty);
        }
        let mut spare = SPARE.with(|s| std::mem::take(&mut *s.borrow_mut()));
        let result = decode(data, &mut spare.decoded)
            .map_err(Error::from)
            .and_then(|()| resolve(data, &mut spare));
        // What the profile did not take (all of it after an error) stays
        // for the next one; the rest comes back when it is dropped.
        SPARE.with(|s| *s.borrow_mut() = spare);
        result
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
        let (start, end) = self.t.strings[idx as usize];
        &self.data[start..end]
    }

    /// A sample message's bytes and their offset in the profile.
    #[inline]
    pub(crate) fn sample(&self, i: usize) -> Option<(&'a [u8], usize)> {
        let &(start, end) = self.t.samples.get(i)?;
        Some((&self.data[start..end], start))
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
    /// Indexes `ids`, in `dense` (emptied first, its memory kept).
    fn build(
        ids: impl ExactSizeIterator<Item = u64>,
        kind: &str,
        mut dense: Vec<u32>,
    ) -> Result<Self, Error> {
        let n = ids.len();
        dense.clear();
        dense.resize(n + 1, NONE);
        let mut idx = IdIndex {
            dense,
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

fn resolve<'a>(data: &'a [u8], spare: &mut Spare) -> Result<Profile<'a>, Error> {
    let d = &spare.decoded;
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
    let maps = IdIndex::build(d.mappings.iter().map(|m| m.id), "mapping", Vec::new())?;
    let funcs = IdIndex::build(
        d.functions.iter().map(|f| f.id),
        "function",
        std::mem::take(&mut spare.function_ids),
    )?;
    let location_ids = IdIndex::build(
        d.locations.iter().map(|l| l.id),
        "location",
        std::mem::take(&mut spare.location_ids),
    )?;
    let mut line_funcs = std::mem::take(&mut spare.line_funcs);
    line_funcs.clear();
    for &f in &d.line_funcs {
        line_funcs.push(funcs.get(f).ok_or_else(|| {
            Error::Invalid(format!(
                "a location has a line with unknown function id {f}"
            ))
        })?);
    }
    spare.function_ids = funcs.dense;
    let mut locations = std::mem::take(&mut spare.locations);
    locations.clear();
    locations.extend(
        d.locations
            .iter()
            .map(|l| (maps.get(l.mapping_id), l.lines_end)),
    );
    let string = |i: i64| {
        let (start, end) = d.strings[i as usize];
        &data[start..end]
    };
    Ok(Profile {
        sample_types: d.sample_types.iter().map(|&t| string(t)).collect(),
        default_sample_type: string(d.default_sample_type),
        t: std::mem::take(&mut spare.decoded),
        location_ids,
        locations,
        line_funcs,
        data,
    })
}
