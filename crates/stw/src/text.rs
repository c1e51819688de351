//! Upstream's text output: a summary line per pause and, with
//! `-print-stacks`, each counted sample with its stack.

use crate::detect::Pause;
use crate::phase::{Phase, Placed};
use crate::units::{millis, seconds};
use gocompat::fmt::{fixed, g3};
use std::fmt::Write;

/// What to print of each pause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextOptions {
    /// The summary line (`-print-stw`).
    pub summary: bool,
    /// The counted samples and their stacks (`-print-stacks`).
    pub stacks: bool,
}

/// Appends the pause's summary line,
/// `STW @<start>s: <pre>+<stopped>+<post> ms clock, <n> samples`.
pub fn summary_line(out: &mut String, p: &Pause) {
    out.push_str("STW @");
    fixed(out, seconds(p.request - p.first), 3);
    out.push_str("s: ");
    for (i, phase) in Phase::ALL.into_iter().enumerate() {
        if i > 0 {
            out.push('+');
        }
        g3(out, millis(p.length(phase)));
    }
    let _ = writeln!(out, " ms clock, {} samples", p.samples.len());
}

/// Appends a counted sample's line, `<phase> +<µs>µs g=<g>`, then one
/// `  <function> <file>:<line> 0x<pc>` line per frame, leaf first.
pub fn sample_lines(out: &mut String, s: &Placed<'_>) {
    let _ = writeln!(
        out,
        "{} +{}µs g={}",
        s.phase.name(),
        s.offset / 1000,
        s.sample.goroutine
    );
    for f in &s.sample.frames {
        let _ = writeln!(out, "  {} {}:{} {:#x}", f.func, f.file, f.line, f.pc);
    }
}

/// Appends what `opts` asks for of a pause whose counted samples are
/// `placed`, each line after `prefix`.
pub fn write_pause(
    out: &mut String,
    prefix: &str,
    p: &Pause,
    placed: &[Placed<'_>],
    opts: TextOptions,
) {
    let mut text = String::new();
    if opts.summary {
        summary_line(&mut text, p);
    }
    if opts.stacks {
        for s in placed {
            sample_lines(&mut text, s);
        }
    }
    if prefix.is_empty() {
        out.push_str(&text);
        return;
    }
    for line in text.split_inclusive('\n') {
        out.push_str(prefix);
        out.push_str(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Frame, Sample};

    fn pause() -> Pause {
        Pause {
            kind: "GC mark termination".into(),
            first: 1_000_000,
            request: 17_000_000,
            idle: Some(17_026_500),
            resume: 17_309_999,
            end: 17_310_000,
            samples: vec![Sample {
                time: 17_134_000,
                goroutine: 19,
                frames: vec![Frame {
                    func: "runtime.(*spanSet).push".into(),
                    file: "/go/src/runtime/mspanset.go".into(),
                    line: 138,
                    pc: 0x448ed8,
                }],
            }],
        }
    }

    #[test]
    fn summary_and_stacks_as_upstream_prints() {
        let p = pause();
        let placed = p.placed(0);
        let mut out = String::new();
        let opts = TextOptions {
            summary: true,
            stacks: true,
        };
        write_pause(&mut out, "", &p, &placed, opts);
        assert_eq!(
            out,
            "STW @0.016s: 0.026+0.283+0 ms clock, 1 samples\n\
             stopped +107µs g=19\n  \
             runtime.(*spanSet).push /go/src/runtime/mspanset.go:138 0x448ed8\n"
        );
        let mut named = String::new();
        write_pause(&mut named, "a.trace:", &p, &placed, opts);
        assert!(named.lines().all(|l| l.starts_with("a.trace:")), "{named}");
        assert_eq!(named.lines().count(), 3);
    }

    #[test]
    fn without_idle_the_numbers_are_upstreams() {
        let mut p = pause();
        p.idle = None;
        let mut out = String::new();
        summary_line(&mut out, &p);
        assert_eq!(out, "STW @0.016s: -17+17.3+0 ms clock, 1 samples\n");
    }
}
