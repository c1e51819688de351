//! Shared plumbing for the toolbox binaries: Go-style flag spelling on top
//! of clap, the one error type, the one way to end, and loading region
//! pattern files.
//!
//! Every binary's `main` is `toolbox_cli::main("TOOL", run)`: flags are
//! parsed, `run` does the work and may [`Tool::report`] problems with
//! single inputs and go on, and [`Tool::finish`] turns the outcome into the
//! exit status.

pub mod error;
pub mod goflags;
pub mod outfile;
pub mod patterns;

use std::cell::Cell;
use std::io::Write;
use std::process::ExitCode;

pub use error::Error;

/// A path given on the command line as shown in messages and outputs (not
/// UTF-8: with U+FFFD for the bytes that are not).
pub fn shown(path: &std::ffi::OsStr) -> String {
    path.to_string_lossy().into_owned()
}

/// A running tool: its name, and whether a problem has been reported.
#[derive(Debug)]
pub struct Tool {
    name: &'static str,
    failed: Cell<bool>,
}

impl Tool {
    /// A tool named `name`, nothing reported yet.
    pub fn new(name: &'static str) -> Tool {
        Tool {
            name,
            failed: Cell::new(false),
        }
    }

    /// Reports a problem on standard error as `TOOL: message`; the tool
    /// will exit with status 1.
    pub fn report(&self, e: &Error) {
        self.warn(e);
        self.failed.set(true);
    }

    /// Says something the user needs to know on standard error as
    /// `TOOL: message`, without changing the exit status (a closed
    /// standard error is ignored).
    pub fn warn(&self, message: &dyn std::fmt::Display) {
        let _ = writeln!(std::io::stderr(), "{}: {message}", self.name);
    }

    /// The exit status for `result`: 0 on success, or when standard output
    /// was closed by its reader (`| head`) with no problem reported before;
    /// the status an [`Error::Exit`] names; else 1, the error reported.
    pub fn finish(&self, result: Result<(), Error>) -> ExitCode {
        let ok = || ExitCode::from(u8::from(self.failed.get()));
        match result {
            Ok(()) => ok(),
            Err(e) if e.is_closed_pipe() => ok(),
            Err(Error::Exit(status)) => ExitCode::from(status),
            Err(e) => {
                self.report(&e);
                ExitCode::from(1)
            }
        }
    }
}

/// Runs `work` on many inputs in parallel, each writing its text to the
/// writer it is given, and copies the texts to `out` in argument order,
/// then flushes it. An input that cannot be read, or the error `work`
/// returns after its text, is reported and the others are still
/// processed; a write error on `out` ends the run.
pub fn print_in_order(
    tool: &Tool,
    inputs: Vec<Result<traceinput::Input, traceinput::Error>>,
    out: &mut impl Write,
    work: impl Fn(traceinput::Input, &mut dyn Write) -> Result<(), Error> + Sync,
) -> Result<(), Error> {
    let done = |r: Result<Result<(), Error>, traceinput::Error>| match r {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tool.report(&e),
        Err(e) => tool.report(&e.into()),
    };
    traceinput::stream_in_order(inputs, work, out, done).map_err(Error::Stdout)?;
    out.flush().map_err(Error::Stdout)
}

/// The `main` of every binary: parses the flags (Go's spelling, exit 2 on
/// a usage error), runs `run`, and ends as [`Tool::finish`] says.
pub fn main<F: clap::Parser>(
    name: &'static str,
    run: fn(F, &Tool) -> Result<(), Error>,
) -> ExitCode {
    let tool = Tool::new(name);
    let result = run(goflags::parse(), &tool);
    tool.finish(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn exit_status_by_error_kind_not_text() {
        let tool = Tool::new("t");
        let pipe = || io::Error::new(io::ErrorKind::BrokenPipe, "anything");
        assert_eq!(tool.finish(Ok(())), ExitCode::SUCCESS);
        assert_eq!(tool.finish(Err(Error::Stdout(pipe()))), ExitCode::SUCCESS);
        let write = Error::Write {
            path: "/dev/stdout".into(),
            source: pipe(),
        };
        assert_eq!(tool.finish(Err(write)), ExitCode::SUCCESS);
        // The words alone do not make a closed pipe.
        let words = io::Error::other("Broken pipe");
        assert_eq!(tool.finish(Err(Error::Stdout(words))), ExitCode::from(1));
        assert_eq!(
            Tool::new("t").finish(Err(Error::Exit(3))),
            ExitCode::from(3)
        );
        // Once a problem is reported, the run ends with status 1.
        let tool = Tool::new("t");
        tool.report(&Error::Usage("x".into()));
        assert_eq!(tool.finish(Ok(())), ExitCode::from(1));
        assert_eq!(tool.finish(Err(Error::Stdout(pipe()))), ExitCode::from(1));
    }
}
