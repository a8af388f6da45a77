//! `nepse-drift backfill`: what `run --as-of DAY` would have pushed, for every trading day of a
//! range, as OpenMetrics text with one timestamp per day, for `promtool tsdb
//! create-blocks-from openmetrics`.
//!
//! Each source is read once, into memory, for the whole range (the log says how many rows);
//! every day is then computed by the same code as `run`, over those rows, with the day's own
//! as-of cutoff (outcomes observed after it are not known that day). A day whose windows the
//! data cannot form (too little history early on, no predictions yet) is skipped with one
//! warning and no sample, and the exit code is 4; when every day is skipped, nothing is written
//! and the first day's reason is the error, with `run`'s exit code for it (3). Bad data is an
//! error, as in `run`.
//!
//! The gauges are `run`'s, with the same labels and the grouping labels as series labels,
//! except the job-health gauges that describe a real run (`nepse_drift_last_success_…`,
//! `nepse_drift_run_duration_seconds`): a backfill is not a run.

use std::time::Instant;

use chrono::Utc;

use crate::analysis::{Sources, analyse_days};
use crate::calendar::nepal_instant;
use crate::cli::BackfillArgs;
use crate::error::Error;
use crate::exit;
use crate::output::{Inputs, Output};
use crate::printer::Printer;
use crate::prometheus::exposition;
use crate::prometheus::openmetrics::History;
use crate::settings::{self, Grouping, Groups, ProcessEnv, Settings};

/// `nepse-drift backfill`.
///
/// # Errors
/// Any [`Error`]: bad settings or a refused output path (2), bad data (3), an output that
/// cannot be written (1).
pub fn backfill(args: &BackfillArgs, out: &mut Printer<'_>) -> Result<u8, Error> {
    let started = Instant::now();
    let range = args.range()?;
    let file = settings::load_file(&args.config)?;
    let windows = args.windows();
    let groups = Groups { sources: Some(&args.sources), windows: Some(&windows), ..Groups::default() };
    let settings = Settings::resolve(&groups, &ProcessEnv, &file, Utc::now())?;
    let grouping = Grouping::resolve(&file, &ProcessEnv)?;
    // Before anything is read: a refused path fails in a moment, not after the whole range.
    let output = Output::resolve(&args.output, &Inputs::of(&settings, args.config.config.as_deref()))?;

    let sources = Sources::in_memory(&settings, range.to())?;
    for (dataset, rows) in sources.rows_read() {
        tracing::info!(dataset = %dataset, rows, "read once for the whole range");
    }
    let days = sources.trading_days(&settings, range)?;
    tracing::info!(from = %range.from(), to = %range.to(), trading_days = days.len(), "backfilling");

    let mut history = History::new();
    let (mut written, mut skipped_days, mut partial) = (0_usize, 0_usize, false);
    let mut first_skip = None;
    let (mut overlapped, mut first_overlap) = (0_usize, None);
    for (day, computed) in analyse_days(&settings, &sources, &days) {
        let result = match computed {
            Ok(result) => result,
            Err(e) if e.is_window() => {
                tracing::warn!(as_of = %day, reason = %e, "day skipped: its windows cannot be formed from the data");
                skipped_days += 1;
                first_skip.get_or_insert(e);
                continue;
            }
            Err(e) => return Err(Error::Analysis(e)),
        };
        partial |= !result.drift.skipped.is_empty();
        if let Some(o) = result.windows.overlap {
            overlapped += 1;
            first_overlap.get_or_insert((day, o));
        }
        let mut labels = vec![("job".to_owned(), grouping.job.clone()), ("model".to_owned(), result.model.clone())];
        labels.extend(grouping.labels.iter().cloned());
        history.add(nepal_instant(day, args.at), &labels, exposition::samples(&result)?);
        for other in &result.other_versions {
            let mut labels = vec![("job".to_owned(), grouping.job.clone()), ("model".to_owned(), other.model.clone())];
            labels.extend(grouping.labels.iter().cloned());
            history.add(nepal_instant(day, args.at), &labels, exposition::version_samples(&result, other)?);
        }
        written += 1;
    }
    if let Some(first) = first_overlap {
        super::notices::overlaps_in_backfill(overlapped, written, first, &settings);
    }
    if partial {
        tracing::warn!("some features could not be computed on some days: see `report --as-of DAY` for the reasons");
    }
    // Every day skipped: nothing to backfill. The first day's reason, with `run`'s exit code for
    // it (3), and no file: an empty history is not a history.
    if written == 0
        && let Some(e) = first_skip
    {
        tracing::warn!(from = %range.from(), to = %range.to(), skipped_days, "every trading day of the range was skipped");
        return Err(Error::Analysis(e));
    }
    // A file is written whole or not at all: promtool must never read half a history.
    out.write(&output, history.render().as_bytes())?;
    tracing::info!(
        path = %output.path().display(),
        days = written,
        skipped_days,
        samples = history.samples(),
        seconds = started.elapsed().as_secs_f64(),
        "written"
    );
    Ok(if skipped_days > 0 || partial { exit::PARTIAL } else { exit::SUCCESS })
}
