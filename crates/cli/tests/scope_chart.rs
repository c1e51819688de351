//! scope_chart against upstream's pictures: byte-identical SVG and
//! pixel-identical PNG for its built-in sample and for scope_tls's lines
//! of the Go 1.21 TLS fixture; input from a file or standard input; errors.

mod common;

use common::{succeeded, testdata};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn expected(name: &str) -> PathBuf {
    testdata().join("expected/scope").join(name)
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scope_chart"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scope_chart");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// Width, height and RGB pixels of a PNG.
fn pixels(path: &Path) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let rgb = match info.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf.chunks(4).flat_map(|p| p[..3].to_vec()).collect(),
        other => panic!("{}: colour type {other:?}", path.display()),
    };
    (info.width, info.height, rgb)
}

fn check(dir: &tempfile::TempDir, args: &[&str], stdin: &[u8], want: &str) {
    let svg = dir.path().join("out.svg");
    let png = dir.path().join("out.png");
    let (s, p) = (svg.to_string_lossy(), png.to_string_lossy());
    let mut all = args.to_vec();
    all.extend(["-svg", &s, "-png", &p]);
    succeeded(run(&all, stdin), &format!("scope_chart {all:?}"));
    let want_svg = std::fs::read_to_string(expected(&format!("{want}.upstream.svg"))).unwrap();
    assert_eq!(std::fs::read_to_string(&svg).unwrap(), want_svg);
    assert_eq!(
        pixels(&png),
        pixels(&expected(&format!("{want}.upstream.png")))
    );
}

#[test]
fn builtin_sample_matches_upstream() {
    let dir = tempfile::tempdir().unwrap();
    check(&dir, &["-sample"], b"", "chart-sample");
}

#[test]
fn tls_lines_match_upstream_from_file_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let input = expected("tls-go1.21.txt");
    let i = input.to_string_lossy();
    check(&dir, &["-input", &i], b"", "chart-tls-go1.21");
    let text = std::fs::read(&input).unwrap();
    check(&dir, &[], &text, "chart-tls-go1.21");
    check(&dir, &["-input", "-"], &text, "chart-tls-go1.21");
}

#[test]
fn errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("x.svg");
    let s = svg.to_string_lossy();
    let out = run(&["-svg", &s], b"no samples here\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no sample lines"));
    assert!(!svg.exists());

    let missing = dir.path().join("missing.txt");
    let m = missing.to_string_lossy();
    let out = run(&["-input", &m, "-svg", &s], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(m.as_ref()));

    let out = run(&["-sample"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-svg"));
}
