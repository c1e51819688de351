//! Which `-focus`/`-ignore` patterns match each string of a profile's
//! string table. A literal pattern (a plain substring, the usual case) is
//! searched for once over the bytes that hold the whole table, not once
//! per string, and each hit is credited to the string it lies in; other
//! patterns are run on the strings that filters read, each string once.

use gocompat::re2::Pattern;
use memchr::memmem::Finder;

use crate::filter::Masks;

/// Pattern bits per string-table entry, `words` u64s per string, pattern
/// `p` at bit `p % 64` of word `p / 64`.
pub(crate) struct StringMasks<'s> {
    bits: Masks,
    /// The bytes that hold the strings, and each string's place in them.
    data: &'s [u8],
    strings: &'s [(usize, usize)],
    /// The patterns that are not literals (indices), run lazily.
    regexes: Vec<usize>,
    /// Per string: whether `regexes` have been run on it.
    done: Vec<bool>,
    /// Whether some literal pattern matched some string.
    any_hit: bool,
}

impl<'s> StringMasks<'s> {
    /// Runs every literal pattern over `strings`, the places of the
    /// strings in `data`, in order and not overlapping (as the decoders
    /// make them).
    pub(crate) fn new(
        data: &'s [u8],
        strings: &'s [(usize, usize)],
        patterns: &[&Pattern],
        words: usize,
    ) -> Self {
        let mut m = StringMasks {
            bits: Masks::new(words, strings.len()),
            data,
            strings,
            regexes: Vec::new(),
            done: Vec::new(),
            any_hit: false,
        };
        for (p, pattern) in patterns.iter().enumerate() {
            match pattern {
                Pattern::Literal(f) => {
                    sweep(data, strings, f, |i| {
                        m.bits.row_mut(i)[p / 64] |= 1 << (p % 64);
                        m.any_hit = true;
                    });
                }
                Pattern::Regex(_) => m.regexes.push(p),
            }
        }
        if !m.regexes.is_empty() {
            m.done = vec![false; strings.len()];
        }
        m
    }

    /// The bits of every string when they are all known already (every
    /// pattern is a literal) and fit in one word: `None` otherwise.
    pub(crate) fn literal_words(&self) -> Option<&[u64]> {
        (self.regexes.is_empty() && self.bits.words() <= 1).then(|| self.bits.words_one())
    }

    /// Whether no literal pattern matched any string (the patterns that
    /// are not literals only run in [`Self::get`]).
    pub(crate) fn no_literal_hits(&self) -> bool {
        !self.any_hit
    }

    /// The bits of string `idx`.
    #[inline]
    pub(crate) fn get(&mut self, idx: usize, patterns: &[&Pattern]) -> &[u64] {
        if !self.regexes.is_empty() && !self.done[idx] {
            self.done[idx] = true;
            let (start, end) = self.strings[idx];
            let text = &self.data[start..end];
            let row = self.bits.row_mut(idx);
            for &p in &self.regexes {
                if patterns[p].is_match(text) {
                    row[p / 64] |= 1 << (p % 64);
                }
            }
        }
        self.bits.row(idx)
    }
}

/// Calls `hit(i)` once for every string `i` that contains the needle of
/// `finder`, by searching `data` from the first string's start to the last
/// one's end; `strings` holds each string's start and end in `data`.
fn sweep(data: &[u8], strings: &[(usize, usize)], finder: &Finder<'_>, mut hit: impl FnMut(usize)) {
    let needle = finder.needle();
    if needle.is_empty() {
        (0..strings.len()).for_each(hit);
        return;
    }
    let (Some(&(lo, _)), Some(&(_, hi))) = (strings.first(), strings.last()) else {
        return;
    };
    let mut pos = lo;
    // The last string starting at or before the search position: hits
    // come in order, so it only moves forward.
    let mut i = 0;
    while let Some(h) = finder.find(&data[pos..hi]) {
        let at = pos + h;
        i = last_starting_by(strings, i, at);
        let end = strings[i].1;
        if at + needle.len() <= end {
            hit(i);
            // The string's other hits add nothing.
            pos = end;
        } else {
            // Across the bytes between two strings: a hit starting later
            // may still lie within one.
            pos = at + 1;
        }
    }
}

/// The last string from `i` on that starts at or before `at` (string `i`
/// must): galloping forward, so that both a hit in the next string and
/// one many strings further cost few steps.
#[inline]
fn last_starting_by(strings: &[(usize, usize)], i: usize, at: usize) -> usize {
    let starts_by = |j: usize| strings.get(j).is_some_and(|&(s, _)| s <= at);
    // Strings i..lo start by `at`; from hi on, none does.
    let (mut lo, mut step) = (i + 1, 1);
    while starts_by(lo + step - 1) {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step - 1).min(strings.len());
    let found = lo + strings[lo..hi].partition_point(|&(s, _)| s <= at) - 1;
    debug_assert_eq!(
        found,
        i + strings[i + 1..]
            .iter()
            .take_while(|&&(s, _)| s <= at)
            .count(),
        "galloping disagrees with walking"
    );
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The strings found by a sweep are those that contain the needle,
    /// whatever lies between them.
    #[test]
    fn sweep_finds_the_strings_that_contain_the_needle() {
        let data = b"\x32\x04sync\x32\x00\x32\x03syn\x32\x05csync\x32\x02ab\x32\x04aaaa";
        let mut strings = Vec::new();
        let mut p = 0;
        while p < data.len() {
            let n = data[p + 1] as usize;
            strings.push((p + 2, p + 2 + n));
            p += 2 + n;
        }
        let found = |needle: &[u8]| {
            let mut v = Vec::new();
            sweep(data, &strings, &Finder::new(needle), |i| v.push(i));
            v
        };
        assert_eq!(found(b"sync"), [0, 3]);
        // "syn" + the next field's key and length + "c": across strings.
        assert_eq!(found(b"syn\x32"), Vec::<usize>::new());
        assert_eq!(found(b"aa"), [5]);
        assert_eq!(found(b"b\x32"), Vec::<usize>::new());
        assert_eq!(found(b""), [0, 1, 2, 3, 4, 5]);
        for needle in [&b"sync"[..], b"syn", b"c", b"a", b"\x32"] {
            let want: Vec<usize> = (0..strings.len())
                .filter(|&i| {
                    let (s, e) = strings[i];
                    memchr::memmem::find(&data[s..e], needle).is_some()
                })
                .collect();
            assert_eq!(found(needle), want, "{needle:?}");
        }
    }

    /// Galloping finds the string a linear walk finds.
    #[test]
    fn last_starting_by_walks_as_far_as_a_linear_walk() {
        // Strings of lengths 0 to 3 with one byte between them.
        let mut strings = Vec::new();
        let mut p = 0;
        for n in 0..200 {
            strings.push((p, p + n % 4));
            p += n % 4 + 1;
        }
        for i in [0, 1, 5, 100, 198, 199] {
            for at in strings[i].0..p + 3 {
                let mut want = i;
                while strings.get(want + 1).is_some_and(|&(s, _)| s <= at) {
                    want += 1;
                }
                assert_eq!(last_starting_by(&strings, i, at), want, "{i} {at}");
            }
        }
    }
}
