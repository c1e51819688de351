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
    let _ = (
        regions::text::regions(&a),
        regions::text::chains(&a),
        regions::text::pairs(&a),
    );
    for tree in a.into_trees() {
        let _ = regions::summary::summarize(&tree);
    }
});
