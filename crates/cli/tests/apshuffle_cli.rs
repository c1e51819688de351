//! apshuffle's behaviour beyond upstream parity: flag spellings, usage and
//! fatal errors, unreadable inputs named on stderr and skipped (exit 3),
//! duplicate bundles, JSON output, exact sums, and broken pipes.

mod apshuffle_common;

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

use apshuffle_common::*;
use zip::write::SimpleFileOptions;

/// The first generated zip of process 4103 (at the pile's root).
const ZIP: &str = "1-6b080e12-00112233445566778899aabb-4103-001.zip";

/// Copies zip `src` to `dst`, passing every member through `edit` (which
/// may change or drop it).
fn rewrite_zip(src: &Path, dst: &Path, edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) {
    let mut a = zip::ZipArchive::new(File::open(src).unwrap()).unwrap();
    std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
    let mut w = zip::ZipWriter::new(File::create(dst).unwrap());
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..a.len() {
        let mut f = a.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if let Some(data) = edit(&name, data) {
            w.start_file(name, opts).unwrap();
            w.write_all(&data).unwrap();
        }
    }
    w.finish().unwrap();
}

/// A meta for a made-up process, so that edited bundles are not duplicates.
fn meta(proc: &str, host: &str) -> Vec<u8> {
    format!(r#"{{"main":"m","revision":"","go_version":"go1.25","hostname":"{host}","proc_id":"{proc}","init_time":"2026-11-26T10:00:00.000Z","capture_time":"2026-11-26T11:00:00.000Z"}}"#).into_bytes()
}

#[test]
fn go_and_gnu_flag_spellings_agree() {
    let dir = pile("gen");
    let want = stdout(&run(&dir, &["-profile-sort=goroutine", "-focus=serveHTTP"]));
    assert_eq!(want.lines().count(), 12);
    for args in [
        &["--profile-sort", "goroutine", "--focus", "serveHTTP"][..],
        &["-profile-sort", "goroutine", "-focus=serveHTTP"],
        &["--profile-sort=goroutine", "-focus", "serveHTTP"],
    ] {
        assert_eq!(stdout(&run(&dir, args)), want, "{args:?}");
    }
    let traced = stdout(&run(&dir, &["-profile-sort=goroutine", "-with-trace"]));
    assert_eq!(traced.lines().count(), 6);
    for b in [
        "-with-trace=true",
        "--with-trace=1",
        "-with-trace=T",
        "--with-trace",
    ] {
        assert_eq!(
            stdout(&run(&dir, &["-profile-sort=goroutine", b])),
            traced,
            "{b}"
        );
    }
    let all = stdout(&run(&dir, &["-profile-sort=goroutine"]));
    assert_eq!(
        stdout(&run(
            &dir,
            &["-profile-sort=goroutine", "-with-trace=false"]
        )),
        all
    );
}

#[test]
fn usage_errors_exit_2_and_fatal_errors_exit_1() {
    let dir = pile("gen");
    for args in [
        &["-ignore=a", "-ignore=b"][..],
        &["-focus=("],
        &["-ignore", "(?=x)"],
        &["-bogus"],
        &["-hosts=maybe"],
    ] {
        let o = run(&dir, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!o.stderr.is_empty(), "{args:?}");
    }
    let o = run(&dir, &["-focus=("]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("focus"));

    let help = Command::new(env!("CARGO_BIN_EXE_apshuffle"))
        .arg("-h")
        .output()
        .unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("profile-sort"));

    let o = run(Path::new("/nonexistent/apshuffle"), &["-hosts"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/apshuffle"));
}

#[test]
fn unreadable_bundles_and_profiles_are_named_and_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_pile(&pile("gen"), root);
    let good = pile("gen").join(ZIP);
    let bad = root.join("bad");
    // A gzip stream corrupted in the middle.
    rewrite_zip(
        &good,
        &bad.join("corrupt-gzip.zip"),
        |name, mut data| match name {
            "meta" => Some(meta("p-corrupt", "corrupt.example.com")),
            "pprof/goroutine" => {
                let n = data.len();
                for b in &mut data[n / 3..n / 2] {
                    *b ^= 0x5a;
                }
                Some(data)
            }
            _ => Some(data),
        },
    );
    // A profile that is not a profile.
    rewrite_zip(&good, &bad.join("garbage.zip"), |name, data| match name {
        "meta" => Some(meta("p-garbage", "garbage.example.com")),
        "pprof/goroutine" => Some(b"goroutine profile: total 3\n".to_vec()),
        _ => Some(data),
    });
    // No goroutine profile: skipped silently, as upstream does.
    rewrite_zip(&good, &bad.join("missing.zip"), |name, data| match name {
        "meta" => Some(meta("p-missing", "missing.example.com")),
        "pprof/goroutine" => None,
        _ => Some(data),
    });
    rewrite_zip(&good, &bad.join("bad-meta.zip"), |name, data| match name {
        "meta" => Some(br#"{"proc_id":"#.to_vec()),
        _ => Some(data),
    });
    // Not a bundle: no meta member. Ignored silently.
    rewrite_zip(&good, &bad.join("not-a-bundle.zip"), |name, data| {
        (name != "meta").then_some(data)
    });
    let whole = std::fs::read(&good).unwrap();
    std::fs::write(bad.join("truncated.zip"), &whole[..whole.len() / 2]).unwrap();
    std::fs::create_dir_all(root.join("badfolder")).unwrap();
    std::fs::write(root.join("badfolder/meta"), "not json").unwrap();

    let clean = stdout(&run(&pile("gen"), &["-profile-sort=goroutine"]));
    let o = run(root, &["-profile-sort=goroutine"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(stdout(&o), clean, "the good bundles are still ranked");
    let err = String::from_utf8_lossy(&o.stderr);
    for named in [
        "bad/corrupt-gzip.zip",
        "bad/garbage.zip",
        "bad/bad-meta.zip",
        "bad/truncated.zip",
        "badfolder",
    ] {
        assert!(err.contains(named), "{named} not named in:\n{err}");
    }
    for silent in ["missing.zip", "not-a-bundle.zip"] {
        assert!(!err.contains(silent), "{silent} named in:\n{err}");
    }
    assert!(err.contains("decompressing profile"), "{err}");
    assert_eq!(err.lines().count(), 5, "{err}");

    // The host list still has the hosts of readable bundles only.
    let o = run(root, &["-hosts"]);
    assert_eq!(o.status.code(), Some(3));
    let hosts = stdout(&o);
    assert!(hosts.contains("missing.example.com") && hosts.contains("corrupt.example.com"));
    assert!(!hosts.contains("\n\n"));
    assert_eq!(run(&pile("gen"), &["-hosts"]).status.code(), Some(0));
}

#[test]
fn duplicates_keep_the_folder_then_the_first_in_walk_order() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let src = pile("gen").join(ZIP);
    std::fs::copy(&src, root.join("a.zip")).unwrap();
    let mut z = zip::ZipArchive::new(File::open(&src).unwrap()).unwrap();
    for d in ["z", "m/x", "n"] {
        z.extract(root.join(d)).unwrap();
    }
    let out = stdout(&run(root, &["-profile-sort=goroutine"]));
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("m/x "), "{out}");
    std::fs::remove_dir_all(root.join("m")).unwrap();
    std::fs::remove_dir_all(root.join("n")).unwrap();
    assert!(stdout(&run(root, &["-profile-sort=goroutine"])).starts_with("z "));
    std::fs::remove_dir_all(root.join("z")).unwrap();
    assert!(stdout(&run(root, &["-profile-sort=goroutine"])).starts_with("a.zip "));
}

#[test]
fn a_bundle_at_the_root_prints_as_dot_and_links_resolve() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let generated = pile("gen");
    let mut z = zip::ZipArchive::new(File::open(generated.join(ZIP)).unwrap()).unwrap();
    z.extract(root).unwrap();
    let next = ZIP.replace("-001.zip", "-002.zip");
    let mut z = zip::ZipArchive::new(File::open(generated.join(&next)).unwrap()).unwrap();
    z.extract(root.join("later")).unwrap();
    let out = stdout(&run(root, &["-profile-sort=goroutine"]));
    assert!(out.lines().any(|l| l.starts_with(". ")), "{out}");
    assert_eq!(run(root, &["-write-links"]).status.code(), Some(0));
    assert_eq!(
        links(root),
        "_link/next -> ../later\nlater/_link/prev -> ../..\n"
    );
    // Links are symlinks, so the walk does not find the bundles twice.
    assert_eq!(stdout(&run(root, &["-profile-sort=goroutine"])), out);
    let via_link = std::fs::read(root.join("later/_link/prev/meta")).unwrap();
    assert_eq!(via_link, std::fs::read(root.join("meta")).unwrap());
}

#[test]
fn json_lines_carry_path_value_and_meta() {
    let dir = pile("gen");
    let text = stdout(&run(&dir, &["-profile-sort=goroutine", "-vs-prev"]));
    let json = stdout(&run(
        &dir,
        &["-profile-sort=goroutine", "-vs-prev", "-json"],
    ));
    assert_eq!(text.lines().count(), json.lines().count());
    assert!(text.lines().count() > 5);
    for (t, j) in text.lines().zip(json.lines()) {
        let v: serde_json::Value = serde_json::from_str(j).unwrap();
        let (path, value) = t.split_once(' ').unwrap();
        assert_eq!(v["path"], path);
        assert_eq!(v["value"].to_string(), value);
        let base = v["base"].as_str().unwrap();
        assert!(base.ends_with(".zip") && base != path);
        assert!(v["proc_id"].as_str().is_some_and(|p| path.contains(p)));
        for key in [
            "main",
            "revision",
            "go_version",
            "hostname",
            "init_time",
            "capture_time",
        ] {
            assert!(v[key].is_string(), "{key} in {j}");
        }
    }
    let hosts = stdout(&run(&dir, &["-hosts", "-json"]));
    let first: serde_json::Value = serde_json::from_str(hosts.lines().next().unwrap()).unwrap();
    assert_eq!(first["hostname"], "db.example.com");
}

#[test]
fn sums_beyond_64_bits_are_exact() {
    use pprof::proto;
    let tmp = tempfile::tempdir().unwrap();
    let mut p = proto::Profile::default();
    let (ty, unit) = (p.intern("goroutine"), p.intern("count"));
    p.sample_type.push(proto::ValueType { r#type: ty, unit });
    for v in [9_000_000_000_000_000_000, 9_000_000_000_000_000_000, 7] {
        p.sample.push(proto::Sample {
            value: vec![v],
            ..Default::default()
        });
    }
    let dir = tmp.path().join("big");
    std::fs::create_dir_all(dir.join("pprof")).unwrap();
    std::fs::write(dir.join("meta"), meta("p-big", "h")).unwrap();
    std::fs::write(dir.join("pprof/goroutine"), p.encode_gzip()).unwrap();
    let mut neg = p.clone();
    for s in &mut neg.sample {
        s.value[0] = -s.value[0];
    }
    let dir = tmp.path().join("neg");
    std::fs::create_dir_all(dir.join("pprof")).unwrap();
    std::fs::write(dir.join("meta"), meta("p-neg", "h")).unwrap();
    // Stored without gzip: accepted as upstream does.
    std::fs::write(
        dir.join("pprof/goroutine"),
        prost::Message::encode_to_vec(&neg),
    )
    .unwrap();
    let out = stdout(&run(tmp.path(), &["-profile-sort=goroutine"]));
    assert_eq!(out, "big 18000000000000000007\nneg -18000000000000000007\n");
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let long = "x".repeat(200);
    for i in 0..2000 {
        let dir = tmp.path().join(format!("b{i:04}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("meta"),
            meta(&format!("p{i}"), &format!("h{i}.{long}")),
        )
        .unwrap();
    }
    let script = format!(
        "'{}' -C '{}' -hosts 2>'{}/err' | head -n 1 > /dev/null; echo ${{PIPESTATUS[0]}}",
        env!("CARGO_BIN_EXE_apshuffle"),
        tmp.path().display(),
        tmp.path().display()
    );
    let o = Command::new("bash").arg("-c").arg(script).output().unwrap();
    let status = String::from_utf8_lossy(&o.stdout);
    assert_eq!(status.trim(), "0");
    assert_eq!(std::fs::read_to_string(tmp.path().join("err")).unwrap(), "");
}
