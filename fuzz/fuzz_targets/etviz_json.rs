//! Fuzzes etviz's input (regiongraph's `-json -summarize` lines): any text
//! must be drawn or give an error, never a panic, a hang or unbounded
//! memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(sums) = regions::vizinput::read_summaries(&text) else {
        return;
    };
    for details in [false, true] {
        regions::svg::render(&sums, details, &mut std::io::sink()).expect("the sink takes everything");
    }
});
