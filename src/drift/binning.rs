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

use super::order::order_statistics;

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

    /// Quantile edges of `values` (the reference column) for `k` bins, as numpy computes
    /// `np.unique(np.quantile(finite, [j/k for j in 1..k]))`, bit for bit; `values` is not moved.
    ///
    /// Non-finite values (NaN, ±∞) are ignored for the edges. For probability `p` over the `n`
    /// finite values `x` (sorted), the virtual index is `h = (n−1)·p`, `lo = ⌊h⌋`, `g = h − lo`,
    /// and the edge is numpy's `_lerp(x[lo], x[lo+1], g)`: `a + (b−a)·g` when `g < 0.5`, else
    /// `b − (b−a)·(1−g)`. Copying that branch matters: it is what keeps our edges bit-identical to
    /// numpy's, so a value sitting exactly on an edge lands in the same bin.
    ///
    /// The order statistics `x[lo]` and `x[lo+1]` are selected by [`order_statistics`], which
    /// reads `values` a few times and moves nothing: keeping the rows in file order is what lets
    /// the per-day counts be taken from the same buffer afterwards, without a second read.
    ///
    /// # Errors
    /// [`BinningError::NoFiniteValues`] when no value is finite, [`BinningError::TooFewBins`]
    /// when `k == 0`.
    pub fn quantiles(values: &[f64], k: usize) -> Result<Self, BinningError> {
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
        let ranks_of = |finite: usize| -> Vec<usize> {
            let mut ranks: Vec<usize> =
                positions(finite).iter().flat_map(|&(lo, _)| [lo, (lo + 1).min(finite - 1)]).collect();
            ranks.sort_unstable();
            ranks.dedup();
            ranks
        };
        let Some(stats) = order_statistics(values, ranks_of) else {
            return Err(BinningError::NoFiniteValues);
        };
        let finite = stats.finite;
        let mut unique: Vec<f64> = Vec::with_capacity(probs.len());
        for (lo, g) in positions(finite) {
            let low = stats.at(lo);
            let high = stats.at((lo + 1).min(finite - 1));
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
        BinEdges::quantiles(values, k).unwrap().as_slice().to_vec()
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
        assert_eq!(BinEdges::quantiles(&[f64::NAN; 3], 10), Err(BinningError::NoFiniteValues));
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
            let before: Vec<u64> = values.iter().map(|x| x.to_bits()).collect();
            proptest::prop_assert_eq!(BinEdges::quantiles(&values, k).unwrap().as_slice().to_vec(), expected);
            proptest::prop_assert_eq!(values.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), before, "not moved");
        }
    }

    #[test]
    fn edges_constructor_rejects_unsorted() {
        assert!(BinEdges::new(vec![1.0, 1.0]).is_err());
        assert!(BinEdges::new(vec![f64::NAN]).is_err());
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
