//! Calibration of predicted probabilities by isotonic regression, and the choice of whether to
//! calibrate. Pure.
//!
//! **The map** is scikit-learn's `IsotonicRegression(increasing=True, out_of_bounds="clip")`
//! fitted on (score, label ∈ {0, 1}), as NannyML's `IsotonicCalibrator` uses it:
//! 1. rows sorted by score (then label); scores closer than `1e-15` to the first of a run
//!    (`np.finfo(float64).resolution`, `_make_unique`) are one point whose target is the mean
//!    label and whose weight is the run's length;
//! 2. the weighted pool-adjacent-violators algorithm makes the targets non-decreasing;
//! 3. interior points of a flat run are dropped (they change no prediction);
//! 4. a score is clipped to `[x_min, x_max]` and interpolated linearly as `scipy`'s `interp1d`
//!    does: `i = searchsorted_left(x, s)` clipped to `[1, n−1]`, then
//!    `(y[i] − y[i−1]) / (x[i] − x[i−1]) · (s − x[i−1]) + y[i−1]`.
//!
//! **Whether to calibrate** ([`decide`]) is NannyML's `needs_calibration` with its random
//! splits replaced by fixed folds, so a run is reproducible:
//! * one class only: nothing to calibrate against (the estimate is then undefined, see
//!   [`crate::performance::cbpe`]);
//! * ROC AUC above 0.999: the scores separate the classes; calibration is skipped;
//! * otherwise ten stratified folds (the k-th positive and the k-th negative, in load order, go
//!   to fold `k mod 10`). Each fold is calibrated by a map fitted on the other nine; the
//!   expected calibration error (ECE) of all rows, raw and cross-calibrated, is compared over
//!   ten equal-count bins of the rows sorted by score (NannyML's `_get_bin_index_edges` and
//!   `_calculate_expected_calibration_error`, ties kept in load order). The model is calibrated
//!   when calibration lowers the ECE; a model whose scores are already calibrated keeps them.

use super::metrics::{Labelled, roc_auc};

/// `np.finfo(np.float64).resolution`: scores closer than this are one point.
const RESOLUTION: f64 = 1e-15;
/// Folds and ECE bins of [`decide`], NannyML's `split_count` and `bin_count`.
const FOLDS: usize = 10;
/// ROC AUC above which calibration is skipped (NannyML's).
const SEPARABLE_AUC: f64 = 0.999;

/// A fitted isotonic map from a score to a calibrated probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Isotonic {
    x: Vec<f64>,
    y: Vec<f64>,
}

impl Isotonic {
    /// Fits the map on `(score, label)` pairs; `None` without rows or with a non-finite score.
    #[must_use]
    pub fn fit(rows: &[(f64, bool)]) -> Option<Self> {
        if rows.is_empty() || rows.iter().any(|(s, _)| !s.is_finite()) {
            return None;
        }
        let mut sorted = rows.to_vec();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        Some(Self::fit_sorted(sorted.iter().copied()))
    }

    /// [`Isotonic::fit`] on rows already sorted by score.
    fn fit_sorted(rows: impl Iterator<Item = (f64, bool)>) -> Self {
        // 1. unique scores (`_make_unique`).
        let (mut x, mut y, mut w) = (Vec::new(), Vec::new(), Vec::new());
        let (mut first, mut sum, mut weight) = (f64::NAN, 0.0, 0.0);
        for (s, label) in rows {
            let v = f64::from(u8::from(label));
            if weight > 0.0 && s - first < RESOLUTION {
                weight += 1.0;
                sum += v;
                continue;
            }
            if weight > 0.0 {
                x.push(first);
                y.push(sum / weight);
                w.push(weight);
            }
            (first, sum, weight) = (s, v, 1.0);
        }
        x.push(first);
        y.push(sum / weight);
        w.push(weight);
        // 2. pool adjacent violators.
        let y = pava(&y, &w);
        // 3. drop the interior points of flat runs.
        let n = y.len();
        let keep = |i: usize| i == 0 || i + 1 == n || y[i] != y[i - 1] || y[i] != y[i + 1];
        let (x, y) = (0..n).filter(|&i| keep(i)).map(|i| (x[i], y[i])).unzip();
        Self { x, y }
    }

    /// The calibrated probability of `score`.
    #[must_use]
    pub fn predict(&self, score: f64) -> f64 {
        let n = self.x.len();
        if n == 1 {
            return self.y[0];
        }
        let s = score.clamp(self.x[0], self.x[n - 1]);
        let i = self.x.partition_point(|&v| v < s).clamp(1, n - 1);
        let slope = (self.y[i] - self.y[i - 1]) / (self.x[i] - self.x[i - 1]);
        slope * (s - self.x[i - 1]) + self.y[i - 1]
    }
}

/// Weighted pool-adjacent-violators: the non-decreasing sequence closest to `y` in weighted
/// least squares. Each block holds its weighted mean.
fn pava(y: &[f64], w: &[f64]) -> Vec<f64> {
    // (mean, weight, length) per block.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(y.len());
    for (&v, &wt) in y.iter().zip(w) {
        let (mut mean, mut weight, mut len) = (v, wt, 1);
        while let Some(&(m, pw, pl)) = blocks.last() {
            if m < mean {
                break;
            }
            blocks.pop();
            mean = (m * pw + mean * weight) / (pw + weight);
            weight += pw;
            len += pl;
        }
        blocks.push((mean, weight, len));
    }
    blocks.iter().flat_map(|&(m, _, len)| std::iter::repeat_n(m, len)).collect()
}

/// Why the scores are used as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// ROC AUC above 0.999 on the calibration window.
    Separable,
    /// Cross-calibration did not lower the expected calibration error.
    AlreadyCalibrated,
}

impl Skip {
    /// One line for the result.
    #[must_use]
    pub fn reason(self) -> &'static str {
        match self {
            Self::Separable => "not calibrated: the scores separate the classes (ROC AUC > 0.999)",
            Self::AlreadyCalibrated => {
                "not calibrated: the scores are already calibrated (isotonic calibration does not lower the expected calibration error)"
            }
        }
    }
}

/// The calibration chosen for a calibration window's labelled rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Calibration {
    /// Scores go through this map.
    Isotonic(Isotonic),
    /// Scores are used as they are.
    Raw(Skip),
}

impl Calibration {
    /// The probability that a prediction with this score is positive.
    #[must_use]
    pub fn apply(&self, score: f64) -> f64 {
        match self {
            Self::Isotonic(map) => map.predict(score),
            Self::Raw(_) => score,
        }
    }

    /// Whether scores are mapped.
    #[must_use]
    pub fn is_calibrated(&self) -> bool {
        matches!(self, Self::Isotonic(_))
    }
}

/// Chooses the calibration (see the module doc); `None` with one class only or no rows.
#[must_use]
pub fn decide(rows: &[Labelled]) -> Option<Calibration> {
    let pairs: Vec<(f64, bool)> = rows.iter().map(|r| (r.score, r.actual_positive)).collect();
    let positives = pairs.iter().filter(|p| p.1).count();
    if positives == 0 || positives == pairs.len() {
        return None;
    }
    if roc_auc(rows).is_some_and(|a| a > SEPARABLE_AUC) {
        return Some(Calibration::Raw(Skip::Separable));
    }
    let map = Isotonic::fit(&pairs)?;
    if pairs.len() < 2 * FOLDS {
        // Too few rows for the folds: NannyML cannot decide either (it raises); calibrate.
        return Some(Calibration::Isotonic(map));
    }
    // Stratified folds: the k-th row of each class goes to fold k mod FOLDS.
    let (mut pos, mut neg) = (0, 0);
    let fold: Vec<usize> = pairs
        .iter()
        .map(|&(_, y)| {
            let k = if y { &mut pos } else { &mut neg };
            *k += 1;
            (*k - 1) % FOLDS
        })
        .collect();
    // Sorted once by (score, label); each fold's training rows are this order minus the fold.
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_by(|&a, &b| pairs[a].0.total_cmp(&pairs[b].0).then(pairs[a].1.cmp(&pairs[b].1)));
    let mut calibrated = vec![0.0; pairs.len()];
    for k in 0..FOLDS {
        let train = order.iter().filter(|&&i| fold[i] != k).map(|&i| pairs[i]);
        let m = Isotonic::fit_sorted(train);
        for (i, c) in calibrated.iter_mut().enumerate() {
            if fold[i] == k {
                *c = m.predict(pairs[i].0);
            }
        }
    }
    let labels: Vec<bool> = pairs.iter().map(|p| p.1).collect();
    let raw: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    if ece(&calibrated, &labels) < ece(&raw, &labels) {
        Some(Calibration::Isotonic(map))
    } else {
        Some(Calibration::Raw(Skip::AlreadyCalibrated))
    }
}

/// Expected calibration error over [`FOLDS`] equal-count bins of the rows sorted by
/// probability (ties in load order): `Σ_bins (n_b/n)·|mean p − mean y|`. NannyML's bins:
/// width `⌊n/b⌋`, the last one taking the remainder; `b = ⌊n/2⌋` when `n ≤ 2b`.
fn ece(probability: &[f64], label: &[bool]) -> f64 {
    let n = probability.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| probability[a].total_cmp(&probability[b]));
    let bins = if n <= 2 * FOLDS { n / 2 } else { FOLDS };
    let width = n / bins;
    let mut total = 0.0;
    for b in 0..bins {
        let (lo, hi) = (b * width, if b + 1 == bins { n } else { (b + 1) * width });
        let rows = &order[lo..hi];
        let len = rows.len() as f64;
        let p = rows.iter().map(|&i| probability[i]).sum::<f64>() / len;
        let y = rows.iter().filter(|&&i| label[i]).count() as f64 / len;
        total += len / n as f64 * (p - y).abs();
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(pairs: &[(f64, u8)]) -> Vec<(f64, bool)> {
        pairs.iter().map(|&(s, y)| (s, y == 1)).collect()
    }

    #[test]
    fn pava_pools_violators_into_weighted_means() {
        // scikit-learn's docstring example: [5, 3, 1, 2, 8, 10, 7, 9, 6, 4].
        let y = [5.0, 3.0, 1.0, 2.0, 8.0, 10.0, 7.0, 9.0, 6.0, 4.0];
        let out = pava(&y, &[1.0; 10]);
        let want = [2.75, 2.75, 2.75, 2.75, 44.0 / 6.0, 44.0 / 6.0, 44.0 / 6.0, 44.0 / 6.0, 44.0 / 6.0, 44.0 / 6.0];
        for (a, b) in out.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{out:?}");
        }
        // Weights count: a heavy point pulls the pooled mean.
        assert_eq!(pava(&[1.0, 0.0], &[3.0, 1.0]), vec![0.75, 0.75]);
    }

    #[test]
    fn the_map_interpolates_between_blocks_and_clips_outside() {
        // By hand: scores 0.1 (0), 0.2 (1), 0.3 (0), 0.4 (1). PAVA pools 0.2 and 0.3 into 0.5.
        // Points: (0.1, 0), (0.2, 0.5), (0.3, 0.5), (0.4, 1): nothing interior to drop.
        let m = Isotonic::fit(&rows(&[(0.3, 0), (0.1, 0), (0.4, 1), (0.2, 1)])).unwrap();
        assert_eq!(m.x, vec![0.1, 0.2, 0.3, 0.4]);
        assert_eq!(m.y, vec![0.0, 0.5, 0.5, 1.0]);
        assert!((m.predict(0.15) - 0.25).abs() < 1e-15);
        assert_eq!(m.predict(0.25), 0.5);
        assert!((m.predict(0.35) - 0.75).abs() < 1e-12);
        assert_eq!(m.predict(0.0), 0.0, "clipped below");
        assert_eq!(m.predict(0.9), 1.0, "clipped above");
    }

    #[test]
    fn tied_scores_are_one_point_at_the_mean_label() {
        let m = Isotonic::fit(&rows(&[(0.5, 1), (0.5, 0), (0.5, 0), (0.5 + 1e-16, 1)])).unwrap();
        assert_eq!(m.x, vec![0.5]);
        assert_eq!(m.y, vec![0.5]);
        assert_eq!(m.predict(0.0), 0.5);
        // A flat run keeps only its ends.
        let m = Isotonic::fit(&rows(&[(0.1, 1), (0.2, 1), (0.3, 1), (0.4, 1)])).unwrap();
        assert_eq!(m.x, vec![0.1, 0.4]);
        assert!(Isotonic::fit(&[]).is_none());
        assert!(Isotonic::fit(&[(f64::NAN, true)]).is_none());
    }

    fn labelled(score: f64, y: bool) -> Labelled {
        Labelled { score, predicted_positive: score >= 0.5, actual_positive: y }
    }

    /// A deterministic sequence in [0, 1).
    fn uniform(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                (s >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect()
    }

    #[test]
    fn decide_calibrates_a_miscalibrated_model_and_keeps_a_calibrated_one() {
        let u = uniform(8000, 7);
        let p = uniform(8000, 11);
        // Calibrated to the last row: score 0.25 with every 4th row positive, score 0.75 with
        // 3 rows of 4 positive, so every ECE bin of 20 rows has mean label = mean score: raw
        // ECE 0, which no calibration lowers. (On random calibrated scores the call is a coin:
        // NannyML calls 14 of 20 such seeds "needs calibration".)
        let calibrated: Vec<Labelled> =
            (0..200).map(|i| if i < 100 { labelled(0.25, i % 4 == 0) } else { labelled(0.75, i % 4 != 0) }).collect();
        assert_eq!(decide(&calibrated), Some(Calibration::Raw(Skip::AlreadyCalibrated)));
        // Over-confident: the score is p pushed to the extremes, y ~ Bernoulli(p).
        let squashed: Vec<Labelled> = p
            .iter()
            .zip(&u)
            .map(|(&p, &u)| labelled(if p > 0.5 { 0.5 + (p - 0.5) * 0.3 } else { 0.5 - (0.5 - p) * 0.3 }, u < p))
            .collect();
        assert!(decide(&squashed).is_some_and(|c| c.is_calibrated()));
        // One class: undefined. Separable: raw.
        let one: Vec<Labelled> = p.iter().map(|&p| labelled(p, true)).collect();
        assert_eq!(decide(&one), None);
        let separable: Vec<Labelled> = p.iter().map(|&p| labelled(p, p > 0.5)).collect();
        assert_eq!(decide(&separable), Some(Calibration::Raw(Skip::Separable)));
    }

    #[test]
    fn ece_by_hand() {
        // 20 rows: bins of 2 (n ≤ 2·10 → 10 bins of width 2).
        let p: Vec<f64> = (0..20).map(|i| f64::from(i) / 20.0).collect();
        let y: Vec<bool> = (0..20).map(|i| i % 2 == 1).collect();
        // Bin b holds p = (2b, 2b+1)/20 and labels (0, 1): |(4b+1)/40 − 0.5| / 10 each.
        let want: f64 = (0..10).map(|b| (f64::from(4 * b + 1) / 40.0 - 0.5).abs() / 10.0).sum();
        assert!((ece(&p, &y) - want).abs() < 1e-15);
    }
}
