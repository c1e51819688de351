//! `-goroutine`'s first pass: the goroutines asked for, and those that
//! woke them or that they woke (one hop) inside the time window.

use crate::error::Result;
use crate::window::{Bound, Window};
use gotrace::{GoState, Reader, TraceSource, Transition};
use rustc_hash::FxHashSet;

/// Who woke whom, if `ev` is a wake-up by a goroutine: (waker, woken).
pub(crate) fn wake(ev: &gotrace::Event<'_>) -> Option<(i64, i64)> {
    let st = ev.state_transition()?;
    let Transition::Goroutine { id, from, to } = st.transition else {
        return None;
    };
    let waker = ev.goroutine();
    let woke = to == GoState::Runnable && matches!(from, GoState::Waiting | GoState::NotExist);
    (woke && waker != gotrace::NONE && waker != id).then_some((waker, id))
}

/// The goroutines to show: `focus`, and the goroutines that woke one of
/// them or that one of them woke between `from` and `to`.
pub(crate) fn one_hop(
    input: TraceSource,
    focus: &[i64],
    from: Option<Bound>,
    to: Option<Bound>,
) -> Result<FxHashSet<i64>> {
    let mut shown: FxHashSet<i64> = focus.iter().copied().collect();
    let asked: FxHashSet<i64> = shown.clone();
    let mut reader = Reader::from_source(input)?;
    let mut window: Option<Window> = None;
    while let Some(ev) = reader.read_event()? {
        let w = *window.get_or_insert_with(|| Window::new(from, to, ev.time()));
        if ev.time() > w.to {
            break;
        }
        if !w.contains(ev.time()) {
            continue;
        }
        if let Some((a, b)) = wake(&ev) {
            if asked.contains(&a) {
                shown.insert(b);
            }
            if asked.contains(&b) {
                shown.insert(a);
            }
        }
    }
    Ok(shown)
}
