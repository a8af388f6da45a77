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
    // A window asked for by dates (`--from/--to`) is reported as asked, and the days after it
    // are not missing: only a window ending at the as-of date can be stale.
    if let CurrentWindow::Range(_) = asked {
        return;
    }
    let lag = trading_days_between(result.windows.current.to, result.as_of);
    if lag > 0 {
        tracing::warn!(
            as_of = %result.as_of,
            last_day = %result.windows.current.to,
            lag_trading_days = lag,
            source = %result.windows.current.source,
            "stale data: the newest day in the features is {lag} trading day(s) before the as-of date; \
             the numbers describe the window that ends on that day"
        );
    }
}
