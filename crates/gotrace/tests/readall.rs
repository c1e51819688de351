//! The `readall` example against `go-readall` (Go's own parser reading every
//! event and touching every frame, `../shared/tools/go-readall/`): the two
//! numbers it prints, recorded from go-readall (built from Go 1.27's
//! `internal/trace`) on committed fixtures of the old and the new formats.

#[allow(dead_code)] // its `main` is the example's
#[path = "../examples/readall.rs"]
mod readall;

use testkit::testdata;

/// (fixture, events, frame checksum) as go-readall printed them.
const RECORDED: [(&str, u64, i64); 9] = [
    ("go1.11-tasks.trace", 33, 10243),
    ("go1.19.trace", 17706, 10594992),
    ("go1.21.trace", 11029, 6544208),
    ("http-go1.21.trace", 21579, 59312588),
    ("go1.22.trace", 15155, 14143594),
    ("go1.25.trace", 13337, 11588374),
    ("http-go1.25.trace", 48971, 88292364),
    ("go1.26.trace", 21127, 21669856),
    ("go1.27.trace", 15833, 18706830),
];

#[test]
fn readall_prints_what_go_readall_prints() {
    for (name, events, frames) in RECORDED {
        let path = testdata().join("traces").join(name);
        let got = readall::read_all(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, (events, frames), "{name}");
    }
}
