//! The adapter for Go 1.11–1.21 traces, read whole through
//! `gotrace::legacy` (Go 1.21's parser's view, kept so that results equal
//! upstream's byte for byte): every event in Go 1.21's order, with what its
//! goroutine did and the links that say why a goroutine ran or stopped
//! waiting (derived as for every format, see `analysis::links`).

use super::Stacks;
use crate::did::Did;
use crate::event::{Back, Ev};
use gotrace::legacy::{LegacyTrace, LinkKind, types as t};
use rustc_hash::FxHashMap;

/// Calls `f` on every event of the trace (which was read whole: nothing
/// can fail now).
pub(super) fn scan(legacy: &LegacyTrace, stacks: &mut Stacks, f: &mut impl FnMut(&Ev, &Stacks)) {
    // Links not yet reached: target event -> its source.
    let mut pending: FxHashMap<u32, Back> = FxHashMap::default();
    for ev in legacy.events() {
        let idx = ev.index() as u32;
        let g = ev.g() as i64;
        let mut wakes = None;
        let region_end = ev.typ() == t::EV_USER_REGION && ev.args()[1] == 1;
        // Each event is the end of at most one such link.
        if let Some(l) = ev.link()
            && ev.link_kind().is_some_and(LinkKind::is_wake)
        {
            pending.insert(l as u32, Back { idx, ts: ev.ts() });
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
}
