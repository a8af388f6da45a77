//! Data quality for one run (`--data-quality`): reads every feature over the reference window
//! and over the last [`SPAN_DAYS`] trading days before the current window and the window
//! itself, counts each day against the reference's bounds, and calls a break against the past
//! windows of the current window's length (the math: `crate::drift::quality`).

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::context::Context;
use super::error::AnalysisError;
use crate::calendar::DateRange;
use crate::drift::quality::{
    Bounds, BySymbol, Clusters, Counts, break_call, daily_categorical, daily_numeric, disjoint_windows,
    missing_change_p_value, per_symbol, span_days, warm_up, window_bad_shares,
};
use crate::load::date_to_days;
use crate::result::{Breach, CircuitBreaches, DataQuality, FeatureKind, FeatureQuality, SideQuality, SymbolChange};
use crate::rows::FeatureTable;

/// The feature whose values are checked against NEPSE's circuit limit: a simple close-to-close
/// return (`close / previous close − 1`), as the data contract defines it.
pub const CIRCUIT_FEATURE: &str = "ret_1d";
/// NEPSE's daily price limit: ±10%.
pub const CIRCUIT_LIMIT: f64 = 0.10;
/// Allowance for prices rounded to the tick: a close at the limit computed from rounded prices
/// can read 10.0004%. A breach is beyond ±10.05%.
pub const CIRCUIT_TOLERANCE: f64 = 0.0005;
/// Breaches listed in the result, the largest first (all are counted).
const LISTED_BREACHES: usize = 100;

/// Each row's index among `days` (sorted), `u32::MAX` for a row on none of them.
fn day_index(rows: &[i32], days: &[i32]) -> Vec<u32> {
    rows.iter().map(|d| days.binary_search(d).map_or(u32::MAX, |i| i as u32)).collect()
}

/// One table's counts, per feature (numeric first, then categorical): per day over `days`, and
/// per symbol over the days from `first` on (the rows of one window).
struct Counted {
    daily: Vec<Vec<Counts>>,
    symbols: Vec<Vec<(u64, u64)>>,
}

/// [`Counted`] of `table`, a new symbol's warm-up told apart (rows of the first day read are
/// never warm-up).
fn count(table: &FeatureTable, days: &[i32], first: usize, bounds: &[Option<Bounds>]) -> Counted {
    let index = day_index(&table.days, days);
    let by_symbol = BySymbol::new(&index, &table.symbols);
    let in_window: Vec<bool> = index.iter().map(|d| *d != u32::MAX && *d as usize >= first).collect();
    let mut out = Counted { daily: Vec::new(), symbols: Vec::new() };
    for (v, b) in table.numeric.iter().zip(bounds) {
        let missing: Vec<bool> = v.iter().map(|x| x.is_nan()).collect();
        let warm = warm_up(&missing, &index, &by_symbol);
        out.daily.push(daily_numeric(v, &index, days.len(), b.as_ref(), Some(&warm)));
        out.symbols.push(per_symbol(&missing, &table.symbols, &in_window));
    }
    for v in &table.categorical {
        let missing: Vec<bool> = v.iter().map(Option::is_none).collect();
        out.daily.push(daily_categorical(missing.iter().map(|m| !m), &index, days.len()));
        out.symbols.push(per_symbol(&missing, &table.symbols, &in_window));
    }
    out
}

/// The symbols of `table`'s rows on `days` from index `first` on (a window's rows).
fn symbols_on<'t>(table: &'t FeatureTable, days: &[i32], first: usize) -> BTreeSet<&'t str> {
    day_index(&table.days, days)
        .iter()
        .zip(&table.symbols)
        .filter(|(d, s)| **d != u32::MAX && **d as usize >= first && **s != u32::MAX)
        .map(|(_, s)| table.symbol_names[*s as usize].as_str())
        .collect()
}

/// The symbols of both windows, and those that came and went.
fn symbol_change(reference: &BTreeSet<&str>, current: &BTreeSet<&str>) -> SymbolChange {
    SymbolChange {
        reference: reference.len(),
        current: current.len(),
        absent: reference.difference(current).map(|s| (*s).to_owned()).collect(),
        new: current.difference(reference).map(|s| (*s).to_owned()).collect(),
    }
}

fn side(c: &Counts) -> SideQuality {
    let range = c.min_max();
    SideQuality {
        rows: c.rows,
        missing: c.missing,
        missing_share: c.share(c.missing),
        min: range.map(|r| r.0),
        max: range.map(|r| r.1),
        mean: c.mean(),
    }
}

impl Context<'_> {
    /// The data quality of every feature of the run.
    pub(super) fn data_quality(&self) -> Result<DataQuality, AnalysisError> {
        // A profile with `--data-quality` is refused when the context opens
        // (`Settings::needs_raw_reference`): it holds no values.
        let (scan, window) = self.raw_reference("--data-quality")?;
        let by_kind = |kind| self.features.iter().filter(move |f| f.kind == kind).map(|f| f.name.as_str());
        let numeric: Vec<&str> = by_kind(FeatureKind::Numeric).collect();
        let categorical: Vec<&str> = by_kind(FeatureKind::Categorical).collect();
        let names: Vec<&str> = numeric.iter().chain(&categorical).copied().collect();

        // The span: the trading days of the features source before the current window (about a
        // year, `span_days`), then the window.
        let current_days: Vec<NaiveDate> = self.current.days.clone();
        let length = current_days.len();
        let start = current_days.first().copied().unwrap_or(self.current.range.from());
        let before: Vec<NaiveDate> = self.days.iter().copied().filter(|d| *d < start).collect();
        let before = &before[before.len().saturating_sub(span_days(length))..];
        let span_day_numbers: Vec<i32> = before.iter().chain(&current_days).map(|d| date_to_days(*d)).collect();
        let read = DateRange::new(before.first().copied().unwrap_or(start), self.current.range.to())
            .unwrap_or(self.current.range);

        let symbol = Some(self.settings.columns.symbol.as_str());
        let (reference, pooled) = std::thread::scope(|threads| {
            let reference = threads.spawn(|| scan.feature_table(&numeric, &categorical, symbol, window.scan_range()));
            let pooled = self.current_scan.feature_table(&numeric, &categorical, symbol, Some(read));
            (reference.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), pooled)
        });
        let (reference, pooled) = (reference?, pooled?);
        let bounds: Vec<Option<Bounds>> = reference.numeric.iter().map(|v| Bounds::of(v)).collect();
        let reference_days: Vec<i32> = window.days.iter().map(|d| date_to_days(*d)).collect();
        // The symbols come from the rows already read: no third and fourth scan.
        let symbols = symbol_change(
            &symbols_on(&reference, &reference_days, 0),
            &symbols_on(&pooled, &span_day_numbers, before.len()),
        );
        let reference = count(&reference, &reference_days, 0, &bounds);
        let pooled = count(&pooled, &span_day_numbers, before.len(), &bounds);

        let mut features = Vec::with_capacity(names.len());
        let (mut windows, mut disjoint) = (usize::MAX, usize::MAX);
        let mut broken = Vec::new();
        for (j, name) in names.iter().enumerate() {
            let (history, now) = pooled.daily[j].split_at(before.len());
            let (r, c) = (Counts::total(&reference.daily[j]), Counts::total(now));
            let b = bounds.get(j).copied().flatten();
            let past = window_bad_shares(history, length);
            let k = disjoint_windows(&past, length);
            (windows, disjoint) = (windows.min(past.len()), disjoint.min(k));
            let shares: Vec<f64> = past.iter().map(|(_, s)| *s).collect();
            let bad_share = c.share(c.bad());
            let call = bad_share.and_then(|s| break_call(s, &shares, k));
            if call.is_some_and(|c| c.broken) {
                broken.push((name.to_string(), bad_share.unwrap_or(0.0)));
            }
            let numeric_feature = j < numeric.len();
            features.push(FeatureQuality {
                feature: (*name).to_owned(),
                kind: if numeric_feature { FeatureKind::Numeric } else { FeatureKind::Categorical },
                reference: side(&r),
                current: side(&c),
                reference_low: b.map(|b| b.low),
                reference_high: b.map(|b| b.high),
                out_of_range_share: b.and_then(|_| c.share(c.beyond_range)),
                beyond_quantiles_share: b.and_then(|_| c.share(c.beyond_quantiles)),
                implausible_share: b.and_then(|_| c.share(c.implausible)),
                warm_up_share: if numeric_feature { c.share(c.warm_up) } else { None },
                missing_change_p_value: missing_change_p_value(
                    Clusters { days: &reference.daily[j], symbols: &reference.symbols[j] },
                    Clusters { days: now, symbols: &pooled.symbols[j] },
                ),
                bad_share,
                critical_bad_share: call.map(|c| c.critical),
                p_value: call.map(|c| c.p_value),
                broken: call.is_some_and(|c| c.broken),
            });
        }
        let (windows, disjoint) = if names.is_empty() { (0, 0) } else { (windows, disjoint) };
        let called = features.iter().any(|f| f.critical_bad_share.is_some());
        let note = if called {
            None
        } else if names.is_empty() {
            Some("no feature to check".to_owned())
        } else {
            Some(format!(
                "no break call: the {} trading days before the current window hold {windows} windows of {length} days on {disjoint} disjoint stretches (at least {} are needed)",
                before.len(),
                crate::drift::history::HISTORY_MIN_STRETCHES,
            ))
        };
        // The broken features, the worst first.
        broken.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(DataQuality {
            features,
            symbols,
            circuit: self.circuit(&numeric)?,
            detected: !broken.is_empty(),
            broken: broken.into_iter().map(|b| b.0).collect(),
            history_windows: windows,
            history_stretches: disjoint,
            note,
        })
    }

    /// `ret_1d` beyond the circuit limit in the current window, when it is a numeric feature.
    fn circuit(&self, numeric: &[&str]) -> Result<Option<CircuitBreaches>, AnalysisError> {
        if !numeric.contains(&CIRCUIT_FEATURE) {
            return Ok(None);
        }
        let symbol = self.settings.columns.symbol.as_str();
        let mut rows = self.current_scan.beyond_limit(
            CIRCUIT_FEATURE,
            symbol,
            CIRCUIT_LIMIT + CIRCUIT_TOLERANCE,
            self.current.scan_range(),
        )?;
        rows.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()).then_with(|| a.1.cmp(&b.1)).then_with(|| a.0.cmp(&b.0)));
        let count = rows.len();
        rows.truncate(LISTED_BREACHES);
        Ok(Some(CircuitBreaches {
            feature: CIRCUIT_FEATURE.to_owned(),
            limit: CIRCUIT_LIMIT,
            tolerance: CIRCUIT_TOLERANCE,
            count,
            listed: rows
                .into_iter()
                .map(|(symbol, date, v)| Breach {
                    symbol,
                    date,
                    value: v.is_finite().then_some(v),
                    infinite: v.is_infinite().then(|| if v > 0.0 { "+inf" } else { "-inf" }.to_owned()),
                })
                .collect(),
        }))
    }
}
