//! The fast path of the sample pass, for samples of the usual shape (what
//! Go's runtime writes): field keys of one byte, location ids and values
//! packed or not, labels of varint fields, varints of at most eight bytes.
//! Anything else, including every malformed sample, is left to the
//! general decoder in `samples.rs`, which reads it again from its start and
//! says what is wrong; so this path never fails, it only declines.

use crate::decode::string_ref;
use crate::wire::{Value, varint8, word_from};

/// How [`sample`] folds a location-id field into filter bits (`ids.rs`):
/// whether it holds any id, and the OR of their entries; `None` declines
/// the sample. A trait, not a closure, so that it is inlined.
pub(crate) trait FoldIds {
    fn fold_ids(&self, v: Value<'_>) -> Option<(bool, u32)>;
}

/// One sample read by [`sample`].
pub(crate) struct Quick {
    /// Whether it has any location id.
    pub any: bool,
    /// OR of its location ids' entries (see `ids.rs`).
    pub or: u32,
    /// How many values it has.
    pub values: usize,
    /// Its value at the chosen index (0 if it has fewer values).
    pub value: i64,
}

/// Reads the sample message `msg` (at offset `at`): location-id fields go
/// to `ids` (which declines with `None`), the value at `index` is picked,
/// and the string indices of labels widen `lo..=hi`. `None` when the
/// sample is not of the usual shape or is malformed (`lo` and `hi` may
/// then have changed).
#[inline(always)]
pub(crate) fn sample(
    msg: &[u8],
    at: usize,
    index: usize,
    ids: &impl FoldIds,
    lo: &mut i64,
    hi: &mut i64,
) -> Option<Quick> {
    let mut q = Quick {
        any: false,
        or: 0,
        values: 0,
        value: 0,
    };
    let mut p = 0;
    while let Some(&key) = msg.get(p) {
        let (v, n) = short(msg, p + 1)?;
        p += 1 + n;
        if key & 7 == 0 {
            match key {
                0x08 => {
                    let (any, or) = ids.fold_ids(Value::Varint(v))?;
                    (q.any, q.or) = (q.any | any, q.or | or);
                }
                0x10 => {
                    if q.values == index {
                        q.value = v as i64;
                    }
                    q.values += 1;
                }
                _ => return None,
            }
            continue;
        }
        let end = p.checked_add(usize::try_from(v).ok()?)?;
        if end > msg.len() {
            return None;
        }
        let start = p;
        p = end;
        match key {
            0x0a => {
                let (any, or) = ids.fold_ids(Value::Bytes(&msg[start..end], at + start))?;
                (q.any, q.or) = (q.any | any, q.or | or);
            }
            0x12 => {
                let (n, value) = pick(msg, start, end, index.wrapping_sub(q.values))?;
                if let Some(value) = value {
                    q.value = value;
                }
                q.values += n;
            }
            0x1a => label(msg, start, end, lo, hi)?,
            _ => return None,
        }
    }
    Some(q)
}

/// The varint at `msg[i..]` and its length, if it has at most eight bytes;
/// one-byte varints (keys, lengths, small ids) first.
#[inline(always)]
fn short(msg: &[u8], i: usize) -> Option<(u64, usize)> {
    match msg.get(i) {
        Some(&b) if b < 0x80 => Some((u64::from(b), 1)),
        _ => varint8(word_from(msg, i)?),
    }
}

/// The eight bytes of `msg` from `i` (before `end`), with those from
/// `end` on read as 0xff, so that no varint seems to end there.
#[inline(always)]
fn word_before(msg: &[u8], i: usize, end: usize) -> Option<u64> {
    let w = word_from(msg, i)?;
    let left = end.checked_sub(i).filter(|&n| n > 0)?;
    Some(if left < 8 {
        w | u64::MAX << (8 * left)
    } else {
        w
    })
}

/// The number of varints in the packed field `msg[start..end]`, and the
/// one at `index` if there is one; `None` if a varint is longer than eight
/// bytes or cut.
#[inline(always)]
fn pick(msg: &[u8], start: usize, end: usize, index: usize) -> Option<(usize, Option<i64>)> {
    let (mut n, mut value) = (0, None);
    let mut i = start;
    while i < end {
        let w = word_before(msg, i, end)?;
        let ends = !w & 0x8080_8080_8080_8080;
        if ends == 0 {
            return None;
        }
        // The number of ends: their bits moved to the bottom of each byte,
        // then summed into the top byte.
        let c = ((ends >> 7).wrapping_mul(0x0101_0101_0101_0101) >> 56) as usize;
        if let Some(k) = index.checked_sub(n)
            && k < c
        {
            // Just after the end of value `k - 1`.
            let mut e = ends;
            for _ in 1..k {
                e &= e - 1;
            }
            let shift = if k == 0 { 0 } else { e.trailing_zeros() + 1 };
            value = varint8(w >> shift).map(|(v, _)| v as i64);
        }
        n += c;
        i += (64 - ends.leading_zeros()) as usize / 8;
    }
    Some((n, value))
}

/// Notes the string indices of the label `msg[start..end]` as
/// `decode::label` does, for a label of varint fields only.
#[inline(always)]
fn label(msg: &[u8], start: usize, end: usize, lo: &mut i64, hi: &mut i64) -> Option<()> {
    // A numeric label with a one-byte key (what Go's runtime writes):
    // `08 key 18 num`, with the number's varint ending the label.
    if end - start >= 4
        && let Some(&[0x08, key, 0x18, _]) = msg.get(start..start + 4)
        && key < 0x80
    {
        let ends = !word_before(msg, start + 3, end)? & 0x8080_8080_8080_8080;
        if ends.trailing_zeros() as usize / 8 + 1 == end - start - 3 {
            string_ref(lo, hi, i64::from(key));
            return Some(());
        }
    }
    let (mut key, mut s, mut unit) = (0u64, 0u64, 0u64);
    let mut i = start;
    while i < end {
        let k = msg[i];
        let (v, n) = match msg.get(i + 1) {
            Some(&b) if b < 0x80 && i + 1 < end => (u64::from(b), 1),
            _ => varint8(word_before(msg, i + 1, end)?)?,
        };
        i += 1 + n;
        match k {
            0x08 => key = v,
            0x10 => s = v,
            0x18 => {}
            0x20 => unit = v,
            _ => return None,
        }
    }
    string_ref(lo, hi, key as i64);
    if s != 0 {
        string_ref(lo, hi, s as i64);
    } else if unit != 0 {
        string_ref(lo, hi, unit as i64);
    }
    Some(())
}
