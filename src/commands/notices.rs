//! Warnings about a computed result, logged on stderr the same way by every command and in
//! every output format (`--format json` included): one line per feature that was skipped, and
//! one when the newest data is older than the as-of date, and one when the reference overlaps the
//! current window.

use crate::calendar::trading_days_between;
use crate::result::RunResult;
use crate::settings::CurrentWindow;

/// Logs the result's warnings; `asked` is the current window the settings asked for.
pub fn warn(result: &RunResult, asked: CurrentWindow) {
    for s in &result.drift.skipped {
        // Escaped: a column name is data, and must not drive the terminal or split the log line.
        tracing::warn!(feature = %s.feature.escape_debug(), reason = %s.reason, "feature skipped");
    }
    overlap(result);
    match (asked, result.data_lag_trading_days) {
        // A window asked for by dates is reported as asked (its `to`, not the newest day in the
        // data): say that it ends before the as-of date, not that data is missing. No lag gauge
        // is pushed for it.
        (CurrentWindow::Range(_), _) => {
            let before = trading_days_between(result.windows.current.to, result.as_of);
            if before > 0 {
                tracing::warn!(
                    as_of = %result.as_of,
                    to = %result.windows.current.to,
                    trading_days = before,
                    "the window asked for (--to {}) ends {before} trading day(s) before the as-of date; \
                     the data after it is not used",
                    result.windows.current.to
                );
            }
        }
        // As pushed in `nepse_drift_data_lag_trading_days`.
        (CurrentWindow::Last(_), Some(lag)) if lag > 0 => tracing::warn!(
            as_of = %result.as_of,
            last_day = %result.windows.current.to,
            lag_trading_days = lag,
            source = %result.windows.current.source,
            "stale data: the newest day in the features is {lag} trading day(s) before the as-of date; \
             the numbers describe the window that ends on that day"
        ),
        (CurrentWindow::Last(_), _) => {}
    }
}

/// Warns when the reference window overlaps the current one (a whole reference source that
/// runs into it, or dates asked for): the days they share are compared with themselves, which
/// hides drift. Allowed, since a user may mean it, but never silent.
fn overlap(result: &RunResult) {
    let (r, c) = (&result.windows.reference, &result.windows.current);
    let (from, to) = (r.from.max(c.from), r.to.min(c.to));
    if from > to {
        return;
    }
    tracing::warn!(
        reference = %format_args!("{} to {}", r.from, r.to),
        current = %format_args!("{} to {}", c.from, c.to),
        "the reference window ({} to {}) overlaps the current window ({} to {}) on {from} to {to}: those days \
         are compared with themselves, which hides drift; hint: end the reference before {} (--reference-to, \
         or --reference-last N for the N trading days before it)",
        r.from,
        r.to,
        c.from,
        c.to,
        c.from
    );
}
