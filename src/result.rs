//! The result of a run: the one value every output (table, JSON, CSV, Markdown, Pushgateway
//! metrics) is rendered from. Plain serde types; no computation lives here.
//!
//! The JSON form is versioned by [`SCHEMA_VERSION`]. Adding a field is a minor change that keeps
//! the version; renaming or removing one bumps it. Undefined numbers are `null`, never 0.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::options::{Level, PsiOptions, SignificanceTest};

/// Version of the JSON result schema.
pub const SCHEMA_VERSION: u32 = 2;

/// Everything one `report` or `run` computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The `nepse-drift` version that produced it.
    pub tool_version: String,
    /// The model this result is about (from the predictions, or the configured name).
    pub model: String,
    /// The run's as-of date: the current window ends on or before it, and only outcomes
    /// observed on or before it count.
    pub as_of: NaiveDate,
    /// The windows that were compared.
    pub windows: Windows,
    /// Sunday–Thursday days from the newest day of the current window in the features to the
    /// day it should reach: the as-of date, or the end asked for by `--to`. 0 when the data is
    /// up to date. `null` only in a result saved before it was recorded (the lag is then
    /// counted from the window's end, as it was).
    #[serde(default)]
    pub data_lag_trading_days: Option<u32>,
    /// The PSI settings that produced the numbers.
    pub psi_options: PsiOptions,
    /// Feature and prediction drift.
    pub drift: DriftReport,
    /// Realized and estimated performance of the live model version (`model`), when
    /// predictions and outcomes were given.
    pub performance: Option<PerformanceReport>,
    /// Every model version with predictions in the performance window, sorted.
    #[serde(default)]
    pub model_versions: Vec<String>,
    /// The performance of each other version in the window: a window never mixes versions.
    #[serde(default)]
    pub other_versions: Vec<VersionPerformance>,
    /// Per-step drift and performance, when `--every` was given.
    pub trend: Vec<TrendStep>,
    /// Rows read per dataset (`features_reference`, `features_current`, `predictions`, …).
    pub rows_read: BTreeMap<String, u64>,
    /// The scheduled run that produced this result (`run` only; `null` from `report`).
    #[serde(default)]
    pub run: Option<RunInfo>,
}

/// The performance of one model version that is not the live one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionPerformance {
    /// The version: its `model` label when pushed.
    pub model: String,
    /// Its realized and estimated performance.
    pub performance: PerformanceReport,
}

/// When and how long the computing of a scheduled run took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Random id shared by the run's log lines.
    pub run_id: String,
    /// Unix time the run started.
    pub started_at: f64,
    /// Unix time the computation finished (the last-success timestamp when pushed).
    pub finished_at: f64,
    /// `finished_at − started_at`.
    pub duration_seconds: f64,
}

/// The reference and current windows, and the performance window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Windows {
    /// The reference (training) period.
    pub reference: WindowInfo,
    /// The recent period compared against it.
    pub current: WindowInfo,
    /// The window of predictions graded for performance, when computed.
    pub performance: Option<WindowInfo>,
    /// The trading days of the current window the reference holds too (a reference that runs
    /// into it), when any: compared with themselves, they hide drift.
    #[serde(default)]
    pub overlap: Option<Overlap>,
}

/// Trading days that two windows share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overlap {
    /// The first shared day.
    pub from: NaiveDate,
    /// The last shared day.
    pub to: NaiveDate,
    /// Shared trading days.
    pub trading_days: usize,
}

/// A resolved date window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowInfo {
    /// First date, inclusive.
    pub from: NaiveDate,
    /// Last date, inclusive.
    pub to: NaiveDate,
    /// Distinct trading days with data in the window.
    pub trading_days: usize,
    /// Rows in the window.
    pub rows: u64,
    /// Where the rows came from.
    pub source: String,
}

/// Drift of every feature, plus prediction drift and the sector view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// Per feature, sorted by PSI, highest first.
    pub features: Vec<FeatureDrift>,
    /// Features that could not be computed, with why.
    pub skipped: Vec<SkippedFeature>,
    /// Names of the drifted features (see [`FeatureDrift::drifted`]).
    pub drifted_features: Vec<String>,
    /// `drifted / computed features`, in [0, 1]; `null` when none was computed.
    pub drift_share: Option<f64>,
    /// Names of the shifted features (see [`FeatureDrift::shifted`]).
    #[serde(default)]
    pub shifted_features: Vec<String>,
    /// The dataset-level call, the one that pages: the features' drift p-values adjusted for
    /// the family at the family-wise α.
    #[serde(default)]
    pub dataset: Option<DatasetDrift>,
    /// Drift of `predicted_proba`, when predictions were given.
    pub prediction_drift: Option<FeatureDrift>,
    /// The sector mix as a categorical PSI, when `--by sector`.
    pub sector_mix: Option<FeatureDrift>,
    /// PSI of each feature within each sector, when `--by sector`.
    pub by_sector: Vec<SectorDrift>,
    /// Multivariate drift: a change in how the features move together.
    #[serde(default)]
    pub multivariate: Option<MultivariateDrift>,
    /// Data quality of each feature's two windows, and the break call (with `--data-quality`).
    #[serde(default)]
    pub data_quality: Option<DataQuality>,
}

/// Data quality beside the drift (`src/drift/quality.rs` states each convention): per feature
/// and side, the symbols that came and went, the circuit-limit breaches of `ret_1d`, and the
/// call of a quality break beyond the features' own history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataQuality {
    /// Per feature, in the features' order.
    pub features: Vec<FeatureQuality>,
    /// Symbols of each window, and those that came and went.
    pub symbols: SymbolChange,
    /// `ret_1d` beyond NEPSE's ±10% circuit limit in the current window; `null` when `ret_1d`
    /// is not a numeric feature of the run.
    pub circuit: Option<CircuitBreaches>,
    /// Some feature's bad share is beyond the worst of its past windows by the margin: the call
    /// that alerts.
    pub detected: bool,
    /// The features the call names, the worst bad share first.
    pub broken: Vec<String>,
    /// Past windows of the current window's length the call compares against (the fewest of any
    /// feature).
    pub history_windows: usize,
    /// The disjoint stretches they rest on.
    pub history_stretches: usize,
    /// Why the call is undefined, when it is.
    pub note: Option<String>,
}

/// One feature's data quality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureQuality {
    /// Column name.
    pub feature: String,
    /// Numeric or categorical (a categorical feature has only rows and missing values).
    pub kind: FeatureKind,
    /// The reference window.
    pub reference: SideQuality,
    /// The current window.
    pub current: SideQuality,
    /// The reference's 0.1% quantile (numpy's linear), over its finite values.
    pub reference_low: Option<f64>,
    /// The reference's 99.9% quantile.
    pub reference_high: Option<f64>,
    /// Share of current rows outside the reference's [min, max] (±inf included).
    pub out_of_range_share: Option<f64>,
    /// Share of current rows outside the reference's [0.1%, 99.9%] quantiles.
    pub beyond_quantiles_share: Option<f64>,
    /// p-value of the change in the missing share, rows clustered by day.
    pub missing_change_p_value: Option<f64>,
    /// Share of current rows outside the reference's quantile range widened by its width on each
    /// side, `[low − w, high + w]`, or not finite: sentinels, bad prints, unit changes.
    pub implausible_share: Option<f64>,
    /// Share of current rows missing as a new symbol's warm-up (its leading nulls after its
    /// listing): missing, but not bad.
    pub warm_up_share: Option<f64>,
    /// Share of current rows that are missing (not warm-up) or implausible: the break statistic.
    pub bad_share: Option<f64>,
    /// The bad share beyond which the feature is broken: the worst past window's (over the year
    /// before the current window), half again and at least half a percentage point more.
    pub critical_bad_share: Option<f64>,
    /// The share of the past windows at least as bad, counting the current one (descriptive).
    pub p_value: Option<f64>,
    /// `bad_share > critical_bad_share`.
    pub broken: bool,
}

/// One side of a feature's data quality.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SideQuality {
    /// Rows.
    pub rows: u64,
    /// Null or NaN rows.
    pub missing: u64,
    /// `missing / rows`; `null` without a row.
    pub missing_share: Option<f64>,
    /// Smallest finite value.
    pub min: Option<f64>,
    /// Largest finite value.
    pub max: Option<f64>,
    /// Mean of the finite values.
    pub mean: Option<f64>,
}

/// The symbols of the two windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolChange {
    /// Distinct symbols in the reference window.
    pub reference: usize,
    /// Distinct symbols in the current window.
    pub current: usize,
    /// In the reference, absent from the whole current window (suspended, delisted), sorted.
    pub absent: Vec<String>,
    /// In the current window, not in the reference (new listings), sorted.
    pub new: Vec<String>,
}

/// `ret_1d` beyond the ±10% circuit limit: bad prints or corporate actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CircuitBreaches {
    /// The feature checked.
    pub feature: String,
    /// The limit (0.10) and the tolerance for price ticks: a breach is `|ret_1d| > limit + tolerance`.
    pub limit: f64,
    /// See `limit`.
    pub tolerance: f64,
    /// Breaches in the current window.
    pub count: usize,
    /// The largest breaches by `|ret_1d|`, at most 100.
    pub listed: Vec<Breach>,
}

/// One circuit-limit breach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breach {
    /// Ticker; `null` for a row without one (a bad print of its own).
    pub symbol: Option<String>,
    /// Trading day.
    pub date: NaiveDate,
    /// `ret_1d` that day; `null` for ±inf (a bad print), whose sign `infinite` keeps.
    pub value: Option<f64>,
    /// `"+inf"` or `"-inf"` for an infinite value, else `null`.
    pub infinite: Option<String>,
}

/// Multivariate drift: PCA reconstruction (NannyML's data reconstruction) and the
/// cross-sectional correlation break, each called against the market's own past window pairs
/// at α/2 (`src/drift/reconstruction_null.rs`, `src/drift/cross_section.rs`). Every number is
/// `null` where undefined, and `note` says why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultivariateDrift {
    /// The features reconstructed, in fit order.
    pub features: Vec<String>,
    /// Features left out of it, with why.
    pub left_out: Vec<SkippedFeature>,
    /// Principal components kept (the fewest explaining more than 65% of the variance).
    pub components: Option<usize>,
    /// The share of the reference's variance they explain.
    pub explained_variance: Option<f64>,
    /// The reference rows' mean reconstruction error (in sample, as NannyML reports it).
    pub reference_error: Option<f64>,
    /// The current window's mean reconstruction error: the statistic.
    pub error: Option<f64>,
    /// NannyML's sampling error of `error`, `sd / √n` over rows taken as independent (shown
    /// for comparison; the call does not rest on it).
    pub sampling_error: Option<f64>,
    /// The error beyond which the window is called.
    pub critical_error: Option<f64>,
    /// The reconstruction's p-value (its call is at α/2: the two statistics share α by
    /// Bonferroni).
    pub p_value: Option<f64>,
    /// The cross-sectional correlation distance: how differently the features rank each day's
    /// symbols against one another now than in the reference (`src/drift/cross_section.rs`).
    #[serde(default)]
    pub correlation_distance: Option<f64>,
    /// The distance beyond which the correlation break is called (at α/2).
    #[serde(default)]
    pub critical_correlation_distance: Option<f64>,
    /// The distance's p-value against the past pairs.
    #[serde(default)]
    pub correlation_p_value: Option<f64>,
    /// Why the distance or its call is undefined, or which features it left out (those with a
    /// cross-section in one window but not the other); `history_pairs` and `history_stretches`
    /// describe the reconstruction's past pairs.
    #[serde(default)]
    pub correlation_note: Option<String>,
    /// Either statistic beyond its critical value: `error > critical_error` or
    /// `correlation_distance > critical_correlation_distance`.
    pub detected: bool,
    /// Which null decided: `history` (the past pairs' empirical quantile) or `short_history`
    /// (the prediction bound of one more pair).
    pub null: Option<MultivariateNull>,
    /// Past window pairs the null holds.
    pub history_pairs: usize,
    /// The disjoint stretches they rest on (`K`).
    pub history_stretches: usize,
    /// Why a number is undefined, when one is, or what to know about a defined one (features
    /// without a current value, imputed).
    pub note: Option<String>,
}

/// The null that decided the multivariate call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MultivariateNull {
    /// The empirical quantile of the past pairs' errors.
    History,
    /// The prediction bound of one more pair, from a history of three to six stretches.
    ShortHistory,
}

/// The dataset-level drift call: any feature drifted with the family-wise error rate across
/// features controlled (Westfall–Young max-T over the market's history, Holm for features
/// without one), so that ten features at α page on about α of quiet days, not on ten times
/// that.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetDrift {
    /// At least one feature is confirmed.
    pub drifted: bool,
    /// The family-wise error rate controlled (the run's α).
    pub family_alpha: f64,
    /// How the features were adjusted: `max_t` (Westfall–Young over the history's past pairs),
    /// `holm` (features without a history to test against), or `max_t_and_holm` (both, split
    /// by Bonferroni).
    pub method: Method,
    /// Features whose drift p-value is defined: the family's size `m`.
    pub features_tested: usize,
    /// The smallest drift p-value of the family, unadjusted.
    pub min_p_value: Option<f64>,
    /// The smallest family-adjusted p-value.
    pub adjusted_p_value: f64,
    /// The features whose adjusted p-value is at most `family_alpha` and that drifted on their
    /// own (so their PSI level is at least `moderate`), by PSI.
    pub confirmed: Vec<String>,
}

/// How a family was adjusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Westfall–Young max-T over the history's past pairs.
    MaxT,
    /// Holm's step-down.
    Holm,
    /// Both, split by Bonferroni: the max-T group is one test beside the Holm members.
    MaxTAndHolm,
}

impl Method {
    /// The name in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MaxT => "max_t",
            Self::Holm => "holm",
            Self::MaxTAndHolm => "max_t_and_holm",
        }
    }
}

/// A feature that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedFeature {
    /// Column name.
    pub feature: String,
    /// One-line reason.
    pub reason: String,
}

/// Whether a feature is binned by value ranges or by category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureKind {
    /// Float or integer column.
    Numeric,
    /// String, Categorical or Boolean column.
    Categorical,
}

/// How the null distribution of the panel test was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NullMethod {
    /// Rao–Scott-scaled χ²(B−1) at the effective sizes.
    RaoScottChi2,
    /// Multinomial draws at the effective sizes.
    Simulated,
}

/// Which null decided `drifted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftNull {
    /// The feature's own history of window pairs.
    History,
    /// The dependence model: the history was too short, or the feature's rows are close to
    /// independent (current design effect below
    /// [`crate::drift::significance::HISTORY_MIN_DESIGN_EFFECT`]).
    Model,
    /// The dependence model, confirmed by a history too short to decide: the PSI had to pass
    /// both the model's critical PSI and the history's prediction bound
    /// (`crate::drift::history::HistoryNull::short_bound`).
    ModelAndShortHistory,
}

impl DriftNull {
    /// The name in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::History => "history",
            Self::Model => "model",
            Self::ModelAndShortHistory => "model_and_short_history",
        }
    }
}

/// The drift of one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureDrift {
    /// Column name.
    pub feature: String,
    /// Numeric or categorical.
    pub kind: FeatureKind,
    /// Population Stability Index (dimensionless, ≥ 0).
    pub psi: f64,
    /// Level by thresholds.
    pub level: Level,
    /// The p-value of the null that decides `drifted` (`drift_null`); `null` when the test is
    /// undefined (fewer than two bins, a one-day window, too little history).
    pub p_value: Option<f64>,
    /// PSI above which `drifted` is called (with the level at least `moderate`): with the
    /// within-day view, the level PSI's critical value under the joint test (`within_day`);
    /// `null` when the test is undefined.
    pub critical_psi: Option<f64>,
    /// Degrees of freedom of the χ² test (bins taking part − 1).
    pub degrees_of_freedom: Option<usize>,
    /// The p-value of the null that decides `shifted`: the dependence model's, the history's
    /// (or its ordinary history's, an extraordinary past event set aside) where it decides
    /// `drifted` and its critical PSI is the smaller, or the larger of the
    /// model's and a short history's bound (`drift_null: model_and_short_history`); the χ² of
    /// independent rows under `--significance iid`.
    #[serde(default)]
    pub shift_p_value: Option<f64>,
    /// PSI above which `shifted` is called.
    #[serde(default)]
    pub shift_critical_psi: Option<f64>,
    /// `psi > shift_critical_psi`: the current window is not where the reference was, beyond
    /// sampling noise under the panel's dependence. For retraining decisions, not a page.
    #[serde(alias = "shift_is_significant")]
    pub shifted: bool,
    /// Unusual for this market's own history: `psi > critical_psi` and the level at least
    /// `moderate`, or the same of the within-day view (`within_day`) where it applies (or, with
    /// the significance undefined, the level alone under `iid`).
    pub drifted: bool,
    /// The null that decided `drifted`: `history`, `model_and_short_history` or `model` (panel
    /// test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_null: Option<DriftNull>,
    /// Reference rows, missing included.
    pub reference_rows: u64,
    /// Current rows, missing included.
    pub current_rows: u64,
    /// Null or NaN share of the reference rows.
    pub reference_missing_ratio: f64,
    /// Null or NaN share of the current rows.
    pub current_missing_ratio: f64,
    /// The bins, in order; the missing bin (quantile mode) is last.
    pub bins: Vec<Bin>,
    /// Categories present in the current window but not in the reference.
    pub unseen_categories: Vec<String>,
    /// The test behind `p_value`, `critical_psi` and `shift_is_significant`: `panel` (the
    /// default, dependence-aware) or `iid` (independent rows assumed).
    #[serde(default)]
    pub significance_test: SignificanceTest,
    /// Why the significance is undefined (`p_value` and `critical_psi` null), when it is.
    #[serde(default)]
    pub significance_note: Option<String>,
    /// The mean PSI under no drift: the noise floor to draw beside the PSI.
    #[serde(default)]
    pub expected_psi: Option<f64>,
    /// Reference rows over the reference window's design effect (panel test).
    #[serde(default)]
    pub effective_reference_rows: Option<f64>,
    /// Current rows over the current window's design effect (panel test).
    #[serde(default)]
    pub effective_current_rows: Option<f64>,
    /// Each window's Rao–Scott design effect (panel test).
    #[serde(default)]
    pub design_effect: Option<DesignEffect>,
    /// How the panel test's model null was obtained: `rao_scott_chi2` or `simulated`.
    #[serde(default)]
    pub null_method: Option<NullMethod>,
    /// Past window pairs in the feature's history null, when the source held any.
    #[serde(default)]
    pub history_windows: Option<usize>,
    /// The disjoint window pairs (independent stretches) the history null rests on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_stretches: Option<usize>,
    /// The history's p-value, when its small-sample rule allows a test (whether or not it
    /// decides `drifted`; the joint test's with the within-day view): what the dataset-level
    /// call adjusts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_p_value: Option<f64>,
    /// The critical PSIs: the dependence model's own, the history's (when its small-sample
    /// rule allows a test) and the ordinary history's (an extraordinary past event set aside);
    /// `drift_null` says which decided `drifted`, and `shift_critical_psi` is the smallest of
    /// the model's and the (ordinary) history's where the history decides.
    #[serde(default)]
    pub critical_psi_by_null: Option<CriticalByNull>,
    /// The PSI of every past window pair of the history null (the joint test's statistic with
    /// the within-day view), by the first day of the pair's current window (days since
    /// 1970-01-01), when the history can test: what the dataset-level call is calibrated on.
    /// Not serialised.
    #[serde(skip)]
    pub history_pairs: Vec<(i32, f64)>,
    /// The within-day view (each value centred on its day's median), where it entered
    /// `drifted` through the joint history test (see `drift::within_day`): only where the
    /// history decides a numeric feature from the reference data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_day: Option<WithinDayDrift>,
    /// Evidently's drift tests computed for this feature (`--stattest`), by name; absent by
    /// default.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub statistics: BTreeMap<String, Statistic>,
    /// The test that decided `drifted`, when `--stattest` named one (or `auto`/`all`) and it
    /// applies to this feature; absent when the PSI's call decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_test: Option<DriftTest>,
}

/// One of Evidently's drift tests on one feature.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Statistic {
    /// The test's value (a p-value for `ks`, `chisquare` and `z`, a distance otherwise);
    /// `null` when undefined (a single category for `chisquare`).
    pub value: Option<f64>,
    /// Evidently's default threshold.
    pub threshold: f64,
    /// Whether the value is drift at the threshold, by Evidently's rule for the test.
    pub drifted: bool,
    /// Whether the call rests on independent rows (the p-value tests), which a NEPSE panel's
    /// are not: trading days share the market and rolling features carry over.
    pub assumes_independent_rows: bool,
}

/// The test that decided a feature's `drifted`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftTest {
    /// Its name (`ks`, `wasserstein`, …).
    pub test: String,
    /// Its value.
    pub value: Option<f64>,
    /// Its call.
    pub drifted: bool,
}

/// One feature's significance within one trend step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepSignificance {
    /// PSI above which the step's shift is beyond chance; `null` when undefined.
    pub critical_psi: Option<f64>,
    /// Mean PSI under no drift at the step's effective sizes.
    pub expected_psi: Option<f64>,
    /// The step's rows over its design effect.
    pub effective_current_rows: Option<f64>,
    /// PSI above which the step is called shifted; `null` when undefined.
    #[serde(default)]
    pub shift_critical_psi: Option<f64>,
    /// `psi > shift_critical_psi` of the step.
    #[serde(alias = "shift_is_significant")]
    pub shifted: bool,
    /// The step's `drifted` call.
    #[serde(default)]
    pub drifted: bool,
    /// The step's within-day view, where it applies (as [`FeatureDrift::within_day`]): its
    /// numbers at the step's own length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_day: Option<WithinDayDrift>,
}

/// The within-day view of a feature: its values centred on their trading day's median, so that
/// a market-wide move leaves it flat and a change in how the symbols differ within a day does
/// not. It enters `drifted` through a joint history test with the feature's own PSI: `drifted`
/// when either PSI exceeds its critical value and is at least `moderate` (each critical value is
/// the joint test's `c_T` times the view's own history quantile; `p_value` is the joint test's).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WithinDayDrift {
    /// The scale the values were centred on: `log` (a positive feature: at most 1% of the
    /// reference values ≤ 0) or `level`.
    pub scale: CentreScale,
    /// The PSI of the centred values, over the quantiles of the reference window's (as many
    /// bins as the feature's own).
    pub psi: f64,
    /// The within-day PSI above which `drifted` is called.
    pub critical_psi: f64,
    /// The joint test's statistic: the larger of the two PSIs over their history quantiles.
    pub joint_statistic: f64,
    /// The joint test's critical value `c_T` (the 1−α quantile of the past pairs' statistics).
    pub joint_critical: f64,
    /// This view's own call: its PSI beyond its critical value and at least `moderate`.
    #[serde(default)]
    pub drifted: bool,
}

/// The scale a feature's values are centred on in the within-day view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CentreScale {
    /// The natural log: at most 1% of the finite reference values are ≤ 0 (those below every
    /// other value).
    Log,
    /// The value itself.
    Level,
}

impl CentreScale {
    /// Its name in the result.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Log => "log",
            Self::Level => "level",
        }
    }
}

/// The critical PSI of each null of the panel test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CriticalByNull {
    /// From the dependence model.
    pub model: f64,
    /// From the feature's own history, when the source held enough of it.
    pub history: Option<f64>,
    /// From the feature's ordinary history (its extraordinary past event set aside, never
    /// above `history`), which bounds `shifted` where `drift_null` is `history`, when there is
    /// such an event and the history holds enough stretches without it.
    #[serde(default)]
    pub ordinary_history: Option<f64>,
}

/// The Rao–Scott design effect of each window: the variance of its bin proportions over what
/// independent rows would give.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DesignEffect {
    /// Reference window.
    pub reference: f64,
    /// Current window.
    pub current: f64,
}

/// One bin of a feature's PSI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    /// Interval such as `(0.1, 0.2]`, a category, or `missing`.
    pub label: String,
    /// Lower edge; `null` for −∞ or a category.
    pub lower: Option<f64>,
    /// Upper edge; `null` for +∞ or a category.
    pub upper: Option<f64>,
    /// Reference rows in the bin.
    pub reference_count: u64,
    /// Current rows in the bin.
    pub current_count: u64,
    /// Reference proportion (before the ε replacement).
    pub reference_proportion: f64,
    /// Current proportion (before the ε replacement).
    pub current_proportion: f64,
    /// The bin's term `(p − q)·ln(p/q)` of the PSI.
    pub contribution: f64,
}

/// The drift of every feature within one sector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectorDrift {
    /// Sector name.
    pub sector: String,
    /// Per feature, sorted by PSI, highest first.
    pub features: Vec<FeatureDrift>,
    /// Features skipped in this sector.
    pub skipped: Vec<SkippedFeature>,
}

/// Realized performance of the model on labelled predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceReport {
    /// Value of `actual_label` treated as positive (an "up" day).
    pub positive_label: i64,
    /// Threshold used to derive `predicted_label` when the file has none.
    pub threshold: f64,
    /// What the breakdown is by (`model_version`, `sector` or `symbol`).
    pub by: String,
    /// Outcomes matching no prediction in the window (counted, then ignored).
    pub unmatched_outcomes: u64,
    /// All predictions of the window together.
    pub overall: PerformanceGroup,
    /// One entry per value of `by`.
    pub groups: Vec<PerformanceGroup>,
    /// The confidence-based estimate (CBPE) over the estimation window, labelled or not.
    #[serde(default)]
    pub estimated: Option<EstimatedPerformance>,
    /// The realized accuracy of the labelled predictions against the estimate for the same rows.
    #[serde(default)]
    pub concept_drift: Option<ConceptDrift>,
}

/// The performance estimated from calibrated probabilities before the labels land
/// (NannyML's CBPE; conventions in `performance::cbpe`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimatedPerformance {
    /// `cbpe`.
    pub method: String,
    /// Whether the scores went through the isotonic map.
    pub calibrated: bool,
    /// Why the scores were not calibrated, or why the estimate is undefined.
    pub note: Option<String>,
    /// The labelled predictions the calibration and the sampling errors were fitted on.
    pub calibration_window: CalibrationWindow,
    /// The predictions estimated.
    pub window: Span,
    /// Predictions estimated, labelled or not.
    pub predictions: u64,
    /// The estimated metrics; all `null` when the estimate is undefined.
    pub metrics: EstimatedMetrics,
    /// `estimate − 3·SE`, clipped at 0.
    pub lower: EstimatedMetrics,
    /// `estimate + 3·SE`, clipped at 1.
    pub upper: EstimatedMetrics,
}

/// The calibration window and its labelled predictions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalibrationWindow {
    /// First date, inclusive.
    pub from: NaiveDate,
    /// Last date, inclusive.
    pub to: NaiveDate,
    /// Predictions with an outcome observed by the as-of date.
    pub labelled: u64,
}

/// A date span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First date, inclusive.
    pub from: NaiveDate,
    /// Last date, inclusive.
    pub to: NaiveDate,
}

/// Concept drift: the realized accuracy of the labelled predictions against the CBPE estimate
/// for the same rows. CBPE cannot see a change in P(y | x); a realized accuracy below the
/// estimate's band means the model's confidence no longer means what it meant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConceptDrift {
    /// The labelled predictions compared.
    pub labelled: u64,
    /// Their realized accuracy.
    pub realized_accuracy: Option<f64>,
    /// Their estimated accuracy.
    pub estimated_accuracy: Option<f64>,
    /// The estimate's band for that many rows, NannyML's (independent rows assumed).
    pub lower: Option<f64>,
    /// Upper end of the band.
    pub upper: Option<f64>,
    /// `realized − estimated`.
    pub gap: Option<f64>,
    /// The gap's day-clustered standard error: a day's predictions share the market. It adds
    /// the window's and the calibration window's in quadrature (a calibration fitted on few
    /// market days can be off by a day's swing); `null` with fewer than two days on a side,
    /// and then no concept drift is called.
    pub std_error_days: Option<f64>,
    /// The realized accuracy below which concept drift is called:
    /// `estimated − 3·max(SE, SE_days)`, never above `lower`.
    pub lower_days: Option<f64>,
    /// The realized accuracy is below `lower_days`.
    pub detected: bool,
}

/// Counts and metrics for one group of predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceGroup {
    /// The group's key (e.g. the model version); `all` for the overall group.
    pub key: String,
    /// Predictions in the window.
    pub predictions: u64,
    /// Predictions with an outcome observed by the as-of date.
    pub labelled: u64,
    /// Predictions still waiting for their outcome.
    pub pending: u64,
    /// `labelled / predictions`; `null` with no predictions.
    pub label_coverage: Option<f64>,
    /// Median label lag in trading days (`as_of` → `observed_at`).
    pub label_lag_median_days: Option<f64>,
    /// Maximum label lag in trading days.
    pub label_lag_max_days: Option<u32>,
    /// Metrics over the labelled predictions.
    pub metrics: Metrics,
}

/// Classification metrics; `null` where undefined (e.g. precision with no predicted
/// positives, AUC with a single class).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// True negatives.
    pub tn: u64,
    /// False negatives. Serialised as `fn`: the JSON is a public schema, and Rust's keyword
    /// workaround must not leak into it.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// `(tp+tn)/n`.
    pub accuracy: Option<f64>,
    /// `√(a(1−a)/n)`: the standard error of the accuracy.
    pub accuracy_std_error: Option<f64>,
    /// `tp/(tp+fp)`.
    pub precision: Option<f64>,
    /// `tp/(tp+fn)`.
    pub recall: Option<f64>,
    /// `2·tp/(2·tp+fp+fn)`.
    pub f1: Option<f64>,
    /// `tn/(tn+fp)`.
    pub specificity: Option<f64>,
    /// `(tp+fn)/n`: the share of actual positives.
    pub base_rate: Option<f64>,
    /// ROC AUC of `predicted_proba` (ties by average ranks).
    pub roc_auc: Option<f64>,
    /// `mean((p − y)²)`.
    pub brier: Option<f64>,
    /// Mean negative log-likelihood, probabilities clipped to `[ε, 1−ε]`, ε = 2.220446e-16.
    pub log_loss: Option<f64>,
}

/// The metrics CBPE estimates ([`crate::performance::cbpe`]); `None` where undefined.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct EstimatedMetrics {
    /// Expected `(TP+TN)/n`.
    pub accuracy: Option<f64>,
    /// Expected `TP/(TP+FP)`.
    pub precision: Option<f64>,
    /// Expected `TP/(TP+FN)`.
    pub recall: Option<f64>,
    /// Expected `TN/(TN+FP)`.
    pub specificity: Option<f64>,
    /// Expected `TP/(TP+(FP+FN)/2)`.
    pub f1: Option<f64>,
    /// NannyML's estimated ROC AUC.
    pub roc_auc: Option<f64>,
}

/// One step of `--every`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendStep {
    /// The step's window.
    pub window: WindowInfo,
    /// PSI per feature over the step.
    pub psi: BTreeMap<String, f64>,
    /// Per feature, the step's own significance: its critical PSI, noise floor and effective
    /// current rows at the step's length (a 2-day step has a far higher critical PSI than a
    /// 20-day window).
    #[serde(default)]
    pub significance: BTreeMap<String, StepSignificance>,
    /// A `--every week` step that holds only part of its Sunday–Thursday week (the window began
    /// or ended inside it).
    #[serde(default)]
    pub partial: bool,
    /// PSI of `predicted_proba` over the step.
    pub prediction_psi: Option<f64>,
    /// Overall performance over the step.
    pub performance: Option<PerformanceGroup>,
    /// The CBPE estimate over the step's predictions, with its band.
    #[serde(default)]
    pub estimated: Option<EstimatedBand>,
    /// Multivariate drift over the step (with `--multivariate`).
    #[serde(default)]
    pub multivariate: Option<StepMultivariate>,
}

/// Multivariate drift over one step of `--every`: the step's mean reconstruction error under the
/// reference's fit, against past pairs of the step's shape (its length, and its distance from
/// the reference).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepMultivariate {
    /// The step's mean reconstruction error.
    pub error: f64,
    /// The error above which the step is called; `null` without a history shaped like it.
    pub critical_error: Option<f64>,
    /// `error > critical_error`.
    pub detected: bool,
}

/// Estimated metrics with their band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EstimatedBand {
    /// The estimate.
    pub metrics: EstimatedMetrics,
    /// `estimate − 3·SE`, clipped at 0.
    pub lower: EstimatedMetrics,
    /// `estimate + 3·SE`, clipped at 1.
    pub upper: EstimatedMetrics,
}
