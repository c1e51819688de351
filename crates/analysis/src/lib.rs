//! Analyses over the event model of `gotrace`: the stack-pattern language
//! shared by etgrep's `-match` and the region patterns, and event filters.

pub mod eventmatch;
pub mod links;
pub mod stackmatch;

use gotrace::{Event, Transition};

/// The goroutine an event is about: the goroutine it ran on or, for an
/// event seen from no goroutine that changes a goroutine's state (a start,
/// a wake-up by the network poller), the goroutine that changes. This is
/// how etgrep files events under `-goroutine` and `-sort=goroutine`.
pub fn event_goroutine(ev: &Event<'_>) -> i64 {
    let g = ev.goroutine();
    if g != gotrace::NONE {
        return g;
    }
    match ev.state_transition().map(|s| s.transition) {
        Some(Transition::Goroutine { id, .. }) => id,
        _ => g,
    }
}
