//! Bin edges and bin counting: pure functions over slices of `f64`.
//!
//! Two conventions live here, both specified exactly because other implementations are compared
//! against ours to 1e-9:
//!
//! * **quantile** (the default): interior edges are the reference's quantiles at `j/k`,
//!   `j = 1..k-1`, by linear interpolation (numpy's default, Hyndman–Fan type 7), computed over
//!   the reference's *finite* values only. Duplicate edges are dropped, so a discrete column may
//!   get fewer than `k` bins. The outer edges are −∞ and +∞. Bins are **right-closed**:
//!   `(−∞,e1], (e1,e2], …, (e_last,+∞)`; ±∞ land in the outer bins. Null and NaN together form
//!   one extra *missing* bin, which is always the last bin.
//! * **evidently**: numpy's `histogram_bin_edges(…, bins="sturges")` over the combined reference
//!   and current finite values, then `np.histogram` semantics: bins are `[a,b)` except the last,
//!   which is closed `[a,b]`.

use std::cmp::Ordering;

/// The most quantile bins accepted (from the configuration or a profile): finer bins than this
/// hold too few rows to compare.
pub const MAX_BINS: usize = 1000;

/// Interior bin edges: finite, strictly increasing. `n` edges make `n + 1` value bins.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BinEdges(Vec<f64>);

/// Why edges could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BinningError {
    /// The reference side has no finite value to take quantiles of.
    #[error("no finite values in the reference")]
    NoFiniteValues,
    /// Fewer than one bin was asked for.
    #[error("the number of bins must be at least 1, got {0}")]
    TooFewBins(usize),
}

impl BinEdges {
    /// Validating constructor: every edge finite and strictly greater than the one before.
    ///
    /// # Errors
    /// Returns the offending edges as text when they are not finite and strictly increasing.
    pub fn new(edges: Vec<f64>) -> Result<Self, String> {
        if edges.iter().any(|e| !e.is_finite()) {
            return Err(format!("bin edges must be finite, got {edges:?}"));
        }
        if edges.windows(2).any(|w| w[0] >= w[1]) {
            return Err(format!("bin edges must be strictly increasing, got {edges:?}"));
        }
        Ok(Self(edges))
    }

    /// Quantile edges of `values` (the reference column) for `k` bins, as numpy would compute
    /// `np.unique(np.quantile(finite, [j/k for j in 1..k]))`.
    ///
    /// Non-finite values (NaN, ±∞) are ignored for the edges. `values` is reordered in place
    /// (partial selection), which is what makes this O(n·log k) instead of a full sort.
    ///
    /// # Errors
    /// [`BinningError::NoFiniteValues`] when no value is finite, [`BinningError::TooFewBins`]
    /// when `k == 0`.
    pub fn quantiles(values: &mut [f64], k: usize) -> Result<Self, BinningError> {
        if k == 0 {
            return Err(BinningError::TooFewBins(k));
        }
        let n = partition_finite(values);
        let finite = &mut values[..n];
        if finite.is_empty() {
            return Err(BinningError::NoFiniteValues);
        }
        let probs: Vec<f64> = (1..k).map(|j| j as f64 / k as f64).collect();
        let edges = quantiles_type7(finite, &probs);
        let mut unique: Vec<f64> = Vec::with_capacity(edges.len());
        for e in edges {
            if unique.last().is_none_or(|last| *last < e) {
                unique.push(e);
            }
        }
        Ok(Self(unique))
    }

    /// The same edges as [`Self::quantiles`], bit for bit, without reordering `values`: the
    /// order statistics are found by radix selection over the values' order-preserving 64-bit
    /// keys (a histogram of the top 12 bits, then of the next 12 within the buckets that hold a
    /// wanted rank, until a bucket is small enough to select in), reading `values` a few times
    /// and moving nothing. Keeping the rows in file order is what lets the per-day counts be
    /// taken from the same buffer afterwards, without a second read.
    ///
    /// # Errors
    /// As [`Self::quantiles`].
    pub fn quantiles_in_order(values: &[f64], k: usize) -> Result<Self, BinningError> {
        if k == 0 {
            return Err(BinningError::TooFewBins(k));
        }
        let probs: Vec<f64> = (1..k).map(|j| j as f64 / k as f64).collect();
        // The ranks type 7 interpolates between, once the number of finite values is known.
        let positions = |finite: usize| -> Vec<(usize, f64)> {
            probs
                .iter()
                .map(|&p| {
                    let h = (finite - 1) as f64 * p;
                    let lo = h.floor();
                    (lo as usize, h - lo)
                })
                .collect()
        };
        let ranks_of = |positions: &[(usize, f64)], finite: usize| -> Vec<usize> {
            let mut ranks: Vec<usize> = positions.iter().flat_map(|&(lo, _)| [lo, (lo + 1).min(finite - 1)]).collect();
            ranks.sort_unstable();
            ranks.dedup();
            ranks
        };
        let Some((finite, ranks, stats)) = order_statistics(values, |finite| ranks_of(&positions(finite), finite))
        else {
            return Err(BinningError::NoFiniteValues);
        };
        let at = |r: usize| stats[ranks.binary_search(&r).unwrap_or(0)];
        let mut unique: Vec<f64> = Vec::with_capacity(probs.len());
        for (lo, g) in positions(finite) {
            let low = at(lo);
            let high = at((lo + 1).min(finite - 1));
            let diff = high - low;
            let edge = if g >= 0.5 { high - diff * (1.0 - g) } else { low + diff * g };
            if unique.last().is_none_or(|last| *last < edge) {
                unique.push(edge);
            }
        }
        Ok(Self(unique))
    }

    /// The interior edges.
    #[must_use]
    pub fn as_slice(&self) -> &[f64] {
        &self.0
    }

    /// Number of value bins (interior edges + 1), not counting the missing bin.
    #[must_use]
    pub fn value_bins(&self) -> usize {
        self.0.len() + 1
    }

    /// The right-closed bin of a non-missing value: the number of edges strictly below `x`.
    /// `−∞` goes to bin 0 and `+∞` to the last value bin.
    #[must_use]
    pub fn bin_of(&self, x: f64) -> usize {
        self.0.partition_point(|e| *e < x)
    }

    /// Counts `values` into the value bins plus a trailing missing bin (null is represented as
    /// NaN by the loader). The returned vector has `value_bins() + 1` entries and sums to
    /// `values.len()`.
    #[must_use]
    pub fn count(&self, values: &[f64]) -> Vec<u64> {
        let mut counts = vec![0_u64; self.value_bins() + 1];
        self.count_into(&mut counts, values);
        counts
    }

    /// Adds the counts of `values` to `counts` (`value_bins() + 1` entries, missing last), so a
    /// column can be counted chunk by chunk.
    ///
    /// The hot loop: with few edges (the usual ≤ 16) the bin is the branch-free count of
    /// `edge < x` over the edges, which equals [`Self::bin_of`].
    ///
    /// # Panics
    /// When `counts` has the wrong length (a programming error).
    pub fn count_into(&self, counts: &mut [u64], values: &[f64]) {
        let missing = self.value_bins();
        assert_eq!(counts.len(), missing + 1, "one count per value bin plus the missing bin");
        let edges = self.0.as_slice();
        if edges.len() > 16 {
            for &x in values {
                counts[if x.is_nan() { missing } else { self.bin_of(x) }] += 1;
            }
            return;
        }
        // Four values at a time: each edge is compared with all four (the compiler keeps the
        // four running bins in vector registers), and each value has its own tally so that
        // runs of equal bins do not serialise on one counter.
        let mut lanes = vec![[0_u64; 4]; missing + 1];
        let mut quads = values.chunks_exact(4);
        for q in &mut quads {
            let mut b = [0_u64; 4];
            for &e in edges {
                for l in 0..4 {
                    b[l] += u64::from(e < q[l]);
                }
            }
            for l in 0..4 {
                let bin = if q[l].is_nan() { missing } else { b[l] as usize };
                lanes[bin][l] += 1;
            }
        }
        for &x in quads.remainder() {
            lanes[if x.is_nan() { missing } else { self.bin_of(x) }][0] += 1;
        }
        for (c, l) in counts.iter_mut().zip(&lanes) {
            *c += l.iter().sum::<u64>();
        }
    }
}

/// The order-preserving key of a finite value: `a < b ⇔ key(a) < key(b)`, with −0.0 and +0.0
/// one key (they compare equal).
fn key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    if bits >> 63 == 1 { !bits } else { bits | (1 << 63) }
}

/// A bucket small enough to gather and select in directly.
const GATHER: u64 = 1 << 12;

/// Key bits resolved per histogram pass: 4,096 counters per open prefix.
const DIGIT: u32 = 12;

/// The number of finite values of `values`, the ranks `ranks_of(finite)` asks for (sorted,
/// unique) and the finite values at those ranks of their sorted order, without moving `values`;
/// `None` when no value is finite.
///
/// Two passes over the column in the usual case. The range of the buckets comes from a strided
/// sample of about 4,096 values (no pass of its own). One pass counts the finite values into
/// 65,536 equal-width buckets over that range, clamping values outside it into the end buckets:
/// the bucket of a value never decreases as the value grows, so the buckets split the sorted
/// order whatever the range, and each rank's bucket and rank within it follow from the counts.
/// When those buckets hold few values (at most a sixteenth of the column) a second pass gathers
/// them and each rank is selected within its bucket. Otherwise (heavy ties, a column of one
/// value) [`order_statistics_deep`] refines the values' keys 12 bits a pass.
fn order_statistics(values: &[f64], ranks_of: impl Fn(usize) -> Vec<usize>) -> Option<(usize, Vec<usize>, Vec<f64>)> {
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
        return Some((finite, ranks, stats));
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
        return Some((finite, ranks, stats));
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
    Some((finite, ranks, stats))
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
            let k = key(x);
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
                let bits = if prefix >> 63 == 1 { prefix & !(1 << 63) } else { !prefix };
                out[p.out] = f64::from_bits(bits);
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
                if let Ok(i) = keys.binary_search(&(key(x) >> (64 - bits), bits)) {
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

/// Moves the finite values of `values` to its front and returns how many there are.
fn partition_finite(values: &mut [f64]) -> usize {
    let mut n = 0;
    for i in 0..values.len() {
        if values[i].is_finite() {
            values.swap(i, n);
            n += 1;
        }
    }
    n
}

/// numpy's `quantile(a, probs, method="linear")` over finite `values` (unsorted, non-empty).
///
/// For probability `p`, the virtual index is `h = (n−1)·p`, `lo = ⌊h⌋`, `g = h − lo`, and the
/// result is numpy's `_lerp(x[lo], x[lo+1], g)`: `a + (b−a)·g` when `g < 0.5`, else
/// `b − (b−a)·(1−g)`. Copying that branch matters: it is what keeps our edges bit-identical to
/// numpy's, so a value sitting exactly on an edge lands in the same bin.
///
/// The order statistics are found by successive `select_nth_unstable` calls on narrowing
/// sub-slices, so the cost is O(n·log k) rather than a full sort.
fn quantiles_type7(values: &mut [f64], probs: &[f64]) -> Vec<f64> {
    let n = values.len();
    let positions: Vec<(usize, f64)> = probs
        .iter()
        .map(|&p| {
            let h = (n - 1) as f64 * p;
            let lo = h.floor();
            (lo as usize, h - lo)
        })
        .collect();
    let mut lows: Vec<usize> = positions.iter().map(|&(lo, _)| lo).collect();
    lows.sort_unstable();
    lows.dedup();
    select_many(values, &lows);
    // After the selection, everything between x[lo] and the next selected index is ≥ x[lo] and
    // ≤ that next order statistic, so x[lo+1] is the minimum of that stretch: one linear scan
    // instead of a second selection per quantile.
    let next_of = |lo: usize| -> f64 {
        if lo + 1 >= n {
            return values[lo];
        }
        let end = lows.iter().copied().find(|&l| l > lo).unwrap_or(n);
        values[lo + 1..end].iter().copied().fold(values.get(end).copied().unwrap_or(f64::INFINITY), f64::min)
    };
    positions
        .iter()
        .map(|&(lo, g)| {
            let a = values[lo];
            let b = next_of(lo);
            let diff = b - a;
            if g >= 0.5 { b - diff * (1.0 - g) } else { a + diff * g }
        })
        .collect()
}

/// Places the order statistics at each (sorted, unique) index of `idx` into position, by
/// recursive bisection of the index list.
fn select_many(values: &mut [f64], idx: &[usize]) {
    select_range(values, 0, idx);
}

fn select_range(values: &mut [f64], offset: usize, idx: &[usize]) {
    if idx.is_empty() || values.is_empty() {
        return;
    }
    let mid = idx.len() / 2;
    let target = idx[mid] - offset;
    values.select_nth_unstable_by(target, finite_cmp);
    let (left, rest) = values.split_at_mut(target);
    select_range(left, offset, &idx[..mid]);
    select_range(&mut rest[1..], offset + target + 1, &idx[mid + 1..]);
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

/// Equal-width edges as `np.histogram_bin_edges(data, bins="sturges")` computes them, given the
/// combined data's minimum, maximum and size:
///
/// * `width = (max − min) / (log2(size) + 1)`;
/// * `n_bins = ceil((max − min) / width)` (1 when `max == min`, with the range widened by ±0.5);
/// * `edges = linspace(min, max, n_bins + 1)`, i.e. `min + i·step` with `step = (max−min)/n_bins`
///   and the last edge set to exactly `max`.
///
/// Returns all `n_bins + 1` edges, outer ones included; `None` when the range is not a finite
/// float (values near ±1.7e308 whose `max − min` overflows: numpy refuses them too).
#[must_use]
pub fn sturges_edges(min: f64, max: f64, size: usize) -> Option<Vec<f64>> {
    if !(max - min).is_finite() {
        return None;
    }
    let (first, last) = if min == max { (min - 0.5, max + 0.5) } else { (min, max) };
    let n_bins = if min == max {
        1
    } else {
        let width = (max - min) / ((size as f64).log2() + 1.0);
        ((last - first) / width).ceil() as usize
    };
    let step = (last - first) / n_bins as f64;
    if n_bins == 0 || !step.is_finite() {
        return None;
    }
    let mut edges: Vec<f64> = (0..=n_bins).map(|i| i as f64 * step + first).collect();
    edges[n_bins] = last;
    Some(edges)
}

/// `np.histogram(values, edges)` counts: bins `[a,b)`, the last one closed; values outside
/// `[edges[0], edges[last]]` are not counted. `edges` must hold at least two entries.
#[must_use]
pub fn histogram_counts(values: &[f64], edges: &[f64]) -> Vec<u64> {
    let n_bins = edges.len() - 1;
    let mut counts = vec![0_u64; n_bins];
    let (lo, hi) = (edges[0], edges[n_bins]);
    for &x in values {
        if !(lo..=hi).contains(&x) {
            continue;
        }
        // Number of edges <= x, minus one, is the [a,b) bin; x == hi goes in the last bin.
        let bin = edges.partition_point(|e| *e <= x).saturating_sub(1).min(n_bins - 1);
        counts[bin] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    fn edges(values: &[f64], k: usize) -> Vec<f64> {
        let mut v = values.to_vec();
        BinEdges::quantiles(&mut v, k).unwrap().as_slice().to_vec()
    }

    #[test]
    fn deciles_of_1_to_11_are_integers() {
        // n = 11 → h = 10·j/10 = j, so every decile is exactly the value j + 1.
        let v: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(edges(&v, 10), vec![2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
    }

    #[test]
    fn quartiles_interpolate_linearly() {
        // numpy: np.quantile([1,2,3,4], [.25,.5,.75]) = [1.75, 2.5, 3.25]
        assert_eq!(edges(&[4.0, 1.0, 3.0, 2.0], 4), vec![1.75, 2.5, 3.25]);
    }

    #[test]
    fn tied_edges_are_dropped() {
        // np.unique(np.quantile([0,0,0,0,0,0,1,1,1,2], [.25,.5,.75])) = [0., 1.]
        let v = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0];
        assert_eq!(edges(&v, 4), vec![0.0, 1.0]);
    }

    #[test]
    fn non_finite_values_are_ignored_for_edges() {
        let v = [f64::NAN, 1.0, f64::INFINITY, 2.0, 3.0, f64::NEG_INFINITY, 4.0];
        assert_eq!(edges(&v, 4), vec![1.75, 2.5, 3.25]);
    }

    #[test]
    fn all_missing_reference_has_no_edges() {
        let mut v = vec![f64::NAN; 3];
        assert_eq!(BinEdges::quantiles(&mut v, 10), Err(BinningError::NoFiniteValues));
    }

    #[test_case(1.0, 0 ; "value on first edge goes left")]
    #[test_case(1.5, 1 ; "between edges")]
    #[test_case(2.0, 1 ; "right-closed middle bin")]
    #[test_case(3.0, 2 ; "value on last edge goes left")]
    #[test_case(3.1, 3 ; "above last edge")]
    #[test_case(f64::NEG_INFINITY, 0 ; "minus infinity in first bin")]
    #[test_case(f64::INFINITY, 3 ; "plus infinity in last bin")]
    fn right_closed_bins(x: f64, bin: usize) {
        let e = BinEdges::new(vec![1.0, 2.0, 3.0]).unwrap();
        assert_eq!(e.bin_of(x), bin);
    }

    #[test]
    fn count_puts_nan_in_trailing_missing_bin() {
        let e = BinEdges::new(vec![0.0]).unwrap();
        assert_eq!(e.count(&[-1.0, 0.0, 0.5, f64::NAN, f64::NAN]), vec![2, 1, 2]);
    }

    fn value() -> impl proptest::strategy::Strategy<Value = f64> {
        use proptest::prelude::*;
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            (-60i32..60).prop_map(f64::from),
            -60.0f64..60.0,
        ]
    }

    proptest::proptest! {
        #[test]
        fn fast_count_equals_binary_search(
            edges in proptest::collection::btree_set(-50i32..50, 1..20),
            values in proptest::collection::vec(value(), 0..300),
        ) {
            let e = BinEdges::new(edges.into_iter().map(f64::from).collect()).unwrap();
            let mut slow = vec![0_u64; e.value_bins() + 1];
            for &x in &values {
                slow[if x.is_nan() { e.value_bins() } else { e.bin_of(x) }] += 1;
            }
            proptest::prop_assert_eq!(e.count(&values), slow);
            proptest::prop_assert_eq!(e.count(&values).iter().sum::<u64>(), values.len() as u64);
        }
    }

    proptest::proptest! {
        #[test]
        fn selected_quantiles_equal_sorted_quantiles(
            values in proptest::collection::vec(value(), 1..200),
            k in 1usize..13,
        ) {
            let mut finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
            proptest::prop_assume!(!finite.is_empty());
            finite.sort_by(f64::total_cmp);
            let n = finite.len();
            let mut expected: Vec<f64> = (1..k)
                .map(|j| {
                    let h = (n - 1) as f64 * (j as f64 / k as f64);
                    let lo = h.floor() as usize;
                    let g = h - lo as f64;
                    let (a, b) = (finite[lo], finite[(lo + 1).min(n - 1)]);
                    if g >= 0.5 { b - (b - a) * (1.0 - g) } else { a + (b - a) * g }
                })
                .collect();
            expected.dedup_by(|b, a| *b <= *a);
            let mut v = values.clone();
            let in_order = BinEdges::quantiles_in_order(&v, k).unwrap();
            proptest::prop_assert_eq!(BinEdges::quantiles(&mut v, k).unwrap().as_slice().to_vec(), expected.clone());
            proptest::prop_assert_eq!(in_order.as_slice().to_vec(), expected);
        }
    }

    #[test]
    fn edges_constructor_rejects_unsorted() {
        assert!(BinEdges::new(vec![1.0, 1.0]).is_err());
        assert!(BinEdges::new(vec![f64::NAN]).is_err());
    }

    #[test]
    fn in_order_quantiles_equal_selected_ones_on_large_and_tied_columns() {
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
            for k in [2, 4, 10, 13] {
                let before: Vec<u64> = column.iter().map(|x| x.to_bits()).collect();
                let in_order = BinEdges::quantiles_in_order(&column, k).unwrap();
                assert_eq!(column.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), before, "{name}: not moved");
                let mut copy = column.clone();
                assert_eq!(in_order, BinEdges::quantiles(&mut copy, k).unwrap(), "{name}, k = {k}");
            }
        }
    }

    #[test]
    fn sturges_matches_numpy_for_the_evidently_vector() {
        // np.histogram_bin_edges(np.r_[0:1000, 500:1500], "sturges"): 12 bins of 1499/12.
        let e = sturges_edges(0.0, 1499.0, 2000).unwrap();
        // A range a float cannot hold has no equal-width bins.
        assert_eq!(sturges_edges(-1.7e308, 1.7e308, 2000), None);
        assert_eq!(e.len(), 13);
        assert_eq!(e[0], 0.0);
        assert_eq!(e[12], 1499.0);
        assert!((e[1] - 124.916_666_666_666_67).abs() < 1e-9);
    }

    #[test]
    fn histogram_is_left_closed_with_closed_last_bin() {
        let e = [0.0, 1.0, 2.0];
        assert_eq!(histogram_counts(&[0.0, 0.5, 1.0, 2.0, 2.5, -0.1], &e), vec![2, 2]);
    }
}
