//! One CSV row per feature (prediction drift included as `predicted_proba` when present),
//! written by the `csv` crate: RFC 4180 quoting, empty cells for undefined values.

use super::text::spreadsheet_text;
use crate::result::{FeatureDrift, FeatureKind, FeatureQuality, RunResult};

const HEADER: [&str; 24] = [
    "feature",
    "kind",
    "psi",
    "level",
    "critical_psi",
    "p_value",
    "drifted",
    "drift_null",
    "shift_critical_psi",
    "shift_p_value",
    "shifted",
    "reference_rows",
    "current_rows",
    "reference_missing_ratio",
    "current_missing_ratio",
    "significance_test",
    "expected_psi",
    "effective_reference_rows",
    "effective_current_rows",
    "design_effect_reference",
    "design_effect_current",
    "history_stretches",
    "within_day_psi",
    "within_day_critical_psi",
];

/// Renders the per-feature table as CSV.
#[must_use]
pub fn render(r: &RunResult) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    // Evidently's tests, when the result holds any: the deciding test, then a column per test.
    let tests = super::stattest_columns::columns(r);
    let mut extra: Vec<String> = if tests.is_empty() {
        Vec::new()
    } else {
        std::iter::once("drift_test".to_owned()).chain(tests.iter().map(ToString::to_string)).collect()
    };
    // Data quality, when the result holds it: its columns after the tests'.
    let quality = r.drift.data_quality.as_ref();
    if quality.is_some() {
        extra.extend(QUALITY_HEADER.iter().map(ToString::to_string));
    }
    // Writing into a Vec cannot fail; a record of the header's width is always accepted.
    let _ = w.write_record(HEADER.iter().map(ToString::to_string).chain(extra.iter().cloned()));
    for f in r.drift.features.iter().chain(&r.drift.prediction_drift) {
        let stats = (!tests.is_empty()).then(|| {
            std::iter::once(f.drift_test.as_ref().map_or_else(String::new, |t| t.test.clone())).chain(
                tests
                    .iter()
                    .map(|t| f.statistics.get(*t).and_then(|s| s.value).map_or_else(String::new, |v| v.to_string())),
            )
        });
        let dq = quality.map(|q| quality_cells(q.features.iter().find(|x| x.feature == f.feature)));
        let _ = w.write_record(row(f).into_iter().chain(stats.into_iter().flatten()).chain(dq.into_iter().flatten()));
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The data-quality columns (`--data-quality`), empty for a row without one (`predicted_proba`).
const QUALITY_HEADER: [&str; 15] = [
    "dq_reference_min",
    "dq_reference_max",
    "dq_reference_mean",
    "dq_current_min",
    "dq_current_max",
    "dq_current_mean",
    "dq_missing_change_p_value",
    "dq_out_of_range_share",
    "dq_beyond_quantiles_share",
    "dq_implausible_share",
    "dq_warm_up_share",
    "dq_bad_share",
    "dq_critical_bad_share",
    "dq_break_p_value",
    "dq_broken",
];

fn quality_cells(f: Option<&FeatureQuality>) -> [String; 15] {
    let opt = |x: Option<f64>| x.map_or_else(String::new, |v| v.to_string());
    let Some(f) = f else { return Default::default() };
    [
        opt(f.reference.min),
        opt(f.reference.max),
        opt(f.reference.mean),
        opt(f.current.min),
        opt(f.current.max),
        opt(f.current.mean),
        opt(f.missing_change_p_value),
        opt(f.out_of_range_share),
        opt(f.beyond_quantiles_share),
        opt(f.implausible_share),
        opt(f.warm_up_share),
        opt(f.bad_share),
        opt(f.critical_bad_share),
        opt(f.p_value),
        // Empty when there is no call (too little history), as every undefined cell.
        f.critical_bad_share.map_or_else(String::new, |_| f.broken.to_string()),
    ]
}

fn row(f: &FeatureDrift) -> [String; 24] {
    let opt = |x: Option<f64>| x.map_or_else(String::new, |v| v.to_string());
    let kind = match f.kind {
        FeatureKind::Numeric => "numeric",
        FeatureKind::Categorical => "categorical",
    };
    [
        spreadsheet_text(&f.feature),
        kind.to_owned(),
        f.psi.to_string(),
        f.level.as_str().to_owned(),
        opt(f.critical_psi),
        opt(f.p_value),
        f.drifted.to_string(),
        f.drift_null.map_or_else(String::new, |n| n.as_str().to_owned()),
        opt(f.shift_critical_psi),
        opt(f.shift_p_value),
        f.shifted.to_string(),
        f.reference_rows.to_string(),
        f.current_rows.to_string(),
        f.reference_missing_ratio.to_string(),
        f.current_missing_ratio.to_string(),
        f.significance_test.as_str().to_owned(),
        opt(f.expected_psi),
        opt(f.effective_reference_rows),
        opt(f.effective_current_rows),
        opt(f.design_effect.map(|d| d.reference)),
        opt(f.design_effect.map(|d| d.current)),
        f.history_stretches.map_or_else(String::new, |k| k.to_string()),
        opt(f.within_day.map(|w| w.psi)),
        opt(f.within_day.map(|w| w.critical_psi)),
    ]
}

#[cfg(test)]
mod tests {

    fn one_line(name: &str) -> String {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        w.write_record([name, "x"]).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(one_line("a,b"), "\"a,b\",x\n");
        assert_eq!(one_line("say \"x\""), "\"say \"\"x\"\"\",x\n");
        assert_eq!(one_line("line\nbreak"), "\"line\nbreak\",x\n");
        assert_eq!(one_line("plain"), "plain,x\n");
    }
}
