//! Every process exit code `nepse-drift` can return, documented in one place.
//!
//! Scripts and the `CronJob` rely on these numbers; they are part of the public interface and are
//! repeated in the README's exit-code table. A failed command's code comes from its error
//! (`Error::exit_code`); a command that produced a result takes [`outcome_code`]. Nothing else
//! chooses a code.

use crate::result::RunResult;

/// The command did what it was asked and nothing was skipped.
pub const SUCCESS: u8 = 0;
/// An unexpected internal failure (a bug): please report it. Also stdout or an output path
/// that cannot be written (a missing directory, no permission, a full disk).
pub const INTERNAL: u8 = 1;
/// Bad command line, configuration file or environment, a results directory that cannot be
/// created or locked, or an output path that [`crate::output`]'s rule refuses (a directory, a
/// socket, a block device, a read-only or Parquet file, one of the run's inputs): nothing was
/// read.
pub const CONFIG: u8 = 2;
/// Bad input data: a missing or unreadable source, a missing column, an empty window, invalid
/// labels or probabilities. Nothing was computed from it and nothing was pushed.
pub const INPUT: u8 = 3;
/// The run finished, but at least one feature could not be computed and was skipped; the
/// others were reported (and pushed).
pub const PARTIAL: u8 = 4;
/// The result was computed and saved, but the Pushgateway push failed after its retries.
/// Re-push it later with `nepse-drift push --result FILE`.
pub const PUSH_FAILED: u8 = 5;
/// Another run holds the results directory's lock; this run did nothing.
pub const LOCKED: u8 = 6;
/// Drift was found and `--fail-on-drift` was given.
pub const DRIFT_FOUND: u8 = 7;
/// The result was computed but could not be saved in the results directory (disk full, a
/// directory in the way, permissions). Only the failure timestamp was pushed; nothing is lost:
/// the same `--as-of` reproduces the result once the directory is fixed.
pub const NOT_SAVED: u8 = 8;

/// The exit code of a command that produced a result: drift found (with `--fail-on-drift`)
/// wins over a partial result, which wins over success.
#[must_use]
pub fn outcome_code(result: &RunResult, fail_on_drift: bool) -> u8 {
    if fail_on_drift && !result.drift.drifted_features.is_empty() {
        DRIFT_FOUND
    } else if !result.drift.skipped.is_empty() {
        PARTIAL
    } else {
        SUCCESS
    }
}
