//! The model's side: prediction drift and performance on delayed ground truth.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use super::context::{Context, empty, window_info};
use super::error::AnalysisError;
use super::estimate::Estimators;
use crate::calendar::DateRange;
use crate::drift::{
    Column, DayCounter, FeatureProfile, PanelWindows, ProfileBins, compare, feature_drift, with_panel_significance,
};
use crate::load::Scan;
use crate::load::date_to_days;
use crate::options::{BinningMode, SignificanceTest};
use crate::performance::{self, EvalOptions, validate_outcomes, validate_predictions};
use crate::result::{
    DriftReport, EstimatedBand, FeatureDrift, PerformanceGroup, PerformanceReport, Span, VersionPerformance, WindowInfo,
};
use crate::rows::{Outcome, Prediction};
use crate::settings::DEFAULT_MODEL;
use crate::windows::{self, Window};

/// The model's results of one run.
pub(super) struct Graded {
    /// The model label: configured, else the live version, else `default`.
    pub(super) model: String,
    /// The live version: the predictions' version on their last day in the current window.
    pub(super) live: Option<String>,
    /// Performance of the live version, when outcomes were given.
    pub(super) report: Option<PerformanceReport>,
    /// Every version with predictions in the performance window.
    pub(super) versions: Vec<String>,
    /// The performance of the other versions.
    pub(super) others: Vec<VersionPerformance>,
    /// The graded window.
    pub(super) window: Option<WindowInfo>,
    /// Rows read from the predictions and outcomes.
    pub(super) rows_read: BTreeMap<String, u64>,
}

/// The opened predictions (with their reference-window rows) and outcomes, and the sector of
/// each symbol when grading by sector: opened once per run, shared by the run and its trend.
pub(super) struct Grader {
    scan: Scan,
    /// The predictions' trading days, read once (every row dated, or refused).
    days: Vec<chrono::NaiveDate>,
    reference: Vec<Prediction>,
    /// Every prediction up to the reference window's end: the pooled days of the panel test.
    pooled: Vec<Prediction>,
    outcomes: Option<Scan>,
    /// One CBPE estimator per version, when outcomes were given.
    estimators: Option<Estimators>,
    sectors: HashMap<String, String>,
}

/// One version's rows of a run.
struct VersionRows<'a> {
    version: &'a str,
    /// Its predictions of the performance window.
    preds: &'a [Prediction],
    /// The outcomes of the performance window.
    outcomes: &'a [Outcome],
    /// Its predictions of the estimation window.
    estimated: &'a [&'a Prediction],
    /// The estimation window.
    window: Span,
}

/// A trend step's prediction PSI, and the live version's performance and estimate.
pub(super) type GradedStep = (Option<f64>, Option<PerformanceGroup>, Option<EstimatedBand>);

/// The version live on the last day of `predictions`: the one version predicting that day, or
/// the greatest name when several do (a shadow deployment).
fn live_version(predictions: &[Prediction]) -> Option<String> {
    let last = predictions.iter().map(|p| p.as_of).max()?;
    predictions.iter().filter(|p| p.as_of == last).map(|p| p.model_version.as_str()).max().map(str::to_owned)
}

impl Context<'_> {
    fn eval_options(&self) -> EvalOptions {
        let s = self.settings;
        EvalOptions { positive_label: s.positive_label, threshold: s.threshold, cutoff: s.as_of, by: s.by }
    }

    /// Opens the predictions, when given, and fits the estimators.
    pub(super) fn grader(&self) -> Result<Option<Grader>, AnalysisError> {
        let s = self.settings;
        let Some(path) = &s.sources.predictions else { return Ok(None) };
        let scan = self.sources.open(path, &s.columns.date)?;
        // As the features: a prediction or outcome without its day belongs to no window, and
        // refusing it is the one rule (it was skipped where a window was read, kept elsewhere).
        let days = scan.dates()?;
        let reference_range = self.reference.range();
        let first = self.days.first().copied().unwrap_or(reference_range.from()).min(reference_range.from());
        let pool = DateRange::new(first, reference_range.to()).unwrap_or(reference_range);
        let pooled = scan.predictions(&s.columns, Some(pool))?;
        // The reference's probabilities are binned too: a 7.0 there would make every PSI 0.
        validate_predictions(&pooled).map_err(|error| AnalysisError::Rows { path: path.clone(), error })?;
        let reference: Vec<Prediction> = pooled.iter().filter(|p| reference_range.contains(p.as_of)).cloned().collect();
        let outcomes = s.sources.outcomes.as_deref().map(|o| self.sources.open(o, &s.columns.date)).transpose()?;
        if let Some(o) = &outcomes {
            o.dates()?;
        }
        let estimators = match &outcomes {
            Some(o) => Some(self.estimators(&scan, &reference, o, &self.eval_options())?),
            None => None,
        };
        let sectors = if s.by == performance::GroupBy::Sector && outcomes.is_some() {
            self.current_scan.sectors(&s.columns, None)?
        } else {
            HashMap::new()
        };
        Ok(Some(Grader { scan, days, reference, pooled, outcomes, estimators, sectors }))
    }

    /// Prediction drift (into `drift`) and performance over the performance window, per model
    /// version.
    pub(super) fn grade(&self, predictions: Option<&Grader>, drift: &mut DriftReport) -> Result<Graded, AnalysisError> {
        let s = self.settings;
        let mut graded = Graded {
            model: s.model.clone().unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
            live: None,
            report: None,
            versions: Vec::new(),
            others: Vec::new(),
            window: None,
            rows_read: BTreeMap::new(),
        };
        let Some(opened) = predictions else { return Ok(graded) };
        let path = opened.scan.path().to_owned();
        let current = opened.scan.predictions(&s.columns, Some(self.current.range))?;
        validate_predictions(&current).map_err(|error| AnalysisError::Rows { path: path.clone(), error })?;
        drift.prediction_drift = self.prediction_drift(opened, &current, self.current.days.len());
        graded.live = live_version(&current);
        if let (Some(live), None) = (&graded.live, &s.model) {
            live.clone_into(&mut graded.model);
        }
        graded.rows_read.insert("predictions".to_owned(), current.len() as u64);
        if let (Some(outcomes), Some(estimators)) = (&opened.outcomes, &opened.estimators) {
            let window = self.performance_window(opened)?;
            let read;
            let graded_preds = if window == self.current {
                &current
            } else {
                read = opened.scan.predictions(&s.columns, Some(window.range))?;
                &read
            };
            if graded_preds.is_empty() {
                return Err(AnalysisError::NoPredictions {
                    path: path.clone(),
                    from: window.range.from().to_string(),
                    to: window.range.to().to_string(),
                });
            }
            validate_predictions(graded_preds).map_err(|error| AnalysisError::Rows { path: path.clone(), error })?;
            let rows = outcomes.outcomes(&s.columns, Some(window.range))?;
            validate_outcomes(&rows)
                .map_err(|error| AnalysisError::Rows { path: outcomes.path().to_owned(), error })?;
            let live = graded.live.clone().unwrap_or_default();
            let (report, others, versions) =
                self.grade_versions(opened, estimators, &live, graded_preds, &rows, &current);
            (graded.report, graded.others, graded.versions) = (report, others, versions);
            let preds = graded_preds.len() as u64;
            graded.rows_read.insert("predictions".to_owned(), preds);
            graded.rows_read.insert("outcomes".to_owned(), rows.len() as u64);
            graded.window = Some(window_info(&window, preds, &path));
        }
        Ok(graded)
    }

    /// Each version's performance in the window: the live one's report, the others', and
    /// every version's name. `graded_preds` are the performance window's predictions, `rows` its
    /// outcomes, `current` the estimation (current) window's predictions.
    fn grade_versions(
        &self,
        opened: &Grader,
        estimators: &Estimators,
        live: &str,
        graded_preds: &[Prediction],
        rows: &[Outcome],
        current: &[Prediction],
    ) -> (Option<PerformanceReport>, Vec<VersionPerformance>, Vec<String>) {
        let (mut report_of_live, mut others) = (None, Vec::new());
        // One version (the usual case) is graded in place; several are split into copies.
        let mut by_version: BTreeMap<&str, Cow<'_, [Prediction]>> = BTreeMap::new();
        match graded_preds.first() {
            Some(first) if graded_preds.iter().all(|p| p.model_version == first.model_version) => {
                by_version.insert(first.model_version.as_str(), Cow::Borrowed(graded_preds));
            }
            _ => {
                for p in graded_preds {
                    by_version.entry(p.model_version.as_str()).or_default().to_mut().push(p.clone());
                }
            }
        }
        // An outcome of another version's prediction is matched, not unmatched: counted once
        // over every version's predictions.
        let unmatched = if by_version.len() > 1 {
            performance::evaluate(graded_preds, rows, &HashMap::new(), &self.days, &self.eval_options())
                .unmatched_outcomes
        } else {
            0
        };
        let estimation_window = Span { from: self.current.range.from(), to: self.current.range.to() };
        for (version, preds) in &by_version {
            let estimated_rows: Vec<&Prediction> = current.iter().filter(|p| p.model_version == *version).collect();
            let version_rows =
                VersionRows { version, preds, outcomes: rows, estimated: &estimated_rows, window: estimation_window };
            let mut report = self.grade_version(opened, estimators, &version_rows);
            if by_version.len() > 1 {
                report.unmatched_outcomes = unmatched;
            }
            if *version == live {
                report_of_live = Some(report);
            } else {
                others.push(VersionPerformance { model: (*version).to_owned(), performance: report });
            }
        }
        let versions = by_version.keys().map(|v| (*v).to_owned()).collect();
        (report_of_live, others, versions)
    }

    /// One version's realized performance over `preds` (its rows of the performance window),
    /// its estimate over `estimated` (its rows of the estimation window) and its concept drift.
    fn grade_version(&self, g: &Grader, estimators: &Estimators, rows: &VersionRows<'_>) -> PerformanceReport {
        let options = self.eval_options();
        let mut report = performance::evaluate(rows.preds, rows.outcomes, &g.sectors, &self.days, &options);
        let labelled = performance::labelled(rows.preds, rows.outcomes, &options);
        report.concept_drift = estimators.concept_drift(rows.version, &labelled, &options);
        report.estimated = Some(estimators.estimate(rows.version, rows.estimated, rows.window, &options));
        report
    }

    /// Prediction PSI, and the live version's performance and estimate, of one trend step.
    pub(super) fn grade_step(
        &self,
        g: &Grader,
        live: Option<&str>,
        window: &Window,
    ) -> Result<GradedStep, AnalysisError> {
        let s = self.settings;
        let current = g.scan.predictions(&s.columns, Some(window.range))?;
        let psi = self.prediction_drift(g, &current, window.days.len()).map(|d| d.psi);
        let live_rows: Vec<Prediction> =
            current.into_iter().filter(|p| live.is_none_or(|v| p.model_version == v)).collect();
        let (Some(o), Some(estimators), Some(version)) = (&g.outcomes, &g.estimators, live) else {
            return Ok((psi, None, None));
        };
        if live_rows.is_empty() {
            return Ok((psi, None, None));
        }
        let options = self.eval_options();
        let rows = o.outcomes(&s.columns, Some(window.range))?;
        validate_outcomes(&rows).map_err(|error| AnalysisError::Rows { path: o.path().to_owned(), error })?;
        let perf = performance::evaluate(&live_rows, &rows, &HashMap::new(), &self.days, &options).overall;
        let refs: Vec<&Prediction> = live_rows.iter().collect();
        Ok((psi, Some(perf), estimators.band(version, &refs, &options)))
    }

    /// The predictions graded: the current window, or the last `performance_days` prediction
    /// days up to the as-of date.
    fn performance_window(&self, preds: &Grader) -> Result<Window, AnalysisError> {
        windows::performance(self.settings.performance_days, self.settings.as_of, &self.current, &preds.days)
            .map_err(|e| empty(preds.scan.path(), e))
    }
}

impl Context<'_> {
    /// PSI of `predicted_proba`, current vs reference window, like any numeric feature: with the
    /// panel test, its per-day counts over the pooled predictions (quantile mode).
    fn prediction_drift(&self, g: &Grader, current: &[Prediction], current_days: usize) -> Option<FeatureDrift> {
        if g.reference.is_empty() || current.is_empty() {
            return None;
        }
        let name = &self.settings.columns.predicted_proba;
        let r = Column::Numeric(g.reference.iter().map(|p| p.proba).collect());
        let c = Column::Numeric(current.iter().map(|p| p.proba).collect());
        if self.psi.mode == BinningMode::Evidently || self.psi.significance == SignificanceTest::Iid {
            return feature_drift(name, r, &c, &self.psi).ok();
        }
        let Column::Numeric(values) = r else { return None };
        let mut profile = FeatureProfile::fit_numeric(name, &values, self.psi.bins).ok()?;
        if let ProfileBins::Numeric { edges, .. } = &profile.bins {
            // The counter's table of days takes rows in any order.
            let mut counter = DayCounter::new(edges);
            let probas: Vec<f64> = g.pooled.iter().map(|p| p.proba).collect();
            let days: Vec<i32> = g.pooled.iter().map(|p| date_to_days(p.as_of)).collect();
            counter.add(&probas, &days);
            profile.daily = Some(counter.finish());
        }
        let drift = compare(&profile, &c, &self.psi).ok()?;
        let windows =
            PanelWindows { daily: profile.daily.as_ref(), reference_days: self.reference.days(), current_days };
        Some(with_panel_significance(drift, &windows, &self.psi))
    }
}
