//! Per-P and per-goroutine state of the v1 parser and converter. Ps are
//! small numbers (plus the parser's four fake Ps), and so are goroutine
//! IDs in most traces, so the state lives in a vector indexed by P or ID,
//! with a hash map for any other number a hostile trace may hold.

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

/// Goroutine IDs below this are kept in [`GMap`]'s vector.
const G_DENSE: u64 = 1 << 20;

/// A value for every goroutine ID (the default one until set).
#[derive(Debug, Default)]
pub(crate) struct GMap<V> {
    dense: Vec<V>,
    sparse: HashMap<u64, V>,
}

impl<V: Copy + Default> GMap<V> {
    #[inline]
    pub(crate) fn get(&self, g: u64) -> V {
        match self.dense.get(g as usize) {
            Some(&v) if g < G_DENSE => v,
            _ if g < G_DENSE => V::default(),
            _ => self.sparse.get(&g).copied().unwrap_or_default(),
        }
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, g: u64) -> &mut V {
        if g >= G_DENSE {
            return self.sparse.entry(g).or_default();
        }
        let i = g as usize;
        if i >= self.dense.len() {
            self.grow(i);
        }
        &mut self.dense[i]
    }

    #[cold]
    fn grow(&mut self, i: usize) {
        let len = (i + 1).next_power_of_two().max(64);
        self.dense.resize(len, V::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_huge_goroutine_ids() {
        let mut m: GMap<u64> = GMap::default();
        for g in [0, 5, 1000, G_DENSE - 1, G_DENSE, u64::MAX - 1, u64::MAX] {
            assert_eq!(m.get(g), 0);
            *m.get_mut(g) = g ^ 7;
            assert_eq!(m.get(g), g ^ 7);
        }
        assert_eq!(m.get(6), 0);
        assert!(m.dense.len() <= G_DENSE as usize);
        assert_eq!(m.sparse.len(), 3);
    }

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
