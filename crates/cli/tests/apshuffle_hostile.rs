//! apshuffle on hostile piles: special files where profiles should be,
//! decompression bombs, `_link` entries that are not apshuffle's, and flag
//! values no profile knows. Each case is skipped or refused with a message
//! naming it, and the rest of the pile is still ranked.

mod apshuffle_common;

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use apshuffle_common::*;

/// The first generated zip of process 4103 (at the pile's root).
const ZIP: &str = "1-6b080e12-00112233445566778899aabb-4103-001.zip";

/// A meta for a made-up process, so that edited bundles are not duplicates.
fn meta(proc: &str) -> String {
    format!(
        r#"{{"main":"m","revision":"","go_version":"go1.25","hostname":"h","proc_id":"{proc}","init_time":"2026-11-26T10:00:00.000Z","capture_time":"2026-11-26T11:00:00.000Z"}}"#
    )
}

/// Extracts the generated bundle [`ZIP`] into `dir` with a meta of its own.
fn folder_bundle(dir: &Path, proc: &str) {
    let mut z = zip::ZipArchive::new(File::open(pile("gen").join(ZIP)).unwrap()).unwrap();
    z.extract(dir).unwrap();
    std::fs::write(dir.join("meta"), meta(proc)).unwrap();
}

/// Runs apshuffle with `-C dir`, `args` and `env`, killing it (and failing
/// the test) if it takes more than 60 seconds.
fn run_bounded(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_apshuffle"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("apshuffle {args:?} still running after 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn mkfifo(path: &Path) {
    let s = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(s.success());
}

#[test]
fn a_fifo_in_a_bundle_is_skipped_and_named_not_waited_on() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_pile(&pile("gen"), root);
    let b = root.join("fifo");
    folder_bundle(&b, "p-fifo");
    std::fs::remove_file(b.join("pprof/goroutine")).unwrap();
    mkfifo(&b.join("pprof/goroutine"));

    let clean = stdout(&run(&pile("gen"), &["-profile-sort=goroutine"]));
    let o = run_bounded(root, &["-profile-sort=goroutine"], &[]);
    assert_eq!(stdout(&o), clean, "the other bundles are still ranked");
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("skipped fifo: fifo/pprof/goroutine: not a regular file"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// Gzips `data`.
fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn decompression_bombs_are_refused_at_the_limit_and_the_rest_ranked() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_pile(&pile("gen"), root);
    // A gzipped profile of 8 MiB of zeros, in a folder bundle.
    let b = root.join("gzbomb");
    folder_bundle(&b, "p-gzbomb");
    std::fs::write(b.join("pprof/goroutine"), gz(&vec![0; 8 << 20])).unwrap();
    // A zip bundle whose (deflated) goroutine member is 8 MiB of zeros.
    let mut w = zip::ZipWriter::new(File::create(root.join("zipbomb.zip")).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("meta", opts).unwrap();
    w.write_all(meta("p-zipbomb").as_bytes()).unwrap();
    w.start_file("pprof/goroutine", opts).unwrap();
    w.write_all(&vec![0; 8 << 20]).unwrap();
    w.finish().unwrap();

    let clean = stdout(&run(&pile("gen"), &["-profile-sort=goroutine"]));
    let limit = [("TOOLBOX_MAX_DECOMPRESSED", "1M")];
    let o = run_bounded(root, &["-profile-sort=goroutine"], &limit);
    assert_eq!(stdout(&o), clean, "the other bundles are still ranked");
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    let says = "larger than the limit of 1048576 bytes (raise it with TOOLBOX_MAX_DECOMPRESSED=";
    assert!(
        err.contains(&format!(
            "skipped gzbomb: pprof/goroutine: decompressing profile: {says}"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "skipped zipbomb.zip: zip member pprof/goroutine: {says}"
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
    // Raised past their size, they are read (and are no profiles).
    let o = run_bounded(
        root,
        &["-profile-sort=goroutine"],
        &[("TOOLBOX_MAX_DECOMPRESSED", "16M")],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("limit") && err.lines().count() == 2, "{err}");
}

/// Extracts the generated pile's bundles into folders under `root`.
fn folder_pile(root: &Path) -> std::path::PathBuf {
    let pile_dir = root.join("pile");
    extract_pile(&pile("gen"), &pile_dir);
    pile_dir
}

#[test]
fn write_links_skips_a_link_folder_that_is_not_its_own_and_writes_nothing_outside() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = folder_pile(&tmp.path().join("clean"));
    assert_eq!(run(&clean, &["-write-links"]).status.code(), Some(0));
    let want = links(&clean);
    assert!(want.lines().count() > 6, "{want}");

    let root = folder_pile(&tmp.path().join("hostile"));
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    // Bundles of process 4103 in walk order: -000 has only a next link,
    // -001 and -002 have both.
    let b = |n: u32| root.join(format!("1-6b080e12-00112233445566778899aabb-4103-{n:03}"));
    std::os::unix::fs::symlink(&outside, b(0).join("_link")).unwrap();
    std::fs::write(b(1).join("_link"), "user data").unwrap();
    std::fs::create_dir(b(2).join("_link")).unwrap();
    std::fs::write(b(2).join("_link/notes"), "user data").unwrap();

    let o = run_bounded(&root, &["-write-links"], &[]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 3, "{err}");
    for (n, why) in [
        (0, "_link is a symlink"),
        (1, "_link is not a folder"),
        (2, "_link holds notes"),
    ] {
        let name = b(n).file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            err.contains(&format!("skipped {name}: not writing links: {why}")),
            "{err}"
        );
    }
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        0,
        "written outside -C"
    );
    assert_eq!(std::fs::read(b(1).join("_link")).unwrap(), b"user data");
    assert_eq!(
        std::fs::read(b(2).join("_link/notes")).unwrap(),
        b"user data"
    );
    // Every other bundle got its links.
    let skipped = |l: &&str| {
        (0..3).any(|n| l.starts_with(&*b(n).strip_prefix(&root).unwrap().to_string_lossy()))
    };
    let got = links(&root);
    let others: Vec<&str> = want.lines().filter(|l| !skipped(l)).collect();
    let got_others: Vec<&str> = got.lines().filter(|l| !skipped(l)).collect();
    assert_eq!(got_others, others);
    assert!(others.len() > 3);
}

#[test]
fn parallel_write_links_runs_never_fail_each_other() {
    let tmp = tempfile::tempdir().unwrap();
    let root = folder_pile(tmp.path());
    assert_eq!(run(&root, &["-write-links"]).status.code(), Some(0));
    let want = links(&root);
    for _ in 0..10 {
        let runs: Vec<_> = (0..4)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_apshuffle"))
                    .arg("-C")
                    .arg(&root)
                    .arg("-write-links")
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for r in runs {
            let o = r.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
    }
    assert_eq!(links(&root), want);
}
