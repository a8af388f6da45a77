//! How much information a window of a NEPSE panel really holds: the design effect of its bin
//! proportions under the panel's dependence, and the effective sample size that follows.
//!
//! Rows of one trading day share the market, and rolling-window features carry over from day to
//! day, so `n` rows are worth fewer than `n` independent ones. Trading days are the clusters
//! (Kish 1965): a feature constant within a day has one value per day, however many symbols.
//! Serial dependence across days is handled with the long-run variance of the per-day
//! proportions (Newey–West 1987, Bartlett kernel).
//!
//! **Estimate.** From the per-day bin counts `c[d][b]` (`n[d]` rows) of the pooled days `P` (the
//! history before the reference window and the reference window itself, in trading-day order):
//!
//! ```text
//! π[b]     = Σ_d c[d][b] / Σ_d n[d]                       pooled proportion
//! e[d][b]  = c[d][b] / n[d] − π[b]                         per-day residual
//! γ[b](k)  = (1/D) · Σ_{t=0}^{D−1−k} e[t][b] · e[t+k][b]   autocovariance at lag k, D = |P|
//! ```
//!
//! **Window of T days and N rows** (`n̄ = N/T`). The variance of a T-day mean of a stationary
//! series is `(1/T) Σ_{|k|<T} (1 − |k|/T) γ(k)`: exactly a Bartlett kernel with bandwidth T.
//! The sum is truncated at `L = min(T − 1, ⌊D/4⌋)` lags, because longer lags are not estimable
//! from D days (the bandwidth rule):
//!
//! ```text
//! LRV[b](T) = γ[b](0) + 2 Σ_{k=1}^{L} (1 − k/T) γ[b](k)
//! d[b]      = Var(p̂[b]) / Var_iid(p̂[b]) = n̄ · LRV[b](T) / (π[b](1 − π[b]))
//! δ         = Σ_b (1 − π[b]) d[b] / (B − 1)                 Rao–Scott first-order design effect
//! N_eff     = N / δ                                          Kish effective sample size
//! ```
//!
//! over the `B` bins with `π[b] > 0`. `δ` is floored at 1 (the panel is never credited with
//! more information than independent rows: the iid test is the lower bound) and capped at `N`
//! (at least one effective row).
//!
//! Under no drift the current window is the same process as the days before it, so its design
//! effect is computed from this same estimate with its own T and N: it is never estimated from
//! its own (few) days. The covariance between the adjacent reference and current windows is
//! ignored, which overstates the variance of their difference for persistent features: the
//! conservative side.

/// The fewest pooled days the dependence is estimated from. Below it the significance is
/// undefined ("too little history to judge").
pub const MIN_DAYS: usize = 10;

/// The dependence of one feature's bin proportions, estimated on the pooled days.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependence {
    /// Pooled proportion per bin.
    pi: Vec<f64>,
    /// `gamma[k][b]`, lags `0..=max_lag`.
    gamma: Vec<Vec<f64>>,
    /// Pooled days.
    days: usize,
}

impl Dependence {
    /// Estimates the dependence from per-day bin counts in trading-day order (each the same
    /// width). `None` with fewer than [`MIN_DAYS`] days holding rows.
    #[must_use]
    pub fn estimate(daily: &[Vec<u64>]) -> Option<Self> {
        let daily: Vec<&Vec<u64>> = daily.iter().filter(|c| c.iter().sum::<u64>() > 0).collect();
        let days = daily.len();
        if days < MIN_DAYS {
            return None;
        }
        let bins = daily[0].len();
        let total: u64 = daily.iter().map(|c| c.iter().sum::<u64>()).sum();
        let mut pi = vec![0.0; bins];
        for c in &daily {
            for (p, x) in pi.iter_mut().zip(c.iter()) {
                *p += *x as f64;
            }
        }
        pi.iter_mut().for_each(|p| *p /= total as f64);
        let e: Vec<Vec<f64>> = daily
            .iter()
            .map(|c| {
                let n = c.iter().sum::<u64>() as f64;
                c.iter().zip(&pi).map(|(x, p)| *x as f64 / n - p).collect()
            })
            .collect();
        let max_lag = days / 4;
        let gamma = (0..=max_lag)
            .map(|k| {
                let mut g = vec![0.0; bins];
                for t in 0..days - k {
                    for (b, gb) in g.iter_mut().enumerate() {
                        *gb += e[t][b] * e[t + k][b];
                    }
                }
                g.iter_mut().for_each(|x| *x /= days as f64);
                g
            })
            .collect();
        Some(Self { pi, gamma, days })
    }

    /// Pooled days the estimate rests on.
    #[must_use]
    pub fn days(&self) -> usize {
        self.days
    }

    /// The pooled proportions.
    #[must_use]
    pub fn proportions(&self) -> &[f64] {
        &self.pi
    }

    /// The Rao–Scott design effect `δ` of a window of `days` consecutive trading days holding
    /// `rows` rows (see the module docs), in `[1, rows]`.
    #[must_use]
    pub fn design_effect(&self, days: usize, rows: u64) -> f64 {
        if days == 0 || rows == 0 {
            return 1.0;
        }
        let lag = (days - 1).min(self.gamma.len() - 1);
        let per_day = rows as f64 / days as f64;
        let (mut num, mut den) = (0.0, 0.0);
        for (b, &p) in self.pi.iter().enumerate() {
            if p <= 0.0 || p >= 1.0 {
                continue;
            }
            let lrv = self.gamma[0][b]
                + 2.0 * (1..=lag).map(|k| (1.0 - k as f64 / days as f64) * self.gamma[k][b]).sum::<f64>();
            let d = per_day * lrv / (p * (1.0 - p));
            num += (1.0 - p) * d;
            den += 1.0 - p;
        }
        if den <= 0.0 {
            return 1.0;
        }
        (num / den).clamp(1.0, rows as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// `days` days of `per_day` rows in `bins` equiprobable bins, iid across rows.
    fn iid(days: usize, per_day: usize, bins: usize, seed: u64) -> Vec<Vec<u64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..days)
            .map(|_| {
                let mut c = vec![0; bins];
                for _ in 0..per_day {
                    c[rng.random_range(0..bins)] += 1;
                }
                c
            })
            .collect()
    }

    #[test]
    fn independent_rows_have_a_design_effect_near_one() {
        let d = Dependence::estimate(&iid(400, 100, 10, 7)).unwrap();
        let deff = d.design_effect(20, 2000);
        assert!((1.0..1.3).contains(&deff), "{deff}");
    }

    #[test]
    fn a_day_constant_feature_is_worth_one_row_per_day() {
        // Every row of a day in the same bin: the cluster size is the design effect.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let daily: Vec<Vec<u64>> = (0..400)
            .map(|_| {
                let mut c = vec![0; 10];
                c[rng.random_range(0..10)] = 100;
                c
            })
            .collect();
        let d = Dependence::estimate(&daily).unwrap();
        let deff = d.design_effect(20, 2000);
        assert!((deff - 100.0).abs() < 15.0, "{deff}");
    }

    #[test]
    fn serial_dependence_raises_the_design_effect_with_the_window() {
        // A feature that keeps its bin for 10 days at a time: a 20-day window holds about two
        // independent draws, not twenty.
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut bin = 0;
        let daily: Vec<Vec<u64>> = (0..2000)
            .map(|t| {
                if t % 10 == 0 {
                    bin = rng.random_range(0..10);
                }
                let mut c = vec![0; 10];
                c[bin] = 50;
                c
            })
            .collect();
        let d = Dependence::estimate(&daily).unwrap();
        let one = d.design_effect(1, 50);
        let twenty = d.design_effect(20, 1000);
        assert!((one - 50.0).abs() < 8.0, "{one}");
        // Var of a 20-day mean ≈ var·(1/20)·Σ(1−|k|/20)ρ(k) with ρ(k) = 1 − k/10 on |k| < 10.
        let expected =
            50.0 * (1.0 + 2.0 * (1..10).map(|k| (1.0 - k as f64 / 20.0) * (1.0 - k as f64 / 10.0)).sum::<f64>());
        assert!((twenty / expected - 1.0).abs() < 0.2, "{twenty} vs {expected}");
    }

    #[test]
    fn too_few_days_leave_it_undefined() {
        assert!(Dependence::estimate(&iid(MIN_DAYS - 1, 10, 4, 1)).is_none());
        assert!(Dependence::estimate(&iid(MIN_DAYS, 10, 4, 1)).is_some());
    }
}
