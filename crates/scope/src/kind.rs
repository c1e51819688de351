//! Instances from regiongraph's region patterns: every region of one kind
//! (see the `regions` crate) is an instance, from its first event to its
//! last, with the CPU samples taken on its goroutine in between.

use crate::region::{Frame, Instance, Sample, Scope};
use gotrace::legacy::types::EV_CPU_SAMPLE;
use regions::patterns::Pattern;
use regions::trace::Trace;

/// Finds the regions of `kind` in `trace`. Sample frames carry function
/// names only (regiongraph's model keeps no files, lines or PCs).
pub fn find_kind(trace: &Trace, patterns: &[Pattern], kind: &str) -> Result<Scope, String> {
    let Some(want) = patterns.iter().position(|p| p.kind == kind) else {
        let kinds: Vec<&str> = patterns.iter().map(|p| p.kind.as_str()).collect();
        return Err(format!(
            "no region kind {kind:?} (kinds: {})",
            kinds.join(", ")
        ));
    };
    let mut instances = Vec::new();
    for r in regions::track::track_all(trace, patterns) {
        if r.pattern as usize != want {
            continue;
        }
        let list = &trace.lists[r.gi as usize];
        let events = &list[r.first as usize..=r.last as usize];
        let (start, end) = (
            trace.ev(r.first_event(trace)).ts,
            trace.ev(r.last_event(trace)).ts,
        );
        let samples = events
            .iter()
            .map(|&i| trace.ev(i))
            .filter(|ev| ev.typ == EV_CPU_SAMPLE && start <= ev.ts && ev.ts < end)
            .map(|ev| Sample {
                offset: ev.ts - start,
                frames: trace.stacks[ev.stack as usize]
                    .0
                    .iter()
                    .rev()
                    .map(|f| Frame {
                        func: f.to_string(),
                        file: String::new(),
                        line: 0,
                        pc: 0,
                    })
                    .collect(),
            })
            .collect();
        instances.push(Instance {
            goroutine: trace.goroutines[r.gi as usize],
            start,
            length: end - start,
            samples,
        });
    }
    instances.sort_by_key(|i| (i.goroutine, i.start));
    let ts = |i: Option<&regions::trace::Ev>| i.map_or(0, |e| e.ts);
    Ok(Scope {
        instances,
        duration: ts(trace.events.last()) - ts(trace.events.first()),
    })
}
