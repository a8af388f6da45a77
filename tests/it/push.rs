//! `run` and `push` against a real Pushgateway, plus the faults a real gateway cannot produce on
//! demand (scripted loopback server), auth, the run lock and bad configuration.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::util::servers::{FakeGateway, Reply, Server, free_port};
use crate::util::{self, Fixtures, bad, bin, fixture, fixtures_report, run, write_config};
use serde_json::Value;

const AS_OF: &str = "2026-11-19";
const PASSWORD: &str = "nepse-s3cret";
/// bcrypt of PASSWORD (cost 4), for the Pushgateway's --web.config.file.
const BCRYPT: &str = "$2b$04$S0hy8fRwJHi/O8YX4sciPuiTlwgQBaHfPmQqeZ3NIGEghzMxGBgva";

/// Writes a config for the fixtures into `dir`, with the results directory `dir/results`, then
/// `extra`; `push` is the body of the `[push]` table.
fn config(dir: &Path, push: &str, extra: &str) -> String {
    let results = dir.join("results");
    let tail = format!("\n[output]\nresults_dir = \"{}\"\n\n{extra}\n[push]\n{push}\n", results.display());
    write_config(dir, Fixtures::All, &tail).display().to_string()
}

fn run_job(cfg: &str, extra: &[&str]) -> (i32, String, String) {
    run(bin().args(["run", "--config", cfg, "--as-of", AS_OF]).args(extra))
}

fn latest(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("results/latest.json")).unwrap()).unwrap()
}

type Labels = BTreeMap<String, String>;
/// Family name → [(labels, value)].
type Families = BTreeMap<String, Vec<(Labels, f64)>>;
/// `/api/v1/metrics` of the gateway: (group labels, families) per group.
type Groups = Vec<(Labels, Families)>;

fn gateway_metrics(url: &str, auth: Option<(&str, &str)>) -> Groups {
    let mut req = reqwest::blocking::Client::new().get(format!("{url}/api/v1/metrics"));
    if let Some((u, p)) = auth {
        req = req.basic_auth(u, Some(p));
    }
    let v: Value = req.send().unwrap().json().unwrap();
    let labels = |x: &Value| -> BTreeMap<String, String> {
        x.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
    };
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let families = g
                .as_object()
                .unwrap()
                .iter()
                .filter(|(_, f)| f.get("metrics").is_some())
                .map(|(name, f)| {
                    let series = f["metrics"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|m| (labels(&m["labels"]), m["value"].as_str().unwrap().parse::<f64>().unwrap()))
                        .collect();
                    (name.clone(), series)
                })
                .collect();
            (labels(&g["labels"]), families)
        })
        .collect()
}

fn single(families: &Families, name: &str) -> f64 {
    let series = families.get(name).unwrap_or_else(|| panic!("{name} missing"));
    assert_eq!(series.len(), 1, "{name}");
    series[0].1
}

fn by_label(families: &Families, name: &str, label: &str) -> BTreeMap<String, f64> {
    families.get(name).unwrap_or_else(|| panic!("{name} missing")).iter().map(|(l, v)| (l[label].clone(), *v)).collect()
}

fn midnight_npt(date: &str) -> f64 {
    nepse_drift::prometheus::exposition::nepal_midnight(date.parse().unwrap())
}

#[test]
fn evidently_statistics_reach_the_gateway() {
    let Some(gw) = Server::pushgateway(None, None) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), &format!("url = \"{}\"", gw.url), "[psi]\nstattest = \"all\"\n");
    let (code, _, err) = run_job(&cfg, &[]);
    assert_eq!(code, 0, "{err}");
    let r = latest(tmp.path());
    let groups = gateway_metrics(&gw.url, None);
    let fam = &groups[0].1;
    let pushed = &fam["feature_drift_statistic"];
    let features = r["drift"]["features"].as_array().unwrap();
    let mut expected = 0;
    for f in features {
        for (test, stat) in f["statistics"].as_object().unwrap() {
            let Some(value) = stat["value"].as_f64() else { continue };
            expected += 1;
            let got = pushed
                .iter()
                .find(|(l, _)| l["feature"] == f["feature"].as_str().unwrap() && l["stattest"] == *test)
                .map(|x| x.1);
            assert_eq!(got, Some(value), "{} {test}", f["feature"]);
        }
    }
    assert_eq!(pushed.len(), expected);
    assert_eq!(expected, 11 * 6, "six tests on each numeric feature");
}

/// Every data-quality gauge of `fam` equals the result's `dq` block.
fn data_quality_gauges_equal_the_json(fam: &Families, dq: &serde_json::Value) {
    for (family, key) in [
        ("data_quality_out_of_range_ratio", "out_of_range_share"),
        ("data_quality_beyond_quantiles_ratio", "beyond_quantiles_share"),
        ("data_quality_implausible_ratio", "implausible_share"),
        ("data_quality_bad_ratio", "bad_share"),
        ("data_quality_bad_ratio_critical", "critical_bad_share"),
        ("data_quality_missing_change_p_value", "missing_change_p_value"),
    ] {
        let pushed = by_label(fam, family, "feature");
        for f in dq["features"].as_array().unwrap() {
            let name = f["feature"].as_str().unwrap();
            assert_eq!(pushed.get(name).copied(), f[key].as_f64(), "{family}{{feature={name}}}");
        }
    }
    let broken = by_label(fam, "data_quality_broken", "feature");
    assert!(
        dq["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| broken[f["feature"].as_str().unwrap()] == if f["broken"] == true { 1.0 } else { 0.0 })
    );
    assert_eq!(single(fam, "data_quality_break_detected"), if dq["detected"] == true { 1.0 } else { 0.0 });
    assert_eq!(single(fam, "data_quality_circuit_breaches"), dq["circuit"]["count"].as_f64().unwrap());
    let symbols = by_label(fam, "data_quality_symbols", "change");
    assert_eq!(symbols["absent"], dq["symbols"]["absent"].as_array().unwrap().len() as f64);
    assert_eq!(symbols["new"], dq["symbols"]["new"].as_array().unwrap().len() as f64);
}

#[test]
fn run_pushes_every_documented_gauge_with_the_json_values() {
    let Some(gw) = Server::pushgateway(None, None) else { return };
    let tmp = tempfile::tempdir().unwrap();
    // With multivariate drift and data quality, whose gauges only they produce.
    let cfg =
        config(tmp.path(), &format!("url = \"{}\"", gw.url), "[features]\nmultivariate = true\ndata_quality = true\n");
    let (code, out, err) = run_job(&cfg, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "a real push prints nothing on stdout");
    let r = latest(tmp.path());
    let groups = gateway_metrics(&gw.url, None);
    assert_eq!(groups.len(), 1);
    let (group, fam) = &groups[0];
    assert_eq!(group.get("job").map(String::as_str), Some("nepse_drift"));
    assert_eq!(group.get("model").map(String::as_str), Some("xgb-2026.03"));

    // Every documented family is there, except the ones only `--by sector` or `psi.stattest`
    // produce (`evidently_statistics_reach_the_gateway` pushes the latter), and the within-day
    // view's, which needs a history long enough to decide: the fixtures' 2.5 years are not
    // (`report::a_wider_spread_within_each_day_is_called_drifted_where_market_wide_swells_hide_it`
    // checks those gauges).
    for (name, _, _) in nepse_drift::prometheus::exposition::ALL {
        if [
            "feature_sector_drift_psi",
            "sector_mix_psi",
            "feature_drift_statistic",
            "feature_drift_within_day_psi",
            "feature_drift_within_day_psi_critical",
        ]
        .contains(name)
        {
            continue;
        }
        assert!(fam.contains_key(*name), "{name} not pushed");
    }
    // Per-feature gauges equal the JSON exactly.
    let psi = by_label(fam, "feature_drift_psi", "feature");
    let critical = by_label(fam, "feature_drift_psi_critical", "feature");
    let p = by_label(fam, "feature_drift_p_value", "feature");
    let detected = by_label(fam, "feature_drift_detected", "feature");
    let features = r["drift"]["features"].as_array().unwrap();
    assert_eq!(psi.len(), features.len());
    for f in features {
        let name = f["feature"].as_str().unwrap();
        assert_eq!(psi[name], f["psi"].as_f64().unwrap(), "{name}");
        assert_eq!(critical[name], f["critical_psi"].as_f64().unwrap(), "{name}");
        assert_eq!(p[name], f["p_value"].as_f64().unwrap(), "{name}");
        assert_eq!(detected[name], if f["drifted"].as_bool().unwrap() { 1.0 } else { 0.0 }, "{name}");
        for side in ["reference", "current"] {
            let v = fam["feature_missing_ratio"]
                .iter()
                .find(|(l, _)| l["feature"] == name && l["side"] == side)
                .map(|x| x.1)
                .unwrap();
            assert_eq!(v, f[format!("{side}_missing_ratio")].as_f64().unwrap());
        }
    }
    assert_eq!(single(fam, "feature_drift_share_ratio"), r["drift"]["drift_share"].as_f64().unwrap());
    let mv = &r["drift"]["multivariate"];
    for (name, json) in [
        ("multivariate_drift_reconstruction_error", &mv["error"]),
        ("multivariate_drift_reconstruction_error_critical", &mv["critical_error"]),
        ("multivariate_drift_reference_reconstruction_error", &mv["reference_error"]),
        ("multivariate_drift_correlation_distance", &mv["correlation_distance"]),
        ("multivariate_drift_correlation_distance_critical", &mv["critical_correlation_distance"]),
    ] {
        assert_eq!(single(fam, name), json.as_f64().unwrap(), "{name}");
    }
    assert_eq!(single(fam, "multivariate_drift_detected"), if mv["detected"] == true { 1.0 } else { 0.0 });
    data_quality_gauges_equal_the_json(fam, &r["drift"]["data_quality"]);
    assert_eq!(single(fam, "prediction_drift_psi"), r["drift"]["prediction_drift"]["psi"].as_f64().unwrap());
    let g = &r["performance"]["overall"];
    let m = &g["metrics"];
    for (name, json) in [
        ("model_accuracy", &m["accuracy"]),
        ("model_precision", &m["precision"]),
        ("model_recall", &m["recall"]),
        ("model_f1_score", &m["f1"]),
        ("model_roc_auc", &m["roc_auc"]),
        ("model_brier_score", &m["brier"]),
        ("model_log_loss", &m["log_loss"]),
        ("model_label_coverage_ratio", &g["label_coverage"]),
        ("model_predictions_labelled", &g["labelled"]),
        ("model_predictions_pending", &g["pending"]),
    ] {
        assert_eq!(single(fam, name), json.as_f64().unwrap(), "{name}");
    }
    assert_eq!(single(fam, "nepse_drift_last_success_timestamp_seconds"), r["run"]["finished_at"].as_f64().unwrap());
    assert_eq!(single(fam, "nepse_drift_run_duration_seconds"), r["run"]["duration_seconds"].as_f64().unwrap());
    let rows = by_label(fam, "nepse_drift_rows_read", "dataset");
    for (k, v) in r["rows_read"].as_object().unwrap() {
        assert_eq!(rows[k], v.as_f64().unwrap(), "{k}");
    }
    let starts = by_label(fam, "nepse_drift_window_start_timestamp_seconds", "window");
    assert_eq!(starts["current"], midnight_npt(r["windows"]["current"]["from"].as_str().unwrap()));
    assert_eq!(starts["reference"], midnight_npt(r["windows"]["reference"]["from"].as_str().unwrap()));

    // No instance label of ours: the gateway's own exposition has at most an empty one.
    let text = reqwest::blocking::get(format!("{}/metrics", gw.url)).unwrap().text().unwrap();
    for line in text.lines().filter(|l| l.starts_with("feature_drift_psi{")) {
        assert!(!line.contains("instance=\"") || line.contains("instance=\"\""), "{line}");
    }
}

#[test]
fn second_run_with_fewer_features_leaves_no_stale_series() {
    let Some(gw) = Server::pushgateway(None, None) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let push = format!("url = \"{}\"", gw.url);
    assert_eq!(run_job(&config(tmp.path(), &push, ""), &[]).0, 0);
    assert_eq!(by_label(&gateway_metrics(&gw.url, None)[0].1, "feature_drift_psi", "feature").len(), 11);
    let fewer = config(tmp.path(), &push, "[features]\ninclude = [\"rsi_14\", \"ret_1d\"]\n");
    assert_eq!(run_job(&fewer, &[]).0, 0);
    let psi = by_label(&gateway_metrics(&gw.url, None)[0].1, "feature_drift_psi", "feature");
    assert_eq!(psi.keys().cloned().collect::<Vec<_>>(), vec!["ret_1d".to_owned(), "rsi_14".to_owned()]);
}

#[test]
fn grouping_label_with_a_slash_uses_base64() {
    let Some(gw) = Server::pushgateway(None, None) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), &format!("url = \"{}\"\n[push.grouping]\nteam = \"quant/nepse\"", gw.url), "");
    let (code, _, err) = run_job(&cfg, &[]);
    assert_eq!(code, 0, "{err}");
    let groups = gateway_metrics(&gw.url, None);
    assert_eq!(groups[0].0.get("team").map(String::as_str), Some("quant/nepse"));
}

#[test]
fn grouping_values_the_url_would_change_arrive_unchanged() {
    let Some(gw) = Server::pushgateway(None, None) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let push = format!(
        "url = \"{}\"\njob = \".\"\nmodel = \"xgb\\nv2\"\n[push.grouping]\na = \"..\"\nb = \"..\"\nc = \"x\\ty\"\nd = \"back\\\\slash\"\ne = \"..\\n\"",
        gw.url
    );
    let cfg = config(tmp.path(), &push, "");
    let (code, _, err) = run_job(&cfg, &[]);
    assert_eq!(code, 0, "{err}");
    let groups = gateway_metrics(&gw.url, None);
    assert_eq!(groups.len(), 1);
    let want: Labels = [
        ("job", "."),
        ("model", "xgb\nv2"),
        ("a", ".."),
        ("b", ".."),
        ("c", "x\ty"),
        ("d", "back\\slash"),
        ("e", "..\n"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .into();
    let got: Labels =
        groups[0].0.iter().filter(|(k, _)| k.as_str() != "instance").map(|(k, v)| (k.clone(), v.clone())).collect();
    assert_eq!(got, want);
}

#[test]
fn basic_auth_accepted_with_right_credentials_and_rejected_otherwise() {
    let web = format!("basic_auth_users:\n  nepse: {BCRYPT}\n");
    let Some(gw) = Server::pushgateway(Some(&web), Some(("nepse", PASSWORD))) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let pw = tmp.path().join("password");
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    let cfg = config(tmp.path(), &format!("url = \"{}\"\nusername = \"nepse\"", gw.url), "");
    let (code, _, err) =
        run(bin().args(["run", "--config", &cfg, "--as-of", AS_OF]).env("NEPSE_DRIFT_PUSH_PASSWORD_FILE", &pw));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains(PASSWORD), "the password is never logged");
    assert!(gateway_metrics(&gw.url, Some(("nepse", PASSWORD)))[0].1.contains_key("feature_drift_psi"));

    let (code, _, err) =
        run(bin().args(["run", "--config", &cfg, "--as-of", AS_OF]).env("NEPSE_DRIFT_PUSH_PASSWORD", "wrong"));
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("rejected the push with 401"), "{err}");
    assert!(err.contains("hint: check the credentials"), "{err}");
    assert!(!err.contains("wrong"), "the password is never logged: {err}");
}

/// After a failed push the result is intact, and `push --result` delivers it once a gateway is up
/// (that part skipped without a Pushgateway).
fn assert_saved_and_repushable(tmp: &Path) {
    let saved = latest(tmp);
    assert_eq!(saved["schema_version"], 2);
    let Some(gw) = Server::pushgateway(None, None) else { return };
    let file = tmp.join("results/latest.json").display().to_string();
    let (code, _, err) = run(bin().args(["push", "--result", &file, "--push-url", &gw.url]));
    assert_eq!(code, 0, "{err}");
    let fam = &gateway_metrics(&gw.url, None)[0].1;
    assert_eq!(
        single(fam, "nepse_drift_last_success_timestamp_seconds"),
        saved["run"]["finished_at"].as_f64().unwrap(),
        "re-pushed exactly"
    );
}

fn fast_push(url: &str) -> String {
    format!("url = \"{url}\"\nretries = 3\nbackoff_seconds = 0.05\ntimeout_seconds = 1\nconnect_timeout_seconds = 1")
}

#[test]
fn retries_on_503_then_succeeds() {
    let fake = FakeGateway::start(vec![Reply::Status(503, "busy"), Reply::Status(503, "busy"), Reply::Status(200, "")]);
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run_job(&config(tmp.path(), &fast_push(&fake.url), ""), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fake.hits.load(std::sync::atomic::Ordering::SeqCst), 3);
    let req = fake.requests.lock().unwrap()[0].clone();
    assert_eq!(req, "PUT /metrics/job/nepse_drift/model/xgb-2026.03 HTTP/1.1");
}

#[test]
fn hanging_gateway_times_out_within_the_bound() {
    let fake = FakeGateway::start(vec![Reply::Hang]);
    let tmp = tempfile::tempdir().unwrap();
    let push = format!(
        "url = \"{}\"\nretries = 1\nbackoff_seconds = 0.05\ntimeout_seconds = 1\nconnect_timeout_seconds = 1",
        fake.url
    );
    let t = Instant::now();
    let (code, _, err) = run_job(&config(tmp.path(), &push, ""), &[]);
    // Two attempts of at most 1 s each, one short backoff, plus the computation.
    assert!(t.elapsed() < Duration::from_secs(20), "took {:?}", t.elapsed());
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("after 2 attempts: timed out"), "{err}");
    assert_saved_and_repushable(tmp.path());
}

#[test]
fn http_400_is_not_retried_and_reports_the_gateway_text() {
    let fake = FakeGateway::start(vec![Reply::Status(400, "text format parsing error in line 3")]);
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run_job(&config(tmp.path(), &fast_push(&fake.url), ""), &[]);
    assert_eq!(code, 5, "{err}");
    assert_eq!(fake.hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(err.contains("rejected the push with 400: text format parsing error in line 3"), "{err}");
    assert_saved_and_repushable(tmp.path());
}

#[test]
fn refused_connection_fails_with_push_failed_and_keeps_the_result() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run_job(&config(tmp.path(), &fast_push(&url), ""), &[]);
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("after 4 attempts: connection failed"), "{err}");
    assert!(err.contains("hint: the result is saved; re-push it later"), "{err}");
    assert_saved_and_repushable(tmp.path());
}

#[test]
fn a_failed_push_without_a_results_dir_does_not_claim_a_saved_result() {
    // "push failed; the result file is saved" and "hint: the result is saved" with no file.
    let url = format!("http://127.0.0.1:{}", free_port());
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), Fixtures::All, &format!("\n[push]\n{}\n", fast_push(&url)));
    let (code, _, err) = run_job(&cfg.display().to_string(), &[]);
    assert_eq!(code, 5, "{err}");
    assert!(!err.contains("is saved"), "{err}");
    assert!(err.contains("no result file was saved (no results_dir)"), "{err}");
}

#[test]
fn failed_computation_posts_only_the_failure_timestamp() {
    let Some(gw) = Server::pushgateway(None, None) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), &format!("url = \"{}\"", gw.url), "");
    assert_eq!(run_job(&cfg, &[]).0, 0);
    let before = gateway_metrics(&gw.url, None)[0].1.clone();
    let (code, _, err) = run(bin()
        .args(["run", "--config", &cfg, "--as-of", AS_OF])
        .env("NEPSE_DRIFT_FEATURES", tmp.path().join("gone.parquet")));
    assert_eq!(code, 3, "{err}");
    let after = &gateway_metrics(&gw.url, None)[0].1;
    assert!(after.contains_key("nepse_drift_last_failure_timestamp_seconds"));
    for name in ["feature_drift_psi", "model_accuracy", "nepse_drift_last_success_timestamp_seconds"] {
        assert_eq!(after[name], before[name], "{name} kept its last good value");
    }
}

/// The model label the fixtures' predictions carry.
const FIXTURE_MODEL: &str = "xgb-2026.03";

#[test]
fn a_failure_without_a_saved_result_is_pushed_under_the_predictions_model() {
    // No results directory and no push.model: the label comes from the predictions themselves,
    // as a successful run would have pushed it, not `default`.
    let Some(gw) = Server::pushgateway(None, None) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "[sources]\nfeatures = \"{}\"\npredictions = \"{}\"\n[push]\nurl = \"{}\"\n",
            tmp.path().join("gone.parquet").display(),
            fixture("predictions.parquet"),
            gw.url
        ),
    )
    .unwrap();
    let (code, _, err) = run(bin().args(["run", "--config", cfg.to_str().unwrap(), "--as-of", AS_OF]));
    assert_eq!(code, 3, "{err}");
    let groups = gateway_metrics(&gw.url, None);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].0["model"], FIXTURE_MODEL);
    assert!(groups[0].1.contains_key("nepse_drift_last_failure_timestamp_seconds"));
}

#[test]
fn a_result_that_cannot_be_saved_pushes_the_failure_and_exits_8() {
    let Some(gw) = Server::pushgateway(None, None) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), &format!("url = \"{}\"", gw.url), "");
    assert_eq!(run_job(&cfg, &[]).0, 0);
    let before = gateway_metrics(&gw.url, None)[0].1.clone();
    // The next day's run finds a directory where latest.json goes.
    std::fs::remove_file(tmp.path().join("results/latest.json")).unwrap();
    std::fs::create_dir(tmp.path().join("results/latest.json")).unwrap();
    let (code, _, err) = run_job(&cfg, &[]);
    assert_eq!(code, 8, "{err}");
    assert!(err.contains("the result was computed but not saved"), "{err}");
    let groups = gateway_metrics(&gw.url, None);
    assert_eq!(groups.len(), 1, "one group: the model's");
    assert_eq!(groups[0].0["model"], FIXTURE_MODEL);
    let after = &groups[0].1;
    assert!(after.contains_key("nepse_drift_last_failure_timestamp_seconds"));
    for name in ["feature_drift_psi", "nepse_drift_last_success_timestamp_seconds"] {
        assert_eq!(after[name], before[name], "{name}: the unsaved result was not pushed");
    }
}

#[test]
fn concurrent_run_gets_the_locked_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), "", "");
    std::fs::create_dir_all(tmp.path().join("results")).unwrap();
    let lock = std::fs::File::create(tmp.path().join("results/.nepse-drift.lock")).unwrap();
    lock.try_lock().unwrap();
    let (code, out, err) = run_job(&cfg, &[]);
    assert_eq!(code, 6, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("another nepse-drift run holds"), "{err}");
    drop(lock);
    assert_eq!(run_job(&cfg, &[]).0, 0, "runs once the lock is free");
}

#[test]
fn dry_run_prints_exposition_and_pushes_nothing() {
    let fake = FakeGateway::start(vec![Reply::Status(200, "")]);
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run_job(&config(tmp.path(), &format!("url = \"{}\"", fake.url), ""), &["--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("# TYPE feature_drift_psi gauge"));
    assert!(out.contains("feature_drift_psi{feature=\"rsi_14\"} "));
    assert!(!out.contains("instance"));
    assert_eq!(fake.hits.load(std::sync::atomic::Ordering::SeqCst), 0);
}

// ------------------------------------------------------------- bad configuration

/// `cmd --config FILE` with `text` in `FILE`: a config error (exit 2), its stderr scrubbed.
fn bad_config(text: &str, cmd: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.toml");
    std::fs::write(&path, text).unwrap();
    bad(bin().args([cmd, "--config", &path.display().to_string()]), 2, tmp.path())
}

#[test]
fn unknown_key_is_named() {
    let err = bad_config("[sources]\nfeatures = \"fixtures/features.parquet\"\nfeaturs = \"x\"\n", "check-config");
    insta::assert_snapshot!(err, @r"
    error: invalid config [TMP]/bad.toml: unknown field `featurs`, expected one of `features`, `predictions`, `outcomes`, `reference`, `reference_profile` (line 3)
    hint: compare with the committed nepse-drift.toml example; unknown keys are errors
    ");
}

#[test]
fn invalid_url() {
    let text =
        format!("[sources]\nfeatures = \"{}\"\n[push]\nurl = \"pushgateway:9091\"\n", fixture("features.parquet"));
    let err = bad_config(&text, "check-config");
    insta::assert_snapshot!(err, @r"
    error: invalid setting `push.url (--push-url)`: `pushgateway:9091` is not an http(s) URL
    hint: see the README's configuration table for valid values
    ");
}

#[test]
fn missing_source() {
    // An input error, exit 3, as `run` gives for the same file.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.toml");
    std::fs::write(&path, "[sources]\nfeatures = \"/nonexistent/features.parquet\"\n").unwrap();
    let err = bad(bin().args(["check-config", "--config", &path.display().to_string()]), 3, tmp.path());
    insta::assert_snapshot!(err, @r"
    error: source `sources.features` = /nonexistent/features.parquet: no such file or directory
    hint: check the path in [sources]; relative paths are relative to the working directory
    ");
}

#[test]
fn bad_window() {
    let text = format!("[sources]\nfeatures = \"{}\"\n[windows]\ncurrent_days = 0\n", fixture("features.parquet"));
    let err = bad_config(&text, "run");
    insta::assert_snapshot!(err, @r"
    error: invalid setting `windows.current_days`: must be at least 1
    hint: see the README's configuration table for valid values
    ");
}

#[test]
fn check_config_accepts_the_committed_example() {
    let (code, out, err) = run(bin().current_dir(util::root()).args(["check-config", "--config", "nepse-drift.toml"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("config ok:"), "{out}");
}

/// A window across the fixtures' model release (xgb-2024.04 until 2026-02-26, xgb-2026.03 from
/// 2026-03-01): one group per version, each with its own metrics, which equal a report graded
/// on that version's rows alone; drift goes only to the live version's group.
#[test]
fn a_window_across_a_release_pushes_one_group_per_version() {
    let Some(gw) = Server::pushgateway(None, None) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), &format!("url = \"{}\"", gw.url), "");
    let (code, _, err) = run(bin().args(["run", "--config", &cfg, "--as-of", "2026-03-12"]));
    assert!(code == 0 || code == 4, "{err}");
    let r = latest(tmp.path());
    assert_eq!(r["model"], "xgb-2026.03");
    assert_eq!(r["model_versions"], serde_json::json!(["xgb-2024.04", "xgb-2026.03"]));
    let groups = gateway_metrics(&gw.url, None);
    let group = |model: &str| {
        groups.iter().find(|(l, _)| l.get("model").map(String::as_str) == Some(model)).map(|g| &g.1).unwrap()
    };
    assert_eq!(groups.len(), 2, "{:?}", groups.iter().map(|g| &g.0).collect::<Vec<_>>());
    let (live, old) = (group("xgb-2026.03"), group("xgb-2024.04"));
    // Each version's own rows, graded alone: the current window split at the release.
    let grade = |from: &str, to: &str| -> Value {
        let (code, out, err) =
            fixtures_report(Fixtures::All, "2026-03-12", &["--from", from, "--to", to, "--format", "json"]);
        assert!(code == 0 || code == 4, "{err}");
        serde_json::from_str::<Value>(&out).unwrap()["performance"]["overall"].clone()
    };
    let first = r["windows"]["current"]["from"].as_str().unwrap().to_owned();
    assert!(first.as_str() < "2026-02-26", "the window spans the release: {first}");
    let (new_rows, old_rows) = (grade("2026-03-01", "2026-03-12"), grade(&first, "2026-02-26"));
    for (fam, rows) in [(live, &new_rows), (old, &old_rows)] {
        assert_eq!(single(fam, "model_predictions"), rows["predictions"].as_f64().unwrap());
        assert_eq!(single(fam, "model_accuracy"), rows["metrics"]["accuracy"].as_f64().unwrap());
    }
    assert_eq!(single(live, "model_predictions") + single(old, "model_predictions"), 2000.0);
    assert_ne!(single(live, "model_accuracy"), single(old, "model_accuracy"));
    // The new version has no labelled prediction in its calibration window: no estimate; the
    // old one has one.
    assert!(!live.contains_key("model_accuracy_estimated"));
    assert!(old.contains_key("model_accuracy_estimated"));
    assert!(live.contains_key("feature_drift_psi") && !old.contains_key("feature_drift_psi"));
    assert_eq!(single(old, "nepse_drift_as_of_timestamp_seconds"), midnight_npt("2026-03-12"));
    assert!(groups.iter().all(|(l, _)| l["model"] != "default"));
}

#[test]
fn push_result_re_pushes_every_group_run_pushed_across_a_release() {
    // As of 2026-03-05 the performance window holds both versions of the fixtures: xgb-2026.03
    // (live, released on 2026-03-01) and xgb-2024.04 (retired).
    let Some(gw) = Server::pushgateway(None, None) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), &format!("url = \"{}\"", gw.url), "");
    let (code, _, err) = run(bin().args(["run", "--config", &cfg, "--as-of", "2026-03-05"]));
    assert!(code == 0 || code == 4, "{err}");
    let models = |groups: &Groups| -> Vec<String> {
        let mut m: Vec<String> = groups.iter().map(|(l, _)| l["model"].clone()).collect();
        m.sort();
        m
    };
    let pushed = gateway_metrics(&gw.url, None);
    assert_eq!(models(&pushed), ["xgb-2024.04", "xgb-2026.03"]);
    // A fresh gateway (an outage lost everything): the saved result brings back both groups,
    // with the same values.
    let Some(fresh) = Server::pushgateway(None, None) else { return };
    let file = tmp.path().join("results/latest.json").display().to_string();
    let (code, _, err) = run(bin().args(["push", "--result", &file, "--push-url", &fresh.url]));
    assert_eq!(code, 0, "{err}");
    let repushed = gateway_metrics(&fresh.url, None);
    assert_eq!(models(&repushed), ["xgb-2024.04", "xgb-2026.03"]);
    let retired = |groups: &Groups| {
        groups.iter().find(|(l, _)| l["model"] == "xgb-2024.04").map(|(_, f)| single(f, "model_accuracy")).unwrap()
    };
    assert_eq!(retired(&repushed), retired(&pushed));
    // A dry run prints both groups.
    let (code, out, err) = run(bin().args(["push", "--result", &file, "--dry-run", "--push-url", &fresh.url]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("# the group of model version \"xgb-2024.04\""), "{out}");
}
