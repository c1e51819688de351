//! Expanding arguments on the shipped Autoprof bundles and on bundles
//! made here: what is found, in which order, and what the inputs read.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use traceinput::{Error, expand};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/bundles/corpus")
}

fn bundle(n: &str) -> String {
    corpus()
        .join(format!("1-6b081067-bd1984d2eae7893d2145ec12-27466-{n}.zip"))
        .to_string_lossy()
        .into_owned()
}

/// A zip member's bytes, read by the zip crate.
fn member(zip: &str, name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(File::open(zip).unwrap()).unwrap();
    let mut out = Vec::new();
    z.by_name(name).unwrap().read_to_end(&mut out).unwrap();
    out
}

fn read_all(r: &mut dyn Read) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    r.read_to_end(&mut out).map(|_| out)
}

#[test]
fn a_folder_gives_its_bundles_with_a_trace_in_walk_order() {
    let root = corpus().to_string_lossy().into_owned();
    let names: Vec<String> = expand(&[&root])
        .into_iter()
        .map(|i| i.unwrap().name().to_owned())
        .collect();
    // Of the seven zips, 000 and 002 hold a pprof/trace.
    assert_eq!(names, [bundle("000"), bundle("002")]);
}

#[test]
fn a_zip_member_is_read_in_place_as_often_as_asked() {
    let zip = bundle("002");
    let want = member(&zip, "pprof/trace");
    let input = expand(&[&zip]).pop().unwrap().unwrap();
    assert_eq!(input.name(), zip);
    assert!(input.is_bundle());
    for _ in 0..2 {
        assert!(read_all(&mut input.open().unwrap()).unwrap() == want);
    }
    let open = input.opener();
    assert!(read_all(&mut open().unwrap()).unwrap() == want);
    let profile = input.bundle_profile("profile-during-trace").unwrap();
    assert!(profile.unwrap() == member(&zip, "pprof/profile-during-trace"));
    assert!(input.bundle_profile("nonesuch").unwrap().is_none());
}

#[test]
fn named_inputs_that_are_no_trace_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("x.zip");
    std::fs::write(&plain, b"not a zip").unwrap();
    let plain = plain.to_string_lossy().into_owned();
    let no_trace = bundle("001");
    let got = expand(&[&no_trace, &plain]);
    assert!(matches!(&got[0], Err(Error::NoTrace { path }) if *path == no_trace));
    assert!(matches!(&got[1], Err(Error::Bundle { path, .. }) if *path == plain));
    // The same zip found by a search is reported too (it may be a bundle),
    // and a folder bundle without a trace is skipped.
    std::fs::create_dir(dir.path().join("b")).unwrap();
    std::fs::write(dir.path().join("b/meta"), "{}").unwrap();
    let root = dir.path().to_string_lossy().into_owned();
    let got = expand(&[&root]);
    assert_eq!(got.len(), 1);
    assert!(matches!(&got[0], Err(Error::Bundle { path, .. }) if *path == plain));
    // Any other path is a trace file, read when opened.
    let missing = expand(&["/nonexistent/trace"]).pop().unwrap().unwrap();
    assert!(missing.open().is_err());
}

#[test]
fn a_corrupt_member_fails_at_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.zip");
    let trace = member(&bundle("000"), "pprof/trace");
    let mut z = zip::ZipWriter::new(File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in [("meta", &b"{}"[..]), ("pprof/trace", &trace)] {
        z.start_file(name, stored).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
    let p = path.to_string_lossy().into_owned();
    let input = expand(&[&p]).pop().unwrap().unwrap();
    assert!(read_all(&mut input.open().unwrap()).unwrap() == trace);
    // Flip a byte in the middle of the stored trace.
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.windows(trace.len()).position(|w| w == trace).unwrap() + trace.len() / 2;
    bytes[at] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    let input = expand(&[&p]).pop().unwrap().unwrap();
    let err = read_all(&mut input.open().unwrap()).unwrap_err();
    assert!(err.to_string().contains("corrupt"), "{err}");
}
