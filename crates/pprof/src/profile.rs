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
    /// Whether the ids are 1, 2, ... in table order (id `i + 1` at index
    /// `i`), as Go's runtime writes them.
    ordered: bool,
}

const NONE: u32 = u32::MAX;

impl IdIndex {
    /// Indexes `ids`, in `dense` (emptied first, its memory kept).
    fn build(
        ids: impl ExactSizeIterator<Item = u64> + Clone,
        kind: &str,
        mut dense: Vec<u32>,
    ) -> Result<Self, Error> {
        dense.clear();
        if (ids.clone().zip(1..)).all(|(id, want)| id == want) {
            // No id is 0 or repeated: the index needs no checks.
            dense.push(NONE);
            dense.extend(0..ids.len() as u32);
            // Fuzzing (with debug assertions) checks this against the
            // general way on every input.
            debug_assert!(
                Self::build_any(ids.clone(), kind, Vec::new()).is_ok_and(|g| g.dense == dense),
                "the index of ordered ids disagrees"
            );
            return Ok(IdIndex {
                dense,
                sparse: HashMap::new(),
                ordered: true,
            });
        }
        Self::build_any(ids, kind, dense)
    }

    /// [`Self::build`] for ids in any order.
    fn build_any(
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
            ordered: false,
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

    /// Replaces every id in `ids` by its index, in `out` (emptied first);
    /// `None` if some id has no entry.
    fn map_into(&self, ids: &[u64], out: &mut Vec<u32>) -> Option<()> {
        out.clear();
        if self.ordered {
            // Index `id - 1` for ids 1 to n, and no entry for the others
            // (0 wraps around).
            let n = (self.dense.len() - 1) as u64;
            out.extend(ids.iter().map(|&id| id.wrapping_sub(1) as u32));
            let known = ids.iter().all(|&id| id.wrapping_sub(1) < n);
            debug_assert!(
                !known
                    || ids
                        .iter()
                        .zip(&*out)
                        .all(|(&id, &i)| self.get(id) == Some(i)),
                "mapping ordered ids disagrees"
            );
            debug_assert!(known || ids.iter().any(|&id| self.get(id).is_none()));
            return known.then_some(());
        }
        for &id in ids {
            out.push(self.get(id)?);
        }
        Some(())
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
    if funcs.map_into(&d.line_funcs, &mut line_funcs).is_none() {
        let f = d.line_funcs.iter().find(|&&f| funcs.get(f).is_none());
        return Err(Error::Invalid(format!(
            "a location has a line with unknown function id {}",
            f.copied().unwrap_or_default()
        )));
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

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::proto::{Function, Line, Location, Profile as Proto};

    fn index(ids: &[u64]) -> Result<IdIndex, String> {
        IdIndex::build(ids.iter().copied(), "function", vec![7; 3]).map_err(|e| e.to_string())
    }

    /// Every id finds its index and no other id finds one, whatever the
    /// order of the ids; `map_into` agrees with `get`.
    #[test]
    fn ids_in_any_order_find_their_index() {
        let cases: [&[u64]; 6] = [
            &[],
            &[1, 2, 3, 4],
            &[2, 1, 3, 4],
            &[1, 2, 3, 9],
            &[5, 1000, 3],
            &[1, 2, 4, 3],
        ];
        for ids in cases {
            let idx = index(ids).unwrap();
            assert_eq!(idx.ordered, ids.iter().zip(1..).all(|(&a, b)| a == b));
            for (i, &id) in ids.iter().enumerate() {
                assert_eq!(idx.get(id), Some(i as u32), "{ids:?}");
            }
            let others = [0, ids.len() as u64 + 1, 6, 999, 1001, u64::MAX].into_iter();
            for id in others.filter(|id| !ids.contains(id)) {
                assert_eq!(idx.get(id), None, "{ids:?} {id}");
            }
            let mut out = vec![9];
            assert_eq!(idx.map_into(ids, &mut out), Some(()));
            assert_eq!(out, (0..ids.len() as u32).collect::<Vec<_>>());
            for bad in [0, ids.len() as u64 + 1, 6, u64::MAX, 1 << 32 | 1] {
                if !ids.contains(&bad) {
                    let with_bad = [ids, &[bad]].concat();
                    assert_eq!(idx.map_into(&with_bad, &mut out), None, "{ids:?} {bad}");
                }
            }
        }
    }

    #[test]
    fn zero_and_repeated_ids_are_errors() {
        for (ids, want) in [
            (&[1, 0, 3][..], "found function with reserved id 0"),
            (&[0], "found function with reserved id 0"),
            (&[1, 2, 2], "multiple functions with id 2"),
            (&[1, 1], "multiple functions with id 1"),
            (&[9, 5, 9], "multiple functions with id 9"),
        ] {
            let err = index(ids).err().unwrap_or_default();
            assert!(err.contains(want), "{ids:?}: {err}");
        }
    }

    /// A profile with functions and locations of ids `ids` (in this order),
    /// location `i`'s line calling function `calls[i]`.
    fn profile(ids: &[u64], calls: &[u64]) -> Vec<u8> {
        let mut p = Proto::default();
        p.intern("");
        let name = p.intern("f");
        for (&id, &call) in ids.iter().zip(calls) {
            p.function.push(Function {
                id,
                name,
                ..Default::default()
            });
            p.location.push(Location {
                id,
                line: vec![Line {
                    function_id: call,
                    ..Default::default()
                }],
                ..Default::default()
            });
        }
        p.encode_to_vec()
    }

    /// Unknown function ids in lines are named in the error, ids in order
    /// or not.
    #[test]
    fn unknown_function_ids_are_named() {
        for (ids, calls, bad) in [
            (&[1, 2, 3][..], &[3, 4, 1][..], Some(4)),
            (&[1, 2, 3], &[3, 1, 0], Some(0)),
            (&[3, 1, 2], &[3, 1, 2], None),
            (&[3, 1, 2], &[1, 9, 2], Some(9)),
            (&[1, 2, 3], &[2, 3, 1], None),
        ] {
            let data = profile(ids, calls);
            let got = Profile::parse(&data).err().map(|e| e.to_string());
            let want = bad.map(|f| format!("unknown function id {f}"));
            assert_eq!(got.is_some(), want.is_some(), "{ids:?} {calls:?}: {got:?}");
            if let (Some(got), Some(want)) = (got, want) {
                assert!(got.contains(&want), "{got}");
            }
            if bad.is_none() {
                let p = Profile::parse(&data).unwrap();
                // Each line's function index holds the function it calls.
                for (l, &call) in calls.iter().enumerate() {
                    let f = p.line_funcs[l] as usize;
                    assert_eq!(p.t.functions[f].id, call);
                    assert_eq!(p.location_ids.get(ids[l]), Some(l as u32));
                }
            }
        }
    }
}
