//! The computation behind `report` and `run`: opens the sources, resolves the windows, computes
//! drift per feature and performance, and assembles the [`RunResult`].

use std::collections::{BTreeMap, HashMap};

use crate::calendar::{steps_of, weeks_of};
use crate::drift::{Column, FeatureError, feature_drift};
use crate::load::{ColumnType, LoadError, Scan};
use crate::performance::{self, EvalOptions, RowError, validate_outcomes, validate_predictions};
use crate::result::{
    DriftReport, FeatureDrift, FeatureKind, PerformanceReport, RunResult, SCHEMA_VERSION, SectorDrift, SkippedFeature,
    TrendStep, WindowInfo, Windows,
};
use crate::settings::{Every, ReferenceWindow, Settings};
use crate::windows::{self, EmptyWindow, Window};

/// The model label when neither the config nor the predictions name one.
pub const DEFAULT_MODEL: &str = "default";

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
    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Load(e) => e.hint(),
            Self::EmptyWindow { .. } | Self::NoPredictions { .. } => {
                "check --as-of and the window options against the dates present in the data"
            }
            Self::ReferenceTooSmall { .. } => "widen the reference window or lower --bins",
            Self::UnknownFeature { .. } => "list features that exist in both sources, or omit --feature to use all",
            Self::UnsupportedDtype { .. } => {
                "features must be numeric, String, Categorical or Boolean; select others out with --feature"
            }
            Self::DtypeMismatch { .. } => "write the feature with the same dtype in both periods",
            Self::Rows { .. } => "fix the offending rows at the source; labels are 0/1 and probabilities in [0, 1]",
        }
    }
}

/// One feature's name and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FeatureSpec {
    name: String,
    kind: FeatureKind,
}

/// The opened sources and resolved windows, shared by every computation of one run.
struct Context<'a> {
    settings: &'a Settings,
    current_scan: Scan,
    reference_scan: Scan,
    current: Window,
    reference: Window,
    features: Vec<FeatureSpec>,
    /// Trading days present in the features source.
    days: Vec<chrono::NaiveDate>,
}

/// Computes the complete result for `settings`.
///
/// # Errors
/// [`AnalysisError`] when an input is unusable; a feature that alone cannot be computed is
/// recorded in `drift.skipped` instead.
pub fn analyse(settings: &Settings) -> Result<RunResult, AnalysisError> {
    let cx = Context::open(settings)?;
    let mut rows_read = BTreeMap::new();
    let ref_rows = cx.reference_scan.count_rows(Some(cx.reference.range))?;
    let cur_rows = cx.current_scan.count_rows(Some(cx.current.range))?;
    let need = 2 * settings.psi.bins as u64;
    if ref_rows < need {
        return Err(AnalysisError::ReferenceTooSmall {
            path: cx.reference_scan.path().to_owned(),
            from: cx.reference.range.from().to_string(),
            to: cx.reference.range.to().to_string(),
            rows: ref_rows,
            need,
        });
    }
    rows_read.insert("features_reference".to_owned(), ref_rows);
    rows_read.insert("features_current".to_owned(), cur_rows);

    let mut drift = cx.drift(&cx.reference, &cx.current)?;
    if settings.by == performance::GroupBy::Sector {
        cx.require_sector()?;
        drift.sector_mix = cx.sector_mix()?;
        drift.by_sector = cx.by_sector()?;
    }

    let mut model = settings.model.clone().unwrap_or_else(|| DEFAULT_MODEL.to_owned());
    let mut performance = None;
    let mut perf_window = None;
    if let Some(path) = &settings.sources.predictions {
        let preds = Scan::open(path, &settings.columns.as_of)?;
        let reference_preds = preds.predictions(&settings.columns, Some(cx.reference.range))?;
        let current_preds = preds.predictions(&settings.columns, Some(cx.current.range))?;
        validate_predictions(&current_preds).map_err(|error| AnalysisError::Rows { path: path.clone(), error })?;
        drift.prediction_drift = prediction_drift(&reference_preds, &current_preds, settings);
        let mut versions: Vec<&str> = current_preds.iter().map(|p| p.model_version.as_str()).collect();
        versions.sort_unstable();
        versions.dedup();
        if let ([only], None) = (versions.as_slice(), &settings.model) {
            (*only).clone_into(&mut model);
        }
        if let Some(outcomes_path) = &settings.sources.outcomes {
            let window = cx.performance_window(&preds)?;
            let (report, rows) = cx.performance(&preds, outcomes_path, &window)?;
            rows_read.insert("predictions".to_owned(), rows.0);
            rows_read.insert("outcomes".to_owned(), rows.1);
            perf_window = Some(window_info(&window, rows.0, path));
            performance = Some(report);
        } else {
            rows_read.insert("predictions".to_owned(), current_preds.len() as u64);
        }
    }

    let trend = match settings.every {
        None => Vec::new(),
        Some(every) => cx.trend(every)?,
    };

    Ok(RunResult {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        model,
        as_of: settings.as_of,
        windows: Windows {
            reference: window_info(&cx.reference, ref_rows, cx.reference_scan.path()),
            current: window_info(&cx.current, cur_rows, cx.current_scan.path()),
            performance: perf_window,
        },
        psi_options: settings.psi,
        drift,
        performance,
        trend,
        rows_read,
        run: None,
    })
}

fn window_info(w: &Window, rows: u64, source: &str) -> WindowInfo {
    WindowInfo { from: w.range.from(), to: w.range.to(), trading_days: w.days.len(), rows, source: source.to_owned() }
}

fn empty(path: &str, e: EmptyWindow) -> AnalysisError {
    AnalysisError::EmptyWindow { path: path.to_owned(), which: e.which, asked: e.asked }
}

impl<'a> Context<'a> {
    fn open(settings: &'a Settings) -> Result<Self, AnalysisError> {
        let names = &settings.columns;
        let current_scan = Scan::open(&settings.sources.features, &names.as_of)?;
        current_scan.require(&names.symbol, |_| true, "String")?;
        let reference_scan = match &settings.sources.reference {
            Some(path) => Scan::open(path, &names.as_of)?,
            None => current_scan.clone(),
        };
        let days = current_scan.dates()?;
        let current =
            windows::current(settings.current, settings.as_of, &days).map_err(|e| empty(current_scan.path(), e))?;
        let reference_days = match &settings.sources.reference {
            Some(_) => Some(reference_scan.dates()?),
            None => None,
        };
        let spec = match (settings.reference, &settings.sources.reference) {
            // "N days before the current window" only makes sense within one source.
            (ReferenceWindow::Before(_), Some(_)) => ReferenceWindow::WholeSource,
            (spec, _) => spec,
        };
        let reference = windows::reference(spec, &current, &days, reference_days.as_deref())
            .map_err(|e| empty(reference_scan.path(), e))?;
        let features = select_features(settings, &current_scan, &reference_scan)?;
        Ok(Self { settings, current_scan, reference_scan, current, reference, features, days })
    }

    fn require_sector(&self) -> Result<(), AnalysisError> {
        let sector = &self.settings.columns.sector;
        self.current_scan.require(sector, |_| true, "String")?;
        self.reference_scan.require(sector, |_| true, "String")?;
        Ok(())
    }

    fn column(scan: &Scan, f: &FeatureSpec, window: &Window) -> Result<Column, LoadError> {
        Ok(match f.kind {
            FeatureKind::Numeric => Column::Numeric(scan.numeric(&f.name, Some(window.range))?),
            FeatureKind::Categorical => Column::Categorical(scan.categorical(&f.name, Some(window.range))?),
        })
    }

    /// Drift of every feature between two windows.
    fn drift(&self, reference: &Window, current: &Window) -> Result<DriftReport, AnalysisError> {
        let mut computed = Vec::new();
        let mut skipped = Vec::new();
        for f in &self.features {
            let r = Self::column(&self.reference_scan, f, reference)?;
            let c = Self::column(&self.current_scan, f, current)?;
            match feature_drift(&f.name, r, &c, &self.settings.psi) {
                Ok(d) => computed.push(d),
                Err(e) => skipped.push(skip(&f.name, &e)),
            }
        }
        Ok(summarise(computed, skipped))
    }

    fn sector_mix(&self) -> Result<Option<FeatureDrift>, AnalysisError> {
        let sector = &self.settings.columns.sector;
        let r = self.reference_scan.categorical(sector, Some(self.reference.range))?;
        let c = self.current_scan.categorical(sector, Some(self.current.range))?;
        Ok(feature_drift(sector, Column::Categorical(r), &Column::Categorical(c), &self.settings.psi).ok())
    }

    fn by_sector(&self) -> Result<Vec<SectorDrift>, AnalysisError> {
        let sector = self.settings.columns.sector.as_str();
        let mut per: BTreeMap<String, (Vec<FeatureDrift>, Vec<SkippedFeature>)> = BTreeMap::new();
        for f in &self.features {
            if f.name == sector {
                continue;
            }
            let (mut r, c) = match f.kind {
                FeatureKind::Numeric => (
                    self.reference_scan
                        .numeric_by(&f.name, sector, Some(self.reference.range))?
                        .into_iter()
                        .map(|(k, v)| (k, Column::Numeric(v)))
                        .collect::<BTreeMap<_, _>>(),
                    self.current_scan
                        .numeric_by(&f.name, sector, Some(self.current.range))?
                        .into_iter()
                        .map(|(k, v)| (k, Column::Numeric(v)))
                        .collect::<BTreeMap<_, _>>(),
                ),
                FeatureKind::Categorical => (
                    self.reference_scan
                        .categorical_by(&f.name, Some(sector), Some(self.reference.range))?
                        .into_iter()
                        .map(|(k, v)| (k, Column::Categorical(v)))
                        .collect(),
                    self.current_scan
                        .categorical_by(&f.name, Some(sector), Some(self.current.range))?
                        .into_iter()
                        .map(|(k, v)| (k, Column::Categorical(v)))
                        .collect(),
                ),
            };
            for (s, cur) in c {
                let entry = per.entry(s.clone()).or_default();
                let Some(reference) = r.remove(&s) else {
                    entry.1.push(SkippedFeature {
                        feature: f.name.clone(),
                        reason: format!("sector `{s}` has no reference rows"),
                    });
                    continue;
                };
                match feature_drift(&f.name, reference, &cur, &self.settings.psi) {
                    Ok(d) => entry.0.push(d),
                    Err(e) => entry.1.push(skip(&f.name, &e)),
                }
            }
        }
        Ok(per
            .into_iter()
            .map(|(sector, (mut features, skipped))| {
                sort_by_psi(&mut features);
                SectorDrift { sector, features, skipped }
            })
            .collect())
    }

    /// The predictions graded: the current window, or the last `performance_days` prediction
    /// days up to the as-of date.
    fn performance_window(&self, preds: &Scan) -> Result<Window, AnalysisError> {
        match self.settings.performance_days {
            None => Ok(self.current.clone()),
            Some(n) => {
                let days = preds.dates()?;
                windows::current(crate::settings::CurrentWindow::Last(n), self.settings.as_of, &days)
                    .map_err(|e| empty(preds.path(), e))
            }
        }
    }

    fn performance(
        &self,
        preds: &Scan,
        outcomes_path: &str,
        window: &Window,
    ) -> Result<(PerformanceReport, (u64, u64)), AnalysisError> {
        let s = self.settings;
        let predictions = preds.predictions(&s.columns, Some(window.range))?;
        if predictions.is_empty() {
            return Err(AnalysisError::NoPredictions {
                path: preds.path().to_owned(),
                from: window.range.from().to_string(),
                to: window.range.to().to_string(),
            });
        }
        validate_predictions(&predictions)
            .map_err(|error| AnalysisError::Rows { path: preds.path().to_owned(), error })?;
        let out_scan = Scan::open(outcomes_path, &s.columns.as_of)?;
        let outcomes = out_scan.outcomes(&s.columns, Some(window.range))?;
        validate_outcomes(&outcomes).map_err(|error| AnalysisError::Rows { path: outcomes_path.to_owned(), error })?;
        let sectors = if s.by == performance::GroupBy::Sector {
            self.current_scan.sectors(&s.columns, None)?
        } else {
            HashMap::new()
        };
        let options =
            EvalOptions { positive_label: s.positive_label, threshold: s.threshold, cutoff: s.as_of, by: s.by };
        let report = performance::evaluate(&predictions, &outcomes, &sectors, &self.days, &options);
        Ok((report, (predictions.len() as u64, outcomes.len() as u64)))
    }

    fn trend(&self, every: Every) -> Result<Vec<TrendStep>, AnalysisError> {
        let steps = match every {
            Every::Days(n) => steps_of(&self.current.days, n),
            Every::Week => weeks_of(&self.current.days),
        };
        let s = self.settings;
        let preds = s.sources.predictions.as_deref().map(|p| Scan::open(p, &s.columns.as_of)).transpose()?;
        let reference_preds = match &preds {
            Some(p) => p.predictions(&s.columns, Some(self.reference.range))?,
            None => Vec::new(),
        };
        let mut out = Vec::with_capacity(steps.len());
        for days in steps {
            let Some(window) = Window::over(days) else { continue };
            let report = self.drift(&self.reference, &window)?;
            let rows = self.current_scan.count_rows(Some(window.range))?;
            let (prediction_psi, performance) = match (&preds, &s.sources.outcomes) {
                (Some(p), outcomes) => {
                    let current_preds = p.predictions(&s.columns, Some(window.range))?;
                    let psi = prediction_drift(&reference_preds, &current_preds, s).map(|d| d.psi);
                    let perf = match outcomes {
                        Some(o) if !current_preds.is_empty() => Some(self.performance(p, o, &window)?.0.overall),
                        _ => None,
                    };
                    (psi, perf)
                }
                (None, _) => (None, None),
            };
            out.push(TrendStep {
                window: window_info(&window, rows, self.current_scan.path()),
                psi: report.features.iter().map(|f| (f.feature.clone(), f.psi)).collect(),
                prediction_psi,
                performance,
            });
        }
        Ok(out)
    }
}

fn prediction_drift(
    reference: &[performance::Prediction],
    current: &[performance::Prediction],
    settings: &Settings,
) -> Option<FeatureDrift> {
    if reference.is_empty() || current.is_empty() {
        return None;
    }
    let r = Column::Numeric(reference.iter().map(|p| p.proba).collect());
    let c = Column::Numeric(current.iter().map(|p| p.proba).collect());
    feature_drift(&settings.columns.predicted_proba, r, &c, &settings.psi).ok()
}

fn skip(name: &str, e: &FeatureError) -> SkippedFeature {
    SkippedFeature { feature: name.to_owned(), reason: e.to_string() }
}

fn sort_by_psi(features: &mut [FeatureDrift]) {
    features.sort_by(|a, b| b.psi.total_cmp(&a.psi).then_with(|| a.feature.cmp(&b.feature)));
}

fn summarise(mut features: Vec<FeatureDrift>, skipped: Vec<SkippedFeature>) -> DriftReport {
    sort_by_psi(&mut features);
    let drifted_features: Vec<String> = features.iter().filter(|f| f.drifted).map(|f| f.feature.clone()).collect();
    let drift_share = (!features.is_empty()).then(|| drifted_features.len() as f64 / features.len() as f64);
    DriftReport {
        features,
        skipped,
        drifted_features,
        drift_share,
        prediction_drift: None,
        sector_mix: None,
        by_sector: Vec::new(),
    }
}

/// The features to compare and their kinds, checked against both sources.
fn select_features(settings: &Settings, current: &Scan, reference: &Scan) -> Result<Vec<FeatureSpec>, AnalysisError> {
    let names = &settings.columns;
    let explicit = !settings.features.include.is_empty();
    let wanted: Vec<String> = if explicit {
        settings.features.include.clone()
    } else {
        current.columns().into_iter().filter(|c| !names.is_key(c)).collect()
    };
    let mut out = Vec::with_capacity(wanted.len());
    for name in wanted {
        let mut kinds = Vec::with_capacity(2);
        for scan in [current, reference] {
            let Some(t) = scan.column_type(&name) else {
                return Err(AnalysisError::UnknownFeature {
                    path: scan.path().to_owned(),
                    feature: name,
                    available: scan.columns().join(", "),
                });
            };
            if let ColumnType::Unsupported(dtype) = &t {
                return Err(AnalysisError::UnsupportedDtype {
                    path: scan.path().to_owned(),
                    feature: name,
                    dtype: dtype.clone(),
                });
            }
            kinds.push(t);
        }
        if kinds[0] != kinds[1] {
            return Err(AnalysisError::DtypeMismatch {
                reference_path: reference.path().to_owned(),
                reference_dtype: reference.dtype_name(&name).unwrap_or_default(),
                current_path: current.path().to_owned(),
                current_dtype: current.dtype_name(&name).unwrap_or_default(),
                feature: name,
            });
        }
        let kind = if settings.features.categorical.contains(&name) {
            FeatureKind::Categorical
        } else {
            kinds[0].kind().unwrap_or(FeatureKind::Numeric)
        };
        out.push(FeatureSpec { name, kind });
    }
    Ok(out)
}
