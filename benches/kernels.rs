//! Criterion benchmarks of the hot kernels, to guard against regressions: quantile edges of a
//! reference column (partial selection), and binning a column against edges (binary search).
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nepse_drift::drift::BinEdges;
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
            b.iter_batched(
                || v.clone(),
                |mut v| BinEdges::quantiles(&mut v, 10).unwrap(),
                criterion::BatchSize::LargeInput,
            );
        });
        let edges = BinEdges::quantiles(&mut values.clone(), 10).unwrap();
        group.bench_with_input(BenchmarkId::new("count_into_bins_k10", n), &values, |b, v| b.iter(|| edges.count(v)));
    }
    group.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
