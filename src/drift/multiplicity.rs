//! Many features, one pager: the dataset-level drift call, with the family-wise error rate
//! across features controlled by Holm's step-down procedure (Holm 1979).
//!
//! With `m` features each tested at α, some feature is called by chance alone on up to `m·α`
//! of days (ten features at α = 0.01: about one day in ten). Holm's procedure sorts the
//! p-values `p₍₁₎ ≤ … ≤ p₍ₘ₎` and rejects `H₍₁₎ … H₍ₖ₎` for the largest `k` such that
//! `p₍ᵢ₎ ≤ α/(m − i + 1)` for every `i ≤ k`. It keeps the probability of any false call at most
//! α, whatever the dependence between the tests.
//!
//! Why family-wise and not Benjamini–Hochberg's false discovery rate: the dataset call pages
//! someone, so what must be rare is a page on a day where nothing drifted, which is the
//! family-wise error. Features of one panel are strongly and not always positively dependent
//! (returns, RSI and moving-average gaps move together, turnover against them), and Holm needs
//! no assumption about that, where BH's guarantee needs positive regression dependence. On
//! the global null the dataset call is `min p ≤ α/m` (Bonferroni), and Holm names every
//! feature it can confirm, not only the smallest.

/// Which of `p_values` Holm's step-down rejects at family-wise level `alpha`, in the input's
/// order. NaN p-values are never rejected and count towards `m`.
#[must_use]
pub fn holm(p_values: &[f64], alpha: f64) -> Vec<bool> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut rejected = vec![false; m];
    for (i, &at) in order.iter().enumerate() {
        let p = p_values[at];
        if p.is_nan() || p > alpha / (m - i) as f64 {
            break;
        }
        rejected[at] = true;
    }
    rejected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_steps_down_until_the_first_failure() {
        // statsmodels.stats.multitest.multipletests([.001, .04, .03, .005], .05, "holm"):
        // thresholds .05/4 = .0125, .05/3 = .0167, .05/2 = .025, .05: .001 and .005 pass,
        // .03 > .025 stops it.
        assert_eq!(holm(&[0.001, 0.04, 0.03, 0.005], 0.05), vec![true, false, false, true]);
        // Everything passes when every step does.
        assert_eq!(holm(&[0.01, 0.02, 0.03], 0.1), vec![true, true, true]);
        // The smallest alone decides the global call: Bonferroni.
        assert_eq!(holm(&[0.0026, 0.9], 0.005), vec![false, false]);
        assert_eq!(holm(&[0.0025, 0.9], 0.005), vec![true, false]);
    }

    #[test]
    fn nan_is_never_rejected_and_nothing_is_rejected_of_nothing() {
        assert_eq!(holm(&[f64::NAN, 0.0], 0.01), vec![false, true]);
        assert!(holm(&[], 0.01).is_empty());
    }
}
