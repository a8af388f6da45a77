//! The part of every human output that shows Evidently's drift tests (`--stattest`): which
//! tests a result holds, and each value as text. Absent from a result without them, so the
//! default outputs are unchanged.

use crate::options::StatTest;
use crate::result::{FeatureDrift, RunResult};

/// The tests any feature of `r` holds, in the order of [`StatTest::ALL`].
#[must_use]
pub fn columns(r: &RunResult) -> Vec<&'static str> {
    StatTest::ALL
        .iter()
        .map(|t| t.name())
        .filter(|name| r.drift.features.iter().any(|f| f.statistics.contains_key(*name)))
        .collect()
}

/// The value of test `name` on `f` for a table: four significant digits (a p-value in
/// scientific notation below 10⁻³), `!` after a value that is drift by the test's rule, `–`
/// when not computed or undefined.
#[must_use]
pub fn cell(f: &FeatureDrift, name: &str) -> String {
    match f.statistics.get(name) {
        Some(s) => match s.value {
            Some(v) => {
                let text = if v != 0.0 && v.abs() < 1e-3 { format!("{v:.2e}") } else { format!("{v:.4}") };
                if s.drifted { format!("{text}!") } else { text }
            }
            None => "–".to_owned(),
        },
        None => "–".to_owned(),
    }
}

/// The test that decided `f`'s call, or `psi` (the PSI's own call).
#[must_use]
pub fn decided_by(f: &FeatureDrift) -> &str {
    f.drift_test.as_ref().map_or("psi", |t| t.test.as_str())
}

/// The note under every table of them: which calls assume independent rows.
pub const NOTE: &str = "`!`: drift by the test's own rule at Evidently's default threshold. The p-value tests (ks, chisquare, z) assume independent rows, which a NEPSE panel's are not: read them as Evidently would call them, not as beyond chance.";
