//! The library entry point on the generated fixture pile: `run` ranks zips
//! in place exactly as upstream ranked their extracted folders (recorded in
//! testdata/bundles/expected/gen.txt), and `discover` finds every bundle.

use std::path::{Path, PathBuf};

use autoprof::{Form, Options, Problems, Query, discover};
use gocompat::re2::Pattern;
use pprof::Filter;

fn pile() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/bundles/gen")
}

/// Upstream's stdout for one mode, from the recorded expectations.
fn expected(mode: &str) -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/bundles/expected/gen.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let header = format!("### {mode}\n");
    let start = text.find(&header).unwrap() + header.len();
    let end = text[start..].find("### ").map_or(text.len(), |e| start + e);
    text[start..end].to_string()
}

fn options(count: Option<Query>, vs_prev: bool) -> Options {
    Options {
        root: pile(),
        with_trace: false,
        hosts: false,
        write_links: false,
        count,
        vs_prev,
        json: false,
    }
}

fn run(opts: &Options) -> String {
    let mut out = Vec::new();
    let outcome = autoprof::run(opts, &mut out).unwrap();
    assert_eq!(outcome.skipped, 0);
    String::from_utf8(out).unwrap().replace(".zip ", " ")
}

#[test]
fn ranks_zips_like_upstream_ranked_folders() {
    let q = Query {
        profile: "goroutine".into(),
        sample_type: String::new(),
        filter: Filter {
            focus: vec![
                Pattern::new("main\\.").unwrap(),
                Pattern::new("waitForWork").unwrap(),
            ],
            ignore: None,
        },
    };
    assert_eq!(
        run(&options(Some(q), false)),
        expected("-profile-sort=goroutine -focus=main\\. -focus=waitForWork")
    );
    let q = Query {
        profile: "heap".into(),
        sample_type: "inuse_space".into(),
        filter: Filter::default(),
    };
    assert_eq!(
        run(&options(Some(q), true)),
        expected("-profile-sort=heap -sample-type=inuse_space -vs-prev")
    );
}

#[test]
fn discovers_every_zip_bundle_in_capture_order() {
    let mut problems = Problems::default();
    let bundles = discover(&pile(), &mut problems, false).unwrap();
    assert!(problems.is_empty());
    assert_eq!(bundles.len(), 12);
    assert!(bundles.iter().all(|b| b.form == Form::Zip));
    assert!(
        bundles
            .windows(2)
            .all(|w| w[0].meta.capture_time.nanos < w[1].meta.capture_time.nanos)
    );
    let hosts: std::collections::BTreeSet<&str> =
        bundles.iter().map(|b| b.meta.hostname.as_str()).collect();
    assert_eq!(hosts.len(), 3);
}
