//! The Prometheus exposition text of a [`RunResult`], rendered with the `prometheus` crate's
//! registry and text encoder. Pure: the same result always renders the same text, which is what
//! lets `push --result FILE` re-push a saved run exactly.
//!
//! Every series here is a gauge. The Pushgateway adds the grouping labels (`job`, `model` and
//! any configured extras) to each; the body itself never carries `instance`, a symbol or a host,
//! so cardinality stays bounded by the feature list (and the sector list when asked). Undefined
//! numbers (`None` in the result) are not pushed at all. docs/operations.md documents every family.

use std::fmt::Write as _;

use ::prometheus::{Encoder, GaugeVec, Opts, Registry, TextEncoder};
use chrono::NaiveDate;

use crate::calendar::{NEPAL_OFFSET_SECONDS, trading_days_between};
use crate::result::{FeatureDrift, PerformanceReport, RunResult, VersionPerformance};

/// A metric family: name, help, label names, and the values it can take.
struct Family {
    name: &'static str,
    help: &'static str,
    labels: &'static [&'static str],
    domain: Domain,
}

/// The values a family's samples can take. A value outside is no number a run computes (an
/// edited or corrupted result file for `push --result`, or a bug): it is refused rather than
/// pushed ([`MetricsError::Implausible`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Domain {
    /// A share, probability or p-value: in [0, 1].
    Ratio,
    /// A PSI, distance, design effect or size: at least 0.
    NonNegative,
    /// A difference of two ratios: in [−1, 1].
    Difference,
    /// A Unix time or a duration: from 0 to 10¹¹ s (the year 5138).
    Seconds,
    /// A call: 0 or 1.
    Flag,
    /// A count: a whole number, at least 0.
    Count,
    /// Any finite number (a window's date, which may lie before 1970; another tool's statistic).
    Any,
}

impl Domain {
    /// Rounding slack for a ratio computed in floating point (an F1 of `1 + 2⁻⁵²`).
    const SLACK: f64 = 1e-9;

    /// Where `v` breaks the domain, in words (`None`: it is plausible).
    fn breach(self, v: f64) -> Option<&'static str> {
        match self {
            Self::Ratio => (!(-Self::SLACK..=1.0 + Self::SLACK).contains(&v)).then_some("outside [0, 1]"),
            Self::NonNegative => (v < 0.0).then_some("below 0"),
            Self::Difference => (!(-1.0 - Self::SLACK..=1.0 + Self::SLACK).contains(&v)).then_some("outside [-1, 1]"),
            Self::Seconds => (!(0.0..=1e11).contains(&v)).then_some("outside [0, 1e11] seconds"),
            Self::Flag => (v != 0.0 && v != 1.0).then_some("neither 0 nor 1"),
            Self::Count => (v < 0.0 || v.fract() != 0.0).then_some("not a whole number at least 0"),
            Self::Any => None,
        }
    }
}

macro_rules! families {
    ($($id:ident = $name:literal, [$($l:literal),*], $domain:ident, $help:literal;)*) => {
        $(const $id: Family = Family { name: $name, help: $help, labels: &[$($l),*], domain: Domain::$domain };)*
        /// Every metric family this module can emit, for docs/operations.md and the tests.
        pub const ALL: &[(&str, &str, &[&str])] = &[$(($name, $help, &[$($l),*])),*];
    };
}

families! {
    PSI = "feature_drift_psi", ["feature"], NonNegative, "Population Stability Index of the feature, current vs reference window (dimensionless).";
    PSI_CRITICAL = "feature_drift_psi_critical", ["feature"], NonNegative, "PSI above which the feature is called drifted at alpha: the history null (with the within-day view, its quantile times the joint test's critical value); without enough history the dependence model, or the larger of it and the short history's bound (drift_null in the result says which); absent when undefined.";
    WITHIN_PSI = "feature_drift_within_day_psi", ["feature"], NonNegative, "PSI of the feature's values centred on their trading day's median (in logs for a positive feature): how the symbols' spread within a day moved, market-wide moves removed; absent where the view does not apply (the history does not decide, a saved profile, a day-constant feature).";
    WITHIN_CRITICAL = "feature_drift_within_day_psi_critical", ["feature"], NonNegative, "Within-day PSI above which the feature is called drifted at alpha (its history quantile times the joint test's critical value); absent where the view does not apply.";
    PSI_EXPECTED = "feature_drift_psi_expected", ["feature"], NonNegative, "Mean PSI under no drift at the feature's effective sample sizes: the noise floor.";
    P_VALUE = "feature_drift_p_value", ["feature"], Ratio, "p-value of the feature's PSI under the run's significance test (where the within-day view applies, the joint test's of both views).";
    EFFECTIVE_ROWS = "feature_drift_effective_rows", ["feature", "side"], NonNegative, "Rows over the window's design effect (reference, current): what the rows are worth as independent ones.";
    DESIGN_EFFECT = "feature_drift_design_effect", ["feature", "side"], NonNegative, "Rao-Scott design effect of the window's bin proportions (reference, current).";
    DETECTED = "feature_drift_detected", ["feature"], Flag, "1 when the feature drifted (its PSI, or its within-day PSI, at least moderate and beyond its critical value: unusual for the market's own history), else 0.";
    SHIFTED = "feature_drift_shifted", ["feature"], Flag, "1 when the feature shifted (PSI beyond the sampling noise of the panel's dependence model), else 0.";
    SHIFT_CRITICAL = "feature_drift_shift_psi_critical", ["feature"], NonNegative, "PSI above which the feature is called shifted at alpha (the dependence model's critical value, capped by the market's ordinary history).";
    SHIFT_P_VALUE = "feature_drift_shift_p_value", ["feature"], Ratio, "p-value of the feature's PSI under the null that decides the shifted call (the dependence model, or the market's ordinary history where its critical value is smaller).";
    DATASET = "dataset_drift_detected", [], Flag, "1 when the dataset-level call is drifted: some drifted feature confirmed at family-wise alpha (max-T over the market's history, Holm without one), else 0.";
    DATASET_CONFIRMED = "dataset_drift_confirmed_features", [], Count, "Features the dataset-level call confirmed at family-wise alpha.";
    DATASET_MIN_P = "dataset_drift_min_p_value", [], Ratio, "Smallest drift p-value over the features tested, unadjusted.";
    DATASET_ADJ_P = "dataset_drift_adjusted_p_value", [], Ratio, "Smallest family-adjusted drift p-value (max-T over the market's history, Holm for features without one).";
    MV_ERROR = "multivariate_drift_reconstruction_error", [], NonNegative, "Mean PCA reconstruction error of the current window's rows under the reference's fit (NannyML's data reconstruction): how far the features' joint pattern moved, marginal shifts included (only with --multivariate).";
    MV_CRITICAL = "multivariate_drift_reconstruction_error_critical", [], NonNegative, "Reconstruction error above which multivariate drift is called at alpha/2 (the correlation break has the other half): the past window pairs' quantile (or a short history's bound); absent when undefined.";
    MV_REFERENCE = "multivariate_drift_reference_reconstruction_error", [], NonNegative, "Mean reconstruction error of the reference rows (in sample).";
    MV_CORRELATION = "multivariate_drift_correlation_distance", [], NonNegative, "Distance between the current window's and the reference's correlations of the features' within-day ranks: how differently the features rank each day's symbols against one another (only with --multivariate).";
    MV_CORRELATION_CRITICAL = "multivariate_drift_correlation_distance_critical", [], NonNegative, "Correlation distance above which a correlation break is called at alpha/2: the past window pairs' quantile (or a short history's bound); absent when undefined.";
    MV_DETECTED = "multivariate_drift_detected", [], Flag, "1 when the reconstruction error or the correlation distance is beyond the market's own past pairs (each at alpha/2), else 0; absent when undefined.";
    DQ_OUT_OF_RANGE = "data_quality_out_of_range_ratio", ["feature"], Ratio, "Share of the current window's rows outside the reference's [min, max], +-inf included (only with --data-quality).";
    DQ_BEYOND_QUANTILES = "data_quality_beyond_quantiles_ratio", ["feature"], Ratio, "Share of the current window's rows outside the reference's 0.1%-99.9% quantiles.";
    DQ_IMPLAUSIBLE = "data_quality_implausible_ratio", ["feature"], Ratio, "Share of the current window's rows outside the reference's range widened by its width on each side: sentinels, bad prints, unit changes.";
    DQ_BAD = "data_quality_bad_ratio", ["feature"], Ratio, "Share of the current window's rows missing or implausible: the statistic of the data-quality break call.";
    DQ_MISSING_P = "data_quality_missing_change_p_value", ["feature"], Ratio, "p-value of the change in the missing share from the reference to the current window, rows clustered by day.";
    DQ_CRITICAL = "data_quality_bad_ratio_critical", ["feature"], NonNegative, "Bad share above which the feature's data quality is broken: the worst window of the same length over the last year, half again and at least half a percentage point more; absent without enough history.";
    DQ_BROKEN = "data_quality_broken", ["feature"], Flag, "1 when the feature's bad share is beyond its critical value (worse than its last year by the margin), else 0; absent without enough history.";
    DQ_DETECTED = "data_quality_break_detected", [], Flag, "1 when some feature's data quality broke beyond its own history (the data-quality alert), else 0; absent without enough history.";
    DQ_CIRCUIT = "data_quality_circuit_breaches", [], Count, "Rows of ret_1d beyond NEPSE's +-10% circuit limit in the current window: bad prints or corporate actions.";
    DQ_SYMBOLS = "data_quality_symbols", ["change"], Count, "Symbols of the reference window absent from the whole current window (change=absent), and symbols of the current window not in the reference (change=new).";
    MISSING = "feature_missing_ratio", ["feature", "side"], Ratio, "Share of null or NaN rows of the feature, per side (reference, current).";
    SECTOR_PSI = "feature_sector_drift_psi", ["feature", "sector"], NonNegative, "PSI of the feature within one sector (only with --by sector).";
    STATISTIC = "feature_drift_statistic", ["feature", "stattest"], Any, "Value of one of Evidently's drift tests (--stattest): a p-value for ks, chisquare and z (assuming independent rows), a distance otherwise.";
    SHARE = "feature_drift_share_ratio", [], Ratio, "Share of computed features that drifted.";
    SKIPPED = "feature_drift_skipped_features", [], Count, "Features that could not be computed in this run.";
    PRED_PSI = "prediction_drift_psi", [], NonNegative, "PSI of predicted_proba, current vs reference window.";
    PRED_CRITICAL = "prediction_drift_psi_critical", [], NonNegative, "Critical PSI of predicted_proba at alpha.";
    SECTOR_MIX = "sector_mix_psi", [], NonNegative, "PSI of the sector mix (categorical), current vs reference.";
    ACCURACY = "model_accuracy", [], Ratio, "Accuracy of labelled predictions in the performance window.";
    PRECISION = "model_precision", [], Ratio, "Precision of labelled predictions (undefined, so absent, with no predicted positive).";
    RECALL = "model_recall", [], Ratio, "Recall of labelled predictions (absent with no actual positive).";
    F1 = "model_f1_score", [], Ratio, "F1 score of labelled predictions.";
    SPECIFICITY = "model_specificity", [], Ratio, "Specificity (true negative rate) of labelled predictions.";
    AUC = "model_roc_auc", [], Ratio, "ROC AUC of predicted_proba on labelled predictions (absent with one class).";
    BRIER = "model_brier_score", [], Ratio, "Brier score of predicted_proba on labelled predictions.";
    LOG_LOSS = "model_log_loss", [], NonNegative, "Log loss of predicted_proba on labelled predictions (clipped at machine epsilon).";
    ACC_SE = "model_accuracy_std_error", [], NonNegative, "Standard error of the accuracy, sqrt(a(1-a)/n).";
    BASE_RATE = "model_base_rate_ratio", [], Ratio, "Share of labelled predictions whose actual label is positive.";
    PREDICTIONS = "model_predictions", [], Count, "Predictions in the performance window.";
    LABELLED = "model_predictions_labelled", [], Count, "Predictions with an outcome observed by the as-of date.";
    PENDING = "model_predictions_pending", [], Count, "Predictions still waiting for their outcome.";
    COVERAGE = "model_label_coverage_ratio", [], Ratio, "Labelled predictions / predictions.";
    LAG_MAX = "model_label_lag_max_trading_days", [], Count, "Longest label lag in trading days (as_of to observed_at).";
    ACC_EST = "model_accuracy_estimated", [], Ratio, "Accuracy estimated by CBPE from calibrated probabilities over the current window's predictions, labelled or not.";
    ACC_EST_LO = "model_accuracy_estimated_lower", [], Ratio, "Lower end of the estimated accuracy's band (estimate - 3 standard errors, NannyML's).";
    ACC_EST_HI = "model_accuracy_estimated_upper", [], Ratio, "Upper end of the estimated accuracy's band (estimate + 3 standard errors).";
    PREC_EST = "model_precision_estimated", [], Ratio, "Precision estimated by CBPE.";
    PREC_EST_LO = "model_precision_estimated_lower", [], Ratio, "Lower end of the estimated precision's band.";
    PREC_EST_HI = "model_precision_estimated_upper", [], Ratio, "Upper end of the estimated precision's band.";
    REC_EST = "model_recall_estimated", [], Ratio, "Recall estimated by CBPE.";
    REC_EST_LO = "model_recall_estimated_lower", [], Ratio, "Lower end of the estimated recall's band.";
    REC_EST_HI = "model_recall_estimated_upper", [], Ratio, "Upper end of the estimated recall's band.";
    F1_EST = "model_f1_score_estimated", [], Ratio, "F1 score estimated by CBPE.";
    F1_EST_LO = "model_f1_score_estimated_lower", [], Ratio, "Lower end of the estimated F1 score's band.";
    F1_EST_HI = "model_f1_score_estimated_upper", [], Ratio, "Upper end of the estimated F1 score's band.";
    CONCEPT_GAP = "model_concept_drift_accuracy_gap", [], Difference, "Realized minus CBPE-estimated accuracy of the labelled predictions in the performance window.";
    CONCEPT_LOWER = "model_concept_drift_accuracy_lower", [], Ratio, "Realized accuracy below which concept drift is called: estimate - 3 x max(standard error, day-clustered standard error).";
    CONCEPT = "model_concept_drift_detected", [], Flag, "1 when the realized accuracy is below the estimate's day-clustered band (concept drift), else 0.";
    LAST_SUCCESS = "nepse_drift_last_success_timestamp_seconds", [], Seconds, "Unix time the last successful run finished computing.";
    DURATION = "nepse_drift_run_duration_seconds", [], Seconds, "Wall time of the last successful run's computation.";
    ROWS = "nepse_drift_rows_read", ["dataset"], Count, "Rows read per dataset by the last successful run.";
    DATA_LAG = "nepse_drift_data_lag_trading_days", [], Count, "Sunday-Thursday days from the current window's newest day in the features to the as-of date (or the end asked for by --to): 0 when the data is up to date.";
    AS_OF = "nepse_drift_as_of_timestamp_seconds", [], Any, "The run's as-of date, midnight Nepal time, as Unix time.";
    WINDOW_START = "nepse_drift_window_start_timestamp_seconds", ["window"], Any, "First day of each window (reference, current, performance), midnight Nepal time.";
    WINDOW_END = "nepse_drift_window_end_timestamp_seconds", ["window"], Any, "Last day of each window, midnight Nepal time.";
}

/// The gauge a failed run updates with POST (so the last good values stay visible).
pub const LAST_FAILURE: &str = "nepse_drift_last_failure_timestamp_seconds";
const LAST_FAILURE_HELP: &str = "Unix time of the last failed run.";

/// Why metrics could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetricsError {
    /// A label value (from a Parquet column name or a sector) Prometheus cannot carry.
    #[error("label {label}=`{value}` is not a usable Prometheus label value ({why})")]
    InvalidLabelValue {
        /// Label name.
        label: &'static str,
        /// The value, escaped for display.
        value: String,
        /// What is wrong.
        why: &'static str,
    },
    /// A value outside its family's [`Domain`]: a run never computes it, so it is not pushed.
    #[error("{series} is {value}, {why}")]
    Implausible {
        /// The series, `name{label="value",…}`.
        series: String,
        /// The value, printed short.
        value: String,
        /// Which bound it breaks.
        why: &'static str,
    },
    /// A series or a group twice: a run never writes one (an edited result would push whichever
    /// came last, or one group over another).
    #[error("{0}")]
    Duplicate(String),
    /// The encoder failed (a bug).
    #[error("failed to encode metrics: {0}")]
    Encode(String),
}

struct Builder {
    registry: Registry,
}

impl Builder {
    fn register(&self, vec: &GaugeVec, name: &str) -> Result<(), MetricsError> {
        match self.registry.register(Box::new(vec.clone())) {
            Ok(()) => Ok(()),
            Err(::prometheus::Error::AlreadyReg) => Err(MetricsError::Encode(format!("{name} registered twice"))),
            Err(e) => Err(MetricsError::Encode(e.to_string())),
        }
    }

    fn encode(&self) -> Result<String, MetricsError> {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .map_err(|e| MetricsError::Encode(e.to_string()))?;
        let text = String::from_utf8(buf).map_err(|e| MetricsError::Encode(e.to_string()))?;
        Ok(with_short_numbers(&text))
    }
}

/// The encoder's text with every sample value in its shortest form: the encoder prints floats
/// in plain decimal, which is 300 digits for a p-value of 1e-300. Each value (the last token
/// of a sample line; these bodies carry no timestamps) is re-printed by [`short_number`].
fn with_short_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        match line.rsplit_once(' ') {
            Some((series, value)) if !line.starts_with('#') => {
                out.push_str(series);
                out.push(' ');
                match value.parse::<f64>() {
                    Ok(x) => out.push_str(&short_number(x)),
                    Err(_) => out.push_str(value),
                }
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// The shortest text that parses back to `x` exactly: plain decimal for magnitudes in
/// [1e-4, 1e16), scientific notation (`3.614214119378407e-300`) beyond, and Prometheus'
/// spellings of the non-finite values.
#[must_use]
pub fn short_number(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_owned()
    } else if x.is_infinite() {
        if x > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else if x == 0.0 || (1e-4..1e16).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// A label value must be non-empty text without control characters other than a newline
/// (which the encoder escapes, as it does `\` and `"`).
fn check_label_value(label: &'static str, value: &str) -> Result<(), MetricsError> {
    let why = if value.is_empty() {
        Some("empty")
    } else if value.chars().any(|c| c.is_control() && c != '\n') {
        Some("contains a control character")
    } else {
        None
    };
    why.map_or(Ok(()), |why| {
        Err(MetricsError::InvalidLabelValue { label, value: value.escape_debug().to_string(), why })
    })
}

/// Unix seconds of midnight, Nepal time, of `d`.
#[must_use]
pub fn nepal_midnight(d: NaiveDate) -> f64 {
    let utc = d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp());
    (utc - i64::from(NEPAL_OFFSET_SECONDS)) as f64
}

/// One sample of a result: its family, its labels (beyond the grouping labels) and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Metric name.
    pub name: &'static str,
    /// The family's help text.
    pub help: &'static str,
    /// Label names and values, in the family's order.
    pub labels: Vec<(&'static str, String)>,
    /// The value.
    pub value: f64,
}

/// Every gauge of `result`, in the order the result holds them;
/// undefined numbers (`None` in the result) are left out, and job-health gauges are there only
/// when the result is a run's (`result.run`).
///
/// # Errors
/// [`MetricsError::InvalidLabelValue`] when a feature or sector name cannot be a label value.
pub fn samples(result: &RunResult) -> Result<Vec<Sample>, MetricsError> {
    collect(|put| {
        let d = &result.drift;
        for f in &d.features {
            feature_samples(put, f);
        }
        put(&SHARE, vec![], d.drift_share);
        if let Some(ds) = &d.dataset {
            put(&DATASET, vec![], Some(if ds.drifted { 1.0 } else { 0.0 }));
            put(&DATASET_CONFIRMED, vec![], Some(ds.confirmed.len() as f64));
            put(&DATASET_MIN_P, vec![], ds.min_p_value);
            put(&DATASET_ADJ_P, vec![], Some(ds.adjusted_p_value));
        }
        put(&SKIPPED, vec![], Some(d.skipped.len() as f64));
        if let Some(m) = &d.multivariate {
            put(&MV_ERROR, vec![], m.error);
            put(&MV_REFERENCE, vec![], m.reference_error);
            put(&MV_CRITICAL, vec![], m.critical_error);
            put(&MV_CORRELATION, vec![], m.correlation_distance);
            put(&MV_CORRELATION_CRITICAL, vec![], m.critical_correlation_distance);
            let called = m.critical_error.is_some() || m.critical_correlation_distance.is_some();
            put(&MV_DETECTED, vec![], called.then_some(if m.detected { 1.0 } else { 0.0 }));
        }
        if let Some(q) = &d.data_quality {
            quality_samples(put, q);
        }
        if let Some(p) = &d.prediction_drift {
            put(&PRED_PSI, vec![], Some(p.psi));
            put(&PRED_CRITICAL, vec![], p.critical_psi);
        }
        if let Some(m) = &d.sector_mix {
            put(&SECTOR_MIX, vec![], Some(m.psi));
        }
        for s in &d.by_sector {
            for f in &s.features {
                put(&SECTOR_PSI, vec![f.feature.clone(), s.sector.clone()], Some(f.psi));
            }
        }
        if let Some(p) = &result.performance {
            performance_samples(put, p);
        }
        if let Some(run) = &result.run {
            put(&LAST_SUCCESS, vec![], Some(run.finished_at));
            put(&DURATION, vec![], Some(run.duration_seconds));
        }
        for (dataset, rows) in &result.rows_read {
            put(&ROWS, vec![dataset.clone()], Some(*rows as f64));
        }
        put(&AS_OF, vec![], Some(nepal_midnight(result.as_of)));
        // A result saved before the lag was recorded: counted from its window's end, as then.
        let lag = result
            .data_lag_trading_days
            .unwrap_or_else(|| trading_days_between(result.windows.current.to, result.as_of));
        put(&DATA_LAG, vec![], Some(f64::from(lag)));
        let w = &result.windows;
        for (name, win) in
            [("reference", Some(&w.reference)), ("current", Some(&w.current)), ("performance", w.performance.as_ref())]
        {
            if let Some(win) = win {
                put(&WINDOW_START, vec![name.to_owned()], Some(nepal_midnight(win.from)));
                put(&WINDOW_END, vec![name.to_owned()], Some(nepal_midnight(win.to)));
            }
        }
    })
}

/// What puts a sample: its family, its label values and its value (`None`: left out).
type Put<'a> = dyn FnMut(&'static Family, Vec<String>, Option<f64>) + 'a;

/// The samples `fill` puts (family, label values, value; `None` values left out), each label
/// value checked.
fn collect(
    fill: impl FnOnce(&mut dyn FnMut(&'static Family, Vec<String>, Option<f64>)),
) -> Result<Vec<Sample>, MetricsError> {
    let mut samples: Vec<(&Family, Vec<String>, f64)> = Vec::new();
    // Undefined numbers are left out, and so is any value that is not finite: a gauge never
    // carries NaN or ±Inf (the result's types promise finite numbers; this is the last guard).
    fill(&mut |f, labels, v| {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            samples.push((f, labels, v));
        }
    });
    // Each series once: a run never puts one twice, and the encoder would keep the last.
    let mut seen = std::collections::HashSet::new();
    samples
        .into_iter()
        .map(|(fam, labels, value)| {
            let labels: Vec<(&'static str, String)> = fam.labels.iter().copied().zip(labels).collect();
            for (name, v) in &labels {
                check_label_value(name, v)?;
            }
            if let Some(why) = fam.domain.breach(value) {
                return Err(MetricsError::Implausible {
                    series: series(fam.name, &labels),
                    value: short_number(value),
                    why,
                });
            }
            if !seen.insert((fam.name, labels.clone())) {
                return Err(MetricsError::Duplicate(format!("{} appears twice", series(fam.name, &labels))));
            }
            Ok(Sample { name: fam.name, help: fam.help, labels, value })
        })
        .collect()
}

/// A series as the exposition writes it: `name{label="value",…}` (label values escaped).
fn series(name: &str, labels: &[(&'static str, String)]) -> String {
    if labels.is_empty() {
        return name.to_owned();
    }
    let escape = |v: &str| v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    let labels: Vec<String> = labels.iter().map(|(l, v)| format!("{l}=\"{}\"", escape(v))).collect();
    format!("{name}{{{}}}", labels.join(","))
}

/// Renders every gauge of `result` as exposition text.
///
/// # Errors
/// [`MetricsError::InvalidLabelValue`] when a feature or sector name cannot be a label value.
pub fn render(result: &RunResult) -> Result<String, MetricsError> {
    render_samples(samples(result)?)
}

/// One Pushgateway group of a result: the model label and its exposition text.
pub type Group = (String, String);

/// Every group a result pushes, the live model's first: the live group (drift, performance,
/// the job's health), then one per other model version with its performance. `run` pushes
/// these, `push --result` re-pushes exactly these, and a dry run prints them
/// ([`dry_run_text`]).
///
/// # Errors
/// [`MetricsError::InvalidLabelValue`] when a feature or sector name cannot be a label value.
pub fn groups(result: &RunResult) -> Result<Vec<Group>, MetricsError> {
    let mut out = vec![(result.model.clone(), render(result)?)];
    for v in &result.other_versions {
        if out.iter().any(|(model, _)| *model == v.model) {
            return Err(MetricsError::Duplicate(format!("model {:?} has two groups", v.model)));
        }
        // A value refused in another version's group names that group.
        let samples = version_samples(result, v).map_err(|e| match e {
            MetricsError::Implausible { series, value, why } => {
                MetricsError::Implausible { series: format!("{series} of model {:?}", v.model), value, why }
            }
            other => other,
        })?;
        out.push((v.model.clone(), render_samples(samples)?));
    }
    Ok(out)
}

/// The groups as one text, for a dry run: the live group, then each other one after a comment
/// naming its model version.
#[must_use]
pub fn dry_run_text(groups: &[Group]) -> String {
    let mut text = String::new();
    for (i, (model, body)) in groups.iter().enumerate() {
        if i > 0 {
            let _ = writeln!(text, "# the group of model version {model:?}, pushed beside the live one");
        }
        text.push_str(body);
    }
    text
}

/// The gauges of one version's performance: realized, estimated and concept drift.
fn performance_samples(put: &mut Put<'_>, p: &PerformanceReport) {
    let g = &p.overall;
    let m = &g.metrics;
    for (fam, v) in [
        (&ACCURACY, m.accuracy),
        (&PRECISION, m.precision),
        (&RECALL, m.recall),
        (&F1, m.f1),
        (&SPECIFICITY, m.specificity),
        (&AUC, m.roc_auc),
        (&BRIER, m.brier),
        (&LOG_LOSS, m.log_loss),
        (&ACC_SE, m.accuracy_std_error),
        (&BASE_RATE, m.base_rate),
        (&PREDICTIONS, Some(g.predictions as f64)),
        (&LABELLED, Some(g.labelled as f64)),
        (&PENDING, Some(g.pending as f64)),
        (&COVERAGE, g.label_coverage),
        (&LAG_MAX, g.label_lag_max_days.map(f64::from)),
    ] {
        put(fam, vec![], v);
    }
    if let Some(e) = &p.estimated {
        let (m, lo, hi) = (&e.metrics, &e.lower, &e.upper);
        for (fam, v) in [
            (&ACC_EST, m.accuracy),
            (&ACC_EST_LO, lo.accuracy),
            (&ACC_EST_HI, hi.accuracy),
            (&PREC_EST, m.precision),
            (&PREC_EST_LO, lo.precision),
            (&PREC_EST_HI, hi.precision),
            (&REC_EST, m.recall),
            (&REC_EST_LO, lo.recall),
            (&REC_EST_HI, hi.recall),
            (&F1_EST, m.f1),
            (&F1_EST_LO, lo.f1),
            (&F1_EST_HI, hi.f1),
        ] {
            put(fam, vec![], v);
        }
    }
    if let Some(c) = &p.concept_drift {
        put(&CONCEPT_GAP, vec![], c.gap);
        put(&CONCEPT_LOWER, vec![], c.lower_days);
        put(&CONCEPT, vec![], Some(if c.detected { 1.0 } else { 0.0 }));
    }
}

/// The gauges of a version that is not the live one: its performance and the as-of date,
/// pushed to its own group (`model` = the version).
///
/// # Errors
/// As [`samples`].
pub fn version_samples(result: &RunResult, v: &VersionPerformance) -> Result<Vec<Sample>, MetricsError> {
    collect(|put| {
        performance_samples(put, &v.performance);
        put(&AS_OF, vec![], Some(nepal_midnight(result.as_of)));
    })
}

/// Renders samples as exposition text.
///
/// # Errors
/// [`MetricsError::Encode`] on an encoder failure (a bug).
pub fn render_samples(samples: Vec<Sample>) -> Result<String, MetricsError> {
    let builder = Builder { registry: Registry::new() };
    let mut registered: std::collections::BTreeMap<&str, GaugeVec> = std::collections::BTreeMap::new();
    for sample in samples {
        if !registered.contains_key(sample.name) {
            let names: Vec<&str> = sample.labels.iter().map(|(n, _)| *n).collect();
            let vec = GaugeVec::new(Opts::new(sample.name, sample.help), &names)
                .map_err(|e| MetricsError::Encode(e.to_string()))?;
            builder.register(&vec, sample.name)?;
            registered.insert(sample.name, vec);
        }
        let refs: Vec<&str> = sample.labels.iter().map(|(_, v)| v.as_str()).collect();
        registered[sample.name].with_label_values(&refs).set(sample.value);
    }
    builder.encode()
}

fn feature_samples(put: &mut Put<'_>, f: &FeatureDrift) {
    let name = || vec![f.feature.clone()];
    put(&PSI, name(), Some(f.psi));
    put(&PSI_CRITICAL, name(), f.critical_psi);
    put(&PSI_EXPECTED, name(), f.expected_psi);
    put(&WITHIN_PSI, name(), f.within_day.map(|w| w.psi));
    put(&WITHIN_CRITICAL, name(), f.within_day.map(|w| w.critical_psi));
    let side = |s: &str| vec![f.feature.clone(), s.to_owned()];
    put(&EFFECTIVE_ROWS, side("reference"), f.effective_reference_rows);
    put(&EFFECTIVE_ROWS, side("current"), f.effective_current_rows);
    put(&DESIGN_EFFECT, side("reference"), f.design_effect.map(|d| d.reference));
    put(&DESIGN_EFFECT, side("current"), f.design_effect.map(|d| d.current));
    put(&P_VALUE, name(), f.p_value);
    put(&DETECTED, name(), Some(if f.drifted { 1.0 } else { 0.0 }));
    put(&SHIFTED, name(), Some(if f.shifted { 1.0 } else { 0.0 }));
    put(&SHIFT_CRITICAL, name(), f.shift_critical_psi);
    put(&SHIFT_P_VALUE, name(), f.shift_p_value);
    put(&MISSING, vec![f.feature.clone(), "reference".into()], Some(f.reference_missing_ratio));
    put(&MISSING, vec![f.feature.clone(), "current".into()], Some(f.current_missing_ratio));
    for (test, s) in &f.statistics {
        put(&STATISTIC, vec![f.feature.clone(), test.clone()], s.value);
    }
}

fn quality_samples(put: &mut Put<'_>, q: &crate::result::DataQuality) {
    let called = q.features.iter().any(|f| f.critical_bad_share.is_some());
    let flag = |b: bool| Some(if b { 1.0 } else { 0.0 });
    for f in &q.features {
        let name = || vec![f.feature.clone()];
        put(&DQ_OUT_OF_RANGE, name(), f.out_of_range_share);
        put(&DQ_BEYOND_QUANTILES, name(), f.beyond_quantiles_share);
        put(&DQ_IMPLAUSIBLE, name(), f.implausible_share);
        put(&DQ_BAD, name(), f.bad_share);
        put(&DQ_MISSING_P, name(), f.missing_change_p_value);
        put(&DQ_CRITICAL, name(), f.critical_bad_share);
        put(&DQ_BROKEN, name(), f.critical_bad_share.and_then(|_| flag(f.broken)));
    }
    put(&DQ_DETECTED, vec![], if called { flag(q.detected) } else { None });
    put(&DQ_CIRCUIT, vec![], q.circuit.as_ref().map(|c| c.count as f64));
    put(&DQ_SYMBOLS, vec!["absent".into()], Some(q.symbols.absent.len() as f64));
    put(&DQ_SYMBOLS, vec!["new".into()], Some(q.symbols.new.len() as f64));
}

/// The body `POST`ed after a failed run: only the failure timestamp.
///
/// # Errors
/// [`MetricsError::Encode`] on an encoder failure (a bug).
pub fn failure(now_unix: f64) -> Result<String, MetricsError> {
    let vec = GaugeVec::new(Opts::new(LAST_FAILURE, LAST_FAILURE_HELP), &[])
        .map_err(|e| MetricsError::Encode(e.to_string()))?;
    vec.with_label_values(&[] as &[&str]).set(now_unix);
    let registry = Registry::new();
    registry.register(Box::new(vec)).map_err(|e| MetricsError::Encode(e.to_string()))?;
    Builder { registry }.encode()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_domain_refuses_what_no_run_computes() {
        use Domain::{Any, Count, Difference, Flag, NonNegative, Ratio, Seconds};
        for (domain, ok, bad) in [
            (Ratio, &[0.0, 1.0, 0.5, 1.0 + 1e-12, -1e-12][..], &[1.01, -0.01, 7.0][..]),
            (NonNegative, &[0.0, 3.5, 1e9][..], &[-1e-9, -0.2][..]),
            (Difference, &[-1.0, 0.0, 0.3, 1.0][..], &[-1.5, 1e308][..]),
            (Seconds, &[0.0, 1.8e9, 0.25][..], &[-1.0, 1e300][..]),
            (Flag, &[0.0, 1.0][..], &[0.5, 2.0, -1.0][..]),
            (Count, &[0.0, 3.0, 1e12][..], &[-1.0, 2.5][..]),
            (Any, &[-1e9, 0.0, 7.0][..], &[][..]),
        ] {
            for v in ok {
                assert_eq!(domain.breach(*v), None, "{domain:?} {v}");
            }
            for v in bad {
                assert!(domain.breach(*v).is_some(), "{domain:?} {v}");
            }
        }
    }

    #[test]
    fn an_implausible_value_names_its_series_and_is_not_rendered() {
        let got = collect(|put| {
            put(&PSI, vec!["ret_1d".into()], Some(0.1));
            put(&P_VALUE, vec!["a\"b".into()], Some(7.0));
        });
        assert_eq!(
            got,
            Err(MetricsError::Implausible {
                series: r#"feature_drift_p_value{feature="a\"b"}"#.into(),
                value: "7".into(),
                why: "outside [0, 1]"
            })
        );
        // Undefined and non-finite values are left out before the check, as before.
        assert_eq!(collect(|put| put(&P_VALUE, vec!["x".into()], Some(f64::NAN))).map(|s| s.len()), Ok(0));
    }

    #[test]
    fn label_values_are_checked() {
        assert!(check_label_value("feature", "rsi_14").is_ok());
        assert!(check_label_value("feature", "a\"b\\c\nd").is_ok());
        assert!(check_label_value("feature", "").is_err());
        assert!(check_label_value("feature", "bad\u{0}name").is_err());
    }

    #[test]
    fn nepal_midnight_is_18_15_utc_the_day_before() {
        let d: NaiveDate = "2026-11-20".parse().unwrap();
        // 2026-11-19T18:15:00Z
        assert_eq!(nepal_midnight(d), 1_795_112_100.0); // `date -u -d 2026-11-19T18:15:00Z +%s`
    }

    #[test]
    fn sample_values_are_printed_short() {
        let text = "# HELP p help\n# TYPE p gauge\np{feature=\"a b\"} 0.0000000000000000000000000000000000000000036142141193784\nq 12\nr 1e300\n";
        assert_eq!(
            with_short_numbers(text),
            "# HELP p help\n# TYPE p gauge\np{feature=\"a b\"} 3.6142141193784e-42\nq 12\nr 1e300\n"
        );
        assert_eq!(short_number(3.614_214_119_378_407e-300), "3.614214119378407e-300");
        assert_eq!(short_number(0.25), "0.25");
        assert_eq!(short_number(1_795_112_100.0), "1795112100");
        assert_eq!(short_number(-0.0), "-0");
        assert_eq!(short_number(f64::NEG_INFINITY), "-Inf");
    }

    proptest::proptest! {
        #[test]
        fn short_numbers_read_back_exactly(bits in proptest::num::u64::ANY) {
            let x = f64::from_bits(bits);
            let text = short_number(x);
            proptest::prop_assert!(text.len() <= 24, "{}", text);
            let back: f64 = match text.as_str() {
                "+Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                t => t.parse().unwrap(),
            };
            proptest::prop_assert!(back.to_bits() == x.to_bits() || (x.is_nan() && back.is_nan()));
        }
    }

    #[test]
    fn failure_body_has_only_the_failure_gauge() {
        let body = failure(1_700_000_000.0).unwrap();
        assert!(body.contains("# TYPE nepse_drift_last_failure_timestamp_seconds gauge"));
        assert!(body.contains("nepse_drift_last_failure_timestamp_seconds 1700000000"));
        assert_eq!(body.lines().filter(|l| !l.starts_with('#')).count(), 1);
    }
}
