//! Data quality of one feature in one window, and the call of a quality break against the
//! feature's own history. Pure math over a column's values and each row's day.
//!
//! Conventions (README "Data quality"):
//! - **missing**: a null or a NaN (as the PSI's missing ratio counts it);
//! - **min, max, mean, quantiles**: over the finite values only;
//! - **±inf** is a value, not a missing one: a bad print, beyond any finite bound, so it counts
//!   as out of range;
//! - the reference's **quantile range** is `[q0.001, q0.999]`, numpy's default linear
//!   interpolation between order statistics;
//! - a value is **implausible** when it lies outside the reference's range widened by its own
//!   width on each side, `[min − w, max + w]` with `w = max − min`: a sentinel, a bad print, a
//!   unit change (turnover in thousands), not a market that moved a few σ (that is drift, the
//!   PSI's job);
//! - a missing value is a symbol's **warm-up** when it belongs to the symbol's leading run of
//!   missing values from its first row, and that first row is not on the first day read (a new
//!   listing: a 20-day feature is undefined for its first 20 days). NEPSE lists a few symbols a
//!   month; counted as bad, every listing would look like a feed gap;
//! - a row is **bad** when it is missing (not warm-up) or implausible; a window's **bad share**
//!   is its bad rows over its rows (a categorical feature's is its missing share). The break call
//!   rests on it.

use super::history::quantile_sorted;

/// The reference quantile range's probabilities: 0.1% and 99.9%.
pub const QUANTILE_RANGE: (f64, f64) = (0.001, 0.999);

/// Past windows a break call needs at least, as a multiple of `1/α`: at α = 0.01, 200 windows,
/// so that the `1−α` quantile has two past windows beyond it (the PSI history's rule).
pub const MIN_WINDOWS_PER_ALPHA: f64 = 2.0;

/// Disjoint past windows (effectively independent stretches) a break call needs at least.
pub const MIN_STRETCHES: usize = 7;

/// Trading days of history before the current window that past windows are drawn from: about
/// one NEPSE year (≈ 240 trading days). Bounded, so that a listing boom or a turnover trend of
/// years ago does not widen today's null (issue 23's lesson).
pub const SPAN_DAYS: usize = 250;

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
    /// The plausible range: `[min − w, max + w]`, `w = max − min` (beyond it a value is
    /// implausible). A width too large for a float (a reference spanning ±1e308) leaves every
    /// finite value plausible.
    #[must_use]
    pub fn plausible(&self) -> (f64, f64) {
        let w = self.max - self.min;
        (self.min - w, self.max + w)
    }
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
            low: quantile_sorted(&sorted, QUANTILE_RANGE.0),
            high: quantile_sorted(&sorted, QUANTILE_RANGE.1),
        })
    }
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
            self.implausible += u64::from(x < lo || x > hi);
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

    /// The finite values' smallest, largest and mean; `None` without one. A mean whose sum
    /// overflows (values near ±1.8e308) is `None`, never inf.
    #[must_use]
    pub fn min_max_mean(&self) -> Option<(f64, f64, f64)> {
        let mean = self.sum / self.finite as f64;
        (self.finite > 0 && mean.is_finite()).then_some((self.min, self.max, mean))
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
    warm_up: Option<&[bool]>,
) -> Vec<Counts> {
    let mut out = vec![Counts::default(); days];
    for (i, (x, d)) in values.iter().zip(day).enumerate() {
        if let Some(c) = out.get_mut(*d as usize) {
            c.add(*x, bounds, warm_up.is_some_and(|w| w[i]));
        }
    }
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

/// Which rows' missing values are warm-up: each symbol's leading run of missing values, when
/// its first row is after day 0 (the first day read: a symbol already there may be mid-life).
#[must_use]
pub fn warm_up(missing: &[bool], day: &[u32], rows: &BySymbol) -> Vec<bool> {
    let mut out = vec![false; missing.len()];
    for w in rows.starts.windows(2) {
        let run = &rows.order[w[0]..w[1]];
        if run.first().is_some_and(|&i| day[i] > 0) {
            for &i in run.iter().take_while(|&&i| missing[i]) {
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

/// The two-sided p-value of the change in the missing share between two windows, with rows
/// clustered by day: each side's share `p = Σm_d / Σn_d` is a ratio estimator whose
/// cluster-robust (linearised) variance is `V = D/(D−1) · Σ_d (m_d − p·n_d)² / (Σ_d n_d)²`
/// over its `D` days with rows; `t = (p_c − p_r) / √(V_r + V_c)` against Student's t with
/// Welch–Satterthwaite degrees of freedom `(V_r + V_c)² / (V_r²/(D_r−1) + V_c²/(D_c−1))`.
/// Rows of one day are not independent (a feed that drops a day drops every symbol), so the
/// day, not the row, is the unit.
///
/// When both variances are zero (every day of each side has the same share) the p-value is 1
/// for equal shares and 0 for different ones: no day-to-day noise can explain the change.
/// `None` when a side has fewer than two days with rows.
#[must_use]
pub fn missing_change_p_value(reference: &[Counts], current: &[Counts]) -> Option<f64> {
    let (pr, vr, dr) = clustered_share(reference)?;
    let (pc, vc, dc) = clustered_share(current)?;
    let v = vr + vc;
    if v <= 0.0 {
        return Some(if pr == pc { 1.0 } else { 0.0 });
    }
    let df = v * v / (vr * vr / (dr - 1.0) + vc * vc / (dc - 1.0));
    let t = (pc - pr).abs() / v.sqrt();
    let dist = statrs::distribution::StudentsT::new(0.0, 1.0, df).ok()?;
    Some((2.0 * statrs::distribution::ContinuousCDF::sf(&dist, t)).clamp(0.0, 1.0))
}

/// A side's missing share, its cluster-robust variance and its days with rows (at least 2).
fn clustered_share(days: &[Counts]) -> Option<(f64, f64, f64)> {
    let days: Vec<&Counts> = days.iter().filter(|c| c.rows > 0).collect();
    if days.len() < 2 {
        return None;
    }
    let n: f64 = days.iter().map(|c| c.rows as f64).sum();
    let p = days.iter().map(|c| c.missing as f64).sum::<f64>() / n;
    let d = days.len() as f64;
    let ss: f64 = days.iter().map(|c| (c.missing as f64 - p * c.rows as f64).powi(2)).sum();
    Some((p, d / (d - 1.0) * ss / (n * n), d))
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
pub fn stretches(windows: &[(usize, f64)], len: usize) -> usize {
    let mut count = 0;
    let mut free_from = 0;
    for (end, _) in windows {
        if end + 1 >= free_from + len {
            count += 1;
            free_from = end + 1;
        }
    }
    count
}

/// Whether a history of `windows` past windows on `stretches` disjoint stretches can call at
/// `alpha`: at least [`MIN_WINDOWS_PER_ALPHA`]`/α` windows and [`MIN_STRETCHES`] stretches.
#[must_use]
pub fn history_suffices(windows: usize, stretches: usize, alpha: f64) -> bool {
    windows as f64 >= MIN_WINDOWS_PER_ALPHA / alpha && stretches >= MIN_STRETCHES
}

/// The history p-value of a current bad share: `(1 + #{past ≥ share}) / (N + 1)` over the `N`
/// past windows' shares (ties count against the call, so a clean window, share 0, against a
/// clean history has p = 1).
#[must_use]
pub fn history_p_value(share: f64, past: &[f64]) -> f64 {
    (1 + past.iter().filter(|x| **x >= share).count()) as f64 / (past.len() + 1) as f64
}

/// Westfall–Young min-p adjusted p-values of the features' current bad shares, across the
/// features, over the past windows every feature has (`past[f]`: feature `f`'s windows, keyed by
/// their last day's index). Each past window gets each feature's rank p-value within its own
/// history, `p_f(w) = #{w': s_f(w') ≥ s_f(w)} / N`, and the window's smallest over the features,
/// `T_w = min_f p_f(w)`; a feature's adjusted p-value is `(1 + #{w: T_w ≤ p_f}) / (N + 1)`, with
/// `p_f` its [`history_p_value`]. Ranks rather than the shares themselves put every feature on
/// one scale, and a history of mostly clean windows (ties at 0) weighs nothing: max-T over the
/// shares scaled by a quantile that is 0 would let one feature's rare gap inflate every other
/// feature's adjusted p-value. `None` with no feature or no common window.
#[must_use]
pub fn min_p_adjust(current: &[f64], past: &[&[(usize, f64)]]) -> Option<Vec<f64>> {
    if current.is_empty() || current.len() != past.len() {
        return None;
    }
    // The windows every feature has.
    let mut common: Vec<usize> = past[0].iter().map(|(w, _)| *w).collect();
    for p in &past[1..] {
        let have: std::collections::BTreeSet<usize> = p.iter().map(|(w, _)| *w).collect();
        common.retain(|w| have.contains(w));
    }
    if common.is_empty() {
        return None;
    }
    let n = common.len();
    let mut t = vec![1.0_f64; n];
    let mut own = Vec::with_capacity(past.len());
    for (p, cur) in past.iter().zip(current) {
        let by_window: std::collections::BTreeMap<usize, f64> = p.iter().copied().collect();
        let shares: Vec<f64> = common.iter().map(|w| by_window[w]).collect();
        let mut sorted = shares.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        let at_least = |x: f64| (n - sorted.partition_point(|s| *s < x)) as f64;
        for (tw, s) in t.iter_mut().zip(&shares) {
            *tw = tw.min(at_least(*s) / n as f64);
        }
        own.push((1.0 + at_least(*cur)) / (n + 1) as f64);
    }
    Some(own.iter().map(|p| (1 + t.iter().filter(|tw| **tw <= *p).count()) as f64 / (n + 1) as f64).collect())
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
        // Plausible: [-10, 20].
        for x in [0.5, 5.0, 9.5, 11.0, f64::NAN, f64::INFINITY, -10.5] {
            c.add(x, Some(&b), false);
        }
        assert_eq!(b.plausible(), (-10.0, 20.0));
        assert_eq!((c.rows, c.missing, c.beyond_quantiles, c.beyond_range, c.implausible), (7, 1, 5, 3, 2));
        assert_eq!(c.finite, 5);
        assert_eq!(c.min_max_mean(), Some((-10.5, 11.0, 15.5 / 5.0)));
        assert_eq!(c.bad(), 3);
        assert_eq!(Counts::default().min_max_mean(), None);
        assert_eq!(Counts::default().share(0), None);
        let mut huge = Counts::default();
        huge.add(f64::MAX, None, false);
        huge.add(f64::MAX, None, false);
        assert_eq!(huge.min_max_mean(), None, "an overflowing mean is undefined, not inf");
    }

    #[test]
    fn missing_change_by_hand() {
        // Reference: 3 days of 10 rows, 1 missing each: p = 0.1, V = 0.
        // Current: days (10, 2) and (10, 6): p = 0.4, residuals -2 and 2, V = 2/1 · 8 / 400 = 0.04.
        // t = 0.3 / 0.2 = 1.5 with df = D_c − 1 = 1: p = 2·sf(1.5; 1) = 1 − (2/π)·atan(1.5).
        let r = [day(10, 1), day(10, 1), day(10, 1)];
        let c = [day(10, 2), day(10, 6)];
        let p = missing_change_p_value(&r, &c).unwrap();
        let expected = 1.0 - 2.0 / std::f64::consts::PI * 1.5_f64.atan();
        assert!((p - expected).abs() < 1e-9, "{p} vs {expected}");
        // No noise on either side: equal shares p = 1, different ones p = 0.
        assert_eq!(missing_change_p_value(&r, &r), Some(1.0));
        assert_eq!(missing_change_p_value(&r, &[day(10, 5), day(10, 5)]), Some(0.0));
        // A side of one day has no day-to-day variance to estimate.
        assert_eq!(missing_change_p_value(&r, &[day(10, 5)]), None);
        assert_eq!(missing_change_p_value(&r, &[day(10, 5), day(0, 0)]), None);
    }

    #[test]
    fn window_shares_slide_over_days() {
        let days = [day(10, 0), day(10, 5), day(0, 0), day(0, 0), day(10, 10)];
        assert_eq!(window_bad_shares(&days, 2), vec![(1, 0.25), (2, 0.5), (4, 1.0)]);
        assert_eq!(stretches(&window_bad_shares(&days, 2), 2), 2);
        assert!(window_bad_shares(&days, 6).is_empty());
        assert!(window_bad_shares(&days, 0).is_empty());
    }

    #[test]
    fn warm_up_is_a_new_symbols_leading_run_of_missing_values() {
        // Symbol 0 from day 0 (perhaps mid-life): its missing values count. Symbol 1 listed on
        // day 1: missing on days 1 to 3 (warm-up), then a value on day 4; its last row has no
        // day. Rows out of day order on purpose.
        let day = [0, 1, 3, 2, 1, 4, u32::MAX];
        let symbol = [0, 0, 1, 1, 1, 1, 1];
        let missing = [true, true, true, true, true, false, true];
        let rows = BySymbol::new(&day, &symbol);
        assert_eq!(warm_up(&missing, &day, &rows), [false, false, true, true, true, false, false]);
        // Symbol 1's day-3 value present: its warm-up ends at day 2.
        let present_on_3 = [true, true, false, true, true, false, true];
        assert_eq!(warm_up(&present_on_3, &day, &rows), [false, false, false, true, true, false, false]);
        let counts = daily_numeric(&[f64::NAN, 1.0], &[0, 0], 1, None, Some(&[true, false]));
        assert_eq!((counts[0].missing, counts[0].warm_up, counts[0].bad()), (1, 1, 0));
    }

    #[test]
    fn min_p_by_hand() {
        // Two features over four common windows (feature b also has window 9, unused).
        // a: 0, 0, 0.1, 0   → rank p 1, 1, 1/4, 1
        // b: 0, 0.2, 0, 0   → rank p 1, 1/4, 1, 1;  T = 1, 1/4, 1/4, 1.
        let a = [(0, 0.0), (1, 0.0), (2, 0.1), (3, 0.0)];
        let b = [(0, 0.0), (1, 0.2), (2, 0.0), (3, 0.0), (9, 0.5)];
        // a now 0.5 (beyond all): p = 1/5, T ≤ 1/5 nowhere, adjusted 1/5. b now 0.2: p = 2/5,
        // T ≤ 2/5 in two windows: adjusted 3/5. A clean feature stays at 1.
        let adj = min_p_adjust(&[0.5, 0.2], &[&a, &b]).unwrap();
        assert_eq!(adj, vec![0.2, 0.6]);
        let adj = min_p_adjust(&[0.0, 0.0], &[&a, &b]).unwrap();
        assert_eq!(adj, vec![1.0, 1.0]);
        // One feature's rare gap does not inflate another's extreme value.
        let quiet = [(0, 0.0), (1, 0.0), (2, 0.0), (3, 0.0)];
        assert_eq!(min_p_adjust(&[0.3], &[&quiet]).unwrap(), vec![0.2]);
        assert_eq!(min_p_adjust(&[0.3, 0.0], &[&quiet, &a]).unwrap()[0], 0.2);
        assert_eq!(min_p_adjust(&[], &[]), None);
        assert_eq!(min_p_adjust(&[0.1], &[&[]]), None);
    }

    #[test]
    fn history_rule_and_p_value() {
        assert!(history_suffices(200, 7, 0.01));
        assert!(!history_suffices(199, 7, 0.01));
        assert!(!history_suffices(500, 6, 0.01));
        assert_eq!(history_p_value(0.0, &[0.0; 9]), 1.0);
        assert_eq!(history_p_value(0.5, &[0.0; 9]), 0.1);
        assert_eq!(history_p_value(0.5, &[0.5, 0.0, 0.0, 0.0]), 0.4);
    }
}
