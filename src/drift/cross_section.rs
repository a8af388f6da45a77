//! The cross-sectional correlation break: how the features rank the symbols of a day against one
//! another, compared between the reference and the current window. Pure: rows and their days
//! in, distances out.
//!
//! **Why a second statistic.** The reconstruction error is a mean over every standardised
//! feature, and on a market with regimes its past pairs swing widely (storms raise every
//! correlation at once); one feature that stops moving with the others (computed on the wrong
//! symbol's history, joined on a shifted key) raises it by little (issue 24: 3 of 40 realistic
//! panels). Within a day every symbol shares the market, so the day's cross-section holds what
//! regimes do not move much: whether the symbols that rose most over 5 days are those with the
//! highest RSI. Ranks within the day make it blind to the market's level and scale, to one bad
//! print and to a feature's units.
//!
//! **The statistic.** Each feature's finite values are ranked within their day (midranks for
//! ties) and scored `(rank − ½)/n − ½`, in `(−½, ½)`; a missing value scores 0, the day's
//! centre. A window's Spearman-type matrix `C` is the Pearson correlation of the scores over its
//! rows (from per-day sums, so that any window is a sum of days). The distance is the Frobenius
//! norm `‖C_current − C_reference‖` over the pairs of features defined in both (a feature
//! constant within every day, such as the index return, has no cross-section and is left out).
//!
//! **The null** is the reconstruction's: every past pair shaped like the comparison over the
//! last [`SPAN_PAIRS`] pairs' days, sliding [`STEP_DAYS`] days, gives one distance, and
//! `crate::drift::reconstruction_null::call` judges the current one against them.

use super::reconstruction_null::{DayRows, PastErrors, SPAN_PAIRS, STEP_DAYS, Shape};

/// One day's (or a window's) sums of the rank scores: rows, per feature the sum, per ordered
/// pair (row-major `p×p`) the sum of products.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    p: usize,
    rows: f64,
    sum: Vec<f64>,
    cross: Vec<f64>,
}

impl Scores {
    /// Empty sums for `p` features.
    #[must_use]
    pub fn new(p: usize) -> Self {
        Self { p, rows: 0.0, sum: vec![0.0; p], cross: vec![0.0; p * p] }
    }

    /// The sums of `days` together (`p` features).
    #[must_use]
    pub fn total(p: usize, days: &[Self]) -> Self {
        let mut sum = Self::new(p);
        for d in days {
            sum.add(d);
        }
        sum
    }

    /// Adds `other`'s sums.
    pub fn add(&mut self, other: &Self) {
        self.rows += other.rows;
        self.sum.iter_mut().zip(&other.sum).for_each(|(a, b)| *a += b);
        self.cross.iter_mut().zip(&other.cross).for_each(|(a, b)| *a += b);
    }

    fn add_row(&mut self, z: &[f64]) {
        self.rows += 1.0;
        for (i, zi) in z.iter().enumerate() {
            self.sum[i] += zi;
            let row = &mut self.cross[i * self.p..(i + 1) * self.p];
            row.iter_mut().zip(z).for_each(|(c, zj)| *c += zi * zj);
        }
    }

    /// The correlation matrix (row-major), `None` for a pair with a feature without variance.
    fn correlation(&self) -> Vec<Option<f64>> {
        let p = self.p;
        let mean: Vec<f64> = self.sum.iter().map(|s| s / self.rows).collect();
        let cov = |i: usize, j: usize| self.cross[i * p + j] / self.rows - mean[i] * mean[j];
        // Scores lie in (−½, ½): a variance below 1e-12 is rounding, not a cross-section.
        let sd: Vec<Option<f64>> = (0..p).map(|i| Some(cov(i, i)).filter(|v| *v > 1e-12).map(f64::sqrt)).collect();
        (0..p * p)
            .map(|k| {
                let (i, j) = (k / p, k % p);
                Some(cov(i, j) / (sd[i]? * sd[j]?))
            })
            .collect()
    }
}

/// The distance between two windows' matrices over the pairs of distinct features defined in
/// both; `None` without such a pair or without rows.
#[must_use]
pub fn distance(reference: &Scores, current: &Scores) -> Option<f64> {
    if reference.rows == 0.0 || current.rows == 0.0 {
        return None;
    }
    let (r, c) = (reference.correlation(), current.correlation());
    let p = reference.p;
    let squares: Vec<f64> =
        (0..p * p).filter(|k| k / p != k % p).filter_map(|k| Some((c[k]? - r[k]?).powi(2))).collect();
    (!squares.is_empty()).then(|| squares.iter().sum::<f64>().sqrt())
}

/// Each day's score sums of `rows` (days `0..rows.days`; rows outside them are left out).
#[must_use]
pub fn daily_scores(rows: DayRows<'_>) -> Vec<Scores> {
    let p = rows.columns.len();
    let mut by_day: Vec<Vec<usize>> = vec![Vec::new(); rows.days];
    for (i, d) in rows.day.iter().enumerate() {
        if let Some(day) = by_day.get_mut(*d as usize) {
            day.push(i);
        }
    }
    let mut order: Vec<(f64, usize)> = Vec::new();
    by_day
        .iter()
        .map(|members| {
            let mut z = vec![0.0; members.len() * p];
            for (j, column) in rows.columns.iter().enumerate() {
                order.clear();
                order.extend(
                    members.iter().enumerate().filter(|(_, i)| column[**i].is_finite()).map(|(k, i)| (column[*i], k)),
                );
                order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                let n = order.len() as f64;
                let mut start = 0;
                while start < order.len() {
                    let end = start + order[start..].iter().take_while(|x| x.0 == order[start].0).count();
                    // Midrank of the tie, 1-based: (start + 1 + end) / 2.
                    let score = ((start + 1 + end) as f64 / 2.0 - 0.5) / n - 0.5;
                    for (_, k) in &order[start..end] {
                        z[k * p + j] = score;
                    }
                    start = end;
                }
            }
            let mut day = Scores::new(p);
            z.chunks_exact(p.max(1)).take(members.len()).for_each(|row| day.add_row(row));
            day
        })
        .collect()
}

/// The distance of every past pair shaped as `shape` over the last [`SPAN_PAIRS`] pairs' days
/// of `daily`, sliding [`STEP_DAYS`] days; `None` when the days do not hold one pair.
#[must_use]
pub fn past_distances(daily: &[Scores], shape: Shape) -> Option<PastErrors> {
    let Shape { reference: reference_days, gap, current: current_days } = shape;
    let pair = reference_days.checked_add(gap)?.checked_add(current_days)?;
    let p = daily.first()?.p;
    if reference_days == 0 || current_days == 0 || daily.len() < pair {
        return None;
    }
    let daily = &daily[daily.len().saturating_sub(SPAN_PAIRS * pair)..];
    let sum = |days: &[Scores]| Scores::total(p, days);
    let (mut errors, mut disjoint, mut free_from) = (Vec::new(), 0, 0);
    for s in (pair..=daily.len()).step_by(STEP_DAYS) {
        let reference = sum(&daily[s - pair..s - pair + reference_days]);
        let Some(d) = distance(&reference, &sum(&daily[s - current_days..s])) else { continue };
        errors.push(d);
        if s - pair >= free_from {
            disjoint += 1;
            free_from = s;
        }
    }
    Some(PastErrors { errors, stretches: disjoint })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows<'a>(columns: &'a [&'a [f64]], day: &'a [u32], days: usize) -> DayRows<'a> {
        DayRows { columns, day, days }
    }

    #[test]
    fn scores_are_midranks_within_the_day() {
        // Day 0: a = 3, 1, 1, NaN → midranks 3, 1.5, 1.5 of n = 3 finite values → scores
        // (3 − ½)/3 − ½ = 1/3 and (1.5 − ½)/3 − ½ = −1/6 twice; 0 for the NaN.
        let a = [3.0, 1.0, 1.0, f64::NAN];
        let cols: [&[f64]; 1] = [&a];
        let d = daily_scores(rows(&cols, &[0, 0, 0, 0], 1));
        assert_eq!(d[0].rows, 4.0);
        assert!((d[0].sum[0] - (1.0 / 3.0 - 2.0 / 6.0)).abs() < 1e-15);
        let squares = 1.0 / 9.0 + 2.0 / 36.0;
        assert!((d[0].cross[0] - squares).abs() < 1e-15, "{:?}", d[0]);
    }

    #[test]
    fn distance_by_hand() {
        // Two features identical within each day (correlation 1) in the reference, reversed
        // (correlation −1) now: the off-diagonal pairs differ by 2 each, distance √8.
        let up = [1.0, 2.0, 3.0, 1.0, 2.0, 3.0];
        let down = [3.0, 2.0, 1.0, 3.0, 2.0, 1.0];
        let day = [0, 0, 0, 1, 1, 1];
        let same: [&[f64]; 2] = [&up, &up];
        let reversed: [&[f64]; 2] = [&up, &down];
        let total = |d: Vec<Scores>| Scores::total(2, &d);
        let r = total(daily_scores(rows(&same, &day, 2)));
        let c = total(daily_scores(rows(&reversed, &day, 2)));
        assert!((distance(&r, &c).unwrap() - 8.0_f64.sqrt()).abs() < 1e-12);
        assert!(distance(&r, &r).unwrap().abs() < 1e-12);
        // A feature constant within its days (the index return) has no cross-section.
        let flat = [5.0; 6];
        let with_flat: [&[f64]; 2] = [&up, &flat];
        let f = total(daily_scores(rows(&with_flat, &day, 2)));
        assert_eq!(distance(&f, &f), None);
    }

    #[test]
    fn past_pairs_slide_and_count_disjoint_stretches() {
        // 12 days of four rows, two features, always identical: every distance 0.
        let days = 12;
        let day: Vec<u32> = (0..days as u32).flat_map(|d| [d; 4]).collect();
        let a: Vec<f64> = (0..days * 4).map(|i| (i * 7 % 5) as f64).collect();
        let cols: [&[f64]; 2] = [&a, &a];
        let daily = daily_scores(rows(&cols, &day, days));
        let past = past_distances(&daily, Shape { reference: 3, gap: 0, current: 1 }).unwrap();
        // Pairs of 4 days end at 4, 8, 12: three, all disjoint.
        assert_eq!((past.errors.len(), past.stretches), (3, 3));
        assert!(past.errors.iter().all(|d| d.abs() < 1e-12));
        assert_eq!(past_distances(&daily, Shape { reference: 12, gap: 0, current: 1 }), None);
    }
}
