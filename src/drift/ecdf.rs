//! The two-sample merge walk: two sorted samples' empirical CDFs compared at every distinct
//! value of either, in one linear pass. It gives the Kolmogorov–Smirnov statistic `D`, the
//! Wasserstein distance `W₁` and the distinct values of both ([`merge`]), and each distinct
//! value's count on either side ([`tallies`]). Pure math over two slices of finite values, each
//! sorted ascending.

// The formulas' own letters (u, v, g, x, …) read better here than long names.
#![allow(clippy::many_single_char_names)]

/// What one merge of two sorted samples gives: the KS statistic, the (unnormed) Wasserstein
/// distance and the distinct values of both — three tests' walks over the values in one.
#[derive(Debug, Clone, Copy)]
pub struct Merged {
    /// `D = max |U − V|`.
    pub ks: f64,
    /// `W₁`, unnormed.
    pub wasserstein: f64,
    /// The distinct values of both samples together.
    pub distinct: usize,
}

/// The merge: at each distinct value `x` of either side, the CDFs `U(x) = #{u ≤ x}/n_u` and
/// `V(x)`; `D = max |U − V|` (scipy's `ks_2samp` statistic), `W₁ = Σ |U(x_k) − V(x_k)|·(x_{k+1} − x_k)`
/// (as scipy's `wasserstein_distance`).
///
/// The gap is carried exactly, as the integer `g = i·n_v − j·n_u = (U − V)·n_u·n_v`, one
/// addition a step instead of two divisions; `D` is then `max |g|` over `n_u·n_v`, one
/// correctly rounded division (scipy's, `i/n_u − j/n_v`, rounds three times: the two agree to an
/// ulp). `W₁` sums `|g|·(x_{k+1} − x_k)` and divides once at the end. (`|g| ≤ n_u·n_v` fits an
/// `i64` up to 3·10⁹ values a side, 24 GB a column: more than a machine holds to sort.)
///
/// The values are cut into `CHAINS` runs of about equal length at distinct values (a tie group
/// is never cut), walked side by side: each step of a walk waits on the load its last comparison
/// chose, so independent walks interleaved keep the core busy (two: more are no faster, see
/// `benches/README.md`). `W₁` sums the runs' partial sums in run order.
#[must_use]
pub fn merge(u: &[f64], v: &[f64]) -> Merged {
    let mut cuts = [(0, 0); CHAINS + 1];
    for (k, cut) in cuts.iter_mut().enumerate().skip(1) {
        *cut = cut_at_rank(u, v, k * (u.len() + v.len()) / CHAINS);
    }
    let (nu, nv) = (u.len() as i64, v.len() as i64);
    let mut walks = [Walk::default(); CHAINS];
    for (k, walk) in walks.iter_mut().enumerate() {
        walk.start(u, v, cuts[k], cuts[k + 1]);
    }
    let common = walks.iter().map(|w| w.steps).min().unwrap_or(0);
    for _ in 0..common {
        for walk in &mut walks {
            walk.step(u, v, nu, nv);
        }
    }
    for walk in &mut walks {
        for _ in common..walk.steps {
            walk.step(u, v, nu, nv);
        }
        walk.finish(u, v, nu, nv);
    }
    let scale = nu as f64 * nv as f64;
    let above = walks.iter().map(|w| w.above).max().unwrap_or(0) as f64 / scale;
    let below = walks.iter().map(|w| w.below).min().unwrap_or(0) as f64 / scale;
    let below = (-below).clamp(0.0, 1.0);
    Merged {
        ks: if below > above { below } else { above },
        wasserstein: walks.iter().map(|w| w.sum).sum::<f64>() / scale,
        distinct: walks.iter().map(|w| w.distinct).sum(),
    }
}

/// Independent walks of [`merge`].
const CHAINS: usize = 2;

/// Where the sorted union of `u` and `v` is cut near its `rank`-th value: the positions in `u`
/// and `v` of the first value not below the union's `rank`-th (0-based), so that a tie group
/// stays whole (`(|u|, |v|)` past the end).
fn cut_at_rank(u: &[f64], v: &[f64], rank: usize) -> (usize, usize) {
    if rank >= u.len() + v.len() {
        return (u.len(), v.len());
    }
    // The split `i + j = rank` of the union's first `rank` values: the least `i` with
    // `u[i] ≥ v[rank − i − 1]` (or `i` at its upper bound).
    let (mut lo, mut hi) = (rank.saturating_sub(v.len()), rank.min(u.len()));
    while lo < hi {
        let i = lo + (hi - lo) / 2;
        if u[i] < v[rank - i - 1] {
            lo = i + 1;
        } else {
            hi = i;
        }
    }
    let x = next(u, lo).min(next(v, rank - lo));
    (u.partition_point(|y| *y < x), v.partition_point(|y| *y < x))
}

/// One walk of [`merge`] over its run of both sides: `i` and `j` values taken, `prev` the last
/// one; `above`/`below` the extremes of the scaled gap, `sum` the unscaled `W₁` terms.
#[derive(Debug, Clone, Copy, Default)]
struct Walk {
    i: usize,
    j: usize,
    steps: usize,
    prev: f64,
    above: i64,
    below: i64,
    sum: f64,
    distinct: usize,
}

impl Walk {
    fn start(&mut self, u: &[f64], v: &[f64], (i, j): (usize, usize), end: (usize, usize)) {
        *self = Self {
            i,
            j,
            steps: (end.0 - i) + (end.1 - j),
            prev: next(u, i).min(next(v, j)),
            above: 0,
            below: 0,
            sum: 0.0,
            distinct: 0,
        };
    }

    /// Takes the smaller next value `x`. A tie group is closed when `x` is larger than the last
    /// value: the gap `g` then is the CDFs' at that value (nothing above it taken yet), and its
    /// `W₁` term `|g|·(x − prev)` is zero inside a tie group, so it is added unconditionally. A
    /// gap inside a tie group is read as 0, which the extremes hold anyway (the CDFs meet at the
    /// largest value).
    #[inline]
    fn step(&mut self, u: &[f64], v: &[f64], nu: i64, nv: i64) {
        let (a, b) = (next(u, self.i), next(v, self.j));
        let take_u = a <= b;
        // `min`, not a select on `take_u`: the compiler makes a select a (mispredicted) branch.
        let x = a.min(b);
        let g = self.i as i64 * nv - self.j as i64 * nu;
        let closed = x > self.prev;
        let g_closed = if closed { g } else { 0 };
        self.above = self.above.max(g_closed);
        self.below = self.below.min(g_closed);
        // A signed conversion: one instruction, where an unsigned one takes five.
        self.sum += g.abs() as f64 * (x - self.prev);
        self.distinct += usize::from(closed);
        self.prev = x;
        self.i += usize::from(take_u);
        self.j += usize::from(!take_u);
    }

    /// Closes the run's last tie group, against the next run's first value (none past the end).
    fn finish(&mut self, u: &[f64], v: &[f64], nu: i64, nv: i64) {
        if self.steps == 0 {
            return;
        }
        let g = self.i as i64 * nv - self.j as i64 * nu;
        self.above = self.above.max(g);
        self.below = self.below.min(g);
        let following = next(u, self.i).min(next(v, self.j));
        if following.is_finite() {
            self.sum += g.abs() as f64 * (following - self.prev);
        }
        self.distinct += 1;
    }
}

/// `s[k]`, or `+inf` past the end.
#[inline]
fn next(s: &[f64], k: usize) -> f64 {
    s.get(k).copied().unwrap_or(f64::INFINITY)
}

/// Each distinct value of either sample, in ascending order, as its number of occurrences in
/// `u` and in `v`: one linear merge of the two, without a copy (`.count()` is the number of
/// distinct values of both).
pub fn tallies<'a>(u: &'a [f64], v: &'a [f64]) -> impl Iterator<Item = (u64, u64)> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        let x = match (u.get(i), v.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => return None,
        };
        let (i0, j0) = (i, j);
        while i < u.len() && u[i] <= x {
            i += 1;
        }
        while j < v.len() && v[j] <= x {
            j += 1;
        }
        Some(((i - i0) as u64, (j - j0) as u64))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(crate::test_support::fuzz_config(256))]
        #[test]
        fn merge_equals_the_cdfs_at_every_distinct_value(
            u in proptest::collection::vec(-50_i32..50, 1..400),
            v in proptest::collection::vec(-60_i32..40, 1..400),
            scale in proptest::sample::select(vec![1.0, 0.37, 1e-3]),
        ) {
            let side = |s: &[i32]| {
                let mut s: Vec<f64> = s.iter().map(|x| f64::from(*x) * scale).collect();
                s.sort_by(f64::total_cmp);
                s
            };
            let (u, v) = (side(&u), side(&v));
            let mut all: Vec<f64> = u.iter().chain(&v).copied().collect();
            all.sort_by(f64::total_cmp);
            all.dedup();
            let cdf = |s: &[f64], x: f64| s.partition_point(|y| *y <= x) as f64 / s.len() as f64;
            let gaps: Vec<f64> = all.iter().map(|x| cdf(&u, *x) - cdf(&v, *x)).collect();
            let ks = gaps.iter().fold(0.0_f64, |m, g| m.max(g.abs()));
            let w: f64 = all.windows(2).zip(&gaps).map(|(x, g)| g.abs() * (x[1] - x[0])).sum();
            let merged = merge(&u, &v);
            // One rounding against the definition's three: equal to an ulp or two.
            proptest::prop_assert!((merged.ks - ks).abs() <= 4.0 * f64::EPSILON * ks, "{} {}", merged.ks, ks);
            proptest::prop_assert_eq!(merged.distinct, all.len());
            proptest::prop_assert!((merged.wasserstein - w).abs() <= 1e-12 * w.max(1e-300), "{} {}", merged.wasserstein, w);
            let count = |s: &[f64], x: f64| s.iter().filter(|y| **y == x).count() as u64;
            let expected: Vec<(u64, u64)> = all.iter().map(|x| (count(&u, *x), count(&v, *x))).collect();
            proptest::prop_assert_eq!(tallies(&u, &v).collect::<Vec<_>>(), expected);
        }

    }

    #[test]
    fn hand_computed_values() {
        // Wasserstein of [0,1] and [1,2]: the CDFs differ by 1/2 on [0,1) and [1,2): W = 1.
        assert!((merge(&[0.0, 1.0], &[1.0, 2.0]).wasserstein - 1.0).abs() < 1e-15);
        // …and the KS statistic of the same merge: the CDFs' largest gap, 1/2.
        assert!((merge(&[0.0, 1.0], &[1.0, 2.0]).ks - 0.5).abs() < 1e-15);
        // Three distinct values: 0 (once on the left), 1 (once a side), 2 (once on the right).
        assert_eq!(merge(&[0.0, 1.0], &[1.0, 2.0]).distinct, 3);
        assert_eq!(tallies(&[0.0, 1.0], &[1.0, 2.0]).collect::<Vec<_>>(), [(1, 0), (1, 1), (0, 1)]);
        assert_eq!(tallies(&[], &[]).count(), 0);
    }
}
