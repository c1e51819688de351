//! scope_chart on hostile inputs, under a 512 MiB address-space limit:
//! one very deep stack (memory must grow linearly with its depth, not with
//! its square) and very many distinct stacks in a PNG (drawn row by row,
//! not as one canvas of every lane).

use std::path::Path;
use std::process::{Command, Output};

/// Runs scope_chart on `input` with `args`, its address space capped at
/// 512 MiB.
fn run_capped(input: &Path, args: &[&str]) -> Output {
    Command::new("bash")
        .arg("-c")
        .arg("ulimit -v 524288 && exec \"$@\"")
        .arg("scope_chart")
        .arg(env!("CARGO_BIN_EXE_scope_chart"))
        .arg("-input")
        .arg(input)
        .args(args)
        .output()
        .expect("running scope_chart")
}

fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "status {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_stack_of_20000_frames_is_charted_in_linear_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let frames: Vec<String> = (0..20_000).map(|i| format!("f{i}")).collect();
    let deep = frames.join(";");
    let text = format!(
        "start 1 length 2 frac 0.5 stack {deep}\nstart 1 length 2 frac 0.25 stack {deep};leaf\n"
    );
    let input = tmp.path().join("deep.txt");
    std::fs::write(&input, text).unwrap();
    let (png, svg) = (tmp.path().join("c.png"), tmp.path().join("c.svg"));
    let o = run_capped(
        &input,
        &["-png", png.to_str().unwrap(), "-svg", svg.to_str().unwrap()],
    );
    assert_ok(&o);
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.contains("[skip 19990] ... f19996;f19997;f19998;f19999;leaf"));
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

#[test]
fn a_png_of_20000_distinct_stacks_is_drawn_row_by_row() {
    let tmp = tempfile::tempdir().unwrap();
    let text: String = (0..20_000)
        .map(|i| format!("start 1 length 2 frac 0.{i:05} stack r;main;f{i}\n"))
        .collect();
    let input = tmp.path().join("wide.txt");
    std::fs::write(&input, text).unwrap();
    let png = tmp.path().join("c.png");
    let o = run_capped(&input, &["-png", png.to_str().unwrap()]);
    assert_ok(&o);
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let r = dec.read_info().unwrap();
    assert_eq!((r.info().width, r.info().height), (30 * 20_000, 800));
}
