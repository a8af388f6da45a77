//! `nepse-drift check-config`: validates the settings `run` would use with the same flags,
//! variables and file, that the sources exist and that `results_dir` is usable (no source
//! reads it, its lock is a regular file), reading no data. Meant for a deploy pipeline or an
//! init container.

use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::analysis::AnalysisError;
use crate::cli::JobArgs;
use crate::error::Error;
use crate::exit;
use crate::output::Inputs;
use crate::printer::Printer;
use crate::prometheus::push::redacted;
use crate::settings::{self, ConfigError, ProcessEnv, PushSettings, Settings};
use crate::store;

/// `nepse-drift check-config`.
///
/// # Errors
/// The first [`ConfigError`] found.
pub fn check_config(args: &JobArgs, out: &mut Printer<'_>) -> Result<u8, Error> {
    // Exactly as `run` resolves them: the same flags, variables and file.
    let file = settings::load_file(&args.config)?;
    let settings = Settings::resolve(&args.groups(), &ProcessEnv, &file, Utc::now())?;
    let push_settings = PushSettings::resolve(&file, args.push_url.as_deref(), &ProcessEnv)?;
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
    // The reference profile: a file (as a source is checked), and not asked for what it cannot
    // give, with `run`'s error and exit code for that.
    if let Some(profile) = &s.reference_profile {
        if !profile.is_file() {
            return Err(ConfigError::SourceNotFound {
                key: "sources.reference_profile".into(),
                path: format!("{} (not a file)", profile.display()),
            }
            .into());
        }
        if let Some(what) = settings.needs_raw_reference() {
            return Err(AnalysisError::NeedsRawReference { what, path: profile.display().to_string() }.into());
        }
    }
    // The results directory, as `run` checks it before its lock (nothing created here).
    if let Some(dir) = &settings.results_dir {
        store::check(dir, &Inputs::of(&settings, args.config.config.as_deref()))?;
    }
    let url = push_settings.url.as_ref().map_or_else(|| "none (prints instead)".to_owned(), redacted);
    out.print(&format!(
        "config ok: features {}, push {url}, job {}, results {}\n",
        s.features,
        push_settings.job,
        settings.results_dir.as_deref().map_or_else(|| "not saved".to_owned(), |p| p.display().to_string())
    ))?;
    Ok(exit::SUCCESS)
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
