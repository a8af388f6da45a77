//! The model's side: prediction drift and performance on delayed ground truth.

use std::collections::{BTreeMap, HashMap};

use super::context::{Context, empty, window_info};
use super::error::AnalysisError;
use crate::calendar::DateRange;
use crate::drift::{
    BinningMode, Column, DayCounter, FeatureProfile, PanelWindows, ProfileBins, SignificanceTest, compare,
    feature_drift, with_panel_significance,
};
use crate::load::Scan;
use crate::load::date_to_days;
use crate::performance::{self, EvalOptions, validate_outcomes, validate_predictions};
use crate::result::{DriftReport, FeatureDrift, PerformanceGroup, PerformanceReport, WindowInfo};
use crate::rows::Prediction;
use crate::settings::DEFAULT_MODEL;
use crate::windows::{self, Window};

/// The model's results of one run.
pub(super) struct Graded {
    /// The model label: configured, else the predictions' single version, else `default`.
    pub(super) model: String,
    /// Performance, when outcomes were given.
    pub(super) report: Option<PerformanceReport>,
    /// The graded window.
    pub(super) window: Option<WindowInfo>,
    /// Rows read from the predictions and outcomes.
    pub(super) rows_read: BTreeMap<String, u64>,
}

/// The opened predictions (with their reference-window rows) and outcomes, and the sector of
/// each symbol when grading by sector: opened once per run, shared by the run and its trend.
pub(super) struct Grader {
    scan: Scan,
    reference: Vec<Prediction>,
    /// Every prediction up to the reference window's end: the pooled days of the panel test.
    pooled: Vec<Prediction>,
    outcomes: Option<Scan>,
    sectors: HashMap<String, String>,
}

impl Context<'_> {
    /// Opens the predictions, when given.
    pub(super) fn grader(&self) -> Result<Option<Grader>, AnalysisError> {
        let s = self.settings;
        let Some(path) = &s.sources.predictions else { return Ok(None) };
        let scan = self.sources.open(path, &s.columns.date)?;
        let reference_range = self.reference.range();
        let first = self.days.first().copied().unwrap_or(reference_range.from()).min(reference_range.from());
        let pool = DateRange::new(first, reference_range.to()).unwrap_or(reference_range);
        let pooled = scan.predictions(&s.columns, Some(pool))?;
        // The reference's probabilities are binned too: a 7.0 there would make every PSI 0.
        validate_predictions(&pooled).map_err(|error| AnalysisError::Rows { path: path.clone(), error })?;
        let reference: Vec<Prediction> = pooled.iter().filter(|p| reference_range.contains(p.as_of)).cloned().collect();
        let outcomes = s.sources.outcomes.as_deref().map(|o| self.sources.open(o, &s.columns.date)).transpose()?;
        let sectors = if s.by == performance::GroupBy::Sector && outcomes.is_some() {
            self.current_scan.sectors(&s.columns, None)?
        } else {
            HashMap::new()
        };
        Ok(Some(Grader { scan, reference, pooled, outcomes, sectors }))
    }

    /// Prediction drift (into `drift`) and performance over the performance window.
    pub(super) fn grade(&self, predictions: Option<&Grader>, drift: &mut DriftReport) -> Result<Graded, AnalysisError> {
        let s = self.settings;
        let mut graded = Graded {
            model: s.model.clone().unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
            report: None,
            window: None,
            rows_read: BTreeMap::new(),
        };
        let Some(opened) = predictions else { return Ok(graded) };
        let path = opened.scan.path().to_owned();
        let current = opened.scan.predictions(&s.columns, Some(self.current.range))?;
        validate_predictions(&current).map_err(|error| AnalysisError::Rows { path: path.clone(), error })?;
        drift.prediction_drift = self.prediction_drift(opened, &current, self.current.days.len());
        let mut versions: Vec<&str> = current.iter().map(|p| p.model_version.as_str()).collect();
        versions.sort_unstable();
        versions.dedup();
        if let ([only], None) = (versions.as_slice(), &s.model) {
            (*only).clone_into(&mut graded.model);
        }
        graded.rows_read.insert("predictions".to_owned(), current.len() as u64);
        if let Some(outcomes) = &opened.outcomes {
            let window = self.performance_window(&opened.scan)?;
            let graded_preds = if window == self.current {
                current
            } else {
                opened.scan.predictions(&s.columns, Some(window.range))?
            };
            let (report, outs) = self.performance(opened, outcomes, &graded_preds, &window)?;
            let preds = graded_preds.len() as u64;
            graded.rows_read.insert("predictions".to_owned(), preds);
            graded.rows_read.insert("outcomes".to_owned(), outs);
            graded.window = Some(window_info(&window, preds, &path));
            graded.report = Some(report);
        }
        Ok(graded)
    }

    /// Prediction PSI and overall performance of one trend step.
    pub(super) fn grade_step(
        &self,
        g: &Grader,
        window: &Window,
    ) -> Result<(Option<f64>, Option<PerformanceGroup>), AnalysisError> {
        let s = self.settings;
        let current = g.scan.predictions(&s.columns, Some(window.range))?;
        let psi = self.prediction_drift(g, &current, window.days.len()).map(|d| d.psi);
        let perf = match &g.outcomes {
            Some(o) if !current.is_empty() => Some(self.performance(g, o, &current, window)?.0.overall),
            _ => None,
        };
        Ok((psi, perf))
    }

    /// The predictions graded: the current window, or the last `performance_days` prediction
    /// days up to the as-of date.
    fn performance_window(&self, preds: &Scan) -> Result<Window, AnalysisError> {
        let days = match self.settings.performance_days {
            Some(_) => preds.dates()?,
            None => Vec::new(),
        };
        windows::performance(self.settings.performance_days, self.settings.as_of, &self.current, &days)
            .map_err(|e| empty(preds.path(), e))
    }

    /// Grades `predictions` (the rows of `window`) against the outcomes; returns the report and
    /// the outcome rows read.
    fn performance(
        &self,
        g: &Grader,
        outcomes: &Scan,
        predictions: &[Prediction],
        window: &Window,
    ) -> Result<(PerformanceReport, u64), AnalysisError> {
        let s = self.settings;
        if predictions.is_empty() {
            return Err(AnalysisError::NoPredictions {
                path: g.scan.path().to_owned(),
                from: window.range.from().to_string(),
                to: window.range.to().to_string(),
            });
        }
        validate_predictions(predictions)
            .map_err(|error| AnalysisError::Rows { path: g.scan.path().to_owned(), error })?;
        let rows = outcomes.outcomes(&s.columns, Some(window.range))?;
        validate_outcomes(&rows).map_err(|error| AnalysisError::Rows { path: outcomes.path().to_owned(), error })?;
        let options =
            EvalOptions { positive_label: s.positive_label, threshold: s.threshold, cutoff: s.as_of, by: s.by };
        let report = performance::evaluate(predictions, &rows, &g.sectors, &self.days, &options);
        Ok((report, rows.len() as u64))
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
        let Column::Numeric(mut values) = r else { return None };
        let mut profile = FeatureProfile::fit_numeric(name, &mut values, self.psi.bins).ok()?;
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
