//! regiongraph's results as tables: `regions` (what `-show-regions`
//! prints), `trees` (one row per cause tree, with what `-json
//! -summarize` prints for it) and `critical_path` (each tree's critical
//! path, one row per segment, as `-critical-path` finds it), on
//! regiongraph's clock.

use crate::columns::{CriticalPath, NsMap, Regions, Trees};
use crate::error::Error;
use crate::sink::{Files, Sink};
use regions::Analysis;
use regions::patterns::Pattern;
use regions::source::Source;
use regions::summary::summarize;
use std::collections::BTreeMap;

/// The sinks of regiongraph's tables.
pub struct Sinks {
    pub regions: Sink<Regions>,
    pub trees: Sink<Trees>,
    pub critical: Sink<CriticalPath>,
}

/// Runs regiongraph's analysis on `input` and writes its tables.
pub fn write(
    input: &traceinput::Input,
    patterns: &[Pattern],
    sinks: Sinks,
    files: &mut Files,
) -> Result<(), Error> {
    let Sinks {
        mut regions,
        mut trees,
        mut critical,
    } = sinks;
    let name = input.name();
    let fail = |source| Error::Regions {
        input: name.to_owned(),
        source,
    };
    let source = Source::from_fn(input.opener()).map_err(fail)?;
    let a = Analysis::run_critical(&source, patterns.to_vec()).map_err(fail)?;
    let t = &a.tracked;
    for r in &t.regions {
        let row = &mut regions.rows;
        row.input.append_value(name);
        row.kind.append_value(&a.patterns[r.pattern as usize].kind);
        row.g.append_value(t.goroutines[r.gi as usize]);
        row.start_ns.append_value(r.first.ts);
        row.last_ns.append_value(r.last.ts);
        row.events.append_value(r.len() as i64);
        regions.maybe_flush()?;
    }
    regions.finish(files)?;
    let (spans, mut paths) = a.into_trees_and_paths();
    for (i, span) in spans.enumerate() {
        let s = summarize(&span);
        let mut spans = 0i64;
        span.visit(&mut |_| spans += 1);
        let mut json = Vec::new();
        regions::json::write_summary(&mut json, &s, None).map_err(|source| Error::Output {
            path: name.into(),
            source,
        })?;
        let row = &mut trees.rows;
        row.input.append_value(name);
        row.tree.append_value(i as i64);
        row.root_kind.append_value(&span.kind);
        row.root_g.append_value(span.g);
        row.start_ns.append_value(span.start_ns);
        row.length_ns.append_value(s.length_ns);
        row.spans.append_value(spans);
        row.total_run_ns.append_value(s.total_run_ns);
        map(&mut row.total_assist_ns, &s.total_assist_ns);
        row.flat_run_ns.append_value(s.flat_run_ns);
        map(&mut row.flat_assist_ns, &s.flat_assist_ns);
        map(&mut row.flat_wait_ns, &s.flat_wait_ns);
        row.summary_json
            .append_value(String::from_utf8_lossy(&json));
        trees.maybe_flush()?;
        if let Some(paths) = &mut paths {
            path(name, i as i64, &paths.of(&span), &mut critical)?;
        }
    }
    trees.finish(files)?;
    critical.finish(files)
}

fn path(
    name: &str,
    tree: i64,
    p: &regions::critical::CriticalPath,
    sink: &mut Sink<CriticalPath>,
) -> Result<(), Error> {
    for (n, seg) in p.segments.iter().enumerate() {
        let r = &mut sink.rows;
        r.input.append_value(name);
        r.tree.append_value(tree);
        r.root_kind.append_value(&p.root.kind);
        r.root_g.append_value(p.root.g);
        r.segment.append_value(n as i64);
        r.g.append_value(seg.g);
        r.state.append_value(seg.state.name());
        // As regiongraph prints it: "" for a wait of unknown reason.
        let waiting = seg.state == regions::critical::State::Waiting;
        r.reason
            .append_option(waiting.then(|| regions::critical::reason_name(seg.reason)));
        r.start_ns.append_value(seg.start_ns);
        r.length_ns.append_value(seg.length_ns);
        r.func.append_option(seg.func());
        for f in seg.stack.iter() {
            r.stack.values().append_value(f);
        }
        r.stack.append(true);
        sink.maybe_flush()?;
    }
    Ok(())
}

fn map(b: &mut NsMap, m: &BTreeMap<String, i64>) {
    for (k, v) in m {
        b.keys().append_value(k);
        b.values().append_value(*v);
    }
    // A map builder fails only when keys and values differ in number,
    // which the loop above rules out.
    let _ = b.append(true);
}
