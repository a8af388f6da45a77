//! The estimated-versus-realized view every renderer shares: one row per metric, the estimate's
//! heading and the concept-drift line.

use super::text::fmt_opt;
use crate::result::EstimatedMetrics;
use crate::result::{ConceptDrift, EstimatedPerformance, Metrics, PerformanceReport};

/// One metric: name, realized, estimated, band.
pub struct Row {
    /// Metric name.
    pub name: &'static str,
    /// On the labelled predictions of the performance window.
    pub realized: Option<f64>,
    /// CBPE's estimate over the current window.
    pub estimated: Option<f64>,
    /// The estimate's band.
    pub lower: Option<f64>,
    /// Upper end.
    pub upper: Option<f64>,
}

type Pick = (&'static str, fn(&Metrics) -> Option<f64>, fn(&EstimatedMetrics) -> Option<f64>);

const METRICS: [Pick; 6] = [
    ("accuracy", |m| m.accuracy, |e| e.accuracy),
    ("precision", |m| m.precision, |e| e.precision),
    ("recall", |m| m.recall, |e| e.recall),
    ("specificity", |m| m.specificity, |e| e.specificity),
    ("F1", |m| m.f1, |e| e.f1),
    ("ROC AUC", |m| m.roc_auc, |e| e.roc_auc),
];

/// The rows of `p`, when it holds an estimate.
#[must_use]
pub fn rows(p: &PerformanceReport) -> Vec<Row> {
    let Some(e) = &p.estimated else { return Vec::new() };
    METRICS
        .iter()
        .map(|(name, realized, estimated)| Row {
            name,
            realized: realized(&p.overall.metrics),
            estimated: estimated(&e.metrics),
            lower: estimated(&e.lower),
            upper: estimated(&e.upper),
        })
        .collect()
}

/// `[lower, upper]`, or `–`.
#[must_use]
pub fn band(r: &Row) -> String {
    match (r.lower, r.upper) {
        (Some(lo), Some(hi)) => format!("[{lo:.4}, {hi:.4}]"),
        _ => "–".to_owned(),
    }
}

/// What the estimate covers and how it was calibrated, in one line.
#[must_use]
pub fn heading(e: &EstimatedPerformance) -> String {
    let c = &e.calibration_window;
    let how = if e.calibrated { "calibrated (isotonic)" } else { "not calibrated" };
    let mut s = format!(
        "CBPE estimate over {} predictions of {} … {}, {how} on {} labelled predictions of {} … {}",
        e.predictions, e.window.from, e.window.to, c.labelled, c.from, c.to
    );
    if let Some(note) = &e.note {
        s.push_str(" (");
        s.push_str(note);
        s.push(')');
    }
    s
}

/// The concept-drift comparison in one line.
#[must_use]
pub fn concept_line(c: &ConceptDrift) -> String {
    format!(
        "concept drift: {} — realized accuracy {} against {} estimated for the same {} labelled predictions (gap {}; called below {})",
        if c.detected { "DETECTED" } else { "no" },
        fmt_opt(c.realized_accuracy, 4),
        fmt_opt(c.estimated_accuracy, 4),
        c.labelled,
        fmt_opt(c.gap, 4),
        fmt_opt(c.lower_days, 4),
    )
}
