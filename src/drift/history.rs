//! The history null of the panel test: the empirical distribution of the PSIs of every past
//! pair of windows shaped like the comparison, over the same bins (see [`HistoryNull`]).
//! Pure: per-day counts in, PSIs and quantiles out.

use super::psi::psi_quantile;

/// The null distribution of the PSI estimated from the feature's own past: the empirical
/// distribution of the PSIs of every past pair of windows shaped like the comparison.
///
/// **Why empirical.** On a non-stationary market that distribution has no simple shape: quiet
/// stretches give a heap of small PSIs, regime changes (a bull run's turnover swell, a storm's
/// fat tails) a second heap far above it. Any two-parameter fit misses one way or the other: on
/// the cube-root scale (Wilson–Hilferty) a normal put the 99% point of a realistic panel's
/// turnover PSI at 5.2 where its history's own 99th percentile is 0.72 (deaf), and that of its
/// 20-day volatility at 1.8 where the history's is 4.1 (false alarms). The empirical quantile
/// answers with the market's own shape.
///
/// **Critical value and p-value.** With the `N` past pairs' PSIs sorted,
/// `critical = Q_{1−α}` (linear interpolation between order statistics, numpy's default) and
/// `p = (1 + #{past PSI ≥ psi}) / (N + 1)`.
///
/// **Outliers.** A past crash, closure or bad print enters only through the pairs that hold
/// it, and each pair counts once: the critical value can move only if such pairs are more than
/// α of all pairs, and never beyond the PSIs the market actually showed. A mean and a variance
/// (the null this replaces) let one extreme stretch widen the null without bound.
///
/// **How much it rests on.** Pairs that slide one day at a time share almost every day, so the
/// `N` pairs are worth only the disjoint stretches the history holds, `K = ⌊D / (R + T)⌋`
/// whole window pairs that share no day ([`Self::effective_windows`], reported as
/// `history_stretches`). The small-sample rule: the history decides only with
/// `K ≥` [`HISTORY_MIN_STRETCHES`] and `N ≥ 2/α` (at least two pairs beyond the quantile);
/// otherwise the dependence model decides. (Overlapping neighbours, those two pairs may be one
/// event: the rule keeps the quantile inside the data, `K` says how much it rests on.)
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryNull {
    /// The past pairs' PSIs, sorted.
    sorted: Vec<f64>,
    /// `K`: the disjoint window pairs the history holds, the independent stretches it rests on.
    pub effective_windows: usize,
}

/// The fewest disjoint window pairs ([`HistoryNull::effective_windows`]) the history needs
/// before it decides `drifted`: four years of history for the default 140-day pair.
pub const HISTORY_MIN_STRETCHES: usize = 7;

impl HistoryNull {
    /// A history of past pairs' PSIs and the independent stretches they rest on.
    #[must_use]
    pub fn new(mut psis: Vec<f64>, effective_windows: usize) -> Self {
        psis.sort_by(f64::total_cmp);
        Self { sorted: psis, effective_windows }
    }

    /// Past window pairs.
    #[must_use]
    pub fn windows(&self) -> usize {
        self.sorted.len()
    }

    /// The median past PSI.
    #[must_use]
    pub fn median(&self) -> Option<f64> {
        (!self.sorted.is_empty()).then(|| quantile_sorted(&self.sorted, 0.5))
    }

    /// The history's p-value of `psi` and critical PSI at `alpha`; `None` when the small-sample
    /// rule leaves the decision to the model (see the type's docs).
    pub(crate) fn test(&self, psi: f64, alpha: f64) -> Option<(f64, f64)> {
        let n = self.sorted.len();
        if self.effective_windows < HISTORY_MIN_STRETCHES || (n as f64) < 2.0 / alpha {
            return None;
        }
        let at_least = n - self.sorted.partition_point(|p| *p < psi);
        let p = (1 + at_least) as f64 / (n + 1) as f64;
        Some((p, quantile_sorted(&self.sorted, 1.0 - alpha)))
    }
}

/// The `q`-quantile of sorted values, by linear interpolation between order statistics
/// (numpy's default, `method="linear"`).
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The history null ([`HistoryNull`]): the PSI of every past pair of windows shaped like the
/// comparison (`current_days` days against the `reference_days` days just before them),
/// sliding one day at a time over the pooled per-day counts (in day order, all over the same
/// bins), with the quantile mode's ε rule. Each pair's counts come from running sums, so the
/// cost is `O(D·B)` whatever the windows' length. `None` when the days do not hold a single
/// pair.
#[must_use]
pub fn history_null(
    daily: &[Vec<u64>],
    reference_days: usize,
    current_days: usize,
    epsilon: f64,
) -> Option<HistoryNull> {
    let psis = pair_psis(daily, reference_days, current_days, epsilon)?;
    Some(HistoryNull::new(psis, stretches(daily.len(), reference_days, current_days)))
}

/// `K = ⌊D / (R + T)⌋`: the disjoint window pairs `days` days hold.
#[must_use]
pub fn stretches(days: usize, reference_days: usize, current_days: usize) -> usize {
    days / (reference_days + current_days).max(1)
}

/// The PSI of every past window pair, in day order: the `i`-th pair's current window starts on
/// the `reference_days + i`-th day (see [`history_null`]).
#[must_use]
pub fn pair_psis(daily: &[Vec<u64>], reference_days: usize, current_days: usize, epsilon: f64) -> Option<Vec<f64>> {
    let days = daily.len();
    let span = reference_days.checked_add(current_days)?;
    if current_days == 0 || reference_days == 0 || days < span {
        return None;
    }
    let bins = daily[0].len();
    let mut prefix = vec![0_u64; (days + 1) * bins];
    for (d, row) in daily.iter().enumerate() {
        for b in 0..bins {
            prefix[(d + 1) * bins + b] = prefix[d * bins + b] + row[b];
        }
    }
    let sum = |from: usize, to: usize| -> Vec<u64> {
        (0..bins).map(|b| prefix[to * bins + b] - prefix[from * bins + b]).collect()
    };
    Some(
        (reference_days..=days - current_days)
            .map(|s| psi_quantile(&sum(s - reference_days, s), &sum(s, s + current_days), epsilon).psi.get())
            .collect(),
    )
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::test_support::leaning_days;

    #[test]
    fn history_null_slides_over_the_days() {
        // Identical days: every past PSI is 0, 29 pairs, 3 disjoint stretches of 12 days.
        let daily = vec![vec![5_u64, 5]; 40];
        let h = history_null(&daily, 10, 2, 1e-4).unwrap();
        assert_eq!((h.windows(), h.effective_windows, h.median()), (29, 3, Some(0.0)));
        // Fewer days than one pair.
        assert_eq!(history_null(&daily[..11], 10, 2, 1e-4), None);
        // The pairs' PSIs by running sums equal the direct ones.
        let daily = leaning_days(60, 3);
        let psis = pair_psis(&daily, 20, 5, 1e-4).unwrap();
        assert_eq!(psis.len(), 36);
        let sum = |from: usize, to: usize| -> Vec<u64> {
            (0..10).map(|b| daily[from..to].iter().map(|d| d[b]).sum()).collect()
        };
        for (i, p) in psis.iter().enumerate() {
            let s = i + 20;
            assert_eq!(*p, psi_quantile(&sum(s - 20, s), &sum(s, s + 5), 1e-4).psi.get());
        }
    }

    #[test]
    fn an_outlying_stretch_moves_the_history_by_its_share_not_its_size() {
        // 2,000 past pairs; a crash makes 15 of them (0.75%, under α) enormous.
        let clean: Vec<f64> = (0..2000).map(|i| f64::from(i % 100) / 100.0).collect();
        let mut hit = clean.clone();
        for p in hit.iter_mut().step_by(133).take(15) {
            *p = 1e6;
        }
        let (a, b) = (HistoryNull::new(clean, 14), HistoryNull::new(hit, 14));
        let (ca, cb) = (a.test(0.0, 0.01).unwrap().1, b.test(0.0, 0.01).unwrap().1);
        assert!(cb < 1.0 && (cb - ca).abs() < 0.02, "clean {ca}, with the crash {cb}");
        // The mean-and-variance null this replaces, from the same pairs: blown up.
        let sd = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
        };
        assert!(sd(&b.sorted) > 1000.0 * sd(&a.sorted));
    }
}
