//! Drift: bins, PSI, significance, and one feature's drift. Pure math over slices and counts.

pub mod binning;
pub mod feature;
pub mod profile;
pub mod psi;
pub mod significance;

pub use binning::BinEdges;
pub use feature::{BinningMode, CategoryCounts, Column, FeatureError, PsiOptions, Thresholds, compare, feature_drift};
pub use profile::{FeatureProfile, ProfileBins};
pub use psi::Psi;
