//! Analyses over the event model of `gotrace`: the stack-pattern language
//! shared by etgrep's `-match` and the region patterns, and event filters.

pub mod eventmatch;
pub mod golit;
pub mod links;
pub mod stackmatch;
