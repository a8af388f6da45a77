//! Is a PSI bigger than chance? The χ² approximation of Yurdakul (2018), "Statistical properties
//! of the population stability index".
//!
//! With `n` reference rows, `m` current rows and `B` bins, and no real shift,
//!
//! ```text
//! PSI / (1/n + 1/m)  ~  χ²(B − 1)   approximately.
//! ```
//!
//! so the p-value of an observed PSI is `P(χ²(B−1) ≥ PSI/(1/n+1/m))`, and the critical PSI at
//! level α is `χ²_{1−α}(B−1) · (1/n + 1/m)`.
//!
//! `B` is the number of bins that take part: bins non-empty on at least one side, the missing
//! bin included when it holds any row. A bin empty on both sides contributes nothing to the PSI
//! and carries no degree of freedom.
//!
//! That test ([`significance`], `--significance iid`) assumes `n` and `m` independent rows. On a
//! NEPSE panel they are not (see [`super::dependence`]), and it calls most no-drift features
//! significant. The default test ([`panel`], `--significance panel`) keeps the same statistic
//! and asks how big it gets by chance on *this* panel, from two kinds of evidence:
//!
//! 1. **The dependence model.** Each side's Rao–Scott design effect `δ` gives effective sizes
//!    `n_eff = n/δ_ref`, `m_eff = m/δ_cur`. Where the smaller effective size puts at least 10
//!    expected rows in every bin, the PSI's null is the scaled χ² `a·χ²(ν)` with the mean and
//!    variance [`Dependence::psi_moments`] gives (Rao–Scott's second-order correction; with
//!    equal design effects in every bin it is the first-order `(1/n_eff + 1/m_eff)·χ²(B−1)`).
//!    Where it does not, the χ² approximation of a PSI with ε-replaced empty bins is
//!    far off (20 values in 10 bins have a null mean PSI near 1.4, not 0.5), so the null is
//!    simulated: [`SIMULATION_DRAWS`] pairs of multinomial samples of sizes `n_eff` and `m_eff`
//!    from the reference proportions, through exactly the same bin and ε rules, with a fixed
//!    seed. The critical PSI is the simulated `1−α` quantile and the p-value
//!    `(1 + #{simulated ≥ PSI}) / (draws + 1)`, both after scaling the simulated PSIs by the
//!    second-order tail factor `max(1, q₂/q₁)` (the ratio of the second- and first-order χ²
//!    critical values). It costs about a millisecond per feature.
//! 2. **The feature's own history** ([`history_null`]), when the source holds enough days before
//!    the reference window and the feature is dependent (current design effect at least
//!    [`HISTORY_MIN_DESIGN_EFFECT`]): the PSI of every past window pair of the same shape (T days
//!    against the R days before them), over the same bins. Their `∛PSI` (Wilson–Hilferty) gives
//!    a predictive Student-t null with as many degrees of freedom as the history holds
//!    independent pairs ([`HistoryNull::effective_windows`] − 1). This sees what 120 days cannot: long memory and
//!    the market's regimes, and it is honest about how few of those a few years hold.
//!
//! The model's covariances are estimated too: its χ² becomes an F whose second degrees of
//! freedom are those of the Bartlett estimates (`3D/2L` per side, Priestley), so a null
//! estimated from few days is wider.
//!
//! A shift is significant only when it is beyond chance under both: the critical PSI is the
//! larger of the two, and the p-value the larger of the two.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, StudentsT};

use super::dependence::Dependence;
use super::psi::psi_quantile;

/// The significance of one PSI value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Significance {
    /// `B − 1`.
    pub degrees_of_freedom: usize,
    /// `P(χ²(B−1) ≥ PSI/(1/n+1/m))`, in [0, 1].
    pub p_value: f64,
    /// The PSI above which the shift is significant at α.
    pub critical_psi: f64,
    /// `1/n + 1/m`: the χ²'s scale (the expected PSI under no drift is `(B−1)` times it).
    pub scale: f64,
}

/// The significance of `psi` given the row counts of each side and the number of bins that
/// take part. `None` when it is undefined: fewer than two bins (no degree of freedom) or an
/// empty side.
#[must_use]
pub fn significance(psi: f64, n: u64, m: u64, bins: usize, alpha: f64) -> Option<Significance> {
    if bins < 2 || n == 0 || m == 0 {
        return None;
    }
    let df = bins - 1;
    let chi2 = ChiSquared::new(df as f64).ok()?;
    let scale = 1.0 / n as f64 + 1.0 / m as f64;
    Some(Significance {
        degrees_of_freedom: df,
        p_value: chi2.sf(psi / scale).clamp(0.0, 1.0),
        critical_psi: chi2.inverse_cdf(1.0 - alpha) * scale,
        scale,
    })
}

/// Multinomial draws of the simulated null at small effective sizes.
pub const SIMULATION_DRAWS: usize = 4000;

/// The simulation's fixed seed: the same inputs give the same call on every run.
const SIMULATION_SEED: u64 = 0x6e65_7073_6520_6466;

/// Past window pairs needed per current-window day before the history is used: with `T = 20`,
/// 160 pairs (about 8 non-overlapping ones).
pub const HISTORY_WINDOWS_PER_DAY: usize = 8;

/// A scaled χ² distribution `a·χ²(ν)`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ScaledChi2 {
    scale: f64,
    df: f64,
}

impl ScaledChi2 {
    /// The scaled χ² with this mean and variance (Satterthwaite's moment match).
    fn from_moments(mean: f64, variance: f64) -> Option<Self> {
        (mean > 0.0 && variance > 0.0 && mean.is_finite() && variance.is_finite())
            .then(|| Self { scale: variance / (2.0 * mean), df: 2.0 * mean * mean / variance })
    }

    fn p_value(self, x: f64) -> Option<f64> {
        Some(ChiSquared::new(self.df).ok()?.sf(x / self.scale).clamp(0.0, 1.0))
    }

    fn critical(self, alpha: f64) -> Option<f64> {
        Some(ChiSquared::new(self.df).ok()?.inverse_cdf(1.0 - alpha) * self.scale)
    }

    /// The predictive version: when the scale is itself estimated with `known` degrees of
    /// freedom, a new draw over `scale·df` follows `F(df, known)` rather than `χ²(df)/df`. Its
    /// p-value and critical value at α. Infinite `known` gives back the plain scaled χ².
    fn predictive(self, known: f64) -> Option<Predictive> {
        if !known.is_finite() || known > 1e6 {
            return Some(Predictive::Chi2(self));
        }
        let f = FisherSnedecor::new(self.df, known.max(1.0)).ok()?;
        Some(Predictive::F(f, self.scale * self.df))
    }
}

/// A null with an estimated scale: scaled χ², or scaled F.
#[derive(Debug, Clone, Copy)]
enum Predictive {
    Chi2(ScaledChi2),
    F(FisherSnedecor, f64),
}

impl Predictive {
    fn p_value(self, x: f64) -> Option<f64> {
        match self {
            Self::Chi2(c) => c.p_value(x),
            Self::F(f, scale) => Some(f.sf(x / scale).clamp(0.0, 1.0)),
        }
    }

    fn critical(self, alpha: f64) -> Option<f64> {
        match self {
            Self::Chi2(c) => c.critical(alpha),
            Self::F(f, scale) => Some(f.inverse_cdf(1.0 - alpha) * scale),
        }
    }
}

/// Degrees of freedom of a Bartlett long-run variance with `lags` lags over `days` days
/// (Priestley 1981: `Var(σ̂²)/σ⁴ ≈ 4L/3D`, so `ν = 3D/2L`); infinite without lags.
fn bartlett_df(days: usize, lags: usize) -> f64 {
    if lags == 0 { f64::INFINITY } else { 3.0 * days as f64 / (2.0 * lags as f64) }
}

/// The null distribution of the PSI estimated from the feature's own past.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryNull {
    /// Mean PSI of the past window pairs.
    pub mean: f64,
    /// Their variance.
    pub variance: f64,
    /// How many pairs.
    pub windows: usize,
    /// Mean of `∛PSI` over the pairs.
    pub root_mean: f64,
    /// Standard deviation of `∛PSI`.
    pub root_sd: f64,
    /// How many independent pairs they are worth: `windows / τ`, with `τ` the integrated
    /// autocorrelation time of the `∛PSI` series (Bartlett-weighted, up to `⌊windows/3⌋`
    /// lags), and at most `D / max(R + T, T + 2τ_d)`: the disjoint stretches the `D` days hold,
    /// each a whole window pair, or a current window with the feature's memory `τ_d`
    /// ([`Dependence::memory_days`]) on either side. Pairs that share no day are the only ones
    /// known to be independent when a market regime outlasts what a few years can show, so a
    /// few years of history hold only a handful.
    pub effective_windows: f64,
}

impl HistoryNull {
    /// The predictive null of a new pair's `∛PSI`: `μ + s·√(1 + 1/K)·t(K − 1)` with `K` the
    /// effective pairs (the prediction interval of one more draw from a normal sample of `K`).
    /// On the cube-root scale because that is where a χ²-like quantity is close to normal
    /// (Wilson–Hilferty 1931); with few effective pairs the t's tail is the honest width.
    /// `None` with fewer than two effective pairs.
    fn predictive(&self) -> Option<(StudentsT, f64)> {
        let k = self.effective_windows;
        if k < 2.0 || !self.root_sd.is_finite() {
            return None;
        }
        let scale = self.root_sd.max(1e-9) * (1.0 + 1.0 / k).sqrt();
        Some((StudentsT::new(0.0, 1.0, k - 1.0).ok()?, scale))
    }

    /// The history's p-value of `psi` and critical PSI at `alpha`.
    fn test(&self, psi: f64, alpha: f64) -> Option<(f64, f64)> {
        let (t, scale) = self.predictive()?;
        let z = (psi.max(0.0).cbrt() - self.root_mean) / scale;
        Some((t.sf(z).clamp(0.0, 1.0), (self.root_mean + t.inverse_cdf(1.0 - alpha) * scale).max(0.0).powi(3)))
    }
}

/// The current window's design effect from which the feature counts as dependent and its
/// history is consulted. Below it the rows behave as independent: the model's null is then
/// (close to) exact and the history, from a handful of effective pairs, would only add noise.
pub const HISTORY_MIN_DESIGN_EFFECT: f64 = 2.0;

/// The PSI of every past pair of windows shaped like the comparison (`current_days` days
/// against the `reference_days` days just before them), sliding one day at a time over the
/// pooled per-day counts (in day order, all over the same bins), with the quantile mode's ε
/// rule. `None` when there are fewer than [`HISTORY_WINDOWS_PER_DAY`]` · current_days` pairs.
#[must_use]
pub fn history_null(
    daily: &[Vec<u64>],
    reference_days: usize,
    current_days: usize,
    memory_days: f64,
    epsilon: f64,
) -> Option<HistoryNull> {
    let days = daily.len();
    let span = reference_days.checked_add(current_days)?;
    if current_days == 0 || reference_days == 0 || days < span {
        return None;
    }
    let windows = days - span + 1;
    if windows < HISTORY_WINDOWS_PER_DAY * current_days {
        return None;
    }
    let bins = daily[0].len();
    let mut prefix = vec![vec![0_u64; bins]; days + 1];
    for (d, row) in daily.iter().enumerate() {
        for b in 0..bins {
            prefix[d + 1][b] = prefix[d][b] + row[b];
        }
    }
    let sum = |from: usize, to: usize| -> Vec<u64> { (0..bins).map(|b| prefix[to][b] - prefix[from][b]).collect() };
    let psis: Vec<f64> = (reference_days..=days - current_days)
        .map(|s| psi_quantile(&sum(s - reference_days, s), &sum(s, s + current_days), epsilon).psi.get())
        .collect();
    let mean = psis.iter().sum::<f64>() / psis.len() as f64;
    let variance = psis.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / (psis.len() - 1).max(1) as f64;
    let roots: Vec<f64> = psis.iter().map(|p| p.max(0.0).cbrt()).collect();
    let root_mean = roots.iter().sum::<f64>() / windows as f64;
    let root_var = roots.iter().map(|l| (l - root_mean).powi(2)).sum::<f64>() / (windows - 1).max(1) as f64;
    let lags = windows / 3;
    let tau = if root_var > 0.0 {
        let rho = |k: usize| {
            roots.iter().zip(&roots[k..]).map(|(a, b)| (a - root_mean) * (b - root_mean)).sum::<f64>()
                / windows as f64
                / root_var
        };
        1.0 + 2.0 * (1..=lags).map(|k| (1.0 - k as f64 / (lags + 1) as f64) * rho(k)).sum::<f64>()
    } else {
        1.0
    };
    // Never more than the disjoint stretches the history holds: a whole window pair, or a current
    // window with the feature's memory on either side of it, so that no two share a day or a
    // regime (a market regime outlasts the autocorrelation of the PSI series, which forgets a
    // pair once its current days have passed).
    let stretches = days as f64 / (span as f64).max(current_days as f64 + 2.0 * memory_days.max(1.0));
    let effective_windows = (windows as f64 / tau.max(1.0)).min(stretches).max(1.0);
    Some(HistoryNull { mean, variance, windows, root_mean, root_sd: root_var.sqrt(), effective_windows })
}

/// What the panel test needs to know about one comparison.
#[derive(Debug, Clone, Copy)]
pub struct PanelInput<'a> {
    /// Reference counts over the comparison's bins (missing last).
    pub reference: &'a [u64],
    /// Current counts over the same bins.
    pub current: &'a [u64],
    /// Trading days of the reference window.
    pub reference_days: usize,
    /// Trading days of the current window.
    pub current_days: usize,
    /// The dependence estimated on the pooled days, when there were enough.
    pub dependence: Option<&'a Dependence>,
    /// The history's null, when the source holds enough past.
    pub history: Option<HistoryNull>,
    /// Significance level.
    pub alpha: f64,
    /// The quantile mode's ε.
    pub epsilon: f64,
}

/// How the null distribution of the panel test was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NullMethod {
    /// Rao–Scott-scaled χ²(B−1) at the effective sizes.
    RaoScottChi2,
    /// Multinomial draws at the effective sizes.
    Simulated,
}

/// The dependence-aware significance of one PSI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PanelSignificance {
    /// Bins taking part − 1.
    pub degrees_of_freedom: usize,
    /// The larger of the model's and the history's p-values.
    pub p_value: f64,
    /// The larger of the model's and the history's critical PSI at α.
    pub critical_psi: f64,
    /// The mean PSI under no drift, of the null that set the critical PSI.
    pub expected_psi: f64,
    /// Reference rows over its design effect.
    pub effective_reference_rows: f64,
    /// Current rows over its design effect.
    pub effective_current_rows: f64,
    /// The reference window's design effect.
    pub design_effect_reference: f64,
    /// The current window's design effect.
    pub design_effect_current: f64,
    /// How the model's null was obtained.
    pub null: NullMethod,
    /// Past window pairs in the history's null, when it was used.
    pub history_windows: Option<usize>,
    /// The dependence model's critical PSI.
    pub model_critical_psi: f64,
    /// The history's critical PSI, when the history was used.
    pub history_critical_psi: Option<f64>,
}

/// The dependence-aware significance of `psi` (see the module docs).
///
/// # Errors
/// Why it is undefined, in words for the result: a one-day window, too little history, or
/// fewer than two bins.
pub fn panel(psi: f64, input: &PanelInput<'_>) -> Result<PanelSignificance, String> {
    let (n, m): (u64, u64) = (input.reference.iter().sum(), input.current.iter().sum());
    let live = input.reference.iter().zip(input.current).filter(|(r, c)| **r + **c > 0).count();
    if live < 2 || n == 0 || m == 0 {
        return Err("fewer than two bins hold rows".to_owned());
    }
    if input.current_days < 2 || input.reference_days < 2 {
        let which = if input.current_days < 2 { "current" } else { "reference" };
        return Err(format!("the {which} window holds one trading day: its dependence cannot be judged"));
    }
    let Some(dep) = input.dependence else {
        return Err(format!(
            "too little history to judge: fewer than {} trading days before the current window",
            super::dependence::MIN_DAYS
        ));
    };
    let deff_ref = dep.design_effect(input.reference_days, n);
    let deff_cur = dep.design_effect(input.current_days, m);
    let (n_eff, m_eff) = (n as f64 / deff_ref, m as f64 / deff_cur);
    // Second order: the scaled χ² with the PSI's null mean and variance under the panel's
    // dependence; its tail beyond the first-order one is carried over to the simulated null.
    let df = (live - 1) as f64;
    let moments = dep.psi_moments((input.reference_days, n), (input.current_days, m));
    let second = ScaledChi2::from_moments(moments.mean, moments.variance)
        .unwrap_or(ScaledChi2 { scale: 1.0 / n_eff + 1.0 / m_eff, df });
    // The covariances are estimated: each side's scale with a Bartlett estimate's degrees of
    // freedom, combined by Satterthwaite over the two sides' shares of the mean.
    let side_df = |days: usize, rows: u64| {
        if dep.is_iid_floor(days, rows) { f64::INFINITY } else { bartlett_df(dep.days(), dep.lags_for(days)) }
    };
    let (nu_r, nu_c) = (side_df(input.reference_days, n), side_df(input.current_days, m));
    let known = (moments.reference + moments.current).powi(2)
        / (moments.reference.powi(2) / nu_r + moments.current.powi(2) / nu_c);
    let second = second.predictive(known).ok_or("no F distribution")?;
    let first = ScaledChi2 { scale: 1.0 / n_eff + 1.0 / m_eff, df };
    let pi: Vec<f64> = input.reference.iter().map(|r| *r as f64 / n as f64).collect();
    let smallest = pi.iter().copied().filter(|p| *p > 0.0).fold(1.0, f64::min);
    let (null, mut p_value, mut critical, mut expected) = if n_eff.min(m_eff) * smallest >= 10.0 {
        let p = second.p_value(psi).ok_or("no χ² distribution")?;
        let c = second.critical(input.alpha).ok_or("no χ² distribution")?;
        (NullMethod::RaoScottChi2, p, c, moments.mean)
    } else {
        let tail = match (second.critical(input.alpha), first.critical(input.alpha)) {
            (Some(s), Some(f)) if f > 0.0 => (s / f).max(1.0),
            _ => 1.0,
        };
        let sims = simulate(&pi, n_eff, m_eff, input.epsilon);
        let above = sims.partition_point(|s| *s * tail < psi);
        let p = (1 + sims.len() - above) as f64 / (sims.len() + 1) as f64;
        let rank = (((1.0 - input.alpha) * (sims.len() + 1) as f64).ceil() as usize).clamp(1, sims.len());
        let mean = sims.iter().sum::<f64>() / sims.len() as f64;
        (NullMethod::Simulated, p, sims[rank - 1] * tail, mean)
    };
    let model_critical_psi = critical;
    let (mut history_windows, mut history_critical_psi) = (None, None);
    if let Some(h) = input.history
        && deff_cur >= HISTORY_MIN_DESIGN_EFFECT
        && let Some((p, c)) = h.test(psi, input.alpha)
    {
        history_windows = Some(h.windows);
        history_critical_psi = Some(c);
        p_value = p_value.max(p);
        if c > critical {
            critical = c;
            expected = h.mean;
        }
    }
    Ok(PanelSignificance {
        degrees_of_freedom: live - 1,
        p_value,
        critical_psi: critical,
        expected_psi: expected,
        effective_reference_rows: n_eff,
        effective_current_rows: m_eff,
        design_effect_reference: deff_ref,
        design_effect_current: deff_cur,
        null,
        history_windows,
        model_critical_psi,
        history_critical_psi,
    })
}

/// [`SIMULATION_DRAWS`] quantile-mode PSIs of two multinomial samples of (rounded) sizes
/// `n_eff` and `m_eff` from proportions `pi`, sorted.
fn simulate(pi: &[f64], n_eff: f64, m_eff: f64, epsilon: f64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(SIMULATION_SEED);
    let (n, m) = (n_eff.round().max(1.0) as u64, m_eff.round().max(1.0) as u64);
    let draw = |size: u64, rng: &mut ChaCha8Rng| -> Vec<u64> {
        let (mut left, mut mass) = (size, 1.0_f64);
        pi.iter()
            .map(|&p| {
                if left == 0 || p <= 0.0 {
                    return 0;
                }
                let share = (p / mass).clamp(0.0, 1.0);
                let k = Binomial::new(left, share).map_or(0, |b| b.sample(rng));
                left -= k;
                mass -= p;
                k
            })
            .collect()
    };
    let mut out: Vec<f64> = (0..SIMULATION_DRAWS)
        .map(|_| {
            let r = draw(n, &mut rng);
            let c = draw(m, &mut rng);
            psi_quantile(&r, &c, epsilon).psi.get()
        })
        .collect();
    out.sort_by(f64::total_cmp);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default windows (120 reference and 20 current days, 10 equal bins of 12,000 and
    /// 2,000 rows), α = 0.01 and ε = 1e-4, over `dep`.
    fn input(dep: &Dependence) -> PanelInput<'_> {
        PanelInput {
            reference: &[12_000; 10],
            current: &[2000; 10],
            reference_days: 120,
            current_days: 20,
            dependence: Some(dep),
            history: None,
            alpha: 0.01,
            epsilon: 1e-4,
        }
    }

    #[test]
    fn critical_value_matches_chi2_table() {
        // χ²_{0.99}(9) = 21.666 (standard table); with n = m = 1000 the scale is 0.002.
        let s = significance(0.0, 1000, 1000, 10, 0.01).unwrap();
        assert_eq!(s.degrees_of_freedom, 9);
        assert!((s.critical_psi / 0.002 - 21.665_994_333_461_92).abs() < 1e-6);
        // χ²_{0.95}(1) = 3.841459
        let s = significance(0.0, 1, 1, 2, 0.05).unwrap();
        assert!((s.critical_psi / 2.0 - 3.841_458_820_694_124).abs() < 1e-6);
    }

    #[test]
    fn p_value_at_the_critical_psi_is_alpha() {
        let s = significance(0.0, 500, 800, 10, 0.01).unwrap();
        let at = significance(s.critical_psi, 500, 800, 10, 0.01).unwrap();
        assert!((at.p_value - 0.01).abs() < 1e-9);
    }

    #[test]
    fn zero_psi_has_p_value_one() {
        assert!((significance(0.0, 10, 10, 5, 0.01).unwrap().p_value - 1.0).abs() < 1e-12);
    }

    fn uniform_daily(days: usize, per_day: u64, bins: usize) -> Vec<Vec<u64>> {
        // Deterministic, nearly independent rows: each day a rotation of an even spread.
        (0..days)
            .map(|d| {
                let mut c = vec![per_day / bins as u64; bins];
                c[d % bins] += per_day % bins as u64;
                c
            })
            .collect()
    }

    #[test]
    fn a_one_day_window_is_undefined_not_an_error() {
        let dep = Dependence::estimate(&uniform_daily(40, 100, 4), 40).unwrap();
        let input = PanelInput {
            reference: &[100, 100, 100, 100],
            current: &[25, 25, 25, 25],
            reference_days: 4,
            current_days: 1,
            ..input(&dep)
        };
        let e = panel(0.1, &input).unwrap_err();
        assert!(e.contains("one trading day"), "{e}");
        let e = panel(0.1, &PanelInput { current_days: 2, dependence: None, ..input }).unwrap_err();
        assert!(e.contains("too little history"), "{e}");
    }

    #[test]
    fn small_effective_sizes_are_simulated_with_the_epsilon_rule() {
        // A day-constant feature: 20 current days of 100 identical rows are 20 draws. The null
        // mean PSI of 20 against 120 draws in 10 bins with ε = 1e-4 is far above χ²'s 0.55.
        use rand::Rng as _;
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut daily = Vec::new();
        for _ in 0..200 {
            let mut c = vec![0_u64; 10];
            c[rng.random_range(0..10)] = 100;
            daily.push(c);
        }
        let dep = Dependence::estimate(&daily, 200).unwrap();
        let input = PanelInput { reference: &[1200; 10], current: &[200; 10], ..input(&dep) };
        let s = panel(0.0, &input).unwrap();
        assert_eq!(s.null, NullMethod::Simulated);
        assert!(s.design_effect_current > 50.0, "{s:?}");
        assert!(s.expected_psi > 1.0, "{s:?}");
        assert!(s.critical_psi > s.expected_psi);
        // Deterministic: the same inputs, the same numbers.
        assert_eq!(panel(0.0, &input).unwrap(), s);
        assert!((s.p_value - 1.0).abs() < 1e-12);
    }

    #[test]
    fn large_effective_sizes_use_rao_scott_chi2() {
        let dep = Dependence::estimate(&uniform_daily(200, 1000, 10), 200).unwrap();
        let input = input(&dep);
        let s = panel(0.0, &input).unwrap();
        assert_eq!(s.null, NullMethod::RaoScottChi2);
        // Design effect 1 (the floor): exactly the iid test.
        let iid = significance(0.0, 120_000, 20_000, 10, 0.01).unwrap();
        assert!((s.critical_psi - iid.critical_psi).abs() < 1e-12, "{s:?}");
    }

    #[test]
    fn the_history_raises_the_critical_psi_when_the_past_swings_more() {
        // Rows of a day move together (every row of a day in one of two bins): dependent.
        use rand::Rng as _;
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let daily: Vec<Vec<u64>> = (0..200)
            .map(|_| {
                let mut c = vec![100_u64; 10];
                c[rng.random_range(0..10)] += 100;
                c
            })
            .collect();
        let dep = Dependence::estimate(&daily, 200).unwrap();
        let history = HistoryNull {
            mean: 0.2,
            variance: 0.01,
            windows: 300,
            root_mean: 0.2_f64.cbrt(),
            root_sd: 0.1,
            effective_windows: 11.0,
        };
        let input = PanelInput { history: Some(history), ..input(&dep) };
        let s = panel(0.3, &input).unwrap();
        assert_eq!(s.history_windows, Some(300));
        assert!((s.expected_psi - 0.2).abs() < 1e-12);
        // z = (∛0.3 − ∛0.2) / (0.1·√(1 + 1/11)) = 0.810 26; P(t(10) ≥ z) by scipy's stats.t.sf.
        assert!((s.p_value - 0.218_322_761_123_058_6).abs() < 1e-9, "{s:?}");
    }

    #[test]
    fn history_null_slides_over_the_days() {
        // Identical days: every past PSI is 0.
        let daily = vec![vec![5_u64, 5]; 40];
        assert_eq!(
            history_null(&daily, 10, 2, 1.0, 1e-4),
            Some(HistoryNull {
                mean: 0.0,
                variance: 0.0,
                windows: 29,
                root_mean: 0.0,
                root_sd: 0.0,
                // 40 days hold 40 / (10 + 2) disjoint window pairs.
                effective_windows: 40.0 / 12.0
            })
        );
        // Too few pairs for a 4-day window (needs 32).
        assert_eq!(history_null(&daily, 10, 4, 1.0, 1e-4), None);
    }

    #[test]
    fn undefined_with_one_bin_or_an_empty_side() {
        assert_eq!(significance(0.1, 10, 10, 1, 0.01), None);
        assert_eq!(significance(0.1, 0, 10, 5, 0.01), None);
    }
}
