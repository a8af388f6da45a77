//! Data quality of one feature in one window, and the call of a quality break against the
//! feature's own history. Pure math over a column's values and each row's day and symbol.
//!
//! Conventions (README "Data quality"):
//! - **missing**: a null or a NaN (as the PSI's missing ratio counts it);
//! - **min, max, mean, quantiles**: over the finite values only;
//! - **±inf** is a value, not a missing one: a bad print, beyond any finite bound, so it counts
//!   as out of range and implausible;
//! - the reference's **quantile range** is `[q0.001, q0.999]`, numpy's default linear
//!   interpolation between order statistics;
//! - a value is **implausible** when it lies outside the quantile range widened by its own width
//!   on each side, `[q0.001 − w, q0.999 + w]` with `w = q0.999 − q0.001`: a sentinel, a bad
//!   print, a unit change (turnover in thousands), not a market that moved a few σ (that is
//!   drift, the PSI's job). Quantiles, not the min and max, so that one bad print in the
//!   reference cannot stretch the range until nothing is implausible;
//! - a missing value is a symbol's **warm-up** when it belongs to the symbol's leading run of
//!   missing values from its first row, at most [`WARM_UP_DAYS`] long, and that first row is not
//!   on the first day read (a new listing: a 20-day feature is undefined for its first 20 days).
//!   NEPSE lists a few symbols a month; counted as bad, every listing would look like a feed gap;
//! - a row is **bad** when it is missing (not warm-up) or implausible; a window's **bad share**
//!   is its bad rows over its rows (a categorical feature's is its missing share). The break call
//!   rests on it.

use super::history::HISTORY_MIN_STRETCHES;
use super::reconstruction_null::Disjoint;

/// The reference quantile range's probabilities: 0.1% and 99.9%.
pub const QUANTILE_RANGE: (f64, f64) = (0.001, 0.999);

/// Trading days of history before the current window that past windows are drawn from, at
/// least: about one NEPSE year (≈ 240 trading days); more for a long current window, so that the
/// history holds 8 windows of its length ([`span_days`]). Bounded, so that a listing boom or a
/// turnover trend of years ago does not widen today's null (issue 23's lesson).
pub const SPAN_DAYS: usize = 250;

/// The longest warm-up: the longest look-back of the NEPSE features (`close_to_sma_50`'s 50 days)
/// and a margin. A new symbol missing for longer is a feed that never delivered it.
pub const WARM_UP_DAYS: usize = 60;

/// The break's margin over the worst past window: half again, relatively ...
pub const MARGIN_RELATIVE: f64 = 0.5;
/// ... and at least half a percentage point (10 rows of a 2,000-row window), absolutely.
pub const MARGIN_ABSOLUTE: f64 = 0.005;

/// The trading days of history for a current window of `current_days`: [`SPAN_DAYS`], or 8
/// windows of its length when that is more.
#[must_use]
pub fn span_days(current_days: usize) -> usize {
    SPAN_DAYS.max(8 * current_days)
}

/// A reference's bounds: its finite range and its 0.1%–99.9% quantile range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Smallest finite value.
    pub min: f64,
    /// Largest finite value.
    pub max: f64,
    /// The 0.1% quantile.
    pub low: f64,
    /// The 99.9% quantile.
    pub high: f64,
}

impl Bounds {
    /// The bounds of `values`' finite values; `None` without one.
    #[must_use]
    pub fn of(values: &[f64]) -> Option<Self> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_unstable_by(f64::total_cmp);
        Some(Self {
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            low: quantile(&sorted, QUANTILE_RANGE.0),
            high: quantile(&sorted, QUANTILE_RANGE.1),
        })
    }

    /// The plausible range: `[low − w, high + w]`, `w = high − low` (beyond it, or not finite, a
    /// value is implausible). A width too large for a float (quantiles near ±1e308) makes the
    /// range infinite: every finite value plausible.
    #[must_use]
    pub fn plausible(&self) -> (f64, f64) {
        let w = self.high - self.low;
        (self.low - w, self.high + w)
    }
}

/// The `q`-quantile of sorted finite values by numpy's linear interpolation, written
/// `a·(1 − f) + b·f` so that values near ±1.8e308 cannot overflow (`b − a` could).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    let f = h - lo as f64;
    if f == 0.0 { sorted[lo] } else { sorted[lo] * (1.0 - f) + sorted[hi] * f }
}

/// One day's (or one window's) counts of one feature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    /// Rows.
    pub rows: u64,
    /// Null or NaN rows.
    pub missing: u64,
    /// Values outside the reference's quantile range (±inf included).
    pub beyond_quantiles: u64,
    /// Values outside the reference's [min, max] (±inf included).
    pub beyond_range: u64,
    /// Values outside the plausible range ([`Bounds::plausible`]; ±inf included).
    pub implausible: u64,
    /// Missing values that are a new symbol's warm-up (among `missing`).
    pub warm_up: u64,
    /// Finite values, their sum, smallest and largest.
    pub finite: u64,
    /// Sum of the finite values (for the mean).
    pub sum: f64,
    /// Smallest finite value (`+inf` without one).
    pub min: f64,
    /// Largest finite value (`-inf` without one).
    pub max: f64,
}

impl Default for Counts {
    fn default() -> Self {
        Self {
            rows: 0,
            missing: 0,
            beyond_quantiles: 0,
            beyond_range: 0,
            implausible: 0,
            warm_up: 0,
            finite: 0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Counts {
    /// Counts one numeric value against `bounds` (`None`: a reference without a finite value,
    /// so nothing is out of range); `warm_up`: a missing value is a new symbol's warm-up.
    pub fn add(&mut self, x: f64, bounds: Option<&Bounds>, warm_up: bool) {
        self.rows += 1;
        if x.is_nan() {
            self.missing += 1;
            self.warm_up += u64::from(warm_up);
            return;
        }
        if let Some(b) = bounds {
            self.beyond_quantiles += u64::from(x < b.low || x > b.high);
            self.beyond_range += u64::from(x < b.min || x > b.max);
            let (lo, hi) = b.plausible();
            self.implausible += u64::from(!x.is_finite() || x < lo || x > hi);
        }
        if x.is_finite() {
            self.finite += 1;
            self.sum += x;
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
    }

    /// Counts one categorical value (`None`: a null).
    pub fn add_category(&mut self, present: bool) {
        self.rows += 1;
        self.missing += u64::from(!present);
    }

    /// Both counts together.
    pub fn merge(&mut self, other: &Self) {
        self.rows += other.rows;
        self.missing += other.missing;
        self.beyond_quantiles += other.beyond_quantiles;
        self.beyond_range += other.beyond_range;
        self.implausible += other.implausible;
        self.warm_up += other.warm_up;
        self.finite += other.finite;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The counts of `days` together.
    #[must_use]
    pub fn total(days: &[Self]) -> Self {
        let mut out = Self::default();
        for d in days {
            out.merge(d);
        }
        out
    }

    /// Bad rows: missing (not warm-up) or implausible.
    #[must_use]
    pub fn bad(&self) -> u64 {
        self.missing - self.warm_up + self.implausible
    }

    /// `count / rows`; `None` without a row.
    #[must_use]
    pub fn share(&self, count: u64) -> Option<f64> {
        (self.rows > 0).then(|| count as f64 / self.rows as f64)
    }

    /// The finite values' smallest and largest; `None` without one.
    #[must_use]
    pub fn min_max(&self) -> Option<(f64, f64)> {
        (self.finite > 0).then_some((self.min, self.max))
    }

    /// The finite values' mean; `None` without one, or when their sum overflows (values near
    /// ±1.8e308), never inf.
    #[must_use]
    pub fn mean(&self) -> Option<f64> {
        let mean = self.sum / self.finite as f64;
        (self.finite > 0 && mean.is_finite()).then_some(mean)
    }
}

/// Each day's counts of one numeric column: `day[i]` is row `i`'s day index in `0..days`
/// (`u32::MAX`: a row outside them, left out); `warm_up[i]`, when given, marks row `i`'s missing
/// value as warm-up ([`warm_up`]).
#[must_use]
pub fn daily_numeric(
    values: &[f64],
    day: &[u32],
    days: usize,
    bounds: Option<&Bounds>,
    warm: Option<&[bool]>,
) -> Vec<Counts> {
    let mut out = vec![Counts::default(); days];
    for (i, (x, d)) in values.iter().zip(day).enumerate() {
        if let Some(c) = out.get_mut(*d as usize) {
            c.add(*x, bounds, warm.is_some_and(|w| w[i]));
        }
    }
    out
}

/// Each symbol's rows and missing values among the rows `keep` (`symbol[i]`: row `i`'s symbol
/// number, `u32::MAX` for none; `missing[i]`: row `i` is missing): the symbol clusters of
/// [`missing_change_p_value`].
#[must_use]
pub fn per_symbol(missing: &[bool], symbol: &[u32], keep: &[bool]) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for ((m, s), k) in missing.iter().zip(symbol).zip(keep) {
        if !*k || *s == u32::MAX {
            continue;
        }
        let s = *s as usize;
        if out.len() <= s {
            out.resize(s + 1, (0, 0));
        }
        out[s].0 += 1;
        out[s].1 += u64::from(*m);
    }
    out.retain(|c| c.0 > 0);
    out
}

/// The rows grouped by symbol, each symbol's rows in day order: computed once per table and
/// shared by every feature's [`warm_up`].
#[derive(Debug, Clone, Default)]
pub struct BySymbol {
    /// Row indices, by (symbol, day).
    order: Vec<usize>,
    /// Where each symbol's rows start in `order` (and `order.len()` at the end).
    starts: Vec<usize>,
}

impl BySymbol {
    /// Groups the rows with a symbol and a day (`u32::MAX`: none).
    #[must_use]
    pub fn new(day: &[u32], symbol: &[u32]) -> Self {
        let mut order: Vec<usize> =
            (0..day.len().min(symbol.len())).filter(|&i| day[i] != u32::MAX && symbol[i] != u32::MAX).collect();
        order.sort_unstable_by_key(|&i| (symbol[i], day[i]));
        let mut starts: Vec<usize> =
            (0..order.len()).filter(|&k| k == 0 || symbol[order[k]] != symbol[order[k - 1]]).collect();
        starts.push(order.len());
        Self { order, starts }
    }
}

/// Which rows' missing values are warm-up: each symbol's leading run of missing values, at
/// most [`WARM_UP_DAYS`] rows, when its first row is after day 0 (the first day read: a symbol
/// already there may be mid-life). None at all when the new symbols outnumber half of those
/// already there: that is a feed that renamed its symbols (lower-cased tickers), not listings.
#[must_use]
pub fn warm_up(missing: &[bool], day: &[u32], rows: &BySymbol) -> Vec<bool> {
    let mut out = vec![false; missing.len()];
    let first_days = rows.starts.windows(2).map(|w| day[rows.order[w[0]]]);
    let (old, new) = first_days.fold((0_usize, 0_usize), |(o, n), d| if d == 0 { (o + 1, n) } else { (o, n + 1) });
    if 2 * new > old {
        return out;
    }
    for w in rows.starts.windows(2) {
        let run = &rows.order[w[0]..w[1]];
        if run.first().is_some_and(|&i| day[i] > 0) {
            for &i in run.iter().take(WARM_UP_DAYS).take_while(|&&i| missing[i]) {
                out[i] = true;
            }
        }
    }
    out
}

/// Each day's counts of one categorical column (`present[i]`: row `i` is not null).
#[must_use]
pub fn daily_categorical(present: impl Iterator<Item = bool>, day: &[u32], days: usize) -> Vec<Counts> {
    let mut out = vec![Counts::default(); days];
    for (p, d) in present.zip(day) {
        if let Some(c) = out.get_mut(*d as usize) {
            c.add_category(p);
        }
    }
    out
}

/// One side's missing values, clustered two ways: each day's and each symbol's (rows, missing).
#[derive(Debug, Clone, Copy)]
pub struct Clusters<'a> {
    /// Per day (days without a row are ignored).
    pub days: &'a [Counts],
    /// Per symbol: (rows, missing).
    pub symbols: &'a [(u64, u64)],
}

/// The two-sided p-value of the change in the missing share between two windows, with rows
/// clustered two ways, by day and by symbol (Cameron, Gelbach and Miller 2011): a feed that
/// drops a day drops every symbol, and a symbol's filings are missing day after day (a loss-maker
/// has no P/E), so neither the row nor one clustering alone is the unit. Each side's share
/// `p = M/N` is a ratio estimator; with residuals `e = m − p·n` summed per cluster, its variance
/// is `V = (c_D·Σ_d e_d² + c_S·Σ_s e_s² − Σ_i e_i²) / N²`, `c_G = G/(G−1)`, the row term
/// `Σ_i e_i² = M(1−p)² + (N−M)p²` (each day-symbol pair one row); when that is negative, the
/// larger one-way variance. `t = (p_c − p_r) / √(V_r + V_c)` against Student's t with
/// Welch–Satterthwaite degrees of freedom, each side's `min(D, S) − 1`.
///
/// When both variances are zero the p-value is 1 for equal shares and 0 for different ones: no
/// noise can explain the change. `None` when a side has fewer than two days or two symbols.
#[must_use]
pub fn missing_change_p_value(reference: Clusters<'_>, current: Clusters<'_>) -> Option<f64> {
    let (pr, vr, gr) = clustered_share(reference)?;
    let (pc, vc, gc) = clustered_share(current)?;
    let v = vr + vc;
    if v <= 0.0 {
        return Some(if pr == pc { 1.0 } else { 0.0 });
    }
    let df = v * v / (vr * vr / (gr - 1.0) + vc * vc / (gc - 1.0));
    let t = (pc - pr).abs() / v.sqrt();
    let dist = statrs::distribution::StudentsT::new(0.0, 1.0, df).ok()?;
    Some((2.0 * statrs::distribution::ContinuousCDF::sf(&dist, t)).clamp(0.0, 1.0))
}

/// A side's missing share, its two-way clustered variance and its clusters `min(D, S)` (at
/// least 2).
fn clustered_share(side: Clusters<'_>) -> Option<(f64, f64, f64)> {
    let days: Vec<(f64, f64)> =
        side.days.iter().filter(|d| d.rows > 0).map(|d| (d.rows as f64, d.missing as f64)).collect();
    let symbols: Vec<(f64, f64)> = side.symbols.iter().filter(|s| s.0 > 0).map(|s| (s.0 as f64, s.1 as f64)).collect();
    let clusters = days.len().min(symbols.len());
    if clusters < 2 {
        return None;
    }
    let rows: f64 = days.iter().map(|d| d.0).sum();
    let missing: f64 = days.iter().map(|d| d.1).sum();
    let share = missing / rows;
    let one_way = |groups: &[(f64, f64)]| {
        let k = groups.len() as f64;
        k / (k - 1.0) * groups.iter().map(|(n, m)| (m - share * n).powi(2)).sum::<f64>()
    };
    let (by_day, by_symbol) = (one_way(&days), one_way(&symbols));
    let by_row = missing * (1.0 - share).powi(2) + (rows - missing) * share * share;
    let two_way = by_day + by_symbol - by_row;
    let variance = if two_way < 0.0 { by_day.max(by_symbol) } else { two_way };
    Some((share, variance / (rows * rows), clusters as f64))
}

/// The bad share of every window of `len` consecutive days of `days` that has a row, keyed by
/// its last day's index: `O(D)` from running sums.
#[must_use]
pub fn window_bad_shares(days: &[Counts], len: usize) -> Vec<(usize, f64)> {
    if len == 0 || days.len() < len {
        return Vec::new();
    }
    let (mut rows, mut bad) = (0_u64, 0_u64);
    let mut out = Vec::with_capacity(days.len() + 1 - len);
    for (i, d) in days.iter().enumerate() {
        rows += d.rows;
        bad += d.bad();
        if i >= len {
            rows -= days[i - len].rows;
            bad -= days[i - len].bad();
        }
        if i + 1 >= len && rows > 0 {
            out.push((i, bad as f64 / rows as f64));
        }
    }
    out
}

/// Disjoint windows among `windows` (keyed by their last day's index, in order) of `len` days:
/// the effectively independent stretches a history rests on (greedy from the first).
#[must_use]
pub fn disjoint_windows(windows: &[(usize, f64)], len: usize) -> usize {
    let mut disjoint = Disjoint::default();
    for (end, _) in windows {
        disjoint.offer((end + 1).saturating_sub(len), end + 1);
    }
    disjoint.count
}

/// The break call of one feature against its past windows' bad shares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Break {
    /// The bad share beyond which the feature is broken: the worst past window's, half again
    /// and at least half a percentage point more (`max(w·(1 + 0.5), w + 0.005)`).
    pub critical: f64,
    /// The share of the past windows at least as bad, counting the current one:
    /// `(1 + #{past ≥ share}) / (N + 1)` (descriptive; the call is the margin's).
    pub p_value: f64,
    /// `share > critical`.
    pub broken: bool,
}

/// The break call of a current bad share `share` against `past` windows resting on `disjoint`
/// disjoint stretches: `None` with fewer than [`HISTORY_MIN_STRETCHES`] (the PSI history's rule).
///
/// A rule, not a test at α: the current window is worse than every window of the past year by a
/// margin. A p-value over a year of overlapping windows rests on about a dozen independent
/// stretches, too few to control a family of features at α = 1% (the min-p adjustment would need
/// `F/α` windows, years of history); the rule's false-alarm rate is measured instead, by the
/// realistic study of the test command.
#[must_use]
pub fn break_call(share: f64, past: &[f64], disjoint: usize) -> Option<Break> {
    if disjoint < HISTORY_MIN_STRETCHES || past.is_empty() {
        return None;
    }
    let worst = past.iter().copied().fold(0.0_f64, f64::max);
    let critical = (worst * (1.0 + MARGIN_RELATIVE)).max(worst + MARGIN_ABSOLUTE);
    let p_value = (1 + past.iter().filter(|x| **x >= share).count()) as f64 / (past.len() + 1) as f64;
    Some(Break { critical, p_value, broken: share > critical })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(rows: u64, missing: u64) -> Counts {
        Counts { rows, missing, ..Counts::default() }
    }

    #[test]
    fn bounds_are_numpy_linear_quantiles_of_the_finite_values() {
        // numpy: np.quantile([1..=1001], [0.001, 0.999]) = [2.0, 1000.0].
        let mut v: Vec<f64> = (1..=1001).map(f64::from).collect();
        v.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
        let b = Bounds::of(&v).unwrap();
        assert_eq!((b.min, b.max, b.low, b.high), (1.0, 1001.0, 2.0, 1000.0));
        // np.quantile([0, 10], 0.001) = 0.01.
        let b = Bounds::of(&[10.0, 0.0]).unwrap();
        assert!((b.low - 0.01).abs() < 1e-15 && (b.high - 9.99).abs() < 1e-12);
        assert_eq!(Bounds::of(&[f64::NAN, f64::INFINITY]), None);
    }

    #[test]
    fn counts_follow_the_conventions() {
        let b = Bounds { min: 0.0, max: 10.0, low: 1.0, high: 9.0 };
        let mut c = Counts::default();
        // Plausible: [1 − 8, 9 + 8] = [-7, 17].
        for x in [0.5, 5.0, 9.5, 11.0, f64::NAN, f64::INFINITY, -10.5] {
            c.add(x, Some(&b), false);
        }
        assert_eq!(b.plausible(), (-7.0, 17.0));
        assert_eq!((c.rows, c.missing, c.beyond_quantiles, c.beyond_range, c.implausible), (7, 1, 5, 3, 2));
        assert_eq!(c.finite, 5);
        assert_eq!((c.min_max(), c.mean()), (Some((-10.5, 11.0)), Some(15.5 / 5.0)));
        assert_eq!(c.bad(), 3);
        assert_eq!((Counts::default().min_max(), Counts::default().mean()), (None, None));
        assert_eq!(Counts::default().share(0), None);
        let mut huge = Counts::default();
        huge.add(f64::MAX, None, false);
        huge.add(f64::MAX, None, false);
        assert_eq!(huge.mean(), None, "an overflowing mean is undefined, not inf");
        assert_eq!(huge.min_max(), Some((f64::MAX, f64::MAX)), "min and max stay defined");
    }

    #[test]
    fn extreme_references_neither_overflow_nor_hide_inf() {
        // Quantiles between -1.7e308 and 1.7e308 interpolate without overflowing.
        let b = Bounds::of(&[-1.7e308, 1.7e308]).unwrap();
        assert!(b.low.is_finite() && b.high.is_finite(), "{b:?}");
        // Its width overflows: every finite value plausible, ±inf still implausible.
        let mut c = Counts::default();
        for x in [1e308, f64::INFINITY, f64::NEG_INFINITY] {
            c.add(x, Some(&b), false);
        }
        assert_eq!(c.implausible, 2);
    }

    #[test]
    fn missing_change_by_hand() {
        // Reference: days 0 and 1, symbols A and B, A always missing: p = 1/2; day residuals 0,
        // symbol residuals ±1: V = (0 + 2·2 − 1) / 16 = 3/16. Current: a third symbol C: p = 1/3;
        // symbol residuals 4/3, −2/3, −2/3: V = (0 + 3/2·8/3 − 4/3) / 36 = 2/27. Each side
        // min(D, S) = 2 clusters; scipy: 2·t.sf(|1/3 − 1/2| / √(3/16 + 2/27), 1.683) = 0.78047.
        let r_days = [day(2, 1), day(2, 1)];
        let c_days = [day(3, 1), day(3, 1)];
        let reference = Clusters { days: &r_days, symbols: &[(2, 2), (2, 0)] };
        let current = Clusters { days: &c_days, symbols: &[(2, 2), (2, 0), (2, 0)] };
        let p = missing_change_p_value(reference, current).unwrap();
        assert!((p - 0.780_473_035_484_518_7).abs() < 1e-9, "{p}");
        // Clustered by day only, both variances would be 0 and the new listing a certain change.
        // No noise on either side at all: equal shares p = 1, different ones p = 0.
        let even = [day(2, 1), day(2, 1)];
        let quiet = Clusters { days: &even, symbols: &[(2, 1), (2, 1)] };
        assert_eq!(missing_change_p_value(quiet, quiet), Some(1.0));
        let none = [day(2, 0), day(2, 0)];
        let clean = Clusters { days: &none, symbols: &[(2, 0), (2, 0)] };
        assert_eq!(missing_change_p_value(clean, quiet), Some(0.0));
        // A side of one day, or of one symbol, has no variance to estimate.
        let one_day = [day(2, 1)];
        assert_eq!(missing_change_p_value(reference, Clusters { days: &one_day, symbols: &[(1, 1), (1, 0)] }), None);
        assert_eq!(missing_change_p_value(reference, Clusters { days: &c_days, symbols: &[(6, 2)] }), None);
    }

    #[test]
    fn per_symbol_counts_the_kept_rows() {
        let missing = [true, false, true, false, true];
        let symbol = [0, 0, 2, u32::MAX, 2];
        assert_eq!(per_symbol(&missing, &symbol, &[true, true, true, true, false]), vec![(2, 1), (1, 1)]);
    }

    #[test]
    fn window_shares_slide_over_days() {
        let days = [day(10, 0), day(10, 5), day(0, 0), day(0, 0), day(10, 10)];
        assert_eq!(window_bad_shares(&days, 2), vec![(1, 0.25), (2, 0.5), (4, 1.0)]);
        assert_eq!(disjoint_windows(&window_bad_shares(&days, 2), 2), 2);
        assert!(window_bad_shares(&days, 6).is_empty());
        assert!(window_bad_shares(&days, 0).is_empty());
    }

    #[test]
    fn a_break_is_beyond_the_worst_past_window_by_the_margin() {
        let past = [0.0, 0.01, 0.02, 0.004];
        // Worst 0.02: critical max(0.03, 0.025) = 0.03.
        let b = break_call(0.031, &past, 7).unwrap();
        assert!((b.critical - 0.03).abs() < 1e-15 && b.broken && (b.p_value - 0.2).abs() < 1e-15, "{b:?}");
        assert!(!break_call(0.03, &past, 7).unwrap().broken);
        // A clean history: half a percentage point is the margin.
        let clean = [0.0; 10];
        assert!(!break_call(0.005, &clean, 7).unwrap().broken);
        assert!(break_call(0.0051, &clean, 7).unwrap().broken);
        assert_eq!(break_call(0.0, &clean, 7).unwrap().p_value, 1.0);
        // Fewer than seven disjoint stretches: no call.
        assert_eq!(break_call(0.9, &clean, 6), None);
        assert_eq!(break_call(0.9, &[], 9), None);
        assert_eq!(span_days(20), 250);
        assert_eq!(span_days(60), 480);
    }

    #[test]
    fn warm_up_is_a_new_symbols_leading_run_of_missing_values() {
        // Symbol 0 from day 0 (perhaps mid-life): its missing values count. Symbol 1 listed on
        // day 1: missing on days 1 to 3 (warm-up), then a value on day 4; its last row has no
        // day. Symbols 2 and 3 are there from day 0 too (one listing among three old symbols).
        // Rows out of day order on purpose.
        let day = [0, 1, 3, 2, 1, 4, u32::MAX, 0, 0];
        let symbol = [0, 0, 1, 1, 1, 1, 1, 2, 3];
        let missing = [true, true, true, true, true, false, true, false, false];
        let rows = BySymbol::new(&day, &symbol);
        let none = [false; 2];
        assert_eq!(
            warm_up(&missing, &day, &rows),
            [&[false, false, true, true, true, false, false][..], &none].concat()
        );
        // Symbol 1's day-3 value present: its warm-up ends at day 2.
        let present_on_3 = [true, true, false, true, true, false, true, false, false];
        assert_eq!(
            warm_up(&present_on_3, &day, &rows),
            [&[false, false, false, true, true, false, false][..], &none].concat()
        );
        let counts = daily_numeric(&[f64::NAN, 1.0], &[0, 0], 1, None, Some(&[true, false]));
        assert_eq!((counts[0].missing, counts[0].warm_up, counts[0].bad()), (1, 1, 0));
        // A listing missing for 70 days (beside two symbols there from day 0): the first
        // WARM_UP_DAYS are warm-up, the rest is a feed that never delivered it.
        let mut day: Vec<u32> = (1..=70).collect();
        let mut symbol = vec![0; 70];
        day.extend([0, 0]);
        symbol.extend([1, 2]);
        let rows = BySymbol::new(&day, &symbol);
        let mut missing = vec![true; 70];
        missing.extend([false, false]);
        let warm = warm_up(&missing, &day, &rows);
        assert_eq!(warm.iter().filter(|w| **w).count(), WARM_UP_DAYS);
        assert!(warm[..WARM_UP_DAYS].iter().all(|w| *w));
        // Every symbol renamed on day 1 (a feed change): new symbols outnumber half the old
        // ones, and nothing is warm-up.
        let day = [0, 0, 1, 1];
        let rows = BySymbol::new(&day, &[0, 1, 2, 3]);
        assert_eq!(warm_up(&[false, false, true, true], &day, &rows), [false; 4]);
    }
}
