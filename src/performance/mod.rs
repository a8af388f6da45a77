//! Performance on delayed ground truth: the as-of join and the metrics. Pure.

pub mod cbpe;
pub mod isotonic;
pub mod join;
pub mod metrics;

pub use join::{
    EvalOptions, GroupBy, RowError, evaluate, labelled, positive_score, predicts_positive, validate_outcomes,
    validate_predictions,
};
pub use metrics::{ConfusionCounts, Labelled};
