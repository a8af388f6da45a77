//! The cells of a performance group's row, shared by the table and Markdown renderers (each
//! lays them out its own way).

use super::text::{fmt_opt, fmt_pct};
use crate::result::PerformanceGroup;

/// The table's column headers, in the order of [`cells`].
pub const COLUMNS: [&str; 13] = [
    "group",
    "preds",
    "labelled",
    "pending",
    "coverage",
    "accuracy",
    "±se",
    "precision",
    "recall",
    "f1",
    "auc",
    "brier",
    "log_loss",
];

/// The table's column widths, in the order of [`cells`] (the first left-aligned).
pub const WIDTHS: [usize; 13] = [16, 7, 8, 7, 8, 8, 7, 9, 7, 7, 7, 7, 8];

/// One group's cells: its key, counts, label coverage and metrics (4 decimals, `–` undefined).
#[must_use]
pub fn cells(g: &PerformanceGroup) -> [String; 13] {
    let m = &g.metrics;
    [
        g.key.clone(),
        g.predictions.to_string(),
        g.labelled.to_string(),
        g.pending.to_string(),
        fmt_pct(g.label_coverage),
        fmt_opt(m.accuracy, 4),
        fmt_opt(m.accuracy_std_error, 4),
        fmt_opt(m.precision, 4),
        fmt_opt(m.recall, 4),
        fmt_opt(m.f1, 4),
        fmt_opt(m.roc_auc, 4),
        fmt_opt(m.brier, 4),
        fmt_opt(m.log_loss, 4),
    ]
}
