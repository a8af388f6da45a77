//! Warnings about a computed result, logged on stderr the same way by every command and in
//! every output format (`--format json` included): one line per feature that was skipped, one
//! when the data stops short of the day the current window should reach, one when that window
//! was asked to end before the as-of date, one when the reference overlaps it, and one when a
//! calibration window asked for overlaps the days its estimate is judged on.

use crate::calendar::trading_days_between;
use chrono::NaiveDate;

use crate::result::{Overlap, RunResult};
use crate::settings::{CurrentWindow, ReferenceWindow, Settings};

/// Logs the result's warnings; `settings` are those it was computed with.
pub fn warn(result: &RunResult, settings: &Settings) {
    for s in &result.drift.skipped {
        // Escaped: a column name is data, and must not drive the terminal or split the log line.
        tracing::warn!(feature = %s.feature.escape_debug(), reason = %s.reason, "feature skipped");
    }
    overlap(result, settings);
    calibration_overlap(result, settings);
    let current = &result.windows.current;
    // The lag this result pushes in `nepse_drift_data_lag_trading_days` (every result computed
    // now holds it).
    let lag = result.data_lag_trading_days.unwrap_or(0);
    match settings.current {
        CurrentWindow::Last(_) if lag > 0 => tracing::warn!(
            as_of = %result.as_of,
            last_day = %current.to,
            lag_trading_days = lag,
            source = %current.source,
            "stale data: the newest day in the features is {lag} trading day(s) before the as-of date; \
             the numbers describe the window that ends on that day"
        ),
        CurrentWindow::Last(_) => {}
        CurrentWindow::Range(_) => {
            if lag > 0 {
                tracing::warn!(
                    to = %current.to,
                    lag_trading_days = lag,
                    source = %current.source,
                    "stale data: the features' newest day in the window asked for is {lag} trading day(s) before \
                     its end (--to {}); the numbers describe the days the data holds",
                    current.to
                );
            }
            // A window asked for by dates is reported as asked: say that it ends before the
            // as-of date, not that data is missing.
            let before = trading_days_between(current.to, result.as_of);
            if before > 0 {
                tracing::warn!(
                    as_of = %result.as_of,
                    to = %current.to,
                    trading_days = before,
                    "the window asked for (--to {}) ends {before} trading day(s) before the as-of date; \
                     any data after it is not used",
                    current.to
                );
            }
        }
    }
}

/// Warns when the reference holds some of the current window's trading days (a whole reference
/// source that runs into it, dates asked for, a profile fitted over it): they are compared with
/// themselves, which hides drift. Allowed, since a user may mean it, but never silent. The hint
/// says how to end this kind of reference before the current window.
fn overlap(result: &RunResult, settings: &Settings) {
    let Some(o) = result.windows.overlap else { return };
    let (r, c) = (&result.windows.reference, &result.windows.current);
    tracing::warn!(
        shared_trading_days = o.trading_days,
        "the reference window ({} to {}) overlaps the current window ({} to {}) on {} trading day(s), {} to {}: \
         those days are compared with themselves, which hides drift; hint: end the reference before {} ({})",
        r.from,
        r.to,
        c.from,
        c.to,
        o.trading_days,
        o.from,
        o.to,
        c.from,
        overlap_hint(settings)
    );
}

/// Warns when the calibration window (asked for, or the reference's) holds days of the current
/// or the performance window: CBPE is then fitted on labels it is compared with, so its estimate
/// agrees with them by construction and concept drift is hidden. (A reference over the current
/// window is also warned about by [`overlap`], for what it does to drift.)
fn calibration_overlap(result: &RunResult, settings: &Settings) {
    // Without a labelled prediction there, nothing was fitted on the labels.
    let Some(cal) = result
        .performance
        .as_ref()
        .and_then(|p| p.estimated.as_ref())
        .map(|e| &e.calibration_window)
        .filter(|c| c.labelled > 0)
    else {
        return;
    };
    let w = &result.windows;
    let hit: Vec<(&str, NaiveDate, NaiveDate)> =
        [("current", Some(&w.current)), ("performance", w.performance.as_ref())]
            .into_iter()
            .filter_map(|(name, win)| win.map(|win| (name, win.from, win.to)))
            // A performance window that is the current window is named once.
            .filter(|(name, from, to)| *name == "current" || (*from, *to) != (w.current.from, w.current.to))
            .filter(|(_, from, to)| cal.from <= *to && *from <= cal.to)
            .collect();
    let Some(first) = hit.iter().map(|(_, from, _)| *from).min() else { return };
    let windows: Vec<String> =
        hit.iter().map(|(name, from, to)| format!("the {name} window ({from} to {to})")).collect();
    let how = if settings.calibration.is_some() {
        "--calibration-from/--calibration-to, or [performance] calibration_from/calibration_to"
    } else {
        "it is the reference window's dates: set --calibration-from/--calibration-to, or shorten \
         [windows] performance_days"
    };
    tracing::warn!(
        "the calibration window ({} to {}) overlaps {}: the estimate is fitted on labels it is compared with, \
         which hides concept drift; hint: end it before {first} ({how})",
        cal.from,
        cal.to,
        windows.join(" and ")
    );
}

/// How to end the reference of `settings` before the current window.
fn overlap_hint(settings: &Settings) -> &'static str {
    if settings.sources.reference_profile.is_some() {
        "fit the profile again on a window that ends before it: fit-reference --from/--to"
    } else {
        match settings.reference {
            ReferenceWindow::WholeSource => {
                "--reference-last N for the N trading days before it, or --reference-from/--reference-to"
            }
            ReferenceWindow::Range(_) | ReferenceWindow::Before(_) => "--reference-from/--reference-to",
        }
    }
}

/// The backfill's one line for the days whose reference overlapped their current window
/// (`overlapped` of `days`; `first` the first such day and its overlap), instead of one a day.
pub fn overlaps_in_backfill(overlapped: usize, days: usize, first: (NaiveDate, Overlap), settings: &Settings) {
    let (day, o) = first;
    tracing::warn!(
        overlapped_days = overlapped,
        "the reference overlaps the current window on {overlapped} of the {days} days backfilled (on {}: \
         {} trading day(s), {} to {}): those days are compared with themselves, which hides drift; hint: end the \
         reference before each current window ({})",
        day,
        o.trading_days,
        o.from,
        o.to,
        overlap_hint(settings)
    );
}
