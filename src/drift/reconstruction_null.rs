//! The multivariate call, dependence-aware: the current window's reconstruction error against
//! the errors of past window pairs of the same shape, each refitted on its own reference.
//! Pure: rows and their days in, past errors and the call out.
//!
//! **Why not NannyML's threshold.** NannyML alerts when a chunk's error leaves the mean ± 3
//! standard deviations of the reference's chunks: chunks treated as independent draws, and a
//! reference scored by the model fitted on it (in-sample, so its errors are the smallest the
//! model will ever see). A NEPSE panel has neither property: the rows of a day share the
//! market, rolling features carry over for weeks, and any 20 days out of sample sit above the
//! in-sample errors. The same lesson as the PSI's (issue 23), so the same answer.
//!
//! **The null: the market's own past pairs.** For every past pair of windows shaped like the
//! comparison, `T` days scored by a reconstruction fitted on the `R` days just before them
//! (the procedure applied to the current window, but for a categorical feature, which every
//! pair encodes by the current reference's shares), the pair's statistic is its mean
//! error `ē_s`. The rows are clustered by day through the windows themselves: a pair's
//! statistic is a mean over whole days, so the spread of `ē_s` holds the co-movement of a day's
//! rows and the carry-over from day to day; no row is treated as independent. The critical
//! value is [`HistoryNull`]'s: the empirical `1 − α` quantile of the past `ē_s` where the
//! history holds `K = ⌊D/(R + T)⌋ ≥ 7` disjoint stretches and `N ≥ 2/α` pairs, the
//! prediction bound of one more pair (on the cube-root scale) where `3 ≤ K < 7` (or where
//! short windows give seven stretches but fewer than `2/α` pairs: then with `K = 6`), and no
//! call below three stretches. `p = (1 + #{ē_s ≥ ē})/(N + 1)`.
//!
//! **Span and cost.** The pairs come from the last `8·(R + T)` pooled days at most (1,120
//! trading days, four and a half NEPSE years, for the default windows), so the history holds up
//! to eight stretches and its cost does not grow with the source. Each pair's fit comes from
//! running per-day sums ([`Moments`], `O(p²)` per day and step), and its score is one pass over
//! its `T` days' rows (`O(rows·p·k)`). Pairs slide [`STEP_DAYS`] days at a time: neighbours
//! one day apart share 19 of 20 scored days and 119 of 120 fitted ones, so sliding by one
//! would cost four times as much for pairs that are nearly copies, and the history already
//! counts only its disjoint stretches.

use super::history::{HISTORY_MIN_STRETCHES, HistoryNull};
use super::order::upper_finite_median;
use super::reconstruction::{Moments, Reconstruction};

/// Days between neighbouring past pairs.
pub const STEP_DAYS: usize = 4;

/// The most pooled days the history uses, in window pairs (`R + T` days each).
pub const SPAN_PAIRS: usize = 8;

/// Rows grouped by trading day: the columns (in fit order, missing NaN) and each row's day as
/// an index into the span's days in trading-day order.
#[derive(Debug, Clone, Copy)]
pub struct DayRows<'a> {
    /// The feature columns, all of one length.
    pub columns: &'a [&'a [f64]],
    /// The day of each row, `0..days`.
    pub day: &'a [u32],
    /// Days in the span.
    pub days: usize,
}

/// Counts the stretches `[start, end)` that share no day with an earlier counted one, greedily
/// in day order: the effectively independent stretches a history rests on (the multivariate
/// pairs', the correlation break's and data quality's windows alike).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Disjoint {
    /// Stretches counted.
    pub count: usize,
    free_from: usize,
}

impl Disjoint {
    /// Offers the stretch `[start, end)` (in day order).
    pub fn offer(&mut self, start: usize, end: usize) {
        if start >= self.free_from {
            self.count += 1;
            self.free_from = end;
        }
    }
}

/// The past pairs' mean errors, and the disjoint stretches they rest on.
#[derive(Debug, Clone, PartialEq)]
pub struct PastErrors {
    /// One mean error per past pair whose fit is defined, in day order.
    pub errors: Vec<f64>,
    /// `K`: the defined pairs that share no day (greedily, in day order): `⌊D/(R + T)⌋` when
    /// every pair is defined, fewer when some are not (a feature absent from early days).
    pub stretches: usize,
}

/// The shape of a comparison: `reference` days fitted, then `gap` days skipped, then `current`
/// days scored (`gap` is 0 for the default windows, and a step of `--every` after the first
/// lies the earlier steps after the reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shape {
    /// Days fitted.
    pub reference: usize,
    /// Days between the fitted and the scored ones.
    pub gap: usize,
    /// Days scored.
    pub current: usize,
}

/// The mean error of every past pair shaped as `shape` over the last [`SPAN_PAIRS`] pairs'
/// days of `rows`, sliding [`STEP_DAYS`] days; `None` when the days do not hold one pair.
#[must_use]
pub fn past_errors(rows: DayRows<'_>, shape: Shape) -> Option<PastErrors> {
    let Shape { reference: reference_days, gap, current: current_days } = shape;
    let pair = reference_days.checked_add(gap)?.checked_add(current_days)?;
    if reference_days == 0 || current_days == 0 || rows.days < pair {
        return None;
    }
    let first = rows.days.saturating_sub(SPAN_PAIRS * pair);
    let days = rows.days - first;
    let p = rows.columns.len();
    // The index into the span's days of a row's day; rows outside it are left out.
    let slot = |d: u32| (d as usize).checked_sub(first).filter(|d| *d < days);
    // Rows by day, counting sort.
    let mut starts = vec![0_usize; days + 1];
    for d in rows.day.iter().filter_map(|d| slot(*d)) {
        starts[d + 1] += 1;
    }
    for d in 0..days {
        starts[d + 1] += starts[d];
    }
    let mut next = starts.clone();
    let mut order = vec![0_usize; starts[days]];
    for (i, d) in rows.day.iter().enumerate() {
        if let Some(d) = slot(*d) {
            order[next[d]] = i;
            next[d] += 1;
        }
    }
    // The span's rows only, row-major in day order (each is scored by several pairs); their
    // medians shift the sums (a median, so that one bad print of 1e300 cannot push every
    // shifted value, and so every pair's sums, beyond what a float can square).
    let span: Vec<f64> = order.iter().flat_map(|i| rows.columns.iter().map(move |c| c[*i])).collect();
    let shift: Vec<f64> = (0..p).map(|j| upper_finite_median(span.iter().skip(j).step_by(p))).collect();
    let mut row = vec![0.0; p];
    let daily: Vec<Moments> = (0..days)
        .map(|d| {
            let mut m = Moments::new(p);
            for x in span[starts[d] * p..starts[d + 1] * p].chunks_exact(p) {
                for ((r, x), c) in row.iter_mut().zip(x).zip(&shift) {
                    *r = x - c;
                }
                m.add_row(&row);
            }
            m
        })
        .collect();
    // `s` is the end (exclusive) of the pair's scored days; its fit covers [s − P, s − P + R)
    // with `P = R + G + T`,
    // summed afresh from the days (`R·3p²` additions, nothing next to the scoring): sums that
    // slid by adding and subtracting would carry an extreme day's rounding for ever.
    let mut errors = Vec::new();
    // The pairs defined so far that share no day, and where the last of them ends.
    let mut disjoint = Disjoint::default();
    for s in (pair..=days).step_by(STEP_DAYS) {
        let mut fitted = Moments::new(p);
        for m in &daily[s - pair..s - pair + reference_days] {
            fitted.add(m);
        }
        let Ok(fit) = Reconstruction::from_moments(&fitted, &shift) else { continue };
        let mut scratch = fit.scratch();
        let (from, to) = (starts[s - current_days], starts[s]);
        if to == from {
            continue;
        }
        let total: f64 = span[from * p..to * p].chunks_exact(p).map(|x| fit.error(x, &mut scratch)).sum();
        let mean = total / (to - from) as f64;
        // A pair whose rows hold a value too large to scale says nothing about the others.
        if !mean.is_finite() {
            continue;
        }
        errors.push(mean);
        disjoint.offer(s - pair, s);
    }
    Some(PastErrors { errors, stretches: disjoint.count })
}

/// How the multivariate call was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Null {
    /// The empirical quantile of the past pairs (`K ≥ 7`, `N ≥ 2/α`).
    History,
    /// The prediction bound of one more pair (`3 ≤ K < 7`).
    ShortHistory,
}

/// The multivariate call on the current window's mean error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Call {
    /// The critical mean error.
    pub critical: f64,
    /// The p-value.
    pub p_value: f64,
    /// `error > critical`.
    pub detected: bool,
    /// Which null decided.
    pub null: Null,
}

/// The call on `error` at level `alpha` against the past pairs; `None` when the history is too
/// short to say anything (fewer than three stretches, or too few pairs).
#[must_use]
pub fn call(error: f64, past: &PastErrors, alpha: f64) -> Option<Call> {
    let history = HistoryNull::new(past.errors.clone(), past.stretches);
    let (null, (p_value, critical)) = if let Some(t) = history.test(error, alpha) {
        (Null::History, t)
    } else {
        // Seven stretches but fewer than 2/α pairs (short windows): no empirical quantile, so
        // the prediction bound, with the stretches it can count on capped where it applies.
        let mut bound = history;
        bound.effective_windows = past.stretches.min(HISTORY_MIN_STRETCHES - 1);
        (Null::ShortHistory, bound.short_bound(error, alpha)?)
    };
    Some(Call { critical, p_value, detected: error > critical, null })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    /// `days` days of `per_day` rows of three features: `a` and `b` correlated at `rho` (a day
    /// factor common to every row of a day in `a`), `c` independent.
    fn panel(days: usize, per_day: usize, rho: impl Fn(usize) -> f64, seed: u64) -> (Vec<Vec<f64>>, Vec<u32>) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let n = Normal::new(0.0, 1.0).unwrap();
        let mut cols = vec![Vec::new(), Vec::new(), Vec::new()];
        let mut day = Vec::new();
        for d in 0..days {
            let market = n.sample(&mut rng);
            let r = rho(d);
            for _ in 0..per_day {
                let a = 0.5 * market + n.sample(&mut rng);
                cols[0].push(a);
                cols[1].push(r * a + (1.0 - r * r).sqrt() * n.sample(&mut rng));
                cols[2].push(n.sample(&mut rng));
                day.push(d as u32);
            }
        }
        (cols, day)
    }

    fn shape(reference: usize, current: usize) -> Shape {
        Shape { reference, gap: 0, current }
    }

    /// The mean error over days `score` of a reconstruction fitted directly on days `fit`, for a
    /// panel of `per_day` rows a day in day order.
    fn direct(cols: &[Vec<f64>], per_day: usize, fit: std::ops::Range<usize>, score: std::ops::Range<usize>) -> f64 {
        let days = |r: &std::ops::Range<usize>| -> Vec<&[f64]> {
            cols.iter().map(|c| &c[r.start * per_day..r.end * per_day]).collect()
        };
        let e = Reconstruction::fit(&days(&fit)).unwrap().errors(&days(&score));
        e.iter().sum::<f64>() / e.len() as f64
    }

    fn rows<'a>(refs: &'a [&'a [f64]], day: &'a [u32], days: usize) -> DayRows<'a> {
        DayRows { columns: refs, day, days }
    }

    #[test]
    fn each_past_pair_is_the_fit_of_its_reference_scoring_its_window() {
        let (cols, day) = panel(60, 7, |_| 0.8, 1);
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let past = past_errors(rows(&refs, &day, 60), shape(20, 5)).unwrap();
        // Pairs end on days 25, 29, …, 57: 9 pairs; 60 / 25 = 2 stretches.
        assert_eq!((past.errors.len(), past.stretches), (9, 2));
        // The third pair, fitted directly on days 8..28 and scored on 28..33.
        let mean = direct(&cols, 7, 8..28, 28..33);
        assert!((past.errors[2] - mean).abs() < 1e-10, "{} vs {mean}", past.errors[2]);
        // Rows in any order give the same pairs.
        let mut shuffled: Vec<usize> = (0..day.len()).collect();
        shuffled.reverse();
        let cols2: Vec<Vec<f64>> = cols.iter().map(|c| shuffled.iter().map(|i| c[*i]).collect()).collect();
        let day2: Vec<u32> = shuffled.iter().map(|i| day[*i]).collect();
        let refs2: Vec<&[f64]> = cols2.iter().map(Vec::as_slice).collect();
        let again = past_errors(rows(&refs2, &day2, 60), shape(20, 5)).unwrap();
        for (x, y) in again.errors.iter().zip(&past.errors) {
            assert!((x - y).abs() < 1e-10);
        }
        // Too few days for one pair.
        assert_eq!(past_errors(rows(&refs, &day, 60), shape(50, 20)), None);
        // With a gap of 5 days: pairs end on 30, 34, …; the third is fitted on days 8..28 and
        // scores 33..38.
        let gapped = past_errors(rows(&refs, &day, 60), Shape { reference: 20, gap: 5, current: 5 }).unwrap();
        let mean = direct(&cols, 7, 8..28, 33..38);
        assert!((gapped.errors[2] - mean).abs() < 1e-10, "{} vs {mean}", gapped.errors[2]);
        assert_eq!((gapped.errors.len(), gapped.stretches), (8, 1));
    }

    #[test]
    fn the_last_pair_after_many_slides_is_still_its_direct_fit() {
        let (cols, day) = panel(300, 5, |_| 0.8, 4);
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let past = past_errors(rows(&refs, &day, 300), shape(40, 10)).unwrap();
        // Pairs end on 50, 54, …, 298: the last is fitted on 248..288 and scores 288..298.
        assert_eq!(past.errors.len(), 63);
        let mean = direct(&cols, 5, 248..288, 288..298);
        assert!((past.errors[62] - mean).abs() < 1e-10, "{} vs {mean}", past.errors[62]);
    }

    #[test]
    fn rows_outside_the_span_are_left_out_and_undefined_pairs_are_not_counted() {
        let (mut cols, mut day) = panel(200, 4, |_| 0.8, 5);
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let clean = past_errors(rows(&refs, &day, 200), shape(30, 10)).unwrap();
        assert_eq!(clean.stretches, 5);
        // A row whose day is outside the span (u32::MAX, or past the last day) changes nothing.
        for c in &mut cols {
            c.extend([1e6, 1e6]);
        }
        day.extend([u32::MAX, 200]);
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        assert_eq!(past_errors(rows(&refs, &day, 200), shape(30, 10)).unwrap(), clean);
        // One bad print of 1e300 on day 150: the pairs that fit or score it are undefined, the
        // others unchanged (the shift is the span's median, which it cannot move far).
        let mut printed = cols.clone();
        printed[0][150 * 4] = 1e300;
        let refs_printed: Vec<&[f64]> = printed.iter().map(Vec::as_slice).collect();
        let hit = past_errors(rows(&refs_printed, &day, 200), shape(30, 10)).unwrap();
        assert!(
            hit.errors.len() >= clean.errors.len() - 10 && hit.errors.len() < clean.errors.len(),
            "{}",
            hit.errors.len()
        );
        assert!(hit.errors.iter().all(|e| e.is_finite()));
        // Feature c missing over the first 100 days: the pairs fitted there are undefined, and
        // the stretches count only the defined pairs that share no day: the first is fitted on
        // days 72..102, then those starting on days 112 and 152 (3, not 5).
        for (c, d) in cols[2].iter_mut().zip(&day) {
            if *d < 100 {
                *c = f64::NAN;
            }
        }
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let gappy = past_errors(rows(&refs, &day, 200), shape(30, 10)).unwrap();
        assert_eq!(gappy.stretches, 3);
        assert!(gappy.errors.len() < clean.errors.len());
    }

    #[test]
    fn the_span_is_bounded_by_eight_pairs() {
        let (cols, day) = panel(400, 3, |_| 0.8, 2);
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let past = past_errors(rows(&refs, &day, 400), shape(30, 10)).unwrap();
        // 8 × 40 = 320 days: pairs end on 40, 44, …, 320 of them.
        assert_eq!((past.errors.len(), past.stretches), (71, 8));
    }

    #[test]
    fn a_correlation_break_is_called_and_a_quiet_window_is_not() {
        // 1,140 days (eight pairs before the current window). With the break, the last 20 days
        // decorrelate a and b (0.8 → 0), their marginals kept; without it, they do not.
        let (r, t) = (120, 20);
        let days = 8 * (r + t) + t;
        let judge = |rho_last: f64| {
            let (cols, day) = panel(days, 30, |d| if d >= days - t { rho_last } else { 0.8 }, 3);
            let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            let split = (days - t) * 30;
            let pooled: Vec<&[f64]> = refs.iter().map(|c| &c[..split]).collect();
            let past = past_errors(rows(&pooled, &day[..split], days - t), shape(r, t)).unwrap();
            assert_eq!(past.stretches, 8);
            let reference: Vec<&[f64]> = refs.iter().map(|c| &c[(days - t - r) * 30..split]).collect();
            let fit = Reconstruction::fit(&reference).unwrap();
            assert_eq!(fit.components(), 2);
            let current: Vec<&[f64]> = refs.iter().map(|c| &c[split..]).collect();
            let e = fit.errors(&current);
            (call(e.iter().sum::<f64>() / e.len() as f64, &past, 0.01).unwrap(), past)
        };
        let (broken, past) = judge(0.0);
        assert!(broken.detected && broken.null == Null::History && broken.p_value < 0.01, "{broken:?}");
        let (quiet, _) = judge(0.8);
        assert!(!quiet.detected && quiet.p_value > 0.01, "{quiet:?}");
        // A short history bounds instead; two stretches say nothing.
        let short = PastErrors { errors: past.errors[..30].to_vec(), stretches: 4 };
        assert_eq!(call(0.0, &short, 0.01).unwrap().null, Null::ShortHistory);
        assert_eq!(call(0.0, &PastErrors { errors: past.errors.clone(), stretches: 2 }, 0.01), None);
    }
}
