//! Instances from regiongraph's region patterns: every region of one kind
//! (see the `regions` crate) is an instance, from its first event to its
//! last, with the CPU samples taken on its goroutine in between.

use crate::Error;
use crate::region::{Frame, Instance, Sample, Scope};
use regions::did::Did;
use regions::patterns::Pattern;
use regions::source::{Source, Stacks};
use regions::track::Region;
use std::collections::HashMap;

/// Finds the regions of `kind` in the trace (a first pass), then the CPU
/// samples inside them (a second). Sample frames carry function names only
/// (regiongraph's model keeps no files, lines or PCs).
pub fn find_kind(src: &Source, patterns: &[Pattern], kind: &str) -> Result<Scope, Error> {
    let Some(want) = patterns.iter().position(|p| p.kind == kind) else {
        return Err(Error::NoRegionKind {
            kind: kind.to_owned(),
            known: patterns.iter().map(|p| p.kind.clone()).collect(),
        });
    };
    let mut stacks = Stacks::new();
    let tracked = regions::track::track(src, patterns, &mut stacks)?;
    /// One goroutine's regions of the kind, in order, and how far its
    /// events have got.
    struct Walk {
        regions: Vec<(Region, Instance)>,
        pos: u32,
        at: usize,
    }
    let mut walks: HashMap<i64, Walk> = HashMap::new();
    // One kind's regions of a goroutine come in the order of its events.
    for r in tracked
        .regions
        .iter()
        .filter(|r| r.pattern as usize == want)
    {
        let goroutine = tracked.goroutines[r.gi as usize];
        let walk = walks.entry(goroutine).or_insert(Walk {
            regions: Vec::new(),
            pos: 0,
            at: 0,
        });
        let instance = Instance {
            goroutine,
            start: r.first.ts,
            length: r.last.ts - r.first.ts,
            samples: Vec::new(),
        };
        walk.regions.push((*r, instance));
    }
    src.scan(&mut stacks, |ev, stacks| {
        let Some(w) = walks.get_mut(&ev.g) else {
            return;
        };
        let pos = w.pos;
        w.pos += 1;
        while w.regions.get(w.at).is_some_and(|(r, _)| r.last.pos < pos) {
            w.at += 1;
        }
        let Some((r, inst)) = w.regions.get_mut(w.at) else {
            return;
        };
        if ev.did != Did::Sample || pos < r.first.pos || ev.ts < r.first.ts || ev.ts >= r.last.ts {
            return;
        }
        let frames = stacks.get(ev.stack).0.iter().rev().map(|f| Frame {
            func: f.to_string(),
            file: String::new(),
            line: 0,
            pc: 0,
        });
        inst.samples.push(Sample {
            offset: ev.ts - r.first.ts,
            frames: frames.collect(),
        });
    })?;
    let mut instances: Vec<Instance> = walks
        .into_values()
        .flat_map(|w| w.regions.into_iter().map(|(_, i)| i))
        .collect();
    instances.sort_by_key(|i| (i.goroutine, i.start));
    Ok(Scope {
        instances,
        duration: tracked.span.1 - tracked.span.0,
    })
}
