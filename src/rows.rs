//! The plain rows and counts the loader produces and the math consumes: prediction and
//! outcome rows, a categorical column's value counts, the day of each row of a buffer, and several
//! features row-aligned. Shared by [`crate::load`],
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

/// The day of every row of a buffer, as an index into a list of days (at most 65,535), or
/// [`DaySlots::NONE`] for a row without a day.
///
/// Kept as runs while the rows come in an order a file has: a day's rows together (a file
/// sorted by date, one run a day) or a symbol's days in turn (sorted by symbol, then date: one
/// run a symbol, broken where it misses a day). That is a few thousand runs for millions of
/// rows. Once runs would take more memory than one `u16` a row (a file in no order), it
/// switches to that.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DaySlots {
    rows: usize,
    runs: Vec<SlotRun>,
    dense: Option<Vec<u16>>,
}

/// Consecutive rows whose slots are `first`, `first + step`, `first + 2·step`, …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotRun {
    /// The first row's slot.
    pub first: u16,
    /// 0 (one day's rows) or 1 (one symbol's consecutive days).
    pub step: u16,
    /// Rows.
    pub len: u32,
}

impl SlotRun {
    /// The slot of the run's `i`-th row.
    #[must_use]
    pub fn slot(&self, i: usize) -> u16 {
        self.first + self.step * i as u16
    }

    fn extends_to(self, slot: u16) -> bool {
        if self.len == u32::MAX {
            return false;
        }
        let next = u32::from(self.first) + u32::from(self.step) * self.len;
        match self.len {
            1 => slot == self.first || u32::from(slot) == u32::from(self.first) + 1,
            _ => u32::from(slot) == next,
        }
    }
}

impl DaySlots {
    /// The slot of a row without a (listed) day.
    pub const NONE: u16 = u16::MAX;

    /// The slots of `slots`, in order.
    #[must_use]
    pub fn of(slots: &[u16]) -> Self {
        let mut out = Self::default();
        for &s in slots {
            out.push(s);
        }
        out
    }

    /// Appends the next row's slot.
    pub fn push(&mut self, slot: u16) {
        self.rows += 1;
        if let Some(dense) = &mut self.dense {
            dense.push(slot);
            return;
        }
        match self.runs.last_mut() {
            Some(run) if run.extends_to(slot) => {
                if run.len == 1 {
                    // `slot` is `first` or `first + 1`: the second row sets the step.
                    run.step = slot - run.first;
                }
                run.len += 1;
            }
            _ => self.runs.push(SlotRun { first: slot, step: 0, len: 1 }),
        }
        // A run takes four times a dense row's bytes: switch when runs average under four rows
        // (past a first few thousand, which cost nothing either way).
        if self.runs.len() > 4_096 && self.runs.len() * 4 > self.rows {
            let mut dense = Vec::with_capacity(self.rows);
            for run in &self.runs {
                dense.extend((0..run.len as usize).map(|i| run.slot(i)));
            }
            self.runs = Vec::new();
            self.dense = Some(dense);
        }
    }

    /// Rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether there is no row.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The rows as consecutive runs, in order.
    pub fn runs(&self) -> impl Iterator<Item = SlotRun> + '_ {
        let stored = self.dense.is_none().then(|| self.runs.iter().copied());
        let dense = self
            .dense
            .as_deref()
            .map(|d| d.chunk_by(|a, b| a == b).map(|run| SlotRun { first: run[0], step: 0, len: run.len() as u32 }));
        stored.into_iter().flatten().chain(dense.into_iter().flatten())
    }
}

/// Several features of the same rows, aligned row by row, with each row's day: what the
/// multivariate drift takes (the per-feature drift reads one column at a time instead).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeatureTable {
    /// Each row's day (days since 1970-01-01).
    pub days: Vec<i32>,
    /// The numeric columns asked for, in order, null → NaN.
    pub numeric: Vec<Vec<f64>>,
    /// The categorical columns asked for, in order, as text (`None` for null).
    pub categorical: Vec<Vec<Option<String>>>,
    /// Each row's symbol as a number (the same symbol, the same number), when asked for; rows
    /// without a symbol get `u32::MAX`.
    pub symbols: Vec<u32>,
    /// The symbols those numbers stand for: `symbol_names[n]` is number `n`'s.
    pub symbol_names: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::{DaySlots, SlotRun};

    fn expand(slots: &DaySlots) -> Vec<u16> {
        slots.runs().flat_map(|run| (0..run.len as usize).map(move |i| run.slot(i))).collect()
    }

    #[test]
    fn rows_grouped_by_day_or_by_symbol_are_kept_as_runs() {
        let rows = [0, 0, 1, 1, 0, 2, DaySlots::NONE, 3, 4, 5, 7, 7];
        let s = DaySlots::of(&rows);
        assert_eq!(s.len(), rows.len());
        let run = |first, step, len| SlotRun { first, step, len };
        assert_eq!(
            s.runs().collect::<Vec<_>>(),
            vec![
                run(0, 0, 2),
                run(1, 0, 2),
                run(0, 0, 1),
                run(2, 0, 1),
                run(DaySlots::NONE, 0, 1),
                run(3, 1, 3),
                run(7, 0, 2)
            ]
        );
        assert_eq!(expand(&s), rows);
        assert!(s.dense.is_none());
        assert!(DaySlots::default().is_empty());
    }

    #[test]
    fn a_symbol_major_file_is_one_run_a_symbol() {
        let rows: Vec<u16> = (0..500).flat_map(|_symbol| 0..250).collect();
        let s = DaySlots::of(&rows);
        assert_eq!(s.runs().count(), 500);
        assert_eq!(expand(&s), rows);
    }

    #[test]
    fn rows_in_no_order_switch_to_one_slot_a_row_with_the_same_slots() {
        let rows: Vec<u16> = (0..20_000_u32).map(|i| (i * 7 % 5) as u16).collect();
        let s = DaySlots::of(&rows);
        assert!(s.dense.is_some());
        assert_eq!(s.len(), 20_000);
        assert_eq!(expand(&s), rows);
    }
}
