//! Fuzzes regiongraph's analysis: whatever trace the reader accepts (any
//! format, read from memory as from a pipe), both passes, the span trees,
//! their summaries and the text outputs must finish without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regions::patterns::PatternDefs;
use regions::source::Source;
use std::sync::OnceLock;

static PATTERNS: OnceLock<Vec<regions::patterns::Pattern>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let patterns = PATTERNS.get_or_init(|| PatternDefs::builtin().compile().unwrap());
    let Ok(source) = Source::from_reader(data) else {
        return;
    };
    let Ok(a) = regions::Analysis::run(&source, patterns.clone()) else {
        return;
    };
    let mut sink = std::io::sink();
    for print in [
        regions::text::regions,
        regions::text::chains,
        regions::text::pairs,
    ] {
        print(&a, None, &mut sink).expect("the sink takes everything");
    }
    for tree in a.into_trees() {
        let _ = regions::summary::summarize(&tree);
    }
});
