//! Helpers shared by apshuffle's integration tests: running the binary,
//! extracting fixture zips into folders, listing symlinks.

#![allow(dead_code)] // each test file uses its own subset

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fixture pile under testdata/bundles.
pub fn pile(name: &str) -> PathBuf {
    repo().join("testdata/bundles").join(name)
}

/// Runs apshuffle with `-C dir` and `args`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apshuffle"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("running apshuffle")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

/// Every `.zip` under `dir`, relative to it, sorted.
pub fn zips(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(root.join(rel)).unwrap() {
            let e = e.unwrap();
            let rel = rel.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                walk(root, &rel, out);
            } else if rel.extension().is_some_and(|x| x == "zip") {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, Path::new(""), &mut out);
    out.sort();
    out
}

/// Extracts every zip of `from` into `to/<zip path without .zip>`, as
/// users do for upstream apshuffle.
pub fn extract_pile(from: &Path, to: &Path) {
    for z in zips(from) {
        let dest = to.join(z.with_extension(""));
        let mut a = zip::ZipArchive::new(File::open(from.join(&z)).unwrap()).unwrap();
        a.extract(&dest).unwrap();
    }
}

/// Copies the zips of `from` into `to`, keeping their relative paths.
pub fn copy_pile(from: &Path, to: &Path) {
    for z in zips(from) {
        std::fs::create_dir_all(to.join(&z).parent().unwrap()).unwrap();
        std::fs::copy(from.join(&z), to.join(&z)).unwrap();
    }
}

/// Every symlink under `dir` as `path -> target` lines, sorted by path.
pub fn links(dir: &Path) -> String {
    fn walk(root: &Path, rel: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(root.join(rel)).unwrap() {
            let e = e.unwrap();
            let rel = rel.join(e.file_name());
            let ty = e.file_type().unwrap();
            if ty.is_symlink() {
                let t = std::fs::read_link(root.join(&rel)).unwrap();
                out.push(format!("{} -> {}", rel.display(), t.display()));
            } else if ty.is_dir() {
                walk(root, &rel, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, Path::new(""), &mut out);
    out.sort();
    out.iter().map(|l| format!("{l}\n")).collect()
}

/// Replaces `x.zip` by `x` in the first column of every line.
pub fn unzip_paths(s: &str) -> String {
    s.lines()
        .map(|l| match l.split_once(' ') {
            Some((p, rest)) => format!("{} {rest}\n", p.strip_suffix(".zip").unwrap_or(p)),
            None => format!("{}\n", l.strip_suffix(".zip").unwrap_or(l)),
        })
        .collect()
}
