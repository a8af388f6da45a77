//! Multivariate drift for one run: reads the features row-aligned over the pooled days and the
//! current window, fits the reconstruction on the reference window and calls the current
//! window against the past pairs (the math: `crate::drift::reconstruction`,
//! `crate::drift::reconstruction_null`).

use chrono::NaiveDate;

use super::context::{Context, Reference};
use super::error::AnalysisError;
use crate::calendar::DateRange;
use crate::drift::reconstruction::{FitError, FrequencyEncoding, Reconstruction, WindowError};
use crate::drift::reconstruction_null::{self, DayRows, Null, SPAN_PAIRS, past_errors};
use crate::load::date_to_days;
use crate::result::{FeatureKind, MultivariateDrift, MultivariateNull, SkippedFeature};
use crate::rows::FeatureTable;

/// The features' columns as the math takes them: numeric first, then each categorical one
/// encoded by `encodings`.
fn columns(table: &FeatureTable, encodings: &[FrequencyEncoding]) -> Vec<Vec<f64>> {
    let mut out = table.numeric.clone();
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

fn undefined(features: Vec<String>, left_out: Vec<SkippedFeature>, note: String) -> MultivariateDrift {
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
        detected: false,
        null: None,
        history_pairs: 0,
        history_stretches: 0,
        note: Some(note),
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
            let pooled = threads.spawn(|| scan.feature_table(numeric, categorical, Some(read)));
            let current = self.current_scan.feature_table(numeric, categorical, self.current.scan_range());
            (pooled.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), current)
        });
        Ok((pooled?, current?, span_days))
    }

    /// The multivariate drift of the features not in `skipped`.
    pub(super) fn multivariate(&self, skipped: &[SkippedFeature]) -> Result<MultivariateDrift, AnalysisError> {
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
            return Ok(undefined(names, left_out, note.to_owned()));
        };
        if names.len() < 2 {
            return Ok(undefined(names, left_out, "fewer than two features to reconstruct".to_owned()));
        }
        let (r, t) = (window.days.len(), self.current.days.len());
        let (pooled, current, span_days) = self.rows(scan, *pool, r + t, &numeric, &categorical)?;
        let in_reference: Vec<bool> = pooled.days.iter().map(|d| *d >= date_to_days(window.range.from())).collect();
        let encodings = encodings(&pooled, &in_reference);
        let pooled_columns = columns(&pooled, &encodings);
        let reference: Vec<Vec<f64>> = pooled_columns.iter().map(|c| kept(c, &in_reference)).collect();
        let reference_refs: Vec<&[f64]> = reference.iter().map(Vec::as_slice).collect();
        let fit = match Reconstruction::fit(&reference_refs) {
            Ok(fit) => fit,
            Err(e) => {
                let note = match e {
                    FitError::NoValues(j) => {
                        format!("feature `{}` has no finite value in the reference window", names[j])
                    }
                    FitError::NotFinite(j) => format!(
                        "feature `{}` holds a reference value too large to square (beyond about ±1e154): a bad print or a sentinel",
                        names[j]
                    ),
                    e => format!("the reconstruction is undefined: {e} in the reference window"),
                };
                return Ok(undefined(names, left_out, note));
            }
        };
        let current_columns = columns(&current, &encodings);
        let current_refs: Vec<&[f64]> = current_columns.iter().map(Vec::as_slice).collect();
        let reference_error = WindowError::of(&fit.errors(&reference_refs)).filter(|e| e.mean.is_finite());
        let current_error = WindowError::of(&fit.errors(&current_refs)).filter(|e| e.mean.is_finite());
        // The past pairs are adjacent windows: a reference that is not the trading days just
        // before the current window (a separate reference source, or a gap) has no history
        // shaped like it.
        let adjacent = self.settings.sources.reference.is_none() && {
            let before = self.days.partition_point(|d| Some(d) < self.current.days.first());
            before > 0 && self.days.get(before - 1) == window.days.last()
        };
        let past = adjacent.then(|| {
            let day_index: Vec<u32> =
                pooled.days.iter().map(|d| span_days.binary_search(d).map_or(u32::MAX, |i| i as u32)).collect();
            let pooled_refs: Vec<&[f64]> = pooled_columns.iter().map(Vec::as_slice).collect();
            past_errors(DayRows { columns: &pooled_refs, day: &day_index, days: span_days.len() }, r, t)
        });
        let past = past.flatten();
        let call = match (&current_error, &past) {
            (Some(e), Some(past)) => reconstruction_null::call(e.mean, past, self.psi.alpha),
            _ => None,
        };
        let note = match (&current_error, &call) {
            (None, _) if current.days.is_empty() => Some("the current window has no row".to_owned()),
            (None, _) => Some("a current value is too large to square (beyond about ±1e154): a bad print or a sentinel".to_owned()),
            (_, None) if !adjacent => Some(
                "no call: the reference is not the trading days just before the current window (a separate reference source or a gap), and the past pairs the call rests on are adjacent windows".to_owned(),
            ),
            (_, None) => Some(format!(
                "no call: the pooled days hold {} disjoint window pairs of {} days with a defined fit (at least 3 are needed)",
                past.as_ref().map_or(0, |p| p.stretches),
                r + t
            )),
            _ => None,
        };
        Ok(MultivariateDrift {
            features: names,
            left_out,
            components: Some(fit.components()),
            explained_variance: Some(fit.explained()),
            reference_error: reference_error.map(|e| e.mean),
            error: current_error.map(|e| e.mean),
            sampling_error: current_error.and_then(|e| e.sampling_error),
            critical_error: call.map(|c| c.critical),
            p_value: call.map(|c| c.p_value),
            detected: call.is_some_and(|c| c.detected),
            null: call.map(|c| match c.null {
                Null::History => MultivariateNull::History,
                Null::ShortHistory => MultivariateNull::ShortHistory,
            }),
            history_pairs: past.as_ref().map_or(0, |p| p.errors.len()),
            history_stretches: past.as_ref().map_or(0, |p| p.stretches),
            note,
        })
    }
}
