//! The resolved settings: what every command needs, validated, in domain types.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::calendar::DateRange;
use crate::options::PsiOptions;
use crate::performance::GroupBy;

/// The model label when neither the config nor the predictions name one.
pub const DEFAULT_MODEL: &str = "default";

/// Key column names of the three datasets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnNames {
    /// Date column of every dataset (`as_of` unless configured).
    pub date: String,
    /// Ticker.
    pub symbol: String,
    /// Sector.
    pub sector: String,
    /// Model version (predictions; optional in outcomes).
    pub model_version: String,
    /// Probability of an up day.
    pub predicted_proba: String,
    /// Optional predicted label.
    pub predicted_label: String,
    /// Actual label.
    pub actual_label: String,
    /// Day the label became known.
    pub observed_at: String,
}

impl ColumnNames {
    /// Whether `name` is a key column (never a feature by default).
    #[must_use]
    pub fn is_key(&self, name: &str) -> bool {
        [&self.date, &self.symbol, &self.sector].iter().any(|k| k.as_str() == name)
    }
}

/// Where the data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    /// Features.
    pub features: String,
    /// Predictions, when given.
    pub predictions: Option<String>,
    /// Outcomes, when given.
    pub outcomes: Option<String>,
    /// Separate reference features, when given.
    pub reference: Option<String>,
    /// A fitted reference profile, when given (replaces reading the reference).
    pub reference_profile: Option<PathBuf>,
}

/// The current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrentWindow {
    /// Explicit dates.
    Range(DateRange),
    /// The last N trading days ending at the as-of date.
    Last(usize),
}

/// The reference window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceWindow {
    /// Explicit dates (in the reference source when given, else in the features).
    Range(DateRange),
    /// The N trading days before the current window.
    Before(usize),
    /// The whole separate reference source.
    WholeSource,
}

/// A trend step for `--every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// N trading days.
    Days(usize),
    /// NEPSE weeks (Sunday–Thursday).
    Week,
}

/// Which columns are features.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeatureSelection {
    /// Explicit features; empty means every non-key column.
    pub include: Vec<String>,
    /// Columns forced categorical.
    pub categorical: Vec<String>,
    /// Compute multivariate drift too.
    pub multivariate: bool,
    /// Check data quality too.
    pub data_quality: bool,
}

/// Everything a drift/performance computation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Data sources.
    pub sources: Sources,
    /// Key column names.
    pub columns: ColumnNames,
    /// Feature selection.
    pub features: FeatureSelection,
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Today's date in Nepal when the settings were resolved: a day of the data after it is
    /// not yet known, whatever the file says.
    pub today: NaiveDate,
    /// Current window.
    pub current: CurrentWindow,
    /// Reference window.
    pub reference: ReferenceWindow,
    /// Performance window in trading days (default: the current window's days).
    pub performance_days: Option<usize>,
    /// Calibration window of the performance estimate; `None`: the reference window's dates.
    pub calibration: Option<DateRange>,
    /// PSI settings.
    pub psi: PsiOptions,
    /// The bins asked for by `--bins` or `[psi] bins`, when any: a reference profile carries its
    /// own, and refuses a different number rather than ignore it.
    pub bins_asked: Option<usize>,
    /// Whether `[windows]` names a reference window (`reference_from/to`, `reference_days`): a
    /// config shared by `fit-reference` and a run with its profile names the profile's own
    /// window, and any other is refused rather than ignored.
    pub reference_asked: bool,
    /// Positive label.
    pub positive_label: i64,
    /// Label threshold.
    pub threshold: f64,
    /// Breakdown.
    pub by: GroupBy,
    /// Trend step.
    pub every: Option<Every>,
    /// Model label from the config (`push.model`). Without it the label is the predictions'
    /// single model version, else the last saved result's model (for a failure), else
    /// [`DEFAULT_MODEL`].
    pub model: Option<String>,
    /// Where `run` saves its results and takes its lock; `None`: not saved.
    pub results_dir: Option<PathBuf>,
    /// Show progress bars on a terminal (off under `--quiet` and JSON logs).
    pub progress: bool,
}

impl Settings {
    /// What in these settings needs the raw reference data, which a fitted
    /// `--reference-profile` does not hold (`--by sector`, `--binning evidently`, `--stattest`,
    /// `--multivariate`, `--data-quality`);
    /// `None` when a profile serves. `run` and `check-config` refuse the same combinations.
    #[must_use]
    pub fn needs_raw_reference(&self) -> Option<&'static str> {
        if self.by == GroupBy::Sector {
            Some("--by sector")
        } else if self.psi.mode == crate::options::BinningMode::Evidently {
            Some("--binning evidently")
        } else if !self.psi.stattest.is_psi() {
            Some("--stattest")
        } else if self.features.multivariate {
            Some("--multivariate")
        } else if self.features.data_quality {
            Some("--data-quality")
        } else {
            None
        }
    }
}
