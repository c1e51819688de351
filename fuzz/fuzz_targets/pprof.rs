//! Fuzzes the pprof readers: the fast summing path apshuffle uses (raw or
//! gzipped bytes, with and without a sample type and focus/ignore
//! patterns) and the full decode that scope_tls's base profiles go
//! through must give a value or an error, never a panic, a hang or
//! unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use gocompat::re2::Pattern;
use std::sync::OnceLock;

static FILTER: OnceLock<pprof::Filter> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let filter = FILTER.get_or_init(|| pprof::Filter {
        focus: vec![Pattern::new("main").expect("a valid regexp")],
        ignore: Some(Pattern::new("runtime").expect("a valid regexp")),
    });
    let _ = pprof::sum_checked(data, "", &pprof::Filter::default());
    let _ = pprof::sum_checked(data, "alloc_space", filter);
    if let Ok(p) = pprof::Profile::parse(data) {
        let _ = p.sample_type_names();
    }
    let _ = pprof::ProfileBuilder::decode_base(data).map(|b| b.finish_gzip_fastest());
});
