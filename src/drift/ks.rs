//! The two-sample Kolmogorov–Smirnov test as Evidently's `ks` stattest computes it: scipy's
//! `ks_2samp(reference, current)`, two-sided, `method="auto"` (scipy 1.17). Pure math over two
//! sorted samples of finite values.
//!
//! **Statistic.** `D = max_x |F_r(x) − F_c(x)|`, each empirical CDF counting the values `≤ x`,
//! evaluated at every value of either sample ([`super::ecdf::merge`]).
//!
//! **p-value, exact** when both samples hold at most 10,000 values: with `g = gcd(n1, n2)`,
//! `L = n1·n2/g` and `h = round(D·L)` (ties to even; `D` is then reported as `h/L`), the share of
//! the `C(n1+n2, n1)` lattice paths from (0, 0) to (n1, n2) that leave the band
//! `|x/n1 − y/n2| < h/L` (Hodges 1958). For `n1 = n2` it is the reflection-principle sum
//! `2·Σ_k (−1)^k …` evaluated as scipy does; otherwise one column of the path-count matrix at a
//! time, scaled so that it holds `1 − p` directly (Viehmann 2021). A result outside [0, 1] falls
//! back to the asymptotic p-value, as scipy's does.
//!
//! **p-value, asymptotic** otherwise: the survival function of the one-sample two-sided KS
//! statistic `D_n` at `D` for `n = round(n1·n2/(n1+n2))` (scipy's `kstwo.sf`), by the algorithm
//! Simard & L'Ecuyer (2011) pick from `n` and `n·D²`: the Ruben–Gambino closed forms at the
//! extremes; twice the one-sided Smirnov tail (Birnbaum–Tingey sum) in the upper tail; the
//! Durbin matrix (Marsaglia–Tsang–Wang 2003) and Pomeranz's recursion (1974) for small `n·D²`;
//! the Pelz–Good (1976) expansion otherwise.

// The papers' letters (n, m, h, g, k, …) read better here than long names.
#![allow(clippy::many_single_char_names)]

use super::ecdf::merge;

/// Largest sample size for which the exact p-value is tried (scipy's `MAX_AUTO_N`).
const MAX_EXACT_N: usize = 10_000;
/// `n` above which the one-sided Smirnov tail is approximated (scipy's `SMIRNOV_MAX_COMPUTE_N`).
const SMIRNOV_MAX_N: u64 = 1_000_000;
/// `ln` of the smallest normal double (cephes' `MINLOG`).
const MIN_LOG: f64 = -7.083_964_185_322_641e2;
/// 2^128 and its inverse: the scaling steps of the Durbin matrix and Pomeranz's recursion.
const TWO_128: f64 = 3.402_823_669_209_385e38;

/// The test's outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsTest {
    /// `D` (rounded to `h/L` when the exact p-value was computed).
    pub statistic: f64,
    /// The two-sided p-value.
    pub p_value: f64,
    /// Whether the p-value is the exact one.
    pub exact: bool,
}

/// The two-sided two-sample KS test of `a` and `b`, each sorted ascending and finite; `None`
/// when either is empty.
#[must_use]
pub fn ks_2samp(a: &[f64], b: &[f64]) -> Option<KsTest> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    Some(ks_test(merge(a, b).ks, a.len(), b.len()))
}

/// The KS test's p-value (and rounded statistic) for a statistic `d` between samples of `n1`
/// and `n2` values (both non-empty), as [`ks_2samp`] computes it.
#[must_use]
pub fn ks_test(d: f64, n1: usize, n2: usize) -> KsTest {
    let mut d = d;
    if n1.max(n2) <= MAX_EXACT_N {
        let g = gcd(n1, n2);
        let lcm = (n1 / g) as f64 * n2 as f64;
        let h = (d * lcm).round_ties_even();
        d = h / lcm;
        if h == 0.0 {
            return KsTest { statistic: d, p_value: 1.0, exact: true };
        }
        let p = if n1 == n2 { prob_outside_square(n1, h as usize) } else { outer_prob_inside(n1, n2, g, h as usize) };
        if (0.0..=1.0).contains(&p) {
            return KsTest { statistic: d, p_value: p, exact: true };
        }
    }
    let (m, n) = if n1 >= n2 { (n1 as f64, n2 as f64) } else { (n2 as f64, n1 as f64) };
    let en = (m * n / (m + n)).round_ties_even();
    KsTest { statistic: d, p_value: kolmogorov_sf(en as u64, d).clamp(0.0, 1.0), exact: false }
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Equal sizes: the share of paths that touch `x − y = ±h`, `2·P` with
/// `P = p_K·(1 − p_{K−1}·(1 − …))`, `p_k = Π_{j<h} (n − kh − j)/(n + kh + j + 1)`, `K = ⌊n/h⌋`.
fn prob_outside_square(n: usize, h: usize) -> f64 {
    let (n, h) = (n as f64, h as f64);
    let mut p = 0.0;
    let mut k = (n / h).floor();
    while k >= 0.0 {
        let mut p1 = 1.0;
        let mut j = 0.0;
        while j < h {
            p1 = (n - k * h - j) * p1 / (n + k * h + j + 1.0);
            j += 1.0;
        }
        p = p1 * (1.0 - p);
        k -= 1.0;
    }
    2.0 * p
}

/// Unequal sizes: `1 − A(m, n)/C(m+n, n)` for the paths that stay strictly inside the band,
/// one column of `A` at a time over a sliding window of rows, each entry holding the share of
/// paths to it that left the band (so the answer needs no large binomial).
fn outer_prob_inside(m: usize, n: usize, g: usize, h: usize) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng) = ((m / g) as f64, (n / g) as f64);
    let hf = h as f64;
    let mut minj = 0_usize;
    let mut maxj = ((hf / mg).ceil() as usize).min(n + 1);
    let mut curlen = maxj - minj;
    let len = (2 * maxj + 2).min(n + 1);
    let mut a = vec![1.0; len];
    a[minj..maxj].fill(0.0);
    for i in 1..=m {
        let (lastminj, lastlen) = (minj, curlen);
        let fi = i as f64;
        minj = ((((ng * fi - hf) / mg).floor() + 1.0).max(0.0) as usize).min(n);
        maxj = (((ng * fi + hf) / mg).ceil() as usize).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..maxj - minj {
            let j = (jj + minj) as f64;
            val = (a[jj + minj - lastminj] * fi + val * j) / (fi + j);
            a[jj] = val;
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            a[curlen..lastlen].fill(1.0);
        }
    }
    a[maxj - minj - 1]
}

/// `P(D_n ≥ x)` for the one-sample two-sided KS statistic (scipy's `kstwo.sf(x, n)`).
fn kolmogorov_sf(n: u64, x: f64) -> f64 {
    if n == 0 || x.is_nan() {
        return f64::NAN;
    }
    if x >= 1.0 {
        return 0.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    let nf = n as f64;
    let t = nf * x;
    if t <= 1.0 {
        // Ruben–Gambino: 1/2n < x ≤ 1/n, P(D_n ≤ x) = n!/n^n · (2t − 1)^n.
        if t <= 0.5 {
            return 1.0;
        }
        let cdf = if n <= 140 {
            (1..=n).map(|i| i as f64 * (1.0 / nf) * (2.0 * t - 1.0)).product::<f64>()
        } else {
            (log_nfactorial_div_n_pow_n(nf) + nf * (2.0 * t - 1.0).ln()).exp()
        };
        return (1.0 - cdf).clamp(0.0, 1.0);
    }
    if t >= nf - 1.0 {
        // Ruben–Gambino: x ≥ 1 − 1/n.
        return (2.0 * (1.0 - x).powf(nf)).clamp(0.0, 1.0);
    }
    if x >= 0.5 {
        return (2.0 * smirnov_sf(n, x)).clamp(0.0, 1.0);
    }
    let nx2 = t * x;
    if n <= 140 {
        if nx2 <= 0.754_693 {
            return (1.0 - durbin_matrix_cdf(n, x)).clamp(0.0, 1.0);
        }
        if nx2 <= 4.0 {
            return (1.0 - pomeranz_cdf(n, x)).clamp(0.0, 1.0);
        }
        return (2.0 * smirnov_sf(n, x)).clamp(0.0, 1.0);
    }
    if nx2 >= 370.0 {
        return 0.0;
    }
    if nx2 >= 2.2 {
        return (2.0 * smirnov_sf(n, x)).clamp(0.0, 1.0);
    }
    let cdf = if n <= 100_000 && nf * x.powf(1.5) <= 1.4 { durbin_matrix_cdf(n, x) } else { pelz_good_cdf(n, x) };
    (1.0 - cdf).clamp(0.0, 1.0)
}

/// `ln(n!/n^n)` by Stirling's series with `n·ln n` taken out first.
fn log_nfactorial_div_n_pow_n(n: f64) -> f64 {
    // B_{2j}/(2j)/(2j−1) for j = 8, …, 1, highest power first.
    const STIRLING: [f64; 8] = [
        -2.955_065_359_477_124e-2,
        6.410_256_410_256_41e-3,
        -1.917_526_917_526_917_5e-3,
        8.417_508_417_508_418e-4,
        -5.952_380_952_380_952e-4,
        7.936_507_936_507_937e-4,
        -2.777_777_777_777_778e-3,
        8.333_333_333_333_333e-2,
    ];
    let rn = 1.0 / n;
    let x = rn / n;
    let series = STIRLING.iter().fold(0.0, |acc, c| acc * x + c);
    n.ln() / 2.0 - n + (2.0 * std::f64::consts::PI).ln() / 2.0 + rn * series
}

/// `P(D_n ≤ d)` by the Durbin matrix: with `d = (k − h)/n`, the `(k, k)` entry of `H^n` times
/// `n!/n^n`, `H` the `(2k−1)²` matrix of Marsaglia, Tsang & Wang (2003); powers by squaring,
/// rescaled by 2^128 as they grow.
fn durbin_matrix_cdf(n: u64, d: f64) -> f64 {
    if d >= 1.0 {
        return 1.0;
    }
    let nf = n as f64;
    let nd = nf * d;
    if nd <= 0.5 {
        return 0.0;
    }
    let k = nd.ceil() as usize;
    let h = k as f64 - nd;
    let m = 2 * k - 1;
    // v[j] = (1 − h^(j+1))/(j+1)!, w[j] = 1/j!; the last v gets the corner correction.
    let mut v: Vec<f64> = (1..=m).map(|j| 1.0 - h.powi(j as i32)).collect();
    let mut w = vec![0.0; m];
    let mut fac = 1.0;
    for j in 1..=m {
        w[j - 1] = fac;
        fac /= j as f64;
        v[j - 1] *= fac;
    }
    let tt = (2.0 * h - 1.0).max(0.0).powi(m as i32) - 2.0 * h.powi(m as i32);
    v[m - 1] = (1.0 + tt) * fac;
    let mut hm = vec![0.0; m * m];
    for i in 1..m {
        for r in i - 1..m {
            hm[r * m + i] = w[r - (i - 1)];
        }
    }
    for r in 0..m {
        hm[r * m] = v[r];
    }
    for c in 0..m {
        hm[(m - 1) * m + c] = v[m - 1 - c];
    }
    let mut power = identity(m);
    let (mut nn, mut expnt, mut hexpnt) = (n, 0_i64, 0_i64);
    while nn > 0 {
        if nn % 2 == 1 {
            power = matmul(&power, &hm, m);
            expnt += hexpnt;
        }
        hm = matmul(&hm, &hm, m);
        hexpnt *= 2;
        if hm[(k - 1) * m + (k - 1)].abs() > TWO_128 {
            for x in &mut hm {
                *x /= TWO_128;
            }
            hexpnt += 128;
        }
        nn /= 2;
    }
    let mut p = power[(k - 1) * m + (k - 1)];
    for i in 1..=n {
        p = i as f64 * p / nf;
        if p.abs() < 1.0 / TWO_128 {
            p *= TWO_128;
            expnt -= 128;
        }
    }
    ldexp(p, expnt).clamp(0.0, 1.0)
}

fn identity(m: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * m];
    for i in 0..m {
        out[i * m + i] = 1.0;
    }
    out
}

fn matmul(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * m];
    for i in 0..m {
        for k in 0..m {
            let aik = a[i * m + k];
            if aik == 0.0 {
                continue;
            }
            for j in 0..m {
                out[i * m + j] += aik * b[k * m + j];
            }
        }
    }
    out
}

/// `x · 2^e`, without overflowing the exponent on the way.
fn ldexp(x: f64, e: i64) -> f64 {
    let mut x = x;
    let mut e = e;
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e as i32)
}

/// The row endpoints of Pomeranz's recursion.
fn pomeranz_j1j2(i: usize, n: usize, ll: i64, ceilf: i64, roundf: i64) -> (i64, i64) {
    let n_i = n as i64;
    let (j1, j2) = if i == 0 {
        (-ll - ceilf - 1, ll + ceilf - 1)
    } else {
        let (half, odd) = ((i as i64 + 1) / 2, (i as i64 + 1) % 2);
        if odd == 0 {
            if half == n_i + 1 {
                (n_i - ll - ceilf - 1, n_i + ll + ceilf - 1)
            } else {
                (half - 1 - ll - roundf - 1, half + ll - 1 + ceilf - 1)
            }
        } else {
            (half - 1 - ll - 1, half + ll + roundf - 1)
        }
    };
    ((j1 + 2).max(0), j2.min(n_i))
}

/// `P(D_n ≤ x)` by Pomeranz's recursion (1974): `2n + 2` rows, each the convolution of the last
/// with (unnormalised) Poisson probabilities of step `g/n`, `2g/n` or `(1 − 2g)/n`, `g` the
/// distance of `n·x` to the nearest integer; the answer is `n!` times the last entry.
fn pomeranz_cdf(n: u64, x: f64) -> f64 {
    let nf = n as f64;
    let n = n as usize;
    let t = nf * x;
    let ll = t.floor() as i64;
    let f = t - ll as f64;
    let g = f.min(1.0 - f);
    let ceilf = i64::from(f > 0.0);
    let roundf = i64::from(f > 0.5);
    let npwrs = 2 * (ll as usize + 1);
    let (mut gp, mut twogp, mut onem2gp) = (vec![1.0; npwrs], vec![1.0; npwrs], vec![1.0; npwrs]);
    let (a, b, c) = (g / nf, 2.0 * g / nf, (1.0 - 2.0 * g) / nf);
    for m in 1..npwrs {
        gp[m] = gp[m - 1] * a / m as f64;
        twogp[m] = twogp[m - 1] * b / m as f64;
        onem2gp[m] = onem2gp[m - 1] * c / m as f64;
    }
    let mut v0 = vec![0.0; npwrs];
    let mut v1 = vec![0.0; npwrs];
    v1[0] = 1.0;
    let (mut v0s, mut v1s) = (0_i64, 0_i64);
    let mut expnt = 0_i64;
    let (mut j1, _) = pomeranz_j1j2(0, n, ll, ceilf, roundf);
    for i in 1..2 * n + 2 {
        let k1 = j1;
        std::mem::swap(&mut v0, &mut v1);
        std::mem::swap(&mut v0s, &mut v1s);
        v1.fill(0.0);
        let (nj1, j2) = pomeranz_j1j2(i, n, ll, ceilf, roundf);
        j1 = nj1;
        let pwrs = if i == 1 || i == 2 * n + 1 {
            &gp
        } else if i % 2 == 1 {
            &twogp
        } else {
            &onem2gp
        };
        let ln2 = j2 - k1 + 1;
        if ln2 > 0 {
            let ln2 = ln2 as usize;
            let start = (k1 - v0s) as usize;
            let src = &v0[start..start + ln2];
            let conv_start = (j1 - k1) as usize;
            let conv_len = (j2 - j1 + 1).max(0) as usize;
            for (out, idx) in v1.iter_mut().zip(conv_start..conv_start + conv_len) {
                // Full convolution of `src` with `pwrs[..ln2]`, entry `idx`.
                let lo = idx.saturating_sub(ln2 - 1);
                *out = (lo..=idx.min(ln2 - 1)).map(|s| src[s] * pwrs[idx - s]).sum();
            }
            let max = v1.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if 0.0 < max && max < 1.0 / TWO_128 {
                for v in &mut v1 {
                    *v *= TWO_128;
                }
                expnt -= 128;
            }
            v1s = v0s + j1 - k1;
        }
    }
    let mut ans = v1[(n as i64 - v1s) as usize];
    for m in 1..=n {
        if ans.abs() > TWO_128 {
            ans /= TWO_128;
            expnt += 128;
        }
        ans *= m as f64;
    }
    ldexp(ans, expnt).clamp(0.0, 1.0)
}

/// `P(D_n ≤ x)` by the Pelz–Good expansion `K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^1.5` at
/// `z = x√n`, each term by Jacobi's theta transform (for small `z`).
fn pelz_good_cdf(n: u64, x: f64) -> f64 {
    use std::f64::consts::PI;
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let nf = n as f64;
    let z = nf.sqrt() * x;
    let (z2, z3, z4, z6) = (z * z, z.powi(3), z.powi(4), z.powi(6));
    let (pi2, pi4, pi6) = (PI * PI, PI.powi(4), PI.powi(6));
    let qlog = -pi2 / 8.0 / z2;
    if qlog < -708.0 {
        return 0.0;
    }
    let q = qlog.exp();
    let k1a = -z2;
    let k1b = pi2 / 4.0;
    let k2a = 6.0 * z6 + 2.0 * z4;
    let k2b = (2.0 * z4 - 5.0 * z2) * pi2 / 4.0;
    let k2c = pi4 * (1.0 - 2.0 * z2) / 16.0;
    let k3d = pi6 * (5.0 - 30.0 * z2) / 64.0;
    let k3c = pi4 * (-60.0 * z2 + 212.0 * z4) / 16.0;
    let k3b = pi2 * (135.0 * z4 - 96.0 * z6) / 4.0;
    let k3a = -30.0 * z6 - 90.0 * z.powi(8);
    let mut k = [0.0_f64; 4];
    let maxk = (16.0 * z / PI).ceil() as i64;
    for kk in (1..=maxk).rev() {
        let m = (2 * kk - 1) as f64;
        let (m2, m4, m6) = (m * m, m.powi(4), m.powi(6));
        let qpower = q.powf((8 * kk) as f64);
        let coeffs = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
        for (ki, c) in k.iter_mut().zip(coeffs) {
            *ki = *ki * qpower + c;
        }
    }
    let sqrt2pi = (2.0 * PI).sqrt();
    let divisors = [z, 6.0 * z4, 72.0 * z.powi(7), 6480.0 * z.powi(10)];
    for (ki, dv) in k.iter_mut().zip(divisors) {
        *ki = *ki * q * sqrt2pi / dv;
    }
    let q = (-pi2 / 2.0 / z2).exp();
    let sqrt3z = 3f64.sqrt() * z;
    let (mut k2extra, mut k3extra) = (0.0, 0.0);
    for kk in (1..=maxk).rev() {
        let ks = kk as f64;
        let ks2 = ks * ks;
        let qp = q.powf(ks2);
        let kspi = PI * ks;
        k2extra += ks2 * qp;
        k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp;
    }
    k[2] += k2extra * pi2 * sqrt2pi / (-36.0 * z3);
    k[3] += k3extra * pi2 * sqrt2pi / (216.0 * z6);
    k.iter().enumerate().map(|(i, ki)| ki / nf.powf(i as f64 / 2.0)).sum()
}

/// `P(D_n^+ ≥ x)`, the one-sided Smirnov tail, by the Birnbaum–Tingey sum
/// `x · Σ_{j=0}^{⌈n(1−x)⌉−1} C(n,j) (1 − x − j/n)^(n−j) (x + j/n)^(j−1)` (every term positive),
/// each term in logarithms; with cephes' special cases for `x ≤ 1/n`, `x ≥ 1 − 1/n`, an
/// underflowing tail, and its approximation `exp(−(6nx + 1)²/18n)` beyond a million.
fn smirnov_sf(n: u64, x: f64) -> f64 {
    if n == 1 {
        return 1.0 - x;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x >= 1.0 {
        return 0.0;
    }
    let nf = n as f64;
    let nx = nf * x;
    let nxfl = nx.floor();
    let alpha = nx - nxfl;
    if nxfl == 0.0 || (nxfl == 1.0 && alpha == 0.0) {
        return 1.0 - x * (1.0 + x).powf(nf - 1.0);
    }
    if -2.0 * nf * x * x < MIN_LOG {
        return 0.0;
    }
    if nxfl >= nf - 1.0 {
        return (1.0 - x).powf(nf);
    }
    if n > SMIRNOV_MAX_N {
        let logp = -(6.0 * nf * x + 1.0).powi(2) / 18.0 / nf;
        return if logp < -std::f64::consts::LN_2 { logp.exp() } else { 1.0 - (-logp.exp_m1()) };
    }
    let last = n - nxfl as u64 - 1;
    // ln C(n, j) accumulated term by term (compensated): lnΓ(n + 1) itself is ~10⁷ at n = 10⁶,
    // where one ulp is 2·10⁻⁹, more than the result's tolerance.
    let (mut ln_c, mut ln_c_comp) = (0.0_f64, 0.0_f64);
    let mut sum = 0.0;
    let mut compensation = 0.0;
    for j in 0..=last {
        let jf = j as f64;
        if j > 0 {
            let y = ((nf - jf + 1.0) / jf).ln() - ln_c_comp;
            let t = ln_c + y;
            ln_c_comp = (t - ln_c) - y;
            ln_c = t;
        }
        let base = ((nf - jf) - nx) / nf;
        if base <= 0.0 {
            break;
        }
        let ln_term = ln_c + (nf - jf) * base.ln() + (jf - 1.0) * (x + jf / nf).ln();
        let term = ln_term.exp();
        // Kahan: thousands of positive terms of very different sizes.
        let y = term - compensation;
        let t = sum + y;
        compensation = (t - sum) - y;
        sum = t;
    }
    (x * sum).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn statistic_is_the_largest_cdf_gap() {
        // a = [1,2,3], b = [2.5]: F_a − F_b at 1,2,2.5,3 = 1/3, 2/3, 2/3 − 1, 1 − 1 → D = 2/3.
        assert!((merge(&[1.0, 2.0, 3.0], &[2.5]).ks - 2.0 / 3.0).abs() < 1e-15);
        // Identical samples: D = 0, p = 1.
        let t = ks_2samp(&[1.0, 2.0], &[1.0, 2.0]).unwrap();
        assert_eq!((t.statistic, t.p_value), (0.0, 1.0));
        assert!(ks_2samp(&[], &[1.0]).is_none());
    }

    #[test]
    fn exact_p_values_equal_scipy() {
        // scipy 1.17: ks_2samp([1,2,3,4,5], [6,7,8,9,10]).pvalue = 2/252 = 0.007936507936507936
        let t = ks_2samp(&[1.0, 2.0, 3.0, 4.0, 5.0], &[6.0, 7.0, 8.0, 9.0, 10.0]).unwrap();
        assert!(close(t.p_value, 0.007_936_507_936_507_936, 1e-12), "{}", t.p_value);
        assert!(t.exact && t.statistic == 1.0);
        // ks_2samp([1,2,3,4], [1.5,5,6]): D = 2/3 (at 4: 1 − 1/3), p = 0.39999999999999997.
        let t = ks_2samp(&[1.0, 2.0, 3.0, 4.0], &[1.5, 5.0, 6.0]).unwrap();
        assert!(close(t.statistic, 2.0 / 3.0, 1e-15) && close(t.p_value, 0.399_999_999_999_999_97, 1e-12), "{t:?}");
    }

    #[test]
    fn kolmogorov_tail_equals_the_known_values() {
        // scipy.stats.kstwo.sf(x, n) for each branch.
        for (n, x, expected) in [
            (1714_u64, 0.05, 0.000_365_638_554_248_567_45), // 2·Smirnov (n·x² = 4.3)
            (1714, 0.03, 0.089_603_258_960_198_72),         // Pelz–Good
            (1714, 0.005, 0.999_999_999_989_466_1),         // Durbin matrix (n·x^1.5 ≤ 1.4)
            (1714, 0.0004, 1.0),                            // below 1/2n: certain
            (100, 0.08, 0.518_219_364_548_067_2),           // Pomeranz (n ≤ 140)
            (100, 0.03, 0.999_969_247_903_347_3),           // Durbin matrix (n ≤ 140)
            (20, 0.6, 2.048_301_164_971_985_3e-7),          // 2·Smirnov (x ≥ 1/2)
            (150, 0.12, 0.024_364_823_571_029_537),         // 2·Smirnov
            (50_000, 0.003, 0.757_900_044_348_714_7),       // Pelz–Good
            (3_000_000, 0.001, 0.004_954_200_360_108_9),    // Smirnov's approximation (n > 10^6)
            (3_000_000, 0.0005, 0.441_163_442_562_945_04),  // Pelz–Good
        ] {
            let got = kolmogorov_sf(n, x);
            assert!(close(got, expected, 1e-9), "kstwo.sf({x}, {n}) = {got}, scipy {expected}");
        }
    }
}
