//! The TOML configuration file (`nepse-drift.toml`): its serde types and reading it. Every table
//! rejects unknown keys, so a typo is an error that names the key rather than a silent default.
//! Validation and merging with the environment and flags happen in `settings::resolve`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use super::error::ConfigError;

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `[sources]`.
    #[serde(default)]
    pub sources: SourcesConfig,
    /// `[columns]`.
    #[serde(default)]
    pub columns: ColumnsConfig,
    /// `[features]`.
    #[serde(default)]
    pub features: FeaturesConfig,
    /// `[windows]`.
    #[serde(default)]
    pub windows: WindowsConfig,
    /// `[psi]`.
    #[serde(default)]
    pub psi: PsiConfig,
    /// `[performance]`.
    #[serde(default)]
    pub performance: PerformanceConfig,
    /// `[push]`.
    #[serde(default)]
    pub push: PushConfig,
    /// `[output]`.
    #[serde(default)]
    pub output: OutputConfig,
}

/// `[sources]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesConfig {
    /// Features source.
    pub features: Option<String>,
    /// Predictions source.
    pub predictions: Option<String>,
    /// Outcomes source.
    pub outcomes: Option<String>,
    /// Separate reference features source.
    pub reference: Option<String>,
    /// Reference profile written by `fit-reference` (instead of reference data).
    pub reference_profile: Option<PathBuf>,
}

/// `[columns]`: key column names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnsConfig {
    /// Date column (default `as_of`).
    pub as_of: Option<String>,
    /// Ticker column (default `symbol`).
    pub symbol: Option<String>,
    /// Sector column (default `sector`).
    pub sector: Option<String>,
    /// Model version column (default `model_version`).
    pub model_version: Option<String>,
    /// Probability column (default `predicted_proba`).
    pub predicted_proba: Option<String>,
    /// Predicted label column (default `predicted_label`).
    pub predicted_label: Option<String>,
    /// Actual label column (default `actual_label`).
    pub actual_label: Option<String>,
    /// Observation date column (default `observed_at`).
    pub observed_at: Option<String>,
}

/// `[features]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeaturesConfig {
    /// Feature columns; empty means every non-key column.
    #[serde(default)]
    pub include: Vec<String>,
    /// Columns treated as categorical whatever their dtype.
    #[serde(default)]
    pub categorical: Vec<String>,
    /// Multivariate drift (PCA reconstruction) beside the per-feature drift (default false).
    pub multivariate: Option<bool>,
    /// Data quality beside the drift (default false).
    pub data_quality: Option<bool>,
}

/// `[windows]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsConfig {
    /// Current window: last N trading days (default 20).
    pub current_days: Option<usize>,
    /// Reference: the N trading days before the current window (default 120).
    pub reference_days: Option<usize>,
    /// Reference: explicit start (with `reference_to`).
    #[serde(default, deserialize_with = "toml_date")]
    pub reference_from: Option<NaiveDate>,
    /// Reference: explicit end (with `reference_from`).
    #[serde(default, deserialize_with = "toml_date")]
    pub reference_to: Option<NaiveDate>,
    /// Performance window: last N trading days of predictions (default: `current_days`).
    pub performance_days: Option<usize>,
}

/// `[psi]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PsiConfig {
    /// `quantile` or `evidently`.
    pub binning: Option<String>,
    /// Quantile bins (default 10).
    pub bins: Option<usize>,
    /// ε (default 1e-4).
    pub epsilon: Option<f64>,
    /// α (default 0.01).
    pub alpha: Option<f64>,
    /// Moderate threshold (default 0.1).
    pub moderate: Option<f64>,
    /// Significant threshold (default 0.25).
    pub significant: Option<f64>,
    /// `panel` (default) or `iid`.
    pub significance: Option<String>,
    /// Evidently's drift tests beside the PSI: `psi` (default: none), a test's name, `auto`
    /// or `all`.
    pub stattest: Option<String>,
}

/// `[performance]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerformanceConfig {
    /// Positive label (default 1).
    pub positive_label: Option<i64>,
    /// Label threshold (default 0.5).
    pub threshold: Option<f64>,
    /// Calibration window of the performance estimate: start (with `calibration_to`; default:
    /// the reference window).
    #[serde(default, deserialize_with = "toml_date")]
    pub calibration_from: Option<NaiveDate>,
    /// Calibration window end (with `calibration_from`).
    #[serde(default, deserialize_with = "toml_date")]
    pub calibration_to: Option<NaiveDate>,
}

/// `[push]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushConfig {
    /// Pushgateway base URL; absent means print instead of push.
    pub url: Option<String>,
    /// Job name (default `nepse_drift`).
    pub job: Option<String>,
    /// Model label of the grouping key; default: the predictions' single model version
    /// (after a failed run: the last saved result's), else `default`.
    pub model: Option<String>,
    /// Extra grouping labels.
    #[serde(default)]
    pub grouping: BTreeMap<String, String>,
    /// Connect timeout (default 5).
    pub connect_timeout_seconds: Option<f64>,
    /// Total timeout per attempt (default 30).
    pub timeout_seconds: Option<f64>,
    /// Retries after the first attempt (default 3).
    pub retries: Option<u32>,
    /// First backoff (default 0.5 s), doubled each retry, with jitter.
    pub backoff_seconds: Option<f64>,
    /// PEM CA bundle for TLS.
    pub ca_bundle: Option<PathBuf>,
    /// Basic-auth user name.
    pub username: Option<String>,
    /// File holding the basic-auth password.
    pub password_file: Option<PathBuf>,
    /// File holding a bearer token.
    pub token_file: Option<PathBuf>,
}

/// `[output]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Results directory.
    pub results_dir: Option<PathBuf>,
}

impl FileConfig {
    /// Reads and parses `path`.
    ///
    /// # Errors
    /// [`ConfigError::Read`] or [`ConfigError::Parse`].
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = crate::text_file::read_capped(path, 16 * crate::text_file::MIB, "a config file")
            .map_err(|e| ConfigError::Read { path: path.to_owned(), detail: e.to_string() })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            detail: e.message().replace('\n', " ") + &span_note(&text, e.span()),
        })
    }
}

fn span_note(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    span.map_or_else(String::new, |s| {
        let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
        format!(" (line {line})")
    })
}

/// A date written as a TOML date literal (`reference_from = 2026-01-01`, as the example config
/// shows) or as a string (`"2026-01-01"`).
fn toml_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Literal(toml::value::Datetime),
        Text(String),
    }
    let text = match Written::deserialize(d)? {
        Written::Literal(dt) => match (dt.date, dt.time) {
            (Some(date), None) => date.to_string(),
            _ => return Err(serde::de::Error::custom(format!("`{dt}` is not a date (YYYY-MM-DD) without a time"))),
        },
        Written::Text(s) => s,
    };
    text.parse::<NaiveDate>()
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("`{text}` is not a date (YYYY-MM-DD): {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_toml_literals_or_strings() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        for text in [
            "reference_from = 2026-01-01\nreference_to = 2026-06-30",
            "reference_from = \"2026-01-01\"\nreference_to = \"2026-06-30\"",
        ] {
            let c: WindowsConfig = toml::from_str(text).unwrap();
            assert_eq!((c.reference_from, c.reference_to), (Some(d("2026-01-01")), Some(d("2026-06-30"))), "{text}");
        }
        assert!(toml::from_str::<WindowsConfig>("reference_from = 2026-01-01T10:00:00").is_err());
        assert!(toml::from_str::<WindowsConfig>("reference_from = \"June\"").is_err());
        assert_eq!(toml::from_str::<WindowsConfig>("").unwrap().reference_from, None);
    }
}
