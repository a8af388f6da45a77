//! `nepse-drift report` end to end: the committed fixtures, hand-computed PSI on small files,
//! and every bad input of the data contract with its message and exit code.

use std::collections::BTreeSet;

use crate::util::{Fixtures, bad, bin, d, features_file, fixture, fixtures_report, run, scrub, trading_days};
use nepse_drift::load::{OutColumn, write_parquet};
use serde_json::Value;

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).expect("valid JSON")
}

fn drifted(v: &Value) -> BTreeSet<String> {
    v["drift"]["drifted_features"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect()
}

#[test]
fn fixtures_flag_exactly_the_injected_features() {
    let (code, out, err) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    // 2.5 years hold four disjoint window pairs: too few for the history to decide, enough for
    // it to bound the model (`model_and_short_history`). Only the turnover shift (+0.8σ of a
    // feature whose rows are close to independent, PSI 0.66 against a critical 0.037) is beyond
    // both. rsi_14's +1σ (PSI 1.56) is inside its short history's prediction bound (1.86): a
    // 20-day market move shifts every stock's RSI by about as much. macd_hist's ×2.5 spread
    // (0.74 against 1.16) likewise; nepse_index_ret_1d's 1.78 is the noise of 20 day-constant
    // draws.
    let expected: BTreeSet<String> = ["log_turnover_npr"].map(String::from).into();
    assert_eq!(drifted(&v), expected);
    let shifted: BTreeSet<String> =
        v["drift"]["shifted_features"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect();
    assert_eq!(shifted, expected, "every drift is a shift");
    // The dataset-level call confirms it (Holm at the family-wise α over 11 features).
    assert_eq!(v["drift"]["dataset"]["drifted"], true);
    assert_eq!(v["drift"]["dataset"]["features_tested"], 11);
    let confirmed: BTreeSet<String> =
        v["drift"]["dataset"]["confirmed"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect();
    assert_eq!(confirmed, expected);
    for f in v["drift"]["features"].as_array().unwrap() {
        let dependent = f["design_effect"]["current"].as_f64().unwrap() >= 2.0;
        let null = if dependent { "model_and_short_history" } else { "model" };
        assert_eq!(f["drift_null"], null, "{}: four stretches bound a dependent feature", f["feature"]);
        if dependent {
            assert!(f["critical_psi"].as_f64() >= f["critical_psi_by_null"]["model"].as_f64(), "{f}");
        }
    }
    assert_eq!(v["schema_version"], 2);
    assert_eq!(v["windows"]["current"]["trading_days"], 20);
    assert_eq!(v["windows"]["reference"]["trading_days"], 120);
    assert_eq!(v["drift"]["prediction_drift"]["drifted"], false);
}

#[test]
fn an_extraordinary_past_event_does_not_cap_shifted_but_still_counts_for_drifted() {
    // Nine years of the realistic market (K = 16 stretches), whose closure's reopening in 2019
    // put the price features' past PSIs far beyond everything else, and a 60-day bull run.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("panel");
    let out = out.to_str().unwrap();
    let (code, _, err) = run(bin().args([
        "fixtures",
        "--out",
        out,
        "--seed",
        "10017",
        "--start",
        "2018-01-01",
        "--end",
        "2026-11-19",
        "--market",
        "realistic",
        "--symbols",
        "100",
        "--drift",
        "2026-08-23:2026-11-19:bull=0.008",
    ]));
    assert_eq!(code, 0, "{err}");
    let features = format!("{out}/features.parquet");
    let (code, stdout, err) =
        run(bin().args(["--quiet", "report", "--features", &features, "--as-of", "2026-11-19", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let v = json(&stdout);
    let number = |f: &Value, key: &str| f["critical_psi_by_null"][key].as_f64();
    // The reopening set rsi_14's and close_to_sma_50's 99th percentile of every past pair; set
    // aside, the ordinary history's is less than half of it, and it caps `shifted`.
    for name in ["rsi_14", "close_to_sma_50"] {
        let f = feature(&v, name);
        let (history, ordinary) = (number(f, "history").unwrap(), number(f, "ordinary_history").unwrap());
        assert!(ordinary < history / 2.0, "{name}: {ordinary} against {history}");
        // `drifted` keeps every pair: its critical PSI is the history's quantile times the
        // joint test's critical value with the within-day view (1 ≤ c_T, about 1.1).
        let joint = f["within_day"]["joint_critical"].as_f64().unwrap();
        assert!((1.0..1.5).contains(&joint), "{name}: {joint}");
        let critical = f["critical_psi"].as_f64().unwrap();
        assert!((critical - history * joint).abs() < 1e-9 * critical, "{name}: drifted keeps every pair");
    }
    for f in v["drift"]["features"].as_array().unwrap() {
        assert_eq!(f["drift_null"], "history", "{f}");
        assert_eq!(f["history_stretches"], 16);
        let (model, history) = (number(f, "model").unwrap(), number(f, "history").unwrap());
        let bound = number(f, "ordinary_history").unwrap_or(history);
        assert!(bound <= history, "{f}");
        assert_eq!(f["shift_critical_psi"].as_f64(), Some(model.min(bound)), "{f}");
        // Every drift of the level view is a shift: its critical PSI is never below the shift's
        // (a within-day drift moves the spread, not the level, and need not be one).
        assert!(f["shift_critical_psi"].as_f64() <= f["critical_psi"].as_f64(), "{f}");
        if f["drifted"] == true && f["psi"].as_f64() > f["critical_psi"].as_f64() {
            assert_eq!(f["shifted"], true, "every drift of the level is a shift: {f}");
        }
    }
    // Not every feature's history holds an extraordinary event.
    let plain = v["drift"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["critical_psi_by_null"]["ordinary_history"].is_null());
    assert!(plain.count() >= 3);
}

#[test]
fn a_wider_spread_within_each_day_is_called_drifted_where_market_wide_swells_hide_it() {
    // Nine years of the realistic market, whose bull runs swell every symbol's turnover
    // together: `volume_ratio_20d`'s history holds PSIs up to about 0.45. Over the last 20
    // trading days its variance in log space is doubled (PSI about 0.13), which that history
    // cannot call; centred on each day's median, the swells are gone from the history.
    let tmp = tempfile::tempdir().unwrap();
    let report = |name: &str, drift: Option<&str>| {
        let out = tmp.path().join(name);
        let out = out.to_str().unwrap();
        let mut args = vec!["fixtures", "--out", out, "--seed", "1", "--start", "2018-01-01", "--end", "2026-11-19"];
        args.extend(["--market", "realistic", "--symbols", "100"]);
        if let Some(d) = drift {
            args.extend(["--drift", d]);
        }
        let (code, _, err) = run(bin().args(&args));
        assert_eq!(code, 0, "{err}");
        let features = format!("{out}/features.parquet");
        let (code, stdout, err) = run(bin().args([
            "--quiet",
            "report",
            "--features",
            &features,
            "--as-of",
            "2026-11-19",
            "--format",
            "json",
        ]));
        assert_eq!(code, 0, "{err}");
        json(&stdout)
    };
    let quiet = report("quiet", None);
    let wider = report("wider", Some("2026-10-14:2026-11-19:lscale=volume_ratio_20d*1.4142135623730951"));
    let number = |f: &Value, key: &str| f[key].as_f64().unwrap();
    let within = |f: &Value| (number(&f["within_day"], "psi"), number(&f["within_day"], "critical_psi"));
    let (q, w) = (feature(&quiet, "volume_ratio_20d"), feature(&wider, "volume_ratio_20d"));
    // The level view alone would not call it: its PSI is below its history's quantile.
    assert!(number(w, "psi") < w["critical_psi_by_null"]["history"].as_f64().unwrap(), "{w}");
    // The within-day view does: centred on the log scale (the feature is positive), its PSI is
    // several times its critical value, while the quiet panel's is below it.
    assert_eq!(w["within_day"]["scale"], "log");
    let (psi, critical) = within(w);
    assert!(psi > 2.0 * critical, "{w}");
    let (psi, critical) = within(q);
    assert!(psi < critical, "{q}");
    assert_eq!((q["drifted"].as_bool(), w["drifted"].as_bool()), (Some(false), Some(true)));
    // The joint statistic is the within-day PSI over its history quantile (its critical PSI
    // over c_T), beyond c_T; the page fires on it.
    let (joint, c_t) = (number(&w["within_day"], "joint_statistic"), number(&w["within_day"], "joint_critical"));
    let (psi, critical) = within(w);
    assert!((joint - psi / (critical / c_t)).abs() < 1e-9 * joint && joint > c_t, "{w}");
    assert_eq!(wider["drift"]["dataset"]["confirmed"], serde_json::json!(["volume_ratio_20d"]));
    // `run` pushes gauges with the same numbers.
    let features = tmp.path().join("wider/features.parquet");
    let results = tmp.path().join("results");
    let (code, exposition, err) = run(bin().args([
        "run",
        "--features",
        features.to_str().unwrap(),
        "--as-of",
        "2026-11-19",
        "--results-dir",
        results.to_str().unwrap(),
        "--dry-run",
    ]));
    assert_eq!(code, 0, "{err}");
    for (family, value) in [("feature_drift_within_day_psi", psi), ("feature_drift_within_day_psi_critical", critical)]
    {
        let prefix = format!("{family}{{feature=\"volume_ratio_20d\"");
        let line = exposition.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("{family}"));
        let gauge: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!((gauge - value).abs() <= 1e-12 * value, "{line} against {value}");
    }
    steps_carry_their_within_day_view(&features, w);
    assert_eq!(quiet["drift"]["dataset"]["drifted"], false);
    // Every other feature reads the same in both panels; a day-constant feature has no
    // within-day view.
    for f in quiet["drift"]["features"].as_array().unwrap().iter().filter(|f| f["feature"] != "volume_ratio_20d") {
        assert_eq!(f, feature(&wider, f["feature"].as_str().unwrap()));
    }
    assert!(feature(&quiet, "nepse_index_ret_1d").get("within_day").is_none());
    assert_eq!(feature(&quiet, "ret_1d")["within_day"]["scale"], "level");
    // A saved profile does not hold the rows the view centres: from it, the level view decides
    // alone, and does not call the wider spread.
    let profile = tmp.path().join("profile.json");
    let (features_arg, profile_arg) = (features.to_str().unwrap(), profile.to_str().unwrap());
    let (code, _, err) =
        run(bin().args(["fit-reference", "--features", features_arg, "--as-of", "2026-11-19", "-o", profile_arg]));
    assert_eq!(code, 0, "{err}");
    let (code, stdout, err) = run(bin().args([
        "--quiet",
        "report",
        "--features",
        features_arg,
        "--as-of",
        "2026-11-19",
        "--reference-profile",
        profile_arg,
        "--format",
        "json",
    ]));
    assert_eq!(code, 0, "{err}");
    let from_profile = json(&stdout);
    let level_only = feature(&from_profile, "volume_ratio_20d");
    assert!(level_only.get("within_day").is_none() && level_only["drifted"] == false, "{level_only}");
    assert_eq!(level_only["psi"], w["psi"]);
}

fn feature<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["drift"]["features"].as_array().unwrap().iter().find(|f| f["feature"] == name).unwrap()
}

/// `--every` carries each step's within-day numbers: one step of the whole window reads as the
/// report (`w`, its `volume_ratio_20d`), and steps of half the window each have their own, with
/// a wider critical PSI (half the days).
fn steps_carry_their_within_day_view(features: &std::path::Path, w: &Value) {
    let every = |n: &str| {
        let args = ["--quiet", "report", "--features", features.to_str().unwrap(), "--as-of", "2026-11-19"];
        let (code, stdout, err) = run(bin().args(args).args(["--every", n, "--format", "json"]));
        assert_eq!(code, 0, "{err}");
        json(&stdout)
    };
    let whole = every("20");
    let step = &whole["trend"][0]["significance"]["volume_ratio_20d"];
    assert_eq!((&step["within_day"], &step["drifted"]), (&w["within_day"], &w["drifted"]), "{step}");
    let critical = w["within_day"]["critical_psi"].as_f64().unwrap();
    let halves = every("10");
    let steps = halves["trend"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    for s in steps {
        let view = &s["significance"]["volume_ratio_20d"]["within_day"];
        assert!(view["psi"].as_f64().unwrap() > 0.0 && view["critical_psi"].as_f64().unwrap() > critical, "{view}");
    }
}

#[test]
fn a_day_constant_feature_is_worth_one_row_per_day() {
    let (code, out, err) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["psi_options"]["significance"], "panel");
    let index = feature(&v, "nepse_index_ret_1d");
    assert_eq!(index["significance_test"], "panel");
    // 2,000 rows of 20 days, one value per day: about 20 effective rows, a noise floor near 1.
    let eff = index["effective_current_rows"].as_f64().unwrap();
    assert!((15.0..=25.0).contains(&eff), "{eff}");
    assert!(index["design_effect"]["current"].as_f64().unwrap() > 80.0);
    assert!(index["expected_psi"].as_f64().unwrap() > 0.8);
    assert!(index["psi"].as_f64().unwrap() > 0.25 && index["drifted"] == false, "{index}");
    // Under the iid test the same PSI is "significant" by a huge margin: what issue 11 fixed.
    let (_, out, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "json", "--significance", "iid"]);
    let iid = json(&out);
    let index = feature(&iid, "nepse_index_ret_1d");
    assert_eq!(index["significance_test"], "iid");
    assert_eq!(index["shifted"], true);
    assert_eq!(iid["psi_options"]["significance"], "iid");
}

#[test]
fn a_one_day_window_leaves_the_significance_undefined() {
    let (code, out, err) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "json", "--last", "1"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    for f in v["drift"]["features"].as_array().unwrap() {
        assert!(f["critical_psi"].is_null() && f["p_value"].is_null(), "{f}");
        assert_eq!(f["drifted"], false);
        assert!(f["significance_note"].as_str().unwrap().contains("one trading day"), "{f}");
    }
}

#[test]
fn fixtures_stable_period_flags_nothing() {
    for as_of in ["2026-07-15", "2026-08-20", "2026-09-30"] {
        let (code, out, err) = fixtures_report(Fixtures::All, as_of, &["--format", "json"]);
        assert_eq!(code, 0, "{err}");
        assert!(drifted(&json(&out)).is_empty(), "{as_of}");
    }
}

#[test]
fn fail_on_drift_exits_7_only_when_drifted() {
    assert_eq!(fixtures_report(Fixtures::All, "2026-11-19", &["--fail-on-drift", "--format", "csv"]).0, 7);
    assert_eq!(fixtures_report(Fixtures::All, "2026-09-30", &["--fail-on-drift", "--format", "csv"]).0, 0);
}

#[test]
fn table_snapshot_on_fixtures() {
    let (code, out, _) = fixtures_report(Fixtures::All, "2026-11-19", &[]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("fixtures_table", out);
}

#[test]
fn json_snapshot_on_fixtures() {
    let (code, out, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "json"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("fixtures_json", scrub(&out, std::path::Path::new("/nonexistent")));
}

/// `--multivariate` adds the PCA reconstruction block (its numbers equal NannyML's: see
/// tests/crosscheck/multivariate.py) and a line in the table; without it the block is `null`.
/// A profile cannot carry it (exit 3), and `fit-reference` refuses the flag, from the command
/// line or the config file (exit 2).
#[test]
fn multivariate_drift_is_reported_when_asked_for() {
    let (code, out, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "json", "--multivariate"]);
    assert_eq!(code, 0);
    let m = &json(&out)["drift"]["multivariate"];
    assert_eq!(m["features"].as_array().unwrap().len(), 11);
    assert_eq!((m["components"].as_u64(), m["history_stretches"].as_u64()), (Some(4), Some(4)));
    assert_eq!(m["null"], "short_history");
    let number = |k: &str| m[k].as_f64().unwrap();
    assert!((number("error") - 2.523_115_184_826).abs() < 1e-9, "{m}");
    // The fixtures' injected window (turnover, RSI, MACD) is beyond its short history's bound.
    // At α/2 (the correlation break has the other half).
    assert!((number("critical_error") - 2.204).abs() < 0.01 && number("p_value") < 0.005, "{m}");
    // The fixtures' drift moves levels and spreads, not how features rank a day's symbols.
    assert!(number("correlation_distance") < number("critical_correlation_distance"), "{m}");
    assert!(number("correlation_p_value") > 0.5, "{m}");
    assert_eq!(m["detected"], true);
    let (_, table, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--multivariate"]);
    assert!(table.lines().any(|l| l.starts_with("multivariate drift detected: reconstruction error")), "{table}");
    let (_, plain, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "json"]);
    assert_eq!(json(&plain)["drift"]["multivariate"], Value::Null);
    // With `--every week`, every step has its error and a call against pairs of its shape, and
    // the HTML report draws them.
    let tmp = tempfile::tempdir().unwrap();
    let html = tmp.path().join("report.html");
    let html_arg = html.display().to_string();
    let (code, out, err) = fixtures_report(
        Fixtures::All,
        "2026-11-19",
        &["--format", "json", "--multivariate", "--every", "week", "--html", &html_arg],
    );
    assert_eq!(code, 0, "{err}");
    let steps = json(&out)["trend"].as_array().unwrap().clone();
    assert_eq!(steps.len(), 6);
    for s in &steps {
        let m = &s["multivariate"];
        assert!(m["error"].as_f64().unwrap() > 0.0 && m["critical_error"].as_f64().is_some(), "{s}");
    }
    assert!(std::fs::read_to_string(&html).unwrap().contains("trend-multivariate"));
}

#[test]
fn a_correlation_break_is_called_where_the_reconstruction_is_deaf() {
    // The fixtures' panel with `rsi_14` shuffled among each day's symbols over the last 20
    // trading days: every day keeps its values (PSI unchanged), its link to the other features
    // is gone. The within-day ranks see it.
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(bin().args(["fixtures", "--out"]).arg(tmp.path()).args([
        "--start",
        "2024-05-01",
        "--end",
        "2026-11-19",
        "--drift",
        "2026-10-23:2026-11-19:decouple=rsi_14",
    ]));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(bin().args(["report", "--features"]).arg(tmp.path().join("features.parquet")).args([
        "--as-of",
        "2026-11-19",
        "--format",
        "json",
        "--multivariate",
    ]));
    assert_eq!(code, 0, "{err}");
    let r = json(&out);
    let m = &r["drift"]["multivariate"];
    let number = |k: &str| m[k].as_f64().unwrap();
    assert!(number("correlation_distance") > number("critical_correlation_distance"), "{m}");
    assert!(number("correlation_p_value") < 0.005 && m["detected"] == true, "{m}");
    assert!(number("error") <= number("critical_error"), "the reconstruction alone misses it: {m}");
    let rsi = r["drift"]["features"].as_array().unwrap().iter().find(|f| f["feature"] == "rsi_14").unwrap();
    assert_eq!(rsi["drifted"], false, "the shuffle leaves rsi_14's values, and its PSI, alone: {rsi}");
}

#[test]
fn multivariate_drift_needs_the_reference_rows() {
    crate::util::refused_with_a_profile("--multivariate", "multivariate");
}

#[test]
fn csv_and_markdown_snapshots_on_fixtures() {
    let (_, csv, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "csv"]);
    insta::assert_snapshot!("fixtures_csv", csv);
    let (_, md, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "markdown"]);
    insta::assert_snapshot!("fixtures_markdown", md);
}

/// Across the fixtures' release (xgb-2024.04 → xgb-2026.03 on 2026-03-01): each version gets
/// its own realized and estimated performance; the new one has no estimate, with the reason.
#[test]
fn a_window_across_a_release_shows_each_version() {
    let (code, table, err) = fixtures_report(Fixtures::All, "2026-03-12", &[]);
    assert!(code == 0 || code == 4, "{err}");
    let perf = &table[table.find("performance by").unwrap()..];
    insta::assert_snapshot!("fixtures_release_table", perf);
    let (_, md, _) = fixtures_report(Fixtures::All, "2026-03-12", &["--format", "markdown"]);
    insta::assert_snapshot!("fixtures_release_markdown", &md[md.find("**Performance").unwrap()..]);
}

/// Reference: x = 1..=20 over ten days; current: ten rows over five days.
fn small_files(dir: &std::path::Path) -> String {
    let days = trading_days("2026-11-01", 15);
    let mut rows = Vec::new();
    for (i, v) in (1..=20).enumerate() {
        rows.push((days[i / 2], if i % 2 == 0 { "NABIL" } else { "NICA" }, Some(f64::from(v))));
    }
    let current =
        [Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(12.0), Some(13.0), Some(18.0), Some(19.0), None, Some(10.5)];
    for (i, v) in current.iter().enumerate() {
        rows.push((days[10 + i / 2], if i % 2 == 0 { "NABIL" } else { "NICA" }, *v));
    }
    let path = dir.join("small.parquet");
    features_file(&path, &rows);
    path.display().to_string()
}

#[test]
fn quantile_psi_equals_hand_computation() {
    let tmp = tempfile::tempdir().unwrap();
    let path = small_files(tmp.path());
    let days = trading_days("2026-11-01", 15);
    let (code, out, err) = run(bin().args(["report", "--features", &path, "--bins", "4", "--format", "json"]).args([
        "--reference-from",
        &days[0].to_string(),
        "--reference-to",
        &days[9].to_string(),
        "--from",
        &days[10].to_string(),
        "--to",
        &days[14].to_string(),
    ]));
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    let f = &v["drift"]["features"][0];
    // Quartiles of 1..=20 (type 7): 5.75, 10.5, 15.25. Right-closed, so 10.5 falls in bin 2.
    let edges: Vec<f64> = f["bins"].as_array().unwrap().iter().filter_map(|b| b["upper"].as_f64()).collect();
    assert_eq!(edges, vec![5.75, 10.5, 15.25]);
    let counts =
        |side: &str| -> Vec<u64> { f["bins"].as_array().unwrap().iter().map(|b| b[side].as_u64().unwrap()).collect() };
    assert_eq!(counts("reference_count"), vec![5, 5, 5, 5, 0]);
    assert_eq!(counts("current_count"), vec![4, 1, 2, 2, 1]);
    let eps = 1e-4_f64;
    let expected = (0.25 - 0.4) * (0.25_f64 / 0.4).ln()
        + (0.25 - 0.1) * (0.25_f64 / 0.1).ln()
        + 2.0 * (0.25 - 0.2) * (0.25_f64 / 0.2).ln()
        + (eps - 0.1) * (eps / 0.1).ln();
    assert!((f["psi"].as_f64().unwrap() - expected).abs() < 1e-9, "{} vs {expected}", f["psi"]);
    assert_eq!(f["current_missing_ratio"].as_f64(), Some(0.1));
    assert_eq!(f["degrees_of_freedom"], 4);
}

#[test]
fn evidently_mode_reproduces_evidently_vector_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let days = trading_days("2026-01-04", 2);
    // One row per symbol and day: 1,000 symbols.
    let symbols: Vec<String> = (0..1000).map(|k| format!("S{k}")).collect();
    let mut rows = Vec::new();
    for (k, v) in (0..1000).enumerate() {
        rows.push((days[0], symbols[k].as_str(), Some(f64::from(v))));
    }
    for (k, v) in (500..1500).enumerate() {
        rows.push((days[1], symbols[k].as_str(), Some(f64::from(v))));
    }
    let path = tmp.path().join("ev.parquet");
    features_file(&path, &rows);
    let (code, out, err) = run(bin()
        .args(["report", "--features", &path.display().to_string(), "--binning", "evidently"])
        .args(["--format", "json", "--last", "1", "--reference-last", "1", "--as-of", &days[1].to_string()]));
    assert_eq!(code, 0, "{err}");
    let f = &json(&out)["drift"]["features"][0];
    assert!((f["psi"].as_f64().unwrap() - 7.125_194).abs() < 5e-7);
    assert_eq!(f["bins"].as_array().unwrap().len(), 12);
}

#[test]
fn hive_partitioned_directory_and_glob_are_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let days = trading_days("2026-11-01", 6);
    for (i, day) in days.iter().enumerate() {
        let dir = tmp.path().join(format!("as_of={day}"));
        write_parquet(
            &dir.join("part-0.parquet"),
            vec![
                ("symbol".into(), OutColumn::Str((0..30).map(|k| format!("S{k}")).collect())),
                ("sector".into(), OutColumn::Str(vec!["Hydropower".into(); 30])),
                ("x".into(), OutColumn::F64((0..30).map(|k| Some(f64::from(k + i as i32))).collect())),
            ],
            1024,
        )
        .unwrap();
    }
    let dir = tmp.path().display().to_string();
    let glob = format!("{dir}/*/*.parquet");
    for source in [&dir, &glob] {
        let (code, out, err) = run(bin()
            .args(["report", "--features", source, "--format", "json", "--last", "2", "--reference-last", "4"])
            .args(["--as-of", &days[5].to_string()]));
        assert_eq!(code, 0, "{source}: {err}");
        let v = json(&out);
        assert_eq!(v["windows"]["current"]["rows"], 60, "{source}");
        assert_eq!(v["windows"]["reference"]["rows"], 120, "{source}");
        assert_eq!(v["drift"]["features"][0]["feature"], "x");
    }
}

#[test]
fn configurable_date_column_name() {
    let tmp = tempfile::tempdir().unwrap();
    let days = trading_days("2026-11-01", 4);
    let path = tmp.path().join("dated.parquet");
    write_parquet(
        &path,
        vec![
            ("date".into(), OutColumn::Date((0..80).map(|i| days[i / 20]).collect())),
            ("symbol".into(), OutColumn::Str((0..80).map(|i| format!("S{}", i % 20)).collect())),
            ("x".into(), OutColumn::F64((0..80).map(|i| Some(f64::from(i % 20))).collect())),
        ],
        1024,
    )
    .unwrap();
    let (code, out, err) = run(bin()
        .args(["report", "--features", &path.display().to_string(), "--as-of-column", "date"])
        .args(["--last", "1", "--reference-last", "3", "--format", "json", "--as-of", "2026-11-05"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["drift"]["features"][0]["psi"].as_f64(), Some(0.0));
}

// ---------------------------------------------------------------- bad input

#[test]
fn missing_path() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("nope.parquet").display().to_string();
    let err = bad(bin().args(["report", "--features", &p]), 3, tmp.path());
    insta::assert_snapshot!(err, @r"
    error: failed to read [TMP]/nope.parquet: no such file or directory
    hint: check the path; a source is a Parquet file, a directory of Parquet files or a glob
    ");
}

#[test]
fn not_parquet_and_truncated_parquet() {
    let tmp = tempfile::tempdir().unwrap();
    let text = tmp.path().join("notes.parquet");
    std::fs::write(&text, "symbol,as_of\nNABIL,2026-11-20\n").unwrap();
    let err = bad(bin().args(["report", "--features", &text.display().to_string()]), 3, tmp.path());
    assert!(err.starts_with("error: failed to read [TMP]/notes.parquet: not a readable Parquet file"), "{err}");
    assert!(err.contains("hint: re-export the file as Parquet"), "{err}");
    assert_eq!(err.lines().count(), 2, "{err}");

    let whole = std::fs::read(fixture("features.parquet")).unwrap();
    let cut = tmp.path().join("cut.parquet");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let err = bad(bin().args(["report", "--features", &cut.display().to_string()]), 3, tmp.path());
    assert!(err.starts_with("error: failed to read [TMP]/cut.parquet: not a readable Parquet file"), "{err}");
}

#[test]
fn missing_key_column() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("nokey.parquet");
    write_parquet(&p, vec![("symbol".into(), OutColumn::Str(vec!["NABIL".into()]))], 1024).unwrap();
    let err = bad(bin().args(["report", "--features", &p.display().to_string()]), 3, tmp.path());
    insta::assert_snapshot!(err, @r"
    error: [TMP]/nokey.parquet: missing column `as_of` (has: symbol)
    hint: key column names are configurable: see --as-of-column, --symbol-column and [columns] in the config
    ");
}

fn with_extra_column(tmp: &std::path::Path, name: &str, column: OutColumn) -> String {
    let days = trading_days("2026-11-01", 3);
    let n = 60;
    let p = tmp.join(format!("{name}.parquet"));
    write_parquet(
        &p,
        vec![
            ("as_of".into(), OutColumn::Date((0..n).map(|i| days[i / 20]).collect())),
            ("symbol".into(), OutColumn::Str((0..n).map(|i| format!("S{i}")).collect())),
            ("x".into(), OutColumn::F64((0..n).map(|i| Some(i as f64)).collect())),
            (name.into(), column),
        ],
        1024,
    )
    .unwrap();
    p.display().to_string()
}

#[test]
fn unsupported_feature_dtype() {
    let tmp = tempfile::tempdir().unwrap();
    let p = with_extra_column(tmp.path(), "listed_on", OutColumn::Date(vec![d("2020-01-01"); 60]));
    // In the default feature set: left out with a note, the rest computed.
    let (code, out, err) = run(bin().args(["report", "--features", &p, "--last", "1", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["drift"]["features"].as_array().unwrap().len(), 1);
    assert!(
        err.contains("not a feature dtype: left out of the default feature set column=listed_on dtype=date"),
        "{err}"
    );
    // Asked for by name: an error.
    let err = bad(bin().args(["report", "--features", &p, "--feature", "listed_on", "--last", "1"]), 3, tmp.path());
    insta::assert_snapshot!(err, @r"
    error: [TMP]/listed_on.parquet: feature column `listed_on` has unsupported dtype date
    hint: features must be numeric, String, Categorical or Boolean: leave this column out of [features] include (--feature with report and fit-reference)
    ");
}

#[test]
fn unknown_requested_feature() {
    let tmp = tempfile::tempdir().unwrap();
    let p = with_extra_column(tmp.path(), "y", OutColumn::F64(vec![Some(1.0); 60]));
    let err = bad(bin().args(["report", "--features", &p, "--feature", "rsi_14", "--last", "1"]), 3, tmp.path());
    insta::assert_snapshot!(err, @r"
    error: [TMP]/y.parquet: requested feature `rsi_14` is not a column (has: as_of, symbol, x, y)
    hint: list features that exist in both sources in [features] include (--feature with report and fit-reference), or leave it empty to use all
    ");
}

#[test]
fn from_after_to() {
    let (code, out, err) = run(bin().args(["report", "--features", &fixture("features.parquet")]).args([
        "--from",
        "2026-11-19",
        "--to",
        "2026-11-01",
    ]));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    insta::assert_snapshot!(err, @r"
    error: invalid setting `--from/--to`: start 2026-11-19 is after end 2026-11-01
    hint: see the README's configuration table for valid values
    ");
}

#[test]
fn window_with_no_rows() {
    let (code, _, err) = run(bin().args(["report", "--features", &fixture("features.parquet")]).args([
        "--from",
        "2027-01-01",
        "--to",
        "2027-01-31",
        "--as-of",
        "2027-01-31",
    ]));
    assert_eq!(code, 3);
    insta::assert_snapshot!(scrub(&err, std::path::Path::new("/none")), @r"
    error: [ROOT]/fixtures/features.parquet: the current window (2027-01-01 to 2027-01-31) has no rows
    hint: check --as-of and the window options against the dates present in the data
    ");
}

#[test]
fn reference_smaller_than_twice_the_bins() {
    let tmp = tempfile::tempdir().unwrap();
    let p = with_extra_column(tmp.path(), "y", OutColumn::F64(vec![Some(1.0); 60]));
    let mut cmd = bin();
    cmd.args(["report", "--features", &p, "--last", "1", "--reference-last", "1", "--as-of", "2026-11-03"]);
    let err = bad(cmd.args(["--bins", "11"]), 3, tmp.path());
    insta::assert_snapshot!(err, @r"
    error: [TMP]/y.parquet: the reference window 2026-11-02 to 2026-11-02 has 20 rows, fewer than 2×bins = 22
    hint: widen the reference window or lower --bins
    ");
}

#[test]
fn all_null_reference_feature_is_skipped_and_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let mut values = vec![None; 40];
    values.extend((0..20).map(|i| Some(f64::from(i))));
    let p = with_extra_column(tmp.path(), "pe_ratio", OutColumn::F64(values));
    let (code, out, err) =
        run(bin().args(["report", "--features", &p, "--last", "1", "--format", "json", "--bins", "2"]));
    assert_eq!(code, 4, "{err}");
    let v = json(&out);
    assert_eq!(v["drift"]["skipped"][0]["feature"], "pe_ratio");
    let reason = "feature `pe_ratio` has no finite value in the reference (every value is null, NaN or ±inf)";
    assert_eq!(v["drift"]["skipped"][0]["reason"], reason);
    assert_eq!(v["drift"]["features"][0]["feature"], "x");
    // A reference of ±inf only is not "null": the same reason names both.
    let mut values: Vec<Option<f64>> =
        (0..40).map(|i| Some(if i % 2 == 0 { f64::INFINITY } else { f64::NEG_INFINITY })).collect();
    values.extend((0..20).map(|i| Some(f64::from(i))));
    let p = with_extra_column(tmp.path(), "pe_ratio", OutColumn::F64(values));
    let (code, out, err) =
        run(bin().args(["report", "--features", &p, "--last", "1", "--format", "json", "--bins", "2"]));
    assert_eq!(code, 4, "{err}");
    assert_eq!(json(&out)["drift"]["skipped"][0]["reason"], reason);
}

#[test]
fn mismatched_dtypes_between_reference_and_current() {
    let tmp = tempfile::tempdir().unwrap();
    let cur = with_extra_column(tmp.path(), "y", OutColumn::F64(vec![Some(1.0); 60]));
    let sub = tmp.path().join("ref");
    let reference = with_extra_column(&sub, "y", OutColumn::Str(vec!["a".into(); 60]));
    let err =
        bad(bin().args(["report", "--features", &cur, "--reference-source", &reference, "--last", "1"]), 3, tmp.path());
    insta::assert_snapshot!(err, @r"
    error: feature `y` is str in [TMP]/ref/y.parquet but f64 in [TMP]/y.parquet
    hint: write the feature with the same dtype in both periods
    ");
}

#[test]
fn reference_last_takes_its_days_from_a_separate_reference_source() {
    // A training snapshot is used whole by default; `--reference-last N` takes its N trading
    // days before the current window, as within one source (it was silently ignored).
    let features = fixture("features.parquet");
    let report = |extra: &[&str]| {
        let args = ["--quiet", "report", "--features", &features, "--as-of", "2026-11-19", "--format", "json"];
        let (code, out, err) = run(bin().args(args).args(extra));
        assert_eq!(code, 0, "{err}");
        json(&out)
    };
    let whole = report(&["--reference-source", &features]);
    assert_eq!(whole["windows"]["reference"]["trading_days"], 658);
    let last = report(&["--reference-source", &features, "--reference-last", "60"]);
    let within_one_source = report(&["--reference-last", "60"]);
    assert_eq!(last["windows"]["reference"]["trading_days"], 60);
    assert_eq!(last["windows"]["reference"], within_one_source["windows"]["reference"]);
    // The same file both ways: every number and call the same, the history null's included.
    assert_eq!(last["drift"], within_one_source["drift"]);
    assert_ne!(last["drift"], whole["drift"]);
    // A snapshot with no day before the current window: a clear error, exit 3.
    let (code, _, err) = run(bin().args([
        "report",
        "--features",
        &features,
        "--reference-source",
        &features,
        "--reference-last",
        "60",
        "--last",
        "1",
        "--as-of",
        "2024-05-01",
    ]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("the 60 trading days before"), "{err}");
}

// ---------------------------------------------------------------- reference profile

#[test]
fn reference_profile_round_trip_gives_identical_drift() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = tmp.path().join("reference.json");
    let (code, out, err) = run(bin()
        .args(["fit-reference", "--features", &fixture("features.parquet"), "--as-of", "2026-11-19"])
        .args(["-o", &profile.display().to_string()]));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("fitted 11 features (0 skipped) on 12000 rows, 2026-04-28 … 2026-10-13"), "{out}");
    let (_, raw, _) = fixtures_report(Fixtures::All, "2026-11-19", &["--format", "json"]);
    let (code, from_profile, err) = fixtures_report(
        Fixtures::All,
        "2026-11-19",
        &["--format", "json", "--reference-profile", &profile.display().to_string()],
    );
    assert_eq!(code, 0, "{err}");
    let (raw, from_profile) = (json(&raw), json(&from_profile));
    assert_eq!(raw["drift"]["features"], from_profile["drift"]["features"], "identical PSI, bins and significance");
    assert_eq!(raw["drift"]["prediction_drift"], from_profile["drift"]["prediction_drift"]);
    assert_eq!(raw["performance"], from_profile["performance"]);
    assert_eq!(from_profile["rows_read"]["features_reference"], 0, "the reference is not read");
    assert_eq!(from_profile["windows"]["reference"]["rows"], 12000);

    // An edited profile is refused.
    let text = std::fs::read_to_string(&profile).unwrap().replacen("\"rows\": 12000", "\"rows\": 12001", 2);
    let text = text.replacen("[\n          1200,", "[\n          1201,", 1);
    std::fs::write(&profile, text).unwrap();
    let (code, _, err) =
        fixtures_report(Fixtures::All, "2026-11-19", &["--reference-profile", &profile.display().to_string()]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("content_hash does not match its features"), "{err}");
}

#[test]
fn a_reference_that_overlaps_the_current_window_is_warned_about() {
    // The trading days in both windows are compared with themselves (or, from a separate
    // source, with its rows of the same dates), which hides drift: said on one line, naming both
    // windows, the days they share and how to end this kind of reference before the current
    // window.
    let features = fixture("features.parquet");
    let report = |extra: &[&str]| {
        let args = ["report", "--features", &features, "--as-of", "2026-11-19", "--format", "json"];
        let (code, out, err) = run(bin().args(args).args(extra));
        assert_eq!(code, 0, "{err}");
        let json = json(&out);
        (json["windows"]["current"]["from"].as_str().unwrap().to_owned(), json["windows"]["overlap"].clone(), err)
    };
    let (from, overlap, err) = report(&["--reference-source", &features]);
    let line = err.lines().find(|l| l.contains("overlaps the current window")).expect(&err);
    assert!(line.contains(&format!("({from} to 2026-11-19)")), "{line}");
    assert!(line.contains(&format!("20 trading day(s), {from} to 2026-11-19")), "{line}");
    assert!(
        line.contains(&format!("hint: end the reference before {from}")) && line.contains("--reference-last"),
        "{line}"
    );
    assert_eq!(overlap["trading_days"], 20, "{overlap}");
    // A saved report says it too, not only the log.
    let tmp = tempfile::tempdir().unwrap();
    let html = tmp.path().join("r.html");
    for format in ["table", "markdown"] {
        let args = ["report", "--features", &features, "--reference-source", &features, "--as-of", "2026-11-19"];
        let (code, out, err) = run(bin().args(args).args(["--format", format, "--html"]).arg(&html));
        assert_eq!(code, 0, "{err}");
        let said = format!("the reference overlaps the current window on 20 trading day(s), {from} to 2026-11-19");
        assert!(out.contains(&said), "{format}: {out}");
        assert!(std::fs::read_to_string(&html).unwrap().contains(&said), "html");
    }
    // The fixtures hold no trading on 2026-11-09 and 11-10 (a holiday): the days shared end on
    // the last trading day before them.
    let (_, overlap, err) = report(&["--reference-from", "2026-06-01", "--reference-to", "2026-11-10"]);
    let line = err.lines().find(|l| l.contains("overlaps the current window")).expect(&err);
    assert_eq!(overlap["to"], "2026-11-08", "{overlap}");
    assert!(line.contains("(2026-06-01 to 2026-11-10)") && line.contains(&format!("{from} to 2026-11-08")), "{line}");
    assert!(line.contains("--reference-from/--reference-to"), "{line}");
    // A fitted profile's window is changed by fitting it again.
    let tmp = tempfile::tempdir().unwrap();
    let profile = tmp.path().join("p.json");
    let fit = ["fit-reference", "--features", &features, "--from", "2026-06-01", "--to", "2026-11-19", "-o"];
    let (code, _, err) = run(bin().args(fit).arg(&profile));
    assert_eq!(code, 0, "{err}");
    let (_, _, err) = report(&["--reference-profile", profile.to_str().unwrap()]);
    let line = err.lines().find(|l| l.contains("overlaps the current window")).expect(&err);
    assert!(line.contains("fit-reference") && !line.contains("--reference-last"), "{line}");
    // Adjacent windows (the default), a reference that ends before the current one, and one
    // that shares only dates without trading (a Friday and a Saturday): no warning, no overlap.
    for extra in [
        &[][..],
        &["--reference-from", "2026-06-01", "--reference-to", "2026-10-01"],
        &[
            "--reference-from",
            "2026-06-01",
            "--reference-to",
            "2026-11-07",
            "--from",
            "2026-11-06",
            "--to",
            "2026-11-19",
        ],
    ] {
        let (_, overlap, err) = report(extra);
        assert!(!err.contains("overlaps"), "{extra:?}: {err}");
        assert_eq!(overlap, serde_json::Value::Null, "{extra:?}");
    }
}
