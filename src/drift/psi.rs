//! The Population Stability Index over two aligned vectors of bin counts. Pure arithmetic.
//!
//! `PSI = Σ_b (p_b − q_b) · ln(p_b / q_b)` where `p_b` is the reference proportion and `q_b` the
//! current proportion of bin `b`. PSI is dimensionless, ≥ 0, and symmetric in `p` and `q`.
//!
//! The two modes differ only in how a zero proportion is replaced before the logarithm:
//!
//! * **quantile** ([`psi_quantile`]): proportions are `count / total rows of that side`
//!   (missing bin included). A zero proportion is replaced by `ε` (default 1e-4) in *both* the
//!   difference and the log, with no renormalisation. A bin empty on both sides contributes 0.
//! * **evidently** ([`psi_evidently`]): Evidently 0.7's rule. On each side, zero proportions are
//!   replaced by `m / 1e6` when that side's smallest non-zero proportion `m` is ≤ 1e-4, and by
//!   1e-4 otherwise. Every bin contributes (Evidently builds bins only where some value lies).

/// A PSI value: finite and ≥ 0 (up to rounding of the sum).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Psi(f64);

impl Psi {
    /// Wraps a computed PSI, rejecting NaN and infinities.
    ///
    /// # Errors
    /// Returns the value back when it is not finite.
    pub fn new(value: f64) -> Result<Self, f64> {
        if value.is_finite() { Ok(Self(value.max(0.0))) } else { Err(value) }
    }

    /// The value.
    #[must_use]
    pub fn get(self) -> f64 {
        self.0
    }
}

/// Per-bin detail of a PSI computation.
#[derive(Debug, Clone, PartialEq)]
pub struct PsiTerms {
    /// Reference proportion per bin, before the ε replacement.
    pub reference: Vec<f64>,
    /// Current proportion per bin, before the ε replacement.
    pub current: Vec<f64>,
    /// `(p − q)·ln(p/q)` per bin after the ε replacement.
    pub contribution: Vec<f64>,
    /// The sum of the contributions.
    pub psi: Psi,
}

/// Quantile-mode PSI. `reference` and `current` are counts over the same bins (missing bin
/// included) and each must sum to that side's row count; `epsilon` replaces zero proportions.
///
/// # Panics
/// Never for valid input; the vectors must have equal length (a programming error otherwise).
#[must_use]
pub fn psi_quantile(reference: &[u64], current: &[u64], epsilon: f64) -> PsiTerms {
    assert_eq!(reference.len(), current.len(), "bins must be aligned");
    let p = proportions(reference);
    let q = proportions(current);
    let contribution: Vec<f64> = p
        .iter()
        .zip(&q)
        .map(|(&pi, &qi)| {
            if pi == 0.0 && qi == 0.0 {
                return 0.0;
            }
            let (pi, qi) = (floor_at(pi, epsilon), floor_at(qi, epsilon));
            (pi - qi) * (pi / qi).ln()
        })
        .collect();
    finish(p, q, contribution)
}

/// Evidently-mode PSI over aligned counts (Evidently 0.7.23 `psi_stat_test`).
///
/// # Panics
/// Never for valid input; the vectors must have equal length (a programming error otherwise).
#[must_use]
pub fn psi_evidently(reference: &[u64], current: &[u64]) -> PsiTerms {
    assert_eq!(reference.len(), current.len(), "bins must be aligned");
    let p = proportions(reference);
    let q = proportions(current);
    let pe = evidently_fill(&p);
    let qe = evidently_fill(&q);
    let contribution = pe.iter().zip(&qe).map(|(&pi, &qi)| (pi - qi) * (pi / qi).ln()).collect();
    finish(p, q, contribution)
}

fn finish(reference: Vec<f64>, current: Vec<f64>, contribution: Vec<f64>) -> PsiTerms {
    let sum: f64 = contribution.iter().sum();
    // Each term is ≥ 0 mathematically; the sum of finite terms is finite.
    let psi = Psi::new(sum).unwrap_or(Psi(f64::MAX));
    PsiTerms { reference, current, contribution, psi }
}

/// `count / total` per bin; all zeros when the side is empty.
fn proportions(counts: &[u64]) -> Vec<f64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return vec![0.0; counts.len()];
    }
    counts.iter().map(|&c| c as f64 / total as f64).collect()
}

fn floor_at(x: f64, epsilon: f64) -> f64 {
    if x == 0.0 { epsilon } else { x }
}

/// Evidently's zero replacement: `m/1e6` if `m ≤ 1e-4`, else `1e-4`, `m` the smallest
/// non-zero proportion of that side. The one ε fill of Evidently's binning: its PSI here and
/// its `psi` and `kl_div` stattests ([`super::stattests`]).
#[must_use]
pub fn evidently_fill(p: &[f64]) -> Vec<f64> {
    let m = p.iter().copied().filter(|x| *x != 0.0).fold(f64::INFINITY, f64::min);
    let fill = if m <= 1e-4 { m / 1e6 } else { 1e-4 };
    p.iter().map(|&x| if x == 0.0 { fill } else { x }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TOL: f64 = 1e-12;

    #[test]
    fn hand_computed_two_bins() {
        // p = (0.5, 0.5), q = (0.25, 0.75):
        // 0.25·ln 2 + (−0.25)·ln(2/3) = 0.25·(ln 2 − ln 2 + ln 3) ... = 0.25·ln 3
        let t = psi_quantile(&[2, 2], &[1, 3], 1e-4);
        let expected = 0.25 * 2f64.ln() + (-0.25) * (0.5f64 / 0.75).ln();
        assert!((t.psi.get() - expected).abs() < TOL);
        assert!((t.psi.get() - 0.25 * 3f64.ln()).abs() < TOL);
    }

    #[test]
    fn epsilon_replaces_zero_in_difference_and_log() {
        // p = (1, 0), q = (0.5, 0.5), ε = 1e-4:
        // (1−0.5)·ln(1/0.5) + (1e-4 − 0.5)·ln(1e-4/0.5)
        let t = psi_quantile(&[4, 0], &[2, 2], 1e-4);
        let expected = 0.5 * 2f64.ln() + (1e-4 - 0.5) * (1e-4f64 / 0.5).ln();
        assert!((t.psi.get() - expected).abs() < TOL);
        assert_eq!(t.reference, vec![1.0, 0.0], "reported proportions are not renormalised");
    }

    #[test]
    fn bin_empty_on_both_sides_contributes_zero() {
        let with = psi_quantile(&[1, 0, 3], &[2, 0, 2], 1e-4);
        let without = psi_quantile(&[1, 3], &[2, 2], 1e-4);
        assert_eq!(with.contribution[1], 0.0);
        assert!((with.psi.get() - without.psi.get()).abs() < TOL);
    }

    #[test]
    fn missing_bin_counts_like_any_other() {
        // Last bin is "missing": 1 of 4 vs 0 of 4.
        let t = psi_quantile(&[2, 1, 1], &[2, 2, 0], 1e-4);
        let expected = 0.0 + (0.25 - 0.5) * (0.25f64 / 0.5).ln() + (0.25 - 1e-4) * (0.25f64 / 1e-4).ln();
        assert!((t.psi.get() - expected).abs() < TOL);
    }

    #[test]
    fn evidently_fill_rule() {
        // Smallest non-zero proportion 0.5 > 1e-4 → zeros become 1e-4.
        assert_eq!(evidently_fill(&[0.5, 0.5, 0.0]), vec![0.5, 0.5, 1e-4]);
        // Smallest non-zero 5e-5 ≤ 1e-4 → zeros become 5e-11.
        let filled = evidently_fill(&[0.99995, 0.00005, 0.0]);
        assert!((filled[2] - 5e-11).abs() < 1e-24);
    }

    proptest! {
        #[test]
        fn psi_of_identical_counts_is_zero(counts in prop::collection::vec(0u64..50, 1..12)) {
            prop_assume!(counts.iter().sum::<u64>() > 0);
            prop_assert!(psi_quantile(&counts, &counts, 1e-4).psi.get().abs() < TOL);
            prop_assert!(psi_evidently(&counts, &counts).psi.get().abs() < TOL);
        }

        #[test]
        fn psi_is_non_negative_and_symmetric(
            pairs in prop::collection::vec((0u64..50, 0u64..50), 1..12),
        ) {
            let p: Vec<u64> = pairs.iter().map(|x| x.0).collect();
            let q: Vec<u64> = pairs.iter().map(|x| x.1).collect();
            prop_assume!(p.iter().sum::<u64>() > 0 && q.iter().sum::<u64>() > 0);
            let pq = psi_quantile(&p, &q, 1e-4).psi.get();
            let qp = psi_quantile(&q, &p, 1e-4).psi.get();
            prop_assert!(pq >= 0.0);
            prop_assert!((pq - qp).abs() <= 1e-9 * pq.max(1.0));
            let epq = psi_evidently(&p, &q).psi.get();
            prop_assert!(epq >= 0.0);
        }
    }
}
