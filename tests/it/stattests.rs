//! `--stattest` through the binary: Evidently's tests beside the PSI in every output, the
//! deciding test's call, the gauge, and the refusals. The numbers themselves are checked against
//! Evidently 0.7.23 by `tests/crosscheck/stattests.py`; the default (`psi`) outputs are pinned
//! unchanged by the `report` module.

use crate::util::{Fixtures, bin, fixture, fixtures_report, run, scrub, trading_days, write_config};
use nepse_drift::load::{OutColumn, write_parquet};
use serde_json::Value;

#[test]
fn auto_decides_each_feature_and_every_output_shows_it() {
    let (code, json, err) =
        fixtures_report(Fixtures::Features, "2026-11-19", &["--stattest", "auto", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(r["psi_options"]["stattest"], "auto");
    for f in r["drift"]["features"].as_array().unwrap() {
        // 12,000 reference rows, many values: Evidently's preset picks the normed Wasserstein.
        let test = &f["drift_test"];
        assert_eq!(test["test"], "wasserstein", "{}", f["feature"]);
        let stat = &f["statistics"]["wasserstein"];
        assert_eq!(f["statistics"].as_object().unwrap().len(), 1);
        assert_eq!(stat["threshold"], 0.1);
        assert_eq!(stat["assumes_independent_rows"], false);
        let value = stat["value"].as_f64().unwrap();
        assert_eq!(test["value"].as_f64().unwrap(), value);
        assert_eq!(f["drifted"], value >= 0.1, "{}: the deciding test's call", f["feature"]);
        assert_eq!(test["drifted"], f["drifted"]);
    }
    let drifted: Vec<&str> =
        r["drift"]["drifted_features"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(drifted.len(), 7, "Evidently's rule calls the panel's noise: {drifted:?}");

    let (code, table, _) = fixtures_report(Fixtures::Features, "2026-11-19", &["--stattest", "auto"]);
    assert_eq!(code, 0);
    let section = &table[table.find("Evidently's drift tests").expect("a section of its own")..];
    insta::assert_snapshot!("stattest_auto_table", &section[..section.find("\ndrifted:").unwrap()]);

    let (code, csv, _) = fixtures_report(Fixtures::Features, "2026-11-19", &["--stattest", "all", "--format", "csv"]);
    assert_eq!(code, 0);
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",drift_test,psi,ks,wasserstein,jensenshannon,hellinger,kl_div"), "{header}");
    let (code, md, _) =
        fixtures_report(Fixtures::Features, "2026-11-19", &["--stattest", "all", "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(md.contains("| feature | decided by | psi | ks | wasserstein | jensenshannon | hellinger | kl_div |"));
    assert!(md.contains("assume independent rows"));
}

#[test]
fn the_default_and_an_inapplicable_test_add_nothing() {
    let (_, plain, _) = fixtures_report(Fixtures::Features, "2026-11-19", &["--format", "json"]);
    let (_, named, _) = fixtures_report(Fixtures::Features, "2026-11-19", &["--format", "json", "--stattest", "psi"]);
    assert_eq!(plain, named, "psi is the default");
    assert!(!plain.contains("\"statistics\"") && !plain.contains("\"stattest\""));

    // A categorical feature under `--stattest ks`: KS does not apply, the PSI's call stands.
    let tmp = tempfile::tempdir().unwrap();
    let (path, last) = one_column_panel(tmp.path(), "colour", |cells| {
        OutColumn::Str(cells.map(|(i, s)| if (i + s) % 3 == 0 { "red" } else { "blue" }.to_owned()).collect())
    });
    let report = |test: &str| -> Value {
        let (code, json, err) = run(bin().args(["report", "--features"]).arg(&path).args([
            "--as-of",
            &last,
            "--reference-last",
            "40",
            "--stattest",
            test,
            "--format",
            "json",
        ]));
        assert_eq!(code, 0, "{test}: {err}");
        serde_json::from_str(&json).unwrap()
    };
    let r = report("ks");
    let f = &r["drift"]["features"][0];
    assert_eq!(f["feature"], "colour");
    assert!(f.get("statistics").is_none() && f.get("drift_test").is_none(), "{f}");
    // …and `chisquare` does apply, with the same rows on both sides.
    let r = report("chisquare");
    let chi = &r["drift"]["features"][0]["statistics"]["chisquare"];
    assert_eq!(chi["assumes_independent_rows"], true);
    assert!(chi["value"].as_f64().unwrap() > 0.0);
}

#[test]
fn hostile_columns_give_undefined_values_not_a_panic() {
    // 20 reference days, then 20 current ones, 30 symbols: a column with no finite current
    // value, a constant, one half ±inf, and a category that is null in the current window.
    let tmp = tempfile::tempdir().unwrap();
    let days = trading_days("2026-01-04", 40);
    let (mut dates, mut symbols) = (Vec::new(), Vec::new());
    let (mut gone, mut constant, mut infinite, mut vanishing) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, day) in days.iter().enumerate() {
        for s in 0..30 {
            let current = i >= 20;
            dates.push(*day);
            symbols.push(format!("S{s}"));
            gone.push(if current { Some(f64::NAN) } else { Some(f64::from(s)) });
            constant.push(Some(1.0));
            infinite.push(Some(if s % 2 == 0 { f64::INFINITY } else { -1.5 }));
            vanishing.push(if current { String::new() } else { "a".to_owned() });
        }
    }
    let path = tmp.path().join("f.parquet");
    write_parquet(
        &path,
        vec![
            ("as_of".into(), OutColumn::Date(dates)),
            ("symbol".into(), OutColumn::Str(symbols)),
            ("gone".into(), OutColumn::F64(gone)),
            ("constant".into(), OutColumn::F64(constant)),
            ("infinite".into(), OutColumn::F64(infinite)),
            ("vanishing".into(), OutColumn::Str(vanishing)),
        ],
        4096,
    )
    .unwrap();
    let last = days[days.len() - 1].to_string();
    for choice in ["all", "auto", "ks", "chisquare"] {
        let (code, json, err) = run(bin().args(["report", "--features"]).arg(&path).args([
            "--as-of",
            &last,
            "--last",
            "20",
            "--reference-last",
            "20",
            "--stattest",
            choice,
            "--format",
            "json",
        ]));
        assert!(code == 0 || code == 4, "{choice}: {code} {err}");
        let r: Value = serde_json::from_str(&json).unwrap();
        for f in r["drift"]["features"].as_array().unwrap() {
            let name = f["feature"].as_str().unwrap();
            for (test, stat) in f["statistics"].as_object().into_iter().flatten() {
                let value = &stat["value"];
                assert!(
                    value.is_null() || value.as_f64().is_some_and(f64::is_finite),
                    "{choice} {name} {test}: {value}"
                );
                if value.is_null() {
                    assert_eq!(stat["drifted"], false, "{choice} {name} {test}: undefined is no drift");
                }
            }
            if name == "gone" {
                // No finite current value: every statistic is undefined.
                assert!(f["statistics"].as_object().into_iter().flatten().all(|(_, s)| s["value"].is_null()), "{f}");
            }
            if name == "constant" && choice == "all" {
                // The same single value on both sides: every distance 0, KS p = 1.
                assert_eq!(f["statistics"]["ks"]["value"], 1.0);
                assert_eq!(f["statistics"]["wasserstein"]["value"], 0.0);
            }
        }
    }
}

#[test]
fn run_pushes_each_statistic_as_a_gauge() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), Fixtures::Features, "[psi]\nstattest = \"all\"\n");
    let (code, body, err) = run(bin().args(["run", "--dry-run", "--as-of", "2026-11-19", "--config"]).arg(&cfg));
    assert_eq!(code, 0, "{err}");
    assert!(body.contains("# TYPE feature_drift_statistic gauge"));
    let series = body.lines().filter(|l| l.starts_with("feature_drift_statistic{")).count();
    assert_eq!(series, 11 * 6, "six tests on each of the 11 numeric features");
    assert!(body.contains("feature_drift_statistic{feature=\"rsi_14\",stattest=\"wasserstein\"} 1.32433672541464"));
}

#[test]
fn bad_choices_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = fixtures_report(Fixtures::Features, "2026-11-19", &["--stattest", "anderson"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("stattest_unknown_flag", err);

    let cfg = write_config(tmp.path(), Fixtures::Features, "[psi]\nstattest = \"KS\"\n");
    let (code, _, err) = run(bin().args(["run", "--dry-run", "--as-of", "2026-11-19", "--config"]).arg(&cfg));
    assert_eq!(code, 2);
    insta::assert_snapshot!("stattest_unknown_config", scrub(&err, tmp.path()));

    // A fitted profile holds counts, not the values the tests need.
    let profile = tmp.path().join("p.json");
    let (code, _, err) = run(bin()
        .args(["fit-reference", "--features", &fixture("features.parquet"), "--as-of", "2026-11-19", "-o"])
        .arg(&profile));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = fixtures_report(
        Fixtures::Features,
        "2026-11-19",
        &["--stattest", "auto", "--reference-profile", &profile.display().to_string()],
    );
    assert_eq!(code, 3);
    insta::assert_snapshot!("stattest_with_a_profile", scrub(&err, tmp.path()));
}

#[test]
fn a_float_column_read_as_categorical_counts_nan_as_missing() {
    // NaN is a float's missing value: as a category of its own ("NaN") it was compared as if it
    // were a grade, and the missing share read 0.
    let tmp = tempfile::tempdir().unwrap();
    let (path, last) = one_column_panel(tmp.path(), "grade", |cells| {
        OutColumn::F64(
            cells
                .map(|(i, s)| match (i + s) % 5 {
                    0 => Some(f64::NAN),
                    1 | 2 => Some(1.0),
                    _ => Some(2.0),
                })
                .collect(),
        )
    });
    let args = ["--as-of", &last, "--reference-last", "40", "--categorical", "grade", "--format", "json"];
    let (code, json, err) = run(bin().args(["report", "--features"]).arg(&path).args(args));
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&json).unwrap();
    let f = &r["drift"]["features"][0];
    assert_eq!(f["feature"], "grade");
    assert_eq!(f["kind"], "categorical");
    let labels: Vec<&str> = f["bins"].as_array().unwrap().iter().filter_map(|b| b["label"].as_str()).collect();
    assert!(!labels.iter().any(|l| l.eq_ignore_ascii_case("nan")), "{labels:?}");
    // Every fifth row is NaN on either side (6 of each day's 30), to a float's rounding.
    for side in ["reference_missing_ratio", "current_missing_ratio"] {
        assert!((f[side].as_f64().unwrap() - 0.2).abs() < 1e-12, "{side}: {}", f[side]);
    }
}

/// A panel of 60 trading days from 2026-01-04 and 30 symbols with one feature column `name`,
/// made by `column` from the (day index, symbol index) of each row, written to `dir/f.parquet`:
/// its path and its last day.
fn one_column_panel(
    dir: &std::path::Path,
    name: &str,
    column: impl FnOnce(&mut dyn Iterator<Item = (usize, usize)>) -> OutColumn,
) -> (std::path::PathBuf, String) {
    let days = trading_days("2026-01-04", 60);
    let cells = || (0..days.len()).flat_map(|i| (0..30).map(move |s| (i, s)));
    let path = dir.join("f.parquet");
    let columns = vec![
        ("as_of".into(), OutColumn::Date(cells().map(|(i, _)| days[i]).collect())),
        ("symbol".into(), OutColumn::Str(cells().map(|(_, s)| format!("S{s}")).collect())),
        (name.to_owned(), column(&mut cells())),
    ];
    write_parquet(&path, columns, 4096).unwrap();
    (path, days[days.len() - 1].to_string())
}
