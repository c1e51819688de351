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
pub(crate) struct StringMasks {
    bits: Masks,
    /// The patterns that are not literals (indices), run lazily.
    regexes: Vec<usize>,
    /// Per string: whether `regexes` have been run on it.
    done: Vec<bool>,
}

impl StringMasks {
    /// Runs every literal pattern over `strings`, the places of the
    /// strings in `data`, in order and not overlapping (as the decoders
    /// make them).
    pub(crate) fn new(
        data: &[u8],
        strings: &[(usize, usize)],
        patterns: &[&Pattern],
        words: usize,
    ) -> Self {
        let mut m = StringMasks {
            bits: Masks::new(words, strings.len()),
            regexes: Vec::new(),
            done: Vec::new(),
        };
        for (p, pattern) in patterns.iter().enumerate() {
            match pattern {
                Pattern::Literal(f) => {
                    sweep(data, strings, f, |i| {
                        m.bits.row_mut(i)[p / 64] |= 1 << (p % 64);
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

    /// The bits of string `idx` (whose text is `text`).
    #[inline]
    pub(crate) fn get(&mut self, idx: usize, text: &[u8], patterns: &[&Pattern]) -> &[u64] {
        if !self.regexes.is_empty() && !self.done[idx] {
            self.done[idx] = true;
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
        while strings.get(i + 1).is_some_and(|&(s, _)| s <= at) {
            i += 1;
        }
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
}
