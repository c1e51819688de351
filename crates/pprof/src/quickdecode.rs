//! The fast path of the first pass (`decode.rs`), for profiles of the
//! usual shape (what Go's runtime writes): one-byte field keys, known
//! fields with their proper wire types. It
//! fills the same [`Decoded`] the general decoder would, straight from the
//! bytes, without `Result`s or per-field cursors; anything else, including
//! every malformed input, makes it decline (`None`), and the general
//! decoder then reads the profile again from its start and says what is
//! wrong. So it never fails, it only declines.

use crate::decode::{Decoded, RawFunction, RawLocation};
use crate::wire::{varint8, word_at};

/// Reads the varint at `d[*p..]` as pprof does (at most ten bytes, high
/// bits dropped).
#[inline(always)]
fn varint(d: &[u8], p: &mut usize) -> Option<u64> {
    let &b0 = d.get(*p)?;
    if b0 < 0x80 {
        *p += 1;
        return Some(u64::from(b0));
    }
    if let Some(&b1) = d.get(*p + 1)
        && b1 < 0x80
    {
        *p += 2;
        return Some(u64::from(b0 & 0x7f) | u64::from(b1) << 7);
    }
    match varint8(word_at(d, *p)) {
        Some((v, n)) => {
            *p += n;
            Some(v)
        }
        None => {
            let (v, end) = varint_long(d, *p)?;
            *p = end;
            Some(v)
        }
    }
}

/// Steps over the varint at `d[*p..]` (as [`varint`] reads it).
#[inline(always)]
fn skip_varint(d: &[u8], p: &mut usize) -> Option<()> {
    // One- and two-byte varints (line numbers, mostly) first: they often
    // end less than eight bytes before the end of `d`, where reading a
    // word is slow.
    let &b0 = d.get(*p)?;
    if b0 < 0x80 {
        *p += 1;
        return Some(());
    }
    if d.get(*p + 1).is_some_and(|&b1| b1 < 0x80) {
        *p += 2;
        return Some(());
    }
    let ends = !word_at(d, *p) & 0x8080_8080_8080_8080;
    if ends == 0 {
        *p = varint_long(d, *p)?.1;
        return Some(());
    }
    *p += (ends.trailing_zeros() / 8 + 1) as usize;
    Some(())
}

/// [`varint`] for varints of more than eight bytes: the value and the
/// position after it (positions are passed by value so that the hot
/// loops keep theirs in registers).
#[cold]
fn varint_long(d: &[u8], p: usize) -> Option<(u64, usize)> {
    let mut u: u64 = 0;
    for i in 0..10 {
        let &b = d.get(p + i)?;
        u |= u64::from(b & 0x7f).wrapping_shl(7 * i as u32);
        if b & 0x80 == 0 {
            return Some((u, p + i + 1));
        }
    }
    None
}

/// Reads a length-delimited body's length at `d[*p..]` and returns the
/// body's bounds, if it fits in `d`.
#[inline(always)]
fn body(d: &[u8], p: &mut usize) -> Option<(usize, usize)> {
    let n = varint(d, p)?;
    let start = *p;
    if n > (d.len() - start) as u64 {
        return None;
    }
    *p = start + n as usize;
    Some((start, *p))
}

/// Decodes `data` into the empty `d` as the general decoder would, or
/// declines (leaving `d` partly filled).
pub(crate) fn decode(data: &[u8], d: &mut Decoded) -> Option<()> {
    let mut drop_keep = (0i64, 0i64);
    let mut p = 0;
    while let Some(&key) = data.get(p) {
        p += 1;
        match key {
            // samples, locations, functions, strings: the bulk
            0x12 => {
                // Go writes samples in runs.
                loop {
                    d.samples.push(body(data, &mut p)?);
                    if data.get(p) != Some(&0x12) {
                        break;
                    }
                    p += 1;
                }
            }
            0x22 => {
                let (s, e) = body(data, &mut p)?;
                location(d, &data[s..e])?;
            }
            0x2a => {
                let (s, e) = body(data, &mut p)?;
                function(d, &data[s..e])?;
            }
            0x32 => {
                let (s, e) = body(data, &mut p)?;
                if d.strings.is_empty() && s != e {
                    return None;
                }
                d.strings.push((s, e));
            }
            0x0a => {
                let (s, e) = body(data, &mut p)?;
                let (ty, unit) = value_type(&data[s..e])?;
                d.string_ref(ty);
                d.string_ref(unit);
                d.sample_types.push(ty);
            }
            0x1a => {
                let (s, e) = body(data, &mut p)?;
                crate::decode::mapping(d, &data[s..e], s).ok()?;
            }
            0x38 => drop_keep.0 = varint(data, &mut p)? as i64,
            0x40 => drop_keep.1 = varint(data, &mut p)? as i64,
            0x48 => {
                if d.time_nanos != 0 {
                    return None;
                }
                d.time_nanos = varint(data, &mut p)?;
            }
            0x50 | 0x60 => skip_varint(data, &mut p)?,
            0x5a => {
                let (s, e) = body(data, &mut p)?;
                d.period_type = value_type(&data[s..e])?;
            }
            0x68 => {
                let c = varint(data, &mut p)?;
                d.string_ref(c as i64);
            }
            0x70 => d.default_sample_type = varint(data, &mut p)? as i64,
            _ => return None,
        }
    }
    d.finish(drop_keep);
    Some(())
}

/// A `ValueType`: its type and unit string indices.
fn value_type(b: &[u8]) -> Option<(i64, i64)> {
    let (mut ty, mut unit) = (0, 0);
    let mut p = 0;
    while let Some(&key) = b.get(p) {
        p += 1;
        let v = varint(b, &mut p)? as i64;
        match key {
            0x08 => ty = v,
            0x10 => unit = v,
            _ => return None,
        }
    }
    Some((ty, unit))
}

/// Reads the field at `b[*p..]` if its key is `key`, and its varint.
#[inline(always)]
fn field(b: &[u8], p: &mut usize, key: u8) -> Option<u64> {
    if *b.get(*p)? != key {
        return None;
    }
    *p += 1;
    varint(b, p)
}

/// Whether the field at `b[*p..]` has key `key`; if so, steps over the key.
#[inline(always)]
fn next_is(b: &[u8], p: &mut usize, key: u8) -> bool {
    let yes = b.get(*p) == Some(&key);
    *p += usize::from(yes);
    yes
}

/// A `Location`: id, mapping id, and each line's function id.
#[inline(always)]
fn location(d: &mut Decoded, b: &[u8]) -> Option<()> {
    let lines = d.line_funcs.len();
    if let Some(l) = location_go(d, b) {
        d.locations.push(l);
        return Some(());
    }
    d.line_funcs.truncate(lines);
    location_any(d, b)
}

/// [`location`] for the fields in the order Go writes them (id, mapping
/// id, address, lines with function id and line number, is_folded; the
/// ones that are 0 left out), each at most once but the lines; `None` for
/// anything else (the lines read so far left in `d`).
#[inline(always)]
fn location_go(d: &mut Decoded, b: &[u8]) -> Option<RawLocation> {
    let mut p = 0;
    let id = field(b, &mut p, 0x08)?;
    let mut mapping_id = 0;
    if next_is(b, &mut p, 0x10) {
        mapping_id = varint(b, &mut p)?;
    }
    if next_is(b, &mut p, 0x18) {
        skip_varint(b, &mut p)?;
    }
    while next_is(b, &mut p, 0x22) {
        let (s, e) = body(b, &mut p)?;
        let line = &b[s..e];
        let mut q = 0;
        let func = field(line, &mut q, 0x08)?;
        if next_is(line, &mut q, 0x10) {
            skip_varint(line, &mut q)?;
        }
        if q != line.len() {
            return None;
        }
        d.line_funcs.push(func);
    }
    if next_is(b, &mut p, 0x28) {
        skip_varint(b, &mut p)?;
    }
    (p == b.len()).then_some(RawLocation {
        id,
        mapping_id,
        lines_end: d.line_funcs.len(),
    })
}

/// [`location`] for fields in any order.
#[inline(never)]
fn location_any(d: &mut Decoded, b: &[u8]) -> Option<()> {
    let (mut id, mut mapping_id) = (0u64, 0u64);
    let mut p = 0;
    while let Some(&key) = b.get(p) {
        p += 1;
        match key {
            0x08 => id = varint(b, &mut p)?,
            0x10 => mapping_id = varint(b, &mut p)?,
            0x18 | 0x28 => skip_varint(b, &mut p)?,
            0x22 => {
                let (s, e) = body(b, &mut p)?;
                let line = &b[s..e];
                let mut q = 0;
                let mut func = 0u64;
                while let Some(&k) = line.get(q) {
                    q += 1;
                    match k {
                        0x08 => func = varint(line, &mut q)?,
                        0x10 => skip_varint(line, &mut q)?,
                        _ => return None,
                    }
                }
                d.line_funcs.push(func);
            }
            _ => return None,
        }
    }
    d.locations.push(RawLocation {
        id,
        mapping_id,
        lines_end: d.line_funcs.len(),
    });
    Some(())
}

/// A `Function`: id, and the string indices of its names and file.
#[inline(always)]
fn function(d: &mut Decoded, b: &[u8]) -> Option<()> {
    let (id, name, system_name, filename) = match function_go(b) {
        Some(f) => f,
        None => function_any(b)?,
    };
    d.string_ref(name);
    d.string_ref(system_name);
    d.string_ref(filename);
    d.functions.push(RawFunction { id, name, filename });
    Some(())
}

/// A function's id, name, system name and file name, with the fields in
/// the order Go writes them (start line last, left out when 0), each
/// once; `None` for anything else.
#[inline(always)]
fn function_go(b: &[u8]) -> Option<(u64, i64, i64, i64)> {
    let mut p = 0;
    let id = field(b, &mut p, 0x08)?;
    let name = field(b, &mut p, 0x10)? as i64;
    let system_name = field(b, &mut p, 0x18)? as i64;
    let filename = field(b, &mut p, 0x20)? as i64;
    if next_is(b, &mut p, 0x28) {
        skip_varint(b, &mut p)?;
    }
    (p == b.len()).then_some((id, name, system_name, filename))
}

/// [`function_go`] for fields in any order.
#[inline(never)]
fn function_any(b: &[u8]) -> Option<(u64, i64, i64, i64)> {
    let (mut id, mut name, mut system_name, mut filename) = (0u64, 0i64, 0i64, 0i64);
    let mut p = 0;
    while let Some(&key) = b.get(p) {
        p += 1;
        match key {
            0x08 => id = varint(b, &mut p)?,
            0x10 => name = varint(b, &mut p)? as i64,
            0x18 => system_name = varint(b, &mut p)? as i64,
            0x20 => filename = varint(b, &mut p)? as i64,
            0x28 => skip_varint(b, &mut p)?,
            _ => return None,
        }
    }
    Some((id, name, system_name, filename))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::decode::decode_general;

    /// The real Go profiles of a corpus bundle, decompressed.
    fn corpus_profiles() -> Vec<Vec<u8>> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/bundles/corpus/1-6b081067-bd1984d2eae7893d2145ec12-27466-002.zip"
        );
        let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        [
            "pprof/heap",
            "pprof/goroutine",
            "pprof/profile",
            "pprof/mutex",
        ]
        .iter()
        .map(|name| {
            let mut gz = Vec::new();
            z.by_name(name).unwrap().read_to_end(&mut gz).unwrap();
            let mut raw = Vec::new();
            crate::decompress_into(&gz, &mut raw).unwrap();
            raw
        })
        .collect()
    }

    fn quick(data: &[u8]) -> Option<Decoded> {
        let mut d = Decoded::default();
        decode(data, &mut d).map(|()| d)
    }

    fn general(data: &[u8]) -> Result<Decoded, crate::DecodeError> {
        let mut d = Decoded::default();
        decode_general(data, &mut d).map(|()| d)
    }

    #[test]
    fn errors_are_the_general_decoders() {
        // A first string that is not empty: named at its field's key.
        let data = [0x32, 0x00, 0x32, 0x01, b'x', 0x32, 0x01, b'y'];
        assert_eq!(quick(&data[2..]), None);
        let mut d = Decoded::default();
        let e = crate::decode::decode(&data[2..], &mut d).unwrap_err();
        assert_eq!(e.to_string(), general(&data[2..]).unwrap_err().to_string());
        assert_eq!(e.offset, 0);
        assert!(crate::decode::decode(&data[..5], &mut d).is_ok());
    }

    #[test]
    fn same_tables_as_the_general_decoder_or_declines() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (mut read, mut declined) = (0, 0);
        for seed in corpus_profiles() {
            // Go's own profiles take the fast path.
            assert_eq!(quick(&seed), Some(general(&seed).unwrap()));
            for i in 0..3000 {
                let mut b = seed.clone();
                for _ in 0..1 + rnd() % 3 {
                    let at = (rnd() % b.len() as u64) as usize;
                    match rnd() % 4 {
                        0 => b[at] = rnd() as u8,
                        1 => b[at] ^= 0x80,
                        2 => {
                            b.remove(at);
                        }
                        _ => b.insert(at, [0x80, 0xff, 0x00, 0x0a, 0x22][i % 5]),
                    }
                }
                match quick(&b) {
                    Some(d) => {
                        read += 1;
                        assert_eq!(Ok(d), general(&b).map_err(|e| e.to_string()));
                    }
                    None => declined += 1,
                }
            }
        }
        // Both outcomes were exercised.
        assert!(
            read > 100 && declined > 100,
            "{read} read, {declined} declined"
        );
    }

    /// A message field `key` holding `body`.
    fn msg(key: u8, body: &[u8]) -> Vec<u8> {
        [&[key, body.len() as u8][..], body].concat()
    }

    /// Functions and locations with their fields in Go's order, in other
    /// orders, repeated or left out: the fast path reads them all as the
    /// general decoder does (the ones not in Go's order by its loop).
    #[test]
    fn fields_in_any_order_read_as_the_general_decoder_does() {
        let line = |f: u8, l: u8| msg(0x22, &[0x08, f, 0x10, l]);
        let functions: [&[u8]; 6] = [
            &[0x08, 1, 0x10, 1, 0x18, 1, 0x20, 2, 0x28, 7],
            &[0x08, 2, 0x10, 1, 0x18, 1, 0x20, 2],
            &[0x20, 2, 0x18, 1, 0x10, 1, 0x08, 3],
            &[0x08, 9, 0x10, 1, 0x08, 4, 0x18, 1, 0x20, 2],
            &[0x08, 5, 0x10, 1, 0x20, 2],
            &[
                0x08, 0x86, 0x00, 0x10, 0x81, 0x00, 0x18, 1, 0x20, 2, 0x28, 0xff, 0x7f,
            ],
        ];
        let locations: Vec<Vec<u8>> = vec![
            [&[0x08, 1, 0x10, 1, 0x18, 0x80, 0x80, 0x04][..], &line(1, 3)].concat(),
            [&[0x08, 2][..], &line(2, 3), &line(3, 4), &[0x28, 1]].concat(),
            [&line(1, 3)[..], &[0x08, 3, 0x10, 1]].concat(),
            [&[0x08, 4, 0x18, 5][..], &msg(0x22, &[0x10, 3, 0x08, 2])].concat(),
            [&[0x08, 5, 0x10, 1][..], &msg(0x22, &[0x08, 1, 0x08, 5])].concat(),
            [&[0x08, 6][..], &line(4, 1), &[0x10, 1], &line(5, 1)].concat(),
            vec![0x08, 7],
            [&[0x08, 8, 0x28, 0][..], &line(4, 1)].concat(),
        ];
        let mut data = Vec::new();
        for f in functions {
            data.extend(msg(0x2a, f));
        }
        for l in &locations {
            data.extend(msg(0x22, l));
        }
        data.extend(msg(0x32, b""));
        data.extend(msg(0x32, b"a"));
        data.extend(msg(0x32, b"b"));
        let d = quick(&data).unwrap();
        assert_eq!(Some(&d), general(&data).ok().as_ref());
        let ids: Vec<u64> = d.functions.iter().map(|f| f.id).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
        let ids: Vec<u64> = d.locations.iter().map(|l| l.id).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(d.line_funcs, [1, 2, 3, 1, 2, 5, 4, 5, 4]);
        // Truncated inside each part: declined or read as the general
        // decoder reads it.
        for n in 0..data.len() {
            if let Some(d) = quick(&data[..n]) {
                assert_eq!(Some(d), general(&data[..n]).ok(), "{n}");
            }
        }
    }
}
