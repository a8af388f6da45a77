//! Bin counts per trading day: what the dependence-aware significance ([`super::dependence`],
//! [`super::significance`]) needs beyond the totals. Counted in the same pass as the totals
//! (the totals are their sums), so no second read of a window is needed.
//!
//! A day is `days since 1970-01-01` (Polars' physical Date). Rows without a date belong to no
//! day and are not counted here.

use std::collections::BTreeMap;

use super::binning::BinEdges;
use crate::rows::CategoryCounts;

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
    }
}

/// Counts a numeric column over fixed edges, per day, chunk by chunk.
#[derive(Debug, Clone)]
pub struct DayCounter<'a> {
    edges: &'a BinEdges,
    by_day: BTreeMap<i32, Vec<u64>>,
}

impl<'a> DayCounter<'a> {
    /// A counter over `edges` (value bins plus a trailing missing bin).
    #[must_use]
    pub fn new(edges: &'a BinEdges) -> Self {
        Self { edges, by_day: BTreeMap::new() }
    }

    /// Adds one chunk: `values[i]` (NaN: missing) was seen on `days[i]`. Runs of one day are
    /// counted by the edges' vectorised kernel.
    ///
    /// # Panics
    /// When the slices differ in length (a programming error).
    pub fn add(&mut self, values: &[f64], days: &[i32]) {
        assert_eq!(values.len(), days.len(), "one day per value");
        let bins = self.edges.value_bins() + 1;
        let mut start = 0;
        while start < values.len() {
            let day = days[start];
            let end = start + days[start..].iter().position(|d| *d != day).unwrap_or(days.len() - start);
            let counts = self.by_day.entry(day).or_insert_with(|| vec![0; bins]);
            self.edges.count_into(counts, &values[start..end]);
            start = end;
        }
    }

    /// The counts per day.
    #[must_use]
    pub fn finish(self) -> DailyCounts {
        let (days, counts) = self.by_day.into_iter().unzip();
        DailyCounts { days, counts }
    }
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
        let d = c.finish();
        assert_eq!(d.days, vec![10, 11, 12]);
        assert_eq!(d.counts, vec![vec![2, 1, 0, 0], vec![0, 0, 1, 1], vec![0, 0, 1, 0]]);
        assert_eq!(d.totals(4), vec![2, 1, 2, 1]);
        assert_eq!(d.rows(), 6);
        assert!(d.is_valid(4));
        assert_eq!(d.between(11, 12).days, vec![11, 12]);
        assert_eq!(d.between(13, 20).len(), 0);
    }

    #[test]
    fn categories_outside_the_bins_go_to_other() {
        let mut daily = DailyCategories::new();
        daily.insert(1, CategoryCounts::from_values([Some("a"), Some("b"), Some("z"), None]));
        let d = align_categories(&daily, &["a".to_owned(), "b".to_owned()]);
        assert_eq!(d.counts, vec![vec![1, 1, 1, 1]]);
    }
}
