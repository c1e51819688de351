//! Helpers for the workspace's tests, used as a dev-dependency only: where
//! the committed fixtures are, reading gzipped expected outputs, and
//! comparing long outputs so that a failure names the first differing line.

use flate2::read::GzDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The repository's `testdata` folder.
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

/// Asserts `got == want`, comparing line by line first so that a failure
/// shows the first differing line, then the line count, then the bytes.
pub fn assert_same(got: &[u8], want: &[u8], what: &str) {
    let got = String::from_utf8_lossy(got);
    let want = String::from_utf8_lossy(want);
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(g, w, "{what}: line {}", i + 1);
    }
    assert_eq!(
        got.lines().count(),
        want.lines().count(),
        "{what}: line count"
    );
    assert_eq!(got, want, "{what}");
}
