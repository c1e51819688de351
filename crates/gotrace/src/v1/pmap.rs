//! Per-P state of the v1 parser and converter. Ps are small numbers (plus
//! the parser's four fake Ps), so the state lives in a vector indexed by
//! P, with a hash map for any other number a hostile trace may hold.

use super::parse::{GC_P, TIMER_P};
use rustc_hash::FxHashMap as HashMap;

/// Ps below this (and -1) are kept in the vector.
const DENSE: i32 = 1024;

#[derive(Debug)]
pub(crate) struct PMap<V> {
    dense: Vec<Option<V>>,
    sparse: HashMap<i32, V>,
}

impl<V> Default for PMap<V> {
    fn default() -> Self {
        PMap {
            dense: Vec::new(),
            sparse: HashMap::default(),
        }
    }
}

/// The vector slot of P `p`, if it has one.
#[inline]
fn slot(p: i32) -> Option<usize> {
    match p {
        -1..DENSE => Some((p + 1) as usize),
        TIMER_P..=GC_P => Some((DENSE + 1 + (p - TIMER_P)) as usize),
        _ => None,
    }
}

impl<V: Copy> PMap<V> {
    #[inline]
    pub(crate) fn get(&self, p: i32) -> Option<V> {
        match slot(p) {
            Some(i) => self.dense.get(i).copied().flatten(),
            None => self.sparse.get(&p).copied(),
        }
    }

    /// Sets P `p`'s value; gives the one it replaces.
    #[inline]
    pub(crate) fn insert(&mut self, p: i32, v: V) -> Option<V> {
        match slot(p) {
            Some(i) => {
                if i >= self.dense.len() {
                    self.dense.resize(i + 1, None);
                }
                self.dense[i].replace(v)
            }
            None => self.sparse.insert(p, v),
        }
    }

    #[inline]
    pub(crate) fn remove(&mut self, p: i32) -> Option<V> {
        match slot(p) {
            Some(i) => self.dense.get_mut(i).and_then(Option::take),
            None => self.sparse.remove(&p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_fake_and_hostile_ps() {
        let mut m = PMap::default();
        for p in [-1, 0, 7, TIMER_P, GC_P, i32::MAX, i32::MIN, DENSE] {
            assert_eq!(m.get(p), None);
            assert_eq!(m.insert(p, (p, 1)), None);
            assert_eq!(m.insert(p, (p, 2)), Some((p, 1)));
            assert_eq!(m.get(p), Some((p, 2)));
        }
        assert!(m.dense.len() <= DENSE as usize + 5);
        assert_eq!(m.remove(7), Some((7, 2)));
        assert_eq!(m.get(7), None);
        assert_eq!(m.remove(i32::MIN), Some((i32::MIN, 2)));
        assert_eq!(m.get(0), Some((0, 2)));
    }
}
