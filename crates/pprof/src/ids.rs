//! The fast fold of a sample's location ids into filter bits: a table
//! indexed by the first two raw bytes of an id's varint, so that ids are
//! looked up without being decoded, eight bytes of the packed field at a
//! time, and with no lookup waiting on the one before.

use std::cell::Cell;

use crate::error::DecodeError;
use crate::profile::Profile;
use crate::wire::{Reader, Value, repeated};

/// Bit 0 of an entry: the id names a location. Pattern `p`'s bit is
/// `p + 1`.
pub(crate) const VALID: u32 = 1;

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
/// varint: entry `b0 | b1 << 8` holds the bits of the id of a varint whose
/// first two bytes are `b0, b1` when that varint is one or two bytes long,
/// and 0 when it is longer or its id names no location (both rare, and
/// left to [`IdMasks::mask`]).
pub(crate) struct IdMasks<'p, 'a, E: Entry> {
    table: Box<Table<E>>,
    profile: &'p Profile<'a>,
    masks: &'p [u64],
}

impl<'p, 'a, E: Entry> IdMasks<'p, 'a, E> {
    /// `masks` holds one word per location (none without filters), with
    /// pattern `p` at bit `p`; the patterns must fit in `E` next to
    /// [`VALID`].
    pub(crate) fn new(profile: &'p Profile<'a>, masks: &'p [u64]) -> Self {
        let mut table = E::take().unwrap_or_else(|| {
            // Built on the heap: it is too big for some threads' stacks.
            vec![E::of(0); 1 << 16]
                .into_boxed_slice()
                .try_into()
                .unwrap_or_else(|_| unreachable!("the length is the table's"))
        });
        let small: Vec<E> = (0..SMALL as u64)
            .map(|id| {
                let bits = profile.location_ids.get(id).map_or(0, |l| entry(masks, l));
                E::of(bits)
            })
            .collect();
        for (b1, row) in table.chunks_exact_mut(256).enumerate() {
            // A first byte below 0x80 is a one-byte id, whatever follows;
            // a longer varint has a second byte of 0x80 or more.
            row[..128].copy_from_slice(&small[..128]);
            if b1 < 0x80 {
                row[128..].copy_from_slice(&small[b1 << 7..(b1 + 1) << 7]);
            } else {
                row[128..].fill(E::of(0));
            }
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

    /// The entry of location id `id`, or 0 when no location has this id.
    #[inline(never)]
    fn mask(&self, id: u64) -> u32 {
        self.profile
            .location_ids
            .get(id)
            .map_or(0, |l| entry(self.masks, l))
    }

    /// The entry of the varint at `b[i..]` (`at` is the offset of `b`).
    #[cold]
    fn mask_at(&self, b: &[u8], at: usize, i: usize) -> Result<u32, DecodeError> {
        Ok(self.mask(Reader::new(&b[i..], at + i).varint()?))
    }

    /// For one location-id field: whether it holds any id, the OR of their
    /// entries, and the AND (whose [`VALID`] bit says whether every id was
    /// known).
    #[inline(always)]
    pub(crate) fn fold(&self, v: Value<'_>) -> Result<(bool, u32, u32), DecodeError> {
        let (mut or, mut and) = (0u32, VALID);
        let table = &*self.table;
        let look = |b0: u8, b1: u8| table[usize::from(u16::from_le_bytes([b0, b1]))].into();
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
                        if m == 0 {
                            m = self.mask_at(b, at, i + k)?;
                        }
                        (or, and) = (or | m, and & m);
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
                    if m != 0 {
                        i += 1 + usize::from(b0 >> 7);
                    } else {
                        let mut r = Reader::new(&b[i..], at + i);
                        m = self.mask(r.varint()?);
                        i = r.offset() - at;
                    }
                    (or, and) = (or | m, and & m);
                }
                Ok((!b.is_empty(), or, and))
            }
            v => {
                let mut any = false;
                repeated(v, 0, |id| {
                    let m = self.mask(id);
                    (or, and, any) = (or | m, and & m, true);
                    Ok(())
                })?;
                Ok((any, or, and))
            }
        }
    }
}

/// The entry of location `l`: its pattern bits and [`VALID`].
fn entry(masks: &[u64], l: u32) -> u32 {
    masks.get(l as usize).map_or(0, |&m| (m as u32) << 1) | VALID
}
