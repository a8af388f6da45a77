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
    Bounds, BySymbol, Counts, SPAN_DAYS, daily_categorical, daily_numeric, history_p_value, history_suffices,
    min_p_adjust, missing_change_p_value, stretches, warm_up, window_bad_shares,
};
use crate::load::date_to_days;
use crate::result::{Breach, CircuitBreaches, DataQuality, FeatureKind, FeatureQuality, SideQuality, SymbolChange};
use crate::rows::FeatureTable;

/// The feature whose values are checked against NEPSE's circuit limit.
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

/// Each feature's per-day counts of `table` (numeric first, then categorical) over `days`, a
/// new symbol's warm-up told apart when the table holds the symbols.
fn daily(table: &FeatureTable, days: &[i32], bounds: &[Option<Bounds>]) -> Vec<Vec<Counts>> {
    let index = day_index(&table.days, days);
    let by_symbol = (!table.symbols.is_empty()).then(|| BySymbol::new(&index, &table.symbols));
    let numeric = table.numeric.iter().zip(bounds).map(|(v, b)| {
        let warm = by_symbol.as_ref().map(|s| {
            let missing: Vec<bool> = v.iter().map(|x| x.is_nan()).collect();
            warm_up(&missing, &index, s)
        });
        daily_numeric(v, &index, days.len(), b.as_ref(), warm.as_deref())
    });
    let categorical =
        table.categorical.iter().map(|v| daily_categorical(v.iter().map(Option::is_some), &index, days.len()));
    numeric.chain(categorical).collect()
}

fn side(c: &Counts) -> SideQuality {
    let mmm = c.min_max_mean();
    SideQuality {
        rows: c.rows,
        missing: c.missing,
        missing_share: c.share(c.missing),
        min: mmm.map(|m| m.0),
        max: mmm.map(|m| m.1),
        mean: mmm.map(|m| m.2),
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

        // The span: the last SPAN_DAYS trading days of the features source before the current
        // window, then the window.
        let current_days: Vec<NaiveDate> = self.current.days.clone();
        let start = current_days.first().copied().unwrap_or(self.current.range.from());
        let before: Vec<NaiveDate> = self.days.iter().copied().filter(|d| *d < start).collect();
        let before = &before[before.len().saturating_sub(SPAN_DAYS)..];
        let span: Vec<i32> = before.iter().chain(&current_days).map(|d| date_to_days(*d)).collect();
        let read = DateRange::new(before.first().copied().unwrap_or(start), self.current.range.to())
            .unwrap_or(self.current.range);

        let (reference, pooled) = std::thread::scope(|threads| {
            let reference = threads.spawn(|| scan.feature_table(&numeric, &categorical, None, window.scan_range()));
            let symbol = Some(self.settings.columns.symbol.as_str());
            let pooled = self.current_scan.feature_table(&numeric, &categorical, symbol, Some(read));
            (reference.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), pooled)
        });
        let (reference, pooled) = (reference?, pooled?);
        let bounds: Vec<Option<Bounds>> = reference.numeric.iter().map(|v| Bounds::of(v)).collect();
        let reference_days: Vec<i32> = window.days.iter().map(|d| date_to_days(*d)).collect();
        let reference_daily = daily(&reference, &reference_days, &bounds);
        let span_daily = daily(&pooled, &span, &bounds);
        drop((reference, pooled));

        let t = current_days.len();
        let mut features = Vec::with_capacity(names.len());
        let mut family: Vec<(usize, f64, Vec<(usize, f64)>)> = Vec::new();
        let (mut windows, mut disjoint) = (usize::MAX, usize::MAX);
        for (j, name) in names.iter().enumerate() {
            let (history, now) = span_daily[j].split_at(before.len());
            let (r, c) = (Counts::total(&reference_daily[j]), Counts::total(now));
            let b = bounds.get(j).copied().flatten();
            let past = window_bad_shares(history, t);
            let bad_share = c.share(c.bad());
            windows = windows.min(past.len());
            disjoint = disjoint.min(stretches(&past, t));
            let shares: Vec<f64> = past.iter().map(|(_, s)| *s).collect();
            let p_value = bad_share.map(|s| history_p_value(s, &shares));
            if let Some(s) = bad_share {
                family.push((j, s, past.clone()));
            }
            features.push(FeatureQuality {
                feature: (*name).to_owned(),
                kind: if j < numeric.len() { FeatureKind::Numeric } else { FeatureKind::Categorical },
                reference: side(&r),
                current: side(&c),
                reference_low: b.map(|b| b.low),
                reference_high: b.map(|b| b.high),
                out_of_range_share: b.and_then(|_| c.share(c.beyond_range)),
                beyond_quantiles_share: b.and_then(|_| c.share(c.beyond_quantiles)),
                implausible_share: b.and_then(|_| c.share(c.implausible)),
                warm_up_share: c.share(c.warm_up),
                missing_change_p_value: missing_change_p_value(&reference_daily[j], now),
                bad_share,
                p_value,
                adjusted_p_value: None,
                broken: false,
            });
        }
        let (windows, disjoint) = if names.is_empty() { (0, 0) } else { (windows, disjoint) };
        let alpha = self.psi.alpha;
        let callable = history_suffices(windows, disjoint, alpha) && !family.is_empty();
        let note = if callable {
            None
        } else if names.is_empty() {
            Some("no feature to check".to_owned())
        } else {
            Some(format!(
                "no break call: the {} trading days before the current window hold {windows} windows of {t} days on {disjoint} disjoint stretches (at least {} windows and {} stretches are needed)",
                before.len(),
                (crate::drift::quality::MIN_WINDOWS_PER_ALPHA / alpha).ceil(),
                crate::drift::quality::MIN_STRETCHES,
            ))
        };
        let mut broken = Vec::new();
        if callable {
            let current: Vec<f64> = family.iter().map(|f| f.1).collect();
            let pairs: Vec<&[(usize, f64)]> = family.iter().map(|f| f.2.as_slice()).collect();
            if let Some(adjusted) = min_p_adjust(&current, &pairs) {
                for ((j, _, _), q) in family.iter().zip(adjusted) {
                    let f = &mut features[*j];
                    f.adjusted_p_value = Some(q);
                    f.broken = q <= alpha;
                    if f.broken {
                        broken.push((q, f.feature.clone()));
                    }
                }
            }
        } else {
            features.iter_mut().for_each(|f| f.p_value = None);
        }
        broken.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        Ok(DataQuality {
            features,
            symbols: self.symbol_change(scan, window)?,
            circuit: self.circuit(&numeric)?,
            detected: !broken.is_empty(),
            broken: broken.into_iter().map(|b| b.1).collect(),
            family_alpha: alpha,
            history_windows: windows,
            history_stretches: disjoint,
            note,
        })
    }

    /// The symbols of both windows.
    fn symbol_change(
        &self,
        scan: &crate::load::Scan,
        window: &crate::windows::Window,
    ) -> Result<SymbolChange, AnalysisError> {
        let symbol = self.settings.columns.symbol.as_str();
        let reference = scan.categorical(symbol, window.scan_range())?;
        let current = self.current_scan.categorical(symbol, self.current.scan_range())?;
        let (r, c): (BTreeSet<&String>, BTreeSet<&String>) =
            (reference.counts.keys().collect(), current.counts.keys().collect());
        Ok(SymbolChange {
            reference: r.len(),
            current: c.len(),
            absent: r.difference(&c).map(|s| (*s).clone()).collect(),
            new: c.difference(&r).map(|s| (*s).clone()).collect(),
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
                .map(|(symbol, date, v)| Breach { symbol, date, value: v.is_finite().then_some(v) })
                .collect(),
        }))
    }
}
