//! Fuzzes the trace reader: any input must give events or an error, never
//! a panic, a hang or unbounded memory. Every event is also rendered, so
//! the accessors and the text format see whatever the reader accepted.
//! Go ≤1.21 inputs also go through the legacy view.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The legacy view of Go ≤1.21 traces shares the old-format parser and
    // adds links of its own.
    if let Ok(trace) = gotrace::legacy::LegacyTrace::read(data) {
        for ev in trace.events() {
            if let Some(i) = ev.link() {
                assert!(i > ev.index());
            }
            let _ = (ev.stack().len(), ev.text());
        }
    }
    let Ok(mut reader) = gotrace::Reader::new(data) else {
        return;
    };
    let mut line = Vec::new();
    for _ in 0..1_000_000 {
        match reader.read_event() {
            Ok(Some(ev)) => {
                line.clear();
                gotrace::format::write_event_line(&ev, &mut line);
                gotrace::format::write_stack_lines(&ev, &mut line);
                if let Some(st) = ev.state_transition() {
                    for f in st.stack.frames() {
                        line.extend_from_slice(f.func().as_bytes());
                    }
                }
            }
            Ok(None) | Err(_) => return,
        }
    }
});
