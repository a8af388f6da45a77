//! One CSV row per feature (prediction drift included as `predicted_proba` when present).

use std::fmt::Write as _;

use crate::result::{FeatureDrift, RunResult};

const HEADER: &str = "feature,kind,psi,level,critical_psi,p_value,shift_is_significant,drifted,reference_rows,current_rows,reference_missing_ratio,current_missing_ratio";

/// Renders the per-feature table as CSV (RFC 4180 quoting; empty cells for undefined values).
#[must_use]
pub fn render(r: &RunResult) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    for f in r.drift.features.iter().chain(&r.drift.prediction_drift) {
        row(&mut out, f);
    }
    out
}

fn row(out: &mut String, f: &FeatureDrift) {
    let opt = |x: Option<f64>| x.map_or_else(String::new, |v| v.to_string());
    let kind = match f.kind {
        crate::result::FeatureKind::Numeric => "numeric",
        crate::result::FeatureKind::Categorical => "categorical",
    };
    let _ = writeln!(
        out,
        "{},{kind},{},{},{},{},{},{},{},{},{},{}",
        quote(&f.feature),
        f.psi,
        f.level.as_str(),
        opt(f.critical_psi),
        opt(f.p_value),
        f.shift_is_significant,
        f.drifted,
        f.reference_rows,
        f.current_rows,
        f.reference_missing_ratio,
        f.current_missing_ratio
    );
}

/// Quotes a field when it holds a comma, quote or line break.
fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoting() {
        assert_eq!(super::quote("a,b"), "\"a,b\"");
        assert_eq!(super::quote("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(super::quote("plain"), "plain");
    }
}
