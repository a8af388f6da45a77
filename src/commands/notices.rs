//! Warnings about a computed result, logged on stderr the same way by every command and in
//! every output format (`--format json` included): one line per feature that was skipped, and
//! one when the newest data is older than the as-of date.

use crate::calendar::trading_days_between;
use crate::result::RunResult;
use crate::settings::CurrentWindow;

/// Logs the result's warnings; `asked` is the current window the settings asked for.
pub fn warn(result: &RunResult, asked: CurrentWindow) {
    for s in &result.drift.skipped {
        // Escaped: a column name is data, and must not drive the terminal or split the log line.
        tracing::warn!(feature = %s.feature.escape_debug(), reason = %s.reason, "feature skipped");
    }
    // Sunday–Thursday days from the current window's last day to the as-of date, as pushed in
    // `nepse_drift_data_lag_trading_days`. Holidays in between count (they are not known until
    // the data shows them), which is why the alert on it has a budget.
    let lag = trading_days_between(result.windows.current.to, result.as_of);
    if lag == 0 {
        return;
    }
    match asked {
        // A window asked for by dates is reported as asked (its `to`, not its newest day in the
        // data): the gauge counts the same days, so say what they are, not that data is missing.
        CurrentWindow::Range(_) => tracing::warn!(
            as_of = %result.as_of,
            to = %result.windows.current.to,
            lag_trading_days = lag,
            "the window asked for (--to {}) ends {lag} trading day(s) before the as-of date, as the \
             data lag gauge says; the data after it is not used",
            result.windows.current.to
        ),
        CurrentWindow::Last(_) => tracing::warn!(
            as_of = %result.as_of,
            last_day = %result.windows.current.to,
            lag_trading_days = lag,
            source = %result.windows.current.source,
            "stale data: the newest day in the features is {lag} trading day(s) before the as-of date; \
             the numbers describe the window that ends on that day"
        ),
    }
}
