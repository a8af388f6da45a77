//! The drift statistics of Evidently's data-drift preset, each as Evidently 0.7.23's legacy
//! stattest function computes it (`evidently.legacy.calculations.stattests`), and the rule by
//! which its preset picks one per column. Pure math over one feature's two samples.
//!
//! Both samples are what Evidently hands its stattests: `±inf` turned to null and nulls dropped,
//! on each side. A numeric feature is its finite values, sorted; a categorical one its counts
//! per category over the union of both sides' categories.
//!
//! | test | kind | value | drift when (default threshold) |
//! |---|---|---|---|
//! | `psi` | both | PSI over Evidently's binning (see below), zero shares filled | value ≥ 0.1 |
//! | `ks` | numeric | p-value of scipy's `ks_2samp` ([`super::ks`]) | p ≤ 0.05 |
//! | `wasserstein` | numeric | `W₁(ref, cur) / max(σ_ref, 0.001)`, σ the population standard deviation | value ≥ 0.1 |
//! | `jensenshannon` | both | `√(½ Σ p ln(p/m) + ½ Σ q ln(q/m))`, `m = (p+q)/2`, on Evidently's binning, shares unfilled | value ≥ 0.1 |
//! | `hellinger` | both | `√(1 − clip(Σ √(p·q)))` (numeric: densities over Sturges bins of the distinct values, times the bin width) | value ≥ 0.1 |
//! | `kl_div` | both | `Σ p ln(p/q)` on Evidently's binning, shares filled, each side renormalised | value ≥ 0.1 |
//! | `chisquare` | categorical | p-value of Pearson's χ² of the current counts against the reference's scaled to the current size, `k − 1` degrees of freedom | p < 0.05 |
//! | `z` | categorical | two-sided p-value `2(1 − Φ(|z|))` of the two-proportion z-test of the first category (sorted) against the rest | p < 0.05 |
//!
//! **Evidently's binning** (`get_binned_data`): a numeric feature with more than 20 distinct
//! reference values gets numpy's Sturges equal-width bins over both samples together; any other
//! feature one bin per distinct value of either side. Shares are counts over the side's size.
//! *Filled* shares replace a zero by `m/10⁶` when the side's smallest non-zero share `m ≤ 10⁻⁴`,
//! else by `10⁻⁴` (the `--binning evidently` PSI's rule, [`super::psi::evidently_fill`]).
//!
//! **The preset's choice** (`auto`): with at most 1,000 reference values, `ks` for a numeric
//! feature with more than 5 distinct values (over both sides), else `chisquare` with more than 2
//! and `z` with 2 or fewer; with more reference values, `wasserstein` for a numeric feature with
//! more than 5 distinct values and `jensenshannon` for any other.
//!
//! The tests' names, thresholds and drift rules are [`crate::options::StatTest`]'s, and the
//! choice among them [`crate::options::Choice`]'s ([`chosen`] applies it to a feature).
//!
//! Every p-value here assumes independent rows, which a NEPSE panel's are not (see the panel
//! test in [`super::significance`]): a result marks these calls.

// The formulas' own letters (p, q, m, n, …) read better here than long names.
#![allow(clippy::many_single_char_names)]

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

#[cfg(test)]
use super::binning::histogram_counts;
use super::binning::sturges_edges;
use super::ecdf::{merge, tallies};
use super::ks::ks_test;
use super::psi::evidently_fill;
use crate::options::{Choice, StatTest};

/// One feature's two samples, as Evidently's stattests receive them.
#[derive(Debug, Clone, Copy)]
pub enum Samples<'a> {
    /// Finite values, each side sorted ascending.
    Numeric {
        /// Reference values.
        reference: &'a [f64],
        /// Current values.
        current: &'a [f64],
    },
    /// Counts per category, the same categories (sorted) on both sides, nulls left out.
    Categorical {
        /// Reference counts.
        reference: &'a [u64],
        /// Current counts.
        current: &'a [u64],
    },
}

impl Samples<'_> {
    fn sizes(&self) -> (u64, u64) {
        match self {
            Self::Numeric { reference, current } => (reference.len() as u64, current.len() as u64),
            Self::Categorical { reference, current } => (reference.iter().sum(), current.iter().sum()),
        }
    }

    /// Counts per distinct value of either side, in value order (for a numeric feature), or the
    /// category counts as they are.
    fn value_counts(&self) -> (Vec<u64>, Vec<u64>) {
        match self {
            Self::Numeric { reference, current } => tallies(reference, current).unzip(),
            Self::Categorical { reference, current } => (reference.to_vec(), current.to_vec()),
        }
    }

    /// Distinct values of a sorted slice, counted up to `limit` (then `limit`).
    fn distinct_up_to(values: &[f64], limit: usize) -> usize {
        let mut n = usize::from(!values.is_empty());
        for w in values.windows(2) {
            if n >= limit {
                break;
            }
            n += usize::from(w[0] != w[1]);
        }
        n.min(limit)
    }

    /// Distinct values (categories) over both sides, counted up to `limit`: one linear merge of
    /// the two sorted sides, without a copy.
    fn distinct_both_up_to(&self, limit: usize) -> usize {
        match self {
            Self::Numeric { reference, current } => tallies(reference, current).take(limit).count(),
            Self::Categorical { reference, current } => {
                reference.iter().zip(*current).filter(|(r, c)| **r > 0 || **c > 0).count().min(limit)
            }
        }
    }

    /// Evidently's binning: per-bin counts of each side; `None` when the values span more
    /// than a float can hold (no equal-width bins).
    fn binned(&self) -> Option<(Vec<u64>, Vec<u64>)> {
        match self {
            Self::Numeric { reference, current } if Self::distinct_up_to(reference, 21) > 20 => {
                let min = reference[0].min(current.first().copied().unwrap_or(f64::INFINITY));
                let max = reference[reference.len() - 1].max(current.last().copied().unwrap_or(f64::NEG_INFINITY));
                let edges = sturges_edges(min, max, reference.len() + current.len())?;
                Some((sorted_histogram(reference, &edges), sorted_histogram(current, &edges)))
            }
            _ => Some(self.value_counts()),
        }
    }
}

/// `np.histogram(values, edges)` counts of a sorted slice (bins `[a, b)`, the last closed,
/// values outside left out), by a binary search per edge: the same counts as
/// [`histogram_counts`], without a pass over the values.
fn sorted_histogram(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
    let below = |e: f64| sorted.partition_point(|v| *v < e);
    let last = edges.len() - 1;
    (0..last)
        .map(|i| {
            let hi = if i + 1 == last { sorted.partition_point(|v| *v <= edges[last]) } else { below(edges[i + 1]) };
            (hi - below(edges[i])) as u64
        })
        .collect()
}

/// The tests `choice` computes on `samples`, and the one that decides `drifted` (`None` when
/// the chosen test does not apply to the feature's kind).
#[must_use]
pub fn chosen(choice: Choice, samples: &Samples<'_>) -> (Vec<StatTest>, Option<StatTest>) {
    let numeric = matches!(samples, Samples::Numeric { .. });
    match choice {
        Choice::One(t) if t.applies_to(numeric) => (vec![t], Some(t)),
        // The PSI alone, or a test of the other kind: nothing beside the PSI's call.
        Choice::Psi | Choice::One(_) => (Vec::new(), None),
        Choice::Auto => {
            let t = auto(samples);
            (vec![t], Some(t))
        }
        Choice::All => {
            let decider = auto(samples);
            let mut tests: Vec<StatTest> = StatTest::ALL.into_iter().filter(|t| t.applies_to(numeric)).collect();
            // The preset's pick for a numeric feature of few values may be χ² or z.
            if !tests.contains(&decider) {
                tests.push(decider);
            }
            (tests, Some(decider))
        }
    }
}

/// The test Evidently's preset picks for a feature (see the module's doc).
#[must_use]
pub fn auto(samples: &Samples<'_>) -> StatTest {
    let numeric = matches!(samples, Samples::Numeric { .. });
    let (n_ref, _) = samples.sizes();
    let n_values = samples.distinct_both_up_to(6);
    match (n_ref <= 1000, numeric) {
        (true, true) if n_values > 5 => StatTest::Ks,
        (true, _) if n_values > 2 => StatTest::ChiSquare,
        (true, _) => StatTest::Z,
        (false, true) if n_values > 5 => StatTest::Wasserstein,
        (false, _) => StatTest::JensenShannon,
    }
}

/// The values of `tests` on `samples`, each `None` where it is undefined (an empty side, a
/// single category for χ²); Evidently's binning computed once for all.
#[must_use]
///
/// A value is `None` (undefined, never NaN) when a side is empty, when the values span more than
/// a float can hold, or when the arithmetic overflows; the exception is Hellinger on a
/// categorical feature with one side empty, which is 1 (no overlap), as Evidently's own
/// function gives.
pub fn values(tests: &[StatTest], samples: &Samples<'_>) -> Vec<Option<f64>> {
    let (n_ref, n_cur) = samples.sizes();
    if n_ref == 0 || n_cur == 0 {
        let empty_side = |t: &StatTest| {
            (*t == StatTest::Hellinger && matches!(samples, Samples::Categorical { .. }) && n_ref + n_cur > 0)
                .then_some(1.0)
        };
        return tests.iter().map(empty_side).collect();
    }
    let binned = std::cell::OnceCell::new();
    let binned = || binned.get_or_init(|| samples.binned());
    let merged = std::cell::OnceCell::new();
    let merged = |u: &[f64], v: &[f64]| *merged.get_or_init(|| merge(u, v));
    tests
        .iter()
        .map(|test| match test {
            StatTest::Psi => {
                let (r, c) = binned().as_ref()?;
                let (p, q) = (evidently_fill(&shares(r)), evidently_fill(&shares(c)));
                Some(p.iter().zip(&q).map(|(p, q)| (p - q) * (p / q).ln()).sum())
            }
            StatTest::Ks => match samples {
                Samples::Numeric { reference, current } => {
                    Some(ks_test(merged(reference, current).ks, reference.len(), current.len()).p_value)
                }
                Samples::Categorical { .. } => None,
            },
            StatTest::Wasserstein => match samples {
                Samples::Numeric { reference, current } => {
                    Some(merged(reference, current).wasserstein / population_std(reference).max(0.001))
                }
                Samples::Categorical { .. } => None,
            },
            StatTest::JensenShannon => {
                let (r, c) = binned().as_ref()?;
                Some(jensen_shannon(&shares(r), &shares(c)))
            }
            StatTest::Hellinger => match samples {
                Samples::Numeric { reference, current } => hellinger(samples, merged(reference, current).distinct),
                Samples::Categorical { .. } => hellinger(samples, 0),
            },
            StatTest::KlDiv => {
                let (r, c) = binned().as_ref()?;
                Some(kl_divergence(&evidently_fill(&shares(r)), &evidently_fill(&shares(c))))
            }
            StatTest::ChiSquare => {
                let (r, c) = samples.value_counts();
                chi_square(&r, &c)
            }
            StatTest::Z => {
                let (r, c) = samples.value_counts();
                Some(z_test(&r, &c))
            }
        })
        .map(|v: Option<f64>| v.filter(|x| x.is_finite()))
        .collect()
}

fn shares(counts: &[u64]) -> Vec<f64> {
    let n: u64 = counts.iter().sum();
    counts.iter().map(|c| *c as f64 / n as f64).collect()
}

/// `x ln(x/y)` as scipy's `rel_entr`: 0 at `x = 0`, `+inf` when `y = 0 < x`.
fn rel_entr(x: f64, y: f64) -> f64 {
    if x > 0.0 && y > 0.0 {
        x * (x / y).ln()
    } else if x == 0.0 && y >= 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// scipy's `distance.jensenshannon(p, q)` (natural log): both normalised, then
/// `√((Σ rel_entr(p, m) + Σ rel_entr(q, m)) / 2)`.
fn jensen_shannon(p: &[f64], q: &[f64]) -> f64 {
    let (sp, sq): (f64, f64) = (p.iter().sum(), q.iter().sum());
    let (mut left, mut right) = (0.0, 0.0);
    for (a, b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        let m = f64::midpoint(a, b);
        left += rel_entr(a, m);
        right += rel_entr(b, m);
    }
    f64::midpoint(left, right).sqrt()
}

/// scipy's `stats.entropy(p, q)`: both normalised, `Σ rel_entr(p, q)`.
fn kl_divergence(p: &[f64], q: &[f64]) -> f64 {
    let (sp, sq): (f64, f64) = (p.iter().sum(), q.iter().sum());
    p.iter().zip(q).map(|(a, b)| rel_entr(a / sp, b / sq)).sum()
}

/// `np.std(x)`: the population standard deviation.
fn population_std(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
}

/// Evidently's Hellinger distance; `distinct` the numeric samples' distinct values. `None`
/// when the values span more than a float can hold.
fn hellinger(samples: &Samples<'_>, distinct: usize) -> Option<f64> {
    let overlap = match samples {
        Samples::Categorical { reference, current } => {
            let (p, q) = (shares(reference), shares(current));
            p.iter().zip(&q).map(|(a, b)| (a * b).sqrt()).sum::<f64>()
        }
        Samples::Numeric { reference, current } => {
            // Sturges bins over the distinct values of both sides (not over the values).
            let min = reference[0].min(current[0]);
            let max = reference[reference.len() - 1].max(current[current.len() - 1]);
            let edges = sturges_edges(min, max, distinct)?;
            let width = (edges[edges.len() - 1] - edges[0]) / (edges.len() - 1) as f64;
            // Evidently's Σ √(d₁·d₂)·w̄ over densities dᵢ = cᵢ/(wᵢ·n) is Σ √(p·q)·(w̄/wᵢ) over
            // shares: the same number, without dividing by a bin width that may be subnormal
            // (where the densities overflow to ∞ and Evidently's own result is a wrong 0).
            let shares = |values: &[f64]| -> Vec<f64> {
                let counts = sorted_histogram(values, &edges);
                let total: u64 = counts.iter().sum();
                counts.iter().map(|c| *c as f64 / total as f64).collect()
            };
            let (p, q) = (shares(reference), shares(current));
            p.iter()
                .zip(&q)
                .zip(edges.windows(2))
                .filter(|(_, e)| e[1] > e[0])
                .map(|((a, b), e)| (a * b).sqrt() * (width / (e[1] - e[0])))
                .sum::<f64>()
        }
    };
    Some((1.0 - overlap.clamp(0.0, 1.0)).sqrt())
}

/// Evidently's χ² test: expected = reference counts × (`n_cur / n_ref`), `k − 1` degrees of
/// freedom; `None` with a single category (no degree of freedom).
fn chi_square(reference: &[u64], current: &[u64]) -> Option<f64> {
    let k = reference.iter().zip(current).filter(|(r, c)| **r > 0 || **c > 0).count();
    if k < 2 {
        return None;
    }
    let (n_ref, n_cur): (u64, u64) = (reference.iter().sum(), current.iter().sum());
    let scale = n_cur as f64 / n_ref as f64;
    let stat: f64 = reference
        .iter()
        .zip(current)
        .filter(|(r, c)| **r > 0 || **c > 0)
        .map(|(r, c)| {
            let e = *r as f64 * scale;
            let d = *c as f64 - e;
            d * d / e
        })
        .sum();
    if stat.is_infinite() {
        return Some(0.0);
    }
    let dist = ChiSquared::new((k - 1) as f64).ok()?;
    Some(dist.sf(stat))
}

/// Evidently's z-test: the first category (sorted) against the rest, pooled proportion,
/// `p = 2(1 − Φ(|z|))` computed in that form (as Evidently does); 1 when both sides hold the
/// same single category.
fn z_test(reference: &[u64], current: &[u64]) -> f64 {
    let present = |side: &[u64]| side.iter().filter(|c| **c > 0).count();
    let same_single = present(reference) == 1
        && present(current) == 1
        && reference.iter().position(|c| *c > 0) == current.iter().position(|c| *c > 0);
    if same_single {
        return 1.0;
    }
    let first = reference.iter().zip(current).position(|(r, c)| *r > 0 || *c > 0).unwrap_or(0);
    let (n1, n2): (u64, u64) = (reference.iter().sum(), current.iter().sum());
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    // Indicator: 0 for the first category, 1 for the others.
    let p1 = (n1 - reference[first]) as f64 / n1f;
    let p2 = (n2 - current[first]) as f64 / n2f;
    let pooled = (p1 * n1f + p2 * n2f) / (n1f + n2f);
    let z = (p1 - p2) / (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    let phi = Normal::standard().cdf(z.abs());
    2.0 * (1.0 - phi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::order::sort_finite;
    use crate::options::{BinningMode, PsiOptions};

    #[test]
    fn auto_follows_the_preset_branches() {
        let small: Vec<f64> = (0..100).map(f64::from).collect();
        let large: Vec<f64> = (0..2000).map(f64::from).collect();
        let few: Vec<f64> = (0..2000).map(|i| f64::from(i / 500)).collect();
        let num = |r: &'static [f64]| Samples::Numeric { reference: r, current: r };
        let leak = |v: Vec<f64>| -> &'static [f64] { Box::leak(v.into_boxed_slice()) };
        assert_eq!(auto(&num(leak(small))), StatTest::Ks);
        assert_eq!(auto(&num(leak(large))), StatTest::Wasserstein);
        assert_eq!(auto(&num(leak(few.clone()))), StatTest::JensenShannon);
        let few_small: Vec<f64> = (0..500).map(|i| f64::from(i / 125)).collect();
        assert_eq!(auto(&num(leak(few_small))), StatTest::ChiSquare);
        let binary: Vec<f64> = (0..500).map(|i| f64::from(i / 250)).collect();
        assert_eq!(auto(&num(leak(binary))), StatTest::Z);
        let cat = |r: &'static [u64]| Samples::Categorical { reference: r, current: r };
        assert_eq!(auto(&cat(&[300, 400, 200])), StatTest::ChiSquare);
        assert_eq!(auto(&cat(&[300, 400])), StatTest::Z);
        assert_eq!(auto(&cat(&[3000, 400, 1])), StatTest::JensenShannon);
    }

    /// A hostile numeric column: the float extremes, subnormals, a single repeated value,
    /// missing values, and ordinary ones, mixed.
    fn hostile() -> impl proptest::strategy::Strategy<Value = Vec<f64>> {
        use proptest::prelude::*;
        let value = prop_oneof![
            Just(1.7e308),
            Just(-1.7e308),
            Just(f64::MAX),
            Just(5e-324),
            Just(-5e-324),
            Just(f64::MIN_POSITIVE),
            Just(0.0),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            -1e3_f64..1e3,
        ];
        prop_oneof![
            proptest::collection::vec(value, 0..80),
            // One value, many times.
            (prop_oneof![Just(1.7e308), Just(5e-324), Just(42.0)], 1..60_usize).prop_map(|(v, n)| vec![v; n]),
            // All missing.
            (1..40_usize).prop_map(|n| vec![f64::NAN; n]),
        ]
    }

    proptest::proptest! {
        #![proptest_config(crate::test_support::fuzz_config(256))]
        #[test]
        fn every_test_is_finite_or_undefined_on_hostile_columns(reference in hostile(), current in hostile()) {
            let (mut r, mut c, mut scratch) = (reference.clone(), current.clone(), Vec::new());
            sort_finite(&mut r, &mut scratch);
            sort_finite(&mut c, &mut scratch);
            let samples = Samples::Numeric { reference: &r, current: &c };
            let tests: Vec<StatTest> = StatTest::ALL.into_iter().filter(|t| t.applies_to(true)).collect();
            for (test, value) in tests.iter().zip(values(&tests, &samples)) {
                proptest::prop_assert!(value.is_none_or(f64::is_finite), "{test:?}: {value:?}");
                if r.is_empty() || c.is_empty() {
                    proptest::prop_assert_eq!(value, None, "{:?} with an empty side", test);
                }
            }
            // Both binnings of the PSI: a finite PSI, or a named reason to skip the feature.
            for mode in [BinningMode::Quantile, BinningMode::Evidently] {
                let options = PsiOptions { mode, ..Default::default() };
                let column = |v: &[f64]| super::super::column::Column::Numeric(v.to_vec());
                match super::super::feature::feature_drift("x", column(&reference), &column(&current), &options) {
                    Ok(d) => {
                        proptest::prop_assert!(d.psi.is_finite(), "{mode:?}: PSI {}", d.psi);
                        for x in [d.p_value, d.critical_psi, d.shift_p_value, d.shift_critical_psi, d.expected_psi].into_iter().flatten() {
                            proptest::prop_assert!(x.is_finite(), "{mode:?}: {d:?}");
                        }
                    }
                    Err(e) => proptest::prop_assert!(
                        matches!(e, super::super::column::FeatureError::AllNullReference(_) | super::super::column::FeatureError::RangeOverflow(_)),
                        "{mode:?}: {e}"
                    ),
                }
            }
        }

        #[test]
        fn sorted_histogram_equals_numpy_counting(
            v in proptest::collection::vec(-1e3_f64..1e3, 1..3000),
            extra in proptest::collection::vec(-1e3_f64..1e3, 0..50),
        ) {
            let mut sorted = v;
            sorted.sort_by(f64::total_cmp);
            let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
            let edges = sturges_edges(min, max, sorted.len() + extra.len()).unwrap();
            proptest::prop_assert_eq!(sorted_histogram(&sorted, &edges), histogram_counts(&sorted, &edges));
            // Values at the edges themselves and outside the range.
            let mut at_edges: Vec<f64> = edges.iter().copied().chain(extra).collect();
            at_edges.sort_by(f64::total_cmp);
            proptest::prop_assert_eq!(sorted_histogram(&at_edges, &edges), histogram_counts(&at_edges, &edges));
        }
    }

    fn value(test: StatTest, samples: &Samples<'_>) -> Option<f64> {
        values(&[test], samples)[0]
    }

    #[test]
    fn hellinger_does_not_depend_on_the_scale_even_a_subnormal_one() {
        // The same values in units of the smallest subnormal and scaled to normal floats: one
        // Hellinger distance (Evidently's densities overflow on the first and give 0).
        // 64 distinct values 0..=63 over both sides: 7 Sturges bins of width 9, whose edges are
        // exact at both scales (a subnormal scale cannot hold a fractional edge).
        let mut r: Vec<f64> = (0..216).map(|k| f64::from(k % 54)).collect();
        let mut c: Vec<f64> = (0..216).map(|k| f64::from(k % 54 + 10)).collect();
        r.sort_by(f64::total_cmp);
        c.sort_by(f64::total_cmp);
        let tiny = |v: &[f64]| -> Vec<f64> { v.iter().map(|x| x * 5e-324).collect() };
        let (tr, tc) = (tiny(&r), tiny(&c));
        let normal = value(StatTest::Hellinger, &Samples::Numeric { reference: &r, current: &c }).unwrap();
        let subnormal = value(StatTest::Hellinger, &Samples::Numeric { reference: &tr, current: &tc }).unwrap();
        assert!(normal > 0.1, "{normal}");
        assert!((normal - subnormal).abs() < 1e-9, "{normal} vs {subnormal}");
    }

    #[test]
    fn hand_computed_values() {
        // χ²: reference 50/50, current 30/70 of 100 → (20²/50)·2 = 16, df 1: sf = 6.334248366623996e-5.
        let p = chi_square(&[50, 50], &[30, 70]).unwrap();
        assert!((p - 6.334_248_366_623_996e-5).abs() < 1e-15, "{p}");
        // Identical categorical shares: every distance 0, the z-test p-value 1.
        let same = Samples::Categorical { reference: &[10, 30], current: &[20, 60] };
        for t in [StatTest::Psi, StatTest::JensenShannon, StatTest::KlDiv] {
            assert!(value(t, &same).unwrap().abs() < 1e-15, "{t:?}");
        }
        assert!(value(StatTest::Hellinger, &same).unwrap() < 1e-7);
        assert!((value(StatTest::Z, &same).unwrap() - 1.0).abs() < 1e-15);
    }
}
