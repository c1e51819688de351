//! The set of procs (Ps) whose latest state is executing, which phase
//! detection updates on every proc transition: a flag per proc for the
//! small IDs that real traces use, a hash set for any others.

use std::collections::HashSet;

/// Proc IDs below this are kept as flags.
const DENSE: i64 = 1 << 12;

/// A set of proc IDs with its size.
#[derive(Debug, Default)]
pub(crate) struct Procs {
    dense: Vec<bool>,
    sparse: HashSet<i64>,
    len: usize,
}

impl Procs {
    /// Adds or removes `id`.
    #[inline]
    pub(crate) fn set(&mut self, id: i64, executing: bool) {
        let changed = if (0..DENSE).contains(&id) {
            let i = id as usize;
            if i >= self.dense.len() {
                if !executing {
                    return;
                }
                self.dense.resize(i + 1, false);
            }
            std::mem::replace(&mut self.dense[i], executing) != executing
        } else if executing {
            self.sparse.insert(id)
        } else {
            self.sparse.remove(&id)
        };
        if changed {
            if executing {
                self.len += 1;
            } else {
                self.len -= 1;
            }
        }
    }

    /// How many procs are in the set.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_proc_once_whatever_its_id() {
        let mut p = Procs::default();
        for id in [0, 3, DENSE - 1, DENSE, -1, i64::MAX] {
            p.set(id, true);
            p.set(id, true);
        }
        assert_eq!(p.len(), 6);
        p.set(3, false);
        p.set(3, false);
        p.set(i64::MAX, false);
        p.set(7, false); // never added
        p.set(DENSE + 5, false);
        assert_eq!(p.len(), 4);
        p.set(3, true);
        assert_eq!(p.len(), 5);
    }
}
