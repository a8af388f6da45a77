//! `nepse-drift report`: an ad-hoc analysis of any window, rendered as a table, JSON, CSV or
//! Markdown (and optionally an HTML page). Never pushes.

use std::io::{IsTerminal, Write};

use chrono::Utc;

use crate::analysis::analyse;
use crate::cli::{Format, ReportArgs};
use crate::error::Error;
use crate::exit;
use crate::render::{self, Style};
use crate::settings::{self, Groups, ProcessEnv, Settings};

/// `nepse-drift report`.
///
/// # Errors
/// Any [`Error`]; the exit code of a computed result follows [`exit::outcome_code`].
pub fn report(args: &ReportArgs, progress: bool, out: &mut dyn Write) -> Result<u8, Error> {
    let file = settings::load_file(&args.analysis.config)?;
    let groups = Groups {
        perf: Some(&args.perf),
        by: args.by,
        every: args.every.as_deref(),
        progress,
        ..args.analysis.groups()
    };
    let settings = Settings::resolve(&groups, &ProcessEnv, &file, Utc::now())?;
    let result = analyse(&settings)?;
    super::notices::warn(&result);
    if let Some(path) = &args.html {
        fs_err::write(path, render::html::render(&result))
            .map_err(|e| Error::Output { path: path.display().to_string(), detail: e.to_string() })?;
    }
    let to_file = args.output.is_some();
    let style = Style { color: !to_file && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() };
    let text = match args.format {
        Format::Table => render::table::render(&result, style),
        Format::Json => {
            render::json(&result).map_err(|e| Error::Output { path: "<json>".into(), detail: e.to_string() })?
        }
        Format::Csv => render::csv::render(&result),
        Format::Markdown => render::markdown::render(&result),
    };
    match &args.output {
        Some(path) => fs_err::write(path, text)
            .map_err(|e| Error::Output { path: path.display().to_string(), detail: e.to_string() })?,
        None => out
            .write_all(text.as_bytes())
            .map_err(|e| Error::Output { path: "<stdout>".into(), detail: e.to_string() })?,
    }
    Ok(exit::outcome_code(&result, args.fail_on_drift))
}
