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
//!    Where it does not (the ε rule may then be in play, as for a day-constant feature whose 20 current days fill a few bins), the
//!    χ² approximation of a PSI with ε-replaced empty bins is far off (20 values in 10 bins have
//!    a null mean PSI near 1.4, not 0.5), so the null is simulated: [`SIMULATION_DRAWS`] pairs of multinomial samples of sizes `n_eff` and `m_eff`
//!    from the reference proportions, through exactly the same bin and ε rules, with a fixed
//!    seed. The critical PSI is the simulated `1−α` quantile and the p-value
//!    `(1 + #{simulated ≥ PSI}) / (draws + 1)`, both after scaling the simulated PSIs by the
//!    second-order tail factor `max(1, q₂/q₁)` (the ratio of the second- and first-order χ²
//!    critical values at a fixed 1%, so that the p-value does not depend on α). It costs about
//!    a millisecond per feature.
//! 2. **The feature's own history** ([`super::history::history_null`]): the PSI of every past window pair of the
//!    same shape (T days against the R days before them), over the same bins; its empirical
//!    `1−α` quantile is the critical PSI (see [`HistoryNull`] for why empirical, how outliers
//!    enter, and how few independent stretches a few years hold). This sees what the model
//!    cannot: long memory, the market's regimes and its trends.
//!
//! The model's covariances are estimated too: its χ² becomes an F whose second degrees of
//! freedom are those of the Bartlett estimates (`3D/2L` per side, Priestley), so a null
//! estimated from few days is wider.
//!
//! **Two calls, one null each** (see [`PanelSignificance`]):
//!
//! * `shifted` ⇔ `PSI > min(c_model, c_history, c_ordinary)` where the history decides `drifted`
//!   (`c_ordinary` the history's quantile with its most extreme past event set aside, see
//!   [`HistoryNull`]),
//!   `PSI > max(c_model, c_bound)` where a short history bounds the model (below), `c_model`
//!   alone otherwise: the current window is not where the reference
//!   was, beyond the sampling noise of windows of this size under short-range dependence. A
//!   slow market move (a bull run, a turnover boom) is a real shift and is called; it is what
//!   retraining is for. The history bounds the model from above: its past pairs hold the
//!   sampling noise *and* the market's regimes, so a model null wider than the history's
//!   overstates the noise (the local estimate still holds some regime variation, and its F
//!   correction is wide with few days), and the history's quantile is used instead. It follows
//!   that every drift is also a shift (of the level view: a within-day drift, see
//!   [`super::within_day`], need not be).
//! * `drifted` ⇔ `PSI > c_history` (and the PSI at least `moderate`; where the within-day view
//!   applies, [`super::history::joint_test`] replaces this with its joint test of both views
//!   after this module): this pair of windows is
//!   unusual for this market, whose own past pairs already hold its regimes and trends. The
//!   model decides `drifted` only when the history cannot: fewer than
//!   [`super::history::HISTORY_MIN_STRETCHES`] disjoint pairs, or a feature whose rows are close to independent
//!   (current design effect below [`HISTORY_MIN_DESIGN_EFFECT`]), where the model's null is
//!   close to exact.
//! * A history of 3 to 6 disjoint pairs cannot decide, but it still bounds a dependent
//!   feature's calls: both then need the PSI beyond the larger of the model's critical PSI and
//!   the history's prediction bound for one more pair (`model_and_short_history`, see
//!   [`HistoryNull::short_bound`]): the model's Gaussian tail alone left the stationary study's
//!   GARCH-storm features (`volatility_20d`) at 4.4% false alarms.
//!
//! Where the history decides, no null can decide the other call, so a broken half cannot silence
//! the page (a short history can: there both calls are conservative by design): before, the
//! larger of the two critical PSIs decided a single call, and a model null widened by a
//! trending history (design effects in the hundreds on real NEPSE turnover) made it deaf.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor};

use super::dependence::Dependence;
#[cfg(test)]
use super::history::HISTORY_MIN_STRETCHES;
use super::history::HistoryNull;
use super::psi::psi_quantile;
use crate::result::{DriftNull, NullMethod};

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

/// The level at which the simulated null's second-order tail factor `max(1, q₂/q₁)` is taken:
/// fixed, so that a p-value is the same whatever α is asked for.
const TAIL_LEVEL: f64 = 0.01;

/// Multinomial draws of the simulated null at small effective sizes.
pub const SIMULATION_DRAWS: usize = 4000;

/// The simulation's fixed seed: the same inputs give the same call on every run.
const SIMULATION_SEED: u64 = 0x6e65_7073_6520_6466;

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

/// The current window's design effect from which the feature counts as dependent and its
/// history decides `drifted`. Below it the rows behave as independent: the model's null is then
/// (close to) exact and the history, from a handful of independent stretches, would only add
/// noise.
pub const HISTORY_MIN_DESIGN_EFFECT: f64 = 2.0;

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
    pub history: Option<&'a HistoryNull>,
    /// Significance level.
    pub alpha: f64,
    /// The quantile mode's ε.
    pub epsilon: f64,
}

/// The dependence-aware significance of one PSI: the two calls' nulls.
///
/// * `shifted` (is the current window where the reference was, up to sampling noise under the
///   panel's short-range dependence?) is decided by the dependence model, bounded above by the
///   history where the history decides `drifted` (by its ordinary history when an
///   extraordinary past event is set aside, see [`HistoryNull`]): [`Self::shift_p_value`],
///   [`Self::shift_critical_psi`] (the smaller critical PSI, and that null's p-value).
/// * `drifted` (is this pair of windows unusual for this market's own history?) is decided by
///   the history when it holds at least [`super::history::HISTORY_MIN_STRETCHES`] independent stretches and the
///   feature is dependent, else by the model: [`Self::p_value`], [`Self::critical_psi`],
///   [`Self::drift_null`].
///
/// No broken half can decide: a model widened by a regime cannot silence the page (the
/// history decides `drifted`) nor the ticket (the history bounds it), and a crash in the
/// past moves the history's empirical quantile only by its share of the pairs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PanelSignificance {
    /// Bins taking part − 1.
    pub degrees_of_freedom: usize,
    /// The p-value of the null that decides `drifted`.
    pub p_value: f64,
    /// The critical PSI at α of the null that decides `drifted`.
    pub critical_psi: f64,
    /// Which null that is.
    pub drift_null: DriftNull,
    /// The p-value of the null whose critical PSI decides `shifted`: the model's, or the
    /// (ordinary) history's where that is smaller.
    pub shift_p_value: f64,
    /// The critical PSI at α that decides `shifted`: the smaller of the model's and the
    /// history's, or the ordinary history's when it has one (the history's only where it
    /// decides `drifted`).
    pub shift_critical_psi: f64,
    /// The mean PSI under no drift of the dependence model: the sampling-noise floor.
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
    /// Past window pairs in the history's null, when the source held any.
    pub history_windows: Option<usize>,
    /// The disjoint stretches (independent window pairs) the history rests on.
    pub history_stretches: Option<usize>,
    /// The history's critical PSI, when its small-sample rule allows a test (whether or not
    /// it decides); with a short history, its prediction bound.
    pub history_critical_psi: Option<f64>,
    /// The history's p-value, likewise.
    pub history_p_value: Option<f64>,
    /// Whether the history passed its own small-sample rule and tested the PSI (the two
    /// fields above are then its empirical quantile and rank p-value, not a short history's
    /// bound): the dataset-level call calibrates only on such a history.
    pub history_tested: bool,
    /// The ordinary history's critical PSI (its extraordinary past event set aside, see
    /// [`HistoryNull`]), never above the history's: the bound of `shifted` where the history
    /// decides, when there is such an event and the rest passes the small-sample rule.
    pub ordinary_history_critical_psi: Option<f64>,
    /// The dependence model's own p-value.
    pub model_p_value: f64,
    /// The dependence model's own critical PSI.
    pub model_critical_psi: f64,
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
    // The scaled χ² wherever every bin holds enough effective rows; elsewhere the simulated
    // null, which carries the ε rule of small samples (taking the χ² whenever no observed bin
    // was materially empty, tried, left the stationary study at 2–5% false alarms).
    let (null, shift_p_value, shift_critical_psi, expected_psi) = if n_eff.min(m_eff) * smallest >= 10.0 {
        let p = second.p_value(psi).ok_or("no χ² distribution")?;
        let c = second.critical(input.alpha).ok_or("no χ² distribution")?;
        (NullMethod::RaoScottChi2, p, c, moments.mean)
    } else {
        // At a fixed level, so that the p-value does not depend on the α asked for.
        let tail = match (second.critical(TAIL_LEVEL), first.critical(TAIL_LEVEL)) {
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
    if !(shift_p_value.is_finite() && shift_critical_psi.is_finite() && expected_psi.is_finite()) {
        return Err("the dependence model's null is undefined (a degenerate covariance)".to_owned());
    }
    let model = (shift_p_value, shift_critical_psi);
    // The history's test, when its small-sample rule allows one; it decides only for a
    // dependent feature (for rows close to independent the model's null is close to exact).
    let history = input.history.and_then(|h| h.test(psi, input.alpha));
    let deciding = history.filter(|_| deff_cur >= HISTORY_MIN_DESIGN_EFFECT);
    // A history too short to decide still bounds a dependent feature's calls: the model's
    // Gaussian tail misses a heavy-tailed market's storms (see `HistoryNull::short_bound`).
    let short =
        input.history.filter(|_| deff_cur >= HISTORY_MIN_DESIGN_EFFECT).and_then(|h| h.short_bound(psi, input.alpha));
    let (drift_null, p_value, critical_psi) = match (deciding, short) {
        (Some((p, c)), _) => (DriftNull::History, p, c),
        (None, Some((p, c))) => (DriftNull::ModelAndShortHistory, p.max(model.0), c.max(model.1)),
        (None, None) => (DriftNull::Model, model.0, model.1),
    };
    // Sampling noise cannot be wider than everything the market's own past pairs show (their
    // PSIs hold the noise and the regimes): where the model's null is, it overstates, and the
    // history's decides `shifted` instead (its p-value with it). So a drift is always a shift.
    // With a short history both calls take the larger of the model and the bound.
    // The bound is the ordinary history's where it has one (the most extreme past event is not
    // sampling noise: see `HistoryNull`'s docs), never wider than all the pairs'.
    let ordinary = input
        .history
        .and_then(|h| h.ordinary_test(psi, input.alpha))
        .map(|o| history.filter(|all| all.1 < o.1).unwrap_or(o));
    let (shift_p_value, shift_critical_psi) = match (deciding, short) {
        (Some(all), _) => {
            [model, ordinary.unwrap_or(all)].into_iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap_or(model)
        }
        (None, Some(_)) => (p_value, critical_psi),
        (None, None) => model,
    };
    Ok(PanelSignificance {
        degrees_of_freedom: live - 1,
        p_value,
        critical_psi,
        drift_null,
        shift_p_value,
        shift_critical_psi,
        expected_psi,
        effective_reference_rows: n_eff,
        effective_current_rows: m_eff,
        design_effect_reference: deff_ref,
        design_effect_current: deff_cur,
        null,
        history_windows: input.history.map(HistoryNull::windows),
        history_stretches: input.history.map(|h| h.effective_windows),
        history_critical_psi: history.or(short).map(|(_, c)| c),
        history_p_value: history.or(short).map(|(p, _)| p),
        history_tested: history.is_some(),
        ordinary_history_critical_psi: ordinary.map(|(_, c)| c),
        model_p_value: model.0,
        model_critical_psi: model.1,
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
    use crate::test_support::leaning_days;

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
        // The current window's 20 days left a decile empty: the ε rule is in play.
        let input = PanelInput {
            reference: &[1200; 10],
            current: &[0, 200, 300, 200, 200, 200, 200, 300, 200, 200],
            ..input(&dep)
        };
        let s = panel(0.0, &input).unwrap();
        assert_eq!(s.null, NullMethod::Simulated);
        assert!(s.design_effect_current > 50.0, "{s:?}");
        assert!(s.expected_psi > 0.8, "{s:?}");
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
    fn one_past_event_sets_drifted_but_not_the_bound_of_shifted() {
        let dep = Dependence::estimate(&leaning_days(200, 5), 200).unwrap();
        // 2,000 past pairs in day order over 0.0000…0.0099, one event's 40 pairs at 5.0.
        let mut pairs: Vec<f64> = (0..2000).map(|i| f64::from(i % 100) / 10_000.0).collect();
        pairs[1000..1040].fill(5.0);
        let history = HistoryNull::of_day_ordered_pairs(pairs, 120, 20);
        let input = PanelInput { history: Some(&history), ..input(&dep) };
        let s = panel(0.5, &input).unwrap();
        // `drifted`: every pair, so the event sets the quantile and 0.5 is not unusual.
        assert_eq!(s.drift_null, DriftNull::History);
        assert_eq!(s.critical_psi, 5.0);
        // `shifted`: the event set aside (the 1,721 pairs sharing no day with pair 1,039), the
        // bound is the ordinary pairs' 99% quantile, 0.00988 (numpy), under the model's.
        let (_, ordinary) = history.ordinary_test(0.5, 0.01).unwrap();
        assert!((ordinary - 0.00988).abs() < 1e-12 && ordinary < s.model_critical_psi, "{ordinary} {s:?}");
        assert_eq!((s.shift_critical_psi, s.ordinary_history_critical_psi), (ordinary, Some(ordinary)));
        // Without the order of the pairs there is no ordinary history: the bound is all pairs'.
        let unordered = HistoryNull::new(
            (0..2000).map(|i| if (1000..1040).contains(&i) { 5.0 } else { f64::from(i % 100) / 10_000.0 }).collect(),
            14,
        );
        let s = panel(0.5, &PanelInput { history: Some(&unordered), ..input }).unwrap();
        assert_eq!(s.ordinary_history_critical_psi, None);
        assert_eq!(s.shift_critical_psi, s.model_critical_psi);
        // An event set aside whose neighbours were quiet: the pairs left have a higher quantile
        // than all of them, and the bound stays all pairs' (never wider than the history).
        // (numpy: 0.0098001 over all pairs, 0.009818 over the pairs left.)
        let mut quiet: Vec<f64> = (0..2000).map(|i| f64::from(i % 1000) / 100_000.0).collect();
        quiet[880..1180].fill(0.0);
        quiet[1039] = 5.0;
        let history = HistoryNull::of_day_ordered_pairs(quiet, 120, 20);
        let (all, raw) = (history.test(0.5, 0.01).unwrap().1, history.ordinary_test(0.5, 0.01).unwrap().1);
        assert!((all - 0.009_800_1).abs() < 1e-12 && (raw - 0.009_818).abs() < 1e-12, "{all} {raw}");
        assert!(all < s.model_critical_psi);
        let s = panel(0.5, &PanelInput { history: Some(&history), ..input }).unwrap();
        assert_eq!((s.shift_critical_psi, s.ordinary_history_critical_psi), (all, Some(all)));
    }

    #[test]
    fn the_history_decides_drifted_and_the_model_shifted() {
        let dep = Dependence::estimate(&leaning_days(200, 5), 200).unwrap();
        // 300 past pairs with PSIs 0.001, 0.002, …, 0.300, worth 11 stretches.
        let history = HistoryNull::new((1..=300).map(|i| f64::from(i) / 1000.0).collect(), 11);
        let input = PanelInput { history: Some(&history), ..input(&dep) };
        let s = panel(0.2905, &input).unwrap();
        assert_eq!(s.drift_null, DriftNull::History);
        assert_eq!((s.history_windows, s.history_stretches), (Some(300), Some(11)));
        // Ten past PSIs are at least 0.2905 (0.291 … 0.300): p = 11/301. The 99% quantile:
        // numpy.quantile(np.arange(1, 301) / 1000, 0.99) = 0.297 01.
        assert!((s.p_value - 11.0 / 301.0).abs() < 1e-15, "{s:?}");
        assert!((s.critical_psi - 0.297_01).abs() < 1e-12, "{s:?}");
        assert_eq!(s.history_p_value, Some(s.p_value));
        assert!(s.history_tested);
        // Without the history, the model decides both calls.
        let alone = panel(0.2905, &PanelInput { history: None, ..input }).unwrap();
        assert_eq!(alone.drift_null, DriftNull::Model);
        assert_eq!((alone.p_value, alone.critical_psi), (alone.shift_p_value, alone.shift_critical_psi));
        // With it, the shift's critical PSI is the smaller of the two, its p-value the smaller.
        assert_eq!(s.shift_critical_psi, alone.shift_critical_psi.min(0.297_01));
        assert!((s.shift_p_value - alone.shift_p_value.min(11.0 / 301.0)).abs() < 1e-15);
        // A model narrower than the history keeps the shift's call.
        let wide = HistoryNull::new((1..=300).map(f64::from).collect(), 11);
        let s = panel(0.2905, &PanelInput { history: Some(&wide), ..input }).unwrap();
        assert_eq!((s.shift_p_value, s.shift_critical_psi), (alone.shift_p_value, alone.shift_critical_psi));
        // Too few stretches to decide: both calls need the larger of the model's critical PSI
        // and the short history's prediction bound.
        let short = HistoryNull::new((1..=300).map(f64::from).collect(), HISTORY_MIN_STRETCHES - 1);
        let s = panel(0.3, &PanelInput { history: Some(&short), ..input }).unwrap();
        let (p, bound) = short.short_bound(0.3, 0.01).unwrap();
        assert_eq!(s.drift_null, DriftNull::ModelAndShortHistory);
        assert!(!s.history_tested, "a bound, not the history's own test");
        assert_eq!((s.history_critical_psi, s.history_p_value), (Some(bound), Some(p)));
        assert_eq!(s.critical_psi, bound.max(s.model_critical_psi));
        assert_eq!(s.p_value, p.max(s.model_p_value));
        assert_eq!((s.shift_p_value, s.shift_critical_psi), (s.p_value, s.critical_psi));
        // Two stretches say nothing (a t with one degree of freedom bounds nothing): the
        // model decides.
        let one = HistoryNull::new((1..=300).map(f64::from).collect(), 2);
        let s = panel(0.3, &PanelInput { history: Some(&one), ..input }).unwrap();
        assert_eq!((s.drift_null, s.history_critical_psi), (DriftNull::Model, None));
        // Too few pairs for α, with enough stretches: the model decides.
        let few = HistoryNull::new((1..=199).map(f64::from).collect(), 20);
        assert_eq!(panel(0.3, &PanelInput { history: Some(&few), ..input }).unwrap().drift_null, DriftNull::Model);
    }

    #[test]
    fn undefined_with_one_bin_or_an_empty_side() {
        assert_eq!(significance(0.1, 10, 10, 1, 0.01), None);
        assert_eq!(significance(0.1, 0, 10, 5, 0.01), None);
    }
}
