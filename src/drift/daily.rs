//! Bin counts per trading day: what the dependence-aware significance ([`super::dependence`],
//! [`super::significance`]) needs beyond the totals. Counted in the same pass as the totals
//! (the totals are their sums), so no second read of a window is needed.
//!
//! A day is `days since 1970-01-01` (Polars' physical Date). Rows without a date belong to no
//! day and are not counted here.

use std::collections::BTreeMap;

use super::binning::BinEdges;
use crate::rows::{CategoryCounts, DaySlots};

/// Bin counts per trading day, in day order. Every row of `counts` has the same number of
/// bins (the missing bin, when there is one, last).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DailyCounts {
    /// The days, increasing.
    pub days: Vec<i32>,
    /// `counts[i][b]`: rows of day `days[i]` in bin `b`.
    pub counts: Vec<Vec<u64>>,
}

impl DailyCounts {
    /// Number of days.
    #[must_use]
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// Whether there is no day.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// The days in `from..=to`.
    #[must_use]
    pub fn between(&self, from: i32, to: i32) -> Self {
        let lo = self.days.partition_point(|d| *d < from);
        let hi = self.days.partition_point(|d| *d <= to);
        Self { days: self.days[lo..hi].to_vec(), counts: self.counts[lo..hi].to_vec() }
    }

    /// Rows over all days.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Per-bin totals over all days (`bins` wide when there is no day).
    #[must_use]
    pub fn totals(&self, bins: usize) -> Vec<u64> {
        let mut out = vec![0_u64; self.counts.first().map_or(bins, Vec::len)];
        for row in &self.counts {
            for (o, c) in out.iter_mut().zip(row) {
                *o += c;
            }
        }
        out
    }

    /// Whether every day has `bins` bins and the days increase.
    #[must_use]
    pub fn is_valid(&self, bins: usize) -> bool {
        self.days.len() == self.counts.len()
            && self.counts.iter().all(|c| c.len() == bins)
            && self.days.windows(2).all(|w| w[0] < w[1])
            && self.counts.iter().flatten().try_fold(0_u64, |sum, c| sum.checked_add(*c)).is_some()
    }
}

/// Counts a numeric column over fixed edges, per day, chunk by chunk, into a dense table of
/// days (rows of a source come in any order: by day, or symbol by symbol).
#[derive(Debug, Clone)]
pub struct DayCounter<'a> {
    edges: &'a BinEdges,
    /// Bins per day: the value bins and the missing bin.
    bins: usize,
    /// The day of the table's first row.
    first: i32,
    /// `table[(day − first)·bins + bin]`.
    table: Vec<u64>,
}

/// Runs of one day at least this long are counted by the edges' vectorised kernel; shorter ones
/// value by value.
const LONG_RUN: usize = 64;

impl<'a> DayCounter<'a> {
    /// A counter over `edges` (value bins plus a trailing missing bin).
    #[must_use]
    pub fn new(edges: &'a BinEdges) -> Self {
        Self { edges, bins: edges.value_bins() + 1, first: 0, table: Vec::new() }
    }

    /// Makes the table cover `lo..=hi`.
    fn cover(&mut self, lo: i32, hi: i32) {
        if self.table.is_empty() {
            self.first = lo;
        }
        if lo < self.first {
            let shift = (self.first - lo) as usize * self.bins;
            let mut grown = vec![0; shift];
            grown.extend_from_slice(&self.table);
            self.table = grown;
            self.first = lo;
        }
        let need = (i64::from(hi) - i64::from(self.first) + 1) as usize * self.bins;
        if self.table.len() < need {
            self.table.resize(need, 0);
        }
    }

    /// Adds one chunk: `values[i]` (NaN: missing) was seen on `days[i]`.
    ///
    /// # Panics
    /// When the slices differ in length (a programming error).
    pub fn add(&mut self, values: &[f64], days: &[i32]) {
        assert_eq!(values.len(), days.len(), "one day per value");
        let Some((lo, hi)) = days
            .iter()
            .fold(None, |acc: Option<(i32, i32)>, &d| Some(acc.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d)))))
        else {
            return;
        };
        self.cover(lo, hi);
        let (bins, first, missing) = (self.bins, self.first, self.bins - 1);
        let mut start = 0;
        while start < values.len() {
            let day = days[start];
            let run = days[start..].iter().position(|d| *d != day).unwrap_or(days.len() - start);
            let row = (day - first) as usize * bins;
            let counts = &mut self.table[row..row + bins];
            if run >= LONG_RUN {
                self.edges.count_into(counts, &values[start..start + run]);
            } else {
                for &x in &values[start..start + run] {
                    counts[if x.is_nan() { missing } else { self.edges.bin_of(x) }] += 1;
                }
            }
            start += run;
        }
    }

    /// The counts per day (days without a row left out).
    #[must_use]
    pub fn finish(self) -> DailyCounts {
        let mut out = DailyCounts::default();
        for (i, row) in self.table.chunks(self.bins).enumerate() {
            if row.iter().any(|c| *c > 0) {
                out.days.push(self.first + i as i32);
                out.counts.push(row.to_vec());
            }
        }
        out
    }
}

/// Counts `values` over `edges` by day in one pass, with each row's day given as an index into
/// `days` (see [`DaySlots`]): the totals over every row (value bins, then missing) and the
/// counts per day.
///
/// # Panics
/// When `values` and `slots` differ in length (a programming error).
#[must_use]
pub fn count_by_slot(edges: &BinEdges, values: &[f64], slots: &DaySlots, days: &[i32]) -> (Vec<u64>, DailyCounts) {
    assert_eq!(values.len(), slots.len(), "one slot per value");
    let bins = edges.value_bins() + 1;
    // One row per day, and a last one for the rows without a day.
    let mut table = vec![0_u64; (days.len() + 1) * bins];
    let none = days.len();
    let missing = bins - 1;
    let e = edges.as_slice();
    let mut at = 0;
    for run in slots.runs() {
        let n = run.len as usize;
        let values = &values[at..at + n];
        at += n;
        let row = |i: usize| usize::from(run.slot(i)).min(none) * bins;
        if run.step == 0 && n >= 64 {
            // A day's rows together (a file sorted by date): the vectorised kernel.
            edges.count_into(&mut table[row(0)..row(0) + bins], values);
            continue;
        }
        for (i, &x) in values.iter().enumerate() {
            let bin = if x.is_nan() {
                missing
            } else if e.len() <= 16 {
                e.iter().map(|edge| usize::from(*edge < x)).sum()
            } else {
                edges.bin_of(x)
            };
            table[row(i) + bin] += 1;
        }
    }
    let mut totals = vec![0_u64; bins];
    let mut daily = DailyCounts::default();
    for (i, row) in table.chunks(bins).enumerate() {
        for (t, c) in totals.iter_mut().zip(row) {
            *t += c;
        }
        if i < none && row.iter().any(|c| *c > 0) {
            daily.days.push(days[i]);
            daily.counts.push(row.to_vec());
        }
    }
    (totals, daily)
}

/// Category counts per day (missing apart), before the comparison's bins are known.
pub type DailyCategories = BTreeMap<i32, CategoryCounts>;

/// Per-day counts of categories over the comparison's bins: `categories` in order, then an
/// `other` bin for categories outside them (seen only in the history), then the missing bin.
#[must_use]
pub fn align_categories(daily: &DailyCategories, categories: &[String]) -> DailyCounts {
    let index: BTreeMap<&str, usize> = categories.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    let bins = categories.len() + 2;
    let mut out = DailyCounts::default();
    for (day, c) in daily {
        let mut row = vec![0_u64; bins];
        for (k, n) in &c.counts {
            row[index.get(k.as_str()).copied().unwrap_or(categories.len())] += n;
        }
        row[bins - 1] += c.missing;
        out.days.push(*day);
        out.counts.push(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_day_sum_to_the_totals() {
        let edges = BinEdges::new(vec![0.0, 1.0]).unwrap();
        let mut c = DayCounter::new(&edges);
        c.add(&[-1.0, 0.5, f64::NAN, 2.0], &[10, 10, 11, 11]);
        c.add(&[0.0, 3.0], &[10, 12]);
        // Days before the first one seen, and a long run counted by the vectorised kernel.
        c.add(&[5.0; 100], &[8; 100]);
        let d = c.finish();
        assert_eq!(d.days, vec![8, 10, 11, 12]);
        assert_eq!(d.counts, vec![vec![0, 0, 100, 0], vec![2, 1, 0, 0], vec![0, 0, 1, 1], vec![0, 0, 1, 0]]);
        assert_eq!(d.totals(4), vec![2, 1, 102, 1]);
        assert_eq!(d.rows(), 106);
        assert!(d.is_valid(4));
        assert_eq!(d.between(9, 12).days, vec![10, 11, 12]);
        assert_eq!(d.between(13, 20).len(), 0);
    }

    #[test]
    fn counting_by_slot_equals_the_day_counter() {
        let edges = BinEdges::new(vec![0.0, 1.0]).unwrap();
        let values = [-1.0, 0.5, f64::NAN, 2.0, 0.0, 3.0, 7.0];
        let days = [10, 10, 11, 11, 10, 12, 13];
        let slots = DaySlots::of(&[0, 0, 1, 1, 0, 2, DaySlots::NONE]);
        let (totals, by_slot) = count_by_slot(&edges, &values, &slots, &[10, 11, 12]);
        let mut counter = DayCounter::new(&edges);
        counter.add(&values[..6], &days[..6]);
        assert_eq!(by_slot, counter.finish());
        // The row without a day counts in the totals only.
        assert_eq!(totals, edges.count(&values));
    }

    #[test]
    fn counting_by_slot_is_the_same_in_every_row_order() {
        // 200 symbols × 30 days, sorted by date, by symbol, and in no order; some rows without a
        // day. Each order takes another path (long runs, stepped runs, one slot a row).
        let edges = BinEdges::new(vec![-1.0, 0.0, 0.5, 2.0]).unwrap();
        let days: Vec<i32> = (100..130).collect();
        let rows: Vec<(u16, f64)> = (0..200_u16)
            .flat_map(|sym| {
                (0..30_u16).map(move |d| {
                    let slot = if (sym + d) % 53 == 0 { DaySlots::NONE } else { d };
                    let x = if (sym * 7 + d) % 11 == 0 {
                        f64::NAN
                    } else {
                        f64::from(sym % 9) * 0.4 - 1.3 + f64::from(d) * 0.01
                    };
                    (slot, x)
                })
            })
            .collect();
        let count = |rows: &[(u16, f64)]| {
            let slots = DaySlots::of(&rows.iter().map(|r| r.0).collect::<Vec<_>>());
            let values: Vec<f64> = rows.iter().map(|r| r.1).collect();
            count_by_slot(&edges, &values, &slots, &days)
        };
        let by_symbol = count(&rows);
        let mut by_date = rows.clone();
        by_date.sort_by_key(|r| r.0);
        let mut shuffled = rows.clone();
        let n = shuffled.len();
        for i in 0..n {
            shuffled.swap(i, (i * 7_919 + 13) % n);
        }
        assert_eq!(count(&by_date), by_symbol);
        assert_eq!(count(&shuffled), by_symbol);
        // Against the counter that is given each row's day.
        let mut counter = DayCounter::new(&edges);
        for (slot, x) in rows.iter().filter(|r| r.0 != DaySlots::NONE) {
            counter.add(&[*x], &[days[usize::from(*slot)]]);
        }
        assert_eq!(by_symbol.1, counter.finish());
        assert_eq!(by_symbol.0, edges.count(&rows.iter().map(|r| r.1).collect::<Vec<_>>()));
    }

    #[test]
    fn categories_outside_the_bins_go_to_other() {
        let mut daily = DailyCategories::new();
        daily.insert(1, CategoryCounts::from_values([Some("a"), Some("b"), Some("z"), None]));
        let d = align_categories(&daily, &["a".to_owned(), "b".to_owned()]);
        assert_eq!(d.counts, vec![vec![1, 1, 1, 1]]);
    }
}
