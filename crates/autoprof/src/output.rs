//! Printing results: upstream's text lines or one JSON object per line, to
//! a buffered writer that stops quietly when the reader goes away (as when
//! piped into `head`).

use std::borrow::Cow;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;

use serde::Serialize;

use crate::bundle::Bundle;
use crate::paths::display;
use crate::rank::Ranked;

/// A line-oriented writer that treats a broken pipe as the end of output.
pub struct Out<W: Write> {
    w: W,
    closed: bool,
}

impl<W: Write> Out<W> {
    /// Wraps `w`.
    pub fn new(w: W) -> Self {
        Out { w, closed: false }
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.w.write_all(bytes) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            r => r,
        }
    }

    /// Flushes, ignoring a broken pipe.
    pub fn flush(&mut self) -> io::Result<()> {
        match self.w.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            r => r,
        }
    }

    /// `<path> <value>` lines, or JSON objects.
    pub fn ranked(&mut self, rows: &[Ranked<'_>], json: bool) -> io::Result<()> {
        let mut line = Vec::new();
        for r in rows {
            line.clear();
            if json {
                serde_json::to_writer(&mut line, &Record::new(r))?;
            } else {
                line.extend_from_slice(display(&r.bundle.rel).as_bytes());
                write!(line, " {}", r.value)?;
            }
            line.push(b'\n');
            self.write(&line)?;
        }
        Ok(())
    }

    /// One host per line, or `{"hostname":…}` objects.
    pub fn hosts(&mut self, hosts: &[&str], json: bool) -> io::Result<()> {
        for h in hosts {
            let line = if json {
                serde_json::json!({ "hostname": h }).to_string()
            } else {
                h.to_string()
            };
            self.write(line.as_bytes())?;
            self.write(b"\n")?;
        }
        Ok(())
    }
}

/// The JSON form of one counted bundle.
#[derive(Serialize)]
struct Record<'a> {
    path: Cow<'a, str>,
    value: i128,
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<Cow<'a, str>>,
    main: &'a str,
    revision: &'a str,
    go_version: &'a str,
    hostname: &'a str,
    proc_id: &'a str,
    init_time: &'a str,
    capture_time: &'a str,
}

fn path_of(b: &Bundle) -> Cow<'_, str> {
    display(&b.rel).to_string_lossy()
}

impl<'a> Record<'a> {
    fn new(r: &Ranked<'a>) -> Self {
        let m = &r.bundle.meta;
        Record {
            path: path_of(r.bundle),
            value: r.value,
            base: r.base.map(path_of),
            main: &m.main,
            revision: &m.revision,
            go_version: &m.go_version,
            hostname: &m.hostname,
            proc_id: &m.proc_id,
            init_time: &m.init_time.text,
            capture_time: &m.capture_time.text,
        }
    }
}
