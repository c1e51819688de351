//! Fuzzes the parser of an Autoprof bundle's `meta` (JSON): any bytes must
//! give a meta or an error, never a panic or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = autoprof::Meta::parse(data);
});
