//! Helpers shared by the integration tests of the binaries: where the fixtures are, reading gzipped ones, running a
//! binary, and the output of a run that must succeed.

#![allow(dead_code)] // each test file uses its own subset

use flate2::read::GzDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository's testdata folder.
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// The decompressed contents of gzipped file `path`.
pub fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| GzDecoder::new(f).read_to_end(&mut out))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    out
}

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
