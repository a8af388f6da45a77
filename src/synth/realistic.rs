//! The realistic market of `fixtures --market realistic`: a NEPSE that is not stationary, for
//! the studies that must hold on data as messy as the real one.
//!
//! The stationary generator ([`super::panel`]) draws every day from the same process, which
//! hides what breaks a drift test on real history: a dependence estimate that reads a trend as
//! correlation, a null blown up by one crash. This market adds, each imitating a real NEPSE
//! figure (2012–2026):
//!
//! | what | how | the real figure |
//! |---|---|---|
//! | listings grow | 40% of the symbols listed on the first day, the rest listed uniformly over the span | 44 symbols a day in 2012, 100–120 since 2019 |
//! | symbols leave | 8% of the symbols are suspended or delisted on a uniform day and never come back | suspensions and mergers of banks and finance companies (2016–2022 merger wave) |
//! | a turnover trend | the log volume level of every symbol rises by `ln 10` over ten years, and by up to +1.6 in a bull regime (built up and faded over weeks) | daily turnover grew about tenfold; it swells in bull runs (2021: NPR 10–20 bn a day against 1–3 bn in 2019) |
//! | bull and bear regimes | the market's mean daily return switches between bull (+0.20% ± 0.05%), sideways (0 ± 0.03%) and bear (−0.15% ± 0.04%), each regime lasting 60–300 trading days | 2016–2020 bear (1,880 → 1,100), 2020–2021 bull (1,200 → 3,200 in 13 months), 2021–2023 bear (−40%) |
//! | volatility regimes | the market's GARCH level scales by 0.75 (calm), 1.0 or 1.5 (storm), each lasting 40–160 days; a stock's own volatility by a third of that move | daily index volatility near 0.6% in calm years, 2–3% in 2020–2021 |
//! | a market closure | 35 trading days without trading, at a uniform point of the span but its last 300 days, reopening with a −4% day and 40 days of storm | the COVID-19 lockdown closure of March–May 2020 |
//! | corporate actions | about one symbol a month has a one-day price cut of 20–50%, beyond the circuit limit (bonus and right shares; the archive's prices are not adjusted) | bonus shares of 10–100% and right shares are routine for NEPSE banks and hydropower |
//! | bad prints | one row in 20,000 carries a close off by ×10 or ×0.1, on that row only | fat-finger and unit errors (paisa for rupees) in scraped archives |
//! | the circuit limit | every ordinary daily return is clipped to ±10% | NEPSE's daily circuit breaker for a stock |
//!
//! Everything is drawn from the seed: the same seed, the same market.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StudentT};

/// Trading days the market is closed (about seven weeks).
pub const CLOSURE_DAYS: usize = 35;

/// The market's path and conditions, per simulated trading day.
#[derive(Debug, Clone, Default)]
pub struct Market {
    /// The market factor's daily return.
    pub returns: Vec<f64>,
    /// The regime's mean daily return that day (0 in the stationary market but for the
    /// generator's constant drift).
    pub mean: Vec<f64>,
    /// The volatility scale of every stock that day (1 in the stationary market).
    pub vol_scale: Vec<f64>,
    /// The shift of every symbol's log volume that day (0 in the stationary market).
    pub liquidity: Vec<f64>,
}

/// What happens to one symbol over the span.
#[derive(Debug, Clone, Default)]
pub struct SymbolEvents {
    /// The first day (index into the simulated days) the symbol trades.
    pub listed: usize,
    /// The first day it no longer trades, if it leaves.
    pub delisted: Option<usize>,
    /// Days of a corporate action and the price factor applied (0.5–0.8).
    pub corporate: Vec<(usize, f64)>,
    /// Rows whose printed close is off by the factor (10 or 0.1).
    pub bad_prints: Vec<(usize, f64)>,
}

impl SymbolEvents {
    /// Whether the symbol trades on day `t`.
    #[must_use]
    pub fn trades(&self, t: usize) -> bool {
        t >= self.listed && self.delisted.is_none_or(|d| t < d)
    }

    /// The corporate action's price factor on day `t`, if any.
    #[must_use]
    pub fn corporate_factor(&self, t: usize) -> Option<f64> {
        self.corporate.iter().find(|(d, _)| *d == t).map(|(_, f)| *f)
    }

    /// The bad print's factor on day `t`, if any.
    #[must_use]
    pub fn bad_print(&self, t: usize) -> Option<f64> {
        self.bad_prints.iter().find(|(d, _)| *d == t).map(|(_, f)| *f)
    }
}

/// Trading days at the end of the span the closure never touches: the studies' as-of dates
/// sit there, and a reopening crash inside a current window is a real drift, not a false alarm.
pub const QUIET_END_DAYS: usize = 300;

/// The days of the closure: `CLOSURE_DAYS` consecutive indices uniform in `0..days` after
/// `warmup` and before the last [`QUIET_END_DAYS`] (so it may fall in the history, in the
/// dependence estimate's span or in a reference window); empty when the span is too short.
#[must_use]
pub fn closure(seed: u64, warmup: usize, days: usize) -> std::ops::Range<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC105_ED00);
    let latest = days.saturating_sub(QUIET_END_DAYS);
    if latest <= warmup + CLOSURE_DAYS {
        return 0..0;
    }
    let start = rng.random_range(warmup..latest - CLOSURE_DAYS);
    start..start + CLOSURE_DAYS
}

/// Regime lengths in trading days.
const REGIME_DAYS: std::ops::Range<usize> = 60..300;
const VOL_REGIME_DAYS: std::ops::Range<usize> = 40..160;

/// The realistic market over `n` trading days, the closure's reopening on day `reopen` (if
/// any) and `extra_mean[t]` added to the mean return (a bull run injected by a drift spec).
#[must_use]
pub fn market(seed: u64, n: usize, reopen: Option<usize>, extra_mean: &[f64]) -> Market {
    const A: f64 = 0.08;
    const B: f64 = 0.90;
    const VOL: f64 = 0.009;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4D41_524B);
    let t5 = StudentT::new(5.0).unwrap_or_else(|_| unreachable!());
    let t_scale = (3.0_f64 / 5.0).sqrt();
    // Mean-return regimes.
    let mut mean = Vec::with_capacity(n);
    let mut bull = Vec::with_capacity(n);
    while mean.len() < n {
        let len = rng.random_range(REGIME_DAYS);
        let (mu, is_bull) = match rng.random_range(0..3) {
            0 => (0.0020 + 0.0005 * (rng.random::<f64>() * 2.0 - 1.0), true),
            1 => (0.0003 * (rng.random::<f64>() * 2.0 - 1.0), false),
            _ => (-0.0015 + 0.0004 * (rng.random::<f64>() * 2.0 - 1.0), false),
        };
        mean.extend(std::iter::repeat_n(mu, len));
        bull.extend(std::iter::repeat_n(is_bull, len));
    }
    mean.truncate(n);
    bull.truncate(n);
    // Volatility regimes.
    let mut vol_scale = Vec::with_capacity(n);
    while vol_scale.len() < n {
        let len = rng.random_range(VOL_REGIME_DAYS);
        let s = [0.75, 1.0, 1.0, 1.5][rng.random_range(0..4)];
        vol_scale.extend(std::iter::repeat_n(s, len));
    }
    vol_scale.truncate(n);
    if let Some(r) = reopen {
        for v in vol_scale.iter_mut().skip(r).take(40) {
            *v = 1.5;
        }
    }
    // Liquidity: ln 10 over ten years (2,400 trading days), and a bull regime's swell, smoothed
    // so that turnover builds up and fades over weeks.
    let mut liquidity = Vec::with_capacity(n);
    let mut swell = 0.0_f64;
    for (t, is_bull) in bull.iter().enumerate() {
        swell += 0.05 * (if *is_bull { 1.6 } else { 0.0 } - swell);
        liquidity.push(10_f64.ln() * t as f64 / 2400.0 + swell);
    }
    // The market factor: GARCH(1,1) with Student-t(5) shocks around the regime's mean.
    let mut returns = Vec::with_capacity(n);
    let (mut var, mut last) = (VOL * VOL, 0.0_f64);
    for t in 0..n {
        let level = VOL * vol_scale[t];
        let omega = level * level * (1.0 - A - B);
        var = omega + A * last * last + B * var;
        let shock = var.sqrt() * t5.sample(&mut rng) * t_scale;
        last = shock;
        let mu = mean[t] + extra_mean.get(t).copied().unwrap_or(0.0);
        let r = if Some(t) == reopen { -0.04 } else { (mu + shock).clamp(-0.1, 0.1) };
        returns.push(r);
    }
    Market { returns, mean, vol_scale, liquidity }
}

/// Listing, leaving, corporate actions and bad prints of symbol `index` of `symbols` over `n`
/// simulated days, trading from `first` (the first day written).
#[must_use]
pub fn events(seed: u64, index: usize, symbols: usize, first: usize, n: usize) -> SymbolEvents {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0E7E_4750 ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let span = n.saturating_sub(first).max(1);
    // The first 40% of the symbols (in a shuffled order, so that sectors mix) trade from the
    // start; the rest list uniformly over the span.
    let rank = (index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D) % symbols.max(1) as u64;
    let listed = if (rank as f64) < 0.4 * symbols as f64 { 0 } else { first + rng.random_range(0..span) };
    let delisted = rng.random_bool(0.08).then(|| listed.max(first) + rng.random_range(0..span)).filter(|d| *d < n);
    // About one symbol a month (21 trading days) across about 100 symbols: each symbol a
    // corporate action with probability 1/2100 a day.
    let mut corporate = Vec::new();
    let mut bad_prints = Vec::new();
    for t in first.max(listed)..n {
        if rng.random_bool(1.0 / 2100.0) {
            corporate.push((t, rng.random_range(0.5..0.8)));
        }
        if rng.random_bool(1.0 / 20_000.0) {
            bad_prints.push((t, if rng.random_bool(0.5) { 10.0 } else { 0.1 }));
        }
    }
    SymbolEvents { listed, delisted, corporate, bad_prints }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_grow_and_some_symbols_leave() {
        let (symbols, first, n) = (200, 60, 2060);
        let ev: Vec<SymbolEvents> = (0..symbols).map(|i| events(7, i, symbols, first, n)).collect();
        let trading = |t: usize| ev.iter().filter(|e| e.trades(t)).count();
        let (start, end) = (trading(first), trading(n - 1));
        assert!((60..100).contains(&start), "{start} at the start");
        assert!(end > 2 * start, "{start} → {end}");
        let left = ev.iter().filter(|e| e.delisted.is_some()).count();
        assert!((4..35).contains(&left), "{left} left");
        // About one corporate action a month across 100 symbols: 2,000 days × 200 / 2,100.
        let actions: usize = ev.iter().map(|e| e.corporate.len()).sum();
        assert!((100..300).contains(&actions), "{actions} corporate actions");
    }

    #[test]
    fn the_market_has_regimes_a_trend_in_turnover_and_a_closure_shock() {
        let n = 2400;
        let m = market(3, n, Some(500), &[]);
        assert_eq!(m.returns[500], -0.04);
        assert!(m.returns.iter().all(|r| r.abs() <= 0.1));
        // Ten years of liquidity trend: ln 10, give or take a bull swell.
        assert!((m.liquidity[n - 1] - m.liquidity[0] - 10_f64.ln()).abs() < 1.7);
        // Storms and calm both occur.
        assert!(m.vol_scale.contains(&1.5) && m.vol_scale.contains(&0.75));
        // Bull and bear regimes, each lasting months.
        let bull = m.mean.iter().filter(|x| **x > 0.001).count();
        let bear = m.mean.iter().filter(|x| **x < -0.001).count();
        assert!(bull > 200 && bear > 200, "{bull} bull and {bear} bear days");
        let switches = m.mean.windows(2).filter(|w| w[0] != w[1]).count();
        assert!((n / 300..=n / 60).contains(&switches), "{switches} regime switches");
    }

    #[test]
    fn the_closure_falls_anywhere_but_the_quiet_end() {
        let starts: Vec<usize> = (0..200).map(|seed| closure(seed, 60, 2000).start).collect();
        assert!(starts.iter().all(|s| (60..2000 - QUIET_END_DAYS - CLOSURE_DAYS).contains(s)));
        // Both halves of the allowed range are used.
        assert!(starts.iter().any(|s| *s < 800) && starts.iter().any(|s| *s > 1200), "{starts:?}");
        assert_eq!(closure(5, 60, 2000).len(), CLOSURE_DAYS);
        assert!(closure(5, 60, 350).is_empty());
    }
}
