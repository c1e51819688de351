//! Summing one sample value over the samples that pass `-focus`/`-ignore`,
//! with the semantics of google/pprof's `FilterSamplesByName` applied once
//! for the ignore pattern and once per focus pattern: a location matches a
//! pattern when the name or source file of any of its lines' functions, or
//! its mapping's file, matches. Each function and mapping is matched once;
//! samples are then decoded and checked in one streaming pass.

use crate::error::Error;
use crate::ids::{Entry, IdMasks, UNKNOWN};
use crate::profile::Profile;
use crate::samples::{SampleSums, unknown_location};
use crate::strmatch::StringMasks;
use crate::wire::repeated;
use gocompat::re2::Pattern;

/// Sample filters: every focus pattern must match some location of a
/// sample, and the ignore pattern none of them.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Patterns that must each match at least one location (AND).
    pub focus: Vec<Pattern>,
    /// Pattern that must match no location.
    pub ignore: Option<Pattern>,
}

impl Filter {
    /// True when no pattern is set, so every sample is kept.
    pub fn is_empty(&self) -> bool {
        self.focus.is_empty() && self.ignore.is_none()
    }

    /// All patterns, ignore first, cloned so that this thread gets its own
    /// match caches (a shared `Regex` is slower on other threads).
    fn patterns(&self) -> Vec<Pattern> {
        self.ignore.iter().chain(&self.focus).cloned().collect()
    }
}

/// Pattern bits, `words` u64s per row (one row per function, mapping or
/// location).
pub(crate) struct Masks {
    words: usize,
    bits: Vec<u64>,
}

impl Masks {
    pub(crate) fn words(&self) -> usize {
        self.words
    }

    /// The bits when rows are at most one word (empty without patterns).
    pub(crate) fn words_one(&self) -> &[u64] {
        debug_assert!(self.words <= 1);
        &self.bits
    }

    /// [`Self::words_one`], to write.
    pub(crate) fn words_one_mut(&mut self) -> &mut [u64] {
        debug_assert!(self.words <= 1);
        &mut self.bits
    }

    pub(crate) fn new(words: usize, rows: usize) -> Self {
        Masks {
            words,
            bits: crate::reuse::zeroed(words * rows),
        }
    }

    #[inline]
    pub(crate) fn row(&self, i: usize) -> &[u64] {
        &self.bits[i * self.words..(i + 1) * self.words]
    }

    #[inline]
    pub(crate) fn row_mut(&mut self, i: usize) -> &mut [u64] {
        &mut self.bits[i * self.words..(i + 1) * self.words]
    }
}

impl Drop for Masks {
    fn drop(&mut self) {
        crate::reuse::recycle(std::mem::take(&mut self.bits));
    }
}

impl Profile<'_> {
    /// Sum of value `index` over the samples that `filter` keeps, exactly
    /// (no overflow). Decodes the samples, so it fails on malformed ones
    /// as google/pprof would (bad wire data, a value count that differs
    /// from the number of sample types, an unknown location id, a label
    /// string index out of range).
    pub fn total(&self, index: usize, filter: &Filter) -> Result<i128, Error> {
        let patterns = filter.patterns();
        let patterns: Vec<&Pattern> = patterns.iter().collect();
        let words = patterns.len().div_ceil(64);
        let masks = self.location_masks(&patterns, words);
        let mut want = vec![0u64; words];
        for p in usize::from(filter.ignore.is_some())..patterns.len() {
            want[p / 64] |= 1 << (p % 64);
        }
        let keep = |n: usize, acc: &[u64]| {
            filter.is_empty()
                || (n > 0
                    && !(filter.ignore.is_some() && acc[0] & 1 != 0)
                    && acc.iter().zip(&want).all(|(a, w)| a & w == *w))
        };
        let mut sums = SampleSums::new(self, index);
        if patterns.len() < 32 {
            // `keep` for the one word of bits that up to 31 patterns need.
            let want = want.first().copied().unwrap_or(0);
            let (empty, ignore) = (filter.is_empty(), u64::from(filter.ignore.is_some()));
            // Without short circuits: whether a sample is kept is data, and
            // a branch on it would be mispredicted often.
            let keep =
                |any: bool, bits: u64| empty | (any & (bits & ignore == 0) & (bits & want == want));
            if patterns.len() < 8 {
                self.sum_by_table::<u8>(&mut sums, &masks, keep)?;
            } else {
                self.sum_by_table::<u32>(&mut sums, &masks, keep)?;
            }
        } else {
            let mut acc = vec![0u64; words];
            loop {
                acc.fill(0);
                let mut n = 0;
                let mut unknown = false;
                let Some(value) = sums.next_sample(|v| {
                    repeated(v, 0, |id| {
                        match self.location_ids.get(id) {
                            Some(l) => {
                                for (a, m) in acc.iter_mut().zip(masks.row(l as usize)) {
                                    *a |= m;
                                }
                            }
                            None => unknown = true,
                        }
                        n += 1;
                        Ok(())
                    })
                })?
                else {
                    break;
                };
                if unknown {
                    return Err(unknown_location());
                }
                if keep(n, &acc) {
                    sums.total += i128::from(value);
                }
            }
        }
        sums.finish()
    }

    /// Adds up the kept samples' values with one table entry per location
    /// (for up to 31 patterns): see `ids.rs`.
    fn sum_by_table<E: Entry>(
        &self,
        sums: &mut SampleSums<'_, '_>,
        masks: &Masks,
        keep: impl Fn(bool, u64) -> bool,
    ) -> Result<(), Error> {
        let table = IdMasks::<E>::new(self, masks.words_one());
        loop {
            if let Some(q) = sums.next_quick(&table) {
                if q.or & UNKNOWN != 0 {
                    return Err(unknown_location());
                }
                let kept = i64::from(keep(q.any, u64::from(q.or >> 1)));
                sums.total += i128::from(q.value & -kept);
                continue;
            }
            let (mut n, mut acc) = (0, 0);
            let Some(value) = sums.next_sample(|v| {
                let (any, or) = table.fold(v)?;
                (n, acc) = (n + usize::from(any), acc | or);
                Ok(())
            })?
            else {
                break;
            };
            if acc & UNKNOWN != 0 {
                return Err(unknown_location());
            }
            if keep(n > 0, u64::from(acc >> 1)) {
                sums.total += i128::from(value);
            }
        }
        table.done();
        Ok(())
    }

    /// One pattern bit set per location, from per-string matches computed
    /// once each (functions often share a file name).
    fn location_masks(&self, patterns: &[&Pattern], words: usize) -> Masks {
        if words == 0 {
            return Masks::new(0, 0);
        }
        let mut strings = StringMasks::new(self.data, &self.t.strings, patterns, words);
        if words == 1 {
            let locs = self.location_masks_one(&mut strings, patterns);
            // Fuzzing (with debug assertions) checks the one-word masks
            // against the general ones on every input.
            #[cfg(debug_assertions)]
            {
                let mut strings = StringMasks::new(self.data, &self.t.strings, patterns, 1);
                let general = self.location_masks_any(&mut strings, patterns, 1);
                debug_assert!(general.bits == locs.bits, "the one-word masks disagree");
            }
            return locs;
        }
        self.location_masks_any(&mut strings, patterns, words)
    }

    /// [`Self::location_masks`] for any number of words per row.
    fn location_masks_any(
        &self,
        strings: &mut StringMasks<'_>,
        patterns: &[&Pattern],
        words: usize,
    ) -> Masks {
        let mut funcs = Masks::new(words, self.t.functions.len());
        for (i, f) in self.t.functions.iter().enumerate() {
            for idx in [f.name, f.filename] {
                let m = strings.get(idx as usize, patterns);
                for (r, m) in funcs.row_mut(i).iter_mut().zip(m) {
                    *r |= m;
                }
            }
        }
        let mut locs = Masks::new(words, self.locations.len());
        let mut start = 0;
        for (i, &(mapping, end)) in self.locations.iter().enumerate() {
            for &f in &self.line_funcs[start..end] {
                for (r, m) in locs.row_mut(i).iter_mut().zip(funcs.row(f as usize)) {
                    *r |= m;
                }
            }
            if let Some(m) = mapping {
                let idx = self.t.mappings[m as usize].filename;
                let m = strings.get(idx as usize, patterns);
                for (r, m) in locs.row_mut(i).iter_mut().zip(m) {
                    *r |= m;
                }
            }
            start = end;
        }
        locs
    }

    /// [`Self::location_masks`] for up to 64 patterns (one word per row).
    fn location_masks_one(&self, strings: &mut StringMasks<'_>, patterns: &[&Pattern]) -> Masks {
        let mut locs = Masks::new(1, self.locations.len());
        let literal = strings.literal_words();
        if literal.is_some() && strings.no_literal_hits() {
            // No string matches, so no location does.
            return locs;
        }
        let mut funcs = Masks::new(1, self.t.functions.len());
        let fs = &self.t.functions;
        match literal {
            Some(sb) => {
                for (r, f) in funcs.words_one_mut().iter_mut().zip(fs) {
                    *r = sb[f.name as usize] | sb[f.filename as usize];
                }
            }
            None => {
                for (r, f) in funcs.words_one_mut().iter_mut().zip(fs) {
                    *r = strings.get(f.name as usize, patterns)[0]
                        | strings.get(f.filename as usize, patterns)[0];
                }
            }
        }
        let maps: Vec<u64> = (self.t.mappings.iter())
            .map(|m| strings.get(m.filename as usize, patterns)[0])
            .collect();
        let funcs = funcs.words_one();
        let mut start = 0;
        for (r, &(mapping, end)) in locs.words_one_mut().iter_mut().zip(&self.locations) {
            let mut bits = mapping.map_or(0, |m| maps[m as usize]);
            for &f in &self.line_funcs[start..end] {
                bits |= funcs[f as usize];
            }
            *r = bits;
            start = end;
        }
        locs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real Go heap profile, decompressed.
    fn corpus_heap() -> Vec<u8> {
        use std::io::Read;
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/bundles/corpus/1-6b081067-bd1984d2eae7893d2145ec12-27466-002.zip"
        );
        let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut gz = Vec::new();
        z.by_name("pprof/heap")
            .unwrap()
            .read_to_end(&mut gz)
            .unwrap();
        let mut raw = Vec::new();
        crate::decompress_into(&gz, &mut raw).unwrap();
        raw
    }

    /// The one-word masks equal the first word of the general ones, for
    /// literals with and without hits, regexes, and both mixed.
    #[test]
    fn one_word_masks_are_the_general_ones() {
        let raw = corpus_heap();
        let p = Profile::parse(&raw).unwrap();
        let sets: [&[&str]; 7] = [
            &["runtime"],
            &["sync", "net/http"],
            &["no such function", "nor this"],
            &["no such function", "^runtime\\."],
            &["(?i)SYNC", "main", "^$"],
            &[""],
            &["\\.go$", "zzz", "runtime", "(runtime|main)\\."],
        ];
        let mut any = 0;
        for set in sets {
            let patterns: Vec<Pattern> = set.iter().map(|s| Pattern::new(s).unwrap()).collect();
            let patterns: Vec<&Pattern> = patterns.iter().collect();
            let one = p.location_masks(&patterns, 1);
            let two = p.location_masks(&patterns, 2);
            assert_eq!(one.words_one().len(), p.locations.len());
            for (i, &m) in one.words_one().iter().enumerate() {
                assert_eq!(m, two.row(i)[0], "{set:?} location {i}");
                assert_eq!(two.row(i)[1], 0);
                any |= m;
            }
        }
        // Every pattern position matched somewhere.
        assert_eq!(any, 0b1111);
    }
}
