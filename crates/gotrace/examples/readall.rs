//! Reads every event of a trace and touches every stack frame's function
//! name and line, printing what `go-readall` (Go's own parser doing the same
//! work, in `../shared/tools/go-readall/`) prints: the number of events, and
//! the sum over every event's stack frames of the function name's length in
//! bytes plus the line number. A benchmark of the reader and a conformance
//! check in one.
//!
//! `cargo run --release -p gotrace --example readall -- TRACE`

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: readall TRACE");
        return ExitCode::from(2);
    };
    match read_all(std::path::Path::new(&path)) {
        Ok((events, frames)) => {
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{events} {frames}") {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::FAILURE,
            }
        }
        Err(e) => {
            eprintln!("readall: {}: {e}", path.to_string_lossy());
            ExitCode::FAILURE
        }
    }
}

/// The event count and the frame checksum. Like go-readall, stops quietly at
/// the first error, counting the events read before it.
pub fn read_all(path: &std::path::Path) -> Result<(u64, i64), Box<dyn std::error::Error>> {
    let file = std::fs::File::open(path)?;
    let mut reader = gotrace::Reader::from_source(gotrace::TraceSource::file(file))?;
    let (mut events, mut frames) = (0u64, 0i64);
    while let Ok(Some(ev)) = reader.read_event() {
        events += 1;
        for fr in ev.stack().frames() {
            // Go sums in an `int`: wrap as it does.
            frames = frames
                .wrapping_add(fr.func_bytes().len() as i64)
                .wrapping_add(fr.line() as i64);
        }
    }
    Ok((events, frames))
}
