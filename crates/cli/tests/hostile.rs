//! Hostile input at the command line: flag values no tool knows, empty
//! inputs that used to pass in silence, broken region pattern files (each
//! error names its file), and file names that are not UTF-8 (every tool
//! reads and writes them).

mod common;

use common::{gunzip, testdata};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn run<S: AsRef<OsStr>>(bin: &str, args: &[S]) -> Output {
    Command::new(bin)
        .args(args)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {bin}: {e}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn fixture(p: &str) -> String {
    testdata().join(p).to_string_lossy().into_owned()
}

#[test]
fn etgrep_refuses_an_unknown_sort_order() {
    let t = fixture("traces/go1.25.trace");
    let out = run(env!("CARGO_BIN_EXE_etgrep"), &["-sort", "foo", &t]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("'foo'"), "{}", stderr(&out));
    for ok in ["time", "goroutine"] {
        let out = run(env!("CARGO_BIN_EXE_etgrep"), &["-sort", ok, &t]);
        assert!(out.status.success(), "-sort {ok}: {}", stderr(&out));
        assert!(out.stdout.len() > 1000, "-sort {ok}");
    }
}

#[test]
fn scope_tls_refuses_an_empty_profile() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pb");
    std::fs::write(&empty, b"").unwrap();
    let empty = empty.to_string_lossy().into_owned();
    let t = fixture("traces/go1.25.trace");
    let out = run(
        env!("CARGO_BIN_EXE_scope_tls"),
        &["-text", "-profile", &empty, &t],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stderr(&out), format!("scope_tls: {empty}: empty profile\n"));
}

#[test]
fn etviz_says_when_its_input_holds_no_summary() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("empty.json");
    let svg = dir.path().join("out.svg");
    for text in ["", " \n\n"] {
        std::fs::write(&input, text).unwrap();
        let out = run(
            env!("CARGO_BIN_EXE_etviz"),
            &[
                OsStr::new("-input"),
                input.as_os_str(),
                OsStr::new("-output"),
                svg.as_os_str(),
            ],
        );
        // The empty picture is still drawn, as upstream draws it.
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!(
                "etviz: {}: no span-tree summaries",
                input.display()
            )),
            "{err}"
        );
    }
}

#[test]
fn regiongraph_without_a_mode_says_so() {
    let t = fixture("traces/http-go1.21.trace");
    let out = run(env!("CARGO_BIN_EXE_regiongraph"), &[&t]);
    // Upstream prints nothing and exits 0: so does regiongraph, with a word.
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).starts_with("regiongraph: nothing to print: give -show-regions"),
        "{}",
        stderr(&out)
    );
}

/// Bad pattern files: (name, text). Every one must be refused with an
/// error that names it.
const BAD_PATTERNS: &[(&str, &str)] = &[
    ("syntax", "[[region]\nkind=\"a\""),
    ("unknown-key", "foo = 1"),
    ("unknown-region-key", "[[region]]\nkind=\"a\"\nbogus=1"),
    ("no-kind", "[[region]]\nstacks=[[\"x\"]]"),
    ("wrong-type", "[[region]]\nkind=1"),
    ("nested-table", "[[region]]\nkind=\"a\"\n[region.sub]\nx=1"),
    ("table-not-array", "[region]\nkind=\"a\""),
    ("stacks-not-list", "[[region]]\nkind=\"a\"\nstacks=\"x\""),
    (
        "defined-twice",
        "[[region]]\nkind=\"a\"\nstacks=[[\"x\"]]\n[[region]]\nkind=\"a\"\nstacks=[[\"x\"]]",
    ),
    ("bad-regexp", "[[region]]\nkind=\"a\"\nstacks=[[\"((\"]]"),
    (
        "bad-escape",
        "[[region]]\nkind=\"a\"\nstacks=[[\"\\\\xZZ\"]]",
    ),
    (
        "cond-cut",
        "[[region]]\nkind=\"a\"\nstacks=[[\"x\"]]\nactivate=\"match and (\"",
    ),
    (
        "cond-word",
        "[[region]]\nkind=\"a\"\nstacks=[[\"x\"]]\ncritical=\"nosuchfact\"",
    ),
    (
        "between-missing",
        "[[region]]\nkind=\"a\"\nbetween=[\"x\",\"y\"]",
    ),
    ("between-short", "[[region]]\nkind=\"a\"\nbetween=[\"x\"]"),
    (
        "between-of-between",
        "[[region]]\nkind=\"a\"\nbetween=[\"server/http\",\"server/http_read\"]",
    ),
    (
        "between-tracker",
        "[[region]]\nkind=\"a\"\nbetween=[\"server/http_read\",\"server/http_write\"]\nstacks=[[\"x\"]]",
    ),
    (
        "replace-then-between",
        "replace_builtins=true\n[[region]]\nkind=\"a\"\nbetween=[\"server/http_read\",\"server/http_write\"]",
    ),
    // A built-in entry broken by a file: server/http is the space between
    // these two, which may not be a between region itself.
    (
        "breaks-a-builtin",
        "[[region]]\nkind=\"server/http_read\"\nbetween=[\"client/http_read\",\"client/http_write\"]",
    ),
];

#[test]
fn pattern_file_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let t = fixture("traces/http-go1.21.trace");
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "[[region]]\nkind=\"b\"\nstacks=[[\"x\"]]\n").unwrap();
    let mut files: Vec<(String, PathBuf)> = BAD_PATTERNS
        .iter()
        .map(|(name, text)| {
            let p = dir.path().join(format!("{name}.toml"));
            std::fs::write(&p, text).unwrap();
            (name.to_string(), p)
        })
        .collect();
    let not_utf8 = dir.path().join("not-utf8.toml");
    std::fs::write(&not_utf8, b"\xff\xfe").unwrap();
    files.push(("not-utf8".into(), not_utf8));
    let deep = dir.path().join("deep.toml");
    std::fs::write(
        &deep,
        format!("a={}1{}", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .unwrap();
    files.push(("deep".into(), deep));
    for (name, p) in &files {
        for tool in ["regiongraph", "scope_tls"] {
            let bin = match tool {
                "regiongraph" => env!("CARGO_BIN_EXE_regiongraph"),
                _ => env!("CARGO_BIN_EXE_scope_tls"),
            };
            let mut args = vec![OsString::from("-show-regions")];
            if tool == "scope_tls" {
                args = vec!["-text".into(), "-region".into(), "server/http".into()];
            }
            // The broken file after a good one: the error names the broken one.
            for f in [&good, p] {
                args.push("-patterns".into());
                args.push(f.into());
            }
            args.push(t.clone().into());
            let out = run(bin, &args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{tool} {name}: {err}");
            assert!(
                err.starts_with(&format!("{tool}: {}: ", p.display()))
                    || err.starts_with(&format!("{tool}: read {}: ", p.display())),
                "{tool} {name}: {err}"
            );
            assert!(out.stdout.is_empty(), "{tool} {name}");
        }
    }
}

/// A copy of `from` in `dir` under a name that is not UTF-8.
fn odd_copy(dir: &Path, from: &Path, ext: &str) -> PathBuf {
    let mut name = b"odd-\xff\xfe-".to_vec();
    name.extend_from_slice(ext.as_bytes());
    let to = dir.join(OsStr::from_bytes(&name));
    std::fs::copy(from, &to).unwrap();
    to
}

#[test]
fn file_names_need_not_be_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let trace = odd_copy(d, &testdata().join("traces/http-go1.21.trace"), "trace");
    let summary = d.join("s.json");
    std::fs::write(
        &summary,
        gunzip(&testdata().join("expected/regiongraph/http-go1.21.summary.json.gz")),
    )
    .unwrap();
    let summary = odd_copy(d, &summary, "json");
    let lines = odd_copy(d, &testdata().join("expected/scope/tls-go1.21.txt"), "txt");
    let patterns = d.join("p.toml");
    std::fs::write(&patterns, "[[region]]\nkind=\"b\"\nstacks=[[\"x\"]]\n").unwrap();
    let patterns = odd_copy(d, &patterns, "toml");
    let out = |ext: &str| {
        let mut name = b"out-\xff-".to_vec();
        name.extend_from_slice(ext.as_bytes());
        d.join(OsStr::from_bytes(&name))
    };
    let o = |s: &str| OsString::from(s);
    let runs: Vec<(&str, &str, Vec<OsString>, Option<PathBuf>)> = vec![
        (
            "etgrep",
            env!("CARGO_BIN_EXE_etgrep"),
            vec![o("-input"), trace.clone().into()],
            None,
        ),
        (
            "etgrep",
            env!("CARGO_BIN_EXE_etgrep"),
            vec![trace.clone().into()],
            None,
        ),
        (
            "regiongraph",
            env!("CARGO_BIN_EXE_regiongraph"),
            vec![
                o("-show-regions"),
                o("-patterns"),
                patterns.clone().into(),
                trace.clone().into(),
            ],
            None,
        ),
        (
            "unstoppable",
            env!("CARGO_BIN_EXE_unstoppable"),
            vec![o("-profile"), out("pb").into(), trace.clone().into()],
            Some(out("pb")),
        ),
        (
            "grstates",
            env!("CARGO_BIN_EXE_grstates"),
            vec![o("-dot"), out("dot").into(), trace.clone().into()],
            Some(out("dot")),
        ),
        (
            "scope_tls",
            env!("CARGO_BIN_EXE_scope_tls"),
            vec![
                o("-region"),
                o("server/http"),
                o("-patterns"),
                patterns.clone().into(),
                o("-output"),
                out("scope.pb").into(),
                trace.clone().into(),
            ],
            Some(out("scope.pb")),
        ),
        (
            "etviz",
            env!("CARGO_BIN_EXE_etviz"),
            vec![o("-input"), summary.into(), o("-output"), out("svg").into()],
            Some(out("svg")),
        ),
        (
            "scope_chart",
            env!("CARGO_BIN_EXE_scope_chart"),
            vec![o("-input"), lines.into(), o("-png"), out("png").into()],
            Some(out("png")),
        ),
    ];
    for (tool, bin, args, written) in runs {
        let r = run(bin, &args);
        assert!(r.status.success(), "{tool} {args:?}: {}", stderr(&r));
        match written {
            Some(p) => assert!(std::fs::metadata(&p).unwrap().len() > 50, "{tool}"),
            None => assert!(r.stdout.len() > 100, "{tool} printed little"),
        }
    }
    // regiongraph's profile and ettables' folder, from a trace and from a
    // searched folder holding a bundle, all named oddly.
    let r = run(
        env!("CARGO_BIN_EXE_regiongraph"),
        &[
            o("-critical-path"),
            o("-pprof"),
            out("cp.pb").into(),
            trace.clone().into(),
        ],
    );
    assert!(r.status.success(), "regiongraph -pprof: {}", stderr(&r));
    assert!(std::fs::metadata(out("cp.pb")).unwrap().len() > 50);
    let pile = out("pile");
    std::fs::create_dir(&pile).unwrap();
    let bundle =
        testdata().join("bundles/corpus/1-6b081067-bd1984d2eae7893d2145ec12-27466-000.zip");
    odd_copy(&pile, &bundle, "b.zip");
    let r = run(
        env!("CARGO_BIN_EXE_ettables"),
        &[
            o("-output"),
            out("tables").into(),
            trace.clone().into(),
            pile.into(),
        ],
    );
    assert!(r.status.success(), "ettables: {}", stderr(&r));
    let written = |table: &str| {
        let mut names: Vec<_> = std::fs::read_dir(out("tables").join(table))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    assert_eq!(written("events").len(), 2, "{:?}", written("events"));
    assert_eq!(written("bundles").len(), 1, "{:?}", written("bundles"));
    // A missing one is named, lossily.
    let missing = d.join(OsStr::from_bytes(b"gone-\xff.trace"));
    let r = run(env!("CARGO_BIN_EXE_etgrep"), &[&missing]);
    assert_eq!(r.status.code(), Some(1));
    assert!(stderr(&r).contains("gone-\u{fffd}.trace"), "{}", stderr(&r));
}
