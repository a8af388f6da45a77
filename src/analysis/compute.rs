//! The two computations the commands call: [`analyse`] (the whole result of `report` and
//! `run`) and [`fit_reference`] (the profile of `fit-reference`).

use std::collections::BTreeMap;

use super::context::{Context, window_info};
use chrono::NaiveDate;

use super::error::AnalysisError;
use super::parallel::{cores, parallel_map};
use super::sources::Sources;
use crate::drift::{PROFILE_SCHEMA_VERSION, ReferenceProfile};
use crate::performance;
use crate::result::{RunResult, SCHEMA_VERSION, Windows};
use crate::settings::Settings;

/// Computes the complete result for `settings`, with the reference from the data or, when
/// `sources.reference_profile` is set, from that fitted profile.
///
/// # Errors
/// [`AnalysisError`] when an input is unusable; a feature that alone cannot be computed is
/// recorded in `drift.skipped` instead.
pub fn analyse(settings: &Settings) -> Result<RunResult, AnalysisError> {
    analyse_with(settings, &Sources::files())
}

/// [`analyse`] over `sources`: the files, or sources held in memory for many as-of dates.
///
/// # Errors
/// As [`analyse`].
pub fn analyse_with(settings: &Settings, sources: &Sources) -> Result<RunResult, AnalysisError> {
    let cx = Context::open(settings, sources, settings.sources.reference_profile.as_deref())?;
    let mut rows_read = BTreeMap::new();
    let cur_rows = cx.current_scan.count_rows(cx.current.scan_range())?;
    let (reference_info, ref_rows_read) = cx.reference_info()?;
    rows_read.insert("features_reference".to_owned(), ref_rows_read);
    rows_read.insert("features_current".to_owned(), cur_rows);

    let (profiles, mut drift) = cx.profiles_and_drift()?;
    let multivariate = if settings.features.multivariate { Some(cx.multivariate(&drift.skipped)?) } else { None };
    drift.multivariate = multivariate.as_ref().map(|m| m.result.clone());
    if settings.features.data_quality {
        drift.data_quality = Some(cx.data_quality()?);
    }
    if settings.by == performance::GroupBy::Sector {
        drift.sector_mix = cx.sector_mix()?;
        drift.by_sector = cx.by_sector()?;
    }

    let predictions = cx.grader()?;
    let graded = cx.grade(predictions.as_ref(), &mut drift)?;
    rows_read.extend(graded.rows_read);
    let trend = match settings.every {
        None => Vec::new(),
        Some(every) => {
            cx.trend(&profiles, predictions.as_ref(), graded.live.as_deref(), multivariate.as_ref(), every)?
        }
    };
    let current = window_info(&cx.current, cur_rows, cx.current_scan.path());
    Ok(RunResult {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        model: graded.model,
        as_of: settings.as_of,
        data_lag_trading_days: Some(cx.data_lag()),
        windows: Windows { reference: reference_info, current, performance: graded.window, overlap: cx.overlap() },
        psi_options: cx.psi,
        drift,
        performance: graded.report,
        model_versions: graded.versions,
        other_versions: graded.others,
        trend,
        rows_read,
        run: None,
    })
}

/// [`analyse_with`] at every as-of date of `days`, the days computed side by side on the
/// cores, each result (or error) in the order of `days`.
#[must_use]
pub fn analyse_days(
    settings: &Settings,
    sources: &Sources,
    days: &[NaiveDate],
) -> Vec<(NaiveDate, Result<RunResult, AnalysisError>)> {
    parallel_map(cores(), days, |day| (*day, analyse_with(&Settings { as_of: *day, ..settings.clone() }, sources)))
}

/// Fits the reference of `settings` into a profile (quantile mode).
///
/// # Errors
/// [`AnalysisError`] when the reference cannot be read.
pub fn fit_reference(settings: &Settings) -> Result<ReferenceProfile, AnalysisError> {
    let sources = Sources::files();
    let mut cx = Context::open(settings, &sources, None)?;
    // A profile file does not keep the within-day view's pool: not read for it.
    cx.within_day = false;
    let (info, _) = cx.reference_info()?;
    let profiles = cx.profiles()?;
    let (features, mut skipped) = profiles.into_parts();
    skipped.extend(cx.unusable.iter().cloned());
    Ok(ReferenceProfile {
        schema_version: PROFILE_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        source: info.source,
        from: info.from,
        to: info.to,
        trading_days: info.trading_days,
        rows: info.rows,
        bins: cx.psi.bins,
        content_hash: ReferenceProfile::hash_features(&features),
        features,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::calendar::DateRange;
    use crate::cli::{SourceArgs, WindowArgs};
    use crate::settings::{FileConfig, Groups, ProcessEnv};

    fn settings(dir: &Path, as_of: &str) -> Settings {
        let file = |name: &str| Some(dir.join(name).display().to_string());
        let sources = SourceArgs {
            features: file("features.parquet"),
            predictions: file("predictions.parquet"),
            outcomes: file("outcomes.parquet"),
            ..SourceArgs::default()
        };
        let windows = WindowArgs { as_of: Some(as_of.parse().unwrap()), ..WindowArgs::default() };
        let groups = Groups { sources: Some(&sources), windows: Some(&windows), ..Groups::default() };
        Settings::resolve(&groups, &ProcessEnv, &FileConfig::default(), chrono::Utc::now()).unwrap()
    }

    /// Held in memory, the sources are never read again: with the files gone, every day
    /// computes, and equals what the files give.
    #[test]
    fn days_computed_from_memory_need_no_file_and_equal_the_files() {
        let tmp = tempfile::tempdir().unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        for name in ["features.parquet", "predictions.parquet", "outcomes.parquet"] {
            std::fs::copy(fixtures.join(name), tmp.path().join(name)).unwrap();
        }
        let days = ["2026-09-30", "2026-11-02", "2026-11-19"];
        let from_files: Vec<String> = days
            .iter()
            .map(|d| {
                serde_json::to_string(&analyse_with(&settings(tmp.path(), d), &Sources::files()).unwrap()).unwrap()
            })
            .collect();
        let last = settings(tmp.path(), "2026-11-19");
        let held = Sources::in_memory(&last, last.as_of).unwrap();
        let rows: Vec<(&str, u64)> = held.rows_read().iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(rows, [("features", 65_800), ("outcomes", 65_700), ("predictions", 65_800)]);
        // A range without a trading day is named against the files.
        let weekend = DateRange::new("2026-11-20".parse().unwrap(), "2026-11-21".parse().unwrap()).unwrap();
        assert!(matches!(held.trading_days(&last, weekend), Err(AnalysisError::NoTradingDays { .. })));
        for name in ["features.parquet", "predictions.parquet", "outcomes.parquet"] {
            std::fs::remove_file(tmp.path().join(name)).unwrap();
        }
        for (day, expected) in days.iter().zip(&from_files) {
            let result = analyse_with(&settings(tmp.path(), day), &held).unwrap();
            assert_eq!(&serde_json::to_string(&result).unwrap(), expected, "{day}");
        }
        let range = DateRange::new("2026-11-13".parse().unwrap(), "2026-11-19".parse().unwrap()).unwrap();
        let found: Vec<String> = held.trading_days(&last, range).unwrap().iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            ["2026-11-15", "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"],
            "no Friday or Saturday"
        );
    }
}
