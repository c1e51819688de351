//! Deep structure through the binaries: etviz draws the 100-deep tree of a
//! chain trace (`testdata/gen/chaingen`), conditions nested far past the
//! limit are a clear error in regiongraph's and scope_tls's pattern files,
//! and a trace read from a FIFO (as a process substitution gives it) is
//! held for regiongraph's second pass.

mod common;

use common::{run, succeeded, testdata};

fn chain_patterns() -> String {
    testdata()
        .join("gen/chaingen/chain.toml")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn etviz_draws_a_hundred_deep_tree() {
    let dir = tempfile::tempdir().unwrap();
    let trace = testdata().join("traces/chain-100-go1.25.trace");
    let summary = succeeded(
        run(
            env!("CARGO_BIN_EXE_regiongraph"),
            &[
                "-patterns",
                &chain_patterns(),
                "-json",
                "-summarize",
                &trace.to_string_lossy(),
            ],
        ),
        "regiongraph",
    );
    let nesting = String::from_utf8_lossy(&summary)
        .matches("\"Caused\":[")
        .count();
    assert!(nesting >= 99, "{nesting} nested lists");
    let input = dir.path().join("summary.json");
    std::fs::write(&input, &summary).unwrap();
    let output = dir.path().join("out.svg");
    let (i, o) = (input.to_string_lossy(), output.to_string_lossy());
    succeeded(
        run(
            env!("CARGO_BIN_EXE_etviz"),
            &["-input", &i, "-output", &o, "-details"],
        ),
        "etviz",
    );
    let svg = std::fs::read_to_string(&output).unwrap();
    // A row per span in each of the two sections.
    let rows = svg.matches("<text ").count();
    assert!(rows >= 2 * 190, "{rows} rows");
    assert!(svg.ends_with("</svg>\n"));
}

#[test]
fn too_deep_conditions_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let trace = testdata().join("traces/http-go1.25.trace");
    let trace = trace.to_string_lossy();
    for cond in [
        "(".repeat(20_000) + "match" + &")".repeat(20_000),
        "not ".repeat(100_000) + "match",
    ] {
        let file = dir.path().join("deep.toml");
        let toml =
            format!("[[region]]\nkind = \"deep\"\nstacks = [[\"**\"]]\nactivate = {cond:?}\n");
        std::fs::write(&file, toml).unwrap();
        let f = file.to_string_lossy();
        for (bin, args) in [
            (
                env!("CARGO_BIN_EXE_regiongraph"),
                vec!["-patterns", &f, "-show-regions", &trace],
            ),
            (
                env!("CARGO_BIN_EXE_scope_tls"),
                vec!["-patterns", &f, "-region", "deep", "-text", &trace],
            ),
        ] {
            let out = run(bin, &args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{bin}: {err}");
            assert!(
                err.contains("region \"deep\"") && err.contains("more than 100 deep"),
                "{bin}: {err}"
            );
        }
    }
}

#[test]
fn a_fifo_is_read_twice() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("trace");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let trace = testdata().join("traces/http-go1.25.trace");
    let writer = {
        let (fifo, trace) = (fifo.clone(), trace.clone());
        std::thread::spawn(move || std::fs::write(fifo, std::fs::read(trace).unwrap()).unwrap())
    };
    let regiongraph = env!("CARGO_BIN_EXE_regiongraph");
    let from_fifo = run(regiongraph, &["-show-chains", &fifo.to_string_lossy()]);
    writer.join().unwrap();
    let from_fifo = succeeded(from_fifo, "regiongraph on a FIFO");
    let from_file = succeeded(
        run(regiongraph, &["-show-chains", &trace.to_string_lossy()]),
        "regiongraph",
    );
    assert!(!from_file.is_empty());
    assert!(from_fifo == from_file);
}
