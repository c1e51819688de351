//! grstates' analysis: what a Go program's goroutines do, as state
//! machines keyed by the call stacks where they meet the scheduler.
//!
//! [`read`] follows every goroutine of one execution trace (any format Go
//! 1.11 to today's) and gives its [`Graph`]: stack-states (a stack and a
//! goroutine state), the edges goroutines took between them, how many
//! goroutines were created in and exited from each, and example events.
//! Graphs of many traces [`Graph::merge`] into one whose counts add up.
//! [`viz::build`] lays a graph out as upstream's grstates does (nodes keyed
//! by short stack text, priorities, widths); [`dot::write`] prints that as
//! Graphviz DOT, and [`svg::render`] draws it with Graphviz's `dot` as a
//! pan- and zoomable SVG picture.
//!
//! Where upstream's output depends on Go's map order (which example a
//! creation or exit node shows, which of several stack-states drawn as one
//! node or edge gives its count and example, the order of nodes whose
//! priorities tie) a fixed rule is used instead: see [`track`] and
//! [`viz`].

pub mod dot;
pub mod gomath;
pub mod graph;
pub mod stacks;
pub mod svg;
pub mod track;
pub mod viz;

#[cfg(test)]
mod testkit;

pub use graph::{EdgeInfo, Ends, Graph, StackState, StateInfo};
pub use stacks::{NO_STACK, StackId, Stacks};
pub use track::{Tracker, read};
