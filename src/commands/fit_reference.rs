//! `nepse-drift fit-reference`: fits the reference window once into a profile file that later
//! runs read instead of the raw reference.

use std::io::Write;

use chrono::Utc;

use crate::analysis;
use crate::cli::FitArgs;
use crate::error::Error;
use crate::exit;
use crate::settings::{self, ProcessEnv, Settings};

/// `nepse-drift fit-reference -o FILE`.
///
/// # Errors
/// Any [`Error`]; nothing is written on error.
pub fn fit_reference(args: &FitArgs, progress: bool, out: &mut dyn Write) -> Result<u8, Error> {
    let file = settings::load_file(&args.analysis.config)?;
    let groups = settings::Groups { progress, ..args.analysis.groups() };
    let settings = Settings::resolve(&groups, &ProcessEnv, &file, Utc::now())?;
    let profile = analysis::fit_reference(&settings)?;
    // An output file that cannot be written is not a bad profile: exit 1 with a path hint.
    profile
        .write(&args.output)
        .map_err(|e| Error::Output { path: args.output.display().to_string(), detail: e.detail })?;
    writeln!(
        out,
        "fitted {} features ({} skipped) on {} rows, {} … {}, into {} (sha256 {})",
        profile.features.len(),
        profile.skipped.len(),
        profile.rows,
        profile.from,
        profile.to,
        args.output.display(),
        &profile.content_hash[..12]
    )
    .map_err(|e| Error::Output { path: "<stdout>".into(), detail: e.to_string() })?;
    Ok(if profile.skipped.is_empty() { exit::SUCCESS } else { exit::PARTIAL })
}
