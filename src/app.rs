//! The commands: each resolves its settings once, calls the library, writes through the writer
//! it is given, and returns an exit code (see [`crate::exit`]). Nothing here computes numbers.

use std::io::{IsTerminal, Write};

use chrono::Utc;

use crate::analysis::analyse;
use crate::calendar::nepal_date;
use crate::cli::{AnalysisArgs, Cli, Command, FitArgs, FixturesArgs, Format, LogFormat, ReportArgs};
use crate::error::Error;
use crate::exit;
use crate::fixtures::{self, DriftSpec, PanelSpec};
use crate::job;
use crate::logging;
use crate::render::{self, Style};
use crate::result::RunResult;
use crate::settings::{self, Flags};

/// Runs the parsed command line, writing data to `out`.
///
/// # Errors
/// Any [`Error`]; the caller prints it and exits with [`Error::exit_code`].
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<u8, Error> {
    logging::init(cli.log_format, cli.quiet);
    let progress = !cli.quiet && cli.log_format == LogFormat::Text;
    match cli.command {
        Command::Report(args) => report(&args, progress, out),
        Command::Run(args) => job::run(&args, out),
        Command::Push(args) => job::push_saved(&args, out),
        Command::CheckConfig(args) => job::check_config(&args, out),
        Command::FitReference(args) => fit_reference(&args, progress, out),
        Command::Fixtures(args) => make_fixtures(&args, out),
    }
}

fn today() -> chrono::NaiveDate {
    nepal_date(Utc::now())
}

/// The settings flags an analysing command's common flags give.
fn analysis_flags(args: &AnalysisArgs) -> Flags<'_> {
    Flags {
        sources: Some(&args.sources),
        features: Some(&args.features),
        windows: Some(&args.windows),
        psi: Some(&args.psi),
        ..Flags::default()
    }
}

fn report(args: &ReportArgs, progress: bool, out: &mut dyn Write) -> Result<u8, Error> {
    let file = settings::load_file(&args.analysis.config)?;
    let flags =
        Flags { perf: Some(&args.perf), by: args.by, every: args.every.as_deref(), ..analysis_flags(&args.analysis) };
    let mut settings = settings::resolve(&file, &flags, today())?;
    settings.progress = progress;
    let result = analyse(&settings)?;
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
    Ok(outcome_code(&result, args.fail_on_drift))
}

/// The exit code of a run that produced a result: drift found (with `--fail-on-drift`) wins
/// over a partial result, which wins over success.
pub(crate) fn outcome_code(result: &RunResult, fail_on_drift: bool) -> u8 {
    if fail_on_drift && !result.drift.drifted_features.is_empty() {
        exit::DRIFT_FOUND
    } else if !result.drift.skipped.is_empty() {
        exit::PARTIAL
    } else {
        exit::SUCCESS
    }
}

fn fit_reference(args: &FitArgs, progress: bool, out: &mut dyn Write) -> Result<u8, Error> {
    let file = settings::load_file(&args.analysis.config)?;
    let flags = analysis_flags(&args.analysis);
    let mut settings = settings::resolve(&file, &flags, today())?;
    settings.sources.reference_profile = None;
    settings.progress = progress;
    let profile = crate::analysis::fit_reference(&settings)?;
    profile.write(&args.output).map_err(crate::analysis::AnalysisError::from)?;
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

fn make_fixtures(args: &FixturesArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let drift = args.drift.as_deref().map(DriftSpec::parse).transpose().map_err(Error::FixturesSpec)?;
    if args.start > args.end {
        return Err(Error::FixturesSpec(format!("--start {} is after --end {}", args.start, args.end)));
    }
    let symbols = match args.rows {
        Some(rows) => {
            let days = (args.end - args.start).num_days().max(1) as usize * 5 / 7;
            rows.div_ceil(days.max(1)).max(1)
        }
        None => args.symbols.max(1),
    };
    let spec = PanelSpec {
        seed: args.seed,
        start: args.start,
        end: args.end,
        symbols,
        drift,
        with_predictions: args.rows.is_none(),
    };
    let rows = fixtures::generate(&spec, &args.out)?;
    writeln!(out, "wrote {rows} feature rows for {symbols} symbols to {}", args.out.display())
        .map_err(|e| Error::Output { path: "<stdout>".into(), detail: e.to_string() })?;
    Ok(exit::SUCCESS)
}
