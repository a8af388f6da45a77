//! Drift: bins, PSI, significance, and one feature's drift. Pure math over slices and counts.

pub mod binning;
pub mod feature;
pub mod psi;
pub mod significance;

pub use binning::BinEdges;
pub use feature::{BinningMode, CategoryCounts, Column, FeatureError, PsiOptions, Thresholds, feature_drift};
pub use psi::Psi;
