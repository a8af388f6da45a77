//! Settings, resolved once: flags (and their `NEPSE_DRIFT_*` variables, through clap) override
//! the config file, which overrides the defaults. Everything is validated here, so the core
//! takes `&Settings` and never sees a raw flag.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;

use crate::calendar::DateRange;
use crate::cli::{self, By, ConfigArgs, FeatureArgs, PerfArgs, PsiArgs, SourceArgs, WindowArgs};
use crate::config::{ConfigError, FileConfig};
use crate::drift::{BinningMode, PsiOptions, Thresholds};
use crate::performance::GroupBy;

/// Key column names of the three datasets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnNames {
    /// Date column of every dataset.
    pub as_of: String,
    /// Ticker.
    pub symbol: String,
    /// Sector.
    pub sector: String,
    /// Model version (predictions; optional in outcomes).
    pub model_version: String,
    /// Probability of an up day.
    pub predicted_proba: String,
    /// Optional predicted label.
    pub predicted_label: String,
    /// Actual label.
    pub actual_label: String,
    /// Day the label became known.
    pub observed_at: String,
}

impl ColumnNames {
    /// Whether `name` is a key column (never a feature by default).
    #[must_use]
    pub fn is_key(&self, name: &str) -> bool {
        [&self.as_of, &self.symbol, &self.sector].iter().any(|k| k.as_str() == name)
    }
}

/// Where the data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    /// Features.
    pub features: String,
    /// Predictions, when given.
    pub predictions: Option<String>,
    /// Outcomes, when given.
    pub outcomes: Option<String>,
    /// Separate reference features, when given.
    pub reference: Option<String>,
    /// A fitted reference profile, when given (replaces reading the reference).
    pub reference_profile: Option<PathBuf>,
}

/// The current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrentWindow {
    /// Explicit dates.
    Range(DateRange),
    /// The last N trading days ending at the as-of date.
    Last(usize),
}

/// The reference window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceWindow {
    /// Explicit dates (in the reference source when given, else in the features).
    Range(DateRange),
    /// The N trading days before the current window.
    Before(usize),
    /// The whole separate reference source.
    WholeSource,
}

/// A trend step for `--every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// N trading days.
    Days(usize),
    /// NEPSE weeks (Sunday–Thursday).
    Week,
}

/// Which columns are features.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeatureSelection {
    /// Explicit features; empty means every non-key column.
    pub include: Vec<String>,
    /// Columns forced categorical.
    pub categorical: Vec<String>,
}

/// Everything a drift/performance computation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Data sources.
    pub sources: Sources,
    /// Key column names.
    pub columns: ColumnNames,
    /// Feature selection.
    pub features: FeatureSelection,
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Current window.
    pub current: CurrentWindow,
    /// Reference window.
    pub reference: ReferenceWindow,
    /// Performance window in trading days (default: the current window's days).
    pub performance_days: Option<usize>,
    /// PSI settings.
    pub psi: PsiOptions,
    /// Positive label.
    pub positive_label: i64,
    /// Label threshold.
    pub threshold: f64,
    /// Breakdown.
    pub by: GroupBy,
    /// Trend step.
    pub every: Option<Every>,
    /// Model label from the config; otherwise the predictions' single model version, else
    /// `default`.
    pub model: Option<String>,
    /// Show progress bars on a terminal (off under `--quiet` and JSON logs).
    pub progress: bool,
}

/// Pushgateway settings.
#[derive(Debug, Clone, PartialEq)]
pub struct PushSettings {
    /// Base URL, e.g. `http://pushgateway:9091`.
    pub url: Option<reqwest::Url>,
    /// Job label.
    pub job: String,
    /// Extra grouping labels (after job and model).
    pub grouping: Vec<(String, String)>,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Total timeout per attempt.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// First backoff.
    pub backoff: Duration,
    /// CA bundle.
    pub ca_bundle: Option<PathBuf>,
    /// Credentials.
    pub auth: Auth,
}

/// Pushgateway credentials, from the environment or files, never from flags.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// None.
    #[default]
    None,
    /// HTTP basic auth.
    Basic {
        /// User.
        username: String,
        /// Password.
        password: String,
    },
    /// Bearer token.
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets, even in debug output.
        f.write_str(match self {
            Self::None => "None",
            Self::Basic { .. } => "Basic(<redacted>)",
            Self::Bearer(_) => "Bearer(<redacted>)",
        })
    }
}

/// The environment, as far as settings care. Passed in so tests need not mutate the process.
pub trait Env {
    /// The value of `key`, when set and non-empty.
    fn var(&self, key: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok().filter(|v| !v.is_empty())
    }
}

/// Reads the config file named by `--config`, or an empty config.
///
/// # Errors
/// [`ConfigError`] when the file cannot be read or parsed.
pub fn load_file(args: &ConfigArgs) -> Result<FileConfig, ConfigError> {
    args.config.as_deref().map_or_else(|| Ok(FileConfig::default()), FileConfig::read)
}

/// The flag groups a command contributes to the settings; a group it does not have is `None`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags<'a> {
    /// Sources and key column names.
    pub sources: Option<&'a SourceArgs>,
    /// Feature selection.
    pub features: Option<&'a FeatureArgs>,
    /// Windows and the as-of date.
    pub windows: Option<&'a WindowArgs>,
    /// PSI settings.
    pub psi: Option<&'a PsiArgs>,
    /// Performance settings.
    pub perf: Option<&'a PerfArgs>,
    /// Breakdown.
    pub by: Option<By>,
    /// Trend step.
    pub every: Option<&'a str>,
}

/// Resolves the core settings from flags, the config file and defaults, with `today` as the
/// default as-of date.
///
/// # Errors
/// [`ConfigError`] for a missing features source or invalid values.
pub fn resolve(file: &FileConfig, flags: &Flags<'_>, today: NaiveDate) -> Result<Settings, ConfigError> {
    let (no_sources, no_windows) = (SourceArgs::default(), WindowArgs::default());
    let sources = flags.sources.unwrap_or(&no_sources);
    let windows = flags.windows.unwrap_or(&no_windows);
    let (features, psi, perf, by, every) = (flags.features, flags.psi, flags.perf, flags.by, flags.every);
    let c = &file.columns;
    let pick = |flag: &Option<String>, cfg: &Option<String>, default: &str| {
        flag.clone().or_else(|| cfg.clone()).unwrap_or_else(|| default.to_owned())
    };
    let columns = ColumnNames {
        as_of: pick(&sources.as_of_column, &c.as_of, "as_of"),
        symbol: pick(&sources.symbol_column, &c.symbol, "symbol"),
        sector: pick(&sources.sector_column, &c.sector, "sector"),
        model_version: pick(&None, &c.model_version, "model_version"),
        predicted_proba: pick(&None, &c.predicted_proba, "predicted_proba"),
        predicted_label: pick(&None, &c.predicted_label, "predicted_label"),
        actual_label: pick(&None, &c.actual_label, "actual_label"),
        observed_at: pick(&None, &c.observed_at, "observed_at"),
    };
    let s = &file.sources;
    let sources = Sources {
        features: sources
            .features
            .clone()
            .or_else(|| s.features.clone())
            .ok_or_else(|| ConfigError::Missing { key: "sources.features (--features)".into() })?,
        predictions: sources.predictions.clone().or_else(|| s.predictions.clone()),
        outcomes: sources.outcomes.clone().or_else(|| s.outcomes.clone()),
        reference: sources.reference_source.clone().or_else(|| s.reference.clone()),
        reference_profile: sources.reference_profile.clone().or_else(|| s.reference_profile.clone()),
    };
    let features = FeatureSelection {
        include: features
            .map(|f| f.include.clone())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| file.features.include.clone()),
        categorical: features
            .map(|f| f.categorical.clone())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| file.features.categorical.clone()),
    };
    let w = &file.windows;
    let current = match (windows.from, windows.to, windows.last) {
        (Some(from), Some(to), _) => CurrentWindow::Range(range(from, to, "--from/--to")?),
        (_, _, Some(n)) => CurrentWindow::Last(positive(n, "--last")?),
        _ => CurrentWindow::Last(positive(w.current_days.unwrap_or(20), "windows.current_days")?),
    };
    let reference = match (windows.reference_from, windows.reference_to, windows.reference_last) {
        (Some(from), Some(to), _) => ReferenceWindow::Range(range(from, to, "--reference-from/--reference-to")?),
        (_, _, Some(n)) => ReferenceWindow::Before(positive(n, "--reference-last")?),
        _ => match (w.reference_from, w.reference_to, w.reference_days) {
            (Some(from), Some(to), _) => ReferenceWindow::Range(range(from, to, "windows.reference_from/to")?),
            (None, None, None) if sources.reference.is_some() => ReferenceWindow::WholeSource,
            (None, None, days) => ReferenceWindow::Before(positive(days.unwrap_or(120), "windows.reference_days")?),
            _ => {
                return Err(ConfigError::Invalid {
                    key: "windows.reference_from".into(),
                    detail: "reference_from and reference_to go together".into(),
                });
            }
        },
    };
    let psi_options = resolve_psi(file, psi)?;
    let positive_label = perf.and_then(|a| a.positive_label).or(file.performance.positive_label).unwrap_or(1);
    if positive_label != 0 && positive_label != 1 {
        return Err(ConfigError::Invalid {
            key: "performance.positive_label (--positive-label)".into(),
            detail: format!("{positive_label} is not 0 or 1"),
        });
    }
    let threshold = perf.and_then(|a| a.threshold).or(file.performance.threshold).unwrap_or(0.5);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(ConfigError::Invalid {
            key: "performance.threshold (--threshold)".into(),
            detail: format!("{threshold} is not in [0, 1]"),
        });
    }
    Ok(Settings {
        sources,
        columns,
        features,
        as_of: windows.as_of.unwrap_or(today),
        current,
        reference,
        performance_days: w.performance_days,
        psi: psi_options,
        positive_label,
        threshold,
        by: match by {
            None | Some(By::ModelVersion) => GroupBy::ModelVersion,
            Some(By::Sector) => GroupBy::Sector,
            Some(By::Symbol) => GroupBy::Symbol,
        },
        every: every.map(parse_every).transpose()?,
        model: file.push.model.clone(),
        progress: false,
    })
}

/// Resolves the Pushgateway settings; credentials come from `NEPSE_DRIFT_PUSH_*` variables or
/// the files named in `[push]`.
///
/// # Errors
/// [`ConfigError`] for an invalid URL, bad timeouts or unreadable credential files.
pub fn resolve_push(file: &FileConfig, url_flag: Option<&str>, env: &dyn Env) -> Result<PushSettings, ConfigError> {
    let p = &file.push;
    let url = url_flag
        .map(str::to_owned)
        .or_else(|| p.url.clone())
        .map(|u| {
            let parsed = reqwest::Url::parse(&u).map_err(|e| ConfigError::Invalid {
                key: "push.url (--push-url)".into(),
                detail: format!("`{u}`: {e}"),
            })?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                return Err(ConfigError::Invalid {
                    key: "push.url (--push-url)".into(),
                    detail: format!("`{u}` is not an http(s) URL"),
                });
            }
            Ok(parsed)
        })
        .transpose()?;
    let job = env.var("NEPSE_DRIFT_JOB").or_else(|| p.job.clone()).unwrap_or_else(|| "nepse_drift".into());
    if job.is_empty() {
        return Err(ConfigError::Invalid { key: "push.job".into(), detail: "must not be empty".into() });
    }
    let seconds = |v: Option<f64>, default: f64, key: &str| -> Result<Duration, ConfigError> {
        let v = v.unwrap_or(default);
        if v.is_finite() && v > 0.0 {
            Ok(Duration::from_secs_f64(v))
        } else {
            Err(ConfigError::Invalid { key: key.into(), detail: format!("{v} is not a positive number of seconds") })
        }
    };
    let read_secret = |path: &Path| -> Result<String, ConfigError> {
        fs_err::read_to_string(path)
            .map(|s| s.trim_end_matches(['\n', '\r']).to_owned())
            .map_err(|e| ConfigError::Credential { path: path.to_owned(), detail: e.to_string() })
    };
    let password = match env.var("NEPSE_DRIFT_PUSH_PASSWORD") {
        Some(p) => Some(p),
        None => env
            .var("NEPSE_DRIFT_PUSH_PASSWORD_FILE")
            .map(PathBuf::from)
            .or_else(|| p.password_file.clone())
            .map(|f| read_secret(&f))
            .transpose()?,
    };
    let token = match env.var("NEPSE_DRIFT_PUSH_TOKEN") {
        Some(t) => Some(t),
        None => env
            .var("NEPSE_DRIFT_PUSH_TOKEN_FILE")
            .map(PathBuf::from)
            .or_else(|| p.token_file.clone())
            .map(|f| read_secret(&f))
            .transpose()?,
    };
    let username = env.var("NEPSE_DRIFT_PUSH_USERNAME").or_else(|| p.username.clone());
    let auth = match (username, password, token) {
        (Some(username), Some(password), None) => Auth::Basic { username, password },
        (None, None, Some(token)) => Auth::Bearer(token),
        (None, None, None) => Auth::None,
        (_, _, Some(_)) => {
            return Err(ConfigError::Invalid {
                key: "push.token_file".into(),
                detail: "use either basic auth or a bearer token, not both".into(),
            });
        }
        _ => {
            return Err(ConfigError::Invalid {
                key: "push.username".into(),
                detail: "basic auth needs both a username and a password".into(),
            });
        }
    };
    for k in p.grouping.keys() {
        if !is_label_name(k) || k == "job" || k == "model" || k == "instance" {
            return Err(ConfigError::Invalid {
                key: format!("push.grouping.{k}"),
                detail: "not a usable label name (job, model and instance are reserved)".into(),
            });
        }
    }
    Ok(PushSettings {
        url,
        job,
        grouping: p.grouping.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        connect_timeout: seconds(p.connect_timeout_seconds, 5.0, "push.connect_timeout_seconds")?,
        timeout: seconds(p.timeout_seconds, 30.0, "push.timeout_seconds")?,
        retries: p.retries.unwrap_or(3),
        backoff: seconds(p.backoff_seconds, 0.5, "push.backoff_seconds")?,
        ca_bundle: p.ca_bundle.clone(),
        auth,
    })
}

/// Whether `s` is a valid Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not `__`-prefixed.
#[must_use]
pub fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with("__")
}

fn resolve_psi(file: &FileConfig, psi: Option<&PsiArgs>) -> Result<PsiOptions, ConfigError> {
    let p = &file.psi;
    let binning = match psi.and_then(|a| a.binning) {
        Some(cli::Binning::Quantile) => BinningMode::Quantile,
        Some(cli::Binning::Evidently) => BinningMode::Evidently,
        None => match p.binning.as_deref() {
            None | Some("quantile") => BinningMode::Quantile,
            Some("evidently") => BinningMode::Evidently,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    key: "psi.binning".into(),
                    detail: format!("`{other}` is not `quantile` or `evidently`"),
                });
            }
        },
    };
    Ok(PsiOptions {
        mode: binning,
        bins: positive(psi.and_then(|a| a.bins).or(p.bins).unwrap_or(10), "psi.bins (--bins)")?,
        epsilon: open_unit(psi.and_then(|a| a.epsilon).or(p.epsilon).unwrap_or(1e-4), "psi.epsilon (--epsilon)")?,
        alpha: open_unit(psi.and_then(|a| a.alpha).or(p.alpha).unwrap_or(0.01), "psi.alpha (--alpha)")?,
        thresholds: thresholds(p.moderate.unwrap_or(0.1), p.significant.unwrap_or(0.25))?,
    })
}

fn range(from: NaiveDate, to: NaiveDate, key: &str) -> Result<DateRange, ConfigError> {
    DateRange::new(from, to)
        .map_err(|_| ConfigError::Invalid { key: key.into(), detail: format!("start {from} is after end {to}") })
}

fn positive(n: usize, key: &str) -> Result<usize, ConfigError> {
    if n == 0 { Err(ConfigError::Invalid { key: key.into(), detail: "must be at least 1".into() }) } else { Ok(n) }
}

fn open_unit(x: f64, key: &str) -> Result<f64, ConfigError> {
    if x > 0.0 && x < 1.0 {
        Ok(x)
    } else {
        Err(ConfigError::Invalid { key: key.into(), detail: format!("{x} is not in (0, 1)") })
    }
}

fn thresholds(moderate: f64, significant: f64) -> Result<Thresholds, ConfigError> {
    if moderate > 0.0 && moderate < significant && significant.is_finite() {
        Ok(Thresholds { moderate, significant })
    } else {
        Err(ConfigError::Invalid {
            key: "psi.moderate / psi.significant".into(),
            detail: format!("need 0 < moderate < significant, got {moderate} and {significant}"),
        })
    }
}

fn parse_every(s: &str) -> Result<Every, ConfigError> {
    if s == "week" {
        return Ok(Every::Week);
    }
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(Every::Days(n)),
        _ => Err(ConfigError::Invalid {
            key: "--every".into(),
            detail: format!("`{s}` is not a positive number of trading days or `week`"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names() {
        assert!(is_label_name("env"));
        assert!(is_label_name("_x1"));
        assert!(!is_label_name("1x"));
        assert!(!is_label_name("a-b"));
        assert!(!is_label_name("__name__"));
    }

    #[test]
    fn every_parses_days_and_week() {
        assert_eq!(parse_every("5").unwrap(), Every::Days(5));
        assert_eq!(parse_every("week").unwrap(), Every::Week);
        assert!(parse_every("0").is_err());
        assert!(parse_every("month").is_err());
    }
}
