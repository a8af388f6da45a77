//! Where a computation's scans come from: each source opened from its files when the
//! computation asks for it (one `run` or `report`), or read once into memory and shared by every
//! day of a backfill, so that a year of days costs one read of each source, not a year of them.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::error::AnalysisError;
use crate::calendar::DateRange;
use crate::drift::ReferenceProfile;
use crate::load::Scan;
use crate::settings::Settings;

/// The scans of one or many computations over the same settings' sources.
#[derive(Debug, Default)]
pub struct Sources {
    /// Sources held in memory, by path.
    held: HashMap<String, Scan>,
    /// Rows read into memory, per dataset (`features`, `reference`, `predictions`, `outcomes`).
    rows_read: BTreeMap<String, u64>,
    /// The reference profile, read once.
    profile: Option<(PathBuf, ReferenceProfile)>,
}

impl Sources {
    /// Every source opened from its files when asked for: the sources of one computation.
    #[must_use]
    pub fn files() -> Self {
        Self::default()
    }

    /// Every source of `settings` read into memory once, every column, each row dated up to
    /// `to` (the last as-of date of the computations that will use them). A separate reference
    /// source is read whole: its window does not follow the as-of date.
    ///
    /// # Errors
    /// [`AnalysisError`] when a source cannot be opened or read.
    pub fn in_memory(settings: &Settings, to: NaiveDate) -> Result<Self, AnalysisError> {
        let s = &settings.sources;
        let uses = [
            ("features", Some(s.features.as_str()), Some(to)),
            ("reference", s.reference.as_deref(), None),
            ("predictions", s.predictions.as_deref(), Some(to)),
            ("outcomes", s.outcomes.as_deref(), Some(to)),
        ];
        let mut out = Self::default();
        for (dataset, path, _) in uses {
            let Some(path) = path else { continue };
            if out.held.contains_key(path) {
                continue;
            }
            // One path used twice (the reference source is the features file): the wider bound.
            let bounds: Vec<Option<NaiveDate>> = uses.iter().filter(|u| u.1 == Some(path)).map(|u| u.2).collect();
            let bound = if bounds.contains(&None) { None } else { bounds.into_iter().flatten().max() };
            let (scan, rows) = Scan::open(path, &settings.columns.date)?.in_memory(bound)?;
            out.held.insert(path.to_owned(), scan);
            out.rows_read.insert(dataset.to_owned(), rows);
        }
        if let Some(path) = &s.reference_profile {
            out.profile = Some((path.clone(), ReferenceProfile::read(path)?));
        }
        Ok(out)
    }

    /// The trading days of the features source in `range` (the dates present in it).
    ///
    /// # Errors
    /// [`AnalysisError::NoTradingDays`] when the range holds none, or a read failure.
    pub fn trading_days(&self, settings: &Settings, range: DateRange) -> Result<Vec<NaiveDate>, AnalysisError> {
        let scan = self.open(&settings.sources.features, &settings.columns.date)?;
        let days: Vec<NaiveDate> = scan.dates()?.into_iter().filter(|d| range.contains(*d)).collect();
        if days.is_empty() {
            // Named from the files: a source held in memory stops at the range's end.
            let all = Scan::open(&settings.sources.features, &settings.columns.date)?.dates()?;
            let held = match (all.first(), all.last()) {
                (Some(first), Some(last)) => format!("{first} to {last}"),
                _ => "no day".to_owned(),
            };
            return Err(AnalysisError::NoTradingDays {
                path: scan.path().to_owned(),
                asked: format!("{} to {}", range.from(), range.to()),
                held,
            });
        }
        Ok(days)
    }

    /// The reference profile at `path`: the one read once, else read now.
    pub(super) fn profile(&self, path: &Path) -> Result<ReferenceProfile, AnalysisError> {
        match &self.profile {
            Some((held, profile)) if held == path => Ok(profile.clone()),
            _ => Ok(ReferenceProfile::read(path)?),
        }
    }

    /// The scan of `path`: the one held in memory, else the files opened now.
    pub(super) fn open(&self, path: &str, date_column: &str) -> Result<Scan, AnalysisError> {
        match self.held.get(path) {
            Some(scan) => Ok(scan.clone()),
            None => Ok(Scan::open(path, date_column)?),
        }
    }

    /// Rows read into memory per dataset (empty for [`Self::files`]).
    #[must_use]
    pub fn rows_read(&self) -> &BTreeMap<String, u64> {
        &self.rows_read
    }
}
