//! Go-compatibility helpers: the places where matching upstream's Go tools
//! byte for byte needs Go's own rules rather than Rust's, one module each.
//!
//! - [`sort`], Go's unstable `slices.SortFunc` / `sort.Slice` order;
//! - [`literal`], Go string literals as `fmt.Fscanf("%q")` reads them;
//! - [`re2`], Go (RE2) regexps compiled with the `regex` crate;
//! - [`quote`], `strconv.Quote`;
//! - [`flag`], booleans and integers as Go's `flag` package parses them;
//! - [`time`], RFC 3339 timestamps as Go's `time.Parse` reads them;
//! - [`duration`], durations as Go's `time.ParseDuration` reads them;
//! - [`fmt`], Go's `%.3g` and `%.Nf`;
//! - [`math`], Go's `math.Log`;
//! - [`json`], Go's `encoding/json` string escaping.

pub mod duration;
pub mod flag;
pub mod fmt;
pub mod json;
pub mod literal;
pub mod math;
pub mod quote;
pub mod re2;
pub mod sort;
pub mod time;
