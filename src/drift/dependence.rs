//! How much information a window of a NEPSE panel really holds: the design effect of its bin
//! proportions under the panel's dependence, and the effective sample size that follows.
//!
//! Rows of one trading day share the market, and rolling-window features carry over from day to
//! day, so `n` rows are worth fewer than `n` independent ones. Trading days are the clusters
//! (Kish 1965): a feature constant within a day has one value per day, however many symbols.
//! Serial dependence across days is handled with the long-run variance of the per-day
//! proportions (Newey–West 1987, Bartlett kernel).
//!
//! **Estimate, local and detrended.** Real markets are not stationary: NEPSE's listings grew
//! from 44 to 120 symbols, its turnover about tenfold, and its regimes last months. Measured
//! against today's bins, the per-day proportions of such a history trend over the years, and a
//! long-run variance over all of it reads the trend as serial dependence: the longer the
//! history, the wider the null (design effects of 200–600 on real turnover, 2,000 rows counted
//! as worth 3). So the estimate is local and detrended:
//!
//! * it uses only the last [`SPAN_DAYS`] pooled days (the reference window and the days just
//!   before it), so it cannot grow with the length of the source, and costs
//!   `O(SPAN_DAYS·L·B)` whatever the number of days;
//! * within that span each bin's least-squares line in time is removed before the
//!   autocovariances are taken (detrended residuals, as for a Newey–West variance around a
//!   trend regression), so the span's own drift (a turnover boom, a listing wave) is not
//!   counted as memory either.
//!
//! The design effect it reports is then the variance inflation of a window's bin proportions
//! by short-range dependence: the co-movement of a day's rows and the carry-over of rolling
//! features from day to day. What the market does over months and years is not sampling
//! noise; it is what the history null ([`super::significance::history_null`]) judges.
//!
//! From the per-day bin counts `c[d][b]` (`n[d]` rows) of the span's `D` days, in trading-day
//! order:
//!
//! ```text
//! π[b]     = Σ_d c[d][b] / Σ_d n[d]                       pooled proportion
//! e[d][b]  = c[d][b] / n[d] − (a[b] + β[b]·(d − d̄))       detrended per-day residual
//! γ[b](k)  = (1/D) · Σ_{t=0}^{D−1−k} e[t][b] · e[t+k][b]   autocovariance at lag k
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
//! its own (few) days.
//!
//! **Small-span bias, corrected.** Autocovariances of residuals from a fitted line are biased
//! low: removing the line also removes part of the noise's low frequencies. With `P` the
//! projection on the span's constant and line (rank 2) and `Ω` the long-run covariance, the
//! residuals' covariance is `MΣM ≈ Σ − Ω·P` (for memory short against `D`, `Σ·P ≈ Ω·P`), so
//!
//! ```text
//! E[Γ̂(k)] ≈ ((D − k)/D)·Γ(k) − Ω·s(k)/D,        s(k) = Σ_{t=0}^{D−1−k} P[t][t+k]   (s(0) = 2)
//! ```
//!
//! A window's Bartlett sum `Σ_k w[k]·S_k` therefore falls short by `Ω·b(w)`, with
//! `b(w) = (w[0]·s(0) + 2·Σ_{k≥1} w[k]·s(k))/D`: about `2T/D` of a T-day window's variance
//! (8% for the 20-day current window, 40% for the 120-day reference of a 500-day span), enough to
//! triple the false alarms of a χ² with 9 degrees of freedom at α = 1%. The estimate corrects
//! both parts: each lag's sum is divided by its `D − k` terms instead of `D`, and `Ω` (a
//! Bartlett sum with bandwidth `L + 1`, weights `u`, itself short by `b(u)`) is added back,
//! `V = Σ_k ŵ[k]·S_k + b(ŵ)/(1 − b(u))·Σ_k u[k]·S_k`. Both are linear in the lag matrices, so
//! the correction is a change of the window's lag weights and costs nothing.
//!
//! **The two windows are adjacent**, so for a persistent feature their proportions are
//! correlated, and the variance of their difference is smaller than the sum of their
//! variances. The code can subtract it (`SUBTRACT_CROSS_COVARIANCE`, off: estimated from the
//! local, detrended span it left the stationary calibration study's features at 2–5% false
//! alarms at α = 1%; an experiment that also corrected the cross weights for the span's bias,
//! unbiased on a persistent two-state panel, raised the realistic study's bull-run power only
//! from 34 to 35 of 40, and `volatility_20d`'s `shifted` without injection from 3 to 5 of 80
//! runs, so the sum is kept, the conservative side):
//! `Var(p̄_C − p̄_R) = V_C + V_R − (C + Cᵀ)`, with the cross-covariance
//! `C + Cᵀ = Σ_k (w(k)/(T·R))·(Γ(k) + Γ(k)ᵀ)` over the lags `k = 1…min(T + R − 1, L)` that
//! separate a current day from a reference day, `w(k) = min(k, T, R, T + R − k)` pairs at each.
//! Leaving it out (as before) overstated the null of a 50-day rolling feature's 20-day window
//! about twofold. When either window takes the covariance of independent rows, the cross term
//! is left out (independent rows are uncorrelated with the other window).
//!
//! **Second order.** The first-order `δ` is a mean over bins; when the bins' design effects
//! differ (a market storm fills both tails of a return at once) the PSI's null has a heavier
//! tail than `δ·χ²(B−1)`. [`Dependence::psi_moments`] gives its mean and variance from the full
//! covariance (Rao–Scott's second-order, Satterthwaite, correction), which the test uses.

/// The fewest pooled days the dependence is estimated from. Below it the significance is
/// undefined ("too little history to judge").
pub const MIN_DAYS: usize = 10;

/// The most recent pooled days the dependence is estimated from: about two NEPSE years
/// (230–240 trading days a year). Enough for the Bartlett sums of a 120-day reference window
/// (lags up to `⌊500/4⌋ = 125`), short enough that a market's multi-year growth is not read as
/// dependence, and a bound on the cost whatever the length of the source.
pub const SPAN_DAYS: usize = 500;

/// Whether the null subtracts the adjacent windows' cross-covariance (see the module docs): off,
/// as the stationary calibration study measured.
const SUBTRACT_CROSS_COVARIANCE: bool = false;

/// Removes each bin's least-squares line in time from per-day values (`days × bins`,
/// row-major): `e[t][b] = x[t][b] − (x̄[b] + β[b]·(t − t̄))`, with
/// `β[b] = Σ_t (t − t̄)(x[t][b] − x̄[b]) / Σ_t (t − t̄)²`.
fn detrend(values: &mut [f64], days: usize, bins: usize) {
    let t_mean = (days as f64 - 1.0) / 2.0;
    let sxx: f64 = (0..days).map(|t| (t as f64 - t_mean).powi(2)).sum();
    let (mut mean, mut sxy) = (vec![0.0; bins], vec![0.0; bins]);
    for (t, row) in values.chunks(bins).enumerate() {
        for (b, x) in row.iter().enumerate() {
            mean[b] += x / days as f64;
            sxy[b] += (t as f64 - t_mean) * x;
        }
    }
    for (t, row) in values.chunks_mut(bins).enumerate() {
        for (b, x) in row.iter_mut().enumerate() {
            let slope = if sxx > 0.0 { sxy[b] / sxx } else { 0.0 };
            *x -= mean[b] + slope * (t as f64 - t_mean);
        }
    }
}

/// `s(k)/D` for `k = 0..=lags`: the sum of the lag-`k` diagonal of the projection on a
/// constant and a line over `days` days, `P[s][t] = 1/D + (s − t̄)(t − t̄)/Σ(t − t̄)²`, over `D`.
fn trend_share(days: usize, lags: usize) -> Vec<f64> {
    let d = days as f64;
    let t_mean = (d - 1.0) / 2.0;
    let sxx: f64 = (0..days).map(|t| (t as f64 - t_mean).powi(2)).sum();
    (0..=lags.min(days.saturating_sub(1)))
        .map(|k| {
            let slope: f64 = if sxx > 0.0 {
                (0..days - k).map(|t| (t as f64 - t_mean) * ((t + k) as f64 - t_mean)).sum::<f64>() / sxx
            } else {
                0.0
            };
            ((days - k) as f64 / d + slope) / d
        })
        .collect()
}

/// `b(w) = Σ_k w[k]·(S_k's share of the trend)`: how much of `Ω` the detrending takes from
/// `Σ_k w[k]·S_k` (module docs), with `S_k = Γ(k) + Γ(k)ᵀ` counting lag `k ≥ 1` twice.
fn shortfall(trend_share: &[f64], weights: &[f64]) -> f64 {
    weights.iter().zip(trend_share).enumerate().map(|(k, (w, s))| if k == 0 { w * s } else { 2.0 * w * s }).sum()
}

/// The dependence of one feature's bin proportions, estimated on the pooled days.
///
/// Kept as the per-day residuals and the diagonal autocovariances: the full `B×B` window
/// covariance is formed only for [`Self::psi_moments`], once per comparison, as `Eᵀ·(W·E)/D`
/// with `W` the Bartlett weights of both windows (`O(D·L·B + D·B²)` time, `O(D·B + B²)`
/// memory), never the `L` lag matrices (`O(L·B²)` memory, `O(L·D·B²)` time): a categorical
/// feature of a thousand categories stays in seconds and megabytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependence {
    /// Pooled proportion per bin.
    pi: Vec<f64>,
    /// Bins.
    bins: usize,
    /// Per-day residuals `e[d][b]`, row-major (`days × bins`).
    residuals: Vec<f64>,
    /// The detrending's share of each lag, `s(k)/D` for `k = 0..=L` (see the module docs).
    trend_share: Vec<f64>,
    /// The long-run weights `u[0] = 1`, `u[k] = 1 − k/(L + 1)`, and what of `Ω` their sum keeps
    /// after the detrending, `1 − b(u)`: the same for every window, so formed once.
    long_run: (Vec<f64>, f64),
    /// The diagonal of `Γ(0)`, then of `Γ(k) + Γ(k)ᵀ` (that is `2γ(k)`) for `k = 1..=L`.
    diagonal: Vec<Vec<f64>>,
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
        // The local span: the most recent days only (see the module docs).
        let daily = &daily[daily.len().saturating_sub(SPAN_DAYS)..];
        let days = daily.len();
        if days < MIN_DAYS {
            return None;
        }
        let bins = daily[0].len();
        if daily.iter().any(|c| c.len() != bins) {
            return None;
        }
        let total: u64 = daily.iter().map(|c| c.iter().sum::<u64>()).sum();
        let mut pi = vec![0.0; bins];
        for c in daily {
            for (p, x) in pi.iter_mut().zip(c.iter()) {
                *p += *x as f64;
            }
        }
        for p in &mut pi {
            *p /= total as f64;
        }
        // Per-day proportions, then each bin's least-squares line over the span removed.
        let mut residuals = Vec::with_capacity(days * bins);
        for c in daily {
            let n = c.iter().sum::<u64>() as f64;
            residuals.extend(c.iter().map(|x| *x as f64 / n));
        }
        detrend(&mut residuals, days, bins);
        let e = |t: usize| &residuals[t * bins..(t + 1) * bins];
        let max_lag = max_lag.min(days / 4);
        let diagonal = (0..=max_lag)
            .map(|k| {
                let mut g = vec![0.0; bins];
                for t in 0..days - k {
                    for (gi, (a, b)) in g.iter_mut().zip(e(t).iter().zip(e(t + k))) {
                        *gi += a * b;
                    }
                }
                let twice = if k == 0 { 1.0 } else { 2.0 };
                g.iter().map(|x| twice * x / days as f64).collect()
            })
            .collect();
        let trend_share = trend_share(days, max_lag);
        let u: Vec<f64> =
            (0..=max_lag).map(|k| if k == 0 { 1.0 } else { 1.0 - k as f64 / (max_lag + 1) as f64 }).collect();
        // `1 − b(u)` is about `1 − 2(L + 1)/D ≥ 1/2` with `L ≤ D/4`; the floor only guards the
        // arithmetic of tiny spans.
        let kept = (1.0 - shortfall(&trend_share, &u)).max(0.25);
        Some(Self { pi, bins, residuals, trend_share, long_run: (u, kept), diagonal, days })
    }

    /// Pooled days the estimate rests on.
    #[must_use]
    pub fn days(&self) -> usize {
        self.days
    }

    /// The pooled proportion per bin.
    #[must_use]
    pub fn proportions(&self) -> &[f64] {
        &self.pi
    }

    /// The lags a window of `days` days sums: `min(T − 1, lags estimated)`.
    #[must_use]
    pub fn lags_for(&self, days: usize) -> usize {
        days.saturating_sub(1).min(self.diagonal.len() - 1)
    }

    /// The weights of the lags in the covariance of a window of `days` consecutive trading
    /// days: `V = Σ_k c[k]·S_k` with `S_0 = Γ(0)`, `S_k = Γ(k) + Γ(k)ᵀ`, from the window's
    /// Bartlett weights `w[0] = 1/T`, `w[k] = (1 − k/T)/T` for `k = 1..=min(T − 1, L)`, corrected
    /// for the span's bias (module docs): `ŵ[k] = w[k]·D/(D − k)`, then
    /// `c = ŵ + b(ŵ)/(1 − b(u))·u` with the long-run weights `u[0] = 1`,
    /// `u[k] = 1 − k/(L + 1)`.
    fn window_weights(&self, days: usize) -> Vec<f64> {
        let t = days.max(1) as f64;
        let d = self.days as f64;
        let mut c: Vec<f64> = (0..=self.lags_for(days.max(1)))
            .map(|k| {
                let bartlett = if k == 0 { 1.0 / t } else { (1.0 - k as f64 / t) / t };
                bartlett * d / (d - k as f64)
            })
            .collect();
        let (long_run, kept) = &self.long_run;
        let lift = shortfall(&self.trend_share, &c) / kept;
        c.resize(long_run.len(), 0.0);
        c.iter_mut().zip(long_run).for_each(|(c, u)| *c += lift * u);
        c
    }

    /// The diagonal of `Σ_k c[k]·S_k` for lag weights `c`.
    fn window_diagonal(&self, weights: &[f64]) -> Vec<f64> {
        let mut v = vec![0.0; self.bins];
        for (w, d) in weights.iter().zip(&self.diagonal) {
            for (x, s) in v.iter_mut().zip(d) {
                *x += w * s;
            }
        }
        v
    }

    /// The diagonal of the `B×B` covariance of the bin proportions of a window of `days`
    /// consecutive trading days, `V = (1/T)·[Γ(0) + Σ_{k=1}^{L} (1 − k/T)(Γ(k) + Γ(k)ᵀ)]`.
    #[must_use]
    pub fn window_variances(&self, days: usize) -> Vec<f64> {
        self.window_diagonal(&self.window_weights(days))
    }

    /// The full `B×B` covariance (row-major) `Σ_k c[k]·S_k` for lag weights `c`:
    /// `(1/D)·Σ_t e_t·y_tᵀ` with `y_t = c[0]·e_t + Σ_{k≥1} c[k]·(e_{t+k} + e_{t−k})` (terms
    /// outside the pooled days left out), which is the same sum without forming any `S_k`.
    fn covariance(&self, weights: &[f64]) -> Vec<f64> {
        let (b, days) = (self.bins, self.days);
        let e = |t: usize| &self.residuals[t * b..(t + 1) * b];
        let mut v = vec![0.0; b * b];
        let mut y = vec![0.0; b];
        for t in 0..days {
            y.iter_mut().zip(e(t)).for_each(|(y, x)| *y = weights[0] * x);
            for (k, c) in weights.iter().enumerate().skip(1) {
                for s in [t.checked_add(k).filter(|&s| s < days), t.checked_sub(k)].into_iter().flatten() {
                    y.iter_mut().zip(e(s)).for_each(|(y, x)| *y += c * x);
                }
            }
            for (i, ei) in e(t).iter().enumerate() {
                if *ei != 0.0 {
                    v[i * b..(i + 1) * b].iter_mut().zip(&y).for_each(|(v, y)| *v += ei * y);
                }
            }
        }
        for x in &mut v {
            *x /= days as f64;
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
        self.design_effect_of(&self.window_variances(days), rows)
    }

    /// [`Self::design_effect`] from a window's variances already computed.
    fn design_effect_of(&self, variances: &[f64], rows: u64) -> f64 {
        if rows == 0 {
            return 1.0;
        }
        let (mut num, mut den) = (0.0, 0.0);
        for (&p, &var) in self.pi.iter().zip(variances) {
            if p <= 0.0 || p >= 1.0 {
                continue;
            }
            let d = var * rows as f64 / (p * (1.0 - p));
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
        // The lag weights of the windows that carry the panel's dependence, and the rows of
        // those that take the covariance of independent rows.
        let mut weights: Vec<f64> = Vec::new();
        let mut iid_rows: Vec<f64> = Vec::new();
        let (mut tr_r, mut tr_c) = (0.0, 0.0);
        let mut dependent_sides = 0;
        for (side, (days, rows)) in [reference, current].into_iter().enumerate() {
            let w = self.window_weights(days);
            let variances = self.window_variances(days);
            let dependent = days > 0 && self.design_effect_of(&variances, rows) > 1.0;
            let n = rows.max(1) as f64;
            let trace: f64 = (0..b)
                .filter(|&i| self.pi[i] > 0.0)
                .map(|i| if dependent { variances[i] } else { self.pi[i] * (1.0 - self.pi[i]) / n } / self.pi[i])
                .sum();
            if side == 0 {
                tr_r = trace;
            } else {
                tr_c = trace;
            }
            if dependent {
                weights.resize(weights.len().max(w.len()), 0.0);
                weights.iter_mut().zip(&w).for_each(|(a, x)| *a += x);
                dependent_sides += 1;
            } else {
                iid_rows.push(n);
            }
        }
        // Both windows dependent: subtract their cross-covariance (see the module docs).
        let lags = self.diagonal.len() - 1;
        // Estimated from the local, detrended span, subtracting it left the stationary study's
        // features at 2–5% false alarms: it is left out, the conservative side.
        if dependent_sides == 2 && SUBTRACT_CROSS_COVARIANCE {
            let (r, t) = (reference.0, current.0);
            let pairs = |k: usize| k.min(t).min(r).min((t + r).saturating_sub(k)) as f64;
            let cross: Vec<f64> =
                (0..=lags.min(t + r - 1)).map(|k| if k == 0 { 0.0 } else { pairs(k) / (t * r) as f64 }).collect();
            weights.resize(weights.len().max(cross.len()), 0.0);
            weights.iter_mut().zip(&cross).for_each(|(a, x)| *a -= x);
            let c = self.window_diagonal(&cross);
            let shared: f64 = (0..b).filter(|&i| self.pi[i] > 0.0).map(|i| c[i] / self.pi[i]).sum();
            // Split between the sides in proportion to their own parts; never below what
            // independent rows of both sides would give.
            let floor: f64 = (0..b)
                .filter(|&i| self.pi[i] > 0.0)
                .map(|i| (1.0 - self.pi[i]) * (1.0 / reference.1.max(1) as f64 + 1.0 / current.1.max(1) as f64))
                .sum();
            let total = (tr_r + tr_c - shared).max(floor);
            let scale = total / (tr_r + tr_c);
            tr_r *= scale;
            tr_c *= scale;
        }
        let mut v = if weights.is_empty() { vec![0.0; b * b] } else { self.covariance(&weights) };
        for n in iid_rows {
            for i in 0..b {
                for j in 0..b {
                    v[i * b + j] += (if i == j { self.pi[i] } else { 0.0 } - self.pi[i] * self.pi[j]) / n;
                }
            }
        }
        let mut tr2 = 0.0;
        for i in (0..b).filter(|&i| self.pi[i] > 0.0) {
            for j in (0..b).filter(|&j| self.pi[j] > 0.0) {
                let m = v[i * b + j] / (self.pi[i] * self.pi[j]).sqrt();
                tr2 += m * m;
            }
        }
        PsiMoments { mean: tr_r + tr_c, variance: 2.0 * tr2, reference: tr_r, current: tr_c }
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

    /// The `B×B` lag matrices `S_k` of the residuals, formed one by one: the direct reading of
    /// the module docs, against which the streamed covariance is checked.
    fn lag_matrices(d: &Dependence) -> Vec<Vec<f64>> {
        let (b, days) = (d.bins, d.days);
        let e = |t: usize| &d.residuals[t * b..(t + 1) * b];
        (0..d.diagonal.len())
            .map(|k| {
                let mut s = vec![0.0; b * b];
                for t in 0..days - k {
                    for i in 0..b {
                        for j in 0..b {
                            s[i * b + j] += e(t)[i] * e(t + k)[j];
                            if k > 0 {
                                s[i * b + j] += e(t + k)[i] * e(t)[j];
                            }
                        }
                    }
                }
                s.iter().map(|x| x / days as f64).collect()
            })
            .collect()
    }

    #[test]
    #[allow(clippy::many_single_char_names)]
    fn streamed_moments_equal_those_of_the_lag_matrices() {
        // A persistent, unevenly filled panel: each day's rows lean towards a bin that moves.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut lean = 0;
        let daily: Vec<Vec<u64>> = (0..160)
            .map(|t| {
                if t % 7 == 0 {
                    lean = rng.random_range(0..6);
                }
                let mut c = vec![0_u64; 7];
                for _ in 0..40 {
                    let bin = if rng.random_bool(0.4) { lean } else { rng.random_range(0..6) };
                    c[bin] += 1;
                }
                c[6] += u64::from(t % 5 == 0);
                c
            })
            .collect();
        let d = Dependence::estimate(&daily, 30).unwrap();
        let s = lag_matrices(&d);
        let b = d.bins;
        for (i, diag) in d.diagonal.iter().enumerate() {
            for j in 0..b {
                assert!((diag[j] - s[i][j * b + j]).abs() < 1e-15);
            }
        }
        for (reference, current) in
            [((60, 2400), (20, 800)), ((120, 4800), (1, 40)), ((40, 40), (20, 20)), ((0, 0), (5, 200))]
        {
            let side = |(days, rows): (usize, u64)| -> (Vec<f64>, bool) {
                let mut v = vec![0.0; b * b];
                for (w, m) in d.window_weights(days).iter().zip(&s) {
                    v.iter_mut().zip(m).for_each(|(v, m)| *v += w * m);
                }
                if days > 0 && d.design_effect_of(&(0..b).map(|i| v[i * b + i]).collect::<Vec<_>>(), rows) > 1.0 {
                    return (v, true);
                }
                let n = rows.max(1) as f64;
                let iid = (0..b * b)
                    .map(|x| (if x / b == x % b { d.pi[x / b] } else { 0.0 } - d.pi[x / b] * d.pi[x % b]) / n)
                    .collect();
                (iid, false)
            };
            let ((r, r_dep), (c, c_dep)) = (side(reference), side(current));
            // The adjacent windows' cross-covariance, lag by lag from the lag matrices.
            let mut total: Vec<f64> = r.iter().zip(&c).map(|(r, c)| r + c).collect();
            if r_dep && c_dep && SUBTRACT_CROSS_COVARIANCE {
                let (rd, td) = (reference.0, current.0);
                for (k, m) in s.iter().enumerate().skip(1).take(rd + td - 1) {
                    let pairs = k.min(td).min(rd).min(rd + td - k) as f64 / (rd * td) as f64;
                    total.iter_mut().zip(m).for_each(|(v, m)| *v -= pairs * m);
                }
            }
            let kept: Vec<usize> = (0..b).filter(|&i| d.pi[i] > 0.0).collect();
            let floor: f64 =
                kept.iter().map(|&i| (1.0 - d.pi[i]) * (1.0 / reference.1 as f64 + 1.0 / current.1 as f64)).sum();
            let mean: f64 = kept.iter().map(|&i| total[i * b + i] / d.pi[i]).sum::<f64>();
            let mean = if r_dep && c_dep && SUBTRACT_CROSS_COVARIANCE { mean.max(floor) } else { mean };
            let tr2: f64 = kept
                .iter()
                .flat_map(|&i| kept.iter().map(move |&j| (i, j)))
                .map(|(i, j)| (total[i * b + j] / (d.pi[i] * d.pi[j]).sqrt()).powi(2))
                .sum();
            let m = d.psi_moments(reference, current);
            assert!((m.mean / mean - 1.0).abs() < 1e-12, "{reference:?} {current:?}: {} vs {mean}", m.mean);
            assert!(
                (m.variance / (2.0 * tr2) - 1.0).abs() < 1e-12,
                "{reference:?} {current:?}: {} vs {}",
                m.variance,
                2.0 * tr2
            );
        }
    }

    #[test]
    fn a_thousand_categories_cost_megabytes_not_gigabytes() {
        // 1,002 bins over 600 days: the lag matrices would take 1,002² × 151 × 8 bytes = 1.2 GB.
        let daily: Vec<Vec<u64>> = (0..600_u64).map(|t| (0..1002_u64).map(|b| (t * 7 + b * 3) % 5).collect()).collect();
        let d = Dependence::estimate(&daily, 120).unwrap();
        assert!(d.residuals.len() + d.diagonal.len() * d.bins < 1_000_000);
        let m = d.psi_moments((120, 120 * 2000), (20, 20 * 2000));
        assert!(m.mean.is_finite() && m.variance.is_finite());
    }

    /// `days` days of `per_day` independent rows in two bins whose share of the first moves
    /// linearly from 0.2 to 0.8 over the days: a trending market, no dependence.
    fn trending(days: usize, per_day: usize, seed: u64) -> Vec<Vec<u64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..days)
            .map(|d| {
                let p = 0.2 + 0.6 * d as f64 / days as f64;
                let first = (0..per_day).filter(|_| rng.random_bool(p)).count() as u64;
                vec![first, per_day as u64 - first]
            })
            .collect()
    }

    #[test]
    fn a_trend_is_not_read_as_dependence_however_long_the_history() {
        // Without the detrending the trend's variance, (0.6)²/12 = 0.03 per day against the
        // rows' 0.25/100, would give a 20-day window a design effect near 100.
        for days in [300, 1500, 6000] {
            let d = Dependence::estimate(&trending(days, 100, 4), 120).unwrap();
            let deff = d.design_effect(20, 2000);
            assert!((1.0..1.6).contains(&deff), "{days} days: {deff}");
            assert_eq!(d.days(), days.min(SPAN_DAYS));
        }
    }

    /// `days` days of one row in one of two bins, the bin kept from the day before with
    /// probability `stay` and drawn afresh otherwise: lag-k correlation `ρᵏ`, `ρ = stay`.
    fn persistent(days: usize, stay: f64, seed: u64) -> Vec<Vec<u64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut bin = 0;
        (0..days)
            .map(|_| {
                if !rng.random_bool(stay) {
                    bin = rng.random_range(0..2);
                }
                let mut c = vec![0; 2];
                c[bin] = 1;
                c
            })
            .collect()
    }

    #[test]
    fn a_windows_variance_is_unbiased_on_a_short_detrended_span() {
        // Over 400 spans of 500 days, the mean estimated variance of a window's proportion
        // equals the true one, (1/T)·Σ_{|k|<T}(1 − |k|/T)·γ(0)·ρ^|k| with γ(0) = 1/4. Without
        // the correction the 120-day window came out well short of it (iid: 0.6).
        for stay in [0.0f64, 0.8] {
            for t in [20usize, 120] {
                let truth = 0.25 / t as f64
                    * (1.0 + 2.0 * (1..t).map(|k| (1.0 - k as f64 / t as f64) * stay.powi(k as i32)).sum::<f64>());
                let seeds = 400;
                let mean = (0..seeds)
                    .map(|seed| Dependence::estimate(&persistent(500, stay, seed), 120).unwrap().window_variances(t)[0])
                    .sum::<f64>()
                    / f64::from(seeds as u32);
                assert!((mean / truth - 1.0).abs() < 0.06, "stay {stay}, T = {t}: {mean} vs {truth}");
            }
        }
    }

    #[test]
    fn too_few_days_leave_it_undefined() {
        assert!(Dependence::estimate(&iid(MIN_DAYS - 1, 10, 4, 1), 5).is_none());
        assert!(Dependence::estimate(&iid(MIN_DAYS, 10, 4, 1), 5).is_some());
    }
}
