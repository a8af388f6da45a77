//! Helpers shared by the unit tests (compiled for tests only).

/// The configuration of the fuzz-like property tests: a fixed seed, so that CI is
/// deterministic, and `default_cases` cases. `PROPTEST_RNG_SEED` and `PROPTEST_CASES` explore
/// further (other seeds, more cases).
pub(crate) fn fuzz_config(default_cases: u32) -> proptest::test_runner::Config {
    let env = |key: &str| std::env::var(key).ok().and_then(|v| v.parse().ok());
    proptest::test_runner::Config {
        cases: env("PROPTEST_CASES").map_or(default_cases, |c: u64| u32::try_from(c).unwrap_or(u32::MAX)),
        rng_seed: proptest::test_runner::RngSeed::Fixed(env("PROPTEST_RNG_SEED").unwrap_or(20_261_126)),
        ..proptest::test_runner::Config::default()
    }
}

/// `days` days of 1,000 rows in 10 bins, every row of a day leaning to one random bin (100 rows
/// a bin, 100 more in the day's bin): a panel whose rows depend on their day.
pub(crate) fn leaning_days(days: usize, seed: u64) -> Vec<Vec<u64>> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..days)
        .map(|_| {
            let mut c = vec![100_u64; 10];
            c[rng.random_range(0..10)] += 100;
            c
        })
        .collect()
}
