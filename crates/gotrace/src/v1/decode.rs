//! Decoding one Go 1.11–1.21 event from the wire: its type byte, its
//! varint arguments (inline or length-prefixed) and the inline strings of
//! string and log events, with Go's error messages.

use super::source::{Bytes, MAX_EVENT, MAX_PLAIN, Window};
use super::spec::*;
use crate::bytes::uvarint;
use crate::error::{Error, Result};
use crate::table::Table;

pub(crate) const ERR_VARINT: &str = "malformatted base-128 varint";
pub(crate) const ERR_TIME_ORDER: &str = "time stamps out of order";

/// A cursor over part of the trace's bytes after the header.
pub(crate) struct Decoder<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) off: usize,
    /// Offset of `data[0]` in the bytes after the header.
    pub(crate) base: usize,
}

/// The most values a plain event has (see [`Decoder::plain`]).
pub(crate) const PLAIN_MAX: usize = 8;

/// Offset of the data's first byte in the input (the 16-byte header is not
/// in it).
pub(crate) const BASE: u64 = 16;

/// One raw event: type and values as on the wire.
#[derive(Default)]
pub(crate) struct Raw {
    pub(crate) typ: u8,
    pub(crate) args: Vec<u64>,
    /// The inline string of a UserLog.
    pub(crate) text: Vec<u8>,
    pub(crate) off: u64,
}

/// For one version, the number of values of a plain event (see
/// [`Decoder::plain`]) of each type, 0 for types never plain.
pub(crate) struct PlainTypes {
    want: [u8; 64],
}

impl PlainTypes {
    pub(crate) fn new(ver: u32) -> PlainTypes {
        let mut want = [0; 64];
        for typ in 1..EV_COUNT {
            if !matches!(typ, EV_STRING | EV_BATCH | EV_STACK | EV_USER_LOG)
                && desc(typ).min_version <= ver
            {
                want[usize::from(typ)] = wire_args(typ) as u8;
            }
        }
        PlainTypes { want }
    }
}

/// The length of the well-formed varint at the start of `b` (from one
/// load when the data goes on for 8 bytes and the varint ends in them).
#[inline(always)]
fn varint_len(b: &[u8]) -> Option<usize> {
    if let Some(w) = b.first_chunk::<8>() {
        let ends = !u64::from_le_bytes(*w) & 0x8080_8080_8080_8080;
        if ends != 0 {
            return Some(ends.trailing_zeros() as usize / 8 + 1);
        }
    }
    uvarint(b).ok().map(|(_, n)| n)
}

impl<'a> Decoder<'a> {
    fn val(&mut self) -> std::result::Result<u64, ()> {
        let (v, n) = uvarint(&self.data[self.off..]).map_err(|_| ())?;
        self.off += n;
        Ok(v)
    }

    fn bytes(&mut self, n: u64) -> Option<&'a [u8]> {
        let n = usize::try_from(n).ok()?;
        let end = self.off.checked_add(n).filter(|&e| e <= self.data.len())?;
        let s = &self.data[self.off..end];
        self.off = end;
        Some(s)
    }

    /// Decodes the next event into `vals` if it is a plain one: not a
    /// string, batch, stack or log event, its type known to the version of
    /// `types`, its values well formed and as many as its type has. Gives
    /// its type and number of values; `None`, with nothing consumed, for
    /// any other event, which [`Decoder::next`] then reads with its checks.
    #[inline(always)]
    pub(crate) fn plain(
        &mut self,
        types: &PlainTypes,
        vals: &mut [u64; PLAIN_MAX],
    ) -> Option<(u8, usize)> {
        let data = self.data;
        let mut off = self.off;
        let b = *data.get(off)?;
        off += 1;
        let typ = b & 0x3f;
        let want = usize::from(types.want[usize::from(typ)]);
        if want == 0 {
            return None;
        }
        let narg = usize::from(b >> 6) + 1;
        if narg <= 3 {
            if narg != want {
                return None;
            }
            for v in vals.iter_mut().take(narg) {
                let (x, k) = uvarint(data.get(off..)?).ok()?;
                *v = x;
                off += k;
            }
        } else {
            let (len, k) = uvarint(data.get(off..)?).ok()?;
            off += k;
            let end = off.checked_add(usize::try_from(len).ok().filter(|&l| l <= 2048)?)?;
            let blob = data.get(off..end)?;
            let mut n = 0;
            let mut at = 0;
            while at < blob.len() {
                let (x, k) = uvarint(&blob[at..]).ok()?;
                *vals.get_mut(n)? = x;
                n += 1;
                at += k;
            }
            if n != want {
                return None;
            }
            off = end;
        }
        self.off = off;
        Some((typ, want))
    }

    /// Steps over the next event if it is a plain one (see
    /// [`Decoder::plain`]) with its values inline, of a type not in the
    /// bit set `keep`. Gives its type; `None`, with nothing consumed, for
    /// any other event.
    #[inline(always)]
    pub(crate) fn skip_plain(&mut self, types: &PlainTypes, keep: u64) -> Option<u8> {
        let data = self.data;
        let mut off = self.off;
        let b = *data.get(off)?;
        off += 1;
        let typ = b & 0x3f;
        let narg = b >> 6;
        if narg == 3 || narg + 1 != types.want[usize::from(typ)] || keep & (1 << typ) != 0 {
            return None;
        }
        for _ in 0..=narg {
            off += varint_len(data.get(off..)?)?;
        }
        self.off = off;
        Some(typ)
    }

    /// Reads the next event into `raw`; `Ok(false)` at end of input. With
    /// `strings`, string events are added to it.
    pub(crate) fn next(
        &mut self,
        ver: u32,
        raw: &mut Raw,
        strings: Option<&mut Table>,
    ) -> Result<bool> {
        let at = BASE + (self.base + self.off) as u64;
        let Some(&b) = self.data.get(self.off) else {
            return Ok(false);
        };
        self.off += 1;
        let typ = b & 0x3f;
        let narg = usize::from(b >> 6) + 1;
        if typ == 0 || typ >= EV_COUNT || desc(typ).min_version > ver {
            return Err(Error::at(at, format!("unknown event type {typ}")));
        }
        raw.typ = typ;
        raw.off = at;
        raw.args.clear();
        raw.text.clear();
        let eof = "failed to read trace: unexpected EOF";
        match typ {
            EV_STRING => {
                let id = self.val().map_err(|_| Error::at(at, ERR_VARINT))?;
                if id == 0 {
                    return Err(Error::at(at, "string has invalid id 0"));
                }
                if strings.as_deref().is_some_and(|t| t.has_string(id)) {
                    return Err(Error::at(at, format!("string has duplicate id {id}")));
                }
                let len = self.val().map_err(|_| Error::at(at, ERR_VARINT))?;
                if len == 0 {
                    return Err(Error::at(at, "string has invalid length 0"));
                }
                if len > 1_000_000 {
                    return Err(Error::at(at, format!("string has too large length {len}")));
                }
                let s = self.bytes(len).ok_or_else(|| Error::at(at, eof))?;
                if let Some(t) = strings {
                    t.room_for_string()
                        .map_err(|e| Error::at(at, e.to_string()))?;
                    t.add_string(id, s);
                }
                raw.args.push(id);
            }
            EV_BATCH => {
                if narg != 2 {
                    let msg = format!("EvBatch has wrong number of arguments: got {narg}, want 2");
                    return Err(Error::at(at, msg));
                }
                for _ in 0..2 {
                    raw.args
                        .push(self.val().map_err(|_| Error::at(at, ERR_VARINT))?);
                }
                let pid = raw.args[0];
                if pid != u64::MAX && pid > i32::MAX as u64 {
                    let msg = format!("processor ID {pid} is larger than maximum of {}", i32::MAX);
                    return Err(Error::at(at, msg));
                }
            }
            _ if narg <= 3 => {
                for _ in 0..narg {
                    let v = self.val().map_err(|_| {
                        Error::at(
                            at,
                            format!("failed to read event {typ} argument: {ERR_VARINT}"),
                        )
                    })?;
                    raw.args.push(v);
                }
            }
            _ => {
                let len = self.val().map_err(|_| {
                    Error::at(
                        at,
                        format!("failed to read event {typ} argument: {ERR_VARINT}"),
                    )
                })?;
                if len > 2048 {
                    let msg = format!(
                        "failed to read event {typ} argument: length-prefixed argument too big: {len} bytes, limit is 2048"
                    );
                    return Err(Error::at(at, msg));
                }
                let mut buf = self.bytes(len).ok_or_else(|| Error::at(at, eof))?;
                while !buf.is_empty() {
                    let (v, n) = uvarint(buf).map_err(|_| Error::at(at, ERR_VARINT))?;
                    raw.args.push(v);
                    buf = &buf[n..];
                }
                if typ == EV_USER_LOG {
                    let len = self.val().map_err(|_| Error::at(at, ERR_VARINT))?;
                    if len > 1_000_000 {
                        return Err(Error::at(at, format!("string is too large (len={len})")));
                    }
                    let s = self.bytes(len).ok_or_else(|| Error::at(at, eof))?;
                    raw.text.extend_from_slice(s);
                }
            }
        }
        Ok(true)
    }
}

pub(crate) fn batch_p(raw: &Raw) -> i32 {
    if raw.args[0] == u64::MAX {
        -1
    } else {
        raw.args[0] as i32
    }
}

pub(crate) fn check_arg_count(raw: &Raw) -> Result<()> {
    let want = if raw.typ == EV_STACK {
        raw.args.len()
    } else {
        wire_args(raw.typ)
    };
    if raw.args.len() != want {
        let name = if raw.typ == EV_CPU_SAMPLE {
            "CPU sample"
        } else {
            desc(raw.typ).name
        };
        let msg = format!(
            "{name} has wrong number of arguments: want {want}, got {}",
            raw.args.len()
        );
        return Err(Error::at(raw.off, msg));
    }
    Ok(())
}

/// Reads the event at data offset `off` (before `end`) into `raw` with
/// [`Decoder::next`] through the window `win` on `bytes`, reading the
/// window again, longer, if the event may go on past it. Gives the offset
/// after the event; `None` at `end` or the end of the data.
pub(crate) fn next_in(
    win: &mut Window,
    bytes: &Bytes,
    off: usize,
    end: usize,
    ver: u32,
    raw: &mut Raw,
    mut strings: Option<&mut Table>,
) -> Result<Option<usize>> {
    let mut want = MAX_PLAIN;
    loop {
        let data = win.get(bytes, off, end, want)?;
        let mut dec = Decoder {
            data,
            off: 0,
            base: off,
        };
        let read = dec.next(ver, raw, strings.as_deref_mut());
        let used = dec.off;
        match read {
            Ok(true) => return Ok(Some(off + used)),
            Ok(false) | Err(_) if want < MAX_EVENT && win.short(bytes, off, end) => {
                want = MAX_EVENT;
            }
            Ok(false) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}
