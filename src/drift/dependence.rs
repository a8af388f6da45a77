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
//! over the `B` bins with `π[b] > 0` (`d[b]` from the diagonal of the window's covariance
//! `V = (1/T)·[Γ(0) + Σ_{k=1}^{L} (1 − k/T)(Γ(k) + Γ(k)ᵀ)]`, where `Γ(k)` is the `B×B`
//! cross-autocovariance of the residual vectors). `δ` is floored at 1 (the panel is never credited with
//! more information than independent rows: the iid test is the lower bound) and capped at `N`
//! (at least one effective row).
//!
//! Under no drift the current window is the same process as the days before it, so its design
//! effect is computed from this same estimate with its own T and N: it is never estimated from
//! its own (few) days. The covariance between the adjacent reference and current windows is
//! ignored, which overstates the variance of their difference for persistent features: the
//! conservative side.
//!
//! **Second order.** The first-order `δ` is a mean over bins; when the bins' design effects
//! differ (a market storm fills both tails of a return at once) the PSI's null has a heavier
//! tail than `δ·χ²(B−1)`. [`Dependence::psi_moments`] gives its mean and variance from the full
//! covariance (Rao–Scott's second-order, Satterthwaite, correction), which the test uses.

/// The fewest pooled days the dependence is estimated from. Below it the significance is
/// undefined ("too little history to judge").
pub const MIN_DAYS: usize = 10;

/// The dependence of one feature's bin proportions, estimated on the pooled days.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependence {
    /// Pooled proportion per bin.
    pi: Vec<f64>,
    /// Bins.
    bins: usize,
    /// `lags[k]`: the `B×B` cross-autocovariance at lag `k`, row-major, symmetrised
    /// (`Γ(0)`, then `Γ(k) + Γ(k)ᵀ` for `k ≥ 1`).
    lags: Vec<Vec<f64>>,
    /// Pooled days.
    days: usize,
}

impl Dependence {
    /// Estimates the dependence from per-day bin counts in trading-day order (each the same
    /// width), with lags up to `max_lag` (further capped at `⌊D/4⌋`). `None` with fewer than
    /// [`MIN_DAYS`] days holding rows.
    #[must_use]
    pub fn estimate(daily: &[Vec<u64>], max_lag: usize) -> Option<Self> {
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
        for p in &mut pi {
            *p /= total as f64;
        }
        let e: Vec<Vec<f64>> = daily
            .iter()
            .map(|c| {
                let n = c.iter().sum::<u64>() as f64;
                c.iter().zip(&pi).map(|(x, p)| *x as f64 / n - p).collect()
            })
            .collect();
        let max_lag = max_lag.min(days / 4);
        let lags = (0..=max_lag)
            .map(|k| {
                let mut g = vec![0.0; bins * bins];
                for t in 0..days - k {
                    let (a, b) = (&e[t], &e[t + k]);
                    for (i, ai) in a.iter().enumerate() {
                        let row = &mut g[i * bins..(i + 1) * bins];
                        for (gij, bj) in row.iter_mut().zip(b) {
                            *gij += ai * bj;
                        }
                    }
                }
                let mut s = vec![0.0; bins * bins];
                for i in 0..bins {
                    for j in 0..bins {
                        let v = if k == 0 { g[i * bins + j] } else { g[i * bins + j] + g[j * bins + i] };
                        s[i * bins + j] = v / days as f64;
                    }
                }
                s
            })
            .collect();
        Some(Self { pi, bins, lags, days })
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

    /// The feature's memory in trading days: the longest integrated autocorrelation time of
    /// its bins' per-day proportions, `τ_b = 1 + 2 Σ_{k=1}^{M} ρ_b(k)`, with Sokal's automatic
    /// window (the smallest `M` with `M ≥ 5·τ_b(M)`, within the lags estimated), at least 1.
    /// About 1 for a bin that forgets overnight, about the window for a rolling feature, longer
    /// where a market regime fills a bin (the tails of a return or a volatility).
    #[must_use]
    pub fn memory_days(&self) -> f64 {
        let b = self.bins;
        let l = self.lags.len() - 1;
        (0..b)
            .filter(|&i| self.lags[0][i * b + i] > 0.0)
            .map(|i| {
                let zero = self.lags[0][i * b + i];
                let mut tau = 1.0;
                for m in 1..=l {
                    // lags[k] holds Γ(k) + Γ(k)ᵀ: its diagonal is 2γ(k).
                    tau += self.lags[m][i * b + i] / zero;
                    if m as f64 >= 5.0 * tau {
                        break;
                    }
                }
                tau
            })
            .fold(1.0, f64::max)
    }

    /// The lags a window of `days` days sums: `min(T − 1, lags estimated)`.
    #[must_use]
    pub fn lags_for(&self, days: usize) -> usize {
        days.saturating_sub(1).min(self.lags.len() - 1)
    }

    /// The `B×B` covariance (row-major) of the bin proportions of a window of `days`
    /// consecutive trading days: `(1/T)·[Γ(0) + Σ_{k=1}^{L} (1 − k/T)(Γ(k) + Γ(k)ᵀ)]`.
    #[must_use]
    pub fn window_covariance(&self, days: usize) -> Vec<f64> {
        let t = days.max(1);
        let lag = (t - 1).min(self.lags.len() - 1);
        let mut v = self.lags[0].clone();
        for k in 1..=lag {
            let w = 1.0 - k as f64 / t as f64;
            for (x, s) in v.iter_mut().zip(&self.lags[k]) {
                *x += w * s;
            }
        }
        for x in &mut v {
            *x /= t as f64;
        }
        v
    }

    /// The Rao–Scott design effect `δ` of a window of `days` consecutive trading days holding
    /// `rows` rows (see the module docs), in `[1, rows]`.
    #[must_use]
    pub fn design_effect(&self, days: usize, rows: u64) -> f64 {
        if days == 0 || rows == 0 {
            return 1.0;
        }
        self.design_effect_of(&self.window_covariance(days), rows)
    }

    /// [`Self::design_effect`] from a window's covariance already computed.
    fn design_effect_of(&self, v: &[f64], rows: u64) -> f64 {
        if rows == 0 {
            return 1.0;
        }
        let (mut num, mut den) = (0.0, 0.0);
        for (b, &p) in self.pi.iter().enumerate() {
            if p <= 0.0 || p >= 1.0 {
                continue;
            }
            let d = v[b * self.bins + b] * rows as f64 / (p * (1.0 - p));
            num += (1.0 - p) * d;
            den += 1.0 - p;
        }
        if den <= 0.0 {
            return 1.0;
        }
        (num / den).clamp(1.0, rows as f64)
    }

    /// The first two moments of the PSI of two windows under no drift, to second order
    /// (Satterthwaite): with `z = p − q ~ N(0, V_R + V_C)` and `PSI ≈ Σ_b z_b²/π_b`,
    /// `E[PSI] = tr(M)` and `Var[PSI] = 2·tr(M²)` for `M = D^{−½}(V_R + V_C)D^{−½}`,
    /// `D = diag(π)`, over the bins with `π > 0`. A window whose design effect would be below 1
    /// takes the covariance of independent rows, `(diag(π) − ππᵀ)/N`.
    #[must_use]
    pub fn psi_moments(&self, reference: (usize, u64), current: (usize, u64)) -> PsiMoments {
        let b = self.bins;
        let side = |(days, rows): (usize, u64)| -> Vec<f64> {
            let v = self.window_covariance(days);
            if days > 0 && self.design_effect_of(&v, rows) > 1.0 {
                return v;
            }
            let n = rows.max(1) as f64;
            let mut v = vec![0.0; b * b];
            for i in 0..b {
                for j in 0..b {
                    v[i * b + j] = (if i == j { self.pi[i] } else { 0.0 } - self.pi[i] * self.pi[j]) / n;
                }
            }
            v
        };
        let (r, c) = (side(reference), side(current));
        let (mut tr, mut tr2, mut tr_r, mut tr_c) = (0.0, 0.0, 0.0, 0.0);
        for i in (0..b).filter(|&i| self.pi[i] > 0.0) {
            tr += (r[i * b + i] + c[i * b + i]) / self.pi[i];
            tr_r += r[i * b + i] / self.pi[i];
            tr_c += c[i * b + i] / self.pi[i];
            for j in (0..b).filter(|&j| self.pi[j] > 0.0) {
                let m = (r[i * b + j] + c[i * b + j]) / (self.pi[i] * self.pi[j]).sqrt();
                tr2 += m * m;
            }
        }
        PsiMoments { mean: tr, variance: 2.0 * tr2, reference: tr_r, current: tr_c }
    }

    /// Whether a window of `days` days and `rows` rows takes the covariance of independent
    /// rows (its design effect is at the floor of 1): a known covariance, nothing estimated.
    #[must_use]
    pub fn is_iid_floor(&self, days: usize, rows: u64) -> bool {
        self.design_effect(days, rows) <= 1.0
    }
}

/// The PSI's null moments under the panel's dependence, and each side's share of the mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PsiMoments {
    /// `tr(M)`.
    pub mean: f64,
    /// `2·tr(M²)`.
    pub variance: f64,
    /// The reference window's part of the mean.
    pub reference: f64,
    /// The current window's part of the mean.
    pub current: f64,
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
        let d = Dependence::estimate(&iid(400, 100, 10, 7), 100).unwrap();
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
        let d = Dependence::estimate(&daily, 500).unwrap();
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
        let d = Dependence::estimate(&daily, 500).unwrap();
        let one = d.design_effect(1, 50);
        let twenty = d.design_effect(20, 1000);
        assert!((one - 50.0).abs() < 8.0, "{one}");
        // Var of a 20-day mean ≈ var·(1/20)·Σ(1−|k|/20)ρ(k) with ρ(k) = 1 − k/10 on |k| < 10.
        let expected = 50.0
            * (1.0 + 2.0 * (1..10).map(|k| (1.0 - f64::from(k) / 20.0) * (1.0 - f64::from(k) / 10.0)).sum::<f64>());
        assert!((twenty / expected - 1.0).abs() < 0.2, "{twenty} vs {expected}");
    }

    #[test]
    fn too_few_days_leave_it_undefined() {
        assert!(Dependence::estimate(&iid(MIN_DAYS - 1, 10, 4, 1), 5).is_none());
        assert!(Dependence::estimate(&iid(MIN_DAYS, 10, 4, 1), 5).is_some());
    }
}
