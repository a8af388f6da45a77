//! Criterion benchmarks of the hot kernels, to guard against regressions: quantile edges of a
//! reference column (order statistics by radix selection), binning a column against edges (binary search), and
//! `--stattest`'s kernels (sorting a column; KS, Wasserstein and the distinct count of two
//! sorted columns).
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nepse_drift::drift::order;
use nepse_drift::drift::stattests;
use nepse_drift::drift::{BinEdges, Samples};
use nepse_drift::options::StatTest;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn column(n: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    (0..n).map(|i| if i % 97 == 0 { f64::NAN } else { rng.random::<f64>() * 100.0 - 50.0 }).collect()
}

fn kernels(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernels");
    for n in [100_000usize, 1_000_000] {
        let values = column(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("quantile_edges_k10", n), &values, |b, v| {
            b.iter(|| BinEdges::quantiles(v, 10).unwrap());
        });
        let edges = BinEdges::quantiles(&values, 10).unwrap();
        group.bench_with_input(BenchmarkId::new("count_into_bins_k10", n), &values, |b, v| b.iter(|| edges.count(v)));
    }
    group.finish();
}

/// A feature-like column: normal values (Box–Muller) around `mean`, so that, as in the NEPSE
/// features, most values share a few exponents.
fn normal_column(n: usize, seed: u64, mean: f64, sd: f64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let (u, v): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
            mean + sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        })
        .collect()
}

fn stattest_kernels(c: &mut Criterion) {
    let mut group = c.benchmark_group("stattests");
    group.sample_size(10);
    let n = 5_000_000;
    let reference = normal_column(n, 1, 0.0, 0.02);
    let current = normal_column(n, 2, 0.001, 0.021);
    group.throughput(Throughput::Elements(n as u64));
    let mut scratch = Vec::new();
    group.bench_function(BenchmarkId::new("sort_finite", n), |b| {
        b.iter_batched_ref(
            || reference.clone(),
            |v| order::sort_finite(v, &mut scratch),
            criterion::BatchSize::LargeInput,
        );
    });
    let (mut r, mut c2) = (reference.clone(), current.clone());
    order::sort_finite(&mut r, &mut scratch);
    order::sort_finite(&mut c2, &mut scratch);
    let samples = Samples::Numeric { reference: &r, current: &c2 };
    group.throughput(Throughput::Elements(2 * n as u64));
    group.bench_function(BenchmarkId::new("ks_wasserstein_hellinger", n), |b| {
        b.iter(|| stattests::values(&[StatTest::Ks, StatTest::Wasserstein, StatTest::Hellinger], &samples));
    });
    group.finish();
}

criterion_group!(benches, kernels, stattest_kernels);
criterion_main!(benches);
