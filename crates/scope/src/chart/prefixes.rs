//! The lanes' stack prefixes, interned so that memory and time stay linear
//! in the number of frames however deep a stack is (joining every prefix
//! into a string, as upstream keys them, is quadratic in a stack's depth),
//! and how many lanes share each one.

use std::collections::HashMap;

use super::input::Chart;

/// Prefix `j` of lane `i` (its first `j + 1` frames) is `ids[i][j]`; the
/// number of lanes that have prefix `id` is `lanes[id]`.
#[derive(Debug)]
pub struct Prefixes {
    ids: Vec<Vec<u32>>,
    lanes: Vec<usize>,
    /// Lanes whose first frame is empty: upstream keys prefixes by their
    /// `;`-joined frames, so the empty prefix shares its key (`""`) with
    /// the one-frame prefix `[""]`.
    empty_first: usize,
}

impl Prefixes {
    /// Interns every prefix of every lane of `chart`.
    pub fn new(chart: &Chart) -> Prefixes {
        let mut intern: HashMap<(u32, &str), u32> = HashMap::new();
        let mut lanes: Vec<usize> = Vec::new();
        let ids = chart
            .lanes
            .iter()
            .map(|stack| {
                let mut parent = u32::MAX;
                stack
                    .iter()
                    .map(|frame| {
                        let next = intern.len() as u32;
                        let id = *intern.entry((parent, frame.as_str())).or_insert(next);
                        if id == next {
                            lanes.push(0);
                        }
                        lanes[id as usize] += 1;
                        parent = id;
                        id
                    })
                    .collect()
            })
            .collect();
        let empty_first = chart
            .lanes
            .iter()
            .filter(|s| s.first().is_some_and(String::is_empty))
            .count();
        Prefixes {
            ids,
            lanes,
            empty_first,
        }
    }

    /// How many lanes have the first `len` frames of lane `lane`.
    pub fn weight(&self, lane: usize, len: usize) -> usize {
        match len.checked_sub(1) {
            None => self.empty_first,
            Some(j) => self.lanes[self.ids[lane][j] as usize],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::input::parse;

    #[test]
    fn counts_lanes_sharing_each_prefix() {
        let c = parse(
            "start 1 length 2 frac 0.5 stack r;a;b\n\
             start 1 length 2 frac 0.25 stack q;a\n\
             start 1 length 2 frac 0.25 stack r;0\n\
             start 1 length 2 frac 0.25 stack r;;x\n",
        )
        .unwrap();
        // Lanes: [""; "x"], ["0"], ["a"], ["a", "b"].
        let p = Prefixes::new(&c);
        assert_eq!((p.weight(2, 1), p.weight(3, 1), p.weight(3, 2)), (2, 2, 1));
        assert_eq!((p.weight(1, 1), p.weight(0, 2)), (1, 1));
        // The empty prefix weighs as the prefix [""] does upstream.
        assert_eq!((p.weight(0, 0), p.weight(0, 1), p.weight(1, 0)), (1, 1, 1));
    }
}
