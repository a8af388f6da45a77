//! Merging the flag groups, the config file and the defaults into [`Settings`], once. Each flag
//! group converts itself together with its config table (`PsiArgs` + `[psi]` → `PsiOptions`),
//! as nextest's option groups build themselves.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use super::env::Env;
use super::error::ConfigError;
use super::file::{FileConfig, PsiConfig, WindowsConfig};
use super::types::{ColumnNames, CurrentWindow, Every, FeatureSelection, ReferenceWindow, Settings, Sources};
use crate::calendar::{DateRange, nepal_date};
use crate::cli::{
    AnalysisArgs, BackfillArgs, ConfigArgs, FeatureArgs, JobArgs, PerfArgs, PsiArgs, SourceArgs, WindowArgs,
};
use crate::drift::MAX_BINS;
use crate::options::{BinningMode, Choice, PsiOptions, SignificanceTest, Thresholds};
use crate::performance::GroupBy;

/// Reads the config file named by `--config`, or an empty config.
///
/// # Errors
/// [`ConfigError`] when the file cannot be read or parsed.
pub fn load_file(args: &ConfigArgs) -> Result<FileConfig, ConfigError> {
    args.config.as_deref().map_or_else(|| Ok(FileConfig::default()), FileConfig::read)
}

/// The flag groups a command contributes to the settings; a group it does not have is `None`
/// (its settings then come from the file and the defaults).
#[derive(Debug, Clone, Copy, Default)]
pub struct Groups<'a> {
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
    pub by: Option<GroupBy>,
    /// Trend step.
    pub every: Option<&'a str>,
    /// `--results-dir` (over `[output] results_dir`).
    pub results_dir: Option<&'a Path>,
    /// Whether progress bars may be shown (not under `--quiet` or JSON logs).
    pub progress: bool,
    /// `fit-reference`: it fits the reference data into a profile and reads no profile, so a
    /// `reference_profile` beside the reference source (the file the daily runs read) is fine.
    pub fits_reference: bool,
}

impl JobArgs {
    /// The groups of the scheduled job's flags (`run`, and `check-config`, which must resolve
    /// the same settings).
    #[must_use]
    pub fn groups(&self) -> Groups<'_> {
        Groups {
            sources: Some(&self.sources),
            windows: Some(&self.windows),
            results_dir: self.results_dir.as_deref(),
            ..Groups::default()
        }
    }
}

impl BackfillArgs {
    /// The window flags of every day of the backfill: `run`'s, with the as-of date the range's
    /// last day (each day then sets its own).
    #[must_use]
    pub fn windows(&self) -> WindowArgs {
        WindowArgs {
            as_of: Some(self.to),
            from: None,
            to: None,
            last: self.last,
            reference_from: self.reference_from,
            reference_to: self.reference_to,
            reference_last: self.reference_last,
        }
    }

    /// The range of as-of dates.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] when `--from` is after `--to`.
    pub fn range(&self) -> Result<DateRange, ConfigError> {
        range(self.from, self.to, "--from/--to")
    }
}

impl AnalysisArgs {
    /// The groups of the analysing commands' common flags (`report`, `fit-reference`).
    #[must_use]
    pub fn groups(&self) -> Groups<'_> {
        Groups {
            sources: Some(&self.sources),
            features: Some(&self.features),
            windows: Some(&self.windows),
            psi: Some(&self.psi),
            ..Groups::default()
        }
    }
}

impl Settings {
    /// Resolves every setting a command needs from its flag groups, the environment, the config
    /// file and the defaults. `now` gives the default as-of date: today in Nepal.
    ///
    /// # Errors
    /// [`ConfigError`] for a missing features source or invalid values.
    pub fn resolve(
        groups: &Groups<'_>,
        _env: &dyn Env,
        file: &FileConfig,
        now: DateTime<Utc>,
    ) -> Result<Self, ConfigError> {
        let sources = groups.sources.cloned().unwrap_or_default();
        let windows = groups.windows.cloned().unwrap_or_default();
        let (current, reference) =
            windows.resolve(&file.windows, file.sources.reference.is_some() || sources.reference_source.is_some())?;
        let perf = groups.perf.cloned().unwrap_or_default();
        let (positive_label, threshold) = perf.resolve(file)?;
        let resolved_sources = sources.resolve(file, !groups.fits_reference)?;
        // A fitted profile carries its own reference window: a reference window asked for
        // beside it would be silently ignored, so it is refused (not by `fit-reference`, which
        // reads no profile: the daily job's config or environment names one).
        if !groups.fits_reference
            && let Some(profile) = &resolved_sources.reference_profile
            && let Some(flag) = [
                (windows.reference_from.is_some(), "--reference-from"),
                (windows.reference_to.is_some(), "--reference-to"),
                (windows.reference_last.is_some(), "--reference-last"),
            ]
            .into_iter()
            .find_map(|(given, flag)| given.then_some(flag))
        {
            return Err(ConfigError::Invalid {
                key: format!("{flag} with --reference-profile"),
                detail: format!(
                    "{} was fitted on its own reference window, which {flag} cannot change: drop {flag}, or fit a profile of that window with fit-reference --from/--to",
                    profile.display()
                ),
            });
        }
        let today = nepal_date(now);
        let as_of = windows.as_of.unwrap_or(today);
        // The current window's features must be known on the as-of date.
        if let CurrentWindow::Range(r) = current
            && r.to() > as_of
        {
            return Err(ConfigError::Invalid {
                key: "--to".into(),
                detail: format!(
                    "--to {} is after the as-of date {as_of}, and features after it are not known on that date: \
                     give --as-of {} (or later), or end the window by {as_of}",
                    r.to(),
                    r.to()
                ),
            });
        }
        Ok(Self {
            columns: sources.columns(file)?,
            sources: resolved_sources,
            features: groups.features.cloned().unwrap_or_default().resolve(file),
            as_of,
            today,
            current,
            reference,
            performance_days: file
                .windows
                .performance_days
                .map(|n| positive(n, "windows.performance_days"))
                .transpose()?,
            calibration: perf.calibration(file)?,
            psi: groups.psi.cloned().unwrap_or_default().resolve(&file.psi)?,
            bins_asked: groups.psi.and_then(|p| p.bins).or(file.psi.bins),
            reference_asked: file.windows.reference_from.is_some()
                || file.windows.reference_to.is_some()
                || file.windows.reference_days.is_some(),
            positive_label,
            threshold,
            by: groups.by.unwrap_or(GroupBy::ModelVersion),
            every: groups.every.map(parse_every).transpose()?,
            model: match file.push.model.as_deref() {
                // Prometheus drops an empty label: the series would lose their model.
                Some(m) if m.trim().is_empty() => {
                    return Err(ConfigError::Invalid {
                        key: "push.model".into(),
                        detail: "must not be empty (Prometheus drops an empty label); leave it out for the \
                                 predictions' model version"
                            .into(),
                    });
                }
                m => m.map(str::to_owned),
            },
            results_dir: groups.results_dir.map(Path::to_path_buf).or_else(|| file.output.results_dir.clone()),
            progress: groups.progress,
        })
    }
}

impl SourceArgs {
    /// The key column names: flag, then `[columns]`, then the data contract's name. Each names
    /// one column: two keys read from the same column would make nonsense of both.
    fn columns(&self, file: &FileConfig) -> Result<ColumnNames, ConfigError> {
        let c = &file.columns;
        let pick = |flag: &Option<String>, cfg: &Option<String>, default: &str| {
            flag.clone().or_else(|| cfg.clone()).unwrap_or_else(|| default.to_owned())
        };
        let names = ColumnNames {
            date: pick(&self.as_of_column, &c.as_of, "as_of"),
            symbol: pick(&self.symbol_column, &c.symbol, "symbol"),
            sector: pick(&self.sector_column, &c.sector, "sector"),
            model_version: pick(&None, &c.model_version, "model_version"),
            predicted_proba: pick(&None, &c.predicted_proba, "predicted_proba"),
            predicted_label: pick(&None, &c.predicted_label, "predicted_label"),
            actual_label: pick(&None, &c.actual_label, "actual_label"),
            observed_at: pick(&None, &c.observed_at, "observed_at"),
        };
        let keys = [
            ("as_of", &names.date),
            ("symbol", &names.symbol),
            ("sector", &names.sector),
            ("model_version", &names.model_version),
            ("predicted_proba", &names.predicted_proba),
            ("predicted_label", &names.predicted_label),
            ("actual_label", &names.actual_label),
            ("observed_at", &names.observed_at),
        ];
        for (i, (key, name)) in keys.iter().enumerate() {
            if let Some((other, _)) = keys[..i].iter().find(|(_, n)| n == name) {
                return Err(ConfigError::Invalid {
                    key: format!("columns.{key}"),
                    detail: format!("`{name}` is also the {other} column; each key column needs its own"),
                });
            }
            if name.is_empty() {
                return Err(ConfigError::Invalid { key: format!("columns.{key}"), detail: "must not be empty".into() });
            }
        }
        Ok(names)
    }

    /// The sources: flag, then `[sources]`; the features source is required.
    fn resolve(&self, file: &FileConfig, reads_profile: bool) -> Result<Sources, ConfigError> {
        let s = &file.sources;
        let predictions = self.predictions.clone().or_else(|| s.predictions.clone());
        let outcomes = self.outcomes.clone().or_else(|| s.outcomes.clone());
        if outcomes.is_some() && predictions.is_none() {
            return Err(ConfigError::Invalid {
                key: "sources.outcomes (--outcomes)".into(),
                detail: "outcomes are graded against predictions, and no sources.predictions (--predictions) is set"
                    .into(),
            });
        }
        let reference = self.reference_source.clone().or_else(|| s.reference.clone());
        let reference_profile = self.reference_profile.clone().or_else(|| s.reference_profile.clone());
        // Two keys for one reference, from any layers (as two flags, the argument parser
        // refuses them): they are different keys, so neither overrides the other, and the
        // profile would win with the source dropped silently.
        if reads_profile && let (Some(source), Some(profile)) = (&reference, &reference_profile) {
            return Err(ConfigError::Invalid {
                key: "sources.reference with sources.reference_profile".into(),
                detail: format!(
                    "the reference is either the data `{source}` or the profile {}: drop one (from the config file, the NEPSE_DRIFT_* variables or the flags)",
                    profile.display()
                ),
            });
        }
        Ok(Sources {
            features: self
                .features
                .clone()
                .or_else(|| s.features.clone())
                .ok_or_else(|| ConfigError::Missing { key: "sources.features (--features)".into() })?,
            predictions,
            outcomes,
            reference,
            reference_profile,
        })
    }
}

impl FeatureArgs {
    /// The feature selection: flags when given, else `[features]`.
    fn resolve(&self, file: &FileConfig) -> FeatureSelection {
        let or_file = |flag: &Vec<String>, cfg: &Vec<String>| if flag.is_empty() { cfg.clone() } else { flag.clone() };
        FeatureSelection {
            include: or_file(&self.include, &file.features.include),
            categorical: or_file(&self.categorical, &file.features.categorical),
            multivariate: self.multivariate || file.features.multivariate.unwrap_or(false),
            data_quality: self.data_quality || file.features.data_quality.unwrap_or(false),
        }
    }
}

impl WindowArgs {
    /// The current and reference windows: flags, then `[windows]`, then 20 and 120 trading
    /// days. A separate reference source is used whole unless a reference range or a day
    /// count is given (by a flag or `[windows]`).
    fn resolve(
        &self,
        w: &WindowsConfig,
        separate_reference: bool,
    ) -> Result<(CurrentWindow, ReferenceWindow), ConfigError> {
        let current = match (self.from, self.to, self.last) {
            (Some(from), Some(to), _) => CurrentWindow::Range(range(from, to, "--from/--to")?),
            (_, _, Some(n)) => CurrentWindow::Last(positive(n, "--last")?),
            _ => CurrentWindow::Last(positive(w.current_days.unwrap_or(20), "windows.current_days")?),
        };
        // As the flags, `[windows]` names the reference by a day count or by a range, not both.
        if w.reference_days.is_some() && (w.reference_from.is_some() || w.reference_to.is_some()) {
            return Err(ConfigError::Invalid {
                key: "windows.reference_days with windows.reference_from/to".into(),
                detail: "the reference window is either a number of trading days or a date range: drop one".into(),
            });
        }
        let reference = match (self.reference_from, self.reference_to, self.reference_last) {
            (Some(from), Some(to), _) => ReferenceWindow::Range(range(from, to, "--reference-from/--reference-to")?),
            (_, _, Some(n)) => ReferenceWindow::Before(positive(n, "--reference-last")?),
            _ => match (w.reference_from, w.reference_to, w.reference_days) {
                (Some(from), Some(to), _) => ReferenceWindow::Range(range(from, to, "windows.reference_from/to")?),
                (None, None, None) if separate_reference => ReferenceWindow::WholeSource,
                (None, None, days) => ReferenceWindow::Before(positive(days.unwrap_or(120), "windows.reference_days")?),
                _ => {
                    return Err(ConfigError::Invalid {
                        key: "windows.reference_from".into(),
                        detail: "reference_from and reference_to go together".into(),
                    });
                }
            },
        };
        Ok((current, reference))
    }
}

impl PerfArgs {
    /// The positive label (0 or 1, default 1) and the label threshold (in [0, 1], default 0.5).
    fn resolve(&self, file: &FileConfig) -> Result<(i64, f64), ConfigError> {
        let positive_label = self.positive_label.or(file.performance.positive_label).unwrap_or(1);
        if positive_label != 0 && positive_label != 1 {
            return Err(ConfigError::Invalid {
                key: "performance.positive_label (--positive-label)".into(),
                detail: format!("{positive_label} is not 0 or 1"),
            });
        }
        let threshold = self.threshold.or(file.performance.threshold).unwrap_or(0.5);
        if !(0.0..=1.0).contains(&threshold) {
            return Err(ConfigError::Invalid {
                key: "performance.threshold (--threshold)".into(),
                detail: format!("{threshold} is not in [0, 1]"),
            });
        }
        Ok((positive_label, threshold))
    }

    /// The calibration window: the flags, then `[performance]`, else `None` (the reference
    /// window's dates).
    fn calibration(&self, file: &FileConfig) -> Result<Option<DateRange>, ConfigError> {
        let p = &file.performance;
        match (self.calibration_from, self.calibration_to, p.calibration_from, p.calibration_to) {
            (Some(from), Some(to), _, _) => range(from, to, "--calibration-from/--calibration-to").map(Some),
            (_, _, Some(from), Some(to)) => range(from, to, "performance.calibration_from/to").map(Some),
            (_, _, None, None) => Ok(None),
            _ => Err(ConfigError::Invalid {
                key: "performance.calibration_from".into(),
                detail: "calibration_from and calibration_to go together".into(),
            }),
        }
    }
}

impl PsiArgs {
    /// The PSI options: flags, then `[psi]`, then the defaults (quantile, 10 bins, ε = 1e-4,
    /// α = 0.01, levels at 0.1 and 0.25).
    fn resolve(&self, p: &PsiConfig) -> Result<PsiOptions, ConfigError> {
        let binning = match self.binning {
            Some(mode) => mode,
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
            bins: bins(self.bins.or(p.bins).unwrap_or(10))?,
            epsilon: open_unit(self.epsilon.or(p.epsilon).unwrap_or(1e-4), "psi.epsilon (--epsilon)")?,
            alpha: open_unit(self.alpha.or(p.alpha).unwrap_or(0.01), "psi.alpha (--alpha)")?,
            thresholds: thresholds(p.moderate.unwrap_or(0.1), p.significant.unwrap_or(0.25))?,
            significance: match (self.significance, p.significance.as_deref()) {
                (Some(test), _) => test,
                (None, None | Some("panel")) => SignificanceTest::Panel,
                (None, Some("iid")) => SignificanceTest::Iid,
                (None, Some(other)) => {
                    return Err(ConfigError::Invalid {
                        key: "psi.significance".into(),
                        detail: format!("`{other}` is not `panel` or `iid`"),
                    });
                }
            },
            stattest: match self.stattest.or_else(|| p.stattest.as_deref().and_then(Choice::from_name)) {
                Some(choice) => choice,
                None if p.stattest.is_none() => Choice::Psi,
                None => {
                    return Err(ConfigError::Invalid {
                        key: "psi.stattest".into(),
                        detail: format!("`{}` is not one of {}", p.stattest.as_deref().unwrap_or(""), Choice::NAMES),
                    });
                }
            },
        })
    }
}

fn range(from: NaiveDate, to: NaiveDate, key: &str) -> Result<DateRange, ConfigError> {
    DateRange::new(from, to)
        .map_err(|_| ConfigError::Invalid { key: key.into(), detail: format!("start {from} is after end {to}") })
}

/// A number of bins in `2..=MAX_BINS`: one bin makes every PSI 0.
fn bins(n: usize) -> Result<usize, ConfigError> {
    if (2..=MAX_BINS).contains(&n) {
        Ok(n)
    } else {
        Err(ConfigError::Invalid { key: "psi.bins (--bins)".into(), detail: format!("{n} is not in 2..={MAX_BINS}") })
    }
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
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::settings::pushgateway::PushSettings;

    /// An environment of a few `NEPSE_DRIFT_*` variables.
    struct MapEnv(BTreeMap<String, String>);

    impl Env for MapEnv {
        fn var(&self, key: &str) -> Option<String> {
            self.0.get(key).filter(|v| !v.is_empty()).cloned()
        }
    }

    /// Every key of the configuration file, by table, with the kind of value it takes (`i`
    /// integer, `f` float, `s` string, `a` list of strings), and a few that do not exist.
    const KEYS: &[(&str, &str, char)] = &[
        ("sources", "features", 's'),
        ("sources", "predictions", 's'),
        ("sources", "outcomes", 's'),
        ("sources", "reference", 's'),
        ("sources", "reference_profile", 's'),
        ("columns", "as_of", 's'),
        ("columns", "symbol", 's'),
        ("columns", "observed_at", 's'),
        ("features", "include", 'a'),
        ("features", "categorical", 'a'),
        ("features", "multivariate", 'b'),
        ("features", "data_quality", 'b'),
        ("windows", "current_days", 'i'),
        ("windows", "reference_days", 'i'),
        ("windows", "performance_days", 'i'),
        ("psi", "binning", 's'),
        ("psi", "bins", 'i'),
        ("psi", "epsilon", 'f'),
        ("psi", "alpha", 'f'),
        ("psi", "moderate", 'f'),
        ("psi", "significant", 'f'),
        ("psi", "significance", 's'),
        ("psi", "stattest", 's'),
        ("performance", "positive_label", 'i'),
        ("performance", "threshold", 'f'),
        ("push", "url", 's'),
        ("push", "job", 's'),
        ("push", "model", 's'),
        ("push", "connect_timeout_seconds", 'f'),
        ("push", "timeout_seconds", 'f'),
        ("push", "retries", 'i'),
        ("push", "backoff_seconds", 'f'),
        ("push", "username", 's'),
        ("push", "token_file", 's'),
        ("output", "results_dir", 's'),
        ("psi", "nope", 'i'),
    ];

    fn integer() -> impl Strategy<Value = toml::Value> {
        prop_oneof![
            any::<i64>(),
            prop_oneof![
                Just(0_i64),
                Just(1),
                Just(2),
                Just(-1),
                Just(1000),
                Just(1001),
                Just(i64::MAX),
                Just(4_294_967_295)
            ],
        ]
        .prop_map(toml::Value::Integer)
    }

    fn float() -> impl Strategy<Value = toml::Value> {
        prop_oneof![
            any::<f64>(),
            prop_oneof![
                Just(0.0),
                Just(1e-300),
                Just(1e300),
                Just(1e20),
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(0.5),
                Just(-0.5)
            ],
        ]
        .prop_map(toml::Value::Float)
    }

    fn string() -> impl Strategy<Value = toml::Value> {
        prop_oneof![
            ".{0,12}".prop_map(toml::Value::String),
            prop_oneof![
                Just(""),
                Just("quantile"),
                Just("evidently"),
                Just("panel"),
                Just("iid"),
                Just("http://u:p@h:1"),
                Just("ftp://h"),
                Just(".."),
                Just("a\nb"),
            ]
            .prop_map(|s| toml::Value::String(s.to_owned())),
        ]
    }

    fn value(kind: char) -> BoxedStrategy<toml::Value> {
        let typed = match kind {
            'i' => integer().boxed(),
            'f' => float().boxed(),
            'b' => any::<bool>().prop_map(toml::Value::Boolean).boxed(),
            'a' => prop::collection::vec(".{0,6}", 0..3)
                .prop_map(|v| toml::Value::Array(v.into_iter().map(toml::Value::String).collect()))
                .boxed(),
            _ => string().boxed(),
        };
        prop_oneof![8 => typed, 1 => integer(), 1 => string()].boxed()
    }

    fn entry() -> impl Strategy<Value = (&'static str, &'static str, toml::Value)> {
        prop::sample::select(KEYS).prop_flat_map(|(table, key, kind)| value(kind).prop_map(move |v| (table, key, v)))
    }

    proptest! {
        #![proptest_config(crate::test_support::fuzz_config(2000))]

        /// Any configuration file and environment is accepted or refused with an error: never a
        /// panic, whatever the numbers, strings, dates or types.
        #[test]
        fn any_config_resolves_or_is_refused_never_a_panic(
            entries in prop::collection::vec(entry(), 0..10),
            grouping in prop::option::of((".{0,6}", ".{0,6}")),
            dates in prop::collection::vec((any::<prop::sample::Index>(), (1_i32..9999, 1_u32..13, 1_u32..29)), 0..2),
            env in prop::collection::btree_map(
                prop_oneof![Just("NEPSE_DRIFT_JOB"), Just("NEPSE_DRIFT_PUSH_TOKEN"), Just("NEPSE_DRIFT_PUSH_USERNAME"), Just("NEPSE_DRIFT_PUSH_PASSWORD")],
                ".{0,8}",
                0..3,
            ),
        ) {
            // A features source, unless an entry replaces it: without one every config is refused.
            let mut tables: BTreeMap<&str, toml::Table> = BTreeMap::new();
            tables.entry("sources").or_default().insert("features".to_owned(), toml::Value::String("f.parquet".into()));
            for (table, key, v) in entries {
                tables.entry(table).or_default().insert(key.to_owned(), v);
            }
            if let Some((k, v)) = grouping {
                let group = toml::Table::from_iter([(k, toml::Value::String(v))]);
                tables.entry("push").or_default().insert("grouping".to_owned(), toml::Value::Table(group));
            }
            for (index, (y, m, d)) in dates {
                if let Some(date) = chrono::NaiveDate::from_ymd_opt(y, m, d) {
                    let key = ["reference_from", "reference_to"][index.index(2)];
                    let date: toml::value::Datetime = date.to_string().parse().unwrap();
                    tables.entry("windows").or_default().insert(key.to_owned(), toml::Value::Datetime(date));
                }
            }
            let text = toml::to_string(&tables).unwrap_or_default();
            let env = MapEnv(env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect());
            if let Ok(file) = toml::from_str::<FileConfig>(&text) {
                let now = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap();
                let _ = Settings::resolve(&Groups::default(), &env, &file, now);
                let _ = PushSettings::resolve(&file, None, &env);
            }
        }
    }

    #[test]
    fn every_parses_days_and_week() {
        assert_eq!(parse_every("5").unwrap(), Every::Days(5));
        assert_eq!(parse_every("week").unwrap(), Every::Week);
        assert!(parse_every("0").is_err());
        assert!(parse_every("month").is_err());
    }
}
