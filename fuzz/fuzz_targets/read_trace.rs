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
    // Files are read by position (Go ≤1.21 batches through windows): it
    // must give what reading the bytes as a stream gives, event for event.
    let at: std::sync::Arc<dyn gotrace::ReadAt> = std::sync::Arc::new(data.to_vec());
    let positional = gotrace::Reader::with_positional(data, at);
    let Ok(mut reader) = gotrace::Reader::new(data) else {
        assert!(positional.is_err());
        return;
    };
    let mut positional = positional.expect("the stream reader opened it");
    let mut line = Vec::new();
    let mut other = Vec::new();
    for _ in 0..1_000_000 {
        match positional.read_event() {
            Ok(Some(ev)) => {
                other.clear();
                gotrace::format::write_event_line(&ev, &mut other);
            }
            Ok(None) => other.clear(),
            Err(e) => other = format!("{e}").into_bytes(),
        }
        match reader.read_event() {
            Ok(Some(ev)) => {
                line.clear();
                gotrace::format::write_event_line(&ev, &mut line);
                assert_eq!(line, other, "positional reading differs");
                gotrace::format::write_stack_lines(&ev, &mut line);
                if let Some(st) = ev.state_transition() {
                    for f in st.stack.frames() {
                        line.extend_from_slice(f.func().as_bytes());
                    }
                }
            }
            Ok(None) => {
                assert!(other.is_empty(), "positional reading has more events");
                return;
            }
            Err(e) => {
                assert_eq!(format!("{e}").into_bytes(), other);
                return;
            }
        }
    }
});
