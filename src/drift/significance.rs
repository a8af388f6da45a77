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

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The significance of one PSI value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Significance {
    /// `B − 1`.
    pub degrees_of_freedom: usize,
    /// `P(χ²(B−1) ≥ PSI/(1/n+1/m))`, in [0, 1].
    pub p_value: f64,
    /// The PSI above which the shift is significant at α.
    pub critical_psi: f64,
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn undefined_with_one_bin_or_an_empty_side() {
        assert_eq!(significance(0.1, 10, 10, 1, 0.01), None);
        assert_eq!(significance(0.1, 0, 10, 5, 0.01), None);
    }
}
