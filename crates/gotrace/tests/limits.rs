//! The reader's limits on strings and stacks per generation, lowered
//! through their environment variables (read once per process: this
//! binary's only test sets them first): a trace past them is an error at
//! a byte offset that names the limit and how to raise it.

use gotrace::Reader;

fn read_all(data: &[u8]) -> Result<usize, gotrace::Error> {
    let mut r = Reader::new(data)?;
    let mut n = 0;
    while r.read_event()?.is_some() {
        n += 1;
    }
    Ok(n)
}

#[test]
fn strings_and_stacks_per_generation_are_limited() {
    // SAFETY: set before any thread of this binary reads the environment.
    unsafe {
        std::env::set_var("TOOLBOX_MAX_STRINGS", "8");
        std::env::set_var("TOOLBOX_MAX_STACKS", "3");
    }
    for version in ["1.19", "1.21", "1.22", "1.25", "1.27"] {
        let path = testkit::testdata().join(format!("traces/go{version}.trace"));
        let data = std::fs::read(&path).unwrap();
        let e = read_all(&data).unwrap_err();
        let msg = e.to_string();
        assert!(e.offset().is_some(), "go{version}: {msg}");
        assert!(
            msg.contains("more than 8 strings in one trace generation (the limit; raise it with TOOLBOX_MAX_STRINGS=N)")
                || msg.contains("more than 3 stacks in one trace generation (the limit; raise it with TOOLBOX_MAX_STACKS=N)"),
            "go{version}: {msg}"
        );
    }
}
