//! Resolving the configured windows against the trading days present in the data.

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
}

impl Window {
    /// A window over `days` (sorted, non-empty), spanning first to last.
    #[must_use]
    pub fn over(days: &[NaiveDate]) -> Option<Self> {
        let range = DateRange::new(*days.first()?, *days.last()?).ok()?;
        Some(Self { range, days: days.to_vec() })
    }

    /// A window over an explicit range, keeping the days of `all` inside it. `None` when no
    /// day falls inside.
    #[must_use]
    pub fn within(range: DateRange, all: &[NaiveDate]) -> Option<Self> {
        let days: Vec<NaiveDate> = all.iter().copied().filter(|d| range.contains(*d)).collect();
        (!days.is_empty()).then_some(Self { range, days })
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
            .ok_or_else(|| EmptyWindow { which: "current", asked: format!("{} to {}", r.from(), r.to()) }),
        CurrentWindow::Last(n) => Window::over(last_n(days, as_of, n))
            .ok_or_else(|| EmptyWindow { which: "current", asked: format!("the last {n} trading days up to {as_of}") }),
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
    let days = reference_days.unwrap_or(feature_days);
    let empty = |asked: String| EmptyWindow { which: "reference", asked };
    match spec {
        ReferenceWindow::Range(r) => {
            Window::within(r, days).ok_or_else(|| empty(format!("{} to {}", r.from(), r.to())))
        }
        ReferenceWindow::Before(n) => Window::over(n_before(days, current.range.from(), n))
            .ok_or_else(|| empty(format!("the {n} trading days before {}", current.range.from()))),
        ReferenceWindow::WholeSource => Window::over(days).ok_or_else(|| empty("the whole reference source".into())),
    }
}
