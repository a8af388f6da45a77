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
//! **The statistic.** Each numeric feature's finite values are ranked within their day
//! (midranks for ties) and scored `(rank − ½)/n − ½`, in `(−½, ½)`. A window's Spearman-type
//! matrix `C` is, for each pair of features, the Pearson correlation of their scores over the
//! window's rows where both have a value (pairwise complete, from per-day sums, so that any
//! window is a sum of days, and a change in how much is missing does not move it). The distance
//! is the Frobenius norm `‖C_current − C_reference‖` over the pairs defined in both windows of
//! the comparison (a feature constant within every day, such as the index return, has no
//! cross-section and is left out); every past pair is measured over the same pairs, or skipped.
//! Categorical features are left out: their frequency codes rank symbols by their category's
//! size, which moves with sector rotation, a regime.
//!
//! **The null** is the reconstruction's: every past pair shaped like the comparison over the
//! last [`SPAN_PAIRS`] pairs' days, sliding [`STEP_DAYS`] days, gives one distance, and
//! `crate::drift::reconstruction_null::call` judges the current one against them, on the
//! squared distance (a sum of squares, which the short history's cube-root bound expects).

use super::reconstruction_null::{DayRows, Disjoint, PastErrors, SPAN_PAIRS, STEP_DAYS, Shape};

/// One day's (or a window's) sums of the rank scores, pairwise complete: per unordered pair of
/// features `i < j`, over the rows where both have a value, the rows `n`, `Σzᵢ`, `Σzⱼ`, `Σzᵢ²`,
/// `Σzⱼ²` and `Σzᵢzⱼ`. A missing value leaves its row out of its pairs, so a change in how much
/// is missing (a listing's warm-up, a gap) does not move the correlations.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    p: usize,
    /// Per pair `i < j` (in order), six sums.
    sums: Vec<[f64; 6]>,
}

impl Scores {
    /// Empty sums for `p` features.
    #[must_use]
    pub fn new(p: usize) -> Self {
        Self { p, sums: vec![[0.0; 6]; p * p.saturating_sub(1) / 2] }
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
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// Adds one row of scores (NaN: missing).
    fn add_row(&mut self, scores: &[f64]) {
        let mut pairs = self.sums.iter_mut();
        for (i, first) in scores.iter().enumerate() {
            for second in &scores[i + 1..] {
                let Some(sums) = pairs.next() else { return };
                if !first.is_nan() && !second.is_nan() {
                    sums[0] += 1.0;
                    sums[1] += first;
                    sums[2] += second;
                    sums[3] += first * first;
                    sums[4] += second * second;
                    sums[5] += first * second;
                }
            }
        }
    }

    /// Each pair's correlation (pairs `i < j` in order); `None` without two rows, or where a
    /// feature has no variance over the pair's rows (a feature constant within every day, such
    /// as the index return, has no cross-section).
    fn correlation(&self) -> Vec<Option<f64>> {
        self.sums
            .iter()
            .map(|&[n, a, b, aa, bb, ab]| {
                if n < 2.0 {
                    return None;
                }
                let (va, vb) = (aa / n - (a / n).powi(2), bb / n - (b / n).powi(2));
                // Scores lie in (−½, ½); a variance below 1e-12 is rounding, not a cross-section.
                (va > 1e-12 && vb > 1e-12).then(|| (ab / n - a / n * (b / n)) / (va * vb).sqrt())
            })
            .collect()
    }
}

/// Which features have a cross-section in the window: a defined correlation with some other
/// feature.
#[must_use]
pub fn varying(scores: &Scores) -> Vec<bool> {
    let mut out = vec![false; scores.p];
    let mut pairs = scores.correlation().into_iter();
    for i in 0..scores.p {
        for j in i + 1..scores.p {
            if pairs.next().flatten().is_some() {
                out[i] = true;
                out[j] = true;
            }
        }
    }
    out
}

/// The pairs of features a comparison rests on: those defined in both windows.
#[must_use]
pub fn defined_pairs(reference: &Scores, current: &Scores) -> Vec<bool> {
    reference.correlation().iter().zip(current.correlation()).map(|(r, c)| r.is_some() && c.is_some()).collect()
}

/// The squared distance between two windows' matrices over the pairs `over` (each pair counted
/// twice, as in the full symmetric matrix); `None` when one of them is undefined in either
/// window, or `over` holds none: every distance of one comparison sums the same pairs.
#[must_use]
pub fn squared_distance(reference: &Scores, current: &Scores, over: &[bool]) -> Option<f64> {
    if !over.iter().any(|k| *k) {
        return None;
    }
    let (r, c) = (reference.correlation(), current.correlation());
    let mut total = 0.0;
    for ((r, c), keep) in r.iter().zip(&c).zip(over) {
        if *keep {
            total += 2.0 * (c.as_ref()? - r.as_ref()?).powi(2);
        }
    }
    Some(total)
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
            let mut z = vec![f64::NAN; members.len() * p];
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

/// The squared distance of every past pair shaped as `shape` over the last [`SPAN_PAIRS`]
/// pairs' days of `daily`, sliding [`STEP_DAYS`] days, over the feature pairs `over` (the
/// current comparison's: a past pair without one of them is skipped, as a past fit without a
/// feature is); `None` when the days do not hold one pair.
#[must_use]
pub fn past_squared_distances(daily: &[Scores], shape: Shape, over: &[bool]) -> Option<PastErrors> {
    let Shape { reference: reference_days, gap, current: current_days } = shape;
    let pair = reference_days.checked_add(gap)?.checked_add(current_days)?;
    let p = daily.first()?.p;
    if reference_days == 0 || current_days == 0 || daily.len() < pair {
        return None;
    }
    let daily = &daily[daily.len().saturating_sub(SPAN_PAIRS * pair)..];
    let (mut errors, mut disjoint) = (Vec::new(), Disjoint::default());
    for s in (pair..=daily.len()).step_by(STEP_DAYS) {
        let reference = Scores::total(p, &daily[s - pair..s - pair + reference_days]);
        let current = Scores::total(p, &daily[s - current_days..s]);
        let Some(d) = squared_distance(&reference, &current, over) else { continue };
        errors.push(d);
        disjoint.offer(s - pair, s);
    }
    Some(PastErrors { errors, stretches: disjoint.count })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows<'a>(columns: &'a [&'a [f64]], day: &'a [u32], days: usize) -> DayRows<'a> {
        DayRows { columns, day, days }
    }

    #[test]
    fn scores_are_midranks_within_the_day_and_missing_rows_leave_their_pairs() {
        // Day 0: a = 3, 1, 1, NaN → midranks 3, 1.5, 1.5 of n = 3 finite values → scores
        // (3 − ½)/3 − ½ = 1/3 and (1.5 − ½)/3 − ½ = −1/6 twice; b = 1, 2, 3, 4 → scores
        // −3/8, −1/8, 1/8, 3/8. The pair (a, b) holds the first three rows only.
        let a = [3.0, 1.0, 1.0, f64::NAN];
        let b = [1.0, 2.0, 3.0, 4.0];
        let cols: [&[f64]; 2] = [&a, &b];
        let d = daily_scores(rows(&cols, &[0, 0, 0, 0], 1));
        let [n, sa, sb, aa, bb, ab] = d[0].sums[0];
        assert_eq!(n, 3.0);
        assert!((sa - 0.0).abs() < 1e-15 && (sb - (-3.0 / 8.0)).abs() < 1e-15);
        assert!((aa - (1.0 / 9.0 + 2.0 / 36.0)).abs() < 1e-15 && (bb - (9.0 + 1.0 + 1.0) / 64.0).abs() < 1e-15);
        // (1/3)(−3/8) + (−1/6)(−1/8) + (−1/6)(1/8) = −1/8.
        assert!((ab - (-1.0 / 8.0)).abs() < 1e-15, "{:?}", d[0]);
    }

    fn total(d: &[Scores]) -> Scores {
        Scores::total(d[0].p, d)
    }

    #[test]
    fn distance_by_hand() {
        // Two features identical within each day (correlation 1) in the reference, reversed
        // (correlation −1) now: the pair differs by 2, counted twice: 2·2² = 8.
        let up = [1.0, 2.0, 3.0, 1.0, 2.0, 3.0];
        let down = [3.0, 2.0, 1.0, 3.0, 2.0, 1.0];
        let day = [0, 0, 0, 1, 1, 1];
        let same: [&[f64]; 2] = [&up, &up];
        let reversed: [&[f64]; 2] = [&up, &down];
        let r = total(&daily_scores(rows(&same, &day, 2)));
        let c = total(&daily_scores(rows(&reversed, &day, 2)));
        let over = defined_pairs(&r, &c);
        assert_eq!(over, [true]);
        assert!((squared_distance(&r, &c, &over).unwrap() - 8.0).abs() < 1e-12);
        assert!(squared_distance(&r, &r, &over).unwrap().abs() < 1e-12);
        // A feature constant within its days (the index return) has no cross-section.
        let flat = [5.0; 6];
        let with_flat: [&[f64]; 2] = [&up, &flat];
        let f = total(&daily_scores(rows(&with_flat, &day, 2)));
        assert_eq!(defined_pairs(&f, &f), [false]);
        assert_eq!(squared_distance(&f, &f, &[false]), None);
        // A pair the comparison rests on but a window lacks: that window has no distance.
        assert_eq!(squared_distance(&f, &c, &[true]), None);
    }

    #[test]
    fn past_pairs_slide_over_a_relation_that_flips() {
        // 12 days of four rows, b = a until day 8, then b = −a: pairs of 3 + 1 days end at days
        // 4, 8 and 12 (exclusive); only the last scores a flipped day against an unflipped
        // reference (8 as in `distance_by_hand`).
        let days = 12;
        let day: Vec<u32> = (0..days as u32).flat_map(|d| [d; 4]).collect();
        let a: Vec<f64> = (0..days * 4).map(|i| (i % 4) as f64).collect();
        let b: Vec<f64> = a.iter().zip(&day).map(|(x, d)| if *d >= 8 { -x } else { *x }).collect();
        let cols: [&[f64]; 2] = [&a, &b];
        let daily = daily_scores(rows(&cols, &day, days));
        let past = past_squared_distances(&daily, Shape { reference: 3, gap: 0, current: 1 }, &[true]).unwrap();
        assert_eq!(past.stretches, 3);
        assert_eq!(past.errors.len(), 3);
        assert!(past.errors[0].abs() < 1e-12 && past.errors[1].abs() < 1e-12, "{past:?}");
        // Reference days 8–10 flipped like the current day 11: the last pair is quiet too. With
        // a gap of 3, pairs of 7 days end at 7 and 11: the second fits days 4–6 (unflipped) and
        // scores day 10 (flipped): 8.
        assert!(past.errors[2].abs() < 1e-12, "{past:?}");
        let gapped = past_squared_distances(&daily, Shape { reference: 3, gap: 3, current: 1 }, &[true]).unwrap();
        assert_eq!(gapped.errors.len(), 2);
        assert!(gapped.errors[0].abs() < 1e-12 && (gapped.errors[1] - 8.0).abs() < 1e-12, "{gapped:?}");
        assert_eq!(past_squared_distances(&daily, Shape { reference: 12, gap: 0, current: 1 }, &[true]), None);
    }
}
