//! A deterministic synthetic NEPSE panel: simulated price and volume paths per symbol, the
//! default feature set computed from them, a model's predictions correlated with the next day,
//! and the outcomes observed on the next trading day. Same seed and arguments, same bytes.
//!
//! The simulation, per symbol: a market factor `m_t ~ N(0.0002, 0.009²)` shared by all; a
//! stock return `r_t = β·m_t + σ_t·ε_t` with Student-t(5) innovations and GARCH(1,1)-like
//! volatility clustering; a log-volume AR(1) that reacts to `|ε_t|`. Features are computed from
//! those paths exactly as an analyst would (Wilder's RSI, MACD histogram, SMA distance, …).

use chrono::{Datelike, Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, StudentT};

use super::names::{FEATURES, TICKERS};
use super::realistic::{self, Market, SymbolEvents};
use super::spec::{Change, DriftSpec};
use crate::calendar::is_trading_weekday;
use crate::load::{OutColumn, WriteError, parquet_bytes};

/// Public holidays dropped from the Sunday–Thursday calendar (2026: New Year, Labour Day,
/// Republic Day, Dashain, Tihar).
const HOLIDAYS: &[&str] = &[
    "2026-04-14",
    "2026-05-01",
    "2026-05-28",
    "2026-10-19",
    "2026-10-20",
    "2026-10-21",
    "2026-10-22",
    "2026-11-09",
    "2026-11-10",
    "2026-11-11",
];

/// Trading days simulated before `start` so that 50-day features are defined on day one.
const WARMUP: usize = 60;

/// The model name in the predictions.
pub const MODEL_VERSION: &str = "xgb-2026.03";

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelSpec {
    /// RNG seed.
    pub seed: u64,
    /// First trading day written.
    pub start: NaiveDate,
    /// Last trading day written.
    pub end: NaiveDate,
    /// Number of symbols.
    pub symbols: usize,
    /// Injected drift, if any.
    pub drift: Option<DriftSpec>,
    /// Also write predictions and outcomes.
    pub with_predictions: bool,
    /// The model version live from each release day (`None`: from the start), in order.
    pub versions: Vec<(Option<NaiveDate>, String)>,
    /// Which market: stationary, or realistic (see [`super::realistic`]).
    pub market: MarketKind,
}

/// The market a panel is drawn from (`fixtures --market`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum MarketKind {
    /// Every day from the same process: a GARCH market, a fixed universe.
    #[default]
    #[value(help = "Every day from the same process (the committed fixtures)")]
    Stationary,
    /// Listings growth, a turnover trend, regimes, a closure, corporate actions, bad prints.
    #[value(help = "A non-stationary NEPSE: growth, regimes, a closure, corporate actions, bad prints")]
    Realistic,
}

impl PanelSpec {
    /// Whether `start..=end` holds a trading day of the synthetic calendar (Sunday–Thursday
    /// without its holidays): without one there is nothing to generate.
    #[must_use]
    pub fn has_trading_day(&self) -> bool {
        let (days, warm) = calendar(self.start, self.end);
        days[warm..].iter().any(|d| *d <= self.end)
    }

    /// The names of the files [`generate`] makes.
    #[must_use]
    pub fn file_names(&self) -> &'static [&'static str] {
        if self.with_predictions {
            &["features.parquet", "predictions.parquet", "outcomes.parquet"]
        } else {
            &["features.parquet"]
        }
    }

    /// The model version predicting on `day`.
    fn version_on(&self, day: NaiveDate) -> &str {
        self.versions
            .iter()
            .rev()
            .find(|(from, _)| from.is_none_or(|f| f <= day))
            .map_or(MODEL_VERSION, |(_, v)| v.as_str())
    }
}

/// Trading days from `start` back-padded with [`WARMUP`] days, Sunday–Thursday minus holidays.
fn calendar(start: NaiveDate, end: NaiveDate) -> (Vec<NaiveDate>, usize) {
    let holidays: Vec<NaiveDate> = HOLIDAYS.iter().filter_map(|h| h.parse().ok()).collect();
    let is_open = |d: NaiveDate| is_trading_weekday(d) && !holidays.contains(&d);
    let mut warm = Vec::new();
    let mut d = start;
    while warm.len() < WARMUP {
        d = d - Days::new(1);
        if is_open(d) {
            warm.push(d);
        }
    }
    warm.reverse();
    let mut days = warm;
    let mut d = start;
    // One extra day past `end` carries the last day's next-day return (never written).
    let mut extra = 0;
    while d <= end || extra == 0 {
        if is_open(d) {
            if d > end {
                extra = 1;
            }
            days.push(d);
        }
        d = d + Days::new(1);
    }
    (days, WARMUP)
}

/// The symbols and sectors for `n` symbols (suffixing tickers past the list).
fn universe(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let (t, s) = TICKERS[i % TICKERS.len()];
            let round = i / TICKERS.len();
            let name = if round == 0 { t.to_owned() } else { format!("{t}{}", round + 1) };
            (name, s.to_owned())
        })
        .collect()
}

/// One symbol's simulated paths and features over the whole calendar (features `None` on the
/// days it does not trade).
struct SymbolPath {
    features: Vec<[Option<f64>; 11]>,
    next_return: Vec<f64>,
    z_next: Vec<f64>,
}

#[allow(clippy::too_many_lines)]
#[allow(clippy::many_single_char_names)] // t, k, r, e, z: the day, the age, the return, its shock
fn simulate(rng: &mut ChaCha8Rng, market: &Market, sector: &str, events: &SymbolEvents) -> SymbolPath {
    let n = market.returns.len();
    let t5 = StudentT::new(5.0).unwrap_or_else(|_| unreachable!());
    let unit = Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!());
    let t_scale = (3.0_f64 / 5.0).sqrt(); // Student-t(5) has variance 5/3.
    let hydro = sector == "Hydropower";
    let beta = rng.random_range(0.6..1.3);
    let base_vol: f64 = if hydro { rng.random_range(0.02..0.035) } else { rng.random_range(0.01..0.025) };
    let mut price: f64 = rng.random_range(150.0..1200.0);
    let loss_making = rng.random_bool(0.12);
    let target_pe: f64 = rng.random_range(8.0..45.0);
    let mut eps: f64 = if loss_making { -1.0 } else { price / target_pe };
    let log_vol_mean: f64 = rng.random_range(8.5..12.0);
    let mut log_vol = log_vol_mean;
    let mut var = base_vol * base_vol;
    let mut last_eps = 0.0_f64;
    let (mut ema12, mut ema26, mut signal) = (price, price, 0.0_f64);
    let (mut avg_gain, mut avg_loss) = (0.0_f64, 0.0_f64);
    let mut prices = Vec::with_capacity(n);
    let mut volumes = Vec::with_capacity(n);
    let mut returns = Vec::with_capacity(n);
    let mut z = vec![0.0; n];
    let mut features = vec![[None; 11]; n];
    let from = events.listed.min(n);
    // `t` is the calendar's day, `k` the symbol's age in trading days (its series start at
    // listing, so a new listing's rolling features are undefined for its first weeks).
    for (k, t) in (from..n).enumerate() {
        let m = market.returns[t];
        var = 0.25 * base_vol * base_vol + 0.65 * var + 0.10 * last_eps * last_eps;
        // A market storm widens a stock's own moves too, by a third as much.
        let sigma = var.sqrt() * (1.0 + (market.vol_scale[t] - 1.0) / 3.0);
        let e: f64 = t5.sample(rng) * t_scale;
        let r = match events.corporate_factor(t) {
            // A bonus or right share: the unadjusted price drops beyond the circuit limit.
            Some(factor) => factor - 1.0,
            None => (beta * m + sigma * e).clamp(-0.1, 0.1), // NEPSE's ±10% circuit breaker.
        };
        last_eps = sigma * e;
        let prev = price;
        price *= 1.0 + r;
        log_vol = log_vol_mean + 0.6 * (log_vol - log_vol_mean) + 0.35 * e.abs() + 0.45 * unit.sample(rng);
        let volume = (log_vol + market.liquidity[t]).exp();
        prices.push(price);
        volumes.push(volume);
        returns.push(r);
        z[t] = e;
        // Indicators.
        ema12 += (2.0 / 13.0) * (price - ema12);
        ema26 += (2.0 / 27.0) * (price - ema26);
        let macd = ema12 - ema26;
        signal += (2.0 / 10.0) * (macd - signal);
        let (gain, loss) = (r.max(0.0) * prev, (-r).max(0.0) * prev);
        if k < 14 {
            avg_gain += gain / 14.0;
            avg_loss += loss / 14.0;
        } else {
            avg_gain = (avg_gain * 13.0 + gain) / 14.0;
            avg_loss = (avg_loss * 13.0 + loss) / 14.0;
        }
        // A bad print corrupts this row's close only: what the row's price features see.
        let printed = price * events.bad_print(t).unwrap_or(1.0);
        let ret_k = |lag: usize| (k >= lag).then(|| printed / prices[k - lag] - 1.0);
        let vol20 = (k >= 20).then(|| std_dev(&returns[k + 1 - 20..=k]));
        let vol_ratio = (k >= 19).then(|| volume / (volumes[k + 1 - 20..=k].iter().sum::<f64>() / 20.0));
        let sma50 = (k >= 49).then(|| prices[k + 1 - 50..=k].iter().sum::<f64>() / 50.0);
        let rsi = (k >= 14).then(|| if avg_loss == 0.0 { 100.0 } else { 100.0 - 100.0 / (1.0 + avg_gain / avg_loss) });
        if k % 60 == 0 && !loss_making {
            eps = price / target_pe; // quarterly results re-anchor earnings to the price
        }
        let pe = if eps <= 0.0 {
            None
        } else if rng.random_bool(0.02) {
            Some(f64::NAN) // a missing filing
        } else {
            Some(printed / eps)
        };
        features[t] = [
            ret_k(1),
            ret_k(5),
            ret_k(20),
            vol20,
            rsi,
            Some((macd - signal) / price),
            vol_ratio,
            Some((volume * printed).ln()),
            sma50.map(|s| printed / s - 1.0),
            Some(m.exp_m1()),
            pe,
        ];
    }
    let ret_on = |t: usize| t.checked_sub(from).and_then(|k| returns.get(k)).copied();
    let next_return = (0..n).map(|t| ret_on(t + 1).unwrap_or(0.0)).collect();
    let z_next = (0..n).map(|t| z.get(t + 1).copied().unwrap_or(0.0)).collect();
    SymbolPath { features, next_return, z_next }
}

fn std_dev(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// The market factor as a real market draws it: a GARCH(1,1) index return with Student-t(5)
/// innovations, `m_t = μ + σ_t·z_t`, `σ²_t = ω + a·(m_{t−1} − μ)² + b·σ²_{t−1}` with
/// `μ = 0.0002`, `a = 0.08`, `b = 0.90` and `ω` set so that the unconditional volatility is 0.9%
/// a day. Nothing is stratified: a 20-day window may catch a calm fortnight or a storm, a bull
/// or a bear run, as NEPSE's do, and a drift test has to live with that.
fn market_returns(seed: u64, n: usize) -> Vec<f64> {
    const MU: f64 = 0.0002;
    const VOL: f64 = 0.009;
    const A: f64 = 0.08;
    const B: f64 = 0.90;
    let omega = VOL * VOL * (1.0 - A - B);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let t5 = StudentT::new(5.0).unwrap_or_else(|_| unreachable!());
    let t_scale = (3.0_f64 / 5.0).sqrt(); // Student-t(5) has variance 5/3.
    let mut var = VOL * VOL;
    let mut last = 0.0_f64;
    // A burn-in year, so the first day written is not always calm.
    let burn = 250;
    let mut out = Vec::with_capacity(n);
    for t in 0..n + burn {
        var = omega + A * last * last + B * var;
        let shock = var.sqrt() * t5.sample(&mut rng) * t_scale;
        last = shock;
        if t >= burn {
            out.push((MU + shock).clamp(-0.1, 0.1));
        }
    }
    out
}

/// Why a panel could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A drift change that cannot apply to the panel.
    #[error("{0}")]
    Spec(String),
    /// Writing a file failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Rows of the panel, column-wise.
#[derive(Default)]
struct Panel {
    as_of: Vec<NaiveDate>,
    symbol: Vec<String>,
    sector: Vec<String>,
    features: Vec<Vec<Option<f64>>>,
    proba: Vec<f64>,
    next_up: Vec<bool>,
    next_day: Vec<Option<NaiveDate>>,
}

/// The files of a generated panel: `(file name, Parquet bytes)`.
pub type PanelFiles = Vec<(&'static str, Vec<u8>)>;

/// Generates the panel: its row count and its files, `features.parquet`, and with predictions
/// `predictions.parquet` and `outcomes.parquet` (see [`PanelSpec::file_names`]), encoded for the
/// caller to write.
///
/// # Errors
/// [`SynthError::Spec`] for a drift change that cannot apply, [`WriteError`] when a file cannot be
/// encoded.
pub fn generate(spec: &PanelSpec) -> Result<(u64, PanelFiles), SynthError> {
    let (mut days, first) = calendar(spec.start, spec.end);
    let realistic = spec.market == MarketKind::Realistic;
    // The closure's days are taken out of the calendar: no row, and the rolling features run on
    // across the gap, as an analyst's would on trading days.
    let closed = if realistic { realistic::closure(spec.seed, first, days.len()) } else { 0..0 };
    let reopen = (!closed.is_empty()).then_some(closed.start);
    days.drain(closed);
    let last = days.len() - 1; // the extra day past `end`
    let extra: Vec<f64> = days.iter().map(|d| spec.drift.as_ref().map_or(0.0, |s| s.market_mean(*d))).collect();
    let market = if realistic {
        realistic::market(spec.seed, days.len(), reopen, &extra)
    } else {
        let returns: Vec<f64> = market_returns(spec.seed, days.len()).iter().zip(&extra).map(|(r, x)| r + x).collect();
        Market { returns, mean: extra, vol_scale: vec![1.0; days.len()], liquidity: vec![0.0; days.len()] }
    };
    let mut panel = Panel { features: vec![Vec::new(); FEATURES.len()], ..Panel::default() };
    let noise = Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!());
    for (i, (symbol, sector)) in universe(spec.symbols).into_iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ (0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(i as u64 + 1)));
        let events = if realistic {
            realistic::events(spec.seed, i, spec.symbols, first, days.len())
        } else {
            SymbolEvents::default()
        };
        let path = simulate(&mut rng, &market, &sector, &events);
        for t in (first..last).filter(|t| events.trades(*t)) {
            let day = days[t];
            let keep = spec.drift.as_ref().map_or(1.0, |d| d.sector_keep(&sector, day));
            let kept = keep >= 1.0 || rng.random_bool(keep);
            // The model: a noisy read of tomorrow's standardized innovation.
            let factor = spec.drift.as_ref().map_or(1.0, |d| d.model_factor(day));
            let latent = 0.36 * factor * path.z_next[t] + noise.sample(&mut rng);
            if !kept {
                continue;
            }
            panel.as_of.push(day);
            panel.symbol.push(symbol.clone());
            panel.sector.push(sector.clone());
            for (k, v) in path.features[t].iter().enumerate() {
                panel.features[k].push(*v);
            }
            panel.proba.push(1.0 / (1.0 + (-0.8 * latent).exp()));
            panel.next_up.push(path.next_return[t] > 0.0);
            panel.next_day.push((t + 1 < last && events.trades(t + 1)).then(|| days[t + 1]));
        }
    }
    if let Some(d) = &spec.drift {
        inject(&mut panel, d).map_err(SynthError::Spec)?;
    }
    let rows = panel.as_of.len() as u64;
    let versions: Vec<String> = panel.as_of.iter().map(|d| spec.version_on(*d).to_owned()).collect();
    let files = write_panel(panel, spec.with_predictions, &versions)?;
    Ok((rows, files))
}

/// What a change needs to know about a feature's rows before its range.
struct Before {
    /// Mean.
    mean: f64,
    /// Standard deviation.
    sd: f64,
    /// `1.4826·MAD`: the standard deviation of a normal, robust to corporate actions and bad
    /// prints (which a realistic panel's returns hold and would inflate `sd` by orders).
    robust_sd: f64,
    /// Median of the logarithm of the positive values.
    log_median: f64,
}

impl Before {
    fn of(values: &[f64]) -> Self {
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            let n = v.len();
            if n % 2 == 1 { v[n / 2] } else { f64::midpoint(v[n / 2 - 1], v[n / 2]) }
        };
        let mut sorted = values.to_vec();
        let m = median(&mut sorted);
        let mut deviations: Vec<f64> = values.iter().map(|x| (x - m).abs()).collect();
        let mut logs: Vec<f64> = values.iter().filter(|x| **x > 0.0).map(|x| x.ln()).collect();
        Self {
            mean: values.iter().sum::<f64>() / values.len() as f64,
            sd: std_dev(values),
            robust_sd: 1.482_6 * median(&mut deviations),
            log_median: if logs.is_empty() { 0.0 } else { median(&mut logs) },
        }
    }
}

/// `(x, what came before) → x'`.
type Transform = Box<dyn Fn(f64, &Before) -> f64>;

/// Applies the shift and scale changes inside the spec's range, with the statistics of the rows
/// before it.
///
/// # Errors
/// A message when a change cannot apply: `lscale` on a feature with values ≤ 0, or a change
/// that makes a finite value infinite (a factor too large for the feature).
fn inject(panel: &mut Panel, spec: &DriftSpec) -> Result<(), String> {
    let index = |name: &str| FEATURES.iter().position(|f| *f == name);
    let inside: Vec<bool> = panel.as_of.iter().map(|d| spec.range.contains(*d)).collect();
    for change in &spec.changes {
        let (name, apply): (&str, Transform) = match change {
            Change::Shift { feature, sigmas } => {
                let k = *sigmas;
                (feature, Box::new(move |x, b| x + k * b.sd))
            }
            Change::RobustShift { feature, sigmas } => {
                let k = *sigmas;
                (feature, Box::new(move |x, b| x + k * b.robust_sd))
            }
            Change::Scale { feature, factor } => {
                let f = *factor;
                (feature, Box::new(move |x, b| b.mean + f * (x - b.mean)))
            }
            Change::LogScale { feature, factor } => {
                let f = *factor;
                (
                    feature,
                    Box::new(move |x, b| if x > 0.0 { (b.log_median + f * (x.ln() - b.log_median)).exp() } else { x }),
                )
            }
            Change::Decouple { feature } => {
                decouple(panel, feature, &inside);
                continue;
            }
            Change::Blank { feature, share } => {
                blank(panel, feature, *share, &inside);
                continue;
            }
            Change::Sector { .. } | Change::Model { .. } | Change::Bull { .. } => continue,
        };
        let Some(k) = index(name) else { continue };
        let col = &mut panel.features[k];
        let finite = |v: &Option<f64>| v.filter(|x| x.is_finite());
        let mut before: Vec<f64> = col
            .iter()
            .zip(&panel.as_of)
            .filter(|(_, d)| **d < spec.range.from())
            .filter_map(|(v, _)| finite(v))
            .collect();
        if before.len() < 2 {
            // Nothing precedes the range (a panel that is all "current"): use the whole column.
            before = col.iter().filter_map(finite).collect();
        }
        if before.len() < 2 {
            continue;
        }
        if matches!(change, Change::LogScale { .. }) && before.iter().any(|x| *x <= 0.0) {
            return Err(format!("lscale needs a feature whose values are all positive; `{name}` holds values ≤ 0"));
        }
        let stats = Before::of(&before);
        for (v, inside) in col.iter_mut().zip(&inside) {
            if let (Some(x), true) = (v.as_mut(), *inside)
                && x.is_finite()
            {
                *x = apply(*x, &stats);
                if name == "rsi_14" {
                    *x = x.clamp(0.0, 100.0);
                }
                if !x.is_finite() {
                    return Err(format!("the change to `{name}` makes its values infinite: choose a smaller factor"));
                }
            }
        }
    }
    Ok(())
}

/// Shuffles `name` among the rows of each day inside the range (a fixed seed per day): every
/// day keeps exactly its values, the feature's link to each row's other features is gone.
fn decouple(panel: &mut Panel, name: &str, inside: &[bool]) {
    let Some(k) = FEATURES.iter().position(|f| *f == name) else { return };
    let mut days: std::collections::BTreeMap<NaiveDate, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, (d, inside)) in panel.as_of.iter().zip(inside).enumerate() {
        if *inside {
            days.entry(*d).or_default().push(i);
        }
    }
    for (day, rows) in days {
        let mut rng = ChaCha8Rng::seed_from_u64(u64::from(day.num_days_from_ce().unsigned_abs()));
        let mut values: Vec<Option<f64>> = rows.iter().map(|i| panel.features[k][*i]).collect();
        // Fisher–Yates.
        for j in (1..values.len()).rev() {
            values.swap(j, rng.random_range(0..=j));
        }
        for (i, v) in rows.iter().zip(values) {
            panel.features[k][*i] = v;
        }
    }
}

/// Makes each of `name`'s values inside the range null with probability `share` (one fixed
/// seed, rows in the panel's order: the same panel always loses the same values).
fn blank(panel: &mut Panel, name: &str, share: f64, inside: &[bool]) {
    let Some(k) = FEATURES.iter().position(|f| *f == name) else { return };
    let mut rng = ChaCha8Rng::seed_from_u64(0x6a09_e667_f3bc_c908);
    for (v, inside) in panel.features[k].iter_mut().zip(inside) {
        if *inside && rng.random_bool(share) {
            *v = None;
        }
    }
}

fn write_panel(panel: Panel, with_predictions: bool, versions: &[String]) -> Result<PanelFiles, WriteError> {
    const ROW_GROUP: usize = 64 * 1024;
    let mut files = Vec::with_capacity(3);
    if with_predictions {
        let labelled: Vec<usize> = (0..panel.as_of.len()).filter(|&i| panel.next_day[i].is_some()).collect();
        let predictions = parquet_bytes(
            "predictions.parquet",
            vec![
                ("as_of".into(), OutColumn::Date(panel.as_of.clone())),
                ("symbol".into(), OutColumn::Str(panel.symbol.clone())),
                ("model_version".into(), OutColumn::Str(versions.to_vec())),
                ("predicted_proba".into(), OutColumn::F64(panel.proba.iter().map(|p| Some(*p)).collect())),
            ],
            ROW_GROUP,
        )?;
        files.push(("predictions.parquet", predictions));
        let outcomes = parquet_bytes(
            "outcomes.parquet",
            vec![
                ("as_of".into(), OutColumn::Date(labelled.iter().map(|&i| panel.as_of[i]).collect())),
                ("symbol".into(), OutColumn::Str(labelled.iter().map(|&i| panel.symbol[i].clone()).collect())),
                ("actual_label".into(), OutColumn::I8(labelled.iter().map(|&i| i8::from(panel.next_up[i])).collect())),
                ("observed_at".into(), OutColumn::Date(labelled.iter().filter_map(|&i| panel.next_day[i]).collect())),
            ],
            ROW_GROUP,
        )?;
        files.push(("outcomes.parquet", outcomes));
    }
    let mut columns = vec![
        ("as_of".to_owned(), OutColumn::Date(panel.as_of)),
        ("symbol".to_owned(), OutColumn::Str(panel.symbol)),
        ("sector".to_owned(), OutColumn::Str(panel.sector)),
    ];
    for (name, values) in FEATURES.iter().zip(panel.features) {
        columns.push(((*name).to_owned(), OutColumn::F64(values)));
    }
    files.insert(0, ("features.parquet", parquet_bytes("features.parquet", columns, ROW_GROUP)?));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_is_sunday_to_thursday_without_holidays() {
        let (days, first) = calendar("2026-10-01".parse().unwrap(), "2026-10-31".parse().unwrap());
        assert_eq!(first, WARMUP);
        assert!(days.iter().all(|d| is_trading_weekday(*d)));
        assert!(!days.contains(&"2026-10-20".parse().unwrap()));
        assert!(days.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn universe_uses_real_tickers_then_suffixes() {
        let u = universe(TICKERS.len() + 1);
        assert_eq!(u[0], ("NABIL".to_owned(), "Commercial Banks".to_owned()));
        assert_eq!(u[TICKERS.len()].0, "NABIL2");
    }
}
