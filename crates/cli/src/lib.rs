//! Shared plumbing for the toolbox binaries: Go-style flag spelling on top of
//! clap, and the common way of reporting fatal errors.

pub mod goflags;

use std::process::ExitCode;

/// Ends a tool's run: success, or the error on stderr as `TOOL: message`
/// with exit status 1. A closed output pipe (`... | head`) is a success.
pub fn finish(tool: &str, result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.contains("Broken pipe") => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{tool}: {e}");
            ExitCode::from(1)
        }
    }
}
