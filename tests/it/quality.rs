//! `--data-quality`: the block on the fixtures, every number of a hand-built file checked by
//! hand, bad inputs undefined (never NaN, never a panic), and the refusals of a profile.

use std::path::Path;

use nepse_drift::load::{OutColumn, write_parquet};
use serde_json::Value;

use crate::util::{Fixtures, bin, fixtures_report, run, trading_days};

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON")
}

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-12)
}

#[test]
fn data_quality_is_reported_on_the_fixtures_when_asked_for() {
    let (code, out, err) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "json", "--data-quality"]);
    assert_eq!(code, 0, "{err}");
    let q = &json(&out)["drift"]["data_quality"];
    assert_eq!(q["features"].as_array().unwrap().len(), 11);
    // 250 trading days before the window hold 231 windows of 20 days on 12 disjoint stretches.
    assert_eq!((q["history_windows"].as_u64(), q["history_stretches"].as_u64()), (Some(231), Some(12)));
    assert_eq!((q["detected"].as_bool(), q["note"].is_null()), (Some(false), true), "{q}");
    // The fixtures' 91 prints at exactly ±10% are the limit, not beyond it.
    assert_eq!(q["circuit"]["count"], 0);
    assert_eq!(q["symbols"], serde_json::json!({"reference": 100, "current": 100, "absent": [], "new": []}));
    let pe = q["features"].as_array().unwrap().iter().find(|f| f["feature"] == "pe_ratio").unwrap();
    assert_eq!((pe["current"]["rows"].as_u64(), pe["current"]["missing"].as_u64()), (Some(2000), Some(296)));
    assert!(close(&pe["current"]["missing_share"], 0.148) && close(&pe["bad_share"], 0.148), "{pe}");
    // Every output carries it.
    let (_, table, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--data-quality"]);
    assert!(table.contains("\ndata quality\n") && table.contains("data quality not broken"), "{table}");
    assert!(table.contains("symbols: 100 in the reference, 100 now; absent now: none; new: none"), "{table}");
    let (_, md, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--data-quality", "--format", "markdown"]);
    assert!(md.contains("**Data quality**") && md.contains("| `pe_ratio` | 14.6% | 14.8% |"), "{md}");
    let (_, csv, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--data-quality", "--format", "csv"]);
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",dq_critical_bad_share,dq_break_p_value,dq_broken"), "{header}");
    let (_, plain, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "json"]);
    assert_eq!(json(&plain)["drift"]["data_quality"], Value::Null);
    let (_, csv, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "csv"]);
    assert!(!csv.contains("dq_"), "{csv}");
}

/// Three symbols over three reference days and two current ones (`--reference-last 3 --last 2`):
/// `ret_1d` with a corporate action, a print at exactly +10%, NaN and +inf; `x` all null in the
/// reference; C suspended and D listed in the current window.
fn hand_file(path: &Path) {
    let days = trading_days("2026-01-04", 5);
    let rows: Vec<(usize, &str, Option<f64>, Option<f64>)> = vec![
        (0, "A", Some(0.01), None),
        (0, "B", Some(-0.02), None),
        (0, "C", Some(0.03), None),
        (1, "A", Some(0.00), None),
        (1, "B", Some(0.05), None),
        (1, "C", Some(-0.05), None),
        (2, "A", Some(0.02), None),
        (2, "B", None, None),
        (2, "C", Some(0.04), None),
        (3, "A", Some(-0.35), Some(1.0)),
        (3, "B", Some(0.1), None),
        (3, "D", Some(f64::NAN), None),
        (4, "A", Some(f64::INFINITY), None),
        (4, "B", Some(0.02), None),
        (4, "D", Some(0.01), None),
    ];
    write_parquet(
        path,
        vec![
            ("as_of".into(), OutColumn::Date(rows.iter().map(|r| days[r.0]).collect())),
            ("symbol".into(), OutColumn::Str(rows.iter().map(|r| r.1.to_owned()).collect())),
            ("sector".into(), OutColumn::Str(rows.iter().map(|_| "Hydropower".to_owned()).collect())),
            ("ret_1d".into(), OutColumn::F64(rows.iter().map(|r| r.2).collect())),
            ("x".into(), OutColumn::F64(rows.iter().map(|r| r.3).collect())),
        ],
        1024,
    )
    .unwrap();
}

#[test]
fn every_number_of_a_hand_built_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("features.parquet");
    hand_file(&path);
    let report = |last: &str, extra: &[&str]| {
        run(bin()
            .args(["report", "--features"])
            .arg(&path)
            .args(["--as-of", "2026-01-08", "--reference-last", "3", "--last", last, "--bins", "2", "--data-quality"])
            .args(extra))
    };
    // Exit 4: `x`'s drift is skipped (no finite reference value), the rest is reported.
    let (code, out, err) = report("2", &["--format", "json"]);
    assert_eq!(code, 4, "{err}");
    let q = &json(&out)["drift"]["data_quality"];
    let r = &q["features"][0];
    assert_eq!(r["feature"], "ret_1d");
    // Reference: 9 rows, 1 null; finite min −0.05, max 0.05, mean 0.08/8.
    assert_eq!((r["reference"]["rows"].as_u64(), r["reference"]["missing"].as_u64()), (Some(9), Some(1)));
    assert!(close(&r["reference"]["min"], -0.05) && close(&r["reference"]["max"], 0.05), "{r}");
    assert!(close(&r["reference"]["mean"], 0.01), "{r}");
    // numpy: np.quantile(reference, [0.001, 0.999]) = [-0.04979, 0.04993].
    assert!(close(&r["reference_low"], -0.04979) && close(&r["reference_high"], 0.04993), "{r}");
    // Current: 6 rows, 1 NaN; finite −0.35, 0.1, 0.02, 0.01; +inf is a value, out of every range.
    assert_eq!((r["current"]["rows"].as_u64(), r["current"]["missing"].as_u64()), (Some(6), Some(1)));
    assert!(close(&r["current"]["min"], -0.35) && close(&r["current"]["max"], 0.1), "{r}");
    assert!(close(&r["current"]["mean"], -0.055), "{r}");
    // Out of [−0.05, 0.05] and of the quantiles: −0.35, 0.1, +inf. Implausible (outside
    // [−0.04979 − w, 0.04993 + w], w = 0.09972): −0.35, +inf. D's NaN is its warm-up (D is new
    // on the fourth day read): missing, not bad. Bad: −0.35 and +inf.
    assert!(close(&r["out_of_range_share"], 0.5) && close(&r["beyond_quantiles_share"], 0.5), "{r}");
    assert!(close(&r["implausible_share"], 2.0 / 6.0) && close(&r["warm_up_share"], 1.0 / 6.0), "{r}");
    assert!(close(&r["bad_share"], 2.0 / 6.0), "{r}");
    // Missing, two-way clustered. Reference: days (3, 0), (3, 0), (3, 1), symbols A (3, 0),
    // B (3, 1), C (3, 0): V = (1 + 1 − 8/9) / 81 = 10/729. Current: days (3, 1), (3, 0), symbols
    // A (2, 0), B (2, 0), D (2, 1): V = (1 + 1 − 5/6) / 36 = 7/216. scipy:
    // 2·t.sf((1/6 − 1/9) / √(10/729 + 7/216), 1.859) = 0.8216774742356868.
    assert!((r["missing_change_p_value"].as_f64().unwrap() - 0.821_677_474_235_686_8).abs() < 1e-9, "{r}");
    // Three days of history hold no call; the note says why.
    assert_eq!(
        (r["p_value"].is_null(), r["critical_bad_share"].is_null(), r["broken"].as_bool()),
        (true, true, Some(false))
    );
    assert_eq!(q["detected"], false);
    assert!(
        q["note"]
            .as_str()
            .unwrap()
            .starts_with("no break call: the 3 trading days before the current window hold 2 windows"),
        "{q}"
    );
    // `x`, all null in the reference: its drift is skipped, its quality is defined where it can be.
    let x = &q["features"][1];
    assert_eq!(x["feature"], "x");
    assert_eq!((x["reference"]["missing"].as_u64(), x["reference"]["min"].is_null()), (Some(9), true));
    assert!(close(&x["reference"]["missing_share"], 1.0) && close(&x["current"]["missing_share"], 5.0 / 6.0), "{x}");
    assert!(x["out_of_range_share"].is_null() && x["reference_low"].is_null(), "{x}");
    // Five of six missing, two of them D's warm-up.
    assert!(close(&x["bad_share"], 0.5) && close(&x["warm_up_share"], 2.0 / 6.0), "{x}");
    // Circuit: −0.35 and +inf beyond ±10.05%, the exact +10% print not; the largest first.
    assert_eq!(
        q["circuit"]["listed"],
        serde_json::json!([
            {"symbol": "A", "date": "2026-01-08", "value": null, "infinite": "+inf"},
            {"symbol": "A", "date": "2026-01-07", "value": -0.35, "infinite": null},
        ])
    );
    assert_eq!(q["circuit"]["count"], 2);
    assert_eq!(q["symbols"], serde_json::json!({"reference": 3, "current": 3, "absent": ["C"], "new": ["D"]}));
    let (_, table, _) = report("2", &[]);
    assert!(
        table.contains(
            "circuit limit: 2 rows of ret_1d beyond ±10% (+0.05 pp for the tick) (A 2026-01-08 +inf, A 2026-01-07 -35.0%)"
        ),
        "{table}"
    );
    assert!(table.contains("absent now: C; new: D"), "{table}");
    // A current window of one day (the reference, the three days before it, now holds `x`'s 1.0):
    // the change test has no day-to-day variance to rest on; +inf is the one bad row.
    let (code, out, err) = report("1", &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let r = &json(&out)["drift"]["data_quality"]["features"][0];
    assert!(r["missing_change_p_value"].is_null() && close(&r["bad_share"], 1.0 / 3.0), "{r}");
}

#[test]
fn data_quality_needs_the_reference_data() {
    crate::util::refused_with_a_profile("--data-quality", "data_quality");
}
