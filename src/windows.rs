//! Every window policy in one place: the configured current, reference and performance windows
//! resolved against the trading days present in the data.

use chrono::NaiveDate;

use crate::calendar::{DateRange, last_n, n_before};
use crate::settings::{CurrentWindow, ReferenceWindow};

/// A window resolved to concrete trading days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The date range scanned (inclusive).
    pub range: DateRange,
    /// The trading days with data inside it, sorted.
    pub days: Vec<NaiveDate>,
    /// The window holds every trading day of its source, so scans need no date predicate.
    whole: bool,
}

impl Window {
    /// A window over `days` (sorted, non-empty), spanning first to last.
    #[must_use]
    pub fn over(days: &[NaiveDate]) -> Option<Self> {
        let range = DateRange::new(*days.first()?, *days.last()?).ok()?;
        Some(Self { range, days: days.to_vec(), whole: false })
    }

    /// A window over an explicit range, keeping the days of `all` inside it. `None` when no
    /// day falls inside.
    #[must_use]
    pub fn within(range: DateRange, all: &[NaiveDate]) -> Option<Self> {
        let days: Vec<NaiveDate> = all.iter().copied().filter(|d| range.contains(*d)).collect();
        (!days.is_empty()).then_some(Self { range, days, whole: false })
    }

    /// The date predicate a scan needs: `None` when the window spans every trading day of its
    /// source (reading everything is then the same rows, without decoding and filtering the
    /// date column; a source with rows without a date is refused before any window is read).
    #[must_use]
    pub fn scan_range(&self) -> Option<DateRange> {
        (!self.whole).then_some(self.range)
    }

    fn marked_whole(mut self, all: &[NaiveDate]) -> Self {
        self.whole = self.days.len() == all.len();
        self
    }
}

/// Why a window is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmptyWindow {
    /// `current` or `reference`.
    pub which: &'static str,
    /// What was asked, for the message.
    pub asked: String,
}

/// The current window over the feature days.
///
/// # Errors
/// [`EmptyWindow`] when no trading day falls inside it.
pub fn current(spec: CurrentWindow, as_of: NaiveDate, days: &[NaiveDate]) -> Result<Window, EmptyWindow> {
    match spec {
        CurrentWindow::Range(r) => Window::within(r, days)
            .map(|w| w.marked_whole(days))
            .ok_or_else(|| EmptyWindow { which: "current", asked: format!("{} to {}", r.from(), r.to()) }),
        CurrentWindow::Last(n) => Window::over(last_n(days, as_of, n))
            .map(|w| w.marked_whole(days))
            .ok_or_else(|| EmptyWindow { which: "current", asked: format!("the last {n} trading days up to {as_of}") }),
    }
}

/// The performance window: the current window, or with `performance_days = Some(n)` the last
/// `n` days of `prediction_days` up to the as-of date.
///
/// # Errors
/// [`EmptyWindow`] when no prediction day falls inside it.
pub fn performance(
    performance_days: Option<usize>,
    as_of: NaiveDate,
    current_window: &Window,
    prediction_days: &[NaiveDate],
) -> Result<Window, EmptyWindow> {
    match performance_days {
        None => Ok(current_window.clone()),
        Some(n) => current(CurrentWindow::Last(n), as_of, prediction_days),
    }
}

/// The reference window: `feature_days` are the days of the features source, `reference_days`
/// those of the separate reference source when there is one.
///
/// # Errors
/// [`EmptyWindow`] when no trading day falls inside it.
pub fn reference(
    spec: ReferenceWindow,
    current: &Window,
    feature_days: &[NaiveDate],
    reference_days: Option<&[NaiveDate]>,
) -> Result<Window, EmptyWindow> {
    // A separate reference source is used whole unless a window is asked of it (settings
    // resolve to `WholeSource` then); "the N trading days before the current window" are its
    // days before the current window's first, as within one source.
    let days = reference_days.unwrap_or(feature_days);
    let empty = |asked: String| EmptyWindow { which: "reference", asked };
    match spec {
        ReferenceWindow::Range(r) => Window::within(r, days)
            .map(|w| w.marked_whole(days))
            .ok_or_else(|| empty(format!("{} to {}", r.from(), r.to()))),
        ReferenceWindow::Before(n) => Window::over(n_before(days, current.range.from(), n))
            .map(|w| w.marked_whole(days))
            .ok_or_else(|| empty(format!("the {n} trading days before {}", current.range.from()))),
        ReferenceWindow::WholeSource => {
            Window::over(days).map(|w| w.marked_whole(days)).ok_or_else(|| empty("the whole reference source".into()))
        }
    }
}
