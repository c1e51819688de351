//! Helpers shared by the integration tests of the binaries: the workspace's test kit (fixtures, gzipped outputs, line-by-line comparison), running a
//! binary, and the output of a run that must succeed.

#![allow(dead_code, unused_imports)] // each test file uses its own subset

use std::process::{Command, Output, Stdio};
pub use testkit::{assert_same, gunzip, testdata};

/// Runs binary `bin` (a `CARGO_BIN_EXE_*` path) with `args` and no input.
pub fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {bin}: {e}"))
}

/// The standard output of `out`, a run that must have succeeded; a failure
/// shows `what` and the run's standard error.
pub fn succeeded(out: Output, what: &str) -> Vec<u8> {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
