//! Performance on delayed ground truth, end to end: the fixtures' degraded model, the as-of
//! cutoff, breakdowns and trends, and every bad prediction/outcome input.

use std::process::Command;

use crate::util::{Fixtures, bad, bin, d, fixture, fixtures_report, run};
use nepse_drift::load::{OutColumn, write_parquet};
use serde_json::Value;

/// `report` on the committed fixtures as of `as_of`, in JSON: (exit code, the JSON or null, stderr).
fn report(as_of: &str, extra: &[&str]) -> (i32, Value, String) {
    let (code, out, err) = fixtures_report(Fixtures::All, as_of, &[&["--format", "json"], extra].concat());
    let v = if code == 0 { serde_json::from_str(&out).unwrap() } else { Value::Null };
    (code, v, err)
}

fn metric(v: &Value, name: &str) -> f64 {
    v["performance"]["overall"]["metrics"][name].as_f64().unwrap()
}

#[test]
fn fixtures_show_the_accuracy_drop_and_the_pending_last_day() {
    let (_, stable, _) = report("2026-09-30", &[]);
    let (_, degraded, _) = report("2026-11-19", &[]);
    assert!(metric(&stable, "accuracy") > 0.57, "{}", metric(&stable, "accuracy"));
    assert!(metric(&degraded, "accuracy") < 0.53, "{}", metric(&degraded, "accuracy"));
    for v in [&stable, &degraded] {
        let g = &v["performance"]["overall"];
        // 100 symbols a day: exactly the last trading day's predictions are pending.
        assert_eq!(g["predictions"], 2000);
        assert_eq!(g["pending"], 100);
        assert_eq!(g["labelled"], 1900);
        assert_eq!(g["label_coverage"].as_f64(), Some(0.95));
        assert_eq!(g["label_lag_max_days"], 1);
        assert_eq!(v["performance"]["unmatched_outcomes"], 0);
    }
}

#[test]
fn earlier_as_of_labels_exactly_what_was_observed_by_then() {
    // Trading days 2026-11-12 (Thu), 15, 16, 17, 18, 19 (Tihar holidays 9–11 are absent); each
    // day's outcome is observed on the next trading day.
    // (A window cannot end after its as-of date: the early one ends on it.)
    let (_, late, _) = report("2026-11-19", &["--from", "2026-11-12", "--to", "2026-11-19"]);
    let (_, early, _) = report("2026-11-16", &["--from", "2026-11-12", "--to", "2026-11-16"]);
    let g = |v: &Value, k: &str| v["performance"]["overall"][k].as_u64().unwrap();
    assert_eq!((g(&late, "predictions"), g(&late, "labelled"), g(&late, "pending")), (600, 500, 100));
    // By 11-16 only the outcomes of 11-12 (seen 11-15) and 11-15 (seen 11-16) are known, not
    // 11-16's own.
    assert_eq!((g(&early, "predictions"), g(&early, "labelled"), g(&early, "pending")), (300, 200, 100));
}

#[test]
fn breakdown_by_sector_and_symbol() {
    let (code, v, err) = report("2026-11-19", &["--by", "sector"]);
    assert_eq!(code, 0, "{err}");
    let groups = v["performance"]["groups"].as_array().unwrap();
    assert_eq!(v["performance"]["by"], "sector");
    assert_eq!(groups.len(), 11);
    let total: u64 = groups.iter().map(|g| g["predictions"].as_u64().unwrap()).sum();
    assert_eq!(total, 2000);
    assert_eq!(v["drift"]["sector_mix"]["drifted"], false, "the fixtures keep the sector mix");
    assert_eq!(v["drift"]["by_sector"].as_array().unwrap().len(), 11);

    let (_, v, _) = report("2026-11-19", &["--by", "symbol"]);
    assert_eq!(v["performance"]["groups"].as_array().unwrap().len(), 100);
}

#[test]
fn every_gives_drift_and_performance_over_time() {
    let (code, v, err) = report("2026-11-19", &["--last", "40", "--every", "10"]);
    assert_eq!(code, 0, "{err}");
    let steps = v["trend"].as_array().unwrap();
    assert_eq!(steps.len(), 4);
    // The first two steps predate the injected drift, the last two are inside it: each step
    // judged at its own length, against its own critical PSI. The turnover shift is called in
    // both; rsi_14's (PSI above 1) stays inside its short history's bound in every step.
    let psi = |f: &str| -> Vec<f64> { steps.iter().map(|s| s["psi"][f].as_f64().unwrap()).collect() };
    let shifted =
        |f: &str| -> Vec<bool> { steps.iter().map(|s| s["significance"][f]["shifted"].as_bool().unwrap()).collect() };
    assert_eq!(shifted("log_turnover_npr"), [false, false, true, true], "{:?}", psi("log_turnover_npr"));
    assert_eq!(shifted("rsi_14"), [false; 4]);
    let rsi = psi("rsi_14");
    assert!(rsi[2] > 1.0 && rsi[3] > 1.0 && rsi[0] < 0.25 && rsi[1] < 0.25, "{rsi:?}");
    // A 10-day step has a higher noise floor than the 20-day window.
    let step_floor = steps[0]["significance"]["ret_1d"]["expected_psi"].as_f64().unwrap();
    let window_floor =
        v["drift"]["features"].as_array().unwrap().iter().find(|f| f["feature"] == "ret_1d").unwrap()["expected_psi"]
            .as_f64()
            .unwrap();
    assert!(step_floor > window_floor, "{step_floor} vs {window_floor}");
    let acc: Vec<f64> = steps.iter().map(|s| s["performance"]["metrics"]["accuracy"].as_f64().unwrap()).collect();
    assert!(acc[0] > 0.55 && acc[3] < 0.55, "{acc:?}");
    let (_, weeks, _) = report("2026-11-19", &["--every", "week"]);
    let first = &weeks["trend"][0]["window"];
    assert_eq!(first["from"], "2026-10-14");
    assert_eq!(first["to"], "2026-10-15", "a NEPSE week ends on Thursday");
    // Wednesday and Thursday of a Sunday–Thursday week: partial, and marked so; the next week
    // (Dashain: one trading day in the data) is whole.
    assert_eq!(weeks["trend"][0]["partial"], true);
    assert_eq!(weeks["trend"][1]["partial"], false);
}

#[test]
fn every_is_rendered_in_markdown_and_refused_where_csv_would_drop_it() {
    let args = |format: &str| -> Vec<String> {
        let mut a: Vec<String> =
            ["--features", &fixture("features.parquet"), "--predictions"].map(String::from).to_vec();
        a.extend([fixture("predictions.parquet"), "--outcomes".into(), fixture("outcomes.parquet")]);
        a.extend(["--as-of", "2026-11-19", "--last", "40", "--every", "10", "--format", format].map(String::from));
        a
    };
    // Markdown: a table of the steps, one row each, PSI per feature, the drifted ones in bold.
    let (code, md, err) = run(bin().arg("report").args(args("markdown")));
    assert_eq!(code, 0, "{err}");
    let (_, v, _) = report("2026-11-19", &["--last", "40", "--every", "10"]);
    assert!(md.contains("**Over time**"), "{md}");
    for step in v["trend"].as_array().unwrap() {
        let (from, to) = (step["window"]["from"].as_str().unwrap(), step["window"]["to"].as_str().unwrap());
        let row = md.lines().find(|l| l.starts_with(&format!("| {from} … {to} |"))).unwrap_or_else(|| panic!("{md}"));
        let turnover = format!("{:.4}", step["psi"]["log_turnover_npr"].as_f64().unwrap());
        let drifted = step["significance"]["log_turnover_npr"]["drifted"].as_bool().unwrap();
        let cell = if drifted { format!("**{turnover}**") } else { turnover };
        assert!(row.contains(&format!("| {cell} |")), "{row}");
        assert!(row.contains(&format!("{:.4}", step["performance"]["metrics"]["accuracy"].as_f64().unwrap())), "{row}");
    }
    // CSV holds one row per feature: without --html the steps would go nowhere, so refused
    // before anything is read (exit 2); with --html they go there.
    let (code, _, err) = run(bin().arg("report").args(args("csv")));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--every with --format csv") && err.contains("hint:"), "{err}");
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("trend.html");
    let (code, csv, err) = run(bin().arg("report").args(args("csv")).args(["--html", page.to_str().unwrap()]));
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(csv.starts_with("feature,kind,psi") && html.contains("trend-psi"), "{html}");
    // One-day steps have no critical PSI: no empty chart of ratios, a line saying why.
    let (code, _, err) = run(bin()
        .args(["report", "--features", &fixture("features.parquet"), "--as-of", "2026-11-19", "--format", "json"])
        .args(["--every", "1", "--last", "5", "--html", page.to_str().unwrap()]));
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("No step has a critical PSI") && html.contains("trend-psi-raw"), "{html}");
    assert!(!html.contains("points=\"\""), "{html}");
}

#[test]
fn by_is_rendered_in_markdown_and_refused_where_csv_would_drop_it() {
    let (_, v, _) = report("2026-11-19", &["--by", "sector"]);
    let (code, md, err) = fixtures_report(Fixtures::All, "2026-11-19", &["--by", "sector", "--format", "markdown"]);
    assert_eq!(code, 0, "{err}");
    // Each feature's PSI within each sector, and the sector mix.
    assert!(md.contains("**PSI by sector**") && md.contains("Sector mix: PSI"), "{md}");
    let sectors = v["drift"]["by_sector"].as_array().unwrap();
    assert!(sectors.len() >= 3);
    for s in sectors {
        let f = &s["features"][0];
        let row = format!(
            "| {} | `{}` | {:.4} |",
            s["sector"].as_str().unwrap(),
            f["feature"].as_str().unwrap(),
            f["psi"].as_f64().unwrap()
        );
        assert!(md.contains(&row), "{row} not in {md}");
    }
    // A row per performance group beside the overall one.
    let groups = v["performance"]["groups"].as_array().unwrap();
    assert!(!groups.is_empty());
    for g in groups {
        let accuracy = g["metrics"]["accuracy"].as_f64().map_or("–".to_owned(), |a| format!("{a:.4}"));
        let key = g["key"].as_str().unwrap();
        let row = md.lines().find(|l| l.starts_with(&format!("| {key} |"))).unwrap_or_else(|| panic!("{key}: {md}"));
        assert!(row.contains(&format!("| {accuracy} |")), "{row}");
    }
    // CSV: one row per feature, no breakdown; refused without --html to hold it.
    let (code, _, err) = fixtures_report(Fixtures::All, "2026-11-19", &["--by", "sector", "--format", "csv"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--by with --format csv") && err.contains("hint:"), "{err}");
}

// ---------------------------------------------------------------- bad input

fn days() -> Vec<chrono::NaiveDate> {
    vec![d("2026-11-16"), d("2026-11-17")]
}

fn predictions(dir: &std::path::Path, proba: [Option<f64>; 2], symbols: [&str; 2], with_version: bool) -> String {
    let p = dir.join("predictions.parquet");
    let mut cols = vec![
        ("as_of".to_owned(), OutColumn::Date(days())),
        ("symbol".to_owned(), OutColumn::Str(symbols.map(String::from).to_vec())),
        ("predicted_proba".to_owned(), OutColumn::F64(proba.to_vec())),
    ];
    if with_version {
        cols.push(("model_version".to_owned(), OutColumn::Str(vec!["m1".into(); 2])));
    }
    write_parquet(&p, cols, 1024).unwrap();
    p.display().to_string()
}

fn outcomes(dir: &std::path::Path, labels: [i8; 2], observed: [&str; 2], symbols: [&str; 2]) -> String {
    let p = dir.join("outcomes.parquet");
    write_parquet(
        &p,
        vec![
            ("as_of".to_owned(), OutColumn::Date(days())),
            ("symbol".to_owned(), OutColumn::Str(symbols.map(String::from).to_vec())),
            ("actual_label".to_owned(), OutColumn::I8(labels.to_vec())),
            ("observed_at".to_owned(), OutColumn::Date(observed.map(d).to_vec())),
        ],
        1024,
    )
    .unwrap();
    p.display().to_string()
}

/// `report` of the fixtures' features with `preds` and `outs`, graded on 2026-11-16 and 17.
fn graded(preds: &str, outs: &str) -> Command {
    let mut cmd = bin();
    cmd.args(["report", "--features", &fixture("features.parquet"), "--predictions", preds, "--outcomes", outs])
        .args(["--from", "2026-11-16", "--to", "2026-11-17", "--as-of", "2026-11-19"]);
    cmd
}

const OK_SEEN: [&str; 2] = ["2026-11-17", "2026-11-18"];

#[test]
fn labels_outside_zero_one() {
    let tmp = tempfile::tempdir().unwrap();
    let p = predictions(tmp.path(), [Some(0.4), Some(0.6)], ["NABIL", "NICA"], true);
    let o = outcomes(tmp.path(), [1, 2], OK_SEEN, ["NABIL", "NICA"]);
    let err = bad(&mut graded(&p, &o), 3, tmp.path());
    insta::assert_snapshot!(err, @r"
    error: [TMP]/outcomes.parquet: column `actual_label` holds values outside {0, 1} (e.g. NICA 2026-11-17)
    hint: fix the offending rows at the source; labels are 0/1 and probabilities in [0, 1]
    ");
}

#[test]
fn probabilities_outside_unit_interval_or_nan() {
    let tmp = tempfile::tempdir().unwrap();
    let o = outcomes(tmp.path(), [1, 0], OK_SEEN, ["NABIL", "NICA"]);
    for proba in [[Some(1.2), Some(0.5)], [Some(0.5), Some(f64::NAN)]] {
        let p = predictions(tmp.path(), proba, ["NABIL", "NICA"], true);
        let err = bad(&mut graded(&p, &o), 3, tmp.path());
        assert!(
            err.starts_with(
                "error: [TMP]/predictions.parquet: column `predicted_proba` holds values that are null, NaN or outside [0, 1] (e.g. "
            ),
            "{err}"
        );
    }
}

#[test]
fn duplicate_predictions_and_outcomes() {
    let tmp = tempfile::tempdir().unwrap();
    // Same symbol on two different days is fine; write same-day duplicates explicitly.
    let p = tmp.path().join("dup_preds.parquet");
    write_parquet(
        &p,
        vec![
            ("as_of".into(), OutColumn::Date(vec![d("2026-11-16"); 2])),
            ("symbol".into(), OutColumn::Str(vec!["NABIL".into(); 2])),
            ("model_version".into(), OutColumn::Str(vec!["m1".into(); 2])),
            ("predicted_proba".into(), OutColumn::F64(vec![Some(0.5); 2])),
        ],
        1024,
    )
    .unwrap();
    let o = outcomes(tmp.path(), [1, 0], OK_SEEN, ["NABIL", "NICA"]);
    let err = bad(&mut graded(&p.display().to_string(), &o), 3, tmp.path());
    insta::assert_snapshot!(err, @r"
    error: [TMP]/dup_preds.parquet: duplicate rows for the same (symbol, as_of, model_version) (e.g. NABIL 2026-11-16 m1)
    hint: fix the offending rows at the source; labels are 0/1 and probabilities in [0, 1]
    ");

    let good = predictions(tmp.path(), [Some(0.4), Some(0.6)], ["NABIL", "NICA"], true);
    let dup_out = tmp.path().join("dup_outs.parquet");
    write_parquet(
        &dup_out,
        vec![
            ("as_of".into(), OutColumn::Date(vec![d("2026-11-16"); 2])),
            ("symbol".into(), OutColumn::Str(vec!["NABIL".into(); 2])),
            ("actual_label".into(), OutColumn::I8(vec![1, 0])),
            ("observed_at".into(), OutColumn::Date(vec![d("2026-11-17"); 2])),
        ],
        1024,
    )
    .unwrap();
    let err = bad(&mut graded(&good, &dup_out.display().to_string()), 3, tmp.path());
    assert!(
        err.starts_with(
            "error: [TMP]/dup_outs.parquet: duplicate rows for the same (symbol, as_of) (e.g. NABIL 2026-11-16)"
        ),
        "{err}"
    );
}

#[test]
fn observed_before_as_of() {
    let tmp = tempfile::tempdir().unwrap();
    let p = predictions(tmp.path(), [Some(0.4), Some(0.6)], ["NABIL", "NICA"], true);
    let o = outcomes(tmp.path(), [1, 0], ["2026-11-15", "2026-11-18"], ["NABIL", "NICA"]);
    let err = bad(&mut graded(&p, &o), 3, tmp.path());
    insta::assert_snapshot!(err, @r"
    error: [TMP]/outcomes.parquet: column `observed_at` is earlier than `as_of` (e.g. NABIL 2026-11-16)
    hint: fix the offending rows at the source; labels are 0/1 and probabilities in [0, 1]
    ");
}

/// Predictions without a `model_version` column are one model: `default`, the only case that
/// name is used for.
#[test]
fn predictions_without_a_version_column_are_the_default_model() {
    let tmp = tempfile::tempdir().unwrap();
    let p = predictions(tmp.path(), [Some(0.4), Some(0.6)], ["NABIL", "NICA"], false);
    let o = outcomes(tmp.path(), [1, 0], OK_SEEN, ["NABIL", "NICA"]);
    let (code, out, err) = run(graded(&p, &o).args(["--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["model"], "default");
    assert_eq!(v["model_versions"], serde_json::json!(["default"]));
    assert_eq!(v["performance"]["overall"]["metrics"]["accuracy"], 0.0, "0.4 → 0 against 1, 0.6 → 1 against 0");
}

/// Symbols NABIL and NICA on 2026-11-16/17 with both outcomes up, `extra` appended.
fn estimate_of(tmp: &std::path::Path, labels: [i8; 2], extra: &[&str]) -> (i32, Value, String) {
    estimate_as_of(tmp, labels, "2026-11-19", extra)
}

fn estimate_as_of(tmp: &std::path::Path, labels: [i8; 2], as_of: &str, extra: &[&str]) -> (i32, Value, String) {
    let p = predictions(tmp, [Some(0.4), Some(0.6)], ["NABIL", "NICA"], true);
    let o = outcomes(tmp, labels, OK_SEEN, ["NABIL", "NICA"]);
    let (code, out, err) = run(bin()
        .args(["report", "--features", &fixture("features.parquet"), "--predictions", &p, "--outcomes", &o])
        .args(["--from", "2026-11-16", "--to", "2026-11-17", "--as-of", as_of, "--format", "json"])
        .args(extra));
    (code, serde_json::from_str(&out).unwrap_or(Value::Null), err)
}

#[test]
fn a_calibration_window_with_one_class_or_no_label_leaves_the_estimate_undefined() {
    let tmp = tempfile::tempdir().unwrap();
    // Both outcomes up: one class.
    let (code, v, err) =
        estimate_of(tmp.path(), [1, 1], &["--calibration-from", "2026-11-16", "--calibration-to", "2026-11-17"]);
    assert_eq!(code, 0, "{err}");
    let e = &v["performance"]["estimated"];
    assert_eq!(e["calibrated"], false);
    assert_eq!(e["calibration_window"]["labelled"], 2);
    assert_eq!(
        e["note"],
        "undefined: the 2 labelled predictions of m1 in the calibration window 2026-11-16 to 2026-11-17 hold one class only"
    );
    assert!(e["metrics"].as_object().unwrap().values().all(Value::is_null), "{e}");
    assert_eq!(v["performance"]["concept_drift"], Value::Null);
    // No prediction there: undefined too, with the reason.
    let (code, v, err) =
        estimate_of(tmp.path(), [1, 0], &["--calibration-from", "2026-11-18", "--calibration-to", "2026-11-19"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        v["performance"]["estimated"]["note"],
        "undefined: m1 has no prediction in the calibration window 2026-11-18 to 2026-11-19"
    );
    // Outcomes not known by the as-of date: undefined.
    let (code, v, err) = estimate_as_of(
        tmp.path(),
        [1, 0],
        "2026-11-17",
        &["--calibration-from", "2026-11-16", "--calibration-to", "2026-11-17"],
    );
    assert!(code == 0 || code == 4, "{err}");
    // NICA's outcome is observed on 2026-11-18, after the as-of date: NABIL's alone is known.
    let e = &v["performance"]["estimated"];
    assert_eq!(e["calibration_window"]["labelled"], 1, "{e}");
    assert!(e["note"].as_str().unwrap().contains("the 1 labelled predictions of m1"), "{e}");
}

#[test]
fn a_calibration_window_over_the_days_it_judges_is_warned_about() {
    // Fitted on the labels it is then compared with, the estimate agrees with them by
    // construction: concept drift is hidden. Allowed, never silent.
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) =
        estimate_of(tmp.path(), [1, 0], &["--calibration-from", "2026-11-12", "--calibration-to", "2026-11-16"]);
    assert_eq!(code, 0, "{err}");
    let line = err.lines().find(|l| l.contains("calibration window")).unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains(
            "the calibration window (2026-11-12 to 2026-11-16) overlaps the current window (2026-11-16 to 2026-11-17)"
        ),
        "{line}"
    );
    assert!(line.contains("hint: end it before 2026-11-16"), "{line}");
    // Ending before: no warning.
    let (code, _, err) =
        estimate_of(tmp.path(), [1, 0], &["--calibration-from", "2026-11-01", "--calibration-to", "2026-11-13"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("calibration window ("), "{err}");
    // The default calibration window, the reference's, reached by a performance window longer
    // than the current one.
    let cfg = tmp.path().join("c.toml");
    for (days, warned) in [(15, true), (5, false)] {
        std::fs::write(&cfg, format!("[windows]\nperformance_days = {days}\n")).unwrap();
        let (code, _, err) = run(bin()
            .args(["report", "--config", cfg.to_str().unwrap(), "--features", &fixture("features.parquet")])
            .args(["--predictions", &fixture("predictions.parquet"), "--outcomes", &fixture("outcomes.parquet")])
            .args(["--as-of", "2026-11-19", "--last", "5", "--reference-last", "40", "--format", "json"]));
        assert_eq!(code, 0, "{err}");
        let line = err.lines().find(|l| l.contains("the calibration window ("));
        assert_eq!(line.is_some(), warned, "performance_days {days}: {err}");
        if let Some(line) = line {
            assert!(line.contains("overlaps the performance window ("), "{line}");
            assert!(!line.contains("the current window"), "{line}");
        }
    }
}

#[test]
fn calibration_window_settings_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) =
        estimate_of(tmp.path(), [1, 0], &["--calibration-from", "2026-11-18", "--calibration-to", "2026-11-16"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--calibration-from/--calibration-to") && err.contains("start 2026-11-18 is after end 2026-11-16"),
        "{err}"
    );
    let (code, _, err) = estimate_of(tmp.path(), [1, 0], &["--calibration-from", "2026-11-18"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--calibration-to"), "{err}");
    let cfg = tmp.path().join("c.toml");
    std::fs::write(&cfg, "[performance]\ncalibration_from = 2026-11-16\n").unwrap();
    let (code, _, err) = estimate_of(tmp.path(), [1, 0], &["--config", &cfg.display().to_string()]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(err, @r"
    error: invalid setting `performance.calibration_from`: calibration_from and calibration_to go together
    hint: see the README's configuration table for valid values
    ");
}

#[test]
fn evaluation_window_without_predictions() {
    let tmp = tempfile::tempdir().unwrap();
    let p = predictions(tmp.path(), [Some(0.4), Some(0.6)], ["NABIL", "NICA"], true);
    let o = outcomes(tmp.path(), [1, 0], OK_SEEN, ["NABIL", "NICA"]);
    let err = bad(
        bin()
            .args(["report", "--features", &fixture("features.parquet"), "--predictions", &p, "--outcomes", &o])
            .args(["--from", "2026-11-01", "--to", "2026-11-05", "--as-of", "2026-11-19"]),
        3,
        tmp.path(),
    );
    insta::assert_snapshot!(err, @r"
    error: [TMP]/predictions.parquet: no predictions between 2026-11-01 and 2026-11-05
    hint: check --as-of and the window options against the dates present in the data
    ");
}

#[test]
fn outcomes_with_model_version_join_on_it_too() {
    let tmp = tempfile::tempdir().unwrap();
    let p = predictions(tmp.path(), [Some(0.4), Some(0.6)], ["NABIL", "NICA"], true);
    let o = tmp.path().join("versioned.parquet");
    write_parquet(
        &o,
        vec![
            ("as_of".into(), OutColumn::Date(days())),
            ("symbol".into(), OutColumn::Str(vec!["NABIL".into(), "NICA".into()])),
            ("model_version".into(), OutColumn::Str(vec!["m1".into(), "m0".into()])),
            ("actual_label".into(), OutColumn::I8(vec![0, 1])),
            ("observed_at".into(), OutColumn::Date(OK_SEEN.map(d).to_vec())),
        ],
        1024,
    )
    .unwrap();
    let (code, out, err) = run(bin()
        .args(["report", "--features", &fixture("features.parquet"), "--predictions", &p])
        .args(["--outcomes", &o.display().to_string(), "--format", "json"])
        .args(["--from", "2026-11-16", "--to", "2026-11-17", "--as-of", "2026-11-19"]));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let g = &v["performance"]["overall"];
    assert_eq!((g["labelled"].as_u64(), g["pending"].as_u64()), (Some(1), Some(1)), "m0's outcome is not m1's");
    assert_eq!(v["performance"]["unmatched_outcomes"], 1);
    // The one labelled row: proba 0.4 → predicted 0, actual 0 → a true negative; AUC undefined.
    assert_eq!(g["metrics"]["tn"], 1);
    assert_eq!(g["metrics"]["roc_auc"], Value::Null);
    assert_eq!(g["metrics"]["precision"], Value::Null);
}

/// The calibration window's rows are checked like the graded ones: a probability outside [0, 1]
/// there is an error naming the file, never a calibration fitted on it.
#[test]
fn a_bad_probability_in_the_calibration_window_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("predictions.parquet");
    let days = vec![d("2026-11-12"), d("2026-11-16"), d("2026-11-17")];
    write_parquet(
        &p,
        vec![
            ("as_of".to_owned(), OutColumn::Date(days.clone())),
            ("symbol".to_owned(), OutColumn::Str(vec!["NABIL".into(); 3])),
            ("model_version".to_owned(), OutColumn::Str(vec!["m1".into(); 3])),
            ("predicted_proba".to_owned(), OutColumn::F64(vec![Some(7.0), Some(0.4), Some(0.6)])),
        ],
        1024,
    )
    .unwrap();
    let o = outcomes(tmp.path(), [1, 0], OK_SEEN, ["NABIL", "NABIL"]);
    let err = bad(
        bin()
            .args(["report", "--features", &fixture("features.parquet"), "--predictions", &p.display().to_string()])
            .args(["--outcomes", &o, "--from", "2026-11-16", "--to", "2026-11-17", "--as-of", "2026-11-19"])
            .args(["--reference-from", "2026-10-01", "--reference-to", "2026-11-05"])
            .args(["--calibration-from", "2026-11-10", "--calibration-to", "2026-11-12"]),
        3,
        tmp.path(),
    );
    insta::assert_snapshot!(err, @r"
    error: [TMP]/predictions.parquet: column `predicted_proba` holds values that are null, NaN or outside [0, 1] (e.g. NABIL 2026-11-12 m1)
    hint: fix the offending rows at the source; labels are 0/1 and probabilities in [0, 1]
    ");
}
