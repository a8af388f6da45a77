//! Joining predictions with their delayed outcomes, as known on the as-of date. Pure: plain rows
//! in, counts and metrics out.
//!
//! * Predictions are inner-joined with outcomes on `(symbol, as_of)`, plus `model_version` when
//!   the outcomes carry it.
//! * Only outcomes with `observed_at ≤ cutoff` count (the run's `--as-of`), so re-running an old
//!   date reproduces exactly what was known that day.
//! * A prediction without a known outcome is *pending*, never dropped silently. An outcome
//!   matching no prediction is counted in `unmatched_outcomes`, then ignored.
//! * The label lag is counted in trading days in `(as_of, observed_at]`: the days present in the
//!   data, then the Sunday–Thursday rule past the last known day.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::metrics::{Labelled, metrics};
use crate::calendar::trading_days_in;
use crate::result::{PerformanceGroup, PerformanceReport};
use crate::rows::{Outcome, Prediction};

/// What the breakdown is by; also the `--by` flag's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// One group per model version (the default).
    #[value(help = "Per model version (default)")]
    ModelVersion,
    /// One group per sector.
    #[value(help = "Per sector (also PSI per sector and the sector mix)")]
    Sector,
    /// One group per symbol.
    #[value(help = "Per symbol (performance only)")]
    Symbol,
}

impl GroupBy {
    /// Name as shown in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ModelVersion => "model_version",
            Self::Sector => "sector",
            Self::Symbol => "symbol",
        }
    }
}

/// How to grade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvalOptions {
    /// `actual_label` value that counts as positive.
    pub positive_label: i64,
    /// `predicted_label = proba ≥ threshold` when the file has no label.
    pub threshold: f64,
    /// Outcomes observed after this day are not known yet.
    pub cutoff: NaiveDate,
    /// Breakdown.
    pub by: GroupBy,
}

/// Invalid prediction or outcome rows. Each names the offending column and up to five keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    /// A label outside {0, 1}.
    #[error("column `{column}` holds values outside {{0, 1}} (e.g. {sample})")]
    LabelOutOfRange {
        /// `predicted_label` or `actual_label`.
        column: String,
        /// Sample of offending keys.
        sample: String,
    },
    /// A probability that is null, NaN or outside [0, 1].
    #[error("column `predicted_proba` holds values that are null, NaN or outside [0, 1] (e.g. {sample})")]
    ProbaOutOfRange {
        /// Sample of offending keys.
        sample: String,
    },
    /// Duplicate rows for one key.
    #[error("duplicate rows for the same ({key}) (e.g. {sample})")]
    Duplicate {
        /// The key's columns.
        key: String,
        /// Sample of offending keys.
        sample: String,
    },
    /// `observed_at` earlier than `as_of`.
    #[error("column `observed_at` is earlier than `as_of` (e.g. {sample})")]
    ObservedBeforeAsOf {
        /// Sample of offending keys.
        sample: String,
    },
}

const SAMPLE: usize = 5;

fn sample<T>(rows: &[T], bad: impl Fn(&T) -> bool, key: impl Fn(&T) -> String) -> Option<String> {
    let keys: Vec<String> = rows.iter().filter(|r| bad(r)).take(SAMPLE).map(key).collect();
    (!keys.is_empty()).then(|| keys.join(", "))
}

fn pkey(p: &Prediction) -> String {
    format!("{} {} {}", p.symbol, p.as_of, p.model_version)
}

fn okey(o: &Outcome) -> String {
    format!("{} {}", o.symbol, o.as_of)
}

/// Checks prediction rows: labels in {0,1}, probabilities in [0,1], no duplicate
/// `(symbol, as_of, model_version)`.
///
/// # Errors
/// The first kind of problem found, with a sample of keys.
pub fn validate_predictions(rows: &[Prediction]) -> Result<(), RowError> {
    if let Some(sample) = sample(rows, |p| !(0.0..=1.0).contains(&p.proba), pkey) {
        return Err(RowError::ProbaOutOfRange { sample });
    }
    if let Some(sample) = sample(rows, |p| p.label.is_some_and(|l| l != 0 && l != 1), pkey) {
        return Err(RowError::LabelOutOfRange { column: "predicted_label".into(), sample });
    }
    duplicates(rows, |p| (p.symbol.as_str(), p.as_of, Some(p.model_version.as_str())), pkey)
        .map_or(Ok(()), |sample| Err(RowError::Duplicate { key: "symbol, as_of, model_version".into(), sample }))
}

/// Checks outcome rows: labels in {0,1}, `observed_at ≥ as_of`, no duplicate `(symbol, as_of)`
/// (per model version when the outcomes carry one).
///
/// # Errors
/// The first kind of problem found, with a sample of keys.
pub fn validate_outcomes(rows: &[Outcome]) -> Result<(), RowError> {
    if let Some(sample) = sample(rows, |o| o.actual != 0 && o.actual != 1, okey) {
        return Err(RowError::LabelOutOfRange { column: "actual_label".into(), sample });
    }
    if let Some(sample) = sample(rows, |o| o.observed_at < o.as_of, okey) {
        return Err(RowError::ObservedBeforeAsOf { sample });
    }
    duplicates(rows, |o| (o.symbol.as_str(), o.as_of, o.model_version.as_deref()), okey)
        .map_or(Ok(()), |sample| Err(RowError::Duplicate { key: "symbol, as_of".into(), sample }))
}

/// A row's key, borrowed from the row: checking a window of rows copies no string.
type Key<'a> = (&'a str, NaiveDate, Option<&'a str>);

fn duplicates<'a, T>(rows: &'a [T], key: impl Fn(&'a T) -> Key<'a>, show: impl Fn(&T) -> String) -> Option<String> {
    let mut seen: HashSet<Key<'a>> = HashSet::with_capacity(rows.len());
    let mut dups: Vec<String> = Vec::new();
    for r in rows {
        if !seen.insert(key(r)) && dups.len() < SAMPLE {
            dups.push(show(r));
        }
    }
    (!dups.is_empty()).then(|| dups.join(", "))
}

/// The outcomes known by a cutoff, by their key: `(symbol, as_of)`, plus `model_version` when
/// any known outcome carries one.
struct Known<'a> {
    index: HashMap<Key<'a>, &'a Outcome>,
    with_version: bool,
}

impl<'a> Known<'a> {
    fn index(outcomes: &'a [Outcome], cutoff: NaiveDate) -> Self {
        let known: Vec<&Outcome> = outcomes.iter().filter(|o| o.observed_at <= cutoff).collect();
        let with_version = known.iter().any(|o| o.model_version.is_some());
        let index = known
            .into_iter()
            .map(|o| ((o.symbol.as_str(), o.as_of, if with_version { o.model_version.as_deref() } else { None }), o))
            .collect();
        Self { index, with_version }
    }

    /// A prediction's key in the index.
    fn key<'p>(&self, p: &'p Prediction) -> Key<'p> {
        (p.symbol.as_str(), p.as_of, self.with_version.then_some(p.model_version.as_str()))
    }

    /// The known outcome of a prediction.
    fn get(&self, p: &Prediction) -> Option<&'a Outcome> {
        self.index.get(&self.key(p)).copied()
    }
}

/// Grades `predictions` (already restricted to the evaluation window) against `outcomes`.
/// `sectors` maps symbol → sector for `GroupBy::Sector`; `calendar` holds the trading days
/// present in the data (sorted), for the label lag.
#[must_use]
pub fn evaluate<S: std::hash::BuildHasher>(
    predictions: &[Prediction],
    outcomes: &[Outcome],
    sectors: &HashMap<String, String, S>,
    calendar: &[NaiveDate],
    options: &EvalOptions,
) -> PerformanceReport {
    let known = Known::index(outcomes, options.cutoff);
    let mut matched: HashSet<Key> = HashSet::new();
    let mut all = Accumulator::default();
    let mut groups: BTreeMap<String, Accumulator> = BTreeMap::new();
    for p in predictions {
        let key = known.key(p);
        let outcome = known.get(p);
        if outcome.is_some() {
            matched.insert(key);
        }
        let group = match options.by {
            GroupBy::ModelVersion => p.model_version.clone(),
            GroupBy::Symbol => p.symbol.clone(),
            GroupBy::Sector => sectors.get(&p.symbol).cloned().unwrap_or_else(|| "unknown".into()),
        };
        all.add(p, outcome, calendar, options);
        groups.entry(group).or_default().add(p, outcome, calendar, options);
    }
    PerformanceReport {
        positive_label: options.positive_label,
        threshold: options.threshold,
        by: options.by.as_str().to_owned(),
        unmatched_outcomes: (known.index.len() - matched.len()) as u64,
        overall: all.finish("all".into()),
        groups: groups.into_iter().map(|(k, acc)| acc.finish(k)).collect(),
        estimated: None,
        concept_drift: None,
    }
}

/// The predictions with an outcome known by the cutoff, each with its labelled form, in the
/// predictions' order.
#[must_use]
pub fn labelled<'a>(
    predictions: &'a [Prediction],
    outcomes: &[Outcome],
    options: &EvalOptions,
) -> Vec<(&'a Prediction, Labelled)> {
    let known = Known::index(outcomes, options.cutoff);
    predictions.iter().filter_map(|p| known.get(p).map(|o| (p, to_labelled(p, o, options)))).collect()
}

/// Whether `p` predicts the positive label: its label, else `proba ≥ threshold`.
#[must_use]
pub fn predicts_positive(p: &Prediction, options: &EvalOptions) -> bool {
    p.label.unwrap_or(i64::from(p.proba >= options.threshold)) == options.positive_label
}

/// The score of the positive label.
#[must_use]
pub fn positive_score(p: &Prediction, options: &EvalOptions) -> f64 {
    if options.positive_label == 1 { p.proba } else { 1.0 - p.proba }
}

fn to_labelled(p: &Prediction, o: &Outcome, options: &EvalOptions) -> Labelled {
    Labelled {
        score: positive_score(p, options),
        predicted_positive: predicts_positive(p, options),
        actual_positive: o.actual == options.positive_label,
    }
}

#[derive(Default)]
struct Accumulator {
    predictions: u64,
    labelled: Vec<Labelled>,
    lags: Vec<u32>,
}

impl Accumulator {
    fn add(&mut self, p: &Prediction, outcome: Option<&Outcome>, calendar: &[NaiveDate], options: &EvalOptions) {
        self.predictions += 1;
        let Some(o) = outcome else { return };
        self.labelled.push(to_labelled(p, o, options));
        self.lags.push(trading_days_in(calendar, o.as_of, o.observed_at));
    }

    fn finish(mut self, key: String) -> PerformanceGroup {
        let labelled = self.labelled.len() as u64;
        self.lags.sort_unstable();
        PerformanceGroup {
            key,
            predictions: self.predictions,
            labelled,
            pending: self.predictions - labelled,
            label_coverage: (self.predictions > 0).then(|| labelled as f64 / self.predictions as f64),
            label_lag_median_days: median(&self.lags),
            label_lag_max_days: self.lags.last().copied(),
            metrics: metrics(&self.labelled),
        }
    }
}

fn median(sorted: &[u32]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    Some(if n % 2 == 1 {
        f64::from(sorted[n / 2])
    } else {
        f64::midpoint(f64::from(sorted[n / 2 - 1]), f64::from(sorted[n / 2]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn pred(sym: &str, day: &str, proba: f64) -> Prediction {
        Prediction { as_of: d(day), symbol: sym.into(), model_version: "m1".into(), proba, label: None }
    }

    fn out(sym: &str, day: &str, actual: i64, seen: &str) -> Outcome {
        Outcome { as_of: d(day), symbol: sym.into(), model_version: None, actual, observed_at: d(seen) }
    }

    fn opts(cutoff: &str) -> EvalOptions {
        EvalOptions { positive_label: 1, threshold: 0.5, cutoff: d(cutoff), by: GroupBy::ModelVersion }
    }

    #[test]
    fn cutoff_decides_what_is_labelled() {
        let preds =
            [pred("NABIL", "2026-11-19", 0.7), pred("NABIL", "2026-11-22", 0.3), pred("NICA", "2026-11-22", 0.6)];
        let outs = [
            out("NABIL", "2026-11-19", 1, "2026-11-22"),
            out("NABIL", "2026-11-22", 0, "2026-11-23"),
            out("NICA", "2026-11-22", 0, "2026-11-23"),
            out("EBL", "2026-11-22", 1, "2026-11-23"),
        ];
        let early = evaluate(&preds, &outs, &HashMap::new(), &[], &opts("2026-11-22"));
        assert_eq!((early.overall.labelled, early.overall.pending), (1, 2));
        assert_eq!(early.unmatched_outcomes, 0);
        let late = evaluate(&preds, &outs, &HashMap::new(), &[], &opts("2026-11-23"));
        assert_eq!((late.overall.labelled, late.overall.pending), (3, 0));
        assert_eq!(late.unmatched_outcomes, 1);
        assert_eq!(late.overall.label_coverage, Some(1.0));
        // Thursday → Sunday is one trading day; Sunday → Monday one.
        assert_eq!(late.overall.label_lag_max_days, Some(1));
        let m = &late.overall.metrics;
        assert_eq!((m.tp, m.fp, m.tn, m.fn_), (1, 1, 1, 0));
        assert_eq!(late.groups.len(), 1);
        assert_eq!(late.groups[0].key, "m1");
    }

    #[test]
    fn explicit_predicted_label_wins_over_threshold() {
        let mut p = pred("NABIL", "2026-11-19", 0.9);
        p.label = Some(0);
        let r =
            evaluate(&[p], &[out("NABIL", "2026-11-19", 0, "2026-11-22")], &HashMap::new(), &[], &opts("2026-11-30"));
        assert_eq!(r.overall.metrics.tn, 1);
    }

    #[test]
    fn row_errors_name_keys() {
        let mut bad = pred("NABIL", "2026-11-19", 1.5);
        assert_eq!(
            validate_predictions(&[bad.clone()]),
            Err(RowError::ProbaOutOfRange { sample: "NABIL 2026-11-19 m1".into() })
        );
        bad.proba = f64::NAN;
        assert!(validate_predictions(&[bad]).is_err());
        let dup = pred("NICA", "2026-11-19", 0.5);
        assert!(matches!(validate_predictions(&[dup.clone(), dup]), Err(RowError::Duplicate { .. })));
        assert!(matches!(
            validate_outcomes(&[out("NICA", "2026-11-19", 2, "2026-11-22")]),
            Err(RowError::LabelOutOfRange { .. })
        ));
        assert!(matches!(
            validate_outcomes(&[out("NICA", "2026-11-19", 1, "2026-11-18")]),
            Err(RowError::ObservedBeforeAsOf { .. })
        ));
    }

    proptest! {
        #[test]
        fn later_cutoff_never_decreases_labelled(lags in prop::collection::vec(0u64..6, 1..30), a in 0u64..8, b in 0u64..8) {
            let base = d("2026-11-01");
            let preds: Vec<Prediction> = (0..lags.len())
                .map(|i| Prediction { as_of: base, symbol: format!("S{i}"), model_version: "m".into(), proba: 0.5, label: None })
                .collect();
            let outs: Vec<Outcome> = lags
                .iter()
                .enumerate()
                .map(|(i, &l)| Outcome { as_of: base, symbol: format!("S{i}"), model_version: None, actual: (i % 2) as i64, observed_at: base + chrono::Days::new(l) })
                .collect();
            let (lo, hi) = (a.min(b), a.max(b));
            let at = |c: u64| evaluate(&preds, &outs, &HashMap::new(), &[], &EvalOptions { cutoff: base + chrono::Days::new(c), ..opts("2026-11-01") }).overall;
            let (early, late) = (at(lo), at(hi));
            prop_assert!(early.labelled <= late.labelled);
            let m = &late.metrics;
            prop_assert_eq!(m.tp + m.fp + m.tn + m.fn_, late.labelled);
            prop_assert_eq!(late.labelled + late.pending, late.predictions);
        }
    }
}
