//! `nepse-drift run`: the scheduled job. Computes, saves and pushes.
//!
//! Failure semantics, in order:
//! 1. a second overlapping run finds the results directory locked and exits at once (code 6);
//! 2. if computing fails, nothing but `nepse_drift_last_failure_timestamp_seconds` is sent (a
//!    POST, so the last good values stay visible) and the last-success time does not move;
//! 3. the complete JSON result is written atomically (temp file + rename) before any push;
//! 4. if the push fails after its retries, the exit code says so (5) and the saved file can be
//!    re-pushed exactly with `push --result FILE`.

use std::io::Write;
use std::time::Instant;

use chrono::Utc;
use rand::Rng as _;

use crate::analysis::analyse;
use crate::cli::RunArgs;
use crate::error::Error;
use crate::exit;
use crate::exposition;
use crate::push::{self, Method};
use crate::result::{RunInfo, RunResult};
use crate::settings::{self, DEFAULT_MODEL, Groups, ProcessEnv, PushSettings, Settings};
use crate::store;

/// `nepse-drift run`.
///
/// # Errors
/// Any [`Error`]; the result file is saved before a push error is returned.
pub fn run(args: &RunArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let started = Instant::now();
    let started_at = unix_now();
    let run_id = format!("{:016x}", rand::rng().random::<u64>());
    let file = settings::load_file(&args.config)?;
    let groups = Groups {
        sources: Some(&args.sources),
        windows: Some(&args.windows),
        results_dir: args.results_dir.as_deref(),
        ..Groups::default()
    };
    let settings = Settings::resolve(&groups, &ProcessEnv, &file, Utc::now())?;
    let push_settings = PushSettings::resolve(&file, args.push_url.as_deref(), &ProcessEnv)?;
    let results_dir = settings.results_dir.as_deref();
    let _lock = results_dir.filter(|_| !args.dry_run).map(store::lock).transpose()?;
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
        let body = exposition::render(&result)?;
        Ok((result, body))
    });
    let (result, body) = match computed {
        Ok(ok) => ok,
        Err(e) => {
            tracing::error!(error = %e, "run failed; pushing only the failure timestamp");
            let model = settings
                .model
                .clone()
                .or_else(|| results_dir.and_then(store::last_model))
                .unwrap_or_else(|| DEFAULT_MODEL.to_owned());
            report_failure(&push_settings, &model, args.dry_run);
            return Err(e);
        }
    };
    log_result(&result);
    match results_dir {
        // A dry run writes nothing: a later `push --result latest.json` must not push it.
        Some(dir) if !args.dry_run => {
            let paths = store::save(dir, &result)?;
            tracing::info!(path = %paths.display(), "result saved");
        }
        Some(_) => tracing::info!("dry run: the result is not saved"),
        None => {}
    }
    let code = exit::outcome_code(&result, args.fail_on_drift);
    if push_settings.url.is_none() || args.dry_run {
        out.write_all(body.as_bytes()).map_err(|e| Error::Output { path: "<stdout>".into(), detail: e.to_string() })?;
        tracing::info!("dry run: printed the exposition text, pushed nothing");
        return Ok(code);
    }
    let t = Instant::now();
    match push::push(&push_settings, &result.model, Method::Put, &body) {
        Ok(attempts) => {
            tracing::info!(attempts, seconds = t.elapsed().as_secs_f64(), "pushed");
            Ok(code)
        }
        Err(e) => {
            tracing::error!(error = %e, "push failed; the result file is saved");
            Err(e.into())
        }
    }
}

/// Best effort: POST only the failure timestamp, so the last good values stay visible.
fn report_failure(push: &PushSettings, model: &str, dry_run: bool) {
    if push.url.is_none() || dry_run {
        return;
    }
    match exposition::failure(unix_now()) {
        Ok(body) => match push::push(push, model, Method::Post, &body) {
            Ok(_) => tracing::info!("pushed the failure timestamp"),
            Err(e) => tracing::error!(error = %e, "could not push the failure timestamp either"),
        },
        Err(e) => tracing::error!(error = %e, "could not render the failure timestamp"),
    }
}

fn log_result(r: &RunResult) {
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
    for s in &r.drift.skipped {
        tracing::warn!(feature = %s.feature, reason = %s.reason, "feature skipped");
    }
}

fn unix_now() -> f64 {
    let now = Utc::now();
    now.timestamp() as f64 + f64::from(now.timestamp_subsec_millis()) / 1000.0
}
