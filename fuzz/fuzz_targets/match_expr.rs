//! Fuzzes etgrep's `-match` expressions: any text must parse or give an
//! error, never a panic; a parsed matcher is tried on every event of a
//! small fixture trace.
#![no_main]

use analysis::eventmatch::EventMatcher;
use libfuzzer_sys::fuzz_target;

static TRACE: &[u8] = include_bytes!("../../testdata/traces/go1.22.trace");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(m) = EventMatcher::parse(text) else {
        return;
    };
    let _ = m.is_filter();
    let Ok(mut reader) = gotrace::Reader::new(TRACE) else {
        return;
    };
    while let Ok(Some(ev)) = reader.read_event() {
        let _ = m.kind_matches(&ev) && m.matches(&ev);
    }
});
