//! Opening one run's sources and resolving its windows: the [`Context`] every computation of
//! the run shares (the current scan and window, the reference as data or as a fitted profile,
//! the features to compare and the PSI options in force).

use std::path::Path;

use chrono::NaiveDate;

use super::error::AnalysisError;
use super::sources::Sources;
use crate::calendar::{DateRange, trading_days_between};
use crate::drift::ReferenceProfile;
use crate::load::{ColumnType, Scan};
use crate::options::PsiOptions;
use crate::performance;
use crate::result::{FeatureKind, Overlap, SkippedFeature, WindowInfo};
use crate::rows::DaySlots;
use crate::settings::Settings;
use crate::settings::{CurrentWindow, ReferenceWindow};
use crate::windows::{self, EmptyWindow, Window};

/// One feature's name and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FeatureSpec {
    pub(super) name: String,
    pub(super) kind: FeatureKind,
}

/// The reference side: raw data in a window, or a fitted profile.
#[allow(clippy::large_enum_variant)] // one per run; boxing the scan would only add noise
pub(super) enum Reference {
    /// Raw reference rows.
    Data {
        /// The source.
        scan: Scan,
        /// The window in it.
        window: Window,
        /// Rows in the window, counted once.
        rows: u64,
        /// The days up to the window's end in its source (the history and the window): the
        /// pooled days of the dependence-aware significance.
        pool: DateRange,
    },
    /// A profile written by `fit-reference`.
    Profile {
        /// Its path.
        path: String,
        /// Its content.
        profile: ReferenceProfile,
    },
}

impl Reference {
    /// Trading days of the reference window.
    pub(super) fn days(&self) -> usize {
        match self {
            Self::Data { window, .. } => window.days.len(),
            Self::Profile { profile, .. } => profile.trading_days,
        }
    }

    pub(super) fn range(&self) -> DateRange {
        match self {
            Self::Data { window, .. } => window.range,
            // A profile's own dates are ordered by construction.
            Self::Profile { profile, .. } => DateRange::new(profile.from, profile.to.max(profile.from))
                .unwrap_or_else(|_| unreachable!("max keeps from <= to")),
        }
    }
}

/// The opened sources and resolved windows, shared by every computation of one run.
pub(super) struct Context<'a> {
    pub(super) settings: &'a Settings,
    /// Where the scans come from: the files, or memory shared by a backfill's days.
    pub(super) sources: &'a Sources,
    /// The PSI options in force: the settings', with the bins of the reference profile when
    /// there is one (a profile's bins are the single source of truth once it is opened).
    pub(super) psi: PsiOptions,
    pub(super) current_scan: Scan,
    pub(super) current: Window,
    pub(super) reference: Reference,
    pub(super) features: Vec<FeatureSpec>,
    /// Feature columns that cannot be computed at all (no values, a name no output can carry):
    /// reported as skipped in every result.
    pub(super) unusable: Vec<SkippedFeature>,
    /// Trading days present in the features source.
    pub(super) days: Vec<NaiveDate>,
    /// The day of every reference row as the direct reader yields them, decoded once.
    pub(super) reference_slots: std::sync::OnceLock<Option<DaySlots>>,
    /// Whether the fit builds the within-day view's pool (not for a profile file, which does
    /// not keep it).
    pub(super) within_day: bool,
}

pub(super) fn window_info(w: &Window, rows: u64, source: &str) -> WindowInfo {
    WindowInfo { from: w.range.from(), to: w.range.to(), trading_days: w.days.len(), rows, source: source.to_owned() }
}

/// Refuses a window in which more than one row has the same `(as_of, symbol)`: each row would
/// count twice in every bin.
fn no_duplicates(scan: &Scan, symbol: &str, window: &Window, which: &'static str) -> Result<(), AnalysisError> {
    match scan.duplicate_key(symbol, window.scan_range(), &window.days)? {
        None => Ok(()),
        Some(d) => Err(AnalysisError::DuplicateFeatureRows {
            path: scan.path().to_owned(),
            which,
            as_of: d.as_of.to_string(),
            symbol: d.symbol,
            keys: d.keys,
        }),
    }
}

pub(super) fn empty(path: &str, e: EmptyWindow) -> AnalysisError {
    AnalysisError::EmptyWindow { path: path.to_owned(), which: e.which, asked: e.asked }
}

impl<'a> Context<'a> {
    pub(super) fn open(
        settings: &'a Settings,
        sources: &'a Sources,
        reference_profile: Option<&Path>,
    ) -> Result<Self, AnalysisError> {
        let names = &settings.columns;
        let current_scan = sources.open(&settings.sources.features, &names.date)?;
        current_scan.require(&names.symbol, |_| true, "String")?;
        if settings.by == performance::GroupBy::Sector {
            current_scan.require(&names.sector, |_| true, "String")?;
        }
        let days = current_scan.dates()?;
        let current =
            windows::current(settings.current, settings.as_of, &days).map_err(|e| empty(current_scan.path(), e))?;
        let reference = match reference_profile {
            Some(path) => Reference::Profile { path: path.display().to_string(), profile: sources.profile(path)? },
            None => Self::reference_data(settings, sources, &current_scan, &current, &days)?,
        };
        if let (Reference::Profile { path, .. }, Some(what)) = (&reference, settings.needs_raw_reference()) {
            return Err(AnalysisError::NeedsRawReference { what, path: path.clone() });
        }
        // Both windows at once: each check is one thread decoding its symbols and dates.
        std::thread::scope(|threads| {
            let reference = match &reference {
                Reference::Data { scan, window, .. } if scan.column_type(&names.symbol).is_some() => {
                    Some(threads.spawn(|| no_duplicates(scan, &names.symbol, window, "reference")))
                }
                _ => None,
            };
            no_duplicates(&current_scan, &names.symbol, &current, "current")?;
            reference.map_or(Ok(()), |r| r.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        })?;
        let (features, unusable) = select(settings, &current_scan, &reference)?;
        let mut psi = settings.psi;
        if let Reference::Profile { profile, path } = &reference {
            if settings.bins_asked.is_some_and(|asked| asked != profile.bins) {
                return Err(AnalysisError::ProfileBins {
                    path: path.clone(),
                    asked: settings.bins_asked.unwrap_or_default(),
                    fitted: profile.bins,
                });
            }
            let same_window = match settings.reference {
                ReferenceWindow::Range(r) => r.from() == profile.from && r.to() == profile.to,
                ReferenceWindow::Before(n) => n == profile.trading_days,
                ReferenceWindow::WholeSource => true,
            };
            if settings.reference_asked && !same_window {
                return Err(AnalysisError::ProfileWindow {
                    path: path.clone(),
                    from: profile.from.to_string(),
                    to: profile.to.to_string(),
                    days: profile.trading_days,
                });
            }
            psi.bins = profile.bins;
        }
        Ok(Self {
            settings,
            sources,
            psi,
            current_scan,
            current,
            reference,
            features,
            unusable,
            days,
            reference_slots: std::sync::OnceLock::new(),
            within_day: true,
        })
    }

    /// The raw reference: a window of the features, or of the separate reference source.
    fn reference_data(
        settings: &Settings,
        sources: &Sources,
        current_scan: &Scan,
        current: &Window,
        days: &[NaiveDate],
    ) -> Result<Reference, AnalysisError> {
        let names = &settings.columns;
        let scan = match &settings.sources.reference {
            Some(path) => sources.open(path, &names.date)?,
            None => current_scan.clone(),
        };
        let reference_days = match &settings.sources.reference {
            Some(_) => Some(scan.dates()?),
            None => None,
        };
        let window = windows::reference(settings.reference, current, days, reference_days.as_deref())
            .map_err(|e| empty(scan.path(), e))?;
        if settings.by == performance::GroupBy::Sector {
            scan.require(&names.sector, |_| true, "String")?;
        }
        let rows = scan.count_rows(window.scan_range())?;
        let source_days = reference_days.as_deref().unwrap_or(days);
        let first = source_days.first().copied().unwrap_or(window.range.from()).min(window.range.from());
        let pool = DateRange::new(first, window.range.to()).unwrap_or(window.range);
        Ok(Reference::Data { scan, window, rows, pool })
    }

    /// Sunday–Thursday days from the current window's newest day in the data to the day it
    /// should reach: the as-of date, or the end asked for by `--to` (a window chosen to end
    /// earlier is not stale). 0 when the features hold a later day that is already past (by
    /// today's date in Nepal): the days between were then no trading days (a holiday in the
    /// data's history), not data yet to come. A day dated after today is no such evidence (a
    /// typo, a row written ahead), so it cannot silence the alert. Otherwise holidays count
    /// (they are not known until the data shows them), which is why the alert on the pushed
    /// gauge has a budget.
    pub(super) fn data_lag(&self) -> u32 {
        let s = self.settings;
        let end = match s.current {
            CurrentWindow::Last(_) => s.as_of,
            CurrentWindow::Range(r) => r.to().min(s.as_of),
        };
        let next = self.days.get(self.days.partition_point(|d| *d <= end));
        match (self.current.days.last(), next) {
            (Some(_), Some(later)) if *later <= s.today => 0,
            (Some(last), _) => trading_days_between(*last, end),
            (None, _) => 0,
        }
    }

    /// The current window's trading days that the reference holds too: its days in the
    /// reference window's (from data), or inside the profile's fitted dates.
    pub(super) fn overlap(&self) -> Option<Overlap> {
        let shared: Vec<NaiveDate> = match &self.reference {
            Reference::Data { window, .. } => {
                self.current.days.iter().copied().filter(|d| window.days.binary_search(d).is_ok()).collect()
            }
            Reference::Profile { profile, .. } => {
                self.current.days.iter().copied().filter(|d| (profile.from..=profile.to).contains(d)).collect()
            }
        };
        Some(Overlap { from: *shared.first()?, to: *shared.last()?, trading_days: shared.len() })
    }

    /// The reference window's description, and the rows read from it (0 from a profile).
    pub(super) fn reference_info(&self) -> Result<(WindowInfo, u64), AnalysisError> {
        let need = 2 * self.psi.bins as u64;
        let (info, read) = match &self.reference {
            Reference::Data { scan, window, rows, .. } => (window_info(window, *rows, scan.path()), *rows),
            Reference::Profile { path, profile } => (
                WindowInfo {
                    from: profile.from,
                    to: profile.to,
                    trading_days: profile.trading_days,
                    rows: profile.rows,
                    source: format!("{path} (profile of {})", profile.source),
                },
                0,
            ),
        };
        // Judged on the reference's days with data: dates asked past the data's end (a `--to` on a
        // Saturday, or after the newest day) hold nothing that could look ahead.
        let last_day = match &self.reference {
            Reference::Data { window, .. } => window.days.last().copied().unwrap_or(info.to),
            Reference::Profile { profile, .. } => profile.to,
        };
        if last_day > self.current.range.to() {
            return Err(AnalysisError::ReferenceAfter {
                path: info.source,
                from: info.from.to_string(),
                to: info.to.to_string(),
                as_of: self.current.range.to().to_string(),
            });
        }
        if info.rows < need {
            return Err(AnalysisError::ReferenceTooSmall {
                path: info.source,
                from: info.from.to_string(),
                to: info.to.to_string(),
                rows: info.rows,
                need,
            });
        }
        Ok((info, read))
    }
}

/// The features to compare and their kinds, checked against both sides.
/// The features to compute, and those skipped before any is read.
///
/// Without `features.include` every non-key column is a candidate: columns of a dtype that is
/// no feature (a timestamp such as `updated_at`, a list, …) are left out with a note, and a
/// column of the Null dtype (no value at all) is skipped, as an all-null numeric column is.
/// Features asked for by name must exist and have a feature dtype. In both cases a name holding
/// a control character (a tab, a newline, an escape) is skipped: no Prometheus label, table or
/// CSV cell should carry it.
pub(super) fn select(
    settings: &Settings,
    current: &Scan,
    reference: &Reference,
) -> Result<(Vec<FeatureSpec>, Vec<SkippedFeature>), AnalysisError> {
    let names = &settings.columns;
    let by_default = settings.features.include.is_empty();
    let wanted: Vec<String> = if by_default {
        current.columns().into_iter().filter(|c| !names.is_key(c)).collect()
    } else {
        settings.features.include.clone()
    };
    // A kind override for a column the data does not have is a typo, not a no-op.
    if let Some(name) = settings.features.categorical.iter().find(|c| current.column_type(c).is_none()) {
        return Err(AnalysisError::UnknownFeature {
            path: current.path().to_owned(),
            feature: name.clone(),
            available: current.columns().join(", "),
        });
    }
    let mut out = Vec::with_capacity(wanted.len());
    let mut skipped = Vec::new();
    for name in wanted {
        if name.chars().any(char::is_control) {
            skipped.push(SkippedFeature {
                reason: "the column name holds a control character (a tab, a newline, an escape): rename the column"
                    .into(),
                feature: name,
            });
            continue;
        }
        match current.column_type(&name) {
            Some(ColumnType::Empty) => {
                skipped.push(SkippedFeature {
                    reason: "the column has the Null dtype: it holds no value".into(),
                    feature: name,
                });
                continue;
            }
            Some(ColumnType::Unsupported(dtype)) if by_default => {
                tracing::info!(column = %name.escape_debug(), dtype = %dtype, "not a feature dtype: left out of the default feature set");
                continue;
            }
            _ => {}
        }
        let cur = column_type(current, &name)?;
        match reference {
            Reference::Data { scan, .. } => {
                let r = column_type(scan, &name)?;
                if r != cur {
                    return Err(AnalysisError::DtypeMismatch {
                        reference_path: scan.path().to_owned(),
                        reference_dtype: scan.dtype_name(&name).unwrap_or_default(),
                        current_path: current.path().to_owned(),
                        current_dtype: current.dtype_name(&name).unwrap_or_default(),
                        feature: name,
                    });
                }
            }
            Reference::Profile { path, profile } => {
                if profile.feature(&name).is_none() && !profile.skipped.iter().any(|s| s.feature == name) {
                    return Err(AnalysisError::NotInProfile {
                        path: path.clone(),
                        feature: name,
                        available: profile.features.iter().map(|f| f.feature.as_str()).collect::<Vec<_>>().join(", "),
                    });
                }
            }
        }
        let kind = if settings.features.categorical.contains(&name) {
            FeatureKind::Categorical
        } else {
            cur.kind().unwrap_or(FeatureKind::Numeric)
        };
        out.push(FeatureSpec { name, kind });
    }
    Ok((out, skipped))
}

fn column_type(scan: &Scan, name: &str) -> Result<ColumnType, AnalysisError> {
    match scan.column_type(name) {
        None => Err(AnalysisError::UnknownFeature {
            path: scan.path().to_owned(),
            feature: name.to_owned(),
            available: scan.columns().join(", "),
        }),
        Some(ColumnType::Unsupported(dtype)) => {
            Err(AnalysisError::UnsupportedDtype { path: scan.path().to_owned(), feature: name.to_owned(), dtype })
        }
        Some(t) => Ok(t),
    }
}
