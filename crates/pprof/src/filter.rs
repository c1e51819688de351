//! Summing one sample value over the samples that pass `-focus`/`-ignore`,
//! with the semantics of google/pprof's `FilterSamplesByName` applied once
//! for the ignore pattern and once per focus pattern: a location matches a
//! pattern when the name or source file of any of its lines' functions, or
//! its mapping's file, matches. Each function and mapping is matched once.

use std::borrow::Cow;

use regex::Regex;

use crate::profile::Profile;

/// Sample filters: every focus pattern must match some location of a
/// sample, and the ignore pattern none of them.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Patterns that must each match at least one location (AND).
    pub focus: Vec<Regex>,
    /// Pattern that must match no location.
    pub ignore: Option<Regex>,
}

impl Filter {
    /// True when no pattern is set, so every sample is kept.
    pub fn is_empty(&self) -> bool {
        self.focus.is_empty() && self.ignore.is_none()
    }

    /// All patterns, ignore first.
    fn patterns(&self) -> impl Iterator<Item = &Regex> {
        self.ignore.iter().chain(&self.focus)
    }
}

/// A bit set over the filter's patterns, one word per 64 patterns.
struct Masks {
    words: usize,
    bits: Vec<u64>,
}

impl Masks {
    fn new(words: usize, n: usize) -> Self {
        Masks {
            words,
            bits: vec![0; words * n],
        }
    }

    fn row(&self, i: usize) -> &[u64] {
        &self.bits[i * self.words..(i + 1) * self.words]
    }

    fn row_mut(&mut self, i: usize) -> &mut [u64] {
        &mut self.bits[i * self.words..(i + 1) * self.words]
    }

    /// Sets bit `p` of row `i` for every pattern matching any of `texts`.
    fn match_row(&mut self, i: usize, patterns: &[&Regex], texts: &[&[u8]]) {
        let texts: Vec<Cow<'_, str>> = texts.iter().map(|t| String::from_utf8_lossy(t)).collect();
        let row = self.row_mut(i);
        for (p, re) in patterns.iter().enumerate() {
            if texts.iter().any(|t| re.is_match(t)) {
                row[p / 64] |= 1 << (p % 64);
            }
        }
    }
}

impl Profile<'_> {
    /// Sum of value `index` over the samples that `filter` keeps, exactly
    /// (no overflow). `index` must be below the number of sample types,
    /// unless the profile has no samples.
    pub fn total(&self, index: usize, filter: &Filter) -> i128 {
        let nst = self.sample_types.len();
        if filter.is_empty() {
            return (0..self.samples.len())
                .map(|s| i128::from(self.values[s * nst + index]))
                .sum();
        }
        let patterns: Vec<&Regex> = filter.patterns().collect();
        let words = patterns.len().div_ceil(64);
        let loc_masks = self.location_masks(&patterns, words);

        // Bits that must all be present (focus) and the one that must not.
        let mut want = vec![0u64; words];
        let first_focus = usize::from(filter.ignore.is_some());
        for p in first_focus..patterns.len() {
            want[p / 64] |= 1 << (p % 64);
        }
        let mut acc = vec![0u64; words];
        let mut total = 0i128;
        let mut start = 0;
        for (s, end) in self.samples.iter().enumerate() {
            let stack = &self.locs[start..end.locs];
            start = end.locs;
            if stack.is_empty() {
                continue;
            }
            acc.fill(0);
            for &l in stack {
                for (a, m) in acc.iter_mut().zip(loc_masks.row(l as usize)) {
                    *a |= m;
                }
            }
            let ignored = filter.ignore.is_some() && acc[0] & 1 != 0;
            let focused = acc.iter().zip(&want).all(|(a, w)| a & w == *w);
            if !ignored && focused {
                total += i128::from(self.values[s * nst + index]);
            }
        }
        total
    }

    /// One pattern bit set per location, from per-function and per-mapping
    /// matches computed once each.
    fn location_masks(&self, patterns: &[&Regex], words: usize) -> Masks {
        let mut funcs = Masks::new(words, self.functions.len());
        for (i, f) in self.functions.iter().enumerate() {
            funcs.match_row(i, patterns, &[self.string(f.name), self.string(f.filename)]);
        }
        let mut maps = Masks::new(words, self.mappings.len());
        for (i, m) in self.mappings.iter().enumerate() {
            maps.match_row(i, patterns, &[self.string(m.filename)]);
        }
        let mut locs = Masks::new(words, self.locations.len());
        let mut start = 0;
        for (i, &(mapping, end)) in self.locations.iter().enumerate() {
            let row = locs.row_mut(i);
            for &f in &self.line_funcs[start..end] {
                for (r, m) in row.iter_mut().zip(funcs.row(f as usize)) {
                    *r |= m;
                }
            }
            if let Some(m) = mapping {
                for (r, mm) in row.iter_mut().zip(maps.row(m as usize)) {
                    *r |= mm;
                }
            }
            start = end;
        }
        locs
    }
}
