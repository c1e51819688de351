//! Region conditions name events of every format alike: the common model's
//! kinds and reasons give the same regions as the Go ≤1.21 names they
//! correspond to, on traces of both formats, and reasons only Go 1.22+
//! traces have find their regions there.

use regions::Analysis;
use regions::output::{Mode, render};
use regions::patterns::PatternDefs;
use regions::source::Source;
use std::path::Path;

/// `-show-regions` lines for one tracker of every goroutine's stacks
/// (`"**"`) whose regions are the single events meeting `activate`.
fn regions(trace: &str, activate: &str) -> String {
    let mut defs = PatternDefs::builtin();
    let file = format!(
        "replace_builtins = true\n[[region]]\nkind = \"x\"\nstacks = [[\"**\"]]\nactivate = {activate:?}\nkeepalive = \"false\"\nallow_single = true\nflush_at_end = true\n"
    );
    defs.add(&file).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../testdata/traces/{trace}"));
    let a = Analysis::run(&Source::open(path).unwrap(), defs.compile().unwrap()).unwrap();
    let mut out = Vec::new();
    render(a, Mode::Regions, None, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn common_names_equal_old_names() {
    let blocks = [
        (
            "match and GoBlockRecv",
            r#"match and StateTransition and "chan receive""#,
        ),
        // Go 1.22+ goroutines also block (not only stop) as preempted.
        (
            "match and GoPreempt",
            r#"match and "preempted" and not GoBlock"#,
        ),
        ("GoBlockCond", r#""sync.(*Cond).Wait""#),
    ];
    let samples = [("match and CPUSample", "match and StackSample")];
    for (trace, pairs) in [
        ("http-go1.21.trace", &blocks[..]),
        ("http-go1.25.trace", &blocks[..]),
        ("go1.21.trace", &samples[..]),
        ("go1.25.trace", &samples[..]),
    ] {
        for &(old, common) in pairs {
            let a = regions(trace, old);
            assert!(!a.is_empty(), "{trace}: no regions for {old}");
            assert_eq!(a, regions(trace, common), "{trace}: {old}");
        }
    }
}

#[test]
fn newer_reasons_find_newer_blocks() {
    let newer = r#"match and "system goroutine wait""#;
    assert!(regions("http-go1.25.trace", newer).lines().count() > 10);
    assert!(regions("http-go1.21.trace", newer).is_empty());
}
