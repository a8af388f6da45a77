//! The order of a column of floats: their order-preserving keys, a radix sort, and order
//! statistics selected without moving the column. Pure functions over slices of `f64`, each
//! written once: the sort serves Evidently's tests (two sorted samples), the selection the
//! quantile bin edges ([`super::binning`]).
//!
//! **Keys.** A float's bits, with the sign bit flipped for a positive value and every bit
//! flipped for a negative one, compare as unsigned integers as the floats compare: for finite
//! `a` and `b`, `a < b ⇔ key(a) < key(b)`, with `key(−0.0) < key(+0.0)`. Both algorithms below
//! sort or select on those integers, a digit of their bits at a time.

use std::cmp::Ordering;

/// The order-preserving 64-bit key of a finite value: `a < b ⇔ key(a) < key(b)`; −0.0 has the
/// key just below +0.0's (add `0.0` first to give them one key).
#[must_use]
pub fn key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 { !bits } else { bits | (1 << 63) }
}

/// The value of a [`key`]: `from_key(key(x))` is `x`, bit for bit.
#[must_use]
pub fn from_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Drops the non-finite `values` and sorts the rest ascending, through `scratch` (both buffers
/// reused from call to call).
///
/// Each value becomes its [`key`] (−0 sorts before +0). One pass drops the non-finite values, makes the keys,
/// counts their top 16 bits and notes which lower bits vary within each of those 65,536
/// buckets; a second scatters the keys into the buckets, in order. Each bucket is then sorted
/// on only as many of its varying bits, from the highest down, as it needs to leave few keys
/// tied (`log₂ n + 3` bits, in whole bytes: a least-significant-digit radix sort over those
/// bytes), and one last pass sorts each run of keys still tied on them (a few keys, seldom more
/// than one) on their whole key while writing the values back. For a column of 5M values that
/// is six passes over the data, where sorting every byte of the lower 48 bits took ten. A
/// bucket of a few hundred keys takes a comparison sort instead.
pub fn sort_finite(values: &mut Vec<f64>, scratch: &mut Vec<f64>) {
    const TOP_SHIFT: u32 = 48;
    const SMALL: usize = 256;
    let mut starts = vec![0_usize; (1 << 16) + 1];
    let (mut ones, mut zeros) = (vec![0_u64; 1 << 16], vec![0_u64; 1 << 16]);
    let mut len = 0;
    for i in 0..values.len() {
        let x = values[i];
        if x.is_finite() {
            let k = key(x);
            values[len] = f64::from_bits(k);
            len += 1;
            let top = (k >> TOP_SHIFT) as usize;
            starts[top + 1] += 1;
            ones[top] |= k;
            zeros[top] |= !k;
        }
    }
    values.truncate(len);
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    scratch.clear();
    scratch.resize(len, 0.0);
    let mut next = starts.clone();
    for v in values.iter() {
        let top = (v.to_bits() >> TOP_SHIFT) as usize;
        scratch[next[top]] = *v;
        next[top] += 1;
    }
    for b in 0..1 << 16 {
        let (lo, hi) = (starts[b], starts[b + 1]);
        if lo < hi {
            // The bits set in some key and clear in another.
            let varying = ones[b] & zeros[b] & ((1 << TOP_SHIFT) - 1);
            sort_bucket(&mut scratch[lo..hi], &mut values[lo..hi], varying, SMALL);
        }
    }
}

/// Sorts one bucket of [`sort_finite`]'s keys, `src`, into `out` as values; `varying` the key
/// bits that differ within the bucket, `small` the size up to which a comparison sort is used.
fn sort_bucket(src: &mut [f64], out: &mut [f64], varying: u64, small: usize) {
    let n = src.len();
    if varying == 0 || n <= small {
        src.sort_unstable_by_key(|v| v.to_bits());
        for (o, v) in out.iter_mut().zip(src.iter()) {
            *o = from_key(v.to_bits());
        }
        return;
    }
    // The varying bits from the highest down, `log₂ n + 3` of them, rounded up to whole bytes.
    let high = 64 - varying.leading_zeros();
    let wanted = (usize::BITS - n.leading_zeros() + 3).min(high);
    let digits = wanted.div_ceil(8) as usize;
    let low = high.saturating_sub(8 * digits as u32);
    let mut counts = [[0_u32; 256]; 6];
    for v in src.iter() {
        let k = v.to_bits() >> low;
        for (d, c) in counts.iter_mut().take(digits).enumerate() {
            c[((k >> (8 * d)) & 0xff) as usize] += 1;
        }
    }
    let mut in_src = true;
    for (d, c) in counts.iter_mut().take(digits).enumerate() {
        let shift = low + 8 * d as u32;
        let mut offset = 0;
        for slot in c.iter_mut() {
            let here = *slot;
            *slot = offset;
            offset += here;
        }
        // LSD, ping-ponging between the bucket's two homes.
        let (from, to): (&[f64], &mut [f64]) = if in_src { (&*src, &mut *out) } else { (&*out, &mut *src) };
        for v in from {
            let digit = ((v.to_bits() >> shift) & 0xff) as usize;
            to[c[digit] as usize] = *v;
            c[digit] += 1;
        }
        in_src = !in_src;
    }
    // Runs still tied on the sorted bits get sorted on their whole key; then the values.
    let sorted: &mut [f64] = if in_src { src } else { out };
    if low > 0 {
        let mut start = 0;
        for t in 1..=n {
            if t == n || sorted[t].to_bits() >> low != sorted[start].to_bits() >> low {
                if t - start > 1 {
                    sorted[start..t].sort_unstable_by_key(|v| v.to_bits());
                }
                start = t;
            }
        }
    }
    if in_src {
        for (o, v) in out.iter_mut().zip(src.iter()) {
            *o = from_key(v.to_bits());
        }
    } else {
        for o in out.iter_mut() {
            *o = from_key(o.to_bits());
        }
    }
}

/// What [`order_statistics`] selected.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderStatistics {
    /// The number of finite values.
    pub finite: usize,
    /// The ranks asked for, sorted and unique.
    ranks: Vec<usize>,
    /// The value at each rank.
    values: Vec<f64>,
}

impl OrderStatistics {
    fn new(finite: usize, ranks: Vec<usize>, values: Vec<f64>) -> Self {
        Self { finite, ranks, values }
    }

    /// The value of rank `rank`, one of the ranks asked for.
    ///
    /// # Panics
    /// When `rank` was not asked for (a programming error).
    #[must_use]
    pub fn at(&self, rank: usize) -> f64 {
        let i = self.ranks.binary_search(&rank).expect("a rank asked for");
        self.values[i]
    }
}

/// A bucket small enough to gather and select in directly.
const GATHER: u64 = 1 << 12;

/// Key bits resolved per histogram pass: 4,096 counters per open prefix.
const DIGIT: u32 = 12;

/// The finite values of `values` at the ranks `ranks_of(finite)` asks for (0-based ranks of
/// their ascending order, `finite` the number of finite values), without moving `values`;
/// `None` when no value is finite. NaN and ±∞ are left out; −0.0 and +0.0 are one value (either
/// may be returned for it).
///
/// Two passes over the column in the usual case. The range of the buckets comes from a strided
/// sample of about 4,096 values (no pass of its own). One pass counts the finite values into
/// 65,536 equal-width buckets over that range, clamping values outside it into the end buckets:
/// the bucket of a value never decreases as the value grows, so the buckets split the sorted
/// order whatever the range, and each rank's bucket and rank within it follow from the counts.
/// When those buckets hold few values (at most a sixteenth of the column) a second pass gathers
/// them and each rank is selected within its bucket. Otherwise (heavy ties, a column of one
/// value) `order_statistics_deep` refines the values' keys 12 bits a pass.
#[must_use]
pub fn order_statistics(values: &[f64], ranks_of: impl Fn(usize) -> Vec<usize>) -> Option<OrderStatistics> {
    const BUCKETS: usize = 1 << 16;
    let stride = (values.len() / 4096).max(1);
    let (mut lo, mut hi) = values
        .iter()
        .step_by(stride)
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    if !(BUCKETS as f64 / (hi - lo)).is_finite() {
        // The sample saw one distinct value or none: the whole column's range.
        (lo, hi) = values
            .iter()
            .filter(|x| x.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    }
    let scale = BUCKETS as f64 / (hi - lo);
    if !scale.is_finite() {
        // No finite value, one distinct value, or a range too wide for one float.
        let finite = values.iter().filter(|x| x.is_finite()).count();
        if finite == 0 {
            return None;
        }
        let ranks = ranks_of(finite);
        let stats = order_statistics_deep(values, &ranks);
        return Some(OrderStatistics::new(finite, ranks, stats));
    }
    // Saturating casts: below the range is bucket 0, above it the last bucket.
    let bucket_of = |x: f64| (((x - lo) * scale) as usize).min(BUCKETS - 1);
    let mut hist = vec![0_u32; BUCKETS];
    let mut finite = 0_usize;
    for &x in values {
        if x.is_finite() {
            hist[bucket_of(x)] += 1;
            finite += 1;
        }
    }
    if finite == 0 {
        return None;
    }
    let ranks = ranks_of(finite);
    // Each rank's bucket and its rank within it.
    let mut located = Vec::with_capacity(ranks.len());
    let (mut bucket, mut below) = (0_usize, 0_usize);
    for &r in &ranks {
        while below + hist[bucket] as usize <= r {
            below += hist[bucket] as usize;
            bucket += 1;
        }
        located.push((bucket, r - below));
    }
    let mut targets: Vec<usize> = located.iter().map(|l| l.0).collect();
    targets.dedup();
    let gathered: usize = targets.iter().map(|&t| hist[t] as usize).sum();
    if gathered > (finite / 16).max(1 << 16) {
        let stats = order_statistics_deep(values, &ranks);
        return Some(OrderStatistics::new(finite, ranks, stats));
    }
    let mut slot = vec![u16::MAX; BUCKETS];
    for (i, &t) in targets.iter().enumerate() {
        slot[t] = u16::try_from(i).unwrap_or(u16::MAX);
    }
    let mut buckets: Vec<Vec<f64>> = targets.iter().map(|&t| Vec::with_capacity(hist[t] as usize)).collect();
    for &x in values {
        if x.is_finite() {
            let s = slot[bucket_of(x)];
            if s != u16::MAX {
                buckets[usize::from(s)].push(x);
            }
        }
    }
    let stats = located
        .iter()
        .map(|&(bucket, rank)| {
            let i = targets.binary_search(&bucket).unwrap_or(0);
            let (_, v, _) = buckets[i].select_nth_unstable_by(rank, finite_cmp);
            *v
        })
        .collect();
    Some(OrderStatistics::new(finite, ranks, stats))
}

/// [`order_statistics`] for columns whose wanted buckets are crowded: radix selection 12 bits a
/// pass until a bucket is small enough to gather, down to single keys.
fn order_statistics_deep(values: &[f64], ranks: &[usize]) -> Vec<f64> {
    // A pending rank: the key bits known so far (`known` high bits equal to `prefix`) and the
    // rank among the values that share them.
    struct Pending {
        prefix: u64,
        known: u32,
        rank: u64,
        out: usize,
    }
    let mut out = vec![0.0; ranks.len()];
    let mut pending: Vec<Pending> =
        ranks.iter().enumerate().map(|(i, &r)| Pending { prefix: 0, known: 0, rank: r as u64, out: i }).collect();
    while !pending.is_empty() {
        // The distinct prefixes still open, all with the same number of known bits.
        let known = pending[0].known;
        let mut prefixes: Vec<u64> = pending.iter().map(|p| p.prefix).collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        let matching = |k: u64| -> Option<usize> {
            let p = if known == 0 { 0 } else { k >> (64 - known) };
            prefixes.binary_search(&p).ok()
        };
        let width = DIGIT.min(64 - known);
        let shift = 64 - known - width;
        let size = 1_usize << width;
        // u32 counters: a column holds far fewer than 4 billion rows (its buffer would be 32 GB).
        let mut hist = vec![0_u32; prefixes.len() * size];
        for &x in values.iter().filter(|x| x.is_finite()) {
            // −0.0 and +0.0 one key: they are one value to the ranks.
            let k = key(x + 0.0);
            if let Some(i) = matching(k) {
                hist[i * size + ((k >> shift) as usize & (size - 1))] += 1;
            }
        }
        // Each rank's next `width` bits (one digit) and its rank within them.
        let mut next = Vec::new();
        let mut gather: Vec<(u64, u32, u64, usize)> = Vec::new();
        for p in pending {
            let i = prefixes.binary_search(&p.prefix).unwrap_or(0);
            let h = &hist[i * size..(i + 1) * size];
            let (mut digit, mut below) = (0_usize, 0_u64);
            while below + u64::from(h[digit]) <= p.rank {
                below += u64::from(h[digit]);
                digit += 1;
            }
            let (prefix, rank) = ((p.prefix << width) | digit as u64, p.rank - below);
            if known + width == 64 {
                // Every value in the bucket has this key: the value is the key's.
                out[p.out] = from_key(prefix);
            } else if u64::from(h[digit]) <= GATHER {
                gather.push((prefix, known + width, rank, p.out));
            } else {
                next.push(Pending { prefix, known: known + width, rank, out: p.out });
            }
        }
        if !gather.is_empty() {
            let mut keys: Vec<(u64, u32)> = gather.iter().map(|g| (g.0, g.1)).collect();
            keys.sort_unstable();
            keys.dedup();
            let mut buckets: Vec<Vec<f64>> = vec![Vec::new(); keys.len()];
            let bits = keys[0].1;
            for &x in values.iter().filter(|x| x.is_finite()) {
                if let Ok(i) = keys.binary_search(&(key(x + 0.0) >> (64 - bits), bits)) {
                    buckets[i].push(x);
                }
            }
            for (prefix, bits, rank, at) in gather {
                let i = keys.binary_search(&(prefix, bits)).unwrap_or(0);
                let b = &mut buckets[i];
                let (_, v, _) = b.select_nth_unstable_by(rank as usize, finite_cmp);
                out[at] = *v;
            }
        }
        pending = next;
    }
    out
}

/// Order of two finite values (the selection only ever sees finite ones). A plain float
/// comparison is cheaper than `total_cmp`'s bit juggling; −0.0 and +0.0 compare equal, which
/// changes no quantile value.
#[allow(clippy::trivially_copy_pass_by_ref)] // the signature `select_nth_unstable_by` takes
fn finite_cmp(a: &f64, b: &f64) -> Ordering {
    if a < b {
        Ordering::Less
    } else if a > b {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

/// The median of the finite values, 0 without one: for an even count the upper of the two
/// middle values (a value the data holds).
pub fn upper_finite_median<'a>(values: impl Iterator<Item = &'a f64>) -> f64 {
    let mut v: Vec<f64> = values.copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    let mid = v.len() / 2;
    *v.select_nth_unstable_by(mid, f64::total_cmp).1
}

/// The median of the finite values as numpy's `median` computes it (for an even count the mean
/// of the two middle values), 0 without one.
pub fn finite_median<'a>(values: impl Iterator<Item = &'a f64>) -> f64 {
    let mut v: Vec<f64> = values.copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    let mid = v.len() / 2;
    let upper = *v.select_nth_unstable_by(mid, f64::total_cmp).1;
    if v.len() % 2 == 1 {
        return upper;
    }
    // The lower middle value is the largest of those below the upper one.
    f64::midpoint(v[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max), upper)
}

#[cfg(test)]
mod tests {

    use proptest::strategy::Strategy as _;

    use super::*;

    #[test]
    fn medians_of_the_finite_values() {
        let v = [1.0, f64::NAN, 3.0, 2.0, f64::INFINITY, 10.0];
        // The finite values 1, 2, 3, 10: numpy's median 2.5, the upper one 3.
        assert_eq!(finite_median(v.iter()), 2.5);
        assert_eq!(upper_finite_median(v.iter()), 3.0);
        assert_eq!(finite_median(v[..3].iter()), 2.0);
        assert_eq!(finite_median([f64::NAN].iter()), 0.0);
    }

    proptest::proptest! {
        #![proptest_config(crate::test_support::fuzz_config(256))]
        #[test]
        fn keys_order_as_the_values_and_give_them_back(a in proptest::num::f64::ANY, b in proptest::num::f64::ANY) {
            proptest::prop_assume!(a.is_finite() && b.is_finite());
            proptest::prop_assert_eq!(from_key(key(a)).to_bits(), a.to_bits());
            proptest::prop_assert_eq!(key(a).cmp(&key(b)), a.total_cmp(&b));
        }

        #[test]
        fn radix_sort_equals_a_comparison_sort(
            v in proptest::collection::vec(proptest::num::f64::ANY, 0..2000),
            ties in proptest::collection::vec(-3_i32..3, 0..500),
        ) {
            let mut all = v;
            all.extend(ties.iter().map(|t| f64::from(*t) * 0.5));
            all.push(-0.0);
            let mut expected: Vec<f64> = all.iter().copied().filter(|x| x.is_finite()).collect();
            expected.sort_by(f64::total_cmp);
            let mut got = all;
            sort_finite(&mut got, &mut vec![1.5; 3]);
            proptest::prop_assert_eq!(
                got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                expected.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
        }

        #[test]
        fn radix_sort_of_crowded_buckets_equals_a_comparison_sort(
            v in proptest::collection::vec(1.0_f64..2.0, 0..20_000),
            w in proptest::collection::vec(-1e-3_f64..1e-3, 0..3_000),
            // Keys that differ in a high bit and in low bits only: long runs tied on the bits
            // the radix passes sort, left to the last pass.
            tied in proptest::collection::vec((0_u32..4, 0_u32..1 << 20), 0..6_000),
        ) {
            let mut all = v;
            all.extend(w);
            all.extend(tied.iter().map(|(a, b)| 1.0 + f64::from(*a) * 2.0_f64.powi(-10) + f64::from(*b) * 2.0_f64.powi(-45)));
            let mut expected = all.clone();
            expected.sort_by(f64::total_cmp);
            let mut got = all;
            sort_finite(&mut got, &mut Vec::new());
            proptest::prop_assert_eq!(
                got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                expected.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
        }

        #[test]
        fn selected_values_equal_the_sorted_ones(
            values in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(f64::NAN),
                    proptest::strategy::Just(f64::INFINITY),
                    proptest::strategy::Just(f64::NEG_INFINITY),
                    (-60_i32..60).prop_map(f64::from),
                    -60.0_f64..60.0,
                ],
                1..200,
            ),
            wanted in proptest::collection::vec(0.0_f64..1.0, 1..8),
        ) {
            let mut sorted: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
            sorted.sort_by(f64::total_cmp);
            let ranks_of = |finite: usize| {
                let mut ranks: Vec<usize> = wanted.iter().map(|w| (w * finite as f64) as usize).collect();
                ranks.sort_unstable();
                ranks.dedup();
                ranks
            };
            match order_statistics(&values, ranks_of) {
                None => proptest::prop_assert!(sorted.is_empty()),
                Some(selected) => {
                    proptest::prop_assert_eq!(selected.finite, sorted.len());
                    for r in ranks_of(sorted.len()) {
                        proptest::prop_assert_eq!(selected.at(r), sorted[r]);
                    }
                }
            }
        }
    }

    #[test]
    fn selected_values_equal_the_sorted_ones_on_large_and_tied_columns() {
        // Past the gathering size: deep histograms (a narrow range, heavy ties, exact repeats
        // down to the last bit) and NaN and ±∞ mixed in; the column is never moved.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1_u64 << 53) as f64
        };
        let narrow: Vec<f64> = (0..300_000).map(|_| 50.0 + next()).collect();
        let tied: Vec<f64> = (0..300_000).map(|i| f64::from(i % 3) - 1.0).collect();
        let mixed: Vec<f64> = (0..200_000)
            .map(|i| match i % 97 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => f64::NEG_INFINITY,
                3 => -0.0,
                _ => (next() - 0.5) * 1e-3,
            })
            .collect();
        // Outliers the strided sample of the range never sees (it takes every 73rd value here),
        // and a sample that sees one value only while the column holds many.
        let outliers: Vec<f64> = (0..300_000)
            .map(|i| match i % 1_000 {
                5 => 1e12,
                6 => -1e15,
                _ => next() - 0.5,
            })
            .collect();
        let blind: Vec<f64> = (0..300_000).map(|i| if i % 73 == 0 { 1.0 } else { next() }).collect();
        let columns = [("narrow", narrow), ("tied", tied), ("mixed", mixed), ("outliers", outliers), ("blind", blind)];
        for (name, column) in columns {
            let mut sorted: Vec<f64> = column.iter().copied().filter(|x| x.is_finite()).collect();
            sorted.sort_by(f64::total_cmp);
            for k in [2, 4, 10, 13] {
                // The ranks a type-7 quantile of `k` bins reads: each `lo` and `lo + 1`.
                let ranks_of = |finite: usize| {
                    let mut ranks: Vec<usize> = (1..k)
                        .flat_map(|j| {
                            let lo = (finite - 1) * j / k;
                            [lo, (lo + 1).min(finite - 1)]
                        })
                        .collect();
                    ranks.sort_unstable();
                    ranks.dedup();
                    ranks
                };
                let before: Vec<u64> = column.iter().map(|x| x.to_bits()).collect();
                let selected = order_statistics(&column, ranks_of).unwrap();
                assert_eq!(column.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), before, "{name}: not moved");
                assert_eq!(selected.finite, sorted.len(), "{name}");
                for r in ranks_of(sorted.len()) {
                    assert_eq!(selected.at(r), sorted[r], "{name}, k = {k}, rank {r}");
                }
            }
        }
    }
}
