//! Per-thread spare `u64` buffers for the tables that summing builds for
//! each profile (pattern bits per string, function and location), so that
//! summing profile after profile does not allocate, and fault in, fresh
//! zeroed memory for each.

use std::cell::RefCell;

thread_local! {
    static SPARE: RefCell<Vec<Vec<u64>>> = const { RefCell::new(Vec::new()) };
}

/// A buffer of `n` zeros, reusing a spare one's memory when there is one.
pub(crate) fn zeroed(n: usize) -> Vec<u64> {
    let mut v = SPARE.with(|s| s.borrow_mut().pop()).unwrap_or_default();
    v.clear();
    v.resize(n, 0);
    v
}

/// Keeps `v` for a later [`zeroed`] on this thread.
pub(crate) fn recycle(v: Vec<u64>) {
    // A handful is all one profile's sum uses at once.
    const KEEP: usize = 8;
    SPARE.with(|s| {
        let mut s = s.borrow_mut();
        if s.len() < KEEP && v.capacity() > 0 {
            s.push(v);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_come_back_zeroed() {
        let mut v = zeroed(3);
        v[1] = 7;
        let p = v.as_ptr();
        recycle(v);
        let w = zeroed(2);
        assert_eq!(w, [0, 0]);
        assert_eq!(w.as_ptr(), p);
    }
}
