//! `nepse-drift fit-reference`: fits the reference window once into a profile file that later
//! runs read instead of the raw reference.

use chrono::Utc;

use crate::analysis;
use crate::cli::{FitArgs, WindowArgs};
use crate::error::Error;
use crate::exit;
use crate::output::{Inputs, Output};
use crate::printer::Printer;
use crate::settings::{self, ConfigError, ProcessEnv, Settings};

/// `nepse-drift fit-reference -o FILE`.
///
/// # Errors
/// Any [`Error`]; nothing is written on error.
pub fn fit_reference(args: &FitArgs, progress: bool, out: &mut Printer<'_>) -> Result<u8, Error> {
    let file = settings::load_file(&args.analysis.config)?;
    let windows = fitted_window(&args.analysis.windows)?;
    let groups = settings::Groups { progress, windows: Some(&windows), fits_reference: true, ..args.analysis.groups() };
    let settings = Settings::resolve(&groups, &ProcessEnv, &file, Utc::now())?;
    if settings.features.multivariate {
        return Err(ConfigError::Invalid {
            key: "--multivariate (features.multivariate)".into(),
            detail: "a reference profile holds per-feature bins, not the rows multivariate drift refits: pass --multivariate to report or run with the reference data instead".into(),
        }
        .into());
    }
    if settings.features.data_quality {
        return Err(ConfigError::Invalid {
            key: "--data-quality (features.data_quality)".into(),
            detail: "a reference profile holds per-feature bins, not the values, days and symbols data quality compares: pass --data-quality to report or run with the reference data instead".into(),
        }
        .into());
    }
    // Before anything is read: a refused path fails at once.
    let output =
        Output::resolve(&args.output, &Inputs::for_fitting(&settings, args.analysis.config.config.as_deref()))?;
    let profile = analysis::fit_reference(&settings)?;
    let json = profile.to_json().map_err(|e| Error::Output { path: args.output.display().to_string(), detail: e })?;
    // An output that cannot be written is not a bad profile: exit 1 with a path hint.
    out.write(&output, json.as_bytes())?;
    let summary = format!(
        "fitted {} features ({} skipped) on {} rows, {} … {}, into {} (sha256 {})",
        profile.features.len(),
        profile.skipped.len(),
        profile.rows,
        profile.from,
        profile.to,
        args.output.display(),
        &profile.content_hash[..12]
    );
    if output.is_stdout() {
        // The profile is the data on stdout: the summary goes to the log.
        tracing::info!("{summary}");
    } else {
        out.print(&format!("{summary}\n"))?;
    }
    Ok(if profile.skipped.is_empty() { exit::SUCCESS } else { exit::PARTIAL })
}

/// The windows `fit-reference` resolves: it fits a reference window and has no current one, so
/// `--from/--to` name the fitted window, as `--reference-from/--reference-to` do. `--last`
/// (a current window's length) is refused with the flag that means what it likely meant.
fn fitted_window(w: &WindowArgs) -> Result<WindowArgs, ConfigError> {
    if w.last.is_some() {
        return Err(ConfigError::Invalid {
            key: "--last".into(),
            detail:
                "fit-reference fits a reference window and has no current one: use --reference-last N or --from/--to"
                    .into(),
        });
    }
    let (Some(from), Some(to)) = (w.from, w.to) else { return Ok(w.clone()) };
    if w.reference_from.is_some() || w.reference_last.is_some() {
        return Err(ConfigError::Invalid {
            key: "--from/--to".into(),
            detail: "for fit-reference they name the fitted window: give them or --reference-from/--reference-to \
                     (or --reference-last), not both"
                .into(),
        });
    }
    Ok(WindowArgs { from: None, to: None, reference_from: Some(from), reference_to: Some(to), ..w.clone() })
}
