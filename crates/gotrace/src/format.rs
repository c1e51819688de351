//! Text renderings of events exactly as Go prints them: the one-line form
//! of `Event.String()` (the first line of `go tool trace -d=parsed`, its
//! strings quoted by [`gocompat::quote`]) and the frame lines etgrep prints
//! with `-stacks`.

use crate::event::{Event, EventKind, ExperimentalArg, Resource, Transition};
use gocompat::quote::{quote, quote_body};

/// The event's line as Go's `Event.String()` starts it, without a newline.
pub fn event_line(ev: &Event<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    write_event_line(ev, &mut out);
    out
}

/// Appends `v` in decimal.
#[inline]
fn int(out: &mut Vec<u8>, v: impl Decimal) {
    v.append(out);
}

/// Integers as [`int`] writes them.
trait Decimal {
    fn append(self, out: &mut Vec<u8>);
}

impl Decimal for u64 {
    /// One or two digits (most IDs, procs and threads) are written without
    /// a call.
    #[inline]
    fn append(self, out: &mut Vec<u8>) {
        if self < 10 {
            out.push(b'0' + self as u8);
        } else if self < 100 {
            out.extend_from_slice(&[b'0' + (self / 10) as u8, b'0' + (self % 10) as u8]);
        } else {
            out.extend_from_slice(itoa::Buffer::new().format(self).as_bytes());
        }
    }
}

impl Decimal for i64 {
    #[inline]
    fn append(self, out: &mut Vec<u8>) {
        if self < 0 {
            out.push(b'-');
        }
        self.unsigned_abs().append(out);
    }
}

fn value(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(b"Value{Uint64(");
    int(out, v);
    out.extend_from_slice(b")}");
}

fn resource(out: &mut Vec<u8>, r: Resource) {
    let (name, id) = match r {
        Resource::None => return out.extend_from_slice(b"None"),
        Resource::Goroutine(id) => ("Goroutine(", id),
        Resource::Proc(id) => ("Proc(", id),
        Resource::Thread(id) => ("Thread(", id),
    };
    out.extend_from_slice(name.as_bytes());
    int(out, id);
    out.push(b')');
}

/// Appends the event's line (Go's `Event.String()` up to its first
/// newline) to `out`, without a newline.
pub fn write_event_line(ev: &Event<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(b"M=");
    int(out, ev.thread());
    out.extend_from_slice(b" P=");
    int(out, ev.proc());
    out.extend_from_slice(b" G=");
    int(out, ev.goroutine());
    out.push(b' ');
    let kind = ev.kind();
    out.extend_from_slice(kind.name().as_bytes());
    out.extend_from_slice(b" Time=");
    int(out, ev.time());
    match kind {
        EventKind::Metric => metric(ev, out),
        EventKind::Label => label(ev, out),
        EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => range(ev, out),
        EventKind::TaskBegin | EventKind::TaskEnd => task(ev, out),
        EventKind::RegionBegin | EventKind::RegionEnd => region(ev, out),
        EventKind::Log => log(ev, out),
        EventKind::StateTransition => state_transition(ev, out),
        EventKind::Experimental => experimental(ev, out),
        EventKind::Sync => sync(ev, out),
        EventKind::StackSample | EventKind::Bad => {}
    }
}

fn metric(ev: &Event<'_>, out: &mut Vec<u8>) {
    let m = ev.metric().expect("Metric event");
    out.extend_from_slice(b" Name=");
    quote(out, m.name.as_bytes());
    out.extend_from_slice(b" Value=");
    value(out, m.value);
}

fn label(ev: &Event<'_>, out: &mut Vec<u8>) {
    let (_, resource_of) = ev.label().expect("Label event");
    out.extend_from_slice(b" Label=");
    quote(out, ev.label_bytes());
    out.extend_from_slice(b" Resource=");
    resource(out, resource_of);
}

fn range(ev: &Event<'_>, out: &mut Vec<u8>) {
    let r = ev.range().expect("Range event");
    out.extend_from_slice(b" Name=");
    if let crate::RangeName::StopTheWorld(_) = r.name {
        out.extend_from_slice(b"\"stop-the-world (");
        quote_body(out, ev.stw_kind_bytes());
        out.extend_from_slice(b")\"");
    } else {
        quote(out, r.name.to_cow().as_bytes());
    }
    out.extend_from_slice(b" Scope=");
    resource(out, r.scope);
    if ev.kind() == EventKind::RangeEnd {
        out.extend_from_slice(b" Attributes=[");
        for (i, name) in ev.range_attributes().iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            quote(out, name.as_bytes());
            out.push(b'=');
            value(out, ev.range_attribute_value(i));
        }
        out.push(b']');
    }
}

fn task(ev: &Event<'_>, out: &mut Vec<u8>) {
    let t = ev.task().expect("Task event");
    out.extend_from_slice(b" ID=");
    int(out, t.id);
    out.extend_from_slice(b" Parent=");
    int(out, t.parent);
    out.extend_from_slice(b" Type=");
    quote(out, ev.task_name_bytes());
}

fn region(ev: &Event<'_>, out: &mut Vec<u8>) {
    let r = ev.region().expect("Region event");
    out.extend_from_slice(b" Task=");
    int(out, r.task);
    out.extend_from_slice(b" Type=");
    quote(out, ev.region_name_bytes());
}

fn log(ev: &Event<'_>, out: &mut Vec<u8>) {
    let l = ev.log().expect("Log event");
    out.extend_from_slice(b" Task=");
    int(out, l.task);
    out.extend_from_slice(b" Category=");
    quote(out, ev.log_category_bytes());
    out.extend_from_slice(b" Message=");
    quote(out, ev.log_message_bytes());
}

fn state_transition(ev: &Event<'_>, out: &mut Vec<u8>) {
    let st = ev.state_transition().expect("StateTransition event");
    let (label, id, from, to) = match st.transition {
        Transition::Goroutine { id, from, to } => (" GoID=", id, from.name(), to.name()),
        Transition::Proc { id, from, to } => (" ProcID=", id, from.name(), to.name()),
    };
    out.extend_from_slice(label.as_bytes());
    int(out, id);
    out.push(b' ');
    out.extend_from_slice(from.as_bytes());
    out.extend_from_slice(b"->");
    out.extend_from_slice(to.as_bytes());
    out.extend_from_slice(b" Reason=");
    quote(out, ev.reason_bytes());
}

fn experimental(ev: &Event<'_>, out: &mut Vec<u8>) {
    let x = ev.experimental().expect("Experimental event");
    out.extend_from_slice(b" Name=");
    out.extend_from_slice(x.name.as_bytes());
    out.extend_from_slice(b" Args=[");
    for (i, name) in x.arg_names.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        out.extend_from_slice(name.as_bytes());
        out.push(b'=');
        match x.arg(i) {
            ExperimentalArg::Uint64(v) => value(out, v),
            ExperimentalArg::String(s) => out.extend_from_slice(s.as_bytes()),
        }
    }
    out.push(b']');
}

fn sync(ev: &Event<'_>, out: &mut Vec<u8>) {
    let s = ev.sync().expect("Sync event");
    out.extend_from_slice(b" N=");
    int(out, s.n);
    if let Some(c) = s.clock {
        out.extend_from_slice(b" Trace=");
        int(out, c.trace);
        out.extend_from_slice(b" Mono=");
        int(out, c.mono);
        out.extend_from_slice(b" Wall=");
        rfc3339_nano(out, c.wall_sec, c.wall_nsec);
    }
}

/// An event shows as its line.
impl std::fmt::Debug for Event<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&event_line(self)))
    }
}

/// Appends one `  <pc> <func> <file>:<line>` line per frame of the
/// event's stack, leaf first, as etgrep's `-stacks` prints them.
pub fn write_stack_lines(ev: &Event<'_>, out: &mut Vec<u8>) {
    let mut hex = [0u8; 16];
    for f in ev.stack().frames() {
        out.extend_from_slice(b"  ");
        out.extend_from_slice(lower_hex(f.pc(), &mut hex));
        out.push(b' ');
        out.extend_from_slice(f.func_bytes());
        out.push(b' ');
        out.extend_from_slice(f.file_bytes());
        out.push(b':');
        int(out, f.line() as i64);
        out.push(b'\n');
    }
}

/// The `-stacks` lines of each stack met, rendered once: a trace shows the
/// same stacks over and over, and copying a stack's lines whole costs a
/// fraction of rendering them frame by frame. Stack IDs name stacks within
/// one generation only: call [`StackLines::clear`] at every Sync event.
#[derive(Debug, Default)]
pub struct StackLines {
    /// Stack ID → where its lines are in `text`.
    spans: rustc_hash::FxHashMap<u64, (usize, usize)>,
    text: Vec<u8>,
}

/// The most bytes of lines kept; past it, the stacks met so far are
/// forgotten (a trace whose stacks are almost all different gains nothing
/// from keeping them).
const STACK_LINES_MAX: usize = 64 << 20;

impl StackLines {
    /// A cache that knows no stack yet.
    pub fn new() -> StackLines {
        StackLines::default()
    }

    /// Forgets every stack: their IDs may name other stacks from here on
    /// (after a Sync event, in a new generation).
    pub fn clear(&mut self) {
        self.spans.clear();
        self.text.clear();
    }

    /// Appends what [`write_stack_lines`] appends for `ev`.
    #[inline]
    pub fn write(&mut self, ev: &Event<'_>, out: &mut Vec<u8>) {
        let id = ev.stack().id();
        if let Some(&(start, end)) = self.spans.get(&id) {
            out.extend_from_slice(&self.text[start..end]);
            return;
        }
        if self.text.len() > STACK_LINES_MAX {
            self.clear();
        }
        let start = self.text.len();
        write_stack_lines(ev, &mut self.text);
        let end = self.text.len();
        self.spans.insert(id, (start, end));
        out.extend_from_slice(&self.text[start..end]);
    }
}

fn lower_hex(mut v: u64, buf: &mut [u8; 16]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(v & 15) as usize];
        v >>= 4;
        if v == 0 {
            return &buf[i..];
        }
    }
}

/// Appends a wall-clock time as Go's `time.RFC3339Nano` formats it, in
/// the local time zone (the `TZ` variable or the system's zone), as Go's
/// `time.Unix(sec, nsec)` shows it.
fn rfc3339_nano(out: &mut Vec<u8>, sec: i64, nsec: i64) {
    use std::io::Write;
    let sec = sec.saturating_add(nsec.div_euclid(1_000_000_000));
    let nsec = nsec.rem_euclid(1_000_000_000) as i32;
    let tz = jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC);
    let Ok(ts) = jiff::Timestamp::new(sec, nsec) else {
        let _ = write!(out, "{sec}.{nsec:09}");
        return;
    };
    let offset = tz.to_offset(ts);
    let dt = offset.to_datetime(ts);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    if nsec != 0 {
        let frac = format!("{nsec:09}");
        out.push(b'.');
        out.extend_from_slice(frac.trim_end_matches('0').as_bytes());
    }
    let secs = offset.seconds();
    if secs == 0 {
        out.push(b'Z');
    } else {
        let sign = if secs < 0 { '-' } else { '+' };
        let a = secs.unsigned_abs();
        let _ = write!(out, "{sign}{:02}:{:02}", a / 3600, a / 60 % 60);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_time() {
        // SAFETY-free: set TZ only for this process's formatting; jiff reads it.
        let mut out = Vec::new();
        rfc3339_nano(&mut out, 0, 0);
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("19") || s.starts_with("1970"), "{s}");
        assert_eq!(lower_hex(0x6c51ea, &mut [0; 16]), b"6c51ea");
        assert_eq!(lower_hex(0, &mut [0; 16]), b"0");
    }

    #[test]
    fn decimals_as_go_prints_them() {
        let mut out = Vec::new();
        for v in [0, 9, 10, 99, 100, -1, -10, -100, i64::MIN, i64::MAX] {
            int(&mut out, v);
            out.push(b' ');
        }
        for v in [99u64, 100, u64::MAX] {
            int(&mut out, v);
            out.push(b' ');
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0 9 10 99 100 -1 -10 -100 -9223372036854775808 9223372036854775807 \
             99 100 18446744073709551615 "
        );
    }
}
