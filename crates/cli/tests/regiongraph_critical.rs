//! regiongraph's critical paths from the command line: `-critical-path`
//! (text and `-json`), the tree selection of `-kind` and `-min-length`
//! (which `-json` and `-json -summarize` honour too) and the `-pprof`
//! profile. The paths themselves are tested with the `regions` crate
//! (`crates/regions/tests/critical.rs`).

mod common;

use common::{run, succeeded, testdata};
use serde_json::Value;

const RG: &str = env!("CARGO_BIN_EXE_regiongraph");

fn trace(name: &str) -> String {
    testdata()
        .join(format!("traces/{name}.trace"))
        .to_string_lossy()
        .into_owned()
}

fn lines(args: &[&str]) -> Vec<Value> {
    let out = String::from_utf8(succeeded(run(RG, args), &format!("{args:?}"))).unwrap();
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A root as `(G, Kind, StartNs, LengthNs)`.
fn root(v: &Value) -> (i64, String, i64, i64) {
    (
        v["G"].as_i64().unwrap(),
        v["Kind"].as_str().unwrap().to_string(),
        v["StartNs"].as_i64().unwrap(),
        v["LengthNs"].as_i64().unwrap(),
    )
}

/// One JSON line per tree, in `-json`'s order, whose path covers the root
/// exactly and whose `ByState` sums it; fields as documented.
#[test]
fn json_lines_follow_json_trees() {
    for v in ["1.21", "1.25"] {
        let t = trace(&format!("http-go{v}"));
        let trees = lines(&["-json", "-input", &t]);
        let paths = lines(&["-critical-path", "-json", "-input", &t]);
        assert_eq!(trees.len(), paths.len(), "go{v}");
        assert!(!paths.is_empty());
        for (tree, p) in trees.iter().zip(&paths) {
            let r = root(&p["Root"]);
            assert_eq!(root(tree), r, "go{v}");
            let mut at = r.2;
            for s in p["Path"].as_array().unwrap() {
                assert_eq!(s["StartNs"].as_i64(), Some(at), "go{v}: {s}");
                at += s["LengthNs"].as_i64().unwrap();
                let state = s["State"].as_str().unwrap();
                assert!(["running", "runnable", "syscall", "waiting"].contains(&state));
                assert_eq!(s.get("Reason").is_some(), state == "waiting", "{s}");
            }
            assert_eq!(at, r.2 + r.3, "go{v}");
            let by: i64 = p["ByState"]
                .as_object()
                .unwrap()
                .values()
                .map(|x| x.as_i64().unwrap())
                .sum();
            assert_eq!(by, r.3, "go{v}");
        }
    }
}

/// `-kind` and `-min-length` pick the same trees for every tree mode.
#[test]
fn selection_applies_to_every_tree_mode() {
    let t = trace("http-go1.25");
    let all = lines(&["-json", "-input", &t]);
    let sel = ["-kind", "server/http", "--min-length", "2ms", "-input", &t];
    let json = lines(&[&["-json"][..], &sel].concat());
    let summaries = lines(&[&["-json", "-summarize"][..], &sel].concat());
    let paths = lines(&[&["-critical-path", "-json"][..], &sel].concat());
    let want: Vec<_> = all
        .iter()
        .map(root)
        .filter(|r| r.1 == "server/http" && r.3 >= 2_000_000)
        .collect();
    assert!(!want.is_empty() && want.len() < all.len());
    assert_eq!(json.iter().map(root).collect::<Vec<_>>(), want);
    let roots: Vec<_> = summaries.iter().map(|s| root(&s["Root"])).collect();
    assert_eq!(roots, want);
    assert_eq!(
        paths.iter().map(|p| root(&p["Root"])).collect::<Vec<_>>(),
        want
    );
    let bad = run(RG, &["-json", "-min-length=5 parsecs", "-input", &t]);
    assert_eq!(bad.status.code(), Some(2));
}

/// The text form: a block per tree, led by the root, a line per segment.
#[test]
fn text_blocks() {
    let t = trace("crit-go1.25");
    let pat = testdata().join("gen/critgen/critgen.toml");
    let pat = pat.to_str().unwrap();
    let args = ["-critical-path", "-patterns", pat, "-input", &t];
    let text = String::from_utf8(succeeded(run(RG, &args), "text")).unwrap();
    let blocks: Vec<&str> = text.split("\n\n").filter(|b| !b.is_empty()).collect();
    assert_eq!(blocks.len(), 3, "{text}");
    for b in blocks {
        let mut ls = b.lines();
        assert!(ls.next().unwrap().starts_with("crit/request g="), "{b}");
        let body: Vec<&str> = ls.collect();
        assert!(
            body.iter()
                .any(|l| l.contains("waiting(sleep)") && l.ends_with("time.Sleep")),
            "{b}"
        );
        assert!(
            body.iter()
                .any(|l| l.contains("running") && l.ends_with("main.worker")),
            "{b}"
        );
        assert!(body.iter().any(|l| l.contains("waiting(network)")), "{b}");
    }
}

/// The profile's total is the selected trees' total length, over every
/// trace given, each sample naming its trace; waits can be picked out by
/// label.
#[test]
fn profile_total_is_the_trees_length() {
    let (a, b) = (trace("http-go1.21"), trace("http-go1.25"));
    let dir = std::env::temp_dir().join(format!("rg-critical-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("paths.pb.gz");
    let f = file.to_str().unwrap();
    let sel = ["-kind", "client/http_roundtrip"];
    let out = run(RG, &[&sel[..], &["-pprof", f, "-input", &a, &b]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "no mode: nothing printed");
    let json = lines(&[&sel[..], &["-json", "-input", &a, &b]].concat());
    let want: i64 = json.iter().map(|t| t["LengthNs"].as_i64().unwrap()).sum();
    let raw = std::fs::read(&file).unwrap();
    let total = pprof::sum(&raw, "", &pprof::Filter::default()).unwrap();
    assert_eq!(total, i128::from(want));
    let p = pprof::proto::Profile::decode_any(&raw).unwrap();
    let s = |i: i64| String::from_utf8_lossy(&p.string_table[i as usize]).into_owned();
    let label = |x: &pprof::proto::Sample, k: &str| {
        x.label.iter().find(|l| s(l.key) == k).map(|l| s(l.str))
    };
    let traces: std::collections::BTreeSet<_> =
        p.sample.iter().filter_map(|x| label(x, "trace")).collect();
    assert_eq!(
        traces.into_iter().collect::<Vec<_>>(),
        [a.clone(), b.clone()]
    );
    assert!(
        p.sample
            .iter()
            .all(|x| label(x, "root_kind").as_deref() == Some("client/http_roundtrip"))
    );
    let waits: i64 = p
        .sample
        .iter()
        .filter(|x| label(x, "state").as_deref() == Some("waiting"))
        .inspect(|x| assert!(label(x, "reason").is_some()))
        .map(|x| x.value[0])
        .sum();
    assert!(waits > 0 && waits < want);
    std::fs::remove_dir_all(&dir).unwrap();
}
