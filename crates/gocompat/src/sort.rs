//! Go's `slices.SortFunc` and `sort.Slice` (the same pattern-defeating
//! quicksort since Go 1.19), reproduced step for step: they are not stable,
//! and Go programs leave the order of equal elements to them. Go's trace
//! parser does (the frontier of thread cursors, a generation's CPU
//! samples), and so do upstream's tools, so matching their output needs
//! the same steps.

/// Sorts `v` in the exact order Go's `slices.SortFunc(v, cmp)` leaves it,
/// where `less(a, b)` stands for `cmp(a, b) < 0`; `sort.Slice(v, less)`
/// leaves the same order.
pub fn sort_func<T>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    let n = v.len();
    pdqsort(v, 0, n, bit_len(n), less);
}

fn bit_len(n: usize) -> usize {
    (usize::BITS - n.leading_zeros()) as usize
}

fn insertion_sort<T>(v: &mut [T], a: usize, b: usize, less: &impl Fn(&T, &T) -> bool) {
    for i in a + 1..b {
        let mut j = i;
        while j > a && less(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

fn sift_down<T>(v: &mut [T], lo: usize, hi: usize, first: usize, less: &impl Fn(&T, &T) -> bool) {
    let mut root = lo;
    loop {
        let mut child = 2 * root + 1;
        if child >= hi {
            return;
        }
        if child + 1 < hi && less(&v[first + child], &v[first + child + 1]) {
            child += 1;
        }
        if !less(&v[first + root], &v[first + child]) {
            return;
        }
        v.swap(first + root, first + child);
        root = child;
    }
}

fn heap_sort<T>(v: &mut [T], a: usize, b: usize, less: &impl Fn(&T, &T) -> bool) {
    let hi = b - a;
    for i in (0..hi.div_ceil(2)).rev() {
        sift_down(v, i, hi, a, less);
    }
    for i in (0..hi).rev() {
        v.swap(a, a + i);
        sift_down(v, 0, i, a, less);
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Hint {
    Unknown,
    Increasing,
    Decreasing,
}

fn pdqsort<T>(
    v: &mut [T],
    mut a: usize,
    mut b: usize,
    mut limit: usize,
    less: &impl Fn(&T, &T) -> bool,
) {
    const MAX_INSERTION: usize = 12;
    let mut was_balanced = true;
    let mut was_partitioned = true;
    loop {
        let length = b - a;
        if length <= MAX_INSERTION {
            insertion_sort(v, a, b, less);
            return;
        }
        if limit == 0 {
            heap_sort(v, a, b, less);
            return;
        }
        if !was_balanced {
            break_patterns(v, a, b);
            limit -= 1;
        }
        let (mut pivot, mut hint) = choose_pivot(v, a, b, less);
        if hint == Hint::Decreasing {
            v[a..b].reverse();
            pivot = (b - 1) - (pivot - a);
            hint = Hint::Increasing;
        }
        if was_balanced
            && was_partitioned
            && hint == Hint::Increasing
            && partial_insertion_sort(v, a, b, less)
        {
            return;
        }
        if a > 0 && !less(&v[a - 1], &v[pivot]) {
            a = partition_equal(v, a, b, pivot, less);
            continue;
        }
        let (mid, already) = partition(v, a, b, pivot, less);
        was_partitioned = already;
        let (left, right) = (mid - a, b - mid);
        let threshold = length / 8;
        if left < right {
            was_balanced = left >= threshold;
            pdqsort(v, a, mid, limit, less);
            a = mid + 1;
        } else {
            was_balanced = right >= threshold;
            pdqsort(v, mid + 1, b, limit, less);
            b = mid;
        }
    }
}

fn partition<T>(
    v: &mut [T],
    a: usize,
    b: usize,
    pivot: usize,
    less: &impl Fn(&T, &T) -> bool,
) -> (usize, bool) {
    v.swap(a, pivot);
    // i and j are inclusive bounds of what is left to partition; j may
    // go one below a + 1, so it is kept signed.
    let (mut i, mut j) = (a as isize + 1, b as isize - 1);
    let at = |k: isize| k as usize;
    while i <= j && less(&v[at(i)], &v[a]) {
        i += 1;
    }
    while i <= j && !less(&v[at(j)], &v[a]) {
        j -= 1;
    }
    if i > j {
        v.swap(at(j), a);
        return (at(j), true);
    }
    v.swap(at(i), at(j));
    i += 1;
    j -= 1;
    loop {
        while i <= j && less(&v[at(i)], &v[a]) {
            i += 1;
        }
        while i <= j && !less(&v[at(j)], &v[a]) {
            j -= 1;
        }
        if i > j {
            break;
        }
        v.swap(at(i), at(j));
        i += 1;
        j -= 1;
    }
    v.swap(at(j), a);
    (at(j), false)
}

fn partition_equal<T>(
    v: &mut [T],
    a: usize,
    b: usize,
    pivot: usize,
    less: &impl Fn(&T, &T) -> bool,
) -> usize {
    v.swap(a, pivot);
    let (mut i, mut j) = (a as isize + 1, b as isize - 1);
    let at = |k: isize| k as usize;
    loop {
        while i <= j && !less(&v[a], &v[at(i)]) {
            i += 1;
        }
        while i <= j && less(&v[a], &v[at(j)]) {
            j -= 1;
        }
        if i > j {
            break;
        }
        v.swap(at(i), at(j));
        i += 1;
        j -= 1;
    }
    at(i)
}

fn partial_insertion_sort<T>(
    v: &mut [T],
    a: usize,
    b: usize,
    less: &impl Fn(&T, &T) -> bool,
) -> bool {
    const MAX_STEPS: usize = 5;
    const SHORTEST_SHIFTING: usize = 50;
    let mut i = a + 1;
    for _ in 0..MAX_STEPS {
        while i < b && !less(&v[i], &v[i - 1]) {
            i += 1;
        }
        if i == b {
            return true;
        }
        if b - a < SHORTEST_SHIFTING {
            return false;
        }
        v.swap(i, i - 1);
        if i - a >= 2 {
            let mut j = i - 1;
            while j >= 1 {
                if !less(&v[j], &v[j - 1]) {
                    break;
                }
                v.swap(j, j - 1);
                j -= 1;
            }
        }
        if b - i >= 2 {
            for j in i + 1..b {
                if !less(&v[j], &v[j - 1]) {
                    break;
                }
                v.swap(j, j - 1);
            }
        }
    }
    false
}

fn break_patterns<T>(v: &mut [T], a: usize, b: usize) {
    let length = b - a;
    if length >= 8 {
        let mut random = length as u64;
        let modulus = 1usize << bit_len(length);
        let base = a + (length / 4) * 2;
        for idx in base - 1..=base + 1 {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            let mut other = (random as usize) & (modulus - 1);
            if other >= length {
                other -= length;
            }
            v.swap(idx, a + other);
        }
    }
}

fn choose_pivot<T>(
    v: &mut [T],
    a: usize,
    b: usize,
    less: &impl Fn(&T, &T) -> bool,
) -> (usize, Hint) {
    const SHORTEST_NINTHER: usize = 50;
    const MAX_SWAPS: usize = 4 * 3;
    let l = b - a;
    let mut swaps = 0;
    let mut i = a + l / 4;
    let mut j = a + l / 4 * 2;
    let mut k = a + l / 4 * 3;
    if l >= 8 {
        if l >= SHORTEST_NINTHER {
            i = median(v, i - 1, i, i + 1, &mut swaps, less);
            j = median(v, j - 1, j, j + 1, &mut swaps, less);
            k = median(v, k - 1, k, k + 1, &mut swaps, less);
        }
        j = median(v, i, j, k, &mut swaps, less);
    }
    let hint = match swaps {
        0 => Hint::Increasing,
        MAX_SWAPS => Hint::Decreasing,
        _ => Hint::Unknown,
    };
    (j, hint)
}

fn order2<T>(
    v: &[T],
    a: usize,
    b: usize,
    swaps: &mut usize,
    less: &impl Fn(&T, &T) -> bool,
) -> (usize, usize) {
    if less(&v[b], &v[a]) {
        *swaps += 1;
        return (b, a);
    }
    (a, b)
}

fn median<T>(
    v: &[T],
    a: usize,
    b: usize,
    c: usize,
    swaps: &mut usize,
    less: &impl Fn(&T, &T) -> bool,
) -> usize {
    let (a, b) = order2(v, a, b, swaps, less);
    let (b, c) = order2(v, b, c, swaps, less);
    let _ = c;
    let (_, b) = order2(v, a, b, swaps, less);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sorting (key, original position) pairs by key alone shows where
    /// equal keys end up. The expected orders were printed by Go 1.27's
    /// `slices.SortFunc` on the same inputs.
    const GO_ORDER_40: [usize; 40] = [
        36, 1, 26, 21, 16, 31, 6, 11, 29, 4, 34, 39, 9, 19, 14, 24, 12, 17, 37, 32, 27, 7, 22, 2,
        20, 10, 5, 0, 35, 25, 30, 15, 13, 33, 18, 28, 8, 23, 38, 3,
    ];

    const GO_ORDER_300_HEAD: [usize; 30] = [
        142, 168, 51, 207, 90, 181, 103, 285, 220, 194, 64, 116, 12, 272, 233, 246, 77, 129, 155,
        259, 25, 38, 298, 18, 31, 135, 148, 239, 226, 122,
    ];

    #[test]
    fn equal_elements_land_where_go_puts_them() {
        let keys: Vec<u32> = (0..40u32).map(|i| (i * 7 + 3) % 5).collect();
        let mut v: Vec<(u32, usize)> = keys.iter().copied().zip(0..).collect();
        sort_func(&mut v, &|a: &(u32, usize), b: &(u32, usize)| a.0 < b.0);
        let order: Vec<usize> = v.iter().map(|e| e.1).collect();
        assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(order, GO_ORDER_40);

        let keys: Vec<u32> = (0..300u32).map(|i| (i * 37 + 11) % 13).collect();
        let mut v: Vec<(u32, usize)> = keys.iter().copied().zip(0..).collect();
        sort_func(&mut v, &|a: &(u32, usize), b: &(u32, usize)| a.0 < b.0);
        let order: Vec<usize> = v.iter().map(|e| e.1).collect();
        assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(order[..30], GO_ORDER_300_HEAD);
    }

    /// Keys `i * 7919 % 13` for `i` in `0..n`, sorted by key: the order of
    /// the indexes is what Go 1.21's and 1.27's `sort.Slice` give.
    #[test]
    fn same_tie_order_as_go_sort_slice() {
        let go: [(usize, &[usize]); 3] = [
            (13, &[0, 7, 1, 8, 2, 9, 3, 10, 4, 11, 5, 12, 6]),
            (
                40,
                &[
                    0, 39, 26, 13, 7, 33, 20, 27, 1, 14, 8, 34, 21, 15, 28, 2, 22, 9, 35, 29, 16,
                    3, 10, 23, 36, 4, 17, 30, 24, 37, 11, 31, 5, 18, 12, 38, 25, 32, 6, 19,
                ],
            ),
            (
                100,
                &[
                    52, 91, 26, 65, 0, 78, 39, 13, 33, 59, 20, 46, 72, 7, 85, 98, 14, 40, 53, 92,
                    79, 27, 66, 1, 34, 60, 73, 21, 86, 8, 99, 47, 67, 93, 2, 80, 41, 28, 54, 15,
                    87, 48, 22, 9, 74, 35, 61, 3, 94, 81, 55, 68, 16, 29, 42, 36, 23, 10, 75, 88,
                    49, 62, 95, 82, 43, 56, 17, 4, 30, 69, 24, 11, 89, 50, 63, 37, 76, 96, 57, 18,
                    5, 70, 44, 83, 31, 38, 51, 64, 77, 12, 90, 25, 45, 19, 71, 84, 58, 97, 6, 32,
                ],
            ),
        ];
        for (n, want) in go {
            let mut v: Vec<(usize, usize)> = (0..n).map(|i| (i * 7919 % 13, i)).collect();
            sort_func(&mut v, &|a: &(usize, usize), b: &(usize, usize)| a.0 < b.0);
            let got: Vec<usize> = v.iter().map(|p| p.1).collect();
            assert_eq!(got, want, "n={n}");
        }
    }

    #[test]
    fn sorts_like_a_sort() {
        for n in [0, 1, 5, 12, 13, 49, 50, 51, 200, 1000] {
            let mut v: Vec<u64> = (0..n).map(|i| (i * 2654435761u64) % 97).collect();
            let mut want = v.clone();
            want.sort();
            sort_func(&mut v, &|a: &u64, b: &u64| a < b);
            assert_eq!(v, want, "n={n}");
        }
    }
}
