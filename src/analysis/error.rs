//! Why an analysis could not produce a result, with a hint for each case. Every variant exits
//! with code 3 (bad input): nothing was computed from it and nothing was pushed.

use crate::drift::ProfileError;
use crate::load::LoadError;
use crate::performance::RowError;

/// Why an analysis could not produce a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    /// A source could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A window holds no trading day.
    #[error("{path}: the {which} window ({asked}) has no rows")]
    EmptyWindow {
        /// Source.
        path: String,
        /// `current` or `reference`.
        which: &'static str,
        /// What was asked.
        asked: String,
    },
    /// The reference holds days after the current window's last day: a look-ahead (a profile
    /// fitted on later data, or a reference range past the as-of date).
    #[error("{path}: the reference window {from} to {to} ends after the current window, which ends {as_of}")]
    ReferenceAfter {
        /// Source.
        path: String,
        /// Start.
        from: String,
        /// End.
        to: String,
        /// The current window's last day.
        as_of: String,
    },
    /// The reference is too small for the bins.
    #[error("{path}: the reference window {from} to {to} has {rows} rows, fewer than 2×bins = {need}")]
    ReferenceTooSmall {
        /// Source.
        path: String,
        /// Start.
        from: String,
        /// End.
        to: String,
        /// Rows found.
        rows: u64,
        /// Rows needed.
        need: u64,
    },
    /// A requested feature is not a column.
    #[error("{path}: requested feature `{feature}` is not a column (has: {available})")]
    UnknownFeature {
        /// Source.
        path: String,
        /// Feature.
        feature: String,
        /// Columns present.
        available: String,
    },
    /// A feature of a dtype that is neither numeric nor categorical.
    #[error("{path}: feature column `{feature}` has unsupported dtype {dtype}")]
    UnsupportedDtype {
        /// Source.
        path: String,
        /// Feature.
        feature: String,
        /// Its dtype.
        dtype: String,
    },
    /// Reference and current disagree on a feature's dtype.
    #[error("feature `{feature}` is {reference_dtype} in {reference_path} but {current_dtype} in {current_path}")]
    DtypeMismatch {
        /// Feature.
        feature: String,
        /// Reference source.
        reference_path: String,
        /// Its dtype there.
        reference_dtype: String,
        /// Current source.
        current_path: String,
        /// Its dtype there.
        current_dtype: String,
    },
    /// Invalid prediction or outcome rows.
    #[error("{path}: {error}")]
    Rows {
        /// Source.
        path: String,
        /// What is wrong.
        error: RowError,
    },
    /// A computation that needs the raw reference was asked of a profile.
    #[error("{what} needs the raw reference data; {path} is a profile")]
    NeedsRawReference {
        /// What was asked.
        what: &'static str,
        /// The profile file.
        path: String,
    },
    /// `[windows]` names another reference window than the profile's.
    #[error(
        "{path}: [windows] names another reference window than the one this profile was fitted on ({from} to {to}, {days} trading days)"
    )]
    ProfileWindow {
        /// The profile file.
        path: String,
        /// Its first day.
        from: String,
        /// Its last day.
        to: String,
        /// Its trading days.
        days: usize,
    },
    /// `--bins` (or `[psi] bins`) asks for other bins than the profile was fitted with.
    #[error(
        "{path}: --bins (or [psi] bins) {asked} asks for other bins than the {fitted} this profile was fitted with"
    )]
    ProfileBins {
        /// The profile file.
        path: String,
        /// Bins asked for.
        asked: usize,
        /// Bins of the profile.
        fitted: usize,
    },
    /// The reference profile file is unusable.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// A requested feature is not in the reference profile.
    #[error("{path}: feature `{feature}` is not in the reference profile (has: {available})")]
    NotInProfile {
        /// The profile file.
        path: String,
        /// Feature.
        feature: String,
        /// Features profiled.
        available: String,
    },
    /// More than one feature row for one `(as_of, symbol)`.
    #[error(
        "{path}: more than one row for as_of {as_of}, symbol {symbol} in the {which} window \
         ({keys} duplicated (as_of, symbol) key(s) in all)"
    )]
    DuplicateFeatureRows {
        /// Source.
        path: String,
        /// `current` or `reference`.
        which: &'static str,
        /// The first duplicated day.
        as_of: String,
        /// Its symbol.
        symbol: String,
        /// Duplicated keys.
        keys: usize,
    },
    /// A backfill's range holds no trading day of the features.
    #[error("{path}: no trading day from {asked} (the features hold {held})")]
    NoTradingDays {
        /// The features source.
        path: String,
        /// The range, `FROM to TO`.
        asked: String,
        /// The source's days, `FIRST to LAST` (or `no day`).
        held: String,
    },
    /// The evaluation window has no predictions.
    #[error("{path}: no predictions between {from} and {to}")]
    NoPredictions {
        /// Source.
        path: String,
        /// Start.
        from: String,
        /// End.
        to: String,
    },
}

impl AnalysisError {
    /// Whether the error says that a window cannot be formed from the data at this as-of date
    /// (no rows, too few reference rows, no predictions yet), rather than that the data is
    /// wrong: a backfill skips such a day and goes on.
    #[must_use]
    pub fn is_window(&self) -> bool {
        matches!(
            self,
            Self::EmptyWindow { .. }
                | Self::ReferenceTooSmall { .. }
                | Self::ReferenceAfter { .. }
                | Self::NoPredictions { .. }
        )
    }

    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Load(e) => e.hint(),
            Self::NoTradingDays { .. } => "choose --from/--to within the dates the features hold",
            Self::EmptyWindow { .. } | Self::NoPredictions { .. } => {
                "check --as-of and the window options against the dates present in the data"
            }
            Self::ReferenceTooSmall { .. } => "widen the reference window or lower --bins",
            Self::ReferenceAfter { .. } => {
                "a day is judged only against what was known by then: choose an as-of date after the reference \
                 window, or a reference (a profile fitted with fit-reference --from/--to) that ends by it"
            }
            Self::UnknownFeature { .. } => {
                "list features that exist in both sources in [features] include (--feature with report and \
                 fit-reference), or leave it empty to use all"
            }
            Self::UnsupportedDtype { .. } => {
                "features must be numeric, String, Categorical or Boolean: leave this column out of [features] \
                 include (--feature with report and fit-reference)"
            }
            Self::DtypeMismatch { .. } => "write the feature with the same dtype in both periods",
            Self::DuplicateFeatureRows { .. } => {
                "a snapshot was probably written twice: keep one row per symbol and day at the source"
            }
            Self::Rows { .. } => "fix the offending rows at the source; labels are 0/1 and probabilities in [0, 1]",
            Self::ProfileWindow { .. } => {
                "leave [windows] reference_* out beside a profile, or fit a profile of that window with fit-reference"
            }
            Self::ProfileBins { .. } => {
                "drop --bins (a profile's bins are its own), or fit a profile with those bins (fit-reference --bins)"
            }
            Self::NeedsRawReference { .. } => {
                "pass the reference data (--reference-source or a window) instead of --reference-profile"
            }
            Self::Profile(_) | Self::NotInProfile { .. } => {
                "re-fit it with `nepse-drift fit-reference` from the same features source"
            }
        }
    }
}
