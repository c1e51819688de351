//! Fuzzes regiongraph's pattern files (`-patterns FILE`, TOML): any text
//! added to the built-in patterns must compile or give an error, never a
//! panic; a `when` condition alone goes through the condition parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regions::cond::Cond;
use regions::patterns::PatternDefs;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Cond::parse(text);
    let mut defs = PatternDefs::builtin();
    if defs.add(text).is_ok() {
        let _ = defs.compile();
    }
});
