//! `nepse-drift run`: the scheduled job. Computes, saves and pushes.
//!
//! Failure semantics, in order:
//! 1. a second overlapping run finds the results directory locked and exits at once (code 6);
//! 2. if computing fails, nothing but `nepse_drift_last_failure_timestamp_seconds` is sent (a
//!    POST, so the last good values stay visible) and the last-success time does not move, under
//!    the model label of [`failure_model`];
//! 3. the complete JSON result is written atomically (temp file + rename) before any push; if
//!    that fails, only the failure timestamp is sent and the exit code is 8;
//! 4. if the push fails after its retries, the exit code says so (5) and the saved file can be
//!    re-pushed exactly with `push --result FILE`.

use std::path::Path;
use std::time::Instant;

use chrono::Utc;
use rand::Rng as _;

use crate::analysis::analyse;
use crate::cli::RunArgs;
use crate::error::Error;
use crate::exit;
use crate::load::Scan;
use crate::output::{Inputs, Output};
use crate::printer::Printer;
use crate::prometheus::exposition;
use crate::prometheus::push::{self, Method};
use crate::result::{RunInfo, RunResult};
use crate::settings::{self, DEFAULT_MODEL, ProcessEnv, PushSettings, Settings};
use crate::store;

/// `nepse-drift run`.
///
/// # Errors
/// Any [`Error`]; the result file is saved before a push error is returned.
pub fn run(args: &RunArgs, out: &mut Printer<'_>) -> Result<u8, Error> {
    let started = Instant::now();
    let started_at = unix_now();
    let run_id = format!("{:016x}", rand::rng().random::<u64>());
    let file = settings::load_file(&args.job.config)?;
    let settings = Settings::resolve(&args.job.groups(), &ProcessEnv, &file, Utc::now())?;
    let push_settings = PushSettings::resolve(&file, args.job.push_url.as_deref(), &ProcessEnv)?;
    let results_dir = settings.results_dir.as_deref();
    let config = args.job.config.config.as_deref();
    let inputs = Inputs::of(&settings, config);
    // A run that prints its exposition text instead of pushing writes stdout: checked, as
    // `report -o -` is, before anything is read (`run >> nepse-drift.toml`).
    if push_settings.url.is_none() || args.dry_run {
        Output::resolve(Path::new("-"), &inputs)?;
    }
    // The results directory, checked as check-config checks it; a dry run takes no lock.
    let _lock = match results_dir {
        Some(dir) if args.dry_run => {
            store::check(dir, &inputs)?;
            None
        }
        Some(dir) => Some(store::lock(dir, &inputs)?),
        None => None,
    };
    let span = tracing::info_span!("run", run_id = %run_id, as_of = %settings.as_of);
    let _enter = span.enter();
    tracing::info!(features = %settings.sources.features, "run started");

    let computed = analyse(&settings).map_err(Error::from).and_then(|mut result| {
        let finished_at = unix_now();
        result.run = Some(RunInfo {
            run_id: run_id.clone(),
            started_at,
            finished_at,
            duration_seconds: started.elapsed().as_secs_f64(),
        });
        let groups = exposition::groups(&result)?;
        Ok((result, groups))
    });
    let (result, groups) = match computed {
        Ok(ok) => ok,
        Err(e) => {
            report_failure(&push_settings, &failure_model(&settings), args.dry_run, "run failed", &e);
            return Err(e);
        }
    };
    log_result(&result, &settings);
    match results_dir {
        // A dry run writes nothing: a later `push --result latest.json` must not push it.
        Some(dir) if !args.dry_run => match store::save(dir, &result, &Inputs::for_results(&settings, config)) {
            Ok(path) => tracing::info!(path = %path.display(), "result saved"),
            Err(e) => {
                // Not pushed: every pushed result can be re-pushed from its file.
                report_failure(&push_settings, &result.model, args.dry_run, "result not saved", &e);
                return Err(e.into());
            }
        },
        Some(_) => tracing::info!("dry run: the result is not saved"),
        None => {}
    }
    let code = exit::outcome_code(&result, args.fail_on_drift);
    if push_settings.url.is_none() || args.dry_run {
        out.print(&exposition::dry_run_text(&groups))?;
        tracing::info!("dry run: printed the exposition text, pushed nothing");
        return Ok(code);
    }
    push_groups(&push_settings, &groups, results_dir.is_some())?;
    Ok(code)
}

/// The model label a failed run reports its failure under, so that `DriftJobFailing` (joined on
/// job and model) fires for the series the last success pushed: `push.model` from the config;
/// else the model of the last result saved in the results directory; else the predictions'
/// model version on their last day up to the as-of date, when that day holds one; else
/// `default`. Each step is best effort (the failure may be that very file).
fn failure_model(settings: &Settings) -> String {
    settings
        .model
        .clone()
        .or_else(|| settings.results_dir.as_deref().and_then(store::last_model))
        .or_else(|| {
            let path = settings.sources.predictions.as_deref()?;
            let scan = Scan::open(path, &settings.columns.date).ok()?;
            scan.last_model_version(&settings.columns, settings.as_of).ok()?
        })
        .unwrap_or_else(|| DEFAULT_MODEL.to_owned())
}

/// Logs `what` failed with `error`, and what is pushed for it: best effort, only the failure
/// timestamp (POST), so the last good values stay visible; nothing on a dry run or without a
/// Pushgateway.
fn report_failure(push: &PushSettings, model: &str, dry_run: bool, what: &str, error: &dyn std::fmt::Display) {
    if dry_run || push.url.is_none() {
        let why = if dry_run { "--dry-run" } else { "no Pushgateway URL" };
        tracing::error!(error = %error, "{what}; nothing pushed ({why})");
        return;
    }
    tracing::error!(error = %error, "{what}; pushing only the failure timestamp");
    match exposition::failure(unix_now()) {
        Ok(body) => match push::push(push, model, Method::Post, &body) {
            Ok(_) => tracing::info!("pushed the failure timestamp"),
            Err(e) => tracing::error!(error = %e, "could not push the failure timestamp either"),
        },
        Err(e) => tracing::error!(error = %e, "could not render the failure timestamp"),
    }
}

fn log_result(r: &RunResult, settings: &Settings) {
    let w = &r.windows;
    tracing::info!(
        reference_from = %w.reference.from, reference_to = %w.reference.to, reference_rows = w.reference.rows,
        current_from = %w.current.from, current_to = %w.current.to, current_rows = w.current.rows,
        "windows"
    );
    tracing::info!(
        features = r.drift.features.len(),
        drifted = r.drift.drifted_features.len(),
        skipped = r.drift.skipped.len(),
        seconds = r.run.as_ref().map_or(0.0, |x| x.duration_seconds),
        "computed"
    );
    super::notices::warn(r, settings);
}

fn unix_now() -> f64 {
    let now = Utc::now();
    now.timestamp() as f64 + f64::from(now.timestamp_subsec_millis()) / 1000.0
}

/// PUTs every group, the live one first; the first failure stops it (`saved`: the result file
/// is saved, and `push --result` re-pushes all of them).
///
/// # Errors
/// [`Error::Push`] when a push fails after its retries, [`Error::PushNotSaved`] when no result
/// file was saved.
pub(crate) fn push_groups(settings: &PushSettings, groups: &[exposition::Group], saved: bool) -> Result<(), Error> {
    let t = Instant::now();
    for (model, body) in groups {
        match push::push(settings, model, Method::Put, body) {
            Ok(attempts) => tracing::info!(model, attempts, seconds = t.elapsed().as_secs_f64(), "pushed"),
            Err(e) if saved => {
                tracing::error!(model, error = %e, "push failed; the result file is saved");
                return Err(Error::Push(e));
            }
            Err(e) => {
                tracing::error!(model, error = %e, "push failed; no result file was saved (no results_dir)");
                return Err(Error::PushNotSaved(e));
            }
        }
    }
    Ok(())
}
