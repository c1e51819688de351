//! The fast fold of a sample's location ids into filter bits: a table
//! indexed by the first two raw bytes of an id's varint, so that ids are
//! looked up without being decoded, eight bytes of the packed field at a
//! time, and with no lookup waiting on the one before.

use std::cell::Cell;

use crate::error::DecodeError;
use crate::profile::Profile;
use crate::quick::FoldIds;
use crate::wire::{Reader, Value, repeated, word_at};

/// Bit 0 of a table entry: the id names no location, or its varint is
/// longer than two bytes (both rare, and left to [`IdMasks::mask`]).
/// Pattern `p`'s bit is `p + 1`. Folding a sample's ids is then one OR per
/// id, and the OR says both which patterns match and whether some id names
/// no location.
pub(crate) const UNKNOWN: u32 = 1;

/// A table entry: `u8` for up to seven patterns (the table then stays in
/// the L1 cache), `u32` for up to 31.
pub(crate) trait Entry: Copy + Into<u32> + 'static {
    /// The entry holding `bits` (which fit).
    fn of(bits: u32) -> Self;
    /// This thread's table, if one was kept.
    fn take() -> Option<Box<Table<Self>>>;
    /// Keeps `table` for this thread's next profile.
    fn keep(table: Box<Table<Self>>);
}

thread_local! {
    /// The `u8` table, kept between profiles.
    static SMALL_TABLE: Cell<Option<Box<Table<u8>>>> = const { Cell::new(None) };
}

impl Entry for u8 {
    fn of(bits: u32) -> u8 {
        bits as u8
    }
    fn take() -> Option<Box<Table<u8>>> {
        SMALL_TABLE.take()
    }
    fn keep(table: Box<Table<u8>>) {
        SMALL_TABLE.set(Some(table));
    }
}

impl Entry for u32 {
    fn of(bits: u32) -> u32 {
        bits
    }
    fn take() -> Option<Box<Table<u32>>> {
        None
    }
    fn keep(_: Box<Table<u32>>) {}
}

/// One entry per two-byte window.
pub(crate) type Table<E> = [E; 1 << 16];

/// Ids below this (those of one- and two-byte varints) are in the table.
const SMALL: usize = 1 << 14;

/// Filter bits of every location, looked up by the raw bytes of its id's
/// varint: entry `b0 | b1 << 8` holds the bits of the id of the two-byte
/// varint `b0, b1`, entry `b0` those of the one-byte varint `b0`, and
/// [`UNKNOWN`] stands for a longer varint or an id that names no location.
pub(crate) struct IdMasks<'p, 'a, E: Entry> {
    table: Box<Table<E>>,
    profile: &'p Profile<'a>,
    masks: &'p [u64],
}

impl<'p, 'a, E: Entry> IdMasks<'p, 'a, E> {
    /// `masks` holds one word per location (none without filters), with
    /// pattern `p` at bit `p`; the patterns must fit in `E` next to
    /// [`UNKNOWN`].
    pub(crate) fn new(profile: &'p Profile<'a>, masks: &'p [u64]) -> Self {
        let mut table = E::take().unwrap_or_else(|| {
            // Built on the heap: it is too big for some threads' stacks.
            vec![E::of(UNKNOWN); 1 << 16]
                .into_boxed_slice()
                .try_into()
                .unwrap_or_else(|_| unreachable!("the length is the table's"))
        });
        let small: Vec<E> = (0..SMALL as u64)
            .map(|id| {
                let bits = profile
                    .location_ids
                    .get(id)
                    .map_or(UNKNOWN, |l| entry(masks, l));
                E::of(bits)
            })
            .collect();
        // A one-byte id is looked up in row 0 (as if the byte after it
        // were 0), a two-byte one in the upper half of the row of its
        // second byte; a longer varint's second byte is 0x80 or more, and
        // the upper halves of those rows stay UNKNOWN (no other part is
        // read).
        table[..128].copy_from_slice(&small[..128]);
        for (b1, ids) in small.chunks_exact(128).enumerate() {
            table[b1 << 8 | 128..(b1 + 1) << 8].copy_from_slice(ids);
        }
        IdMasks {
            table,
            profile,
            masks,
        }
    }

    /// Keeps the table for this thread's next profile.
    pub(crate) fn done(self) {
        E::keep(self.table);
    }

    /// The entry of location id `id`, [`UNKNOWN`] when no location has
    /// this id.
    #[inline(never)]
    fn mask(&self, id: u64) -> u32 {
        self.profile
            .location_ids
            .get(id)
            .map_or(UNKNOWN, |l| entry(self.masks, l))
    }

    /// The entry of the varint at `b[i..]` (`at` is the offset of `b`).
    #[cold]
    fn mask_at(&self, b: &[u8], at: usize, i: usize) -> Result<u32, DecodeError> {
        Ok(self.mask(Reader::new(&b[i..], at + i).varint()?))
    }

    /// [`Self::fold`] for the fast path of the sample pass (see `quick.rs`):
    /// `None` when some id is unknown or longer than two bytes, or the
    /// field ends inside a varint; the general path then reads the sample.
    #[inline(always)]
    pub(crate) fn fold_quick(&self, v: Value<'_>) -> Option<(bool, u32)> {
        let Value::Bytes(b, _) = v else {
            return self.fold(v).ok();
        };
        match b.last() {
            None => return Some((false, 0)),
            Some(&c) if c >= 0x80 => return None,
            Some(_) => {}
        }
        let mut or = 0u32;
        if let Some(&last) = b.last_chunk::<8>() {
            // As in `fold`, a varint starts after every byte below 0x80:
            // `carry` says whether the next word's first byte is a start.
            let mut carry = 0x80u64;
            let mut i = 0;
            let table = &*self.table;
            let raw = |x: u64| -> u32 { table[(x & 0xffff) as usize].into() };
            // Every word but the last, with the byte after it.
            while let Some(c) = b.get(i..).and_then(<[u8]>::first_chunk::<9>) {
                let [ref w @ .., next] = *c;
                let [_, ref shifted @ ..] = *c;
                // The eight bytes from the first id that starts in the
                // word (byte 1 when byte 0 continues an id, which must end
                // there: were it longer than two bytes, its first two were
                // looked up as UNKNOWN already). When they are four
                // two-byte ids (the usual case), their raw bytes are the
                // entries' indices, and the next word starts as this one.
                let x = if carry != 0 {
                    u64::from_le_bytes(*w)
                } else {
                    u64::from_le_bytes(*shifted)
                };
                if x & 0x8080_8080_8080_8080 == 0x0080_0080_0080_0080 {
                    or |= raw(x) | raw(x >> 16) | raw(x >> 32) | raw(x >> 48);
                } else {
                    or |= self.word(u64::from_le_bytes(*w), next, &mut carry, u64::MAX);
                }
                i += 8;
            }
            // The last eight bytes, which may overlap the word before
            // them: an id folded twice does not change the OR.
            // Whether their first byte starts an id depends on the byte
            // before it.
            let j = b.len() - 8;
            let mut carry = j.checked_sub(1).map_or(0x80, |k| u64::from(!b[k] & 0x80));
            or |= self.word(u64::from_le_bytes(last), 0, &mut carry, u64::MAX);
        } else {
            // Fewer than eight bytes (padded, but no id starts in the
            // padding).
            let real = u64::MAX >> (64 - 8 * b.len());
            or |= self.word(word_at(b, 0), 0, &mut 0x80, real);
        }
        let folded = (or & UNKNOWN == 0).then_some((true, or));
        // Fuzzing (with debug assertions) checks the fast path against
        // the general one on every input.
        debug_assert!(folded.is_none() || folded == self.fold(v).ok());
        folded
    }

    /// The OR of the entries of the ids that start in the eight bytes `w`
    /// (little-endian; `next` is the byte after them) at bytes kept by
    /// `real`, and whether the next word starts with an id.
    #[inline(always)]
    fn word(&self, w: u64, next: u8, carry: &mut u64, real: u64) -> u32 {
        let table = &*self.table;
        // The raw bytes of a two-byte id, little-endian, are its entry's
        // index, so words made of such ids alone (the usual case once a
        // profile has more than 127 locations) are read without finding
        // where each id starts.
        let raw = |x: u64| -> u32 { table[(x & 0xffff) as usize].into() };
        let high = w & 0x8080_8080_8080_8080;
        match (high, *carry, real) {
            // ids at bytes 0, 2, 4 and 6
            (0x0080_0080_0080_0080, 0x80, u64::MAX) => {
                raw(w) | raw(w >> 16) | raw(w >> 32) | raw(w >> 48)
            }
            // the end of an id, then ids at bytes 1, 3, 5 and 7 (which
            // ends in the next word)
            (0x8000_8000_8000_8000, 0, u64::MAX) => {
                let last = w >> 56 | u64::from(next) << 8;
                raw(w >> 8) | raw(w >> 24) | raw(w >> 40) | raw(last)
            }
            _ => {
                let ends = !high & 0x8080_8080_8080_8080;
                let starts = (ends << 8 | *carry) & real;
                *carry = (ends >> 63) << 7;
                // Every byte is looked up, and those where no id starts
                // are masked out: no branch depends on where ids start.
                let mut o = 0;
                for k in 0..8 {
                    let b0 = (w >> (8 * k)) as u8;
                    let b1 = if k < 7 {
                        (w >> (8 * k + 8)) as u8
                    } else {
                        next
                    };
                    // A one-byte id is looked up as if the byte after it
                    // were 0, so that all of them share one row.
                    let high = ((b0 as i8) >> 7) as u8;
                    let m: u32 = table[usize::from(b0) | usize::from(b1 & high) << 8].into();
                    let start = 0u32.wrapping_sub((starts >> (8 * k + 7)) as u32 & 1);
                    o |= m & start;
                }
                o
            }
        }
    }

    /// For one location-id field: whether it holds any id, and the OR of
    /// their entries (with [`UNKNOWN`] when some id names no location).
    #[inline(always)]
    pub(crate) fn fold(&self, v: Value<'_>) -> Result<(bool, u32), DecodeError> {
        let mut or = 0u32;
        let table = &*self.table;
        let look = |b0: u8, b1: u8| -> u32 {
            let high = ((b0 as i8) >> 7) as u8;
            table[usize::from(b0) | usize::from(b1 & high) << 8].into()
        };
        match v {
            Value::Bytes(b, at) => {
                let mut i = 0;
                // Eight bytes at a time, while the byte after them can be
                // read too: every varint that starts inside them is found
                // from the bytes before it with the high bit clear.
                let mut carry = 0x80u64;
                while let Some(c) = b.get(i..i + 9) {
                    let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
                    let ends = !w & 0x8080_8080_8080_8080;
                    let mut starts = ends << 8 | carry;
                    carry = (ends >> 63) << 7;
                    while starts != 0 {
                        let k = (starts.trailing_zeros() / 8) as usize;
                        let mut m = look(c[k], c[k + 1]);
                        if m & UNKNOWN != 0 {
                            m = self.mask_at(b, at, i + k)?;
                        }
                        or |= m;
                        starts &= starts - 1;
                    }
                    i += 8;
                }
                if carry == 0 && i < b.len() {
                    // Inside a varint already read: skip to its end.
                    i = b[i..]
                        .iter()
                        .position(|&c| c < 0x80)
                        .map_or(b.len(), |p| i + p + 1);
                }
                while let Some(&b0) = b.get(i) {
                    // Past the end reads as 0xff: not the end of a varint.
                    let mut m = look(b0, b.get(i + 1).copied().unwrap_or(0xff));
                    if m & UNKNOWN == 0 {
                        i += 1 + usize::from(b0 >> 7);
                    } else {
                        let mut r = Reader::new(&b[i..], at + i);
                        m = self.mask(r.varint()?);
                        i = r.offset() - at;
                    }
                    or |= m;
                }
                Ok((!b.is_empty(), or))
            }
            v => {
                let mut any = false;
                repeated(v, 0, |id| {
                    let m = self.mask(id);
                    (or, any) = (or | m, true);
                    Ok(())
                })?;
                Ok((any, or))
            }
        }
    }
}

impl<E: Entry> FoldIds for IdMasks<'_, '_, E> {
    #[inline(always)]
    fn fold_ids(&self, v: Value<'_>) -> Option<(bool, u32)> {
        self.fold_quick(v)
    }
}

/// The entry of location `l`: its pattern bits.
fn entry(masks: &[u64], l: u32) -> u32 {
    masks.get(l as usize).map_or(0, |&m| (m as u32) << 1)
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::proto;

    /// A profile.proto message whose locations have these ids, in order.
    fn encoded(ids: &[u64]) -> Vec<u8> {
        proto::Profile {
            string_table: vec![Vec::new()],
            location: ids
                .iter()
                .map(|&id| proto::Location {
                    id,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
        .encode_to_vec()
    }

    /// Pattern bits (up to seven patterns) for each of `n` locations.
    fn masks(n: usize) -> Vec<u64> {
        (0..n as u64).map(|l| (l * 37 + 5) % 128).collect()
    }

    /// A field's fold computed the slow way: `None` when it ends inside a
    /// varint.
    fn reference(p: &Profile<'_>, masks: &[u64], b: &[u8]) -> Option<(bool, u32)> {
        let (mut i, mut or) = (0, 0);
        while i < b.len() {
            let (mut id, mut shift) = (0u64, 0);
            loop {
                let c = *b.get(i)?;
                i += 1;
                id |= u64::from(c & 0x7f).checked_shl(shift).unwrap_or(0);
                shift += 7;
                if c < 0x80 {
                    break;
                }
            }
            match p.location_ids.get(id) {
                Some(l) => or |= entry(masks, l),
                None => or |= UNKNOWN,
            }
        }
        Some((!b.is_empty(), or))
    }

    fn varint(mut id: u64, out: &mut Vec<u8>) {
        while id >= 0x80 {
            out.push(id as u8 | 0x80);
            id >>= 7;
        }
        out.push(id as u8);
    }

    /// Checks both folds of the field `b` against [`reference`]; the fast
    /// one may decline only fields with an unknown id, a varint longer
    /// than two bytes, or a cut varint.
    fn check<E: Entry>(t: &IdMasks<'_, '_, E>, masks: &[u64], b: &[u8]) {
        let want = reference(t.profile, masks, b);
        let v = Value::Bytes(b, 0);
        assert_eq!(t.fold(v).ok(), want, "fold of {b:x?}");
        let quick = t.fold_quick(v);
        if quick.is_some() {
            assert_eq!(quick, want, "fold_quick of {b:x?}");
        }
        let short = b
            .iter()
            .zip(b.iter().skip(1))
            .all(|(&x, &y)| x < 0x80 || y < 0x80);
        let plain = b.last().is_none_or(|&c| c < 0x80) && short;
        if plain && want.is_some_and(|w| w.1 & UNKNOWN == 0) {
            assert!(quick.is_some(), "fold_quick declined {b:x?}");
        }
    }

    /// A small deterministic generator.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// Random fields of every length up to 40 bytes made of ids from
    /// `pick` (and one-byte ids to fill them), in a profile whose locations
    /// have the ids `ids`.
    fn fields<E: Entry>(ids: &[u64], pick: &[u64], seed: u64) {
        let data = encoded(ids);
        let p = Profile::parse(&data).expect("a valid profile");
        let m = masks(ids.len());
        let t = IdMasks::<E>::new(&p, &m);
        let mut rng = Rng(seed);
        for len in 0..=40 {
            for _ in 0..300 {
                let mut b = Vec::new();
                while b.len() < len {
                    let id = pick[rng.below(pick.len() as u64) as usize];
                    let mut v = Vec::new();
                    varint(id, &mut v);
                    if b.len() + v.len() <= len {
                        b.extend_from_slice(&v);
                    } else {
                        b.push(1 + rng.below(127) as u8);
                    }
                }
                assert_eq!(b.len(), len);
                check(&t, &m, &b);
            }
        }
        t.done();
    }

    #[test]
    fn fields_of_every_length() {
        let ids: Vec<u64> = (1..=300).collect();
        let pick: Vec<u64> = (1..=300).collect();
        fields::<u8>(&ids, &pick, 1);
        fields::<u32>(&ids, &pick, 2);
        // Mostly two-byte ids, as in big profiles.
        let pick: Vec<u64> = (128..=300).chain([5, 77]).collect();
        fields::<u8>(&ids, &pick, 3);
        fields::<u32>(&ids, &pick, 4);
    }

    #[test]
    fn unknown_and_long_ids() {
        // Ids 50, 100, ... name no location; 20000 and 1 << 40 do.
        let ids: Vec<u64> = (1..=400)
            .filter(|id| id % 50 != 0)
            .chain([20_000, 1 << 40])
            .collect();
        let pick: Vec<u64> = (120..=140)
            .chain([
                1,
                50,
                100,
                250,
                401,
                1000,
                16_383,
                16_384,
                20_000,
                1 << 40,
                1 << 35,
            ])
            .collect();
        fields::<u8>(&ids, &pick, 5);
        fields::<u32>(&ids, &pick, 6);
    }

    #[test]
    fn odd_encodings() {
        let data = encoded(&(1..=300).collect::<Vec<_>>());
        let p = Profile::parse(&data).expect("a valid profile");
        let m = masks(300);
        let t = IdMasks::<u8>::new(&p, &m);
        let two = [0x81, 0x02]; // 257
        let mut cases: Vec<Vec<u8>> = vec![
            vec![0x85, 0x00],       // 5 in two bytes
            vec![0x85, 0x80, 0x00], // 5 in three bytes
            vec![0x81],             // cut
            vec![0x00],             // 0, reserved
        ];
        // The odd varint at every place of a field of two-byte ids, and
        // fields cut short.
        for odd in cases.clone() {
            for at in 0..12 {
                let mut b: Vec<u8> = two.repeat(at);
                b.extend_from_slice(&odd);
                b.extend_from_slice(&two.repeat(12 - at));
                cases.push(b);
            }
        }
        for n in 0..30 {
            cases.push(two.repeat(20)[..n].to_vec());
        }
        for b in &cases {
            check(&t, &m, b);
        }
        // Ids as separate varint fields.
        assert_eq!(
            t.fold(Value::Varint(257)).ok(),
            Some((true, entry(&m, 256)))
        );
        assert_eq!(t.fold(Value::Varint(301)).ok(), Some((true, UNKNOWN)));
        t.done();
    }

    #[test]
    fn kept_table_forgets_the_last_profile() {
        let m = masks(300);
        let big = encoded(&(1..=300).collect::<Vec<_>>());
        let small = encoded(&(1..=130).collect::<Vec<_>>());
        let mut b = Vec::new();
        varint(200, &mut b);
        for data in [&big, &small, &big] {
            let p = Profile::parse(data).expect("a valid profile");
            let t = IdMasks::<u8>::new(&p, &m);
            let known = p.location_ids.get(200).is_some();
            assert_eq!(t.fold_quick(Value::Bytes(&b, 0)).is_some(), known);
            check(&t, &m, &b);
            t.done();
        }
    }
}
