//! A reader for pprof's profile.proto format, fast enough to rank piles of
//! profiles: the (gzipped or raw) bytes are decoded in two passes, first
//! everything but the samples, then the samples streamed without being
//! stored. Each pass has a fast path for profiles of the usual shape that
//! hands anything else to a general decoder, which says what is wrong with
//! malformed input; strings stay in the input, each thread reads the next
//! profile into the last one's tables, and the acceptance rules are
//! google/pprof's `profile.Parse` ones for the protobuf encoding.
//!
//! [`proto`] holds the schema as prost messages, for reading profiles into
//! a full object graph; [`Profile`] is the fast read path that apshuffle
//! uses (prost's generated decoder materialises every sample and label and
//! does not follow pprof's wire rules exactly, for example on groups and
//! over-long varints). Legacy text and binary formats are not read.
//! [`ProfileBuilder`] writes profiles (scope_tls's, and those of the tools
//! to come): interning, base profiles, labels, merging and gzip.
//!
//! ```
//! use pprof::{Filter, ProfileBuilder};
//! # fn main() -> Result<(), pprof::Error> {
//! let mut b = ProfileBuilder::new();
//! let goroutines = b.value_type("goroutine", "count");
//! b.set_sample_types(vec![goroutines]);
//! b.add_sample(&[], &[3], &[]);
//! let bytes = b.finish_gzip();
//! assert_eq!(pprof::sum(&bytes, "", &Filter::default())?, 3);
//! # Ok(()) }
//! ```

mod builder;
mod decode;
mod error;
mod filter;
mod gzip;
mod ids;
mod inflate;
pub mod limit;
mod profile;
pub mod proto;
mod quick;
mod quickdecode;
mod reuse;
mod samples;
mod strmatch;
mod wire;

pub use builder::{Frame, Label, ProfileBuilder};
pub use error::{DecodeError, Error, Problem};
pub use filter::Filter;
pub use gzip::{decompress_into, is_gzip};
pub use limit::max_decompressed;
pub use profile::Profile;

/// Decompresses, parses and validates `raw`, then sums the value named
/// `sample_type` (empty: the profile's default, else index 0) over the
/// samples `filter` keeps.
///
/// Decompression reuses a per-thread buffer, so memory stays at one
/// profile per thread however many profiles are summed.
pub fn sum(raw: &[u8], sample_type: &str, filter: &Filter) -> Result<i128, Error> {
    sum_checked(raw, sample_type, filter).map(|s| s.total)
}

/// A sum, and whether the sample type asked for was there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summed {
    /// The sum.
    pub total: i128,
    /// When a sample type was named and the profile has none of that
    /// name: the profile's sample types (the first one was summed, as
    /// upstream does).
    pub missing: Option<Vec<String>>,
}

/// [`sum`], also saying when a named `sample_type` is not in the profile.
pub fn sum_checked(raw: &[u8], sample_type: &str, filter: &Filter) -> Result<Summed, Error> {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let total = |data: &[u8]| {
        let profile = Profile::parse(data)?;
        let missing = (!sample_type.is_empty() && !profile.has_sample_type(sample_type))
            .then(|| profile.sample_type_names());
        let total = profile.total(profile.sample_index(sample_type), filter)?;
        Ok(Summed { total, missing })
    };
    if !is_gzip(raw) {
        return total(raw);
    }
    BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        let result = decompress_into(raw, &mut buf).and_then(|()| total(&buf));
        // Do not hold on to the memory of an unusually large profile.
        if buf.capacity() > 256 << 20 {
            *buf = Vec::new();
        }
        result
    })
}
