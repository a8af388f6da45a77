//! Command-line types (clap derive). No logic: [`crate::settings`] turns these into settings.
//!
//! Options that may also come from the environment name their `NEPSE_DRIFT_*` variable; clap
//! resolves flag > environment, and [`crate::settings`] falls back to the config file.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveTime};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::options::{BinningMode, Choice, SignificanceTest};
use crate::performance::GroupBy;
use crate::synth::MarketKind;

/// Drift (PSI) and delayed-ground-truth performance of a NEPSE next-day direction model.
#[derive(Debug, Parser)]
#[command(name = "nepse-drift", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "NEPSE_DRIFT_LOG_FORMAT")]
    pub log_format: LogFormat,
    /// Only errors on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// Log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (for Loki/Promtail).
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once; boxing would only add noise
pub enum Command {
    /// Ad-hoc drift and performance report over any date range.
    Report(ReportArgs),
    /// The scheduled job: compute, save the result, push gauges to the Pushgateway.
    Run(RunArgs),
    /// Re-push a saved result file.
    Push(PushArgs),
    /// Write what `run` would have pushed on every trading day of a range, as OpenMetrics history.
    ///
    /// One sample per gauge and trading day, timestamped when the scheduled run would have
    /// pushed it, for `promtool tsdb create-blocks-from openmetrics`.
    Backfill(BackfillArgs),
    /// Validate the configuration (and that its sources exist) without reading data.
    CheckConfig(JobArgs),
    /// Fit the reference once into a profile file, for `--reference-profile`. `--from/--to`
    /// name the fitted window here (as `--reference-from/--reference-to`).
    FitReference(FitArgs),
    /// Write a deterministic synthetic NEPSE panel (features, predictions, outcomes).
    Fixtures(FixturesArgs),
}

impl Cli {
    /// Parses the process's arguments and `NEPSE_DRIFT_*` variables. A variable set to the
    /// empty string counts as unset, for every flag it backs, as it does for the variables
    /// settings read directly (`NEPSE_DRIFT_JOB`, the credentials): an empty value in a
    /// `ConfigMap` or a crontab line means "not given", not "the empty path".
    #[must_use]
    pub fn parse_env() -> Self {
        let command = || without_empty_env(<Self as clap::CommandFactory>::command());
        let parsed =
            command().try_get_matches().and_then(|matches| <Self as clap::FromArgMatches>::from_arg_matches(&matches));
        parsed.unwrap_or_else(|e| {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                e.exit();
            }
            // Only for an error: the subcommands' names, and the flags the environment sets.
            let command = command();
            let names: Vec<String> = command.get_subcommands().map(|c| c.get_name().to_owned()).collect();
            // `args_os`: an argument that is not UTF-8 (an odd path) must not panic here.
            let sub = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).find(|a| names.contains(a));
            let (line, mut hint) = one_line(&e.render().to_string(), sub.as_deref());
            // Clap names a flag as if it were typed: say which came from the environment.
            let what = match e.kind() {
                ErrorKind::ArgumentConflict => Some("unset it for this command"),
                ErrorKind::InvalidValue | ErrorKind::ValueValidation => Some("fix it or unset it"),
                _ => None,
            };
            if let Some(what) = what {
                let typed: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
                hint = env_note(&flags_from_env(&command), sub.as_deref(), &named_flags(&e), &typed, what) + &hint;
            }
            // Not `eprintln!`: it panics when stderr cannot be written.
            let _ = writeln!(std::io::stderr(), "error: {line}\nhint: {hint}");
            std::process::exit(i32::from(crate::exit::CONFIG));
        })
    }
}

/// Clap's rendered error as the project's one error line and its hint: the message before the
/// first blank line, its lines joined; the hint points at the help of the subcommand `sub`.
fn one_line(rendered: &str, sub: Option<&str>) -> (String, String) {
    let message = rendered.split("\n\n").next().unwrap_or(rendered);
    let line = message
        .trim_start_matches("error: ")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let command = sub.map_or_else(|| "nepse-drift".to_owned(), |s| format!("nepse-drift {s}"));
    // Clap's own tip (`a similar argument exists: '--as-of'`) leads the hint.
    let tip = rendered.lines().find_map(|l| l.trim().strip_prefix("tip: ")).map(|t| format!("{t}; "));
    (line, format!("{}see `{command} --help`", tip.unwrap_or_default()))
}

/// A flag of a subcommand whose `NEPSE_DRIFT_*` variable is set: (subcommand, `--flag`,
/// variable).
type EnvFlag = (String, String, String);

/// The flags of every subcommand of `command` that a set variable backs (empty ones were
/// removed by [`without_empty_env`]).
fn flags_from_env(command: &clap::Command) -> Vec<EnvFlag> {
    command
        .get_subcommands()
        .flat_map(|sub| {
            sub.get_arguments().filter_map(move |arg| {
                let var = arg.get_env()?;
                std::env::var_os(var)?;
                Some((sub.get_name().to_owned(), format!("--{}", arg.get_long()?), var.to_string_lossy().into_owned()))
            })
        })
        .collect()
}

/// The flags an error names (`--reference-source`, from clap's
/// `--reference-source <REFERENCE_SOURCE>`): the invalid one and those it conflicts with, from
/// the error's context.
fn named_flags(e: &clap::Error) -> Vec<String> {
    use clap::error::{ContextKind, ContextValue};
    let mut flags = Vec::new();
    for kind in [ContextKind::InvalidArg, ContextKind::PriorArg] {
        let values = match e.get(kind) {
            Some(ContextValue::String(v)) => vec![v.clone()],
            Some(ContextValue::Strings(v)) => v.clone(),
            _ => Vec::new(),
        };
        flags.extend(values.iter().filter_map(|v| v.split_whitespace().next().map(str::to_owned)));
    }
    flags
}

/// The start of the hint for each flag of an error (`flags`, of subcommand `sub`) that came from
/// the environment, not from `typed` (as `--flag`, `--flag=value`, or its short form, which no
/// such flag has), with `what` to do about it.
fn env_note(from_env: &[EnvFlag], sub: Option<&str>, flags: &[String], typed: &[String], what: &str) -> String {
    let mut note = String::new();
    for (_, flag, var) in from_env.iter().filter(|(s, flag, _)| {
        Some(s.as_str()) == sub
            && flags.contains(flag)
            && !typed.iter().any(|t| t == flag || t.starts_with(&format!("{flag}=")))
    }) {
        let _ = write!(note, "{flag} is set by {var} in the environment: {what}; ");
    }
    note
}

/// `command` with the environment fallback of every argument whose variable is set but empty
/// removed, in every subcommand.
fn without_empty_env(command: clap::Command) -> clap::Command {
    command
        .mut_args(|arg| {
            let empty = arg.get_env().is_some_and(|var| std::env::var_os(var).is_some_and(|v| v.is_empty()));
            if empty { arg.env(None::<&'static str>) } else { arg }
        })
        .mut_subcommands(without_empty_env)
}

/// `--config`.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// TOML configuration file.
    #[arg(long, env = "NEPSE_DRIFT_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Data sources and key column names.
#[derive(Debug, Clone, Default, Args)]
pub struct SourceArgs {
    /// Features: a Parquet file, a directory (hive partitions allowed) or a glob.
    #[arg(long, env = "NEPSE_DRIFT_FEATURES")]
    pub features: Option<String>,
    /// Predictions source (enables prediction drift and performance).
    #[arg(long, env = "NEPSE_DRIFT_PREDICTIONS")]
    pub predictions: Option<String>,
    /// Outcomes source (delayed ground truth).
    #[arg(long, env = "NEPSE_DRIFT_OUTCOMES")]
    pub outcomes: Option<String>,
    /// Separate reference (training snapshot) features source.
    #[arg(long, env = "NEPSE_DRIFT_REFERENCE_SOURCE")]
    pub reference_source: Option<String>,
    /// A reference profile written by `fit-reference`, instead of reference data.
    #[arg(long, env = "NEPSE_DRIFT_REFERENCE_PROFILE", conflicts_with = "reference_source")]
    pub reference_profile: Option<PathBuf>,
    /// Name of the date column in every dataset.
    #[arg(long)]
    pub as_of_column: Option<String>,
    /// Name of the ticker column.
    #[arg(long)]
    pub symbol_column: Option<String>,
    /// Name of the sector column.
    #[arg(long)]
    pub sector_column: Option<String>,
}

/// Which columns are features and of which kind.
#[derive(Debug, Clone, Default, Args)]
pub struct FeatureArgs {
    /// Features to compare (comma-separated or repeated); default: every non-key column.
    #[arg(long = "feature", value_delimiter = ',')]
    pub include: Vec<String>,
    /// Treat these columns as categorical whatever their dtype.
    #[arg(long, value_delimiter = ',')]
    pub categorical: Vec<String>,
    /// Also compute multivariate drift: PCA reconstruction across the features, called against
    /// the market's own past window pairs (off by default: it reads every feature row-aligned
    /// over four and a half years).
    #[arg(long)]
    pub multivariate: bool,
    /// Also check data quality: per feature and side the missing share (and the significance
    /// of its change), min, max and mean, values beyond the reference's range and 0.1–99.9%
    /// quantiles, `ret_1d` beyond the ±10% circuit limit, symbols that came and went, and a
    /// break call against the last year's windows (off by default: it reads every feature
    /// again over that year).
    #[arg(long)]
    pub data_quality: bool,
}

/// The current and reference windows.
#[derive(Debug, Clone, Default, Args)]
pub struct WindowArgs {
    /// The as-of date (default: today in Nepal time).
    #[arg(long, env = "NEPSE_DRIFT_AS_OF")]
    pub as_of: Option<NaiveDate>,
    /// Current window start (inclusive).
    #[arg(long, requires = "to", conflicts_with = "last")]
    pub from: Option<NaiveDate>,
    /// Current window end (inclusive).
    #[arg(long, requires = "from")]
    pub to: Option<NaiveDate>,
    /// Current window: the last N trading days ending at --as-of.
    #[arg(long)]
    pub last: Option<usize>,
    /// Reference window start (inclusive).
    #[arg(long, requires = "reference_to", conflicts_with = "reference_last")]
    pub reference_from: Option<NaiveDate>,
    /// Reference window end (inclusive).
    #[arg(long, requires = "reference_from")]
    pub reference_to: Option<NaiveDate>,
    /// Reference window: the N trading days before the current window.
    #[arg(long)]
    pub reference_last: Option<usize>,
}

/// PSI settings.
#[derive(Debug, Clone, Default, Args)]
pub struct PsiArgs {
    /// Binning convention.
    #[arg(long, value_enum)]
    pub binning: Option<BinningMode>,
    /// Number of quantile bins.
    #[arg(long)]
    pub bins: Option<usize>,
    /// Replacement for zero proportions.
    #[arg(long)]
    pub epsilon: Option<f64>,
    /// Significance level of the χ² test.
    #[arg(long)]
    pub alpha: Option<f64>,
    /// Significance test of a PSI: `panel` accounts for same-day and day-to-day dependence,
    /// `iid` assumes independent rows [default: panel].
    #[arg(long, value_enum)]
    pub significance: Option<SignificanceTest>,
    /// Evidently's drift tests beside the PSI: `psi` (none, the default), one of `ks`,
    /// `wasserstein`, `jensenshannon`, `hellinger`, `kl_div`, `chisquare`, `z` (which then decides
    /// `drifted`), `auto` (the test Evidently's preset picks per column) or `all` (every test that
    /// applies; the preset's pick decides).
    #[arg(long, value_parser = parse_stattest)]
    pub stattest: Option<Choice>,
}

/// Performance settings.
#[derive(Debug, Clone, Default, Args)]
pub struct PerfArgs {
    /// `actual_label` value counted as positive.
    #[arg(long)]
    pub positive_label: Option<i64>,
    /// Threshold deriving `predicted_label` from `predicted_proba` when absent.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Calibration window start of the performance estimate (default: the reference window).
    #[arg(long, requires = "calibration_to")]
    pub calibration_from: Option<NaiveDate>,
    /// Calibration window end (inclusive).
    #[arg(long, requires = "calibration_from")]
    pub calibration_to: Option<NaiveDate>,
}

/// Output format of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned table for people.
    Table,
    /// The complete versioned JSON result.
    Json,
    /// One CSV row per feature.
    Csv,
    /// A Markdown table.
    Markdown,
}

/// The flags of every command that analyses features: config, sources, features, windows and
/// PSI options.
#[derive(Debug, Clone, Args)]
pub struct AnalysisArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub config: ConfigArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub sources: SourceArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub features: FeatureArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub windows: WindowArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub psi: PsiArgs,
}

/// `report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub analysis: AnalysisArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub perf: PerfArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Also write a self-contained HTML report (inline SVG charts, no network) to this file.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Breakdown of performance (and, for `sector`, of PSI).
    #[arg(long, value_enum)]
    pub by: Option<GroupBy>,
    /// Trend: a step of N trading days, or `week`.
    #[arg(long)]
    pub every: Option<String>,
    /// Exit with code 7 when any feature drifted.
    #[arg(long)]
    pub fail_on_drift: bool,
}

/// The settings of the scheduled job: what `run` takes, and what `check-config` checks.
#[derive(Debug, Clone, Args)]
pub struct JobArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub config: ConfigArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub sources: SourceArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub windows: WindowArgs,
    /// Pushgateway base URL (without it, the exposition text is printed instead).
    #[arg(long, env = "NEPSE_DRIFT_PUSH_URL")]
    pub push_url: Option<String>,
    /// Results directory (one JSON per run, plus latest.json, and the run lock).
    #[arg(long, env = "NEPSE_DRIFT_RESULTS_DIR")]
    pub results_dir: Option<PathBuf>,
}

/// `run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub job: JobArgs,
    /// Print what would be pushed; push nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Exit with code 7 when any feature drifted (after pushing).
    #[arg(long)]
    pub fail_on_drift: bool,
}

/// `backfill`: `run`'s config, sources and windows, over a range of as-of dates.
#[derive(Debug, Clone, Args)]
pub struct BackfillArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub config: ConfigArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub sources: SourceArgs,
    /// First as-of date of the range (inclusive).
    #[arg(long)]
    pub from: NaiveDate,
    /// Last as-of date of the range (inclusive).
    #[arg(long)]
    pub to: NaiveDate,
    /// Current window of each day: the last N trading days ending at it.
    #[arg(long)]
    pub last: Option<usize>,
    /// Reference window start (inclusive), the same for every day.
    #[arg(long, requires = "reference_to", conflicts_with = "reference_last")]
    pub reference_from: Option<NaiveDate>,
    /// Reference window end (inclusive), the same for every day.
    #[arg(long, requires = "reference_from")]
    pub reference_to: Option<NaiveDate>,
    /// Reference window of each day: the N trading days before its current window.
    #[arg(long)]
    pub reference_last: Option<usize>,
    /// Time of day of each sample, Nepal time (UTC+05:45), as HH:MM: when the scheduled run
    /// would have pushed it.
    #[arg(long, default_value = "16:30", value_parser = parse_time_of_day)]
    pub at: NaiveTime,
    /// Where to write the OpenMetrics text (`-`: stdout).
    #[arg(long, short)]
    pub output: PathBuf,
}

fn parse_stattest(s: &str) -> Result<Choice, String> {
    Choice::from_name(s).ok_or_else(|| format!("`{s}` is not one of {}", Choice::NAMES))
}

fn parse_time_of_day(s: &str) -> Result<NaiveTime, String> {
    // Exactly two digits, a colon, two digits: chrono's `%H:%M` alone also takes `7:5` and
    // ` 16:30`.
    let shaped =
        s.len() == 5 && s.as_bytes()[2] == b':' && s.bytes().enumerate().all(|(i, b)| i == 2 || b.is_ascii_digit());
    shaped
        .then(|| NaiveTime::parse_from_str(s, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| format!("`{s}` is not a time of day as HH:MM (00:00 to 23:59)"))
}

/// `push`.
#[derive(Debug, Clone, Args)]
pub struct PushArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub config: ConfigArgs,
    /// A result JSON written by `run`.
    #[arg(long)]
    pub result: PathBuf,
    /// Pushgateway base URL.
    #[arg(long, env = "NEPSE_DRIFT_PUSH_URL")]
    pub push_url: Option<String>,
    /// Print what would be pushed; push nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `fit-reference`.
#[derive(Debug, Clone, Args)]
pub struct FitArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub analysis: AnalysisArgs,
    /// Where to write the profile (JSON).
    #[arg(long, short)]
    pub output: PathBuf,
}

/// `fixtures`.
#[derive(Debug, Clone, Args)]
pub struct FixturesArgs {
    /// Output directory (features.parquet, predictions.parquet, outcomes.parquet).
    #[arg(long)]
    pub out: PathBuf,
    /// RNG seed.
    #[arg(long, default_value_t = 20_260_301)]
    pub seed: u64,
    /// First trading day written.
    #[arg(long, default_value = "2026-03-01")]
    pub start: NaiveDate,
    /// Last trading day written.
    #[arg(long, default_value = "2026-11-19")]
    pub end: NaiveDate,
    /// Number of symbols (cycles through real NEPSE tickers, suffixing beyond the list).
    #[arg(long, default_value_t = 100)]
    pub symbols: usize,
    /// Write about this many feature rows instead (sets the symbol count; no predictions).
    #[arg(long)]
    pub rows: Option<usize>,
    /// Drift spec as `FROM:TO:SPEC[;SPEC…]`, each SPEC `shift=FEATURE*SIGMAS`,
    /// `rshift=FEATURE*ROBUST_SIGMAS`, `scale=FEATURE*FACTOR`, `lscale=FEATURE*LOG_FACTOR`,
    /// `sector=SECTOR*KEEP_FRACTION`, `model=SIGNAL_FACTOR`, `bull=DAILY_RETURN` or
    /// `decouple=FEATURE` (shuffled among each day's symbols: a correlation break).
    #[arg(long)]
    pub drift: Option<String>,
    /// Model version of the predictions before the first --release.
    #[arg(long, default_value = "xgb-2026.03")]
    pub model_version: String,
    /// A model release as `DATE:VERSION`: predictions from DATE on carry VERSION (repeatable).
    #[arg(long)]
    pub release: Vec<String>,
    /// Overwrite files that already exist in --out.
    #[arg(long)]
    pub force: bool,
    /// The market simulated: `stationary`, or `realistic` (listings growth, a turnover trend,
    /// bull and bear regimes, a closure, corporate actions, bad prints).
    #[arg(long, value_enum, default_value_t = MarketKind::Stationary)]
    pub market: MarketKind,
}

#[cfg(test)]
mod tests {
    use super::parse_time_of_day;

    #[test]
    fn a_time_of_day_is_exactly_hh_mm() {
        assert_eq!(parse_time_of_day("16:30").unwrap().to_string(), "16:30:00");
        assert_eq!(parse_time_of_day("00:00").unwrap().to_string(), "00:00:00");
        for bad in ["7:5", "16:3", " 16:30", "16:30 ", "24:00", "16:60", "1630", "16-30", "", "١٦:٣٠"] {
            let e = parse_time_of_day(bad).unwrap_err();
            assert!(e.contains("HH:MM"), "{bad}: {e}");
        }
    }
}
