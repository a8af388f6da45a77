//! Drift: bins, PSI, significance, one feature's drift, multivariate drift (PCA reconstruction
//! and the cross-sectional correlation break) and data quality. Pure math over slices and counts.

pub mod binning;
pub mod column;
pub mod cross_section;
pub mod daily;
pub mod dependence;
pub mod ecdf;
pub mod feature;
pub mod history;
pub mod ks;
pub mod multiplicity;
pub mod order;
pub mod profile;
pub mod profile_file;
pub mod psi;
pub mod quality;
pub mod reconstruction;
pub mod reconstruction_null;
pub mod significance;
pub mod stattests;
pub mod within_day;

pub use binning::{BinEdges, MAX_BINS};
pub use column::{Column, FeatureError};
pub use daily::{DailyCategories, DailyCounts, DayCounter, count_by_slot};
pub use dependence::Dependence;
pub use feature::{PanelWindows, compare, feature_drift, with_panel_significance, with_within_day};
pub use profile::{FeatureProfile, ProfileBins};
pub use profile_file::{PROFILE_SCHEMA_VERSION, ProfileError, ReferenceProfile};
pub use psi::Psi;
pub use stattests::Samples;
