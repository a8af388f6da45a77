//! The within-day view of a numeric feature: each value centred on its trading day's median.
//! Pure: values by day in, the centred view's per-day counts and PSIs out. It enters `drifted`
//! through the joint history test ([`super::history::joint_test`]).
//!
//! **Why.** A market-wide move shifts every symbol's value on the same day: a bull run's
//! turnover swell lifts every `volume_ratio_20d` together, a down day every `ret_1d`. The
//! history null holds many such moves, so its 99th percentile is wide, and a change in how the
//! symbols differ from each other *within* a day (a ×2 variance of `volume_ratio_20d` in log
//! space, PSI 0.11–0.71 over 40 realistic panels) mostly hides under it: on three of those
//! panels the history's 99th percentile of that PSI is 0.39–0.45. Centred on each day's
//! median, the market-wide moves are gone and the same history's 99th percentile is 0.02–0.04,
//! while the injected change is still 0.10–0.16.
//!
//! **The centred value.** Each finite value minus its day's median, on the feature's scale
//! ([`Scale::of_reference`]): the log for a positive feature (ratios, volatilities, prices,
//! turnover: their market-wide moves multiply), the value itself otherwise (returns, whose
//! market moves add). On the log scale a value ≤ 0 (a bad print, a loss-making company's P/E)
//! becomes −∞: below every other value, in the lowest bin, and out of its day's median. The
//! median is that of the day's finite values, numpy's (the mean of the two middle values for an
//! even count, [`finite_median`]), so that a bad print moves its day's centre by nothing. A day with fewer
//! than [`MIN_DAY_ROWS`] finite values carries no within-day spread and is left out. The
//! centred values are binned on the quantiles of the reference window's (as many bins as the
//! feature's own, deciles by default) and compared by the same quantile-mode PSI; the past
//! pairs slide over the same pooled days as the level view's history.

use std::collections::BTreeMap;

use super::binning::BinEdges;
use super::history::pair_psis;
use super::order::finite_median;
use super::psi::psi_quantile;
pub use crate::result::CentreScale as Scale;

/// The fewest finite values a day needs to carry within-day spread.
pub const MIN_DAY_ROWS: usize = 2;

/// The largest share of the reference window's finite values that may be ≤ 0 on the log
/// scale: bad prints, or a bad feed day or so of zeros (under 1% of a 120-day window), must not
/// switch a positive feature to the plain scale, where its market-wide swells are back. A
/// signed feature (returns: about half ≤ 0) is far beyond it.
pub const LOG_SCALE_NON_POSITIVE_SHARE: f64 = 0.01;

impl Scale {
    /// `Log` when at most [`LOG_SCALE_NON_POSITIVE_SHARE`] of the finite values of `reference`
    /// are ≤ 0 (and one is positive), else `Level`.
    #[must_use]
    pub fn of_reference<'a>(reference: impl IntoIterator<Item = &'a f64>) -> Self {
        let (mut finite, mut non_positive) = (0_usize, 0_usize);
        for x in reference.into_iter().filter(|x| x.is_finite()) {
            finite += 1;
            non_positive += usize::from(*x <= 0.0);
        }
        if finite > non_positive && non_positive as f64 <= LOG_SCALE_NON_POSITIVE_SHARE * finite as f64 {
            Self::Log
        } else {
            Self::Level
        }
    }

    /// The value on this scale: on the log scale, −∞ for a value ≤ 0.
    fn apply(self, x: f64) -> f64 {
        match self {
            Self::Log if x <= 0.0 => f64::NEG_INFINITY,
            Self::Log => x.ln(),
            Self::Level => x,
        }
    }
}

/// A feature's finite values by trading day (days since 1970-01-01).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ByDay(BTreeMap<i32, Vec<f64>>);

impl ByDay {
    /// Adds a chunk of values and their days; missing (NaN) and infinite values are left out.
    pub fn add(&mut self, values: &[f64], days: &[i32]) {
        for (x, d) in values.iter().zip(days) {
            if x.is_finite() {
                self.0.entry(*d).or_default().push(*x);
            }
        }
    }

    /// Each day's values on `scale`, centred on the median of its finite ones; days with fewer
    /// than [`MIN_DAY_ROWS`] finite values on the scale dropped.
    fn centred(mut self, scale: Scale) -> BTreeMap<i32, Vec<f64>> {
        for values in self.0.values_mut() {
            for x in values.iter_mut() {
                *x = scale.apply(*x);
            }
        }
        self.0.retain(|_, v| v.iter().filter(|x| x.is_finite()).count() >= MIN_DAY_ROWS);
        for values in self.0.values_mut() {
            let centre = finite_median(values.iter());
            for x in values.iter_mut() {
                *x -= centre;
            }
        }
        self.0
    }
}

/// The within-day view's reference side, fitted once per run from the pooled days (history
/// and reference): the scale, the bins, and the per-day counts over them.
#[derive(Debug, Clone, PartialEq)]
pub struct CentredPool {
    /// The scale the values are centred on.
    pub scale: Scale,
    edges: BinEdges,
    /// Counts per pooled day, in the order of the days it was fitted on.
    daily: Vec<Vec<u64>>,
    /// Counts over the reference window.
    reference: Vec<u64>,
}

impl CentredPool {
    /// Fits the view on `pool` over `days` (the level view's pooled days, in order: the
    /// within-day history slides over exactly these, a day without values counting none), the
    /// last `reference_days` of them the reference window, with `bins` quantile bins. `None`
    /// when the reference window holds no day of at least [`MIN_DAY_ROWS`] values.
    #[must_use]
    pub fn fit(pool: ByDay, days: &[i32], reference_days: usize, bins: usize) -> Option<Self> {
        let first = *days.get(days.len().checked_sub(reference_days)?)?;
        let scale = Scale::of_reference(pool.0.range(first..).flat_map(|(_, v)| v));
        let pool = pool.centred(scale);
        let reference: Vec<f64> = pool.range(first..).flat_map(|(_, v)| v.iter().copied()).collect();
        let edges = BinEdges::quantiles(&reference, bins).ok()?;
        let mut out = Self { scale, edges, daily: Vec::with_capacity(days.len()), reference: Vec::new() };
        out.reference = out.count(&reference);
        out.daily = days.iter().map(|d| out.count(pool.get(d).map_or(&[], Vec::as_slice))).collect();
        Some(out)
    }

    fn count(&self, values: &[f64]) -> Vec<u64> {
        let mut counts = vec![0_u64; self.edges.value_bins() + 1];
        self.edges.count_into(&mut counts, values);
        counts
    }

    /// The current window's within-day PSI against the reference, and the PSI of every past
    /// pair of `reference_days` against `current_days` days over the pooled days, in day
    /// order. `None` when the current window holds no day of at least [`MIN_DAY_ROWS`]
    /// values, or the pooled days hold no pair.
    #[must_use]
    pub fn compare(
        &self,
        current: ByDay,
        reference_days: usize,
        current_days: usize,
        epsilon: f64,
    ) -> Option<WithinDay> {
        let current: Vec<f64> = current.centred(self.scale).into_values().flatten().collect();
        if current.is_empty() {
            return None;
        }
        let pairs = pair_psis(&self.daily, reference_days, current_days, epsilon)?;
        let psi = psi_quantile(&self.reference, &self.count(&current), epsilon).psi.get();
        Some(WithinDay { scale: self.scale, psi, pairs })
    }
}

/// The within-day comparison of one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct WithinDay {
    /// The scale the values were centred on.
    pub scale: Scale,
    /// The PSI of the current window's centred values against the reference window's.
    pub psi: f64,
    /// The PSI of every past window pair over the level view's pooled days, in day order.
    pub pairs: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_day(rows: &[(i32, f64)]) -> ByDay {
        let mut d = ByDay::default();
        let (days, values): (Vec<i32>, Vec<f64>) = rows.iter().copied().unzip();
        d.add(&values, &days);
        d
    }

    fn sorted(v: &[f64]) -> Vec<f64> {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn each_day_is_centred_on_its_median_on_the_feature_scale() {
        // Day 1: 1, 2, 4 (median 2); day 2: 10, 20, 40, 80 (median 30); day 3: one value.
        let d = by_day(&[(1, 1.0), (1, 4.0), (1, 2.0), (2, 80.0), (2, 10.0), (2, 40.0), (2, 20.0), (3, 5.0)]);
        let level = d.clone().centred(Scale::Level);
        assert_eq!(level.keys().copied().collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(sorted(&level[&1]), vec![-1.0, 0.0, 2.0]);
        assert_eq!(sorted(&level[&2]), vec![-20.0, -10.0, 10.0, 50.0]);
        // In logs: every value ×2 gives the same centred values (a market-wide multiplicative
        // move is gone).
        let log = d.centred(Scale::Log);
        assert!((sorted(&log[&1])[2] - 2.0_f64.ln()).abs() < 1e-12);
        // Day 2's median in logs is (ln 20 + ln 40)/2 = ln √800.
        assert!((sorted(&log[&2])[0] - (10.0 / 800.0_f64.sqrt()).ln()).abs() < 1e-12);
        let doubled = by_day(&[(2, 160.0), (2, 20.0), (2, 80.0), (2, 40.0)]).centred(Scale::Log);
        for (a, b) in sorted(&log[&2]).iter().zip(&sorted(&doubled[&2])) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn on_the_log_scale_a_value_at_most_zero_is_below_everything_and_moves_no_centre() {
        // Day 1: 0, −5, 1, 2, 4: the finite logs 0, ln 2, ln 4 have median ln 2.
        let log = by_day(&[(1, 0.0), (1, -5.0), (1, 1.0), (1, 2.0), (1, 4.0)]).centred(Scale::Log);
        let day = sorted(&log[&1]);
        assert_eq!(&day[..2], &[f64::NEG_INFINITY, f64::NEG_INFINITY]);
        assert!((day[2] + 2.0_f64.ln()).abs() < 1e-12 && day[3] == 0.0);
        assert!(day.iter().all(|x| !x.is_nan()));
        // A day with fewer than two positive values carries no spread on the log scale.
        assert!(by_day(&[(1, 0.0), (1, -1.0), (1, 3.0)]).centred(Scale::Log).is_empty());
    }

    #[test]
    fn the_scale_is_the_log_when_the_reference_is_positive_but_for_a_bad_print_or_two() {
        assert_eq!(Scale::of_reference(&[0.5, 2.0, f64::NAN]), Scale::Log);
        assert_eq!(Scale::of_reference(&[0.5, 0.0]), Scale::Level);
        assert_eq!(Scale::of_reference(&[-0.01, 2.0]), Scale::Level);
        assert_eq!(Scale::of_reference(&[f64::NAN]), Scale::Level);
        assert_eq!(Scale::of_reference(&[0.0, 0.0]), Scale::Level);
        // Ten values ≤ 0 in 1,000 (1%) keep the log; eleven do not.
        let mut values = vec![1.5; 1000];
        values[..9].fill(0.0);
        values[9] = -2.0;
        assert_eq!(Scale::of_reference(&values), Scale::Log);
        values[10] = 0.0;
        assert_eq!(Scale::of_reference(&values), Scale::Level);
        // Missing and infinite values are left out of the days.
        let d = by_day(&[(1, f64::NAN), (1, f64::INFINITY), (1, 3.0)]);
        assert_eq!(d.0[&1], vec![3.0]);
    }

    /// Four symbols a day: day `d`'s values are `shift(d) + spread(d)·(−3, −1, 1, 3)`.
    fn market(days: std::ops::Range<i32>, shift: impl Fn(i32) -> f64, spread: impl Fn(i32) -> f64) -> ByDay {
        let rows: Vec<(i32, f64)> =
            days.flat_map(|d| [-3.0, -1.0, 1.0, 3.0].map(|u| (d, shift(d) + spread(d) * u))).collect();
        by_day(&rows)
    }

    #[test]
    fn a_market_wide_move_leaves_the_within_day_view_flat_and_a_wider_spread_does_not() {
        let days: Vec<i32> = (0..40).collect();
        // Each day's level swings, its spread never: every within-day PSI is 0.
        let swing = |d: i32| f64::from(d % 7) * 10.0 - 100.0;
        let pool = CentredPool::fit(market(0..40, swing, |_| 1.0), &days, 10, 4).unwrap();
        assert_eq!(pool.scale, Scale::Level);
        let w = pool.compare(market(40..45, |_| 100.0, |_| 1.0), 10, 5, 1e-4).unwrap();
        assert_eq!(w.psi, 0.0);
        assert_eq!(w.pairs.len(), 40 - 15 + 1);
        assert!(w.pairs.iter().all(|p| *p == 0.0));
        // The current spread ×4: the outer two symbols leave the reference's middle bins.
        // Each reference day's centred values are −3, −1, 1, 3 (quartile edges −1.5, 0, 1.5);
        // the current day's are −12, −4, 4, 12: bins 0, 0, 3, 3.
        // PSI = 2·(0.5 − 0.25)·ln 2 + 2·(ε − 0.25)·ln(ε/0.25).
        let wide = pool.compare(market(40..45, |_| 0.0, |_| 4.0), 10, 5, 1e-4).unwrap();
        let eps = 1e-4_f64;
        let expected = 2.0 * 0.25 * 2.0_f64.ln() + 2.0 * (eps - 0.25) * (eps / 0.25).ln();
        assert!((wide.psi - expected).abs() < 1e-9, "{} vs {expected}", wide.psi);
        // No current day with two values: nothing to compare.
        assert_eq!(pool.compare(by_day(&[(41, 1.0)]), 10, 5, 1e-4), None);
        // A day without values (a holiday in the feature's feed) counts none, and the history
        // keeps its length: its pairs stay aligned with the level view's.
        let mut gappy = market(0..40, swing, |_| 1.0);
        gappy.0.remove(&20);
        let gappy = CentredPool::fit(gappy, &days, 10, 4).unwrap();
        assert_eq!(gappy.daily[20].iter().sum::<u64>(), 0);
        assert_eq!(gappy.compare(market(40..45, |_| 0.0, |_| 1.0), 10, 5, 1e-4).unwrap().pairs.len(), 26);
    }
}
