//! Feature drift across the features: which features, their reference profiles (fitted once
//! per run, one column at a time, on all cores), and each window compared against them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{AnalysisError, Context, Reference};
use crate::calendar::{steps_of, weeks_of};
use crate::drift::{BinningMode, Column, FeatureError, FeatureProfile, ProfileBins, compare, feature_drift};
use crate::load::{ColumnType, LoadError, Scan};
use crate::progress::Progress;
use crate::result::{DriftReport, FeatureDrift, FeatureKind, SectorDrift, SkippedFeature, TrendStep};
use crate::settings::{Every, Settings};
use crate::windows::Window;

/// One feature's name and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FeatureSpec {
    pub(super) name: String,
    pub(super) kind: FeatureKind,
}

/// The fitted reference of every feature (quantile mode), or why it could not be fitted.
pub(super) struct Profiles(Vec<Result<FeatureProfile, SkippedFeature>>);

impl Profiles {
    /// The fitted profiles and the skipped features.
    pub(super) fn into_parts(self) -> (Vec<FeatureProfile>, Vec<SkippedFeature>) {
        let mut fitted = Vec::new();
        let mut skipped = Vec::new();
        for p in self.0 {
            match p {
                Ok(f) => fitted.push(f),
                Err(s) => skipped.push(s),
            }
        }
        (fitted, skipped)
    }
}

thread_local! {
    /// The reference column being fitted on this worker.
    static REFERENCE_BUFFER: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Memory the reference columns being fitted may hold at once: exact quantiles need a whole
/// column in memory (8 bytes a row). While one column per core fits in it, the cores fit
/// columns side by side; past it, fewer columns are fitted at once and each is decoded on
/// several threads, so memory stays at what one column needs however large the reference.
const REFERENCE_BUDGET_BYTES: u64 = 512 * 1024 * 1024;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// How many reference columns of `rows` rows are fitted at once on `cores` cores.
fn fitting_workers(rows: u64, cores: usize) -> usize {
    let column = rows.saturating_mul(8).max(1);
    usize::try_from(REFERENCE_BUDGET_BYTES / column).unwrap_or(usize::MAX).clamp(1, cores.max(1))
}

/// Runs `f` over `items` on `workers` threads, keeping the order. Each worker takes the next
/// item as it frees up and returns what it computed with the items' indices; a worker's panic
/// is passed on.
fn parallel_map<T: Sync, R: Send>(workers: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = workers.min(items.len()).max(1);
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break out };
                        out.push((i, f(item)));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

fn load(scan: &Scan, f: &FeatureSpec, window: &Window) -> Result<Column, LoadError> {
    Ok(match f.kind {
        FeatureKind::Numeric => Column::Numeric(scan.numeric(&f.name, window.scan_range())?),
        FeatureKind::Categorical => Column::Categorical(scan.categorical(&f.name, window.scan_range())?),
    })
}

fn skip(name: &str, e: &FeatureError) -> SkippedFeature {
    SkippedFeature { feature: name.to_owned(), reason: e.to_string() }
}

fn sort_by_psi(features: &mut [FeatureDrift]) {
    features.sort_by(|a, b| b.psi.total_cmp(&a.psi).then_with(|| a.feature.cmp(&b.feature)));
}

/// Splits per-feature results into computed and skipped, and summarises them.
fn summarise_results(results: Vec<Result<FeatureDrift, SkippedFeature>>) -> DriftReport {
    let (mut computed, mut skipped) = (Vec::new(), Vec::new());
    for r in results {
        match r {
            Ok(d) => computed.push(d),
            Err(s) => skipped.push(s),
        }
    }
    summarise(computed, skipped)
}

/// Sorts the computed features and derives the drifted list and share.
pub(super) fn summarise(mut features: Vec<FeatureDrift>, skipped: Vec<SkippedFeature>) -> DriftReport {
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

impl Context<'_> {
    /// Fits every feature's reference once (quantile mode). Each worker holds one reference
    /// column at a time and drops it once its counts are taken.
    pub(super) fn profiles(&self) -> Result<Profiles, AnalysisError> {
        if self.settings.psi.mode == BinningMode::Evidently {
            return Ok(Profiles(Vec::new()));
        }
        match &self.reference {
            Reference::Profile { profile, .. } => Ok(Profiles(
                self.features
                    .iter()
                    .map(|f| {
                        profile.feature(&f.name).cloned().ok_or_else(|| SkippedFeature {
                            feature: f.name.clone(),
                            reason: profile
                                .skipped
                                .iter()
                                .find(|s| s.feature == f.name)
                                .map_or_else(|| "not in the reference profile".to_owned(), |s| s.reason.clone()),
                        })
                    })
                    .collect(),
            )),
            Reference::Data { scan, window, rows } => {
                let progress = Progress::new(self.features.len(), "fitting reference", self.settings.progress);
                let workers = fitting_workers(*rows, cores());
                let threads = (cores() / workers).max(1);
                let fitted = parallel_map(workers, &self.features, |f| {
                    let fitted = self.fit(scan, window, f, threads);
                    progress.inc();
                    fitted
                });
                progress.finish();
                Ok(Profiles(fitted.into_iter().collect::<Result<_, _>>()?))
            }
        }
    }

    /// One feature's reference profile, decoding its column on `threads` threads.
    fn fit(
        &self,
        scan: &Scan,
        window: &Window,
        f: &FeatureSpec,
        threads: usize,
    ) -> Result<Result<FeatureProfile, SkippedFeature>, LoadError> {
        let k = self.settings.psi.bins;
        let fitted = match f.kind {
            // One reused buffer per worker: a column at a time, without fresh pages.
            FeatureKind::Numeric => REFERENCE_BUFFER.with_borrow_mut(|values| {
                scan.numeric_into(&f.name, window.scan_range(), values, threads)?;
                Ok::<_, LoadError>(FeatureProfile::fit_numeric(&f.name, values, k))
            })?,
            FeatureKind::Categorical => FeatureProfile::fit(&f.name, load(scan, f, window)?, k),
        };
        Ok(fitted.map_err(|e| skip(&f.name, &e)))
    }

    /// Drift of every feature in `window` against the reference.
    pub(super) fn drift(&self, profiles: &Profiles, window: &Window) -> Result<DriftReport, AnalysisError> {
        let indices: Vec<usize> = (0..self.features.len()).collect();
        let progress = Progress::new(indices.len(), "comparing features", self.settings.progress);
        let results = parallel_map(cores(), &indices, |&i| {
            let result = self.compare_one(&self.features[i], profiles.0.get(i), window);
            progress.inc();
            result
        });
        progress.finish();
        Ok(summarise_results(results.into_iter().collect::<Result<_, _>>()?))
    }

    /// One feature's drift in `window` against its profile (quantile mode) or its raw
    /// reference (Evidently mode).
    fn compare_one(
        &self,
        f: &FeatureSpec,
        profile: Option<&Result<FeatureProfile, SkippedFeature>>,
        window: &Window,
    ) -> Result<Result<FeatureDrift, SkippedFeature>, LoadError> {
        let options = &self.settings.psi;
        Ok(match (options.mode, &self.reference, profile) {
            (BinningMode::Evidently, Reference::Data { scan, window: rw, .. }, _) => {
                let current = load(&self.current_scan, f, window)?;
                feature_drift(&f.name, load(scan, f, rw)?, &current, options).map_err(|e| skip(&f.name, &e))
            }
            (_, _, Some(Err(skipped))) => Err(skipped.clone()),
            (_, _, Some(Ok(profile))) => {
                let current = self.current_side(f, profile, window)?;
                compare(profile, &current, options).map_err(|e| skip(&f.name, &e))
            }
            (_, _, None) => unreachable!("quantile mode fits one profile per feature"),
        })
    }

    /// The current side of a feature against its profile: a numeric column is counted over the
    /// profile's edges chunk by chunk, without copying it.
    fn current_side(&self, f: &FeatureSpec, profile: &FeatureProfile, window: &Window) -> Result<Column, LoadError> {
        match (&profile.bins, f.kind) {
            (ProfileBins::Numeric { edges, .. }, FeatureKind::Numeric) => {
                let mut counts = vec![0_u64; edges.value_bins() + 1];
                self.current_scan
                    .numeric_chunks(&f.name, window.scan_range(), |chunk| edges.count_into(&mut counts, chunk))?;
                Ok(Column::Counted(counts))
            }
            _ => load(&self.current_scan, f, window),
        }
    }

    fn raw_reference(&self, what: &'static str) -> Result<(&Scan, &Window), AnalysisError> {
        match &self.reference {
            Reference::Data { scan, window, .. } => Ok((scan, window)),
            Reference::Profile { path, .. } => Err(AnalysisError::NeedsRawReference { what, path: path.clone() }),
        }
    }

    /// The sector mix as a categorical PSI.
    pub(super) fn sector_mix(&self) -> Result<Option<FeatureDrift>, AnalysisError> {
        let (scan, window) = self.raw_reference("--by sector")?;
        let sector = &self.settings.columns.sector;
        let r = scan.categorical(sector, window.scan_range())?;
        let c = self.current_scan.categorical(sector, self.current.scan_range())?;
        Ok(feature_drift(sector, Column::Categorical(r), &Column::Categorical(c), &self.settings.psi).ok())
    }

    /// PSI of every feature within every sector.
    pub(super) fn by_sector(&self) -> Result<Vec<SectorDrift>, AnalysisError> {
        let (scan, window) = self.raw_reference("--by sector")?;
        let sector = self.settings.columns.sector.as_str();
        let split = |s: &Scan, f: &FeatureSpec, w: &Window| -> Result<BTreeMap<String, Column>, LoadError> {
            Ok(match f.kind {
                FeatureKind::Numeric => s
                    .numeric_by(&f.name, sector, w.scan_range())?
                    .into_iter()
                    .map(|(k, v)| (k, Column::Numeric(v)))
                    .collect(),
                FeatureKind::Categorical => s
                    .categorical_by(&f.name, Some(sector), w.scan_range())?
                    .into_iter()
                    .map(|(k, v)| (k, Column::Categorical(v)))
                    .collect(),
            })
        };
        let mut per: BTreeMap<String, (Vec<FeatureDrift>, Vec<SkippedFeature>)> = BTreeMap::new();
        for f in self.features.iter().filter(|f| f.name != sector) {
            let mut reference = split(scan, f, window)?;
            for (s, current) in split(&self.current_scan, f, &self.current)? {
                let entry = per.entry(s.clone()).or_default();
                let Some(r) = reference.remove(&s) else {
                    entry.1.push(SkippedFeature {
                        feature: f.name.clone(),
                        reason: format!("sector `{s}` has no reference rows"),
                    });
                    continue;
                };
                match feature_drift(&f.name, r, &current, &self.settings.psi) {
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

    /// Drift and performance per step of the current window.
    pub(super) fn trend(
        &self,
        profiles: &Profiles,
        grader: Option<&super::grading::Grader>,
        every: Every,
    ) -> Result<Vec<TrendStep>, AnalysisError> {
        let steps = match every {
            Every::Days(n) => steps_of(&self.current.days, n),
            Every::Week => weeks_of(&self.current.days),
        };
        let mut out = Vec::with_capacity(steps.len());
        for days in steps {
            let Some(window) = Window::over(days) else { continue };
            let report = self.drift(profiles, &window)?;
            let rows = self.current_scan.count_rows(window.scan_range())?;
            let (prediction_psi, performance) = match grader {
                Some(g) => self.grade_step(g, &window)?,
                None => (None, None),
            };
            out.push(TrendStep {
                window: super::window_info(&window, rows, self.current_scan.path()),
                psi: report.features.iter().map(|f| (f.feature.clone(), f.psi)).collect(),
                prediction_psi,
                performance,
            });
        }
        Ok(out)
    }
}

/// The features to compare and their kinds, checked against both sides.
pub(super) fn select(
    settings: &Settings,
    current: &Scan,
    reference: &Reference,
) -> Result<Vec<FeatureSpec>, AnalysisError> {
    let names = &settings.columns;
    let wanted: Vec<String> = if settings.features.include.is_empty() {
        current.columns().into_iter().filter(|c| !names.is_key(c)).collect()
    } else {
        settings.features.include.clone()
    };
    let mut out = Vec::with_capacity(wanted.len());
    for name in wanted {
        let cur = column_type(current, &name)?;
        match reference {
            Reference::Data { scan, .. } => {
                let r = column_type(scan, &name)?;
                if r != cur {
                    return Err(AnalysisError::DtypeMismatch {
                        reference_path: scan.path().to_owned(),
                        reference_dtype: scan.dtype_name(&name).unwrap_or_default(),
                        current_path: current.path().to_owned(),
                        current_dtype: current.dtype_name(&name).unwrap_or_default(),
                        feature: name,
                    });
                }
            }
            Reference::Profile { path, profile } => {
                if profile.feature(&name).is_none() && !profile.skipped.iter().any(|s| s.feature == name) {
                    return Err(AnalysisError::NotInProfile {
                        path: path.clone(),
                        feature: name,
                        available: profile.features.iter().map(|f| f.feature.as_str()).collect::<Vec<_>>().join(", "),
                    });
                }
            }
        }
        let kind = if settings.features.categorical.contains(&name) {
            FeatureKind::Categorical
        } else {
            cur.kind().unwrap_or(FeatureKind::Numeric)
        };
        out.push(FeatureSpec { name, kind });
    }
    Ok(out)
}

fn column_type(scan: &Scan, name: &str) -> Result<ColumnType, AnalysisError> {
    match scan.column_type(name) {
        None => Err(AnalysisError::UnknownFeature {
            path: scan.path().to_owned(),
            feature: name.to_owned(),
            available: scan.columns().join(", "),
        }),
        Some(ColumnType::Unsupported(dtype)) => {
            Err(AnalysisError::UnsupportedDtype { path: scan.path().to_owned(), feature: name.to_owned(), dtype })
        }
        Some(t) => Ok(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_map_keeps_the_order() {
        let items: Vec<u32> = (0..50).collect();
        for workers in [1, 3, 64] {
            assert_eq!(parallel_map(workers, &items, |x| x * 2), (0..50).map(|x| x * 2).collect::<Vec<_>>());
        }
        assert!(parallel_map(2, &[] as &[u32], |x| *x).is_empty());
    }

    #[test]
    fn reference_columns_fitted_at_once_follow_the_memory_budget() {
        // 20M rows: 160 MB a column, three fit in 512 MiB.
        assert_eq!(fitting_workers(20_000_000, 2), 2);
        assert_eq!(fitting_workers(20_000_000, 8), 3);
        // 100M rows: 800 MB, one column at a time.
        assert_eq!(fitting_workers(100_000_000, 2), 1);
        assert_eq!(fitting_workers(0, 2), 2);
        assert_eq!(fitting_workers(u64::MAX, 2), 1);
        assert_eq!(fitting_workers(10, 0), 1);
    }
}
