//! Drift of one feature: bins the two sides, computes PSI and its significance, and assigns a
//! level. Pure: it takes plain vectors and counts, never a `DataFrame`.

use super::binning::{histogram_counts, sturges_edges};
use super::column::{Column, FeatureError};
use super::daily::DailyCounts;
use super::dependence::Dependence;
use super::history::{HistoryNull, joint_test, pair_psis};
use super::profile::{FeatureProfile, ProfileBins, union_categories};
use super::psi::{PsiTerms, psi_evidently, psi_quantile};
use super::significance::{PanelInput, panel, significance};
use super::within_day::WithinDay;
use crate::options::{BinningMode, Level, PsiOptions, SignificanceTest};
use crate::result::{Bin, CriticalByNull, DesignEffect, DriftNull, FeatureDrift, FeatureKind, WithinDayDrift};
use crate::rows::CategoryCounts;

/// The windows' shape and the pooled per-day counts the panel test needs.
#[derive(Debug, Clone, Copy)]
pub struct PanelWindows<'a> {
    /// Per-day counts of the days up to the reference window's end (history and reference),
    /// over the profile's bins; `None` when they were not counted.
    pub daily: Option<&'a DailyCounts>,
    /// Trading days of the reference window.
    pub reference_days: usize,
    /// Trading days of the current window.
    pub current_days: usize,
}

/// Re-decides `drift`'s significance with the dependence-aware test (see
/// [`super::significance`]): the two calls and their nulls are replaced (`shifted` from the
/// dependence model, `drifted` from the history or, without one, the model), the effective
/// sizes, design effects and expected PSI filled in. PSI and the bins are unchanged. An
/// undefined test leaves the p-values and critical PSIs null, the reason in
/// `significance_note`, and the feature neither shifted nor drifted.
#[must_use]
pub fn with_panel_significance(
    mut drift: FeatureDrift,
    windows: &PanelWindows<'_>,
    options: &PsiOptions,
) -> FeatureDrift {
    let reference: Vec<u64> = drift.bins.iter().map(|b| b.reference_count).collect();
    let current: Vec<u64> = drift.bins.iter().map(|b| b.current_count).collect();
    let daily = windows.daily.map(|d| d.counts.as_slice()).unwrap_or_default();
    let dependence = Dependence::estimate(daily, windows.reference_days.max(windows.current_days));
    let pairs = pair_psis(daily, windows.reference_days, windows.current_days, options.epsilon);
    let history = pairs
        .as_ref()
        .map(|p| HistoryNull::of_day_ordered_pairs(p.clone(), windows.reference_days, windows.current_days));
    let input = PanelInput {
        reference: &reference,
        current: &current,
        reference_days: windows.reference_days,
        current_days: windows.current_days,
        dependence: dependence.as_ref(),
        history: history.as_ref(),
        alpha: options.alpha,
        epsilon: options.epsilon,
    };
    drift.significance_test = SignificanceTest::Panel;
    match panel(drift.psi, &input) {
        Ok(s) => {
            drift.p_value = Some(s.p_value);
            drift.critical_psi = Some(s.critical_psi);
            drift.shift_p_value = Some(s.shift_p_value);
            drift.shift_critical_psi = Some(s.shift_critical_psi);
            drift.drift_null = Some(s.drift_null);
            drift.degrees_of_freedom = Some(s.degrees_of_freedom);
            drift.shifted = drift.psi > s.shift_critical_psi;
            drift.drifted = drift.level != Level::Stable && drift.psi > s.critical_psi;
            drift.expected_psi = Some(s.expected_psi);
            drift.effective_reference_rows = Some(s.effective_reference_rows);
            drift.effective_current_rows = Some(s.effective_current_rows);
            drift.design_effect =
                Some(DesignEffect { reference: s.design_effect_reference, current: s.design_effect_current });
            drift.null_method = Some(s.null);
            drift.history_windows = s.history_windows;
            drift.history_stretches = s.history_stretches;
            drift.critical_psi_by_null = Some(CriticalByNull {
                model: s.model_critical_psi,
                history: s.history_critical_psi,
                ordinary_history: s.ordinary_history_critical_psi,
            });
            drift.history_p_value = s.history_p_value;
            // The past pairs by the first day of their current window, for the dataset-level
            // call's calibration across features (see `drift::multiplicity`), whenever the
            // history can test by its own small-sample rule (also where the model decides this
            // feature's own call); a short history's prediction bound is not such a test.
            if let (true, Some(pairs), Some(d)) = (s.history_tested, pairs, windows.daily) {
                let first = windows.reference_days;
                drift.history_pairs = d.days[first..].iter().copied().zip(pairs).collect();
            }
            drift.significance_note = None;
        }
        Err(reason) => {
            drift.p_value = None;
            drift.critical_psi = None;
            drift.shift_p_value = None;
            drift.shift_critical_psi = None;
            drift.shifted = false;
            drift.drifted = false;
            drift.significance_note = Some(reason);
        }
    }
    drift
}

/// Adds the within-day view `within` to a feature whose history decided `drifted` (see
/// [`super::within_day`]): the joint history test of the two views ([`super::history::Joint`]) replaces the
/// history's own. `p_value` is the joint test's, `critical_psi` the level PSI's critical value
/// under it, and `drifted` is called when either view's PSI is beyond its critical value and
/// at least `moderate` (its own size, as the level view alone asks of its PSI). `shifted` is
/// left as it is: a within-day drift moved the symbols' spread, not the market's level, so it
/// is a drift without a shift. The past pairs the dataset-level call calibrates on become the
/// joint statistics. Unchanged when the joint test is undefined (see [`joint_test`]).
#[must_use]
pub fn with_within_day(mut drift: FeatureDrift, within: &WithinDay, options: &PsiOptions) -> FeatureDrift {
    let (Some(DriftNull::History), Some(stretches)) = (drift.drift_null, drift.history_stretches) else {
        return drift;
    };
    let level_pairs: Vec<f64> = drift.history_pairs.iter().map(|(_, p)| *p).collect();
    let Some(joint) = joint_test((drift.psi, &level_pairs), (within.psi, &within.pairs), stretches, options.alpha)
    else {
        return drift;
    };
    let sized = |psi: f64| options.thresholds.level(psi) != Level::Stable;
    drift.p_value = Some(joint.p_value);
    drift.history_p_value = Some(joint.p_value);
    drift.critical_psi = Some(joint.level_critical_psi);
    let within_drifted = sized(within.psi) && within.psi > joint.within_critical_psi;
    drift.drifted = (sized(drift.psi) && drift.psi > joint.level_critical_psi) || within_drifted;
    for (pair, t) in drift.history_pairs.iter_mut().zip(&joint.pairs) {
        pair.1 = *t;
    }
    drift.within_day = Some(WithinDayDrift {
        scale: within.scale,
        psi: within.psi,
        critical_psi: joint.within_critical_psi,
        joint_statistic: joint.statistic,
        joint_critical: joint.critical,
        drifted: within_drifted,
    });
    drift
}

/// Computes the drift of `name` between `reference` and `current`.
///
/// In quantile mode this fits a [`FeatureProfile`] of the reference and [`compare`]s the current
/// column against it, so a saved profile gives exactly the same numbers.
///
/// # Errors
/// [`FeatureError`] when the feature cannot be computed.
pub fn feature_drift(
    name: &str,
    reference: Column,
    current: &Column,
    options: &PsiOptions,
) -> Result<FeatureDrift, FeatureError> {
    let numeric = |c: &Column| !matches!(c, Column::Categorical(_));
    if numeric(&reference) != numeric(current) {
        return Err(FeatureError::KindMismatch(name.to_owned()));
    }
    match options.mode {
        BinningMode::Quantile => compare(&FeatureProfile::fit(name, reference, options.bins)?, current, options),
        BinningMode::Evidently => evidently(name, &reference, current, options),
    }
}

/// Quantile-mode drift of `current` against a fitted reference `profile`.
///
/// # Errors
/// [`FeatureError::KindMismatch`] when `current` is of the other kind.
pub fn compare(profile: &FeatureProfile, current: &Column, options: &PsiOptions) -> Result<FeatureDrift, FeatureError> {
    let aligned = profile.align(current)?;
    let (kind, mut labels) = match &profile.bins {
        ProfileBins::Numeric { edges, .. } => {
            let e = edges.as_slice();
            let labels = (0..edges.value_bins())
                .map(|i| BinLabel::Interval {
                    lower: i.checked_sub(1).map(|j| e[j]),
                    upper: e.get(i).copied(),
                    closed_right: true,
                })
                .collect::<Vec<_>>();
            (FeatureKind::Numeric, labels)
        }
        ProfileBins::Categorical { .. } => {
            (FeatureKind::Categorical, aligned.categories.iter().cloned().map(BinLabel::Category).collect())
        }
    };
    labels.push(BinLabel::Missing);
    let (cur_missing, cur_rows) = missing_of(current);
    let table = BinTable { labels, reference: aligned.reference, current: aligned.current, unseen: aligned.unseen };
    Ok(finish(&profile.feature, kind, table, options, (profile.missing, profile.rows), (cur_missing, cur_rows)))
}

fn evidently(
    name: &str,
    reference: &Column,
    current: &Column,
    options: &PsiOptions,
) -> Result<FeatureDrift, FeatureError> {
    let (kind, table) = match (reference, current) {
        (Column::Numeric(r), Column::Numeric(c)) => (FeatureKind::Numeric, numeric_evidently(name, r, c)?),
        (Column::Categorical(r), Column::Categorical(c)) => {
            if r.counts.is_empty() {
                return Err(FeatureError::AllNullReference(name.to_owned()));
            }
            (FeatureKind::Categorical, categorical_evidently(r, c))
        }
        _ => return Err(FeatureError::KindMismatch(name.to_owned())),
    };
    Ok(finish(name, kind, table, options, missing_of(reference), missing_of(current)))
}

/// (missing rows, all rows) of one side.
fn missing_of(column: &Column) -> (u64, u64) {
    match column {
        Column::Numeric(v) => (count_nan(v), v.len() as u64),
        Column::Counted(c) => (c.last().copied().unwrap_or(0), c.iter().sum()),
        Column::Categorical(c) => (c.missing, c.rows()),
    }
}

/// PSI, significance and level over an aligned bin table.
fn finish(
    name: &str,
    kind: FeatureKind,
    table: BinTable,
    options: &PsiOptions,
    reference: (u64, u64),
    current: (u64, u64),
) -> FeatureDrift {
    let terms = match options.mode {
        BinningMode::Quantile => psi_quantile(&table.reference, &table.current, options.epsilon),
        BinningMode::Evidently => psi_evidently(&table.reference, &table.current),
    };
    let used_ref: u64 = table.reference.iter().sum();
    let used_cur: u64 = table.current.iter().sum();
    let live_bins = table.reference.iter().zip(&table.current).filter(|(r, c)| **r + **c > 0).count();
    let sig = significance(terms.psi.get(), used_ref, used_cur, live_bins, options.alpha);
    let psi = terms.psi.get();
    let level = options.thresholds.level(psi);
    // One null under `iid`: the same χ² decides both calls.
    let shifted = sig.is_some_and(|s| psi > s.critical_psi);
    let drifted = level != Level::Stable && sig.is_none_or(|s| psi > s.critical_psi);
    FeatureDrift {
        feature: name.to_owned(),
        kind,
        psi,
        level,
        p_value: sig.map(|s| s.p_value),
        critical_psi: sig.map(|s| s.critical_psi),
        degrees_of_freedom: sig.map(|s| s.degrees_of_freedom),
        shift_p_value: sig.map(|s| s.p_value),
        shift_critical_psi: sig.map(|s| s.critical_psi),
        shifted,
        drifted,
        drift_null: None,
        reference_rows: reference.1,
        current_rows: current.1,
        reference_missing_ratio: ratio(reference.0, reference.1),
        current_missing_ratio: ratio(current.0, current.1),
        bins: bins_from(table.labels, &table.reference, &table.current, &terms),
        unseen_categories: table.unseen,
        significance_test: SignificanceTest::Iid,
        significance_note: sig.is_none().then(|| "fewer than two bins hold rows, or a side has no row".to_owned()),
        expected_psi: sig.map(|s| s.degrees_of_freedom as f64 * s.scale),
        effective_reference_rows: None,
        effective_current_rows: None,
        design_effect: None,
        null_method: None,
        history_windows: None,
        history_stretches: None,
        critical_psi_by_null: None,
        history_pairs: Vec::new(),
        within_day: None,
        history_p_value: None,
        statistics: std::collections::BTreeMap::new(),
        drift_test: None,
    }
}

/// Aligned counts over a feature's bins, with how to describe each bin.
struct BinTable {
    labels: Vec<BinLabel>,
    reference: Vec<u64>,
    current: Vec<u64>,
    unseen: Vec<String>,
}

enum BinLabel {
    Interval { lower: Option<f64>, upper: Option<f64>, closed_right: bool },
    Category(String),
    Missing,
}

fn numeric_evidently(name: &str, reference: &[f64], current: &[f64]) -> Result<BinTable, FeatureError> {
    let r: Vec<f64> = reference.iter().copied().filter(|x| x.is_finite()).collect();
    let c: Vec<f64> = current.iter().copied().filter(|x| x.is_finite()).collect();
    if r.is_empty() {
        return Err(FeatureError::AllNullReference(name.to_owned()));
    }
    let mut distinct_ref: Vec<f64> = r.clone();
    distinct_ref.sort_by(f64::total_cmp);
    distinct_ref.dedup();
    if distinct_ref.len() > 20 {
        let (min, max) =
            r.iter().chain(&c).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let edges =
            sturges_edges(min, max, r.len() + c.len()).ok_or_else(|| FeatureError::RangeOverflow(name.to_owned()))?;
        let n = edges.len() - 1;
        let labels = (0..n)
            .map(|i| BinLabel::Interval { lower: Some(edges[i]), upper: Some(edges[i + 1]), closed_right: i == n - 1 })
            .collect();
        return Ok(BinTable {
            labels,
            reference: histogram_counts(&r, &edges),
            current: histogram_counts(&c, &edges),
            unseen: Vec::new(),
        });
    }
    // One bin per distinct value of reference ∪ current.
    let mut keys: Vec<f64> = r.iter().chain(&c).copied().collect();
    keys.sort_by(f64::total_cmp);
    keys.dedup();
    let count = |values: &[f64]| {
        let mut counts = vec![0_u64; keys.len()];
        for x in values {
            if let Ok(i) = keys.binary_search_by(|k| k.total_cmp(x)) {
                counts[i] += 1;
            }
        }
        counts
    };
    Ok(BinTable {
        reference: count(&r),
        current: count(&c),
        labels: keys.iter().map(|k| BinLabel::Category(format_number(*k))).collect(),
        unseen: Vec::new(),
    })
}

/// Evidently's categorical bins: one per value of reference ∪ current, no missing bin.
fn categorical_evidently(reference: &CategoryCounts, current: &CategoryCounts) -> BinTable {
    let aligned = union_categories(&reference.counts, &current.counts);
    BinTable {
        labels: aligned.categories.into_iter().map(BinLabel::Category).collect(),
        reference: aligned.reference,
        current: aligned.current,
        unseen: aligned.unseen,
    }
}

fn bins_from(labels: Vec<BinLabel>, reference: &[u64], current: &[u64], terms: &PsiTerms) -> Vec<Bin> {
    labels
        .into_iter()
        .enumerate()
        .map(|(i, label)| {
            let (label, lower, upper) = match label {
                BinLabel::Interval { lower, upper, closed_right } => {
                    let lo = lower.map_or_else(|| "-inf".to_owned(), format_number);
                    let hi = upper.map_or_else(|| "+inf".to_owned(), format_number);
                    let text = if closed_right { format!("({lo}, {hi}]") } else { format!("[{lo}, {hi})") };
                    (text, lower, upper)
                }
                BinLabel::Category(c) => (c, None, None),
                BinLabel::Missing => ("missing".to_owned(), None, None),
            };
            Bin {
                label,
                lower,
                upper,
                reference_count: reference[i],
                current_count: current[i],
                reference_proportion: terms.reference[i],
                current_proportion: terms.current[i],
                contribution: terms.contribution[i],
            }
        })
        .collect()
}

fn count_nan(values: &[f64]) -> u64 {
    values.iter().filter(|x| x.is_nan()).count() as u64
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// Shortest text that reads back as the same `f64`.
fn format_number(x: f64) -> String {
    format!("{x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(name: &str, r: Vec<f64>, c: Vec<f64>, mode: BinningMode) -> FeatureDrift {
        let options = PsiOptions { mode, ..PsiOptions::default() };
        feature_drift(name, Column::Numeric(r), &Column::Numeric(c), &options).unwrap()
    }

    #[test]
    fn the_within_day_view_calls_drifted_on_its_own_size_and_leaves_shifted_alone() {
        // A feature whose history decided: 1,000 past pairs over 10 stretches, the level
        // view's 99th percentile 0.9801, the within-day view's 0.09801 (see history's tests).
        let level: Vec<f64> = (0..1000).map(|i| f64::from(i % 100) / 100.0).collect();
        let within: Vec<f64> = (0..1000).map(|i| f64::from((i + 50) % 100) / 1000.0).collect();
        let mut base =
            numeric("x", (0..100).map(f64::from).collect(), (0..100).map(f64::from).collect(), BinningMode::Quantile);
        base.drift_null = Some(DriftNull::History);
        base.history_stretches = Some(10);
        base.history_pairs = level.iter().enumerate().map(|(i, p)| (i as i32, *p)).collect();
        base.psi = 0.05;
        base.level = Level::Stable;
        let options = PsiOptions::default();
        let view = |psi: f64| WithinDay { scale: crate::result::CentreScale::Level, psi, pairs: within.clone() };
        // The within-day PSI 0.3: beyond its critical PSI and moderate. Drifted, not shifted; the
        // pairs become the joint statistics.
        let d = with_within_day(base.clone(), &view(0.3), &options);
        let w = d.within_day.unwrap();
        assert!(d.drifted && !d.shifted && w.drifted);
        assert!((w.joint_statistic - 0.3 / 0.09801).abs() < 1e-9);
        assert_eq!(d.p_value, Some(1.0 / 1001.0));
        assert!((d.critical_psi.unwrap() - w.joint_critical * 0.9801).abs() < 1e-9);
        assert!((d.history_pairs[49].1 - (0.49_f64 / 0.9801).max(0.099 / 0.09801)).abs() < 1e-12);
        // 0.09 is beyond its critical PSI too, but not moderate: not drifted.
        let small = with_within_day(base.clone(), &view(0.09), &options);
        assert!(!small.drifted && !small.within_day.unwrap().drifted);
        // Nor does a moderate level PSI that is not beyond its own critical PSI lend it size.
        let mut moderate = base.clone();
        (moderate.psi, moderate.level) = (0.15, Level::Moderate);
        assert!(!with_within_day(moderate, &view(0.09), &options).drifted);
        // A within-day view that never moved: the feature is left as it was.
        let flat = WithinDay { scale: crate::result::CentreScale::Level, psi: 0.3, pairs: vec![0.0; 1000] };
        assert_eq!(with_within_day(base.clone(), &flat, &options), base);
    }

    fn cat_counts(s: &str) -> Column {
        let strings: Vec<String> = s.chars().map(|c| c.to_string()).collect();
        Column::Categorical(CategoryCounts::from_values(
            strings.iter().map(|x| if x == "." { None } else { Some(x.as_str()) }),
        ))
    }

    #[test]
    fn evidently_numeric_vector() {
        // Evidently 0.7.23: reference 0..999 vs current 500..1499 → 7.125194 (12 bins).
        let r: Vec<f64> = (0..1000).map(f64::from).collect();
        let c: Vec<f64> = (500..1500).map(f64::from).collect();
        let d = numeric("x", r, c, BinningMode::Evidently);
        assert_eq!(d.bins.len(), 12);
        assert!((d.psi - 7.125_194).abs() < 5e-7, "psi = {}", d.psi);
    }

    #[test]
    fn evidently_categorical_vector() {
        // Evidently 0.7.23: "aaabbc"×100 vs "aabbbd"×100 → 2.606532.
        let options = PsiOptions { mode: BinningMode::Evidently, ..PsiOptions::default() };
        let d = feature_drift("c", cat_counts(&"aaabbc".repeat(100)), &cat_counts(&"aabbbd".repeat(100)), &options)
            .unwrap();
        assert!((d.psi - 2.606_532).abs() < 5e-7, "psi = {}", d.psi);
        assert_eq!(d.unseen_categories, vec!["d".to_owned()]);
    }

    #[test]
    fn quantile_mode_hand_computed() {
        // Reference 1..=10, k = 2: median 5.5 → bins (−∞,5.5], (5.5,+∞), missing.
        // Reference counts 5,5,0; current [1,2,3,NaN] → 3,0,1 of 4.
        let r: Vec<f64> = (1..=10).map(f64::from).collect();
        let options = PsiOptions { bins: 2, ..PsiOptions::default() };
        let d =
            feature_drift("x", Column::Numeric(r), &Column::Numeric(vec![1.0, 2.0, 3.0, f64::NAN]), &options).unwrap();
        let eps = 1e-4_f64;
        let expected =
            (0.5 - 0.75) * (0.5_f64 / 0.75).ln() + (0.5 - eps) * (0.5 / eps).ln() + (eps - 0.25) * (eps / 0.25).ln();
        assert!((d.psi - expected).abs() < 1e-12);
        assert_eq!(d.bins.len(), 3);
        assert_eq!(d.bins[2].label, "missing");
        assert!((d.current_missing_ratio - 0.25).abs() < 1e-15);
        assert_eq!(d.degrees_of_freedom, Some(2));
    }

    #[test]
    fn unseen_categories_are_listed_and_binned() {
        let d = feature_drift("s", cat_counts("aab."), &cat_counts("abcc"), &PsiOptions::default()).unwrap();
        assert_eq!(d.unseen_categories, vec!["c".to_owned()]);
        let labels: Vec<&str> = d.bins.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, vec!["a", "b", "c", "missing"]);
    }

    #[test]
    fn all_null_reference_is_a_feature_error() {
        let err = feature_drift(
            "pe_ratio",
            Column::Numeric(vec![f64::NAN; 4]),
            &Column::Numeric(vec![1.0]),
            &PsiOptions::default(),
        );
        assert_eq!(err, Err(FeatureError::AllNullReference("pe_ratio".into())));
    }
}
