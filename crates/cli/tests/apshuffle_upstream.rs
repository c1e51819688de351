//! apshuffle's stdout is byte-identical to upstream apshuffle's for every
//! mode in testdata/gen/apshuffle/modes.txt, on two piles of bundles: real
//! ones (testdata/bundles/corpus) and generated ones (testdata/bundles/gen).
//! Upstream's outputs were recorded by testdata/gen/apshuffle/expect.sh on
//! the extracted folders; here the same runs are made on folders extracted
//! from the zips and on the zips read in place.

mod apshuffle_common;

use apshuffle_common::*;

/// `(mode, expected output)` pairs from testdata/bundles/expected/<pile>.txt.
fn cases(pile: &str) -> Vec<(String, String)> {
    let path = repo()
        .join("testdata/bundles/expected")
        .join(format!("{pile}.txt"));
    let text = std::fs::read_to_string(path).unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(mode) = line.strip_prefix("### ") {
            out.push((mode.to_string(), String::new()));
        } else {
            let last = out.last_mut().expect("a header first");
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    assert!(out.len() > 40, "{pile}: too few cases");
    out
}

fn check_folders(pile_name: &str) {
    let tmp = tempfile::tempdir().unwrap();
    extract_pile(&pile(pile_name), tmp.path());
    for (mode, expected) in cases(pile_name) {
        let args: Vec<&str> = mode.split_whitespace().collect();
        let o = run(tmp.path(), &args);
        let mut got = stdout(&o);
        if args.contains(&"-write-links") {
            got.push_str(&links(tmp.path()));
        }
        assert_eq!(got, expected, "{pile_name} folders, mode [{mode}]");
        assert_ne!(o.status.code(), Some(101), "panic in mode [{mode}]");
    }
}

fn check_zips(pile_name: &str) {
    let tmp = tempfile::tempdir().unwrap();
    copy_pile(&pile(pile_name), tmp.path());
    let mut compared = 0;
    for (mode, expected) in cases(pile_name) {
        let args: Vec<&str> = mode.split_whitespace().collect();
        let o = run(tmp.path(), &args);
        if args.contains(&"-write-links") {
            // Nothing can be linked inside zips: no stdout, no links.
            assert_eq!(stdout(&o), "", "mode [{mode}]");
            assert_eq!(links(tmp.path()), "", "mode [{mode}]");
            continue;
        }
        let got = stdout(&o);
        if mode.contains("-profile-sort") && !mode.contains("-hosts") {
            for line in got.lines() {
                let path = line.split(' ').next().unwrap_or("");
                assert!(path.ends_with(".zip"), "zip path expected: {line}");
            }
        }
        assert_eq!(
            unzip_paths(&got),
            expected,
            "{pile_name} zips, mode [{mode}]"
        );
        compared += 1;
    }
    assert!(compared > 40);
}

#[test]
fn corpus_folders_match_upstream() {
    check_folders("corpus");
}

#[test]
fn corpus_zips_match_upstream() {
    check_zips("corpus");
}

#[test]
fn generated_folders_match_upstream() {
    check_folders("gen");
}

#[test]
fn generated_zips_match_upstream() {
    check_zips("gen");
}
