//! Fuzzes Autoprof zip bundles as apshuffle reads them in place: the input
//! is written as the one zip of a pile, then discovered (central directory
//! and `meta`), ranked by a profile member (decompression under the cap,
//! pprof parsing), checked for a trace and listed by host. Any bytes must
//! give results or skipped-bundle reports, never a panic, a hang or
//! unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static PILE: OnceLock<tempfile::TempDir> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let pile = PILE.get_or_init(|| tempfile::tempdir().expect("a scratch folder"));
    std::fs::write(pile.path().join("1-bundle-000.zip"), data).expect("scratch write");
    let query = autoprof::Query {
        profile: "heap".into(),
        sample_type: "inuse_space".into(),
        filter: pprof::Filter::default(),
    };
    for (hosts, with_trace, count, vs_prev) in [
        (false, true, Some(query.clone()), true),
        (true, false, None, false),
    ] {
        let opts = autoprof::Options {
            root: pile.path().to_owned(),
            with_trace,
            hosts,
            write_links: false,
            count,
            vs_prev,
            json: true,
        };
        let _ = autoprof::run(&opts, std::io::sink());
    }
});
