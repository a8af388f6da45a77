//! Multivariate drift for one run: reads the features row-aligned over the pooled days and the
//! current window, fits the reconstruction on the reference window and calls the current
//! window, and each step of `--every`, against the past pairs of its shape (the math:
//! `crate::drift::reconstruction`, `crate::drift::reconstruction_null`).

use chrono::NaiveDate;

use super::context::{Context, Reference};
use super::error::AnalysisError;
use crate::calendar::DateRange;
use crate::drift::cross_section::{self, Scores};
use crate::drift::reconstruction::{FitError, FrequencyEncoding, Reconstruction, WindowError};
use crate::drift::reconstruction_null::{self, DayRows, Null, PastErrors, SPAN_PAIRS, Shape, past_errors};
use crate::load::date_to_days;
use crate::result::{FeatureKind, MultivariateDrift, MultivariateNull, SkippedFeature, StepMultivariate};
use crate::rows::FeatureTable;

/// The features' columns as the math takes them: numeric first, then each categorical one
/// encoded by `encodings`.
fn columns(table: &mut FeatureTable, encodings: &[FrequencyEncoding]) -> Vec<Vec<f64>> {
    // Moved, not copied: at millions of rows a copy of every column is the largest allocation.
    let mut out = std::mem::take(&mut table.numeric);
    for (values, encoding) in table.categorical.iter().zip(encodings) {
        out.push(values.iter().map(|v| encoding.encode(v.as_deref())).collect());
    }
    out
}

/// Each categorical column's encoding, fitted on the rows `in_reference`.
fn encodings(table: &FeatureTable, in_reference: &[bool]) -> Vec<FrequencyEncoding> {
    table
        .categorical
        .iter()
        .map(|c| FrequencyEncoding::fit(kept(c, in_reference).iter().map(|v| v.as_deref())))
        .collect()
}

/// The values whose `keep` is true.
fn kept<T: Clone>(values: &[T], keep: &[bool]) -> Vec<T> {
    values.iter().zip(keep).filter(|(_, k)| **k).map(|(v, _)| v.clone()).collect()
}

/// Why the reference's fit is undefined, naming the feature.
fn left_out_note(names: &[String], e: &FitError) -> String {
    match e {
        FitError::NoValues(j) => format!("feature `{}` has no finite value in the reference window", names[*j]),
        FitError::NotFinite(j) => format!(
            "feature `{}` holds a reference value too large to square (beyond about ±1e154): a bad print or a sentinel",
            names[*j]
        ),
        e => format!("{e} in the reference window"),
    }
}

/// The features of `columns` without a finite value.
fn without_values<'a>(names: &'a [String], columns: &[&[f64]]) -> Vec<&'a str> {
    names.iter().zip(columns).filter(|(_, c)| !c.iter().any(|x| x.is_finite())).map(|(n, _)| n.as_str()).collect()
}

fn undefined(note: String, features: Vec<String>, left_out: Vec<SkippedFeature>) -> MultivariateDrift {
    MultivariateDrift {
        features,
        left_out,
        components: None,
        explained_variance: None,
        reference_error: None,
        error: None,
        sampling_error: None,
        critical_error: None,
        p_value: None,
        correlation_distance: None,
        critical_correlation_distance: None,
        correlation_p_value: None,
        correlation_note: None,
        detected: false,
        null: None,
        history_pairs: 0,
        history_stretches: 0,
        note: Some(note),
    }
}

/// A run's multivariate drift: the result, and what the steps of `--every` reuse.
pub(super) struct Multivariate {
    /// The result's block.
    pub(super) result: MultivariateDrift,
    fitted: Option<Fitted>,
}

/// The fit and the rows a step is scored and called with.
struct Fitted {
    fit: Reconstruction,
    /// The current window's rows (encoded) and each row's day.
    current: Vec<Vec<f64>>,
    current_days: Vec<i32>,
    /// The pooled span's rows (encoded), each row's day index, and the span's days.
    pooled: Vec<Vec<f64>>,
    day_index: Vec<u32>,
    span_days: usize,
    /// Reference days, and the trading days between it and the current window (`None`: a
    /// separate reference source, no history shaped like it).
    reference_days: usize,
    gap: Option<usize>,
    alpha: f64,
    /// The level of `--every`'s steps, which run the reconstruction only: α.
    step_alpha: f64,
    /// The past pairs of each shape asked for so far.
    past: std::cell::RefCell<std::collections::BTreeMap<Shape, Option<PastErrors>>>,
}

impl Fitted {
    /// The past pairs of `current` days scored `gap_after` days after the current window's
    /// start; `None` without a history shaped like it.
    fn past(&self, current: usize, gap_after: usize) -> Option<PastErrors> {
        let shape = Shape { reference: self.reference_days, gap: self.gap? + gap_after, current };
        self.past
            .borrow_mut()
            .entry(shape)
            .or_insert_with(|| {
                let columns: Vec<&[f64]> = self.pooled.iter().map(Vec::as_slice).collect();
                past_errors(DayRows { columns: &columns, day: &self.day_index, days: self.span_days }, shape)
            })
            .clone()
    }

    /// The mean error of the current rows on `days`; `None` without a row, or where a value is
    /// too large to square.
    fn error(&self, days: &[i32]) -> Option<WindowError> {
        let keep: Vec<bool> = self.current_days.iter().map(|d| days.binary_search(d).is_ok()).collect();
        let rows: Vec<Vec<f64>> = self.current.iter().map(|c| kept(c, &keep)).collect();
        let refs: Vec<&[f64]> = rows.iter().map(Vec::as_slice).collect();
        WindowError::of(&self.fit.errors(&refs)).filter(|e| e.mean.is_finite())
    }
}

impl Fitted {
    /// Why the reconstruction's numbers are undefined or its call missing, or what to know about
    /// a defined one (features imputed); `pair` is the reference and current days, without the
    /// gap.
    fn note(
        &self,
        error: bool,
        called: bool,
        past: Option<&PastErrors>,
        empty_now: &[&str],
        features: usize,
        pair: usize,
    ) -> Option<String> {
        match (error, called) {
            (false, _) if self.current_days.is_empty() => Some("the current window has no row".to_owned()),
            (false, _) if empty_now.len() == features => {
                Some("no feature has a finite value in the current window: nothing to reconstruct".to_owned())
            }
            (false, _) => Some(
                "a current value is too large to square (beyond about ±1e154): a bad print or a sentinel".to_owned(),
            ),
            (_, false) if self.gap.is_none() => {
                Some("no call: a separate reference source has no history of window pairs shaped like it".to_owned())
            }
            (_, false) => Some(format!(
                "no call: the pooled days hold {} disjoint window pairs of {} days with a defined fit (at least 3 are needed)",
                past.map_or(0, |p| p.stretches),
                pair + self.gap.unwrap_or(0)
            )),
            _ if !empty_now.is_empty() => Some(format!(
                "{} without a finite value in the current window, imputed with the reference mean (NannyML's convention): the error is lower than the data's",
                empty_now.join(", ")
            )),
            _ => None,
        }
    }
}

impl Multivariate {
    /// The multivariate drift of one step of the current window (its days, sorted, and the
    /// trading days of the window before it).
    pub(super) fn step(&self, days: &[NaiveDate], after: usize) -> Option<StepMultivariate> {
        let fitted = self.fitted.as_ref()?;
        let days: Vec<i32> = days.iter().map(|d| date_to_days(*d)).collect();
        let error = fitted.error(&days)?.mean;
        let call = fitted.past(days.len(), after).and_then(|p| reconstruction_null::call(error, &p, fitted.step_alpha));
        Some(StepMultivariate {
            error,
            critical_error: call.map(|c| c.critical),
            detected: call.is_some_and(|c| c.detected),
        })
    }
}

/// The correlation break's inputs: the numeric columns of the span and of the current window,
/// with their days, and the comparison's shape.
struct BreakInput<'a> {
    names: &'a [String],
    span: &'a [&'a [f64]],
    span_day: &'a [u32],
    span_days: usize,
    current: &'a [&'a [f64]],
    current_day: &'a [i32],
    shape: Shape,
    /// The trading days between the reference and the current window; `None` for a separate
    /// reference source (no history shaped like it).
    gap: Option<usize>,
    alpha: f64,
}

/// The cross-sectional correlation break (`crate::drift::cross_section`): the current window's
/// distance from the reference (the last `shape.reference` days of the span: the pool ends with
/// the reference window), its call against the span's past pairs over the same feature pairs
/// (on the squared distance, the critical value reported as a distance), and its note.
fn correlation_break(input: &BreakInput<'_>) -> CorrelationBreak {
    let p = input.span.len();
    let span = cross_section::daily_scores(DayRows { columns: input.span, day: input.span_day, days: input.span_days });
    let reference = Scores::total(p, &span[span.len().saturating_sub(input.shape.reference)..]);
    let mut days: Vec<i32> = input.current_day.to_vec();
    days.sort_unstable();
    days.dedup();
    let index: Vec<u32> =
        input.current_day.iter().map(|d| days.binary_search(d).map_or(u32::MAX, |i| i as u32)).collect();
    let current = Scores::total(
        p,
        &cross_section::daily_scores(DayRows { columns: input.current, day: &index, days: days.len() }),
    );
    let over = cross_section::defined_pairs(&reference, &current);
    let squared = cross_section::squared_distance(&reference, &current, &over);
    let call = input.gap.zip(squared).and_then(|(gap, squared)| {
        let past = cross_section::past_squared_distances(&span, Shape { gap, ..input.shape }, &over)?;
        reconstruction_null::call(squared, &past, input.alpha)
            .map(|c| reconstruction_null::Call { critical: c.critical.sqrt(), ..c })
    });
    let (before, now) = (cross_section::varying(&reference), cross_section::varying(&current));
    let changed: Vec<&str> = input
        .names
        .iter()
        .zip(before.iter().zip(&now))
        .filter(|(_, (b, n))| b != n)
        .map(|(name, _)| name.as_str())
        .collect();
    let note = if squared.is_none() {
        Some("correlation distance undefined: no two numeric features vary within the days of both windows (one symbol a day, or values equal across a day's symbols)".to_owned())
    } else if !changed.is_empty() {
        Some(format!(
            "correlation distance without {}: a cross-section in one window but not the other (all missing, or equal across a day's symbols)",
            changed.join(", ")
        ))
    } else if call.is_none() && input.gap.is_none() {
        Some(
            "no correlation call: a separate reference source has no history of window pairs shaped like it".to_owned(),
        )
    } else if call.is_none() {
        Some("no correlation call: too few past window pairs".to_owned())
    } else {
        None
    };
    CorrelationBreak { distance: squared.map(f64::sqrt), call, note }
}

/// The correlation break's numbers, and its call (at α/2).
struct CorrelationBreak {
    distance: Option<f64>,
    call: Option<reconstruction_null::Call>,
    note: Option<String>,
}

impl CorrelationBreak {
    /// `m` with the break's numbers, and detected when the break is.
    fn apply(&self, mut m: MultivariateDrift) -> MultivariateDrift {
        m.correlation_distance = self.distance;
        m.critical_correlation_distance = self.call.map(|c| c.critical);
        m.correlation_p_value = self.call.map(|c| c.p_value);
        m.correlation_note.clone_from(&self.note);
        m.detected |= self.call.is_some_and(|c| c.detected);
        m
    }
}

impl Context<'_> {
    /// The rows of `numeric` and `categorical` over the last [`SPAN_PAIRS`] pairs (of `pair`
    /// days) of the pooled days, those of the current window, and the span's days.
    fn rows(
        &self,
        scan: &crate::load::Scan,
        pool: DateRange,
        pair: usize,
        numeric: &[&str],
        categorical: &[&str],
    ) -> Result<(FeatureTable, FeatureTable, Vec<i32>), AnalysisError> {
        let source_days = match &self.settings.sources.reference {
            Some(_) => scan.dates()?,
            None => self.days.clone(),
        };
        let in_pool: Vec<NaiveDate> =
            source_days.into_iter().filter(|d| *d >= pool.from() && *d <= pool.to()).collect();
        let first = in_pool.len().saturating_sub(SPAN_PAIRS * pair);
        let span_days: Vec<i32> = in_pool[first..].iter().map(|d| date_to_days(*d)).collect();
        let read = DateRange::new(in_pool.get(first).copied().unwrap_or(pool.from()), pool.to()).unwrap_or(pool);
        let (pooled, current) = std::thread::scope(|threads| {
            let pooled = threads.spawn(|| scan.feature_table(numeric, categorical, None, Some(read)));
            let current = self.current_scan.feature_table(numeric, categorical, None, self.current.scan_range());
            (pooled.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), current)
        });
        Ok((pooled?, current?, span_days))
    }

    /// The multivariate drift of the features not in `skipped`.
    pub(super) fn multivariate(&self, skipped: &[SkippedFeature]) -> Result<Multivariate, AnalysisError> {
        let unfitted = |result| Ok(Multivariate { result, fitted: None });
        let left_out: Vec<SkippedFeature> = skipped.to_vec();
        let usable = |kind| {
            self.features
                .iter()
                .filter(move |f| f.kind == kind && !skipped.iter().any(|s| s.feature == f.name))
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
        };
        let (numeric, categorical) = (usable(FeatureKind::Numeric), usable(FeatureKind::Categorical));
        let names: Vec<String> = numeric.iter().chain(&categorical).map(|s| (*s).to_owned()).collect();
        // A profile with `--multivariate` is refused when the context opens
        // (`Settings::needs_raw_reference`): it holds no rows.
        let Reference::Data { scan, window, pool, .. } = &self.reference else {
            let note = "a reference profile holds no rows: multivariate drift needs the reference data";
            return unfitted(undefined(note.to_owned(), names, left_out));
        };
        if names.len() < 2 {
            return unfitted(undefined("fewer than two features to reconstruct".to_owned(), names, left_out));
        }
        let (r, t) = (window.days.len(), self.current.days.len());
        // Without a history shaped like the comparison (a separate reference source) only the
        // reference window is read.
        let gap = self.gap(window);
        let pool = if gap.is_some() { *pool } else { window.range };
        let (mut pooled, mut current, span_days) =
            self.rows(scan, pool, r + gap.unwrap_or(0) + t, &numeric, &categorical)?;
        let in_reference: Vec<bool> = pooled.days.iter().map(|d| *d >= date_to_days(window.range.from())).collect();
        let encodings = encodings(&pooled, &in_reference);
        let pooled_columns = columns(&mut pooled, &encodings);
        let current_columns = columns(&mut current, &encodings);
        let day_index: Vec<u32> =
            pooled.days.iter().map(|d| span_days.binary_search(d).map_or(u32::MAX, |i| i as u32)).collect();
        // The correlation break ranks the numeric features only, and needs no fit: a reference
        // the reconstruction cannot fit (a print of 1e300) still gets it.
        let span_numeric: Vec<&[f64]> = pooled_columns[..numeric.len()].iter().map(Vec::as_slice).collect();
        let current_numeric: Vec<&[f64]> = current_columns[..numeric.len()].iter().map(Vec::as_slice).collect();
        let correlation = correlation_break(&BreakInput {
            names: &names[..numeric.len()],
            span: &span_numeric,
            span_day: &day_index,
            span_days: span_days.len(),
            current: &current_numeric,
            current_day: &current.days,
            shape: Shape { reference: r, gap: 0, current: t },
            gap,
            alpha: self.psi.alpha / 2.0,
        });
        let reference: Vec<Vec<f64>> = pooled_columns.iter().map(|c| kept(c, &in_reference)).collect();
        let reference_refs: Vec<&[f64]> = reference.iter().map(Vec::as_slice).collect();
        let fit = match Reconstruction::fit(&reference_refs) {
            Ok(fit) => fit,
            Err(e) => return unfitted(correlation.apply(undefined(left_out_note(&names, &e), names, left_out))),
        };
        let current_refs: Vec<&[f64]> = current_columns.iter().map(Vec::as_slice).collect();
        let reference_error = WindowError::of(&fit.errors(&reference_refs)).filter(|e| e.mean.is_finite());
        // A feature without a finite current value is imputed with the reference mean (NannyML's
        // convention), which lowers the error: said in the note; with none at all, no error.
        let empty_now = without_values(&names, &current_refs);
        let current_error =
            WindowError::of(&fit.errors(&current_refs)).filter(|e| e.mean.is_finite() && empty_now.len() < names.len());
        let fitted = Fitted {
            fit,
            current: current_columns,
            current_days: std::mem::take(&mut current.days),
            day_index,
            pooled: pooled_columns,
            span_days: span_days.len(),
            reference_days: r,
            gap,
            // The reconstruction and the correlation break share α by Bonferroni.
            alpha: self.psi.alpha / 2.0,
            step_alpha: self.psi.alpha,
            past: std::cell::RefCell::default(),
        };
        let past = fitted.past(t, 0);
        let call = match (&current_error, &past) {
            (Some(e), Some(past)) => reconstruction_null::call(e.mean, past, fitted.alpha),
            _ => None,
        };
        let note = fitted.note(current_error.is_some(), call.is_some(), past.as_ref(), &empty_now, names.len(), r + t);
        let (components, explained) = (fitted.fit.components(), fitted.fit.explained());
        let result = MultivariateDrift {
            features: names,
            left_out,
            components: Some(components),
            explained_variance: Some(explained),
            reference_error: reference_error.map(|e| e.mean),
            error: current_error.map(|e| e.mean),
            sampling_error: current_error.and_then(|e| e.sampling_error),
            critical_error: call.map(|c| c.critical),
            p_value: call.map(|c| c.p_value),
            correlation_distance: None,
            critical_correlation_distance: None,
            correlation_p_value: None,
            correlation_note: None,
            detected: call.is_some_and(|c| c.detected),
            null: call.map(|c| match c.null {
                Null::History => MultivariateNull::History,
                Null::ShortHistory => MultivariateNull::ShortHistory,
            }),
            history_pairs: past.as_ref().map_or(0, |p| p.errors.len()),
            history_stretches: past.as_ref().map_or(0, |p| p.stretches),
            note,
        };
        Ok(Multivariate { result: correlation.apply(result), fitted: Some(fitted) })
    }

    /// The trading days between the reference window and the current one, in the features
    /// source; `None` for a separate reference source.
    fn gap(&self, window: &crate::windows::Window) -> Option<usize> {
        if self.settings.sources.reference.is_some() {
            return None;
        }
        let end = *window.days.last()?;
        let start = *self.current.days.first()?;
        Some(self.days.iter().filter(|d| **d > end && **d < start).count())
    }
}
