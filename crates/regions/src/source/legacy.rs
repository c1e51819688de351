//! The adapter for Go 1.11–1.21 traces, read whole through
//! `gotrace::legacy` (Go 1.21's parser's view, kept so that results equal
//! upstream's byte for byte): every event in Go 1.21's order, with what its
//! goroutine did and Go 1.21's links.

use super::Stacks;
use crate::did::Did;
use crate::error::Result;
use crate::event::{Back, Ev};
use gotrace::legacy::{LegacyTrace, types as t};
use rustc_hash::FxHashMap;

/// Calls `f` on every event of the trace.
pub(super) fn scan(
    legacy: &LegacyTrace,
    stacks: &mut Stacks,
    f: &mut impl FnMut(&Ev, &Stacks),
) -> Result<()> {
    // Links not yet reached: target event -> its source.
    let mut pending: FxHashMap<u32, Back> = FxHashMap::default();
    for ev in legacy.events() {
        let idx = ev.index() as u32;
        let g = ev.g() as i64;
        let mut wakes = None;
        let region_end = ev.typ() == t::EV_USER_REGION && ev.args()[1] == 1;
        if let Some(l) = ev.link() {
            let back = Back { idx, ts: ev.ts() };
            if pending.insert(l as u32, back).is_some() {
                let msg = format!("two events link to event {l}");
                return Err(std::io::Error::other(msg).into());
            }
            let target = legacy.event(l);
            if target.typ() == t::EV_GO_START && target.g() as i64 != g {
                wakes = Some(target.g() as i64);
            }
        }
        let out = Ev {
            idx,
            ts: ev.ts(),
            g,
            did: Did::of_old(ev.typ(), region_end),
            stack: stacks.intern(&ev.stack()),
            back: pending.remove(&idx),
            wakes,
        };
        f(&out, stacks);
    }
    Ok(())
}
