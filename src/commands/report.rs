//! `nepse-drift report`: an ad-hoc analysis of any window, rendered as a table, JSON, CSV or
//! Markdown (and optionally an HTML page). Never pushes.

use std::path::Path;

use chrono::Utc;

use crate::analysis::analyse;
use crate::cli::{Format, ReportArgs};
use crate::error::Error;
use crate::exit;
use crate::output::{Inputs, Output};
use crate::printer::Printer;
use crate::render::{self, Style};
use crate::settings::{self, Groups, ProcessEnv, Settings};

/// `nepse-drift report`.
///
/// # Errors
/// Any [`Error`]; the exit code of a computed result follows [`exit::outcome_code`].
pub fn report(args: &ReportArgs, progress: bool, out: &mut Printer<'_>) -> Result<u8, Error> {
    let file = settings::load_file(&args.analysis.config)?;
    let groups = Groups {
        perf: Some(&args.perf),
        by: args.by,
        every: args.every.as_deref(),
        progress,
        ..args.analysis.groups()
    };
    let settings = Settings::resolve(&groups, &ProcessEnv, &file, Utc::now())?;
    // CSV holds one row per feature: without a page for them, the steps of `--every` and the
    // breakdown of `--by` would go nowhere.
    let dropped = [(args.every.is_some(), "--every", "steps"), (args.by.is_some(), "--by", "breakdown")];
    if args.format == Format::Csv
        && args.html.is_none()
        && let Some((_, flag, what)) = dropped.into_iter().find(|(given, ..)| *given)
    {
        return Err(settings::ConfigError::Invalid {
            key: format!("{flag} with --format csv"),
            detail: format!(
                "CSV holds one row per feature and no {what}: use --format json, markdown or table, or add --html"
            ),
        }
        .into());
    }
    // Before anything is read: a refused path fails at once.
    let inputs = Inputs::of(&settings, args.analysis.config.config.as_deref());
    let html = args.html.as_deref().map(|path| Output::resolve(path, &inputs)).transpose()?;
    // Without -o the text goes to stdout, which is checked as `-o -` is (`>> data.parquet`).
    let output = Output::resolve(args.output.as_deref().unwrap_or(Path::new("-")), &inputs)?;
    if let Some(html) = &html {
        html.apart_from(&output, "-o")?;
    }
    let result = analyse(&settings)?;
    super::notices::warn(&result, &settings);
    if let Some(html) = &html {
        out.write(html, render::html::render(&result).as_bytes())?;
    }
    let style = Style { color: out.color(&output) };
    let text = match args.format {
        Format::Table => render::table::render(&result, style),
        Format::Json => {
            render::json(&result).map_err(|e| Error::Output { path: "<json>".into(), detail: e.to_string() })?
        }
        Format::Csv => render::csv::render(&result),
        Format::Markdown => render::markdown::render(&result),
    };
    out.write(&output, text.as_bytes())?;
    Ok(exit::outcome_code(&result, args.fail_on_drift))
}
