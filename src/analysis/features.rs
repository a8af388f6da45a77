//! Feature drift across the features: which features, their reference profiles (fitted once
//! per run, one column at a time, on all cores), and each window compared against them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::context::{Context, FeatureSpec, Reference};
use super::error::AnalysisError;
use super::parallel::{cores, fitting_workers, parallel_map};
use crate::calendar::DateRange;
use crate::drift::daily::align_categories;
use crate::drift::history::{HISTORY_MIN_STRETCHES, stretches};
use crate::drift::multiplicity::{Member, adjust};
use crate::drift::within_day::{ByDay, CentredPool};
use crate::drift::{
    BinEdges, Column, DailyCounts, DayCounter, FeatureError, FeatureProfile, PanelWindows, ProfileBins, compare,
    count_by_slot, feature_drift, with_panel_significance, with_within_day,
};
use crate::drift::{Samples, order, stattests};
use crate::load::{LoadError, Scan, date_to_days};
use crate::options::{BinningMode, SignificanceTest};
use crate::progress::Progress;
use crate::result::{
    DatasetDrift, DriftNull, DriftReport, DriftTest, FeatureDrift, FeatureKind, SectorDrift, SkippedFeature, Statistic,
};
use crate::rows::DaySlots;
use crate::windows::Window;

/// The fitted reference of every feature (quantile mode), or why it could not be fitted.
pub(super) struct Profiles(pub(super) Vec<Result<FeatureProfile, SkippedFeature>>);

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
    /// `--stattest`'s reference and current values on this worker, and its sorting scratch.
    static STATTEST_BUFFERS: std::cell::RefCell<(Vec<f64>, Vec<f64>, Vec<f64>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new(), Vec::new())) };
}

fn load(scan: &Scan, f: &FeatureSpec, window: &Window) -> Result<Column, LoadError> {
    Ok(match f.kind {
        FeatureKind::Numeric => Column::Numeric(scan.numeric(&f.name, window.scan_range())?),
        FeatureKind::Categorical => Column::Categorical(scan.categorical(&f.name, window.scan_range())?),
    })
}

/// The per-day counts of a fitted feature over the pooled days (history and reference), over
/// the profile's bins: one more read of the feature over those days, by day.
fn daily_counts(scan: &Scan, profile: &FeatureProfile, pool: DateRange) -> Result<DailyCounts, LoadError> {
    match &profile.bins {
        ProfileBins::Numeric { edges, .. } => {
            let mut counter = DayCounter::new(edges);
            scan.numeric_dated_chunks(&profile.feature, Some(pool), |values, days| counter.add(values, days))?;
            Ok(counter.finish())
        }
        ProfileBins::Categorical { .. } => {
            let daily = scan.categorical_by_day(&profile.feature, Some(pool))?;
            Ok(align_categories(&daily, &profile.categories()))
        }
    }
}

/// The pooled days before the reference window, when there are any.
fn history_range(pool: DateRange, window: &Window) -> Option<DateRange> {
    let before = window.range.from().pred_opt()?;
    DateRange::new(pool.from(), before).ok()
}

fn skip(name: &str, e: &FeatureError) -> SkippedFeature {
    SkippedFeature { feature: name.to_owned(), reason: e.to_string() }
}

fn sort_by_psi(features: &mut [FeatureDrift]) {
    features.sort_by(|a, b| b.psi.total_cmp(&a.psi).then_with(|| a.feature.cmp(&b.feature)));
}

/// Splits per-feature results into computed and skipped, and summarises them.
fn summarise_results(results: Vec<Result<FeatureDrift, SkippedFeature>>, alpha: f64) -> DriftReport {
    let (mut computed, mut skipped) = (Vec::new(), Vec::new());
    for r in results {
        match r {
            Ok(d) => computed.push(d),
            Err(s) => skipped.push(s),
        }
    }
    summarise(computed, skipped, alpha)
}

/// Sorts the computed features and derives the drifted and shifted lists, the share and the
/// dataset-level call at family-wise level `alpha`.
pub(super) fn summarise(mut features: Vec<FeatureDrift>, skipped: Vec<SkippedFeature>, alpha: f64) -> DriftReport {
    sort_by_psi(&mut features);
    let names = |keep: fn(&FeatureDrift) -> bool| -> Vec<String> {
        features.iter().filter(|f| keep(f)).map(|f| f.feature.clone()).collect()
    };
    let drifted_features = names(|f| f.drifted);
    let shifted_features = names(|f| f.shifted);
    let drift_share = (!features.is_empty()).then(|| drifted_features.len() as f64 / features.len() as f64);
    let dataset = dataset_call(&features, alpha);
    DriftReport {
        features,
        skipped,
        drifted_features,
        drift_share,
        shifted_features,
        dataset,
        prediction_drift: None,
        sector_mix: None,
        by_sector: Vec::new(),
        multivariate: None,
        data_quality: None,
    }
}

/// The dataset-level call over the features whose drift p-value is defined (the
/// adjustment: [`crate::drift::multiplicity::adjust`]). A feature is confirmed when its
/// adjusted p-value is at most α and it drifted on its own (so its PSI, or its within-day PSI,
/// is at least `moderate`). Where the within-day view applies, the feature's statistic and its
/// past pairs are the joint test's. `None` when no feature has a p-value.
fn dataset_call(features: &[FeatureDrift], alpha: f64) -> Option<DatasetDrift> {
    let tested: Vec<&FeatureDrift> = features.iter().filter(|f| f.p_value.is_some()).collect();
    if tested.is_empty() {
        return None;
    }
    let members: Vec<Member<'_>> = tested
        .iter()
        .map(|f| Member {
            p_value: f.p_value.unwrap_or(1.0),
            // With the within-day view, the pairs are the joint test's statistics, and so is
            // the current window's.
            history: (f.history_p_value.is_some() && !f.history_pairs.is_empty())
                .then_some((f.within_day.map_or(f.psi, |w| w.joint_statistic), f.history_pairs.as_slice())),
        })
        .collect();
    let (adjusted, method) = adjust(&members, alpha);
    let confirmed: Vec<String> = tested
        .iter()
        .zip(&adjusted)
        .filter(|(f, q)| **q <= alpha && f.drifted)
        .map(|(f, _)| f.feature.clone())
        .collect();
    Some(DatasetDrift {
        drifted: !confirmed.is_empty(),
        family_alpha: alpha,
        method,
        features_tested: tested.len(),
        min_p_value: tested.iter().filter_map(|f| f.p_value).reduce(f64::min),
        adjusted_p_value: adjusted.iter().copied().fold(1.0, f64::min),
        confirmed,
    })
}

impl Context<'_> {
    /// Fits every feature's reference once (quantile mode). Each worker holds one reference
    /// column at a time and drops it once its counts are taken.
    pub(super) fn profiles(&self) -> Result<Profiles, AnalysisError> {
        if self.psi.mode == BinningMode::Evidently {
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
            Reference::Data { scan, window, pool, .. } => {
                let fitted = self.per_reference_column("fitting reference", |f, threads| {
                    self.fit(scan, window, *pool, f, threads)
                })?;
                Ok(Profiles(fitted.into_iter().collect::<Result<_, _>>()?))
            }
        }
    }

    /// One feature's reference profile, decoding its column on `threads` threads.
    fn fit(
        &self,
        scan: &Scan,
        window: &Window,
        pool: DateRange,
        f: &FeatureSpec,
        threads: usize,
    ) -> Result<Result<FeatureProfile, SkippedFeature>, LoadError> {
        let k = self.psi.bins;
        let panel = self.psi.significance == SignificanceTest::Panel;
        let slots = match (panel, f.kind) {
            (true, FeatureKind::Numeric) if scan.reads_directly(&f.name, window.scan_range()) => {
                self.reference_slots(scan, window)?
            }
            _ => None,
        };
        if let Some(slots) = slots {
            // One read: the column in file order, its edges found without moving it, then the
            // totals and the reference window's per-day counts in one counting pass.
            return REFERENCE_BUFFER.with_borrow_mut(|values| {
                scan.numeric_into(&f.name, window.scan_range(), values, threads)?;
                if values.len() != slots.len() {
                    return Err(LoadError::Unreadable {
                        path: scan.path().to_owned(),
                        detail: format!("`{}` and its dates decoded to different numbers of rows", f.name),
                    });
                }
                let Ok(edges) = BinEdges::quantiles(values, k) else {
                    return Ok(Err(skip(&f.name, &FeatureError::AllNullReference(f.name.clone()))));
                };
                let days: Vec<i32> = window.days.iter().map(|d| date_to_days(*d)).collect();
                let (totals, mut daily) = count_by_slot(&edges, values, slots, &days);
                let mut profile = FeatureProfile::from_counts(&f.name, edges, totals);
                // The history before the reference window: read by day, over the same edges.
                if let Some(history) = history_range(pool, window) {
                    let mut older = daily_counts(scan, &profile, history)?;
                    older.days.append(&mut daily.days);
                    older.counts.append(&mut daily.counts);
                    daily = older;
                }
                profile.daily = Some(daily);
                self.fit_within_day(scan, pool, &mut profile)?;
                Ok(Ok(profile))
            });
        }
        let fitted = match f.kind {
            // One reused buffer per worker: a column at a time, without fresh pages.
            FeatureKind::Numeric => REFERENCE_BUFFER.with_borrow_mut(|values| {
                scan.numeric_into(&f.name, window.scan_range(), values, threads)?;
                Ok::<_, LoadError>(FeatureProfile::fit_numeric(&f.name, values, k))
            })?,
            FeatureKind::Categorical => FeatureProfile::fit(&f.name, load(scan, f, window)?, k),
        };
        let Ok(mut profile) = fitted else { return Ok(fitted.map_err(|e| skip(&f.name, &e))) };
        if panel {
            profile.daily = Some(daily_counts(scan, &profile, pool)?);
            if f.kind == FeatureKind::Numeric {
                self.fit_within_day(scan, pool, &mut profile)?;
            }
        }
        Ok(Ok(profile))
    }

    /// The within-day view's reference side ([`CentredPool`]) of a numeric feature whose pooled
    /// days could hold enough disjoint window pairs for its history to decide (with a current
    /// window of one day, the shortest: a step of `--every` may be shorter than the current
    /// window): one more read of the feature over the pooled days, by day, once per run (each
    /// step reuses it). Not for a profile file, which does not keep it.
    fn fit_within_day(&self, scan: &Scan, pool: DateRange, profile: &mut FeatureProfile) -> Result<(), LoadError> {
        let Some(daily) = &profile.daily else { return Ok(()) };
        let reference_days = self.reference.days();
        if !self.within_day || stretches(daily.len(), reference_days, 1) < HISTORY_MIN_STRETCHES {
            return Ok(());
        }
        let mut by_day = ByDay::default();
        scan.numeric_dated_chunks(&profile.feature, Some(pool), |values, days| by_day.add(values, days))?;
        profile.within_day = CentredPool::fit(by_day, &daily.days, reference_days, self.psi.bins);
        Ok(())
    }

    /// The day of every reference row, in the order the direct reader yields them: decoded once
    /// per run and shared by every feature (`None` when the dates are not read directly).
    fn reference_slots<'s>(&'s self, scan: &Scan, window: &Window) -> Result<Option<&'s DaySlots>, LoadError> {
        if let Some(slots) = self.reference_slots.get() {
            return Ok(slots.as_ref());
        }
        let slots = scan.day_slots(window.scan_range(), &window.days)?;
        Ok(self.reference_slots.get_or_init(|| slots).as_ref())
    }

    /// `task` on every feature, as many side by side as the memory budget for reference columns
    /// allows (each with the cores left over for its decoding), with a progress bar. The
    /// reference window's day slots are decoded first, before any column is held: their
    /// memory adds to none of the columns'.
    fn per_reference_column<R: Send>(
        &self,
        what: &str,
        task: impl Fn(&FeatureSpec, usize) -> R + Sync,
    ) -> Result<Vec<R>, AnalysisError> {
        let Reference::Data { scan, window, rows, .. } = &self.reference else { return Ok(Vec::new()) };
        if self.psi.significance == SignificanceTest::Panel {
            self.reference_slots(scan, window)?;
        }
        let progress = Progress::new(self.features.len(), what, self.settings.progress);
        let workers = fitting_workers(*rows, cores());
        let threads = (cores() / workers).max(1);
        // The last feature gets every core: the other workers free up while it runs.
        let started = AtomicUsize::new(0);
        let done = parallel_map(workers, &self.features, |f| {
            let last = started.fetch_add(1, Ordering::Relaxed) + 1 == self.features.len();
            let out = task(f, if last { cores() } else { threads });
            progress.inc();
            out
        });
        progress.finish();
        Ok(done)
    }

    /// The profiles and the current window's drift: with `--stattest` tests and a raw
    /// reference (quantile mode), each feature is fitted and compared in one task, so that the
    /// tests sort the reference column the fit decoded instead of decoding it again; otherwise
    /// [`Self::profiles`], then [`Self::drift`].
    pub(super) fn profiles_and_drift(&self) -> Result<(Profiles, DriftReport), AnalysisError> {
        let fused = !self.psi.stattest.is_psi() && self.psi.mode == BinningMode::Quantile;
        let (Reference::Data { scan, window, pool, .. }, true) = (&self.reference, fused) else {
            let profiles = self.profiles()?;
            let drift = self.drift(&profiles, &self.current)?;
            return Ok((profiles, drift));
        };
        let done = self.per_reference_column("fitting and comparing", |f, threads| {
            self.fit_and_compare(scan, window, *pool, f, threads)
        })?;
        let (mut fitted, mut results) = (Vec::with_capacity(done.len()), Vec::with_capacity(done.len()));
        for d in done {
            let (profile, drift) = d?;
            fitted.push(profile);
            results.push(drift);
        }
        results.extend(self.unusable.iter().cloned().map(Err));
        Ok((Profiles(fitted), summarise_results(results, self.psi.alpha)))
    }

    /// One feature of [`Self::profiles_and_drift`]'s fused path. A numeric reference is decoded
    /// into the worker's `--stattest` reference buffer (lent to the fit) and stays there for
    /// the tests; the current side is kept as the PSI counts it.
    #[allow(clippy::type_complexity)] // the two results of one task
    fn fit_and_compare(
        &self,
        scan: &Scan,
        window: &Window,
        pool: DateRange,
        f: &FeatureSpec,
        threads: usize,
    ) -> Result<(Result<FeatureProfile, SkippedFeature>, Result<FeatureDrift, SkippedFeature>), LoadError> {
        if f.kind != FeatureKind::Numeric {
            let fitted = self.fit(scan, window, pool, f, threads)?;
            let drift = self.compare_one(f, Some(&fitted), &self.current)?;
            return Ok((fitted, drift));
        }
        STATTEST_BUFFERS.with_borrow_mut(|(r, c, scratch)| {
            // The fit decodes into `r`'s allocation: three columns per worker, not four.
            REFERENCE_BUFFER.with_borrow_mut(|b| std::mem::swap(b, r));
            let fitted = self.fit(scan, window, pool, f, threads);
            REFERENCE_BUFFER.with_borrow_mut(|b| std::mem::swap(b, r));
            let fitted = fitted?;
            c.clear();
            let mut kept = false;
            let drift = match self.compare_psi(f, Some(&fitted), &self.current, Some((c, &mut kept)))? {
                Ok(drift) => {
                    let buffers = (r, c, scratch);
                    Ok(self.with_numeric_stattests(f, drift, &self.current, buffers, (true, kept), threads)?)
                }
                skipped => skipped,
            };
            Ok((fitted, drift))
        })
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
        let mut results: Vec<_> = results.into_iter().collect::<Result<_, _>>()?;
        results.extend(self.unusable.iter().cloned().map(Err));
        Ok(summarise_results(results, self.psi.alpha))
    }

    /// One feature's drift in `window` against its profile (quantile mode) or its raw
    /// reference (Evidently mode).
    fn compare_one(
        &self,
        f: &FeatureSpec,
        profile: Option<&Result<FeatureProfile, SkippedFeature>>,
        window: &Window,
    ) -> Result<Result<FeatureDrift, SkippedFeature>, LoadError> {
        if self.psi.stattest.is_psi() {
            return self.compare_psi(f, profile, window, None);
        }
        if f.kind == FeatureKind::Numeric {
            // The current column is kept as the PSI counts it: the tests do not decode it again.
            return STATTEST_BUFFERS.with_borrow_mut(|(r, c, scratch)| {
                c.clear();
                let mut kept = false;
                match self.compare_psi(f, profile, window, Some((c, &mut kept)))? {
                    Ok(drift) => {
                        Ok(Ok(self.with_numeric_stattests(f, drift, window, (r, c, scratch), (false, kept), 1)?))
                    }
                    skipped => Ok(skipped),
                }
            });
        }
        match self.compare_psi(f, profile, window, None)? {
            Ok(drift) => Ok(Ok(self.with_stattests(f, drift, window)?)),
            skipped => Ok(skipped),
        }
    }

    /// Evidently's drift tests of `--stattest` on the feature's two windows, added to `drift`;
    /// the deciding test's call becomes `drifted`. Both windows are read again, whole: the
    /// default (`psi`) never comes here.
    fn with_stattests(&self, f: &FeatureSpec, drift: FeatureDrift, window: &Window) -> Result<FeatureDrift, LoadError> {
        let Reference::Data { scan, window: rw, .. } = &self.reference else { return Ok(drift) };
        let r = scan.categorical(&f.name, rw.scan_range())?;
        let c = self.current_scan.categorical(&f.name, window.scan_range())?;
        let keys: std::collections::BTreeSet<&String> = r.counts.keys().chain(c.counts.keys()).collect();
        let side = |x: &crate::rows::CategoryCounts| -> Vec<u64> {
            keys.iter().map(|k| x.counts.get(*k).copied().unwrap_or(0)).collect()
        };
        let (r, c) = (side(&r), side(&c));
        Ok(self.decide(drift, &Samples::Categorical { reference: &r, current: &c }))
    }

    /// [`Self::with_stattests`] of a numeric feature, in this worker's buffers (reused feature
    /// after feature): the reference side `r` is already there when `kept.0`, the current side
    /// `c` when `kept.1`. With more than one thread the two sides are sorted side by side.
    fn with_numeric_stattests(
        &self,
        f: &FeatureSpec,
        drift: FeatureDrift,
        window: &Window,
        (r, c, scratch): (&mut Vec<f64>, &mut Vec<f64>, &mut Vec<f64>),
        kept: (bool, bool),
        threads: usize,
    ) -> Result<FeatureDrift, LoadError> {
        let Reference::Data { scan, window: rw, .. } = &self.reference else { return Ok(drift) };
        if !kept.0 {
            scan.numeric_into(&f.name, rw.scan_range(), r, 1)?;
        }
        if !kept.1 {
            self.current_scan.numeric_into(&f.name, window.scan_range(), c, 1)?;
        }
        // With a second thread the reference is sorted beside the current side; a thread the
        // system refuses (a process limit) leaves it to this one.
        let mut other = Vec::new();
        let sorted_beside = std::thread::scope(|s| {
            let helper = (threads > 1)
                .then(|| std::thread::Builder::new().spawn_scoped(s, || order::sort_finite(r, &mut other)).ok())
                .flatten();
            order::sort_finite(c, scratch);
            helper.is_some()
        });
        if !sorted_beside {
            order::sort_finite(r, scratch);
        }
        Ok(self.decide(drift, &Samples::Numeric { reference: r, current: c }))
    }

    /// `--stattest`'s tests on `samples`, added to `drift`; the deciding test's call becomes
    /// `drifted`.
    fn decide(&self, mut drift: FeatureDrift, samples: &Samples<'_>) -> FeatureDrift {
        let (tests, decider) = stattests::chosen(self.psi.stattest, samples);
        for (test, value) in tests.iter().copied().zip(stattests::values(&tests, samples)) {
            let threshold = test.default_threshold();
            let statistic = Statistic {
                value,
                threshold,
                drifted: value.is_some_and(|v| test.drifted(v, threshold)),
                assumes_independent_rows: test.is_p_value(),
            };
            // The deciding test's call becomes the feature's; an undefined value (an empty or
            // all-missing side, a range a float cannot hold) decides nothing, and the PSI's
            // call stands (an all-missing current window is a drift the PSI sees).
            if Some(test) == decider {
                if value.is_some() {
                    drift.drifted = statistic.drifted;
                }
                drift.drift_test = Some(DriftTest { test: test.name().to_owned(), value, drifted: drift.drifted });
            }
            drift.statistics.insert(test.name().to_owned(), statistic);
        }
        drift
    }

    /// The PSI side of [`Self::compare_one`].
    fn compare_psi(
        &self,
        f: &FeatureSpec,
        profile: Option<&Result<FeatureProfile, SkippedFeature>>,
        window: &Window,
        keep: Option<(&mut Vec<f64>, &mut bool)>,
    ) -> Result<Result<FeatureDrift, SkippedFeature>, LoadError> {
        let options = &self.psi;
        Ok(match (options.mode, &self.reference, profile) {
            (BinningMode::Evidently, Reference::Data { scan, window: rw, .. }, _) => {
                let current = load(&self.current_scan, f, window)?;
                feature_drift(&f.name, load(scan, f, rw)?, &current, options).map_err(|e| skip(&f.name, &e))
            }
            (_, _, Some(Err(skipped))) => Err(skipped.clone()),
            (_, _, Some(Ok(profile))) => {
                let current = self.current_side(f, profile, window, keep)?;
                match compare(profile, &current, options) {
                    Err(e) => Err(skip(&f.name, &e)),
                    Ok(drift) => Ok(match options.significance {
                        SignificanceTest::Panel => {
                            let windows = PanelWindows {
                                daily: profile.daily.as_ref(),
                                reference_days: self.reference.days(),
                                current_days: window.days.len(),
                            };
                            let drift = with_panel_significance(drift, &windows, options);
                            self.with_within_day_view(f, drift, profile, window)?
                        }
                        SignificanceTest::Iid => drift,
                    }),
                }
            }
            (_, _, None) => unreachable!("quantile mode fits one profile per feature"),
        })
    }

    /// The within-day view of a numeric feature whose history decided `drifted` (see
    /// [`crate::drift::within_day`]), against its profile's fitted pool: one more read of the
    /// current window, by day. A saved profile holds no pool (it does not hold the rows the
    /// view centres), so with `--reference-profile` the level view decides alone.
    fn with_within_day_view(
        &self,
        f: &FeatureSpec,
        drift: FeatureDrift,
        profile: &FeatureProfile,
        window: &Window,
    ) -> Result<FeatureDrift, LoadError> {
        let (Some(pool), Some(DriftNull::History)) = (&profile.within_day, drift.drift_null) else {
            return Ok(drift);
        };
        let mut current = ByDay::default();
        self.current_scan
            .numeric_dated_chunks(&f.name, window.scan_range(), |values, days| current.add(values, days))?;
        Ok(match pool.compare(current, self.reference.days(), window.days.len(), self.psi.epsilon) {
            Some(view) => with_within_day(drift, &view, &self.psi),
            None => drift,
        })
    }

    /// The current side of a feature against its profile: a numeric column is counted over the
    /// profile's edges chunk by chunk, without copying it, unless `keep` asks for its values
    /// (then appended to the buffer, chunk by chunk while in cache, and the flag set).
    fn current_side(
        &self,
        f: &FeatureSpec,
        profile: &FeatureProfile,
        window: &Window,
        keep: Option<(&mut Vec<f64>, &mut bool)>,
    ) -> Result<Column, LoadError> {
        match (&profile.bins, f.kind) {
            (ProfileBins::Numeric { edges, .. }, FeatureKind::Numeric) => {
                let mut counts = vec![0_u64; edges.value_bins() + 1];
                let range = window.scan_range();
                match keep {
                    Some((values, kept)) => {
                        self.current_scan.numeric_chunks(&f.name, range, |chunk| {
                            edges.count_into(&mut counts, chunk);
                            values.extend_from_slice(chunk);
                        })?;
                        *kept = true;
                    }
                    None => self
                        .current_scan
                        .numeric_chunks(&f.name, range, |chunk| edges.count_into(&mut counts, chunk))?,
                }
                Ok(Column::Counted(counts))
            }
            _ => load(&self.current_scan, f, window),
        }
    }

    pub(super) fn raw_reference(&self, what: &'static str) -> Result<(&Scan, &Window), AnalysisError> {
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
        Ok(feature_drift(sector, Column::Categorical(r), &Column::Categorical(c), &self.psi).ok())
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
        let panel = self.psi.significance == SignificanceTest::Panel && self.psi.mode == BinningMode::Quantile;
        for f in self.features.iter().filter(|f| f.name != sector) {
            if panel && f.kind == FeatureKind::Numeric {
                self.sector_panel(scan, window, f, &mut per)?;
                continue;
            }
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
                match feature_drift(&f.name, r, &current, &self.psi) {
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

    /// One numeric feature's PSI within every sector with the panel test: one read of the
    /// pooled days (history and reference) by sector and day, the reference taken from it, the
    /// sector's profile fitted and its per-day counts counted, then the current side.
    fn sector_panel(
        &self,
        scan: &Scan,
        window: &Window,
        f: &FeatureSpec,
        per: &mut BTreeMap<String, (Vec<FeatureDrift>, Vec<SkippedFeature>)>,
    ) -> Result<(), AnalysisError> {
        let sector = self.settings.columns.sector.as_str();
        let Reference::Data { pool, .. } = &self.reference else { return Ok(()) };
        let mut pooled = scan.numeric_dated_by(&f.name, sector, Some(*pool))?;
        let (from, to) = (date_to_days(window.range.from()), date_to_days(window.range.to()));
        for (s, current) in self.current_scan.numeric_by(&f.name, sector, self.current.scan_range())? {
            let entry = per.entry(s.clone()).or_default();
            let Some((values, days)) = pooled.remove(&s) else {
                entry.1.push(SkippedFeature {
                    feature: f.name.clone(),
                    reason: format!("sector `{s}` has no reference rows"),
                });
                continue;
            };
            let reference: Vec<f64> =
                values.iter().zip(&days).filter(|(_, d)| (from..=to).contains(*d)).map(|(v, _)| *v).collect();
            let fitted = FeatureProfile::fit_numeric(&f.name, &reference, self.psi.bins).and_then(|mut profile| {
                if let ProfileBins::Numeric { edges, .. } = &profile.bins {
                    // The counter's table of days takes rows in any order.
                    let mut counter = DayCounter::new(edges);
                    counter.add(&values, &days);
                    profile.daily = Some(counter.finish());
                }
                let drift = compare(&profile, &Column::Numeric(current), &self.psi)?;
                let windows = PanelWindows {
                    daily: profile.daily.as_ref(),
                    reference_days: window.days.len(),
                    current_days: self.current.days.len(),
                };
                Ok(with_panel_significance(drift, &windows, &self.psi))
            });
            match fitted {
                Ok(d) => entry.0.push(d),
                Err(e) => entry.1.push(skip(&f.name, &e)),
            }
        }
        Ok(())
    }
}
