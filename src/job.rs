//! The scheduled job (`run`), re-pushing a saved result (`push`) and `check-config`.
//!
//! Failure semantics, in order:
//! 1. a second overlapping run finds the results directory locked and exits at once (code 6);
//! 2. if computing fails, nothing but `nepse_drift_last_failure_timestamp_seconds` is sent (a
//!    POST, so the last good values stay visible) and the last-success time does not move;
//! 3. the complete JSON result is written atomically (temp file + rename) before any push;
//! 4. if the push fails after its retries, the exit code says so (5) and the saved file can be
//!    re-pushed exactly with `push --result FILE`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Utc;
use rand::Rng as _;

use crate::analysis::analyse;
use crate::calendar::nepal_date;
use crate::cli::{ConfigArgs, PushArgs, RunArgs};
use crate::config::{ConfigError, FileConfig};
use crate::error::Error;
use crate::metrics;
use crate::push::{self, Method};
use crate::result::{RunInfo, RunResult};
use crate::settings::{self, Flags, ProcessEnv, PushSettings, Settings};

/// `nepse-drift run`.
///
/// # Errors
/// Any [`Error`]; the result file is saved before a push error is returned.
pub fn run(args: &RunArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let started = Instant::now();
    let started_at = unix_now();
    let run_id = format!("{:016x}", rand::rng().random::<u64>());
    let file = settings::load_file(&args.config)?;
    let settings = resolve_run(&file, args)?;
    let push_settings = settings::resolve_push(&file, args.push_url.as_deref(), &ProcessEnv)?;
    let results_dir = args.results_dir.clone().or_else(|| file.output.results_dir.clone());
    let _lock = results_dir.as_deref().map(lock).transpose()?;
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
        let body = metrics::render(&result)?;
        Ok((result, body))
    });
    let (result, body) = match computed {
        Ok(ok) => ok,
        Err(e) => {
            tracing::error!(error = %e, "run failed; pushing only the failure timestamp");
            let model = settings
                .model
                .clone()
                .or_else(|| {
                    results_dir.as_deref().and_then(|d| read_result(&d.join("latest.json")).ok()).map(|r| r.model)
                })
                .unwrap_or_else(|| crate::analysis::DEFAULT_MODEL.to_owned());
            report_failure(&push_settings, &model, args.dry_run);
            return Err(e);
        }
    };
    log_result(&result);
    if let Some(dir) = &results_dir {
        let paths = save(dir, &result)?;
        tracing::info!(path = %paths.display(), "result saved");
    }
    let code = crate::app::outcome_code(&result, args.fail_on_drift);
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

/// `nepse-drift push --result FILE`: re-pushes a saved result exactly.
///
/// # Errors
/// [`Error::ResultFile`] for an unreadable file, [`Error::Push`] when the push fails.
pub fn push_saved(args: &PushArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let file = settings::load_file(&args.config)?;
    let push_settings = settings::resolve_push(&file, args.push_url.as_deref(), &ProcessEnv)?;
    let result = read_result(&args.result)?;
    let body = metrics::render(&result)?;
    if push_settings.url.is_none() || args.dry_run {
        out.write_all(body.as_bytes()).map_err(|e| Error::Output { path: "<stdout>".into(), detail: e.to_string() })?;
        return Ok(crate::exit::SUCCESS);
    }
    let attempts = push::push(&push_settings, &result.model, Method::Put, &body)?;
    tracing::info!(attempts, result = %args.result.display(), "re-pushed saved result");
    Ok(crate::exit::SUCCESS)
}

/// `nepse-drift check-config`: validates settings and that the sources exist, reading no data.
///
/// # Errors
/// The first [`ConfigError`] found.
pub fn check_config(args: &ConfigArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let file = settings::load_file(args)?;
    let settings = settings::resolve(&file, &Flags::default(), nepal_date(Utc::now()))?;
    let push_settings = settings::resolve_push(&file, None, &ProcessEnv)?;
    let s = &settings.sources;
    for (key, path) in [
        ("sources.features", Some(&s.features)),
        ("sources.predictions", s.predictions.as_ref()),
        ("sources.outcomes", s.outcomes.as_ref()),
        ("sources.reference", s.reference.as_ref()),
    ] {
        if let Some(path) = path {
            source_exists(key, path)?;
        }
    }
    let url = push_settings.url.as_ref().map_or_else(|| "none (prints instead)".to_owned(), ToString::to_string);
    writeln!(
        out,
        "config ok: features {}, push {url}, job {}, results {}",
        s.features,
        push_settings.job,
        file.output.results_dir.as_deref().map_or_else(|| "not saved".to_owned(), |p| p.display().to_string())
    )
    .map_err(|e| Error::Output { path: "<stdout>".into(), detail: e.to_string() })?;
    Ok(crate::exit::SUCCESS)
}

fn resolve_run(file: &FileConfig, args: &RunArgs) -> Result<Settings, ConfigError> {
    let flags = Flags { sources: Some(&args.sources), windows: Some(&args.windows), ..Flags::default() };
    settings::resolve(file, &flags, nepal_date(Utc::now()))
}

/// A source path must exist; for a glob, the directory before its first wildcard must.
fn source_exists(key: &str, path: &str) -> Result<(), ConfigError> {
    let fixed: &str = path.find(['*', '?', '[']).map_or(path, |i| &path[..i]);
    let check = if fixed.len() < path.len() {
        Path::new(fixed).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    } else {
        PathBuf::from(path)
    };
    let check = if check.as_os_str().is_empty() { PathBuf::from(".") } else { check };
    if check.exists() { Ok(()) } else { Err(ConfigError::SourceNotFound { key: key.into(), path: path.into() }) }
}

/// Takes the advisory lock `.nepse-drift.lock` in `dir` (created if needed).
fn lock(dir: &Path) -> Result<fs_err::File, Error> {
    fs_err::create_dir_all(dir).map_err(|e| Error::Save { path: dir.display().to_string(), detail: e.to_string() })?;
    let path = dir.join(".nepse-drift.lock");
    let file = fs_err::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::Save { path: path.display().to_string(), detail: e.to_string() })?;
    match file.file().try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked { path: path.display().to_string() }),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(Error::Save { path: path.display().to_string(), detail: e.to_string() })
        }
    }
}

/// Writes `<model>_<as_of>.json` and `latest.json` atomically; returns the first path.
fn save(dir: &Path, result: &RunResult) -> Result<PathBuf, Error> {
    let json = crate::render::json(result)
        .map_err(|e| Error::Save { path: dir.display().to_string(), detail: e.to_string() })?;
    let safe_model: String =
        result.model.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    let named = dir.join(format!("{safe_model}_{}.json", result.as_of));
    write_atomically(&named, &json)?;
    write_atomically(&dir.join("latest.json"), &json)?;
    Ok(named)
}

fn write_atomically(path: &Path, text: &str) -> Result<(), Error> {
    let fail = |e: std::io::Error| Error::Save { path: path.display().to_string(), detail: e.to_string() };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let mut f = fs_err::File::create(&tmp).map_err(fail)?;
    f.write_all(text.as_bytes()).map_err(fail)?;
    f.sync_all().map_err(fail)?;
    drop(f);
    fs_err::rename(&tmp, path).map_err(fail)
}

fn read_result(path: &Path) -> Result<RunResult, Error> {
    let fail = |detail: String| Error::ResultFile { path: path.display().to_string(), detail };
    let text = fs_err::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let result: RunResult = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
    if result.schema_version != crate::result::SCHEMA_VERSION {
        return Err(fail(format!("schema_version {} is not {}", result.schema_version, crate::result::SCHEMA_VERSION)));
    }
    Ok(result)
}

/// Best effort: POST only the failure timestamp, so the last good values stay visible.
fn report_failure(push: &PushSettings, model: &str, dry_run: bool) {
    if push.url.is_none() || dry_run {
        return;
    }
    match metrics::failure(unix_now()) {
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
