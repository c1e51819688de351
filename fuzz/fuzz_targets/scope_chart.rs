//! Fuzzes scope_chart's input (scope_tls's text lines) and both pictures
//! drawn from it: any text must give a chart, or an error (a limit), never
//! a panic or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scope::chart::{input, png, svg};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(chart) = input::parse(&text) else {
        return;
    };
    if chart.lanes.is_empty() {
        return;
    }
    let _ = png::render(&chart);
    let _ = svg::render(&chart);
});
