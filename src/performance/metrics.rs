//! Classification metrics over labelled predictions. Pure arithmetic, equal to scikit-learn's
//! on the same rows.
//!
//! Definitions, with `n = tp + fp + tn + fn` and `y` = 1 for the positive label:
//!
//! | metric | formula | undefined when |
//! |---|---|---|
//! | accuracy | `(tp + tn) / n` | `n = 0` |
//! | precision | `tp / (tp + fp)` | no predicted positive |
//! | recall | `tp / (tp + fn)` | no actual positive |
//! | F1 | `2·tp / (2·tp + fp + fn)` | `tp + fp + fn = 0` |
//! | specificity | `tn / (tn + fp)` | no actual negative |
//! | base rate | `(tp + fn) / n` | `n = 0` |
//! | accuracy std. error | `√(a(1−a)/n)` | `n = 0` |
//! | ROC AUC | Mann–Whitney U / (n₊·n₋), ties at average rank (= sklearn's trapezoidal AUC) | one class only |
//! | Brier | `mean((s − y)²)`, `s` the score of the positive label | `n = 0` |
//! | log loss | `−mean(y·ln s + (1−y)·ln(1−s))`, `s` and `1−s` clipped to `[ε, 1−ε]`, `ε = f64::EPSILON` = 2.220446049250313e-16, as scikit-learn ≥ 1.5 does for float64 | `n = 0` |
//!
//! Undefined metrics are `None`: never 0, never NaN.

use crate::result::Metrics;

/// A labelled prediction: the score of the positive label, the predicted and the actual class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Labelled {
    /// Probability the model gave to the positive label.
    pub score: f64,
    /// Predicted class is the positive label.
    pub predicted_positive: bool,
    /// Actual class is the positive label.
    pub actual_positive: bool,
}

/// Confusion counts of a binary classifier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConfusionCounts {
    /// Predicted positive, actually positive.
    pub tp: u64,
    /// Predicted positive, actually negative.
    pub fp: u64,
    /// Predicted negative, actually negative.
    pub tn: u64,
    /// Predicted negative, actually positive.
    pub fn_: u64,
}

impl ConfusionCounts {
    /// Tallies labelled predictions.
    #[must_use]
    pub fn from_rows(rows: &[Labelled]) -> Self {
        let mut c = Self::default();
        for r in rows {
            match (r.predicted_positive, r.actual_positive) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, false) => c.tn += 1,
                (false, true) => c.fn_ += 1,
            }
        }
        c
    }

    /// `tp + fp + tn + fn`.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.tp + self.fp + self.tn + self.fn_
    }
}

/// Every metric of the table above over `rows`.
#[must_use]
pub fn metrics(rows: &[Labelled]) -> Metrics {
    let c = ConfusionCounts::from_rows(rows);
    let n = c.total();
    let accuracy = div(c.tp + c.tn, n);
    Metrics {
        tp: c.tp,
        fp: c.fp,
        tn: c.tn,
        fn_: c.fn_,
        accuracy,
        accuracy_std_error: accuracy.map(|a| (a * (1.0 - a) / n as f64).sqrt()),
        precision: div(c.tp, c.tp + c.fp),
        recall: div(c.tp, c.tp + c.fn_),
        f1: div(2 * c.tp, 2 * c.tp + c.fp + c.fn_),
        specificity: div(c.tn, c.tn + c.fp),
        base_rate: div(c.tp + c.fn_, n),
        roc_auc: roc_auc(rows),
        brier: mean(rows, |r| (r.score - y(r)).powi(2)),
        log_loss: mean(rows, |r| {
            let s = r.score.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
            let t = (1.0 - r.score).clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
            if r.actual_positive { -s.ln() } else { -t.ln() }
        }),
    }
}

/// The clipping ε of log loss: `np.finfo(np.float64).eps`.
pub const LOG_LOSS_EPS: f64 = f64::EPSILON;

fn y(r: &Labelled) -> f64 {
    if r.actual_positive { 1.0 } else { 0.0 }
}

fn div(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

fn mean(rows: &[Labelled], f: impl Fn(&Labelled) -> f64) -> Option<f64> {
    (!rows.is_empty()).then(|| rows.iter().map(f).sum::<f64>() / rows.len() as f64)
}

/// ROC AUC by the rank-sum (Mann–Whitney) formula with tied scores at their average rank:
/// `(R₊ − n₊(n₊+1)/2) / (n₊·n₋)`, `R₊` the rank sum of the positives. This equals the area under
/// scikit-learn's trapezoidal ROC curve. `None` with a single class.
#[must_use]
pub fn roc_auc(rows: &[Labelled]) -> Option<f64> {
    let pos = rows.iter().filter(|r| r.actual_positive).count();
    let neg = rows.len() - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    let mut order: Vec<&Labelled> = rows.iter().collect();
    order.sort_by(|a, b| a.score.total_cmp(&b.score));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && order[j + 1].score == order[i].score {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their average.
        let avg_rank = (i + j + 2) as f64 / 2.0;
        let tied_pos = order[i..=j].iter().filter(|r| r.actual_positive).count();
        rank_sum_pos += avg_rank * tied_pos as f64;
        i = j + 1;
    }
    let (p, n) = (pos as f64, neg as f64);
    Some((rank_sum_pos - p * (p + 1.0) / 2.0) / (p * n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(score: f64, pred: bool, actual: bool) -> Labelled {
        Labelled { score, predicted_positive: pred, actual_positive: actual }
    }

    #[test]
    fn hand_computed_confusion_and_metrics() {
        // tp=2, fp=1, tn=3, fn=2 → n=8
        let rows = [
            row(0.9, true, true),
            row(0.8, true, true),
            row(0.7, true, false),
            row(0.3, false, false),
            row(0.2, false, false),
            row(0.1, false, false),
            row(0.4, false, true),
            row(0.45, false, true),
        ];
        let m = metrics(&rows);
        assert_eq!((m.tp, m.fp, m.tn, m.fn_), (2, 1, 3, 2));
        assert_eq!(m.accuracy, Some(5.0 / 8.0));
        assert_eq!(m.precision, Some(2.0 / 3.0));
        assert_eq!(m.recall, Some(0.5));
        assert_eq!(m.f1, Some(4.0 / 7.0));
        assert_eq!(m.specificity, Some(0.75));
        assert_eq!(m.base_rate, Some(0.5));
        // Positives 0.9,0.8,0.4,0.45 vs negatives 0.7,0.3,0.2,0.1: pairs won = 4+4+3+3 = 14 of 16.
        assert!((m.roc_auc.unwrap() - 14.0 / 16.0).abs() < 1e-15);
        let brier = (0.01 + 0.04 + 0.49 + 0.09 + 0.04 + 0.01 + 0.36 + 0.3025) / 8.0;
        assert!((m.brier.unwrap() - brier).abs() < 1e-15);
        let ll = -(0.9f64.ln()
            + 0.8f64.ln()
            + 0.3f64.ln()
            + 0.7f64.ln()
            + 0.8f64.ln()
            + 0.9f64.ln()
            + 0.4f64.ln()
            + 0.45f64.ln())
            / 8.0;
        assert!((m.log_loss.unwrap() - ll).abs() < 1e-12);
        let se = (5.0 / 8.0 * 3.0 / 8.0 / 8.0_f64).sqrt();
        assert!((m.accuracy_std_error.unwrap() - se).abs() < 1e-15);
    }

    #[test]
    fn auc_ties_take_average_rank() {
        // sklearn.metrics.roc_auc_score([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.8]) = 0.875
        let rows = [row(0.5, true, false), row(0.5, true, true), row(0.2, false, false), row(0.8, true, true)];
        assert_eq!(roc_auc(&rows), Some(0.875));
        // All scores equal → 0.5
        let flat = [row(0.5, true, false), row(0.5, true, true)];
        assert_eq!(roc_auc(&flat), Some(0.5));
    }

    #[test]
    fn single_class_leaves_auc_recall_undefined() {
        let rows = [row(0.6, true, false), row(0.4, false, false)];
        let m = metrics(&rows);
        assert_eq!(m.roc_auc, None);
        assert_eq!(m.recall, None);
        assert_eq!(m.specificity, Some(0.5));
    }

    #[test]
    fn no_predicted_positive_leaves_precision_undefined() {
        let rows = [row(0.1, false, true), row(0.2, false, false)];
        let m = metrics(&rows);
        assert_eq!(m.precision, None);
        assert_eq!(m.recall, Some(0.0));
        assert_eq!(m.f1, Some(0.0));
    }

    #[test]
    fn log_loss_clips_certain_mistakes() {
        // sklearn: log_loss([1], [0.0], labels=[0, 1]) = -ln(eps) = 36.04365338911715
        let m = metrics(&[row(0.0, false, true)]);
        assert!((m.log_loss.unwrap() - 36.043_653_389_117_15).abs() < 1e-9);
    }

    #[test]
    fn empty_rows_are_all_undefined() {
        let m = metrics(&[]);
        assert_eq!(m.accuracy, None);
        assert_eq!(m.brier, None);
        assert_eq!(m.log_loss, None);
    }

    proptest! {
        #[test]
        fn metrics_stay_in_range(rows in prop::collection::vec((0.0f64..=1.0, any::<bool>()), 0..60)) {
            let rows: Vec<Labelled> = rows.iter().map(|&(s, a)| row(s, s >= 0.5, a)).collect();
            let m = metrics(&rows);
            prop_assert_eq!(m.tp + m.fp + m.tn + m.fn_, rows.len() as u64);
            for v in [m.accuracy, m.precision, m.recall, m.f1, m.specificity, m.base_rate, m.roc_auc, m.brier]
                .into_iter()
                .flatten()
            {
                prop_assert!((0.0..=1.0).contains(&v), "{v}");
            }
            if let Some(ll) = m.log_loss { prop_assert!(ll >= 0.0); }
        }
    }
}
