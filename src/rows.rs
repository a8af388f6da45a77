//! The plain rows and counts the loader produces and the math consumes: prediction and
//! outcome rows, a categorical column's value counts, and the day of each row of a buffer. Shared by [`crate::load`],
//! [`crate::drift`] and [`crate::performance`] so that the loader imports neither.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// One row of the predictions dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Trading day the prediction is for.
    pub as_of: NaiveDate,
    /// Ticker.
    pub symbol: String,
    /// Model version that made it.
    pub model_version: String,
    /// Probability of label 1 (an up day).
    pub proba: f64,
    /// Predicted label 0/1, when the file has one.
    pub label: Option<i64>,
}

/// One row of the outcomes dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Trading day the outcome is for.
    pub as_of: NaiveDate,
    /// Ticker.
    pub symbol: String,
    /// Model version, when the outcomes carry it.
    pub model_version: Option<String>,
    /// Actual label 0/1.
    pub actual: i64,
    /// Day the label became known.
    pub observed_at: NaiveDate,
}

/// Value counts of a categorical column (String, Categorical or Boolean in the data).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CategoryCounts {
    /// Rows per distinct non-null value.
    pub counts: BTreeMap<String, u64>,
    /// Null rows.
    pub missing: u64,
}

impl CategoryCounts {
    /// Counts an iterator of optional values.
    pub fn from_values<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        let mut out = Self::default();
        for v in values {
            out.add(v);
        }
        out
    }

    /// Counts one value (`None`: a null).
    pub fn add(&mut self, value: Option<&str>) {
        match value {
            Some(s) => *self.counts.entry(s.to_owned()).or_insert(0) += 1,
            None => self.missing += 1,
        }
    }

    /// All rows, missing included.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.counts.values().sum::<u64>() + self.missing
    }
}

/// The day of every row of a buffer, as an index into a list of days: one byte a row while the
/// list holds at most 255 days (a year of trading days), two beyond. An index past the list
/// (the type's maximum) is a row without a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaySlots {
    /// At most 255 days.
    Narrow(Vec<u8>),
    /// At most 65,535 days.
    Wide(Vec<u16>),
}

impl DaySlots {
    /// Rows.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Narrow(s) => s.len(),
            Self::Wide(s) => s.len(),
        }
    }

    /// Whether there is no row.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
