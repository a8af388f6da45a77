//! Performance before the labels land: one CBPE estimator per model version, fitted on that
//! version's labelled predictions of the calibration window (default: the reference window's
//! dates; outcomes known by the as-of date), and applied to its predictions of the estimation
//! window (the current window). The math is in [`crate::performance::cbpe`].

use std::collections::BTreeMap;

use super::context::Context;
use super::error::AnalysisError;
use crate::calendar::DateRange;
use crate::load::{Scan, date_to_days};
use crate::performance::cbpe::{self, SamplingComponents};
use crate::performance::isotonic::{self, Calibration};
use crate::performance::{
    EvalOptions, Labelled, labelled, positive_score, predicts_positive, validate_outcomes, validate_predictions,
};
use crate::result::{CalibrationWindow, ConceptDrift, EstimatedBand, EstimatedMetrics, EstimatedPerformance, Span};
use crate::rows::Prediction;

/// One version's estimator, or why it has none.
pub(super) struct Estimator {
    /// Labelled predictions of the version in the calibration window.
    labelled: u64,
    fitted: Result<Fitted, String>,
}

struct Fitted {
    calibration: Calibration,
    components: SamplingComponents,
    /// The day-clustered standard error of the calibration window's own mean residual: how far
    /// the calibration's level can be off when it was fitted on few market days.
    calibration_std_error_days: Option<f64>,
}

/// The estimators of every version with predictions in the calibration window.
pub(super) struct Estimators {
    range: DateRange,
    by_version: BTreeMap<String, Estimator>,
}

impl Context<'_> {
    /// The calibration window: configured, else the reference window's dates.
    fn calibration_range(&self) -> DateRange {
        self.settings.calibration.unwrap_or_else(|| self.reference.range())
    }

    /// Fits one estimator per version on the calibration window. `reference` holds the
    /// predictions of the reference window, reused when the calibration window is that one.
    pub(super) fn estimators(
        &self,
        scan: &Scan,
        reference: &[Prediction],
        outcomes: &Scan,
        options: &EvalOptions,
    ) -> Result<Estimators, AnalysisError> {
        let range = self.calibration_range();
        let read;
        let predictions = if range == self.reference.range() {
            reference
        } else {
            read = scan.predictions(&self.settings.columns, Some(range))?;
            validate_predictions(&read).map_err(|error| AnalysisError::Rows { path: scan.path().to_owned(), error })?;
            &read
        };
        let outcome_rows = outcomes.outcomes(&self.settings.columns, Some(range))?;
        validate_outcomes(&outcome_rows)
            .map_err(|error| AnalysisError::Rows { path: outcomes.path().to_owned(), error })?;
        let mut rows: BTreeMap<String, (Vec<Labelled>, Vec<i32>)> = BTreeMap::new();
        for p in predictions {
            rows.entry(p.model_version.clone()).or_default();
        }
        for (p, l) in labelled(predictions, &outcome_rows, options) {
            let (ls, days) = rows.entry(p.model_version.clone()).or_default();
            ls.push(l);
            days.push(date_to_days(p.as_of));
        }
        let by_version = rows
            .into_iter()
            .map(|(version, (rows, days))| {
                let fitted = match isotonic::decide(&rows) {
                    Some(calibration) => {
                        let residuals: Vec<(i32, f64, bool, bool)> = rows
                            .iter()
                            .zip(&days)
                            .map(|(l, d)| (*d, calibration.apply(l.score), l.predicted_positive, l.actual_positive))
                            .collect();
                        let calibration_std_error_days = cbpe::gap(&residuals).and_then(|g| g.std_error_days);
                        let components = SamplingComponents::fit(&rows);
                        Ok(Fitted { calibration, components, calibration_std_error_days })
                    }
                    None if rows.is_empty() => Err(format!(
                        "undefined: no prediction of {version} in the calibration window {} to {} has an outcome known by the as-of date",
                        range.from(),
                        range.to()
                    )),
                    None => Err(format!(
                        "undefined: the {} labelled predictions of {version} in the calibration window {} to {} hold one class only",
                        rows.len(),
                        range.from(),
                        range.to()
                    )),
                };
                (version, Estimator { labelled: rows.len() as u64, fitted })
            })
            .collect();
        Ok(Estimators { range, by_version })
    }
}

impl Estimators {
    fn get(&self, version: &str) -> (u64, Result<&Fitted, String>) {
        match self.by_version.get(version) {
            Some(e) => (e.labelled, e.fitted.as_ref().map_err(Clone::clone)),
            None => (
                0,
                Err(format!(
                    "undefined: {version} has no prediction in the calibration window {} to {}",
                    self.range.from(),
                    self.range.to()
                )),
            ),
        }
    }

    /// The estimate for `version` over `rows` (its predictions of the estimation window);
    /// `window` is that window, narrowed to the days the version predicted on.
    pub(super) fn estimate(
        &self,
        version: &str,
        rows: &[&Prediction],
        window: Span,
        options: &EvalOptions,
    ) -> EstimatedPerformance {
        let (labelled, fitted) = self.get(version);
        let window = match (rows.iter().map(|p| p.as_of).min(), rows.iter().map(|p| p.as_of).max()) {
            (Some(from), Some(to)) => Span { from, to },
            _ => window,
        };
        let calibration_window = CalibrationWindow { from: self.range.from(), to: self.range.to(), labelled };
        let (calibrated, note, band) = match fitted {
            Ok(f) => {
                let note = match &f.calibration {
                    Calibration::Raw(skip) => Some(skip.reason().to_owned()),
                    Calibration::Isotonic(_) => None,
                };
                (f.calibration.is_calibrated(), note, Some(band(f, rows, options)))
            }
            Err(why) => (false, Some(why), None),
        };
        let band = band.unwrap_or(EstimatedBand {
            metrics: EstimatedMetrics::default(),
            lower: EstimatedMetrics::default(),
            upper: EstimatedMetrics::default(),
        });
        EstimatedPerformance {
            method: "cbpe".to_owned(),
            calibrated,
            note,
            calibration_window,
            window,
            predictions: rows.len() as u64,
            metrics: band.metrics,
            lower: band.lower,
            upper: band.upper,
        }
    }

    /// The estimate with its band for `version` over `rows`, when it is defined.
    pub(super) fn band(&self, version: &str, rows: &[&Prediction], options: &EvalOptions) -> Option<EstimatedBand> {
        self.get(version).1.ok().filter(|_| !rows.is_empty()).map(|f| band(f, rows, options))
    }

    /// Concept drift of `version` on its labelled predictions `rows` (see
    /// [`cbpe::gap`]): `None` when its estimate is undefined or no row is labelled.
    pub(super) fn concept_drift(
        &self,
        version: &str,
        rows: &[(&Prediction, Labelled)],
        options: &EvalOptions,
    ) -> Option<ConceptDrift> {
        let f = self.get(version).1.ok()?;
        let preds: Vec<&Prediction> = rows.iter().map(|(p, _)| *p).collect();
        let b = band(f, &preds, options);
        let gap_rows: Vec<(i32, f64, bool, bool)> = rows
            .iter()
            .map(|(p, l)| {
                (date_to_days(p.as_of), f.calibration.apply(l.score), l.predicted_positive, l.actual_positive)
            })
            .collect();
        let g = cbpe::gap(&gap_rows)?;
        let se = f.components.accuracy_std_error(rows.len());
        // The gap's day-clustered error: the window's days and the calibration's own days.
        let se_days = g.std_error_days.zip(f.calibration_std_error_days).map(|(w, c)| w.hypot(c));
        let lower_days =
            se.zip(se_days).map(|(se, se_days)| (g.estimated - cbpe::BAND_STD_ERRORS * se.max(se_days)).max(0.0));
        Some(ConceptDrift {
            labelled: rows.len() as u64,
            realized_accuracy: Some(g.realized),
            estimated_accuracy: b.metrics.accuracy,
            lower: b.lower.accuracy,
            upper: b.upper.accuracy,
            gap: Some(g.realized - g.estimated),
            std_error_days: se_days,
            lower_days,
            detected: lower_days.is_some_and(|lo| g.realized < lo),
        })
    }
}

fn band(f: &Fitted, rows: &[&Prediction], options: &EvalOptions) -> EstimatedBand {
    let rows = rows.iter().map(|p| (positive_score(p, options), predicts_positive(p, options)));
    cbpe::estimate(&f.calibration, &f.components, rows)
}
