//! Multivariate drift by PCA reconstruction, as NannyML 0.13's
//! `DataReconstructionDriftCalculator` computes it: what per-feature PSI cannot see, a change
//! in how the features move together. Pure math over columns; the fit and the per-row error.
//!
//! **The fit, on the reference's `n` rows of `p` features** (NannyML's defaults):
//!
//! ```text
//! m_j   = mean of feature j's finite values                  SimpleImputer(strategy="mean")
//! x'_ij = x_ij, or m_j where x_ij is missing
//! s_j   = √((1/n) Σ_i (x'_ij − m_j)²)   (1 where 0)           StandardScaler (ddof 0)
//! z_ij  = (x'_ij − m_j) / s_j
//! C     = (1/(n − 1)) Σ_i z_i z_iᵀ                            PCA's covariance (z has mean 0)
//! C     = Σ_j λ_j v_j v_jᵀ,  λ_1 ≥ … ≥ λ_p ≥ 0                 nalgebra's symmetric eigen
//! k     = 1 + #{q : Σ_{j≤q} λ_j / Σ_j λ_j ≤ 0.65}             PCA(n_components=0.65)
//! ```
//!
//! **Per row:** `e_i = ‖z_i − V Vᵀ z_i‖` with `V = [v_1 … v_k]`: the Euclidean distance between
//! the scaled row and its reconstruction from the first `k` components. **Per window:** the
//! mean of `e_i` and NannyML's sampling error `sd(e; ddof 1) / √n` (which treats rows as
//! independent; the call does not rest on it, see [`super::reconstruction_null`]).
//!
//! Categorical features enter as their reference frequency ([`FrequencyEncoding`]: the most
//! frequent value imputed first, an unseen value encoded 0), as NannyML's `CountEncoder(
//! normalize=True)` does. Conventions where NannyML would stop: a non-finite value (±∞) is
//! missing (scikit-learn refuses it); a feature without a finite reference value cannot be
//! fitted ([`FitError::NoValues`]).
//!
//! The fit is computed from the reference's sums ([`Moments`]): the per-day sums a history of
//! past fits reuses. Each column is shifted by a constant before it is summed (its mean over the
//! rows fitted, or its median over the history's whole span), so the sums lose little precision
//! to a large mean; a column whose finite values are all equal is recognised exactly (its minimum equals
//! its maximum), not through a variance that rounding leaves just above 0. A value so large that
//! its square overflows (|x| ≳ 1e154) makes the fit undefined ([`FitError::NotFinite`]).

use std::collections::{BTreeMap, HashMap};

use nalgebra::{DMatrix, SymmetricEigen};

/// The share of variance the kept components explain at least (NannyML's `n_components=0.65`).
pub const EXPLAINED_VARIANCE: f64 = 0.65;

/// Why a fit is undefined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FitError {
    /// Fewer than two features that vary: one component explains everything, every error is 0.
    #[error("fewer than two features vary")]
    TooFewFeatures,
    /// Fewer than two rows: no covariance.
    #[error("fewer than two reference rows")]
    TooFewRows,
    /// A feature without a finite value in the rows fitted.
    #[error("feature {0} has no finite value")]
    NoValues(usize),
    /// Every feature is constant: nothing to decompose.
    #[error("every feature is constant")]
    NoVariance,
    /// A value so large that the covariance overflows.
    #[error("feature {0} holds a value too large to square (beyond about ±1e154)")]
    NotFinite(usize),
    /// The eigendecomposition did not converge.
    #[error("the eigendecomposition did not converge")]
    NoConvergence,
}

/// Sums over rows from which a fit is computed: per pair of columns the rows where both are
/// finite, their sums and cross product, and per column its smallest and largest finite value.
/// A window's sums are the sum of its days'.
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    p: usize,
    /// Rows.
    rows: f64,
    /// Per ordered pair `(i, j)` (row-major `p×p`): rows where both are finite.
    both: Vec<f64>,
    /// Per `(i, j)`: `Σ (x_i − c_i)` over rows where both are finite.
    sum: Vec<f64>,
    /// Per `(i, j)`: `Σ (x_i − c_i)(x_j − c_j)` over rows where both are finite.
    cross: Vec<f64>,
    /// Per column: its smallest and largest finite value (shifted).
    low: Vec<f64>,
    high: Vec<f64>,
}

impl Moments {
    /// Empty sums for `p` columns.
    #[must_use]
    pub fn new(p: usize) -> Self {
        let zeros = vec![0.0; p * p];
        Self {
            p,
            rows: 0.0,
            both: zeros.clone(),
            sum: zeros.clone(),
            cross: zeros,
            low: vec![f64::INFINITY; p],
            high: vec![f64::NEG_INFINITY; p],
        }
    }

    /// Adds one row (already shifted by the columns' constants; missing is NaN).
    pub fn add_row(&mut self, x: &[f64]) {
        let p = self.p;
        self.rows += 1.0;
        for i in 0..p {
            let xi = x[i];
            if !xi.is_finite() {
                continue;
            }
            self.low[i] = self.low[i].min(xi);
            self.high[i] = self.high[i].max(xi);
            for (j, &xj) in x.iter().enumerate() {
                if xj.is_finite() {
                    let at = i * p + j;
                    self.both[at] += 1.0;
                    self.sum[at] += xi;
                    self.cross[at] += xi * xj;
                }
            }
        }
    }

    /// Adds another window's sums.
    pub fn add(&mut self, other: &Self) {
        self.rows += other.rows;
        for (a, b) in [(&mut self.both, &other.both), (&mut self.sum, &other.sum), (&mut self.cross, &other.cross)] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.low.iter_mut().zip(&other.low) {
            *a = a.min(*b);
        }
        for (a, b) in self.high.iter_mut().zip(&other.high) {
            *a = a.max(*b);
        }
    }

    /// Rows summed.
    #[must_use]
    pub fn rows(&self) -> f64 {
        self.rows
    }
}

/// A fitted reconstruction: imputation, scaling and the kept components.
#[derive(Debug, Clone, PartialEq)]
pub struct Reconstruction {
    /// Per feature: the imputed value (the finite mean), which is also the scaler's mean.
    mean: Vec<f64>,
    /// Per feature: the scaler's standard deviation (1 for a constant feature).
    scale: Vec<f64>,
    /// The kept components, `p×k` row-major (`basis[j·k + c]`: feature `j` of the `c`-th
    /// largest component).
    basis: Vec<f64>,
    /// Components kept, `k`.
    k: usize,
    /// Every component's explained-variance ratio, largest first.
    ratios: Vec<f64>,
}

impl Reconstruction {
    /// Fits on rows given as columns (missing or non-finite values NaN or ±∞), as NannyML.
    ///
    /// # Errors
    /// [`FitError`] when the fit is undefined.
    pub fn fit(columns: &[&[f64]]) -> Result<Self, FitError> {
        let shift = column_means(columns);
        let mut m = Moments::new(columns.len());
        let mut row = vec![0.0; columns.len()];
        for i in 0..columns.first().map_or(0, |c| c.len()) {
            for (j, c) in columns.iter().enumerate() {
                row[j] = c[i] - shift[j];
            }
            m.add_row(&row);
        }
        Self::from_moments(&m, &shift)
    }

    /// Fits from the sums of the rows, taken with each column shifted by `shift`.
    ///
    /// # Errors
    /// [`FitError`] when the fit is undefined.
    #[allow(clippy::many_single_char_names)] // the formulas' names, as in the module docs
    pub fn from_moments(m: &Moments, shift: &[f64]) -> Result<Self, FitError> {
        let p = m.p;
        if p < 2 {
            return Err(FitError::TooFewFeatures);
        }
        let n = m.rows;
        if n < 2.0 {
            return Err(FitError::TooFewRows);
        }
        let at = |i: usize, j: usize| i * p + j;
        // a_j = m_j − c_j: the imputed mean, shifted.
        let mut a = vec![0.0; p];
        for (j, aj) in a.iter_mut().enumerate() {
            let count = m.both[at(j, j)];
            if count < 1.0 {
                return Err(FitError::NoValues(j));
            }
            *aj = m.sum[at(j, j)] / count;
        }
        // Σ over rows where both are finite of (x_i − m_i)(x_j − m_j); imputed cells add 0.
        let centred = |i: usize, j: usize| {
            let k = at(i, j);
            m.cross[k] - a[j] * m.sum[k] - a[i] * m.sum[at(j, i)] + a[i] * a[j] * m.both[k]
        };
        let scale: Vec<f64> = (0..p)
            .map(|j| {
                let var = centred(j, j).max(0.0) / n;
                // scikit-learn's `_is_constant_feature`: a variance within rounding of 0 is a
                // constant feature, which is not scaled (`_handle_zeros_in_scale`); so is one
                // whose finite values are all equal, whatever rounding the sums left.
                let mean = a[j] + shift[j];
                let rounding = n * f64::EPSILON * var + (n * mean * f64::EPSILON).powi(2);
                if var > rounding && m.low[j] < m.high[j] { var.sqrt() } else { 1.0 }
            })
            .collect();
        // A constant feature reconstructs exactly: with fewer than two that vary, every error is
        // rounding noise.
        if (0..p).filter(|j| m.low[*j] < m.high[*j]).count() < 2 {
            return Err(FitError::TooFewFeatures);
        }
        let cov = DMatrix::from_fn(p, p, |i, j| centred(i, j) / ((n - 1.0) * scale[i] * scale[j]));
        if let Some(at) = cov.iter().position(|c| !c.is_finite()) {
            return Err(FitError::NotFinite(at % p));
        }
        // At most 10,000 sweeps (nalgebra's `new` has no cap); an 11×11 matrix takes a handful.
        let eigen = SymmetricEigen::try_new(cov, f64::EPSILON, 10_000).ok_or(FitError::NoConvergence)?;
        let mut order: Vec<usize> = (0..p).collect();
        order.sort_by(|x, y| eigen.eigenvalues[*y].total_cmp(&eigen.eigenvalues[*x]));
        let values: Vec<f64> = order.iter().map(|j| eigen.eigenvalues[*j].max(0.0)).collect();
        let total: f64 = values.iter().sum();
        if total.is_nan() || total <= 0.0 {
            return Err(FitError::NoVariance);
        }
        let ratios: Vec<f64> = values.iter().map(|v| v / total).collect();
        let k = kept_components(&ratios);
        let basis =
            (0..p).flat_map(|j| order[..k].iter().map(move |c| (j, *c))).map(|(j, c)| eigen.eigenvectors[(j, c)]);
        let mean = a.iter().zip(shift).map(|(a, c)| a + c).collect();
        Ok(Self { mean, scale, basis: basis.collect(), k, ratios })
    }

    /// Features.
    #[must_use]
    pub fn features(&self) -> usize {
        self.mean.len()
    }

    /// The components kept.
    #[must_use]
    pub fn components(&self) -> usize {
        self.k
    }

    /// The share of the reference's variance the kept components explain.
    #[must_use]
    pub fn explained(&self) -> f64 {
        self.ratios[..self.components()].iter().sum()
    }

    /// A scratch buffer for [`Self::error`].
    #[must_use]
    pub fn scratch(&self) -> Scratch {
        Scratch { z: vec![0.0; self.features()], y: vec![0.0; self.components()] }
    }

    /// The reconstruction error of one row (its features in fit order; missing NaN or ±∞):
    /// `‖z − B·Bᵀz‖`, with `z` the standardised row.
    pub fn error(&self, x: &[f64], s: &mut Scratch) -> f64 {
        let k = self.k;
        for (((z, x), m), sd) in s.z.iter_mut().zip(x).zip(&self.mean).zip(&self.scale) {
            *z = if x.is_finite() { (x - m) / sd } else { 0.0 };
        }
        s.y.fill(0.0);
        for (z, b) in s.z.iter().zip(self.basis.chunks_exact(k)) {
            for (y, b) in s.y.iter_mut().zip(b) {
                *y += b * z;
            }
        }
        let mut ss = 0.0;
        for (z, b) in s.z.iter().zip(self.basis.chunks_exact(k)) {
            let back: f64 = b.iter().zip(&s.y).map(|(b, y)| b * y).sum();
            ss += (z - back) * (z - back);
        }
        ss.sqrt()
    }

    /// The errors of every row of `columns` (in fit order).
    #[must_use]
    pub fn errors(&self, columns: &[&[f64]]) -> Vec<f64> {
        let mut s = self.scratch();
        let mut row = vec![0.0; columns.len()];
        (0..columns.first().map_or(0, |c| c.len()))
            .map(|i| {
                for (x, c) in row.iter_mut().zip(columns) {
                    *x = c[i];
                }
                self.error(&row, &mut s)
            })
            .collect()
    }
}

/// Scratch space for [`Reconstruction::error`].
#[derive(Debug, Clone)]
pub struct Scratch {
    z: Vec<f64>,
    y: Vec<f64>,
}

/// `k = 1 + #{q : cumulative ratio ≤ 0.65}`, at most every component: scikit-learn's
/// `searchsorted(cumsum, 0.65, side="right") + 1`.
fn kept_components(ratios: &[f64]) -> usize {
    let mut cumulative = 0.0;
    let below = ratios
        .iter()
        .take_while(|r| {
            cumulative += **r;
            cumulative <= EXPLAINED_VARIANCE
        })
        .count();
    (below + 1).min(ratios.len())
}

/// The mean of each column's finite values (0 for a column without one, or whose sum
/// overflows).
#[must_use]
pub fn column_means(columns: &[&[f64]]) -> Vec<f64> {
    columns
        .iter()
        .map(|c| {
            let (s, n) = c.iter().filter(|x| x.is_finite()).fold((0.0, 0.0), |(s, n), x| (s + x, n + 1.0));
            // A sum that overflows (values near ±1.8e308) shifts by nothing rather than by ±∞,
            // which would make every value missing: the fit then says which feature overflows.
            Some(s / n).filter(|m| n > 0.0 && m.is_finite()).unwrap_or(0.0)
        })
        .collect()
}

/// A window's reconstruction error: the mean over its rows, and NannyML's sampling error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowError {
    /// Rows.
    pub rows: usize,
    /// Mean error.
    pub mean: f64,
    /// `sd(e; ddof 1) / √n`; `None` with one row.
    pub sampling_error: Option<f64>,
}

impl WindowError {
    /// The summary of `errors`; `None` without a row.
    #[must_use]
    pub fn of(errors: &[f64]) -> Option<Self> {
        let n = errors.len();
        if n == 0 {
            return None;
        }
        let mean = errors.iter().sum::<f64>() / n as f64;
        let sampling_error = (n > 1).then(|| {
            let ss: f64 = errors.iter().map(|e| (e - mean).powi(2)).sum();
            (ss / (n - 1) as f64).sqrt() / (n as f64).sqrt()
        });
        Some(Self { rows: n, mean, sampling_error })
    }
}

/// A categorical feature encoded as NannyML does: a missing value imputed with the reference's
/// most frequent value (the smallest of ties, as scikit-learn's `SimpleImputer`), then each
/// value replaced by its share of the reference rows (`CountEncoder(normalize=True)`), an
/// unseen value by 0.
#[derive(Debug, Clone, PartialEq)]
pub struct FrequencyEncoding {
    share: HashMap<String, f64>,
    mode: Option<String>,
}

impl FrequencyEncoding {
    /// Fits on the reference's values (`None` missing).
    #[must_use]
    pub fn fit<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        let (mut rows, mut missing) = (0_u64, 0_u64);
        for v in values {
            rows += 1;
            match v {
                Some(v) => *counts.entry(v).or_default() += 1,
                None => missing += 1,
            }
        }
        // BTreeMap order: the first of the largest counts is the smallest value.
        let mode = counts.iter().fold(None, |best: Option<(&str, u64)>, (v, c)| match best {
            Some((_, b)) if b >= *c => best,
            _ => Some((v, *c)),
        });
        let mode = mode.map(|(v, _)| v.to_owned());
        let share = counts
            .iter()
            .map(|(v, c)| {
                let c = if Some(*v) == mode.as_deref() { c + missing } else { *c };
                ((*v).to_owned(), c as f64 / rows as f64)
            })
            .collect();
        Self { share, mode }
    }

    /// The encoded value (NaN when the reference held no value at all).
    #[must_use]
    pub fn encode(&self, value: Option<&str>) -> f64 {
        let Some(mode) = &self.mode else { return f64::NAN };
        self.share.get(value.unwrap_or(mode)).copied().unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two perfectly correlated features and a third independent one.
    fn columns() -> Vec<Vec<f64>> {
        let a: Vec<f64> = (0..8).map(f64::from).collect();
        let b: Vec<f64> = a.iter().map(|x| 2.0 * x + 1.0).collect();
        let c = vec![1.0, -1.0, 1.0, -1.0, -1.0, 1.0, -1.0, 1.0];
        vec![a, b, c]
    }

    fn refs(c: &[Vec<f64>]) -> Vec<&[f64]> {
        c.iter().map(Vec::as_slice).collect()
    }

    #[test]
    fn two_correlated_features_are_one_component_and_reconstruct_exactly() {
        // Scaled a and b are equal, c is uncorrelated with them (Σ a·c = 0 by construction):
        // eigenvalues 2·8/7 and 8/7 (and 0), ratios 2/3 and 1/3. 2/3 > 0.65: one component.
        let c = columns();
        let fit = Reconstruction::fit(&refs(&c)).unwrap();
        assert_eq!(fit.components(), 1);
        assert!((fit.explained() - 2.0 / 3.0).abs() < 1e-12);
        // The error of each row is |z_c|: c scaled by its sd of 1.
        for e in fit.errors(&refs(&c)) {
            assert!((e - 1.0).abs() < 1e-12, "{e}");
        }
        // A row where a and b disagree: z_a = (0 − 3.5)/s, z_b = (15 − 8)/(2s) = 3.5/s with
        // s = √5.25; c at its mean 0. The reconstruction keeps (z_a + z_b)/2 = 0 on both, so
        // the error is √(z_a² + z_b²) = 3.5·√2/√5.25.
        let mut s = fit.scratch();
        let e = fit.error(&[0.0, 15.0, 0.0], &mut s);
        assert!((e - 3.5 * 2_f64.sqrt() / 5.25_f64.sqrt()).abs() < 1e-12, "{e}");
    }

    #[test]
    fn a_missing_value_is_imputed_with_the_mean_and_counts_in_the_scale() {
        // Feature a with a missing value: its mean is that of the others, the imputed row adds
        // 0 to the sum of squares but counts in n (StandardScaler after SimpleImputer).
        let mut c = columns();
        c[0][3] = f64::NAN;
        let fit = Reconstruction::fit(&refs(&c)).unwrap();
        let finite: Vec<f64> = c[0].iter().copied().filter(|x| x.is_finite()).collect();
        let m = finite.iter().sum::<f64>() / 7.0;
        let ss: f64 = finite.iter().map(|x| (x - m).powi(2)).sum();
        assert!((fit.mean[0] - m).abs() < 1e-12);
        assert!((fit.scale[0] - (ss / 8.0).sqrt()).abs() < 1e-12);
        // ±∞ is missing too.
        c[0][3] = f64::INFINITY;
        assert_eq!(Reconstruction::fit(&refs(&c)).unwrap(), fit);
    }

    #[test]
    fn the_components_kept_follow_scikit_learn() {
        assert_eq!(kept_components(&[0.5, 0.125, 0.25, 0.125]), 3);
        assert_eq!(kept_components(&[0.75, 0.25]), 1);
        assert_eq!(kept_components(&[0.3, 0.3, 0.3, 0.1]), 3);
        assert_eq!(kept_components(&[0.2, 0.2]), 2);
    }

    #[test]
    fn running_sums_give_the_fit_of_the_rows() {
        // Moments of two halves added equal the fit of all rows; removing one gives the other.
        let c = columns();
        let shift = column_means(&refs(&c));
        let half = |from: usize, to: usize| {
            let mut m = Moments::new(3);
            for ((a, b), x) in c[0][from..to].iter().zip(&c[1][from..to]).zip(&c[2][from..to]) {
                m.add_row(&[a - shift[0], b - shift[1], x - shift[2]]);
            }
            m
        };
        let mut all = half(0, 4);
        all.add(&half(4, 8));
        let direct = Reconstruction::fit(&refs(&c)).unwrap();
        let summed = Reconstruction::from_moments(&all, &shift).unwrap();
        let numbers = |r: &Reconstruction| -> Vec<f64> {
            // The basis up to each component's sign.
            let signed: Vec<f64> = r.basis.iter().map(|b| b.abs()).collect();
            [r.mean.clone(), r.scale.clone(), r.ratios.clone(), signed].concat()
        };
        for (x, y) in numbers(&direct).iter().zip(&numbers(&summed)) {
            assert!((x - y).abs() < 1e-12, "{x} vs {y}");
        }
        assert_eq!(all.rows(), 8.0);
    }

    #[test]
    fn undefined_fits_say_why() {
        let c = columns();
        assert_eq!(Reconstruction::fit(&refs(&c[..1])), Err(FitError::TooFewFeatures));
        let one: Vec<Vec<f64>> = c.iter().map(|x| x[..1].to_vec()).collect();
        assert_eq!(Reconstruction::fit(&refs(&one)), Err(FitError::TooFewRows));
        let empty = vec![c[0].clone(), vec![f64::NAN; 8]];
        assert_eq!(Reconstruction::fit(&refs(&empty)), Err(FitError::NoValues(1)));
        let flat = vec![vec![1.0; 8], vec![2.0; 8]];
        // Constant features reconstruct exactly: fewer than two vary, every error would be 0.
        assert_eq!(Reconstruction::fit(&refs(&flat)), Err(FitError::TooFewFeatures));
        let one_varies = vec![vec![1.0; 8], c[0].clone()];
        assert_eq!(Reconstruction::fit(&refs(&one_varies)), Err(FitError::TooFewFeatures));
        // Values whose sum overflows: the fit names the feature, it does not call it empty.
        let mut extreme = c.clone();
        extreme[1] = (0..8).map(|i| if i % 2 == 0 { 1.7e308 } else { -1.7e308 }).collect();
        extreme[1][0] = 1.7e308;
        assert_eq!(Reconstruction::fit(&refs(&extreme)), Err(FitError::NotFinite(1)));
        // A value whose square overflows: undefined, not a hang in the eigensolver.
        let mut huge = c.clone();
        huge[2][0] = 1e300;
        assert_eq!(Reconstruction::fit(&refs(&huge)), Err(FitError::NotFinite(2)));
    }

    #[test]
    fn a_feature_constant_in_the_rows_is_not_scaled_whatever_the_shift() {
        // Sums shifted by a constant away from the column's value (as a past pair's are, by
        // the span's mean): the rounding of the one-pass variance must not pass for a spread.
        for (value, shift) in [(6.5, 6.43), (0.25, 0.1), (1234.5, 1200.1)] {
            let mut rows = Moments::new(3);
            for i in 0..24_000 {
                rows.add_row(&[value - shift, f64::from(i % 7), f64::from(i % 5)]);
            }
            let fit = Reconstruction::from_moments(&rows, &[shift, 0.0, 0.0]).unwrap();
            assert_eq!(fit.scale[0], 1.0, "{value} shifted by {shift}");
        }
    }

    #[test]
    fn window_error_is_the_mean_and_nannymls_sampling_error() {
        let w = WindowError::of(&[1.0, 2.0, 3.0, 6.0]).unwrap();
        // mean 3, sd (ddof 1) √(14/3), sampling error √(14/3)/2.
        assert_eq!(w.mean, 3.0);
        assert!((w.sampling_error.unwrap() - (14.0_f64 / 3.0).sqrt() / 2.0).abs() < 1e-15);
        assert_eq!(WindowError::of(&[2.0]).unwrap().sampling_error, None);
        assert_eq!(WindowError::of(&[]), None);
    }

    #[test]
    fn categories_are_their_reference_share_after_the_mode_is_imputed() {
        // a ×2, b ×2 (tie: a, the smaller, is the mode), c ×1, one missing → a.
        let e = FrequencyEncoding::fit([Some("b"), Some("a"), Some("c"), None, Some("a"), Some("b")]);
        assert_eq!(e.encode(Some("a")), 0.5);
        assert_eq!(e.encode(None), 0.5);
        assert_eq!(e.encode(Some("b")), 2.0 / 6.0);
        assert_eq!(e.encode(Some("unseen")), 0.0);
        assert!(FrequencyEncoding::fit([None, None]).encode(Some("x")).is_nan());
    }
}
