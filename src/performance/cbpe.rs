//! Confidence-based performance estimation (CBPE), as NannyML 0.13 defines it for a binary
//! classifier. Pure.
//!
//! With `p` the calibrated probability of the positive label ([`super::isotonic`]) and `ŷ` the
//! predicted label, the expected confusion matrix over the estimation window's predictions
//! (labelled or not) is
//!
//! | cell | formula |
//! |---|---|
//! | TP | `Σ_{ŷ=1} p` |
//! | FP | `Σ_{ŷ=1} (1−p)` |
//! | FN | `Σ_{ŷ=0} p` |
//! | TN | `Σ_{ŷ=0} (1−p)` |
//!
//! and the estimated metrics are read from it as the realized ones are from counts: accuracy
//! `(TP+TN)/n`, precision `TP/(TP+FP)`, recall `TP/(TP+FN)`, specificity `TN/(TN+FP)`, F1
//! `TP/(TP+(FP+FN)/2)`. A zero denominator is undefined (`None`; NannyML returns 0).
//!
//! **ROC AUC** is NannyML's `estimate_roc_auc`: rows sorted by the *raw* score, highest first
//! (ties: a stable ascending sort reversed), `tps = cumsum(p)`, `fps = (1..n) − tps`, a 0
//! prepended to both, both rounded to 5 decimals (`np.round`: ties to even), `tpr = tps/tps[n]`,
//! `fpr = fps/fps[n]`, and the trapezoidal area under (fpr, tpr).
//!
//! **Sampling error** (NannyML's `sampling_error.binary_classification`): each metric has a
//! standard deviation `σ` and a fraction `f` measured on the calibration window's labelled rows
//! (`ŷ` and the actual label `y`), and `SE = σ / √(n·f)` for `n` estimated rows. `σ` is the
//! population standard deviation (ddof 0) of a 0/1 variable over the rows that count:
//!
//! | metric | rows | value 1 when | f |
//! |---|---|---|---|
//! | accuracy | all | `ŷ = y` | 1 |
//! | precision | `ŷ = 1` | `y = 1` | share with `ŷ = 1` |
//! | recall | `y = 1` | `ŷ = 1` | share with `y = 1` |
//! | specificity | `y = 0` | `ŷ = 0` | share with `y = 0` |
//! | F1 | TP, FP, FN | TP, each value × `c = m/(TP + (FP+FN)/2)` | `m/N` |
//!
//! (`m = TP+FP+FN` counted, `N` rows.) ROC AUC's `σ` is the standard deviation of
//! `(rank_i − i)/n₋` over the positives' ranks in the raw-score order after dropping rank 0 (the
//! classes swapped when more than half is positive; NannyML's `auroc_sampling_error_components`),
//! with `f = n₊/N`. The band is `estimate ± 3·SE` clipped to [0, 1].

use super::isotonic::Calibration;
use super::metrics::Labelled;
use crate::result::{EstimatedBand, EstimatedMetrics};

/// NannyML's `SAMPLING_ERROR_RANGE`: the band is ± this many standard errors.
pub const BAND_STD_ERRORS: f64 = 3.0;

/// `f` of each metric of `a` and `b`.
fn zip(
    a: EstimatedMetrics,
    b: EstimatedMetrics,
    f: impl Fn(Option<f64>, Option<f64>) -> Option<f64>,
) -> EstimatedMetrics {
    EstimatedMetrics {
        accuracy: f(a.accuracy, b.accuracy),
        precision: f(a.precision, b.precision),
        recall: f(a.recall, b.recall),
        specificity: f(a.specificity, b.specificity),
        f1: f(a.f1, b.f1),
        roc_auc: f(a.roc_auc, b.roc_auc),
    }
}

/// A row to estimate: its raw score, its calibrated probability and its predicted label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The model's score of the positive label.
    pub raw: f64,
    /// The calibrated probability.
    pub p: f64,
    /// `ŷ = 1`.
    pub predicted_positive: bool,
}

/// `(σ, f)` per metric, measured on the calibration window (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SamplingComponents {
    accuracy: Option<(f64, f64)>,
    precision: Option<(f64, f64)>,
    recall: Option<(f64, f64)>,
    specificity: Option<(f64, f64)>,
    f1: Option<(f64, f64)>,
    roc_auc: Option<(f64, f64)>,
}

/// Population standard deviation of `ones` ones among `n` 0/1 values, times `scale`.
fn std01(ones: usize, n: usize, scale: f64) -> Option<f64> {
    (n > 0).then(|| {
        let mean = ones as f64 / n as f64;
        // √(mean of squares − square of mean), computed as NannyML's np.std does on the values.
        let (a, b) = (scale * (1.0 - mean), scale * mean);
        ((ones as f64 * a * a + (n - ones) as f64 * b * b) / n as f64).sqrt()
    })
}

impl SamplingComponents {
    /// Measures the components on the calibration window's labelled rows.
    #[must_use]
    pub fn fit(rows: &[Labelled]) -> Self {
        let n = rows.len();
        let count = |f: &dyn Fn(&Labelled) -> bool| rows.iter().filter(|r| f(r)).count();
        let tp = count(&|r| r.predicted_positive && r.actual_positive);
        let fp = count(&|r| r.predicted_positive && !r.actual_positive);
        let fn_ = count(&|r| !r.predicted_positive && r.actual_positive);
        let tn = n - tp - fp - fn_;
        let frac = |k: usize| k as f64 / n as f64;
        let with = |ones: usize, len: usize, scale: f64| std01(ones, len, scale).map(|s| (s, frac(len)));
        let m = tp + fp + fn_;
        let c = m as f64 / (tp as f64 + 0.5 * (fp + fn_) as f64);
        Self {
            accuracy: std01(tp + tn, n, 1.0).map(|s| (s, 1.0)),
            precision: with(tp, tp + fp, 1.0),
            recall: with(tp, tp + fn_, 1.0),
            specificity: with(tn, tn + fp, 1.0),
            f1: if m == 0 { None } else { with(tp, m, c) },
            roc_auc: auroc_components(rows),
        }
    }

    /// NannyML's standard error of the accuracy over `n` rows.
    #[must_use]
    pub fn accuracy_std_error(&self, n: usize) -> Option<f64> {
        self.errors(n).accuracy
    }

    /// Standard errors for `n` estimated rows.
    fn errors(&self, n: usize) -> EstimatedMetrics {
        let se = |c: Option<(f64, f64)>| c.and_then(|(s, f)| (n > 0 && f > 0.0).then(|| s / (n as f64 * f).sqrt()));
        EstimatedMetrics {
            accuracy: se(self.accuracy),
            precision: se(self.precision),
            recall: se(self.recall),
            specificity: se(self.specificity),
            f1: se(self.f1),
            roc_auc: se(self.roc_auc),
        }
    }
}

/// NannyML's `auroc_sampling_error_components` (see the module doc).
fn auroc_components(rows: &[Labelled]) -> Option<(f64, f64)> {
    let n = rows.len();
    let pos = rows.iter().filter(|r| r.actual_positive).count();
    if n == 0 {
        return None;
    }
    let swap = pos as f64 / n as f64 > 0.5;
    let mut order: Vec<(f64, bool)> = rows
        .iter()
        .map(|r| if swap { (1.0 - r.score, !r.actual_positive) } else { (r.score, r.actual_positive) })
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n_pos = order.iter().filter(|r| r.1).count();
    let n_neg = n - n_pos;
    // Ranks of the positives; `np.unique(...)[1:]` drops rank 0 (and with it a positive there).
    let ranks: Vec<usize> =
        order.iter().enumerate().filter(|(rank, r)| r.1 && *rank > 0).map(|(rank, _)| rank).collect();
    if ranks.is_empty() || n_neg == 0 {
        return None;
    }
    let ser: Vec<f64> = ranks.iter().enumerate().map(|(i, &rank)| (rank - i) as f64 / n_neg as f64).collect();
    let mean = ser.iter().sum::<f64>() / ser.len() as f64;
    let var = ser.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / ser.len() as f64;
    Some((var.sqrt(), n_pos as f64 / n as f64))
}

/// Calibrates `rows` (raw score, predicted label) and estimates every metric with its band.
#[must_use]
pub fn estimate(
    calibration: &Calibration,
    components: &SamplingComponents,
    rows: impl Iterator<Item = (f64, bool)>,
) -> EstimatedBand {
    let scored: Vec<Scored> =
        rows.map(|(raw, predicted_positive)| Scored { raw, p: calibration.apply(raw), predicted_positive }).collect();
    let metrics = expected_metrics(&scored);
    let se = components.errors(scored.len());
    let band = |sign: f64| {
        zip(metrics, se, |m, s| match (m, s) {
            (Some(m), Some(s)) => Some((m + sign * BAND_STD_ERRORS * s).clamp(0.0, 1.0)),
            _ => None,
        })
    };
    EstimatedBand { metrics, lower: band(-1.0), upper: band(1.0) }
}

/// The metrics of the expected confusion matrix, and the estimated ROC AUC.
#[must_use]
pub fn expected_metrics(rows: &[Scored]) -> EstimatedMetrics {
    let (mut tp, mut fp, mut fn_, mut tn) = (0.0, 0.0, 0.0, 0.0);
    for r in rows {
        if r.predicted_positive {
            tp += r.p;
            fp += 1.0 - r.p;
        } else {
            fn_ += r.p;
            tn += 1.0 - r.p;
        }
    }
    let ratio = |num: f64, den: f64| (den != 0.0).then(|| num / den);
    EstimatedMetrics {
        accuracy: (!rows.is_empty()).then(|| (tp + tn) / rows.len() as f64),
        precision: ratio(tp, tp + fp),
        recall: ratio(tp, tp + fn_),
        specificity: ratio(tn, tn + fp),
        f1: ratio(tp, tp + 0.5 * (fp + fn_)),
        roc_auc: estimated_roc_auc(rows),
    }
}

/// The concept-drift comparison of labelled rows: realized against estimated accuracy.
///
/// Each row has a residual `r = c − e`: `c` = 1 when the prediction was right, `e` its expected
/// correctness (`p` when `ŷ = 1`, else `1 − p`). Without concept drift `E[r] = 0`, and
/// `realized − estimated = mean(r)`. NannyML's band treats the rows as independent
/// (`SE = σ/√n`); a NEPSE day's predictions share the market and are right or wrong together,
/// so the gap is also given a day-clustered standard error (the sandwich estimator with the
/// usual small-sample factor): `SE_days² = D/(D−1) · Σ_d (Σ_{i∈d} r_i)² / n²` over `D` days.
/// The caller adds the calibration window's own day-clustered error in quadrature and calls
/// with the wider of the two: `detected = gap < −3·max(SE, SE_days)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gap {
    /// Realized accuracy.
    pub realized: f64,
    /// Estimated accuracy of the same rows.
    pub estimated: f64,
    /// The day-clustered standard error of the gap; `None` with fewer than two days.
    pub std_error_days: Option<f64>,
}

/// The [`Gap`] of `rows`: (day, calibrated p, predicted positive, actual positive). `None`
/// without rows.
#[must_use]
pub fn gap(rows: &[(i32, f64, bool, bool)]) -> Option<Gap> {
    if rows.is_empty() {
        return None;
    }
    let n = rows.len() as f64;
    let mut by_day: std::collections::BTreeMap<i32, f64> = std::collections::BTreeMap::new();
    let (mut correct, mut expected) = (0.0, 0.0);
    for &(day, p, predicted, actual) in rows {
        let c = f64::from(u8::from(predicted == actual));
        let e = if predicted { p } else { 1.0 - p };
        correct += c;
        expected += e;
        *by_day.entry(day).or_default() += c - e;
    }
    let days = by_day.len() as f64;
    let std_error_days = (by_day.len() >= 2).then(|| {
        let sum_sq: f64 = by_day.values().map(|s| s * s).sum();
        (days / (days - 1.0) * sum_sq).sqrt() / n
    });
    Some(Gap { realized: correct / n, estimated: expected / n, std_error_days })
}

/// `np.round(x, 5)`: scaled, rounded half to even, scaled back.
fn round5(x: f64) -> f64 {
    (x * 1e5).round_ties_even() / 1e5
}

/// NannyML's `estimate_roc_auc` (see the module doc); `None` when either rate is 0/0.
fn estimated_roc_auc(rows: &[Scored]) -> Option<f64> {
    let mut order: Vec<&Scored> = rows.iter().collect();
    order.sort_by(|a, b| a.raw.total_cmp(&b.raw));
    order.reverse();
    let mut tps = Vec::with_capacity(rows.len() + 1);
    let mut fps = Vec::with_capacity(rows.len() + 1);
    tps.push(0.0);
    fps.push(0.0);
    let mut cum = 0.0;
    for (i, r) in order.iter().enumerate() {
        cum += r.p;
        tps.push(round5(cum));
        fps.push(round5((i + 1) as f64 - cum));
    }
    let (t, f) = (*tps.last()?, *fps.last()?);
    if t == 0.0 || f == 0.0 {
        return None;
    }
    let area: f64 = (1..tps.len()).map(|i| (fps[i] / f - fps[i - 1] / f) * (tps[i] / t + tps[i - 1] / t) / 2.0).sum();
    Some(area)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::performance::isotonic::Skip;

    fn l(score: f64, pred: bool, y: bool) -> Labelled {
        Labelled { score, predicted_positive: pred, actual_positive: y }
    }

    #[test]
    fn expected_confusion_matrix_by_hand() {
        // ŷ=1 with p 0.8 and 0.6; ŷ=0 with p 0.3 and 0.1.
        // TP = 1.4, FP = 0.6, FN = 0.4, TN = 1.6.
        let rows = [(0.8, true), (0.6, true), (0.3, false), (0.1, false)];
        let scored: Vec<Scored> = rows.iter().map(|&(p, y)| Scored { raw: p, p, predicted_positive: y }).collect();
        let m = expected_metrics(&scored);
        let close = |a: Option<f64>, b: f64| assert!((a.unwrap() - b).abs() < 1e-12, "{a:?} vs {b}");
        close(m.accuracy, 3.0 / 4.0);
        close(m.precision, 1.4 / 2.0);
        close(m.recall, 1.4 / 1.8);
        close(m.specificity, 1.6 / 2.2);
        close(m.f1, 1.4 / (1.4 + 0.5));
        // No predicted positive: precision undefined, not 0.
        let none: Vec<Scored> = scored.iter().map(|s| Scored { predicted_positive: false, ..*s }).collect();
        assert_eq!(expected_metrics(&none).precision, None);
        assert_eq!(expected_metrics(&[]).accuracy, None);
    }

    #[test]
    fn estimated_auc_by_hand() {
        // Raw order (highest first): p = 0.9, 0.5, 0.2. tps: 0, .9, 1.4, 1.6; fps: 0, .1, .6, 1.4.
        // tpr: 0, .5625, .875, 1; fpr: 0, 1/14, 6/14, 1.
        let rows: Vec<Scored> =
            [0.5, 0.9, 0.2].iter().map(|&p| Scored { raw: p, p, predicted_positive: p > 0.5 }).collect();
        let (tpr, fpr) = ([0.0, 0.5625, 0.875, 1.0], [0.0, 1.0 / 14.0, 6.0 / 14.0, 1.0]);
        let want: f64 = (1..4).map(|i| (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2.0).sum();
        assert!((estimated_roc_auc(&rows).unwrap() - want).abs() < 1e-12);
        assert_eq!(round5(0.123_456), 0.12346);
        assert_eq!(round5(2.5e-5), 2e-5, "half to even");
    }

    #[test]
    fn sampling_components_by_hand() {
        // 6 rows: TP, TP, FP, FN, TN, TN.
        let rows = [
            l(0.9, true, true),
            l(0.8, true, true),
            l(0.7, true, false),
            l(0.4, false, true),
            l(0.2, false, false),
            l(0.1, false, false),
        ];
        let c = SamplingComponents::fit(&rows);
        // accuracy: 4 of 6 correct: σ = √(2/3·1/3).
        let acc = c.accuracy.unwrap();
        assert!((acc.0 - (2.0_f64 / 9.0).sqrt()).abs() < 1e-15 && acc.1 == 1.0);
        // precision: among ŷ=1, 2 of 3: σ = √(2/9), f = 1/2.
        let p = c.precision.unwrap();
        assert!((p.0 - (2.0_f64 / 9.0).sqrt()).abs() < 1e-15 && (p.1 - 0.5).abs() < 1e-15);
        // F1: TP,TP,FP,FN → c = 4/3, values (4/3,4/3,0,0): σ = 2/3, f = 4/6.
        let f1 = c.f1.unwrap();
        assert!((f1.0 - 2.0 / 3.0).abs() < 1e-15 && (f1.1 - 4.0 / 6.0).abs() < 1e-15);
        // The band at n = 24: accuracy SE = σ/√24.
        let est = estimate(
            &Calibration::Raw(Skip::AlreadyCalibrated),
            &c,
            (0..24).map(|i| (if i % 2 == 0 { 0.9 } else { 0.2 }, i % 2 == 0)),
        );
        let a = est.metrics.accuracy.unwrap();
        assert!((a - 0.85).abs() < 1e-12);
        let se = (2.0_f64 / 9.0).sqrt() / 24.0_f64.sqrt();
        assert!((est.lower.accuracy.unwrap() - (a - 3.0 * se)).abs() < 1e-12);
        assert_eq!(est.upper.accuracy, Some((a + 3.0 * se).min(1.0)));
    }

    #[test]
    fn gap_by_hand() {
        // Day 1: right with p 0.8 (r = 0.2), wrong with p 0.6 (r = −0.6): day sum −0.4.
        // Day 2: ŷ = 0 with p 0.3, actually 0: right, e = 0.7 (r = 0.3): day sum 0.3.
        let g = gap(&[(1, 0.8, true, true), (1, 0.6, true, false), (2, 0.3, false, false)]).unwrap();
        assert!((g.realized - 2.0 / 3.0).abs() < 1e-15);
        assert!((g.estimated - (0.8 + 0.6 + 0.7) / 3.0).abs() < 1e-15);
        let want = (2.0 * (0.16 + 0.09_f64)).sqrt() / 3.0;
        assert!((g.std_error_days.unwrap() - want).abs() < 1e-15);
        assert_eq!(gap(&[(1, 0.5, true, true)]).unwrap().std_error_days, None);
        assert_eq!(gap(&[]), None);
    }

    #[test]
    fn auroc_components_by_hand() {
        // Sorted raw: 0.1 (0), 0.2 (1), 0.3 (0), 0.4 (1): positives at ranks 1 and 3.
        // ser = (1−0, 3−1)/2 = (0.5, 1): σ = 0.25; f = 2/4.
        let rows = [l(0.3, false, false), l(0.1, false, false), l(0.4, false, true), l(0.2, false, true)];
        assert_eq!(auroc_components(&rows), Some((0.25, 0.5)));
    }
}
