//! One side of a feature as the math takes it (values, counts over a profile's edges, or
//! category counts), and why a single feature cannot be computed.

use crate::rows::CategoryCounts;

/// One side's values of a feature. Numeric nulls are NaN.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// A numeric column as `f64`, null → NaN.
    Numeric(Vec<f64>),
    /// A numeric column already counted over a profile's edges (value bins, then missing): the
    /// current side of a quantile-mode comparison, counted chunk by chunk without a copy.
    Counted(Vec<u64>),
    /// A categorical column's value counts.
    Categorical(CategoryCounts),
}

/// Why one feature's PSI could not be computed (the run goes on without it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeatureError {
    /// No non-missing reference value.
    #[error("feature `{0}` has no finite value in the reference (every value is null, NaN or ±inf)")]
    AllNullReference(String),
    /// One side is numeric and the other categorical.
    #[error("feature `{0}` is numeric on one side and categorical on the other")]
    KindMismatch(String),
    /// The values span more than a float can hold, so equal-width bins are undefined.
    #[error(
        "feature `{0}` spans more than a float64 can hold (max − min overflows): Evidently's equal-width bins are undefined; drop the outlying values or use the default quantile binning"
    )]
    RangeOverflow(String),
}
