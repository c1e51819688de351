//! The cap on the decompressed size of one profile (or any bundle member
//! read whole), so that a gzip or zip bomb is refused instead of filling
//! memory: 1 GiB unless the environment variable
//! `TOOLBOX_MAX_DECOMPRESSED` says otherwise (bytes, or with a `K`, `M`
//! or `G` suffix for KiB, MiB, GiB).

use limits::Limit;

/// The environment variable that raises (or lowers) the cap.
pub const MAX_DECOMPRESSED_VAR: &str = "TOOLBOX_MAX_DECOMPRESSED";

/// The cap when the environment does not set one: 1 GiB.
pub const DEFAULT_MAX_DECOMPRESSED: u64 = 1 << 30;

/// The cap, as a [`Limit`].
pub static MAX_DECOMPRESSED: Limit = Limit::new(
    MAX_DECOMPRESSED_VAR,
    DEFAULT_MAX_DECOMPRESSED,
    "bytes decompressed",
);

/// The cap in bytes: [`MAX_DECOMPRESSED_VAR`] if it is set to a size, else
/// [`DEFAULT_MAX_DECOMPRESSED`]. Read once per process.
pub fn max_decompressed() -> u64 {
    MAX_DECOMPRESSED.get()
}

/// What to tell a user who hit the cap.
pub fn how_to_raise() -> String {
    format!("raise it with {MAX_DECOMPRESSED_VAR}=BYTES (K, M, G suffixes accepted)")
}
