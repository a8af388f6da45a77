//! The computation behind `report`, `run` and `fit-reference`: opens the sources, resolves the
//! windows, and assembles the [`RunResult`] from the drift ([`features`]) and performance
//! ([`grading`]) parts.

mod features;
mod grading;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::calendar::DateRange;
use crate::drift::BinningMode;
use crate::load::{LoadError, Scan};
use crate::performance::{self, RowError};
use crate::reference::{PROFILE_SCHEMA_VERSION, ReferenceProfile};
use crate::result::{RunResult, SCHEMA_VERSION, WindowInfo, Windows};
use crate::settings::{ReferenceWindow, Settings};
use crate::windows::{self, EmptyWindow, Window};

use features::FeatureSpec;

/// The model label when neither the config nor the predictions name one.
pub const DEFAULT_MODEL: &str = "default";

/// Why an analysis could not produce a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    /// A source could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A window holds no trading day.
    #[error("{path}: the {which} window ({asked}) has no rows")]
    EmptyWindow {
        /// Source.
        path: String,
        /// `current` or `reference`.
        which: &'static str,
        /// What was asked.
        asked: String,
    },
    /// The reference is too small for the bins.
    #[error("{path}: the reference window {from} to {to} has {rows} rows, fewer than 2×bins = {need}")]
    ReferenceTooSmall {
        /// Source.
        path: String,
        /// Start.
        from: String,
        /// End.
        to: String,
        /// Rows found.
        rows: u64,
        /// Rows needed.
        need: u64,
    },
    /// A requested feature is not a column.
    #[error("{path}: requested feature `{feature}` is not a column (has: {available})")]
    UnknownFeature {
        /// Source.
        path: String,
        /// Feature.
        feature: String,
        /// Columns present.
        available: String,
    },
    /// A feature of a dtype that is neither numeric nor categorical.
    #[error("{path}: feature column `{feature}` has unsupported dtype {dtype}")]
    UnsupportedDtype {
        /// Source.
        path: String,
        /// Feature.
        feature: String,
        /// Its dtype.
        dtype: String,
    },
    /// Reference and current disagree on a feature's dtype.
    #[error("feature `{feature}` is {reference_dtype} in {reference_path} but {current_dtype} in {current_path}")]
    DtypeMismatch {
        /// Feature.
        feature: String,
        /// Reference source.
        reference_path: String,
        /// Its dtype there.
        reference_dtype: String,
        /// Current source.
        current_path: String,
        /// Its dtype there.
        current_dtype: String,
    },
    /// Invalid prediction or outcome rows.
    #[error("{path}: {error}")]
    Rows {
        /// Source.
        path: String,
        /// What is wrong.
        error: RowError,
    },
    /// A computation that needs the raw reference was asked of a profile.
    #[error("{what} needs the raw reference data; {path} is a profile")]
    NeedsRawReference {
        /// What was asked.
        what: &'static str,
        /// The profile file.
        path: String,
    },
    /// The reference profile file is unusable.
    #[error(transparent)]
    Profile(#[from] crate::reference::ProfileError),
    /// A requested feature is not in the reference profile.
    #[error("{path}: feature `{feature}` is not in the reference profile (has: {available})")]
    NotInProfile {
        /// The profile file.
        path: String,
        /// Feature.
        feature: String,
        /// Features profiled.
        available: String,
    },
    /// The evaluation window has no predictions.
    #[error("{path}: no predictions between {from} and {to}")]
    NoPredictions {
        /// Source.
        path: String,
        /// Start.
        from: String,
        /// End.
        to: String,
    },
}

impl AnalysisError {
    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Load(e) => e.hint(),
            Self::EmptyWindow { .. } | Self::NoPredictions { .. } => {
                "check --as-of and the window options against the dates present in the data"
            }
            Self::ReferenceTooSmall { .. } => "widen the reference window or lower --bins",
            Self::UnknownFeature { .. } => "list features that exist in both sources, or omit --feature to use all",
            Self::UnsupportedDtype { .. } => {
                "features must be numeric, String, Categorical or Boolean; select others out with --feature"
            }
            Self::DtypeMismatch { .. } => "write the feature with the same dtype in both periods",
            Self::Rows { .. } => "fix the offending rows at the source; labels are 0/1 and probabilities in [0, 1]",
            Self::NeedsRawReference { .. } => {
                "pass the reference data (--reference-source or a window) instead of --reference-profile"
            }
            Self::Profile(_) | Self::NotInProfile { .. } => {
                "re-fit it with `nepse-drift fit-reference` from the same features source"
            }
        }
    }
}

/// The reference side: raw data in a window, or a fitted profile.
#[allow(clippy::large_enum_variant)] // one per run; boxing the scan would only add noise
enum Reference {
    /// Raw reference rows.
    Data {
        /// The source.
        scan: Scan,
        /// The window in it.
        window: Window,
        /// Rows in the window, counted once.
        rows: u64,
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
    fn range(&self) -> DateRange {
        match self {
            Self::Data { window, .. } => window.range,
            // A profile's own dates are ordered by construction.
            Self::Profile { profile, .. } => DateRange::new(profile.from, profile.to.max(profile.from))
                .unwrap_or_else(|_| unreachable!("max keeps from <= to")),
        }
    }
}

/// The opened sources and resolved windows, shared by every computation of one run.
struct Context<'a> {
    settings: &'a Settings,
    current_scan: Scan,
    current: Window,
    reference: Reference,
    features: Vec<FeatureSpec>,
    /// Trading days present in the features source.
    days: Vec<NaiveDate>,
}

/// Computes the complete result for `settings`, with the reference from the data or, when
/// `sources.reference_profile` is set, from that fitted profile.
///
/// # Errors
/// [`AnalysisError`] when an input is unusable; a feature that alone cannot be computed is
/// recorded in `drift.skipped` instead.
pub fn analyse(settings: &Settings) -> Result<RunResult, AnalysisError> {
    let cx = Context::open(settings, settings.sources.reference_profile.as_deref())?;
    let mut rows_read = BTreeMap::new();
    let cur_rows = cx.current_scan.count_rows(cx.current.scan_range())?;
    let (reference_info, ref_rows_read) = cx.reference_info()?;
    rows_read.insert("features_reference".to_owned(), ref_rows_read);
    rows_read.insert("features_current".to_owned(), cur_rows);

    let profiles = cx.profiles()?;
    let mut drift = cx.drift(&profiles, &cx.current)?;
    if settings.by == performance::GroupBy::Sector {
        drift.sector_mix = cx.sector_mix()?;
        drift.by_sector = cx.by_sector()?;
    }

    let predictions = cx.grader()?;
    let graded = cx.grade(predictions.as_ref(), &mut drift)?;
    rows_read.extend(graded.rows_read);
    let trend = match settings.every {
        None => Vec::new(),
        Some(every) => cx.trend(&profiles, predictions.as_ref(), every)?,
    };
    let mut psi_options = settings.psi;
    if let Reference::Profile { profile, .. } = &cx.reference {
        psi_options.bins = profile.bins;
    }
    Ok(RunResult {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        model: graded.model,
        as_of: settings.as_of,
        windows: Windows {
            reference: reference_info,
            current: window_info(&cx.current, cur_rows, cx.current_scan.path()),
            performance: graded.window,
        },
        psi_options,
        drift,
        performance: graded.report,
        trend,
        rows_read,
        run: None,
    })
}

/// Fits the reference of `settings` into a profile (quantile mode).
///
/// # Errors
/// [`AnalysisError`] when the reference cannot be read.
pub fn fit_reference(settings: &Settings) -> Result<ReferenceProfile, AnalysisError> {
    let cx = Context::open(settings, None)?;
    let (info, _) = cx.reference_info()?;
    let profiles = cx.profiles()?;
    let (features, skipped) = profiles.into_parts();
    Ok(ReferenceProfile {
        schema_version: PROFILE_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        source: info.source,
        from: info.from,
        to: info.to,
        trading_days: info.trading_days,
        rows: info.rows,
        bins: settings.psi.bins,
        content_hash: ReferenceProfile::hash_features(&features),
        features,
        skipped,
    })
}

fn window_info(w: &Window, rows: u64, source: &str) -> WindowInfo {
    WindowInfo { from: w.range.from(), to: w.range.to(), trading_days: w.days.len(), rows, source: source.to_owned() }
}

fn empty(path: &str, e: EmptyWindow) -> AnalysisError {
    AnalysisError::EmptyWindow { path: path.to_owned(), which: e.which, asked: e.asked }
}

impl<'a> Context<'a> {
    fn open(settings: &'a Settings, reference_profile: Option<&Path>) -> Result<Self, AnalysisError> {
        let names = &settings.columns;
        let current_scan = Scan::open(&settings.sources.features, &names.as_of)?;
        current_scan.require(&names.symbol, |_| true, "String")?;
        if settings.by == performance::GroupBy::Sector {
            current_scan.require(&names.sector, |_| true, "String")?;
        }
        let days = current_scan.dates()?;
        let current =
            windows::current(settings.current, settings.as_of, &days).map_err(|e| empty(current_scan.path(), e))?;
        let reference = match reference_profile {
            Some(path) => {
                Reference::Profile { path: path.display().to_string(), profile: ReferenceProfile::read(path)? }
            }
            None => Self::reference_data(settings, &current_scan, &current, &days)?,
        };
        if let (Reference::Profile { path, .. }, true) =
            (&reference, settings.psi.mode == BinningMode::Evidently || settings.by == performance::GroupBy::Sector)
        {
            let what = if settings.by == performance::GroupBy::Sector { "--by sector" } else { "--binning evidently" };
            return Err(AnalysisError::NeedsRawReference { what, path: path.clone() });
        }
        let features = features::select(settings, &current_scan, &reference)?;
        Ok(Self { settings, current_scan, current, reference, features, days })
    }

    /// The raw reference: a window of the features, or of the separate reference source.
    fn reference_data(
        settings: &Settings,
        current_scan: &Scan,
        current: &Window,
        days: &[NaiveDate],
    ) -> Result<Reference, AnalysisError> {
        let names = &settings.columns;
        let scan = match &settings.sources.reference {
            Some(path) => Scan::open(path, &names.as_of)?,
            None => current_scan.clone(),
        };
        let reference_days = match &settings.sources.reference {
            Some(_) => Some(scan.dates()?),
            None => None,
        };
        let spec = match (settings.reference, &settings.sources.reference) {
            // "N days before the current window" only makes sense within one source.
            (ReferenceWindow::Before(_), Some(_)) => ReferenceWindow::WholeSource,
            (spec, _) => spec,
        };
        let window =
            windows::reference(spec, current, days, reference_days.as_deref()).map_err(|e| empty(scan.path(), e))?;
        if settings.by == performance::GroupBy::Sector {
            scan.require(&names.sector, |_| true, "String")?;
        }
        let rows = scan.count_rows(window.scan_range())?;
        Ok(Reference::Data { scan, window, rows })
    }

    /// The reference window's description, and the rows read from it (0 from a profile).
    fn reference_info(&self) -> Result<(WindowInfo, u64), AnalysisError> {
        let need = 2 * self.settings.psi.bins as u64;
        let (info, read) = match &self.reference {
            Reference::Data { scan, window, rows } => (window_info(window, *rows, scan.path()), *rows),
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
