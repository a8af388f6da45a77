//! A careless or hostile operator: a full log disk, credentials in the push URL, absurd config
//! numbers, a dry run that must write nothing, and a `report` result pushed as if it were a run.
//! Each case runs the real binary.

use std::process::Stdio;

use crate::util::{self, Fixtures, bad, bin, fixture, fixtures_report, fixtures_report_cmd, run, write_config};
use nepse_drift::load::{OutColumn, write_parquet};

fn fixture_args() -> Vec<String> {
    ["--features", &fixture("features.parquet"), "--as-of", "2026-11-19"].map(String::from).to_vec()
}

/// `dir/p.json`: the fixtures' default reference (2026-04-28 to 2026-10-13, 120 trading days,
/// 10 bins) fitted with `fit-reference`.
fn fitted_profile(dir: &std::path::Path) -> std::path::PathBuf {
    let profile = dir.join("p.json");
    let (code, _, err) =
        run(bin().args(["fit-reference"]).args(fixture_args()).args(["-o", profile.to_str().unwrap()]));
    assert_eq!(code, 0, "{err}");
    profile
}

fn dev_full() -> Stdio {
    Stdio::from(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap())
}

#[test]
fn a_full_log_disk_does_not_kill_the_run() {
    // Logs and the error line go to stderr; writing them fails with ENOSPC.
    let out = fixtures_report_cmd(Fixtures::Features, "2026-11-19")
        .args(["--format", "csv"])
        .stderr(dev_full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("feature,kind,psi"));
    // An error whose message cannot be printed still exits by the table, not 101.
    let out = bin().args(["report", "--features", "/nope.parquet"]).stderr(dev_full()).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    // The scheduled job: saves its result although every log line fails.
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    let out = bin()
        .args(["run"])
        .args(fixture_args())
        .args(["--results-dir", results.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(dev_full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(results.join("latest.json").is_file());
}

#[test]
fn credentials_in_the_push_url_are_never_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let port = util::servers::free_port();
    let push = format!("[push]\nurl = \"http://svc:s3cret@127.0.0.1:{port}\"\nretries = 0\ntimeout_seconds = 2\n");
    let cfg = write_config(tmp.path(), Fixtures::Features, &push);
    let (code, out, err) = run(bin().args(["check-config", "--config", cfg.to_str().unwrap()]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("http://***@127.0.0.1") && !out.contains("s3cret"), "{out}");
    // A refused push: the error, the hint and the JSON logs name the gateway, not the password.
    for format in ["text", "json"] {
        let (code, out, err) = run(bin().args([
            "--log-format",
            format,
            "run",
            "--config",
            cfg.to_str().unwrap(),
            "--as-of",
            "2026-11-19",
        ]));
        assert_eq!(code, 5, "{err}");
        assert!(!err.contains("s3cret") && !out.contains("s3cret"), "{err}");
        assert!(err.contains("127.0.0.1"), "{err}");
    }
}

#[test]
fn config_numbers_are_bounded_at_parse_time() {
    let tmp = tempfile::tempdir().unwrap();
    for (table, line, needle) in [
        ("push", "timeout_seconds = 1e20", "push.timeout_seconds"),
        ("push", "backoff_seconds = 1e300", "push.backoff_seconds"),
        ("push", "retries = 4294967295", "push.retries"),
        ("psi", "bins = 1", "psi.bins"),
        ("psi", "significance = \"maybe\"", "psi.significance"),
        ("psi", "significance = \"\"", "psi.significance"),
    ] {
        let cfg = write_config(tmp.path(), Fixtures::Features, &format!("[{table}]\n{line}\n"));
        let err = bad(bin().args(["check-config", "--config", cfg.to_str().unwrap()]), 2, tmp.path());
        assert!(err.contains(needle) && err.lines().count() == 2, "{line}: {err}");
    }
    let (code, _, err) = fixtures_report(Fixtures::Features, "2026-11-19", &["--bins", "9223372036854775808"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("psi.bins"), "{err}");
}

#[test]
fn a_dry_run_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    let (code, out, err) =
        run(bin().args(["run"]).args(fixture_args()).args(["--results-dir", results.to_str().unwrap(), "--dry-run"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("feature_drift_psi{"), "the exposition text is printed");
    assert!(!results.exists(), "no results directory, lock or file");
}

#[test]
fn push_refuses_a_report_result() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("report.json");
    let (code, _, err) =
        fixtures_report(Fixtures::Features, "2026-11-19", &["--format", "json", "-o", report.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(bin().args(["push", "--result", report.to_str().unwrap(), "--dry-run"]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("not a `run` result"), "{err}");
}

#[test]
fn crafted_feature_names_cannot_drive_a_terminal_a_table_or_a_spreadsheet() {
    use nepse_drift::load::{OutColumn, write_parquet};
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("f.parquet");
    let days = util::trading_days("2026-01-04", 150);
    let mut rows = Vec::new();
    for (i, d) in days.iter().enumerate() {
        for s in 0..5 {
            rows.push((*d, format!("S{s}"), (i * 7 + s * 3) as f64 % 11.0));
        }
    }
    // A formula, computed; and a name with an escape sequence and a newline, skipped (exit 4)
    // but still named in every output's list of skipped features.
    let formula = "=HYPERLINK(\"x\")";
    let escape = "\u{1b}[2J\nrow";
    write_parquet(
        &path,
        vec![
            ("as_of".into(), OutColumn::Date(rows.iter().map(|r| r.0).collect())),
            ("symbol".into(), OutColumn::Str(rows.iter().map(|r| r.1.clone()).collect())),
            (formula.into(), OutColumn::F64(rows.iter().map(|r| Some(r.2)).collect())),
            (escape.into(), OutColumn::F64(rows.iter().map(|r| Some(r.2)).collect())),
        ],
        1024,
    )
    .unwrap();
    let report = |format: &str| {
        let (code, out, err) = run(bin().args([
            "report",
            "--features",
            path.to_str().unwrap(),
            "--as-of",
            "2026-08-05",
            "--format",
            format,
        ]));
        assert_eq!(code, 4, "{format}: {err}");
        assert!(!err.contains('\u{1b}'), "{format}: {err:?}");
        out
    };
    let csv = report("csv");
    assert!(csv.lines().nth(1).unwrap().starts_with("\"'=HYPERLINK"), "{csv}");
    let table = report("table");
    assert!(!table.contains('\u{1b}') && table.contains("[2J"), "{table:?}");
    let markdown = report("markdown");
    let row = markdown.lines().find(|l| l.contains("HYPERLINK")).unwrap();
    assert!(row.ends_with('|') && !markdown.contains("\nrow") && !markdown.contains('\u{1b}'), "{markdown}");
}

#[test]
fn an_unwritable_profile_path_names_the_path_not_a_bad_profile() {
    let (code, _, err) =
        run(bin().args(["fit-reference"]).args(fixture_args()).args(["-o", "/nonexistent/dir/p.json"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("/nonexistent/dir/p.json") && err.contains("check that the directory exists"), "{err}");
    assert!(!err.contains("re-fit"), "{err}");
}

/// A change made to a profile's first feature.
type Damage = fn(&mut serde_json::Value);

#[test]
fn a_crafted_profile_with_a_valid_hash_is_refused_not_a_panic() {
    use nepse_drift::drift::ReferenceProfile;
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("p.json");
    let (code, _, err) = run(bin().args(["fit-reference"]).args(fixture_args()).args(["-o", good.to_str().unwrap()]));
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&good).unwrap();
    let cases: [(&str, Damage); 3] = [
        ("counts", |f| {
            f["bins"]["counts"].as_array_mut().unwrap().pop();
        }),
        ("strictly increasing", |f| {
            f["bins"]["edges"].as_array_mut().unwrap().reverse();
        }),
        ("rows", |f| f["rows"] = serde_json::json!(1)),
    ];
    for (needle, damage) in cases {
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        damage(&mut v["features"][0]);
        // Re-seal it: the hash proves the file unaltered, not well formed.
        let features: Vec<nepse_drift::drift::FeatureProfile> = serde_json::from_value(v["features"].clone()).unwrap();
        v["content_hash"] = serde_json::json!(ReferenceProfile::hash_features(&features));
        let bad = tmp.path().join("bad.json");
        std::fs::write(&bad, v.to_string()).unwrap();
        let (code, _, err) =
            fixtures_report(Fixtures::Features, "2026-11-19", &["--reference-profile", bad.to_str().unwrap()]);
        assert_eq!(code, 3, "{needle}: {err}");
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

#[test]
fn a_failed_save_leaves_no_temporary_file_and_follows_no_symlink() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    std::fs::create_dir_all(results.join("latest.json")).unwrap();
    // A planted symlink at the old predictable temporary name of every plausible pid.
    let target = tmp.path().join("victim.txt");
    std::fs::write(&target, "untouched").unwrap();
    for pid in 1..5000 {
        std::os::unix::fs::symlink(&target, results.join(format!(".xgb-2026.03_2026-11-19.json.{pid}.tmp"))).unwrap();
    }
    let (code, _, err) = run(bin().args(["run"]).args(fixture_args()).args([
        "--results-dir",
        results.to_str().unwrap(),
        "--predictions",
        &fixture("predictions.parquet"),
    ]));
    assert_eq!(code, 8, "{err}");
    assert!(err.contains("the result was computed but not saved") && err.contains("latest.json"), "{err}");
    assert!(err.contains("hint: free space or fix permissions at that path"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
    // Nothing hidden is left but the lock and the planted symlinks.
    let left: Vec<String> = std::fs::read_dir(&results)
        .unwrap()
        .map(Result::unwrap)
        .filter(|e| !e.file_type().unwrap().is_symlink())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".nepse-drift.lock")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn stale_data_is_pushed_as_stale_and_warned_about_in_every_format() {
    // The fixtures end on Thursday 2026-11-19. Up to date on that day and over the weekend; a
    // run a week later sees the same window, five trading days old.
    let features = fixture("features.parquet");
    let gauge = |as_of: &str| {
        let (code, out, err) = run(bin().args(["run", "--features", &features, "--as-of", as_of, "--dry-run"]));
        assert_eq!(code, 0, "{err}");
        let line = out.lines().find(|l| l.starts_with("nepse_drift_data_lag_trading_days ")).unwrap().to_owned();
        (line, err)
    };
    let (line, err) = gauge("2026-11-19");
    assert_eq!(line, "nepse_drift_data_lag_trading_days 0");
    assert!(!err.contains("stale data"), "{err}");
    assert_eq!(gauge("2026-11-21").0, "nepse_drift_data_lag_trading_days 0", "Friday and Saturday do not count");
    let (line, err) = gauge("2026-11-26");
    assert_eq!(line, "nepse_drift_data_lag_trading_days 5");
    let warning = err.lines().find(|l| l.contains("stale data")).unwrap();
    assert!(
        warning.contains("2026-11-19") && warning.contains("2026-11-26") && warning.contains("5 trading day"),
        "{warning}"
    );
    // `report` warns too, in JSON mode as in the table, without changing the exit code.
    for format in ["json", "table"] {
        let (code, _, err) = fixtures_report(Fixtures::Features, "2027-06-01", &["--format", format]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(err.lines().filter(|l| l.contains("stale data")).count(), 1, "{format}: {err}");
    }
    // A window asked for by dates that ends before the as-of date is reported as asked, and
    // the data after it is not missing: not "stale data", but said as what it is.
    let (code, _, err) =
        fixtures_report(Fixtures::Features, "2026-11-19", &["--from", "2026-11-08", "--to", "2026-11-12"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("stale data"), "{err}");
    assert!(
        err.contains("the window asked for (--to 2026-11-12) ends 5 trading day(s) before the as-of date"),
        "{err}"
    );
    // Nor is it pushed as stale (it paged DriftDataStale): the lag of such a window counts from
    // its newest day in the data to its own end, 0 when the data reaches it.
    let dated_run = |as_of: &str, to: &str| {
        let args = ["run", "--features", &features, "--as-of", as_of, "--from", "2026-11-08", "--to", to, "--dry-run"];
        let (code, out, err) = run(bin().args(args));
        assert_eq!(code, 0, "{err}");
        let line = out.lines().find(|l| l.starts_with("nepse_drift_data_lag_trading_days ")).expect(&out).to_owned();
        (line, err)
    };
    assert_eq!(dated_run("2026-11-19", "2026-11-12").0, "nepse_drift_data_lag_trading_days 0");
    // A window asked for beyond the data (which ends on 2026-11-19) is stale all the same.
    let (line, err) = dated_run("2026-11-26", "2026-11-26");
    assert_eq!(line, "nepse_drift_data_lag_trading_days 5");
    let warning = err.lines().find(|l| l.contains("stale data")).expect(&err);
    assert!(warning.contains("--to 2026-11-26") && warning.contains("5 trading day"), "{warning}");
    // JSON carries the gauge's value.
    let json_lag = |as_of: &str, extra: &[&str]| {
        let (code, out, err) = fixtures_report(Fixtures::Features, as_of, &[extra, &["--format", "json"]].concat());
        assert_eq!(code, 0, "{err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        json.get("data_lag_trading_days").cloned()
    };
    assert_eq!(json_lag("2026-11-19", &["--from", "2026-11-08", "--to", "2026-11-12"]), Some(0.into()));
    assert_eq!(json_lag("2026-11-26", &[]), Some(5.into()));
    // Inside the data's history a gap is a holiday, not stale data: the features hold later
    // days (Dashain: no trading from 2026-10-19 to 10-22, trading again on 10-25).
    assert_eq!(json_lag("2026-10-22", &[]), Some(0.into()));
    let (code, _, err) = fixtures_report(Fixtures::Features, "2026-10-22", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("stale data"), "{err}");
    // A window that ends after the as-of date reads features not known on it: refused.
    let (code, _, err) =
        fixtures_report(Fixtures::Features, "2026-11-10", &["--from", "2026-11-08", "--to", "2026-11-19"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--to 2026-11-19 is after the as-of date 2026-11-10") && err.contains("hint:"), "{err}");
}

#[test]
fn a_result_saved_before_the_lag_was_recorded_is_pushed_with_its_lag() {
    // `push --result` re-pushes exactly: a result file written before `data_lag_trading_days`
    // existed still pushes the lag it had (from its window's end), not none (which would clear
    // a firing DriftDataStale).
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    let features = fixture("features.parquet");
    let (code, _, err) = run(bin()
        .args(["run", "--features", &features, "--as-of", "2026-11-26"])
        .args(["--results-dir", results.to_str().unwrap()]));
    assert_eq!(code, 0, "{err}");
    let latest = std::fs::read_dir(&results)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a saved result");
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&latest).unwrap()).unwrap();
    assert_eq!(json.as_object_mut().unwrap().remove("data_lag_trading_days"), Some(5.into()));
    let old = tmp.path().join("old.json");
    std::fs::write(&old, json.to_string()).unwrap();
    let (code, out, err) = run(bin().args(["push", "--result"]).arg(&old).arg("--dry-run"));
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().any(|l| l == "nepse_drift_data_lag_trading_days 5"), "{out}");
    // A value of the wrong type is named by its place in the file, not only by a column of a
    // one-line file.
    for (field, bad) in [("data_lag_trading_days", serde_json::json!("4")), ("as_of", serde_json::json!(-3))] {
        json[field] = bad;
        std::fs::write(&old, json.to_string()).unwrap();
        let (code, _, err) = run(bin().args(["push", "--result"]).arg(&old).arg("--dry-run"));
        assert_eq!(code, 3, "{err}");
        let line = err.lines().find(|l| l.starts_with("error:")).expect(&err);
        assert!(line.contains(&format!("`{field}`")), "{line}");
        json[field] = if field == "as_of" { "2026-11-26".into() } else { 5.into() };
    }
    // Deeper down, the whole path.
    json["windows"]["current"]["rows"] = serde_json::json!("many");
    std::fs::write(&old, json.to_string()).unwrap();
    let (code, _, err) = run(bin().args(["push", "--result"]).arg(&old).arg("--dry-run"));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("`windows.current.rows`"), "{err}");
    // An empty model label was PUT to `model@base64/=` (a run never writes one).
    json["windows"]["current"]["rows"] = 2000.into();
    for model in ["", "  "] {
        json["model"] = model.into();
        std::fs::write(&old, json.to_string()).unwrap();
        let (code, _, err) = run(bin().args(["push", "--result"]).arg(&old).arg("--dry-run"));
        assert_eq!(code, 3, "{model:?}: {err}");
        assert!(err.contains("`model` is empty"), "{err}");
    }
    // Numbers no run writes (an edited or corrupted file) are refused, not pushed: each names
    // its gauge and its bounds.
    json["model"] = "default".into();
    let feature = json["drift"]["features"][0]["feature"].as_str().unwrap().to_owned();
    for (path, bad, want) in [
        (
            "/drift/features/0/p_value",
            serde_json::json!(7.0),
            format!("feature_drift_p_value{{feature=\"{feature}\"}} is 7, outside [0, 1]"),
        ),
        (
            "/drift/features/0/psi",
            serde_json::json!(-0.2),
            format!("feature_drift_psi{{feature=\"{feature}\"}} is -0.2, below 0"),
        ),
        (
            "/drift/features/0/current_missing_ratio",
            serde_json::json!(-0.1),
            format!("feature_missing_ratio{{feature=\"{feature}\",side=\"current\"}} is -0.1, outside [0, 1]"),
        ),
        // A plausible edit is pushed as it is: only bounds are checked.
        ("/drift/features/0/psi", serde_json::json!(0.5), String::new()),
        ("/drift/drift_share", serde_json::json!(1.5), "feature_drift_share_ratio is 1.5, outside [0, 1]".to_owned()),
    ] {
        let mut edited = json.clone();
        *edited.pointer_mut(path).expect(path) = bad;
        std::fs::write(&old, edited.to_string()).unwrap();
        let (code, out, err) = run(bin().args(["push", "--result"]).arg(&old).arg("--dry-run"));
        if want.is_empty() {
            assert_eq!(code, 0, "{path}: {err}");
            assert!(out.contains(&format!("feature_drift_psi{{feature=\"{feature}\"}} 0.5")), "{out}");
            continue;
        }
        assert_eq!(code, 3, "{path}: {err}");
        assert!(out.is_empty(), "{out}");
        assert!(err.contains(&format!("failed to read result {}: {want}", old.display())), "{path}: {err}");
        assert!(err.contains("hint: "), "{err}");
    }
    // A series twice (a feature's entry copied, its copy edited) pushed whichever came last; a
    // version group named as the live one replaced the live group's gauges with its own.
    let mut twice = json.clone();
    let copy = twice["drift"]["features"][0].clone();
    twice["drift"]["features"].as_array_mut().unwrap().push(copy);
    // A result with performance: its live group's model and performance, as another version.
    let graded = tmp.path().join("graded");
    let (code, _, err) = run(bin()
        .args(["run", "--features", &features, "--as-of", "2026-11-26"])
        .args(["--predictions", &fixture("predictions.parquet"), "--outcomes", &fixture("outcomes.parquet")])
        .args(["--results-dir", graded.to_str().unwrap()]));
    assert_eq!(code, 0, "{err}");
    let saved = std::fs::read_to_string(graded.join("latest.json")).unwrap();
    let mut same_group: serde_json::Value = serde_json::from_str(&saved).unwrap();
    let live = same_group["model"].as_str().unwrap().to_owned();
    same_group["other_versions"] =
        serde_json::json!([{ "model": live.clone(), "performance": same_group["performance"].clone() }]);
    for (edited, want) in [
        (twice, format!("feature_drift_psi{{feature=\"{feature}\"}} appears twice")),
        (same_group, format!("model {live:?} has two groups")),
    ] {
        std::fs::write(&old, edited.to_string()).unwrap();
        let (code, out, err) = run(bin().args(["push", "--result"]).arg(&old).arg("--dry-run"));
        assert_eq!(code, 3, "{want}: {err}");
        assert!(out.is_empty(), "{out}");
        assert!(err.contains(&format!("failed to read result {}: {want}", old.display())), "{want}: {err}");
    }
}

#[test]
fn a_long_or_odd_model_label_gets_a_bounded_file_name() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    let model = format!("{}/v2", "m".repeat(300));
    let cfg = tmp.path().join("c.toml");
    let toml_model = toml::Value::String(model.clone());
    std::fs::write(&cfg, format!("[push]\nmodel = {toml_model}\n")).unwrap();
    let (code, _, err) = run(bin()
        .args(["run", "--config", cfg.to_str().unwrap()])
        .args(fixture_args())
        .args(["--results-dir", results.to_str().unwrap()]));
    assert_eq!(code, 0, "{err}");
    let names: Vec<String> = std::fs::read_dir(&results)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("_2026-11-19.json"))
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].len() < 100 && names[0].starts_with("mmmm"), "{names:?}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results.join(&names[0])).unwrap()).unwrap();
    assert_eq!(saved["model"], model.as_str());
}

/// 150 trading days of 12 symbols (one with a name longer than a string view's 12 inline
/// bytes), plus `extra` rows.
fn panel_with(path: &std::path::Path, extra: &[(usize, &str)]) -> Vec<chrono::NaiveDate> {
    let days = util::trading_days("2026-04-01", 150);
    let symbols: Vec<String> =
        (0..11).map(|k| format!("S{k}")).chain(std::iter::once("NABIL_BANK_LIMITED_PROMOTER".to_owned())).collect();
    let mut rows: Vec<(chrono::NaiveDate, &str, Option<f64>)> = days
        .iter()
        .enumerate()
        .flat_map(|(i, d)| {
            symbols.iter().enumerate().map(move |(k, s)| (*d, s.as_str(), Some(((i * 7 + k * 3) % 17) as f64)))
        })
        .collect();
    rows.extend(extra.iter().map(|(i, s)| (days[*i], *s, Some(1.0))));
    util::features_file(path, &rows);
    days
}

#[test]
fn duplicate_feature_rows_are_an_input_error_naming_the_day_and_symbol() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("f.parquet");
    let report = |path: &std::path::Path, days: &[chrono::NaiveDate]| {
        run(bin().args(["report", "--features", path.to_str().unwrap(), "--as-of", &days[149].to_string()]))
    };
    let days = panel_with(&path, &[]);
    assert_eq!(report(&path, &days).0, 0);
    // A day of the current window written twice for one symbol, and a second one.
    let days = panel_with(&path, &[(140, "S3"), (145, "S1")]);
    let (code, _, err) = report(&path, &days);
    assert_eq!(code, 3, "{err}");
    let scrubbed = util::scrub(&err, tmp.path());
    assert_eq!(
        scrubbed,
        format!(
            "error: [TMP]/f.parquet: more than one row for as_of {}, symbol S3 in the current window (2 duplicated (as_of, symbol) key(s) in all)\n\
             hint: a snapshot was probably written twice: keep one row per symbol and day at the source\n",
            days[140]
        )
    );
    // In the reference window, for a symbol longer than an inline string view.
    let days = panel_with(&path, &[(20, "NABIL_BANK_LIMITED_PROMOTER")]);
    let (code, _, err) = report(&path, &days);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(&format!("as_of {}, symbol NABIL_BANK_LIMITED_PROMOTER in the reference window", days[20])),
        "{err}"
    );
}

#[test]
fn duplicate_rows_are_found_in_hive_partitions_too() {
    // The date is a partition column: the rows are read by the lazy scan, not the direct reader.
    let tmp = tempfile::tempdir().unwrap();
    let days = util::trading_days("2026-11-01", 6);
    for (i, day) in days.iter().enumerate() {
        let mut symbols: Vec<String> = (0..30).map(|k| format!("S{k}")).collect();
        if i == 5 {
            symbols[7] = "S3".into();
        }
        write_parquet(
            &tmp.path().join(format!("as_of={day}")).join("part-0.parquet"),
            vec![
                ("symbol".into(), OutColumn::Str(symbols)),
                ("x".into(), OutColumn::F64((0..30).map(|k| Some(f64::from(k))).collect())),
            ],
            1024,
        )
        .unwrap();
    }
    let (code, _, err) = run(bin()
        .args(["report", "--features", tmp.path().to_str().unwrap(), "--last", "2", "--reference-last", "4"])
        .args(["--as-of", &days[5].to_string()]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains(&format!("as_of {}, symbol S3 in the current window (1 duplicated", days[5])), "{err}");
}

#[test]
fn predictions_and_outcomes_are_validated_wherever_they_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let features = fixture("features.parquet");
    let predictions = fixture("predictions.parquet");
    // Outcomes without predictions: a config error, not a silent success.
    let (code, _, err) = run(bin().args([
        "report",
        "--features",
        &features,
        "--outcomes",
        &fixture("outcomes.parquet"),
        "--as-of",
        "2026-11-19",
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("invalid setting `sources.outcomes (--outcomes)`: outcomes are graded against predictions"),
        "{err}"
    );
    // A probability of 7.0 in the reference window only: refused, not "stable".
    let days = util::trading_days("2026-03-01", 60);
    let proba = |i: usize| if i < 30 { 7.0 } else { 0.5 };
    let rows = 60 * 3;
    write_parquet(
        &tmp.path().join("p.parquet"),
        vec![
            ("as_of".into(), OutColumn::Date((0..rows).map(|r| days[r / 3]).collect())),
            ("symbol".into(), OutColumn::Str((0..rows).map(|r| format!("S{}", r % 3)).collect())),
            ("model_version".into(), OutColumn::Str(vec!["m".into(); rows])),
            ("predicted_proba".into(), OutColumn::F64((0..rows).map(|r| Some(proba(r / 3))).collect())),
        ],
        1024,
    )
    .unwrap();
    let panel = tmp.path().join("f.parquet");
    util::features_file(
        &panel,
        &(0..rows).map(|r| (days[r / 3], ["S0", "S1", "S2"][r % 3], Some((r % 7) as f64))).collect::<Vec<_>>(),
    );
    let (code, _, err) = run(bin()
        .args(["report", "--features", panel.to_str().unwrap(), "--predictions"])
        .arg(tmp.path().join("p.parquet"))
        .args(["--as-of", &days[59].to_string(), "--last", "20", "--reference-last", "40"]));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("column `predicted_proba` holds values that are null, NaN or outside [0, 1] (e.g. S0"),
        "{err}"
    );
    // An outcome with a null observed_at: named, counted, not dropped.
    let outcomes = tmp.path().join("o.parquet");
    let n = 4;
    write_parquet(
        &outcomes,
        vec![
            ("as_of".into(), OutColumn::Date(vec![util::d("2026-11-18"); n])),
            ("symbol".into(), OutColumn::Str(["NABIL", "NICA", "SCB", "HDL"].map(String::from).to_vec())),
            ("actual_label".into(), OutColumn::I8(vec![1; n])),
            (
                "observed_at".into(),
                OutColumn::OptDate(vec![Some(util::d("2026-11-19")), None, Some(util::d("2026-11-19")), None]),
            ),
        ],
        1024,
    )
    .unwrap();
    let (code, _, err) = run(bin()
        .args(["report", "--features", &features, "--predictions", &predictions, "--outcomes"])
        .arg(&outcomes)
        .args(["--as-of", "2026-11-19"]));
    assert_eq!(code, 3, "{err}");
    assert_eq!(
        util::scrub(&err, tmp.path()),
        "error: [TMP]/o.parquet: column `observed_at` is null in 2 row(s) (e.g. NICA 2026-11-18, HDL 2026-11-18)\n\
         hint: every outcome needs the day its label became known; leave a row out until it is known\n"
    );
}

/// The fixtures' features plus three columns that are no usable feature: a timestamp
/// (`updated_at`), a Null-dtype column and a numeric column whose name holds a tab.
fn features_with_odd_columns(path: &std::path::Path) {
    use polars::prelude::*;
    let source = fixture("features.parquet");
    let mut df = LazyFrame::scan_parquet(PlRefPath::new(&source), ScanArgsParquet::default())
        .unwrap()
        .with_columns([
            col("as_of").cast(DataType::Datetime(TimeUnit::Milliseconds, None)).alias("updated_at"),
            lit(NULL).alias("empty"),
            col("ret_1d").alias("ret\t1d"),
        ])
        .collect()
        .unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap()).finish(&mut df).unwrap();
}

#[test]
fn one_bad_column_is_skipped_or_left_out_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("odd.parquet");
    features_with_odd_columns(&path);
    let results = tmp.path().join("results");
    let (code, out, err) = run(bin()
        .args(["run", "--features", path.to_str().unwrap(), "--as-of", "2026-11-19"])
        .args(["--results-dir", results.to_str().unwrap()]));
    assert_eq!(code, 4, "{err}");
    // Saved and printed: the other features are all there, the two unusable ones skipped.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results.join("latest.json")).unwrap()).unwrap();
    let skipped: Vec<&str> =
        saved["drift"]["skipped"].as_array().unwrap().iter().map(|s| s["feature"].as_str().unwrap()).collect();
    assert_eq!(skipped, ["empty", "ret\t1d"]);
    assert_eq!(saved["drift"]["features"].as_array().unwrap().len(), 11);
    assert!(out.contains("feature_drift_skipped_features 2"), "{out}");
    assert!(
        err.contains("not a feature dtype: left out of the default feature set") && err.contains("updated_at"),
        "{err}"
    );
    // One warning per skipped feature, in JSON mode as in the table.
    for format in ["json", "table"] {
        let (code, _, err) = run(bin().args([
            "report",
            "--features",
            path.to_str().unwrap(),
            "--as-of",
            "2026-11-19",
            "--format",
            format,
        ]));
        assert_eq!(code, 4, "{err}");
        assert_eq!(err.lines().filter(|l| l.contains("feature skipped")).count(), 2, "{format}: {err}");
    }
    // Asked for by name, a timestamp is an error whose hint names what `run` accepts.
    let cfg = tmp.path().join("c.toml");
    std::fs::write(&cfg, "[features]\ninclude = [\"updated_at\"]\n").unwrap();
    let (code, _, err) = run(bin().args([
        "run",
        "--config",
        cfg.to_str().unwrap(),
        "--features",
        path.to_str().unwrap(),
        "--as-of",
        "2026-11-19",
    ]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("feature column `updated_at` has unsupported dtype datetime[ms]"), "{err}");
    assert!(err.contains("hint: features must be numeric, String, Categorical or Boolean: leave this column out of [features] include"), "{err}");
}

#[test]
fn a_bad_file_in_a_partitioned_source_is_named_in_our_words() {
    // Six daily files; each case spoils the fifth one.
    let write_days = |dir: &std::path::Path, odd: &dyn Fn(&std::path::Path, usize)| {
        let days = util::trading_days("2026-11-01", 6);
        for (i, day) in days.iter().enumerate() {
            let path = dir.join(format!("{day}.parquet"));
            if i == 4 {
                odd(&path, 30);
                continue;
            }
            util::features_file(
                &path,
                &(0..30).map(|k| (*day, ["S0", "S1", "S2"][k % 3], Some(k as f64))).collect::<Vec<_>>(),
            );
        }
        std::fs::write(dir.join("_SUCCESS"), "").unwrap();
        days
    };
    let case = |name: &str, odd: &dyn Fn(&std::path::Path, usize)| {
        let tmp = tempfile::tempdir().unwrap();
        let days = write_days(tmp.path(), odd);
        let (code, _, err) = run(bin()
            .args(["report", "--features", tmp.path().to_str().unwrap(), "--last", "2", "--reference-last", "4"])
            .args(["--as-of", &days[5].to_string()]));
        (
            code,
            util::scrub(&err, tmp.path()).replace(&days[4].to_string(), "DAY4").replace(&days[0].to_string(), "DAY0"),
            name.to_owned(),
        )
    };
    let truncated = |p: &std::path::Path, n: usize| {
        util::features_file(p, &(0..n).map(|k| (util::d("2026-11-05"), "S0", Some(k as f64))).collect::<Vec<_>>());
        let bytes = std::fs::read(p).unwrap();
        std::fs::write(p, &bytes[..bytes.len() / 2]).unwrap();
    };
    let (code, err, _) = case("truncated", &truncated);
    assert_eq!(code, 3);
    assert!(err.starts_with("error: failed to read [TMP]/DAY4.parquet: not a readable Parquet file ("), "{err}");
    assert!(err.chars().all(|c| !c.is_control() || c == '\n') && !err.contains('\u{fffd}'), "{err:?}");

    let (code, err, _) = case("empty", &|p, _| std::fs::write(p, "").unwrap());
    assert_eq!(code, 3);
    assert_eq!(
        err,
        "error: failed to read [TMP]/DAY4.parquet: the file is empty (0 bytes)\n\
         hint: an empty file is an interrupted write: write it again, or remove it\n"
    );

    let without_x = |p: &std::path::Path, n: usize| {
        write_parquet(
            p,
            vec![
                ("as_of".into(), OutColumn::Date(vec![util::d("2026-11-05"); n])),
                ("symbol".into(), OutColumn::Str((0..n).map(|k| format!("S{k}")).collect())),
                ("sector".into(), OutColumn::Str(vec!["Hydropower".into(); n])),
            ],
            1024,
        )
        .unwrap();
    };
    let (code, err, _) = case("missing column", &without_x);
    assert_eq!(code, 3);
    assert_eq!(
        err,
        "error: [TMP]/DAY4.parquet: not the same columns as the rest of the source: it has no column `x`, which [TMP]/DAY0.parquet has\n\
         hint: every file of a source needs the same columns with the same dtypes: write that file again like the others\n"
    );

    let x_as_text = |p: &std::path::Path, n: usize| {
        write_parquet(
            p,
            vec![
                ("as_of".into(), OutColumn::Date(vec![util::d("2026-11-05"); n])),
                ("symbol".into(), OutColumn::Str((0..n).map(|k| format!("S{k}")).collect())),
                ("sector".into(), OutColumn::Str(vec!["Hydropower".into(); n])),
                ("x".into(), OutColumn::Str(vec!["1.5".into(); n])),
            ],
            1024,
        )
        .unwrap();
    };
    let (code, err, _) = case("dtype clash", &x_as_text);
    assert_eq!(code, 3);
    assert!(err.starts_with("error: [TMP]/DAY4.parquet: not the same columns as the rest of the source: column `x` is str here but f64 in [TMP]/DAY0.parquet\n"), "{err}");
}

#[test]
fn a_credential_no_header_can_carry_is_a_config_error_and_is_never_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}", util::servers::free_port());
    let secret = "s3cret\nX-Injected: 1";
    let password_file = tmp.path().join("password");
    std::fs::write(&password_file, format!("{secret}\n")).unwrap();
    let base = format!("[sources]\nfeatures = \"{}\"\n[push]\nurl = \"{url}\"\n", fixture("features.parquet"));
    let with_password = tmp.path().join("password.toml");
    std::fs::write(
        &with_password,
        format!("{base}username = \"svc\"\npassword_file = \"{}\"\n", password_file.display()),
    )
    .unwrap();
    let plain = tmp.path().join("plain.toml");
    std::fs::write(&plain, &base).unwrap();
    for command in ["run", "check-config"] {
        for (cfg, token, key) in [
            (&with_password, None, "push.password_file (NEPSE_DRIFT_PUSH_PASSWORD)"),
            (&plain, Some(secret), "push.token_file (NEPSE_DRIFT_PUSH_TOKEN)"),
        ] {
            let mut cmd = bin();
            cmd.args([command, "--config", cfg.to_str().unwrap()]);
            if command == "run" {
                cmd.args(["--as-of", "2026-11-19"]);
            }
            if let Some(token) = token {
                cmd.env("NEPSE_DRIFT_PUSH_TOKEN", token);
            }
            let (code, out, err) = run(&mut cmd);
            assert_eq!(code, 2, "{command} {key}: {err}");
            assert!(err.contains(&format!("invalid setting `{key}`")), "{err}");
            assert!(!err.contains("s3cret") && !out.contains("s3cret"), "{err}");
        }
    }
}

#[test]
fn check_config_resolves_settings_exactly_as_run_does() {
    let tmp = tempfile::tempdir().unwrap();
    let empty_cfg = tmp.path().join("empty.toml");
    std::fs::write(&empty_cfg, "").unwrap();
    let features = fixture("features.parquet");
    // The features from the environment: run and check-config both take them.
    for command in ["check-config", "run"] {
        let mut cmd = bin();
        cmd.args([command, "--config", empty_cfg.to_str().unwrap()]).env("NEPSE_DRIFT_FEATURES", &features);
        if command == "run" {
            cmd.args(["--as-of", "2026-11-19", "--dry-run"]);
        }
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, 0, "{command}: {err}");
        if command == "check-config" {
            assert!(out.starts_with(&format!("config ok: features {features},")), "{out}");
        }
        // And both refuse a missing one the same way: an input error, exit 3.
        let mut cmd = bin();
        cmd.args([command, "--config", empty_cfg.to_str().unwrap()]).env("NEPSE_DRIFT_FEATURES", "/nope/f.parquet");
        if command == "run" {
            cmd.args(["--as-of", "2026-11-19", "--dry-run"]);
        }
        assert_eq!(run(&mut cmd).0, 3, "{command}");
    }
    // performance_days = 0 is a config error before anything is read, in both.
    let zero = write_config(tmp.path(), Fixtures::Features, "[windows]\nperformance_days = 0\n");
    for args in [vec!["check-config"], vec!["run", "--as-of", "2026-11-19"]] {
        let (code, _, err) = run(bin().args(&args).args(["--config", zero.to_str().unwrap()]));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("invalid setting `windows.performance_days`: must be at least 1"), "{err}");
    }
}

#[test]
fn a_conflict_with_a_flag_set_by_the_environment_says_where_it_came_from() {
    // The user typed only --reference-source; --reference-profile came from the CronJob's
    // environment, which clap's message does not say.
    let features = fixture("features.parquet");
    let tmp = tempfile::tempdir().unwrap();
    let err = bad(
        bin().env("NEPSE_DRIFT_REFERENCE_PROFILE", "/srv/nepse/profile.json").args([
            "report",
            "--features",
            &features,
            "--reference-source",
            &features,
        ]),
        2,
        tmp.path(),
    );
    assert!(err.contains("cannot be used with '--reference-profile <REFERENCE_PROFILE>'"), "{err}");
    assert!(
        err.contains(
            "hint: --reference-profile is set by NEPSE_DRIFT_REFERENCE_PROFILE in the environment: unset it for this command; see `nepse-drift report --help`"
        ),
        "{err}"
    );
    // A bad value from the environment: the variable is named too.
    let err =
        bad(bin().env("NEPSE_DRIFT_AS_OF", "2026-13-45").args(["report", "--features", &features]), 2, tmp.path());
    assert!(
        err.contains("hint: --as-of is set by NEPSE_DRIFT_AS_OF in the environment: fix it or unset it; "),
        "{err}"
    );
    // Both typed (the variable set too, in either form): no word of the environment.
    for typed in [&["--reference-profile", "/srv/nepse/profile.json"][..], &["--reference-profile=/srv/p.json"][..]] {
        let err = bad(
            bin()
                .env("NEPSE_DRIFT_REFERENCE_PROFILE", "/srv/nepse/profile.json")
                .args(["report", "--features", &features, "--reference-source", &features])
                .args(typed),
            2,
            tmp.path(),
        );
        assert!(err.contains("cannot be used with"), "{err}");
        assert!(!err.contains("environment"), "{typed:?}: {err}");
    }
}

#[test]
fn an_empty_nepse_drift_variable_counts_as_unset_everywhere() {
    let vars = [
        "NEPSE_DRIFT_CONFIG",
        "NEPSE_DRIFT_PREDICTIONS",
        "NEPSE_DRIFT_OUTCOMES",
        "NEPSE_DRIFT_REFERENCE_SOURCE",
        "NEPSE_DRIFT_REFERENCE_PROFILE",
        "NEPSE_DRIFT_AS_OF",
        "NEPSE_DRIFT_PUSH_URL",
        "NEPSE_DRIFT_RESULTS_DIR",
        "NEPSE_DRIFT_LOG_FORMAT",
        "NEPSE_DRIFT_JOB",
        "NEPSE_DRIFT_PUSH_TOKEN",
        "NEPSE_DRIFT_PUSH_USERNAME",
        "NEPSE_DRIFT_PUSH_PASSWORD",
    ];
    let mut cmd = bin();
    cmd.args(["run", "--features", &fixture("features.parquet"), "--as-of", "2026-11-19", "--dry-run"]);
    for var in vars {
        cmd.env(var, "");
    }
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("feature_drift_psi{feature=\"rsi_14\"}"), "{out}");
    // The features variable alone, empty, is as missing as when unset.
    let (code, _, err) = run(bin().args(["run", "--as-of", "2026-11-19"]).env("NEPSE_DRIFT_FEATURES", ""));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing setting `sources.features (--features)`"), "{err}");
}

#[test]
fn fit_reference_reads_from_and_to_as_the_fitted_window() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("p.json");
    let features = fixture("features.parquet");
    let fit = |extra: &[&str]| {
        run(bin().args(["fit-reference", "--features", &features, "-o", out.to_str().unwrap()]).args(extra))
    };
    let (code, _, err) = fit(&["--from", "2026-05-01", "--to", "2026-09-30"]);
    assert_eq!(code, 0, "{err}");
    let profile: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    // That range, and its rows: 108 trading days of 100 symbols.
    assert_eq!((profile["from"].as_str(), profile["to"].as_str()), (Some("2026-05-01"), Some("2026-09-30")));
    assert_eq!(profile["rows"], 10_800);
    let (code, _, err) = fit(&["--last", "5"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid setting `--last`: fit-reference fits a reference window"), "{err}");
    let (code, _, err) = fit(&["--from", "2026-05-01", "--to", "2026-09-30", "--reference-last", "60"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not both"), "{err}");
    // The daily job's config names the profile it reads: refitting with that config is the
    // monthly chore, and fit-reference reads no profile (it was refused as a reference window
    // beside a profile). From the environment too.
    let cfg = tmp.path().join("daily.toml");
    std::fs::write(&cfg, "[sources]\nreference_profile = \"/srv/nepse/profile.json\"\n").unwrap();
    let (code, _, err) = fit(&["--config", cfg.to_str().unwrap(), "--from", "2026-05-01", "--to", "2026-09-30"]);
    assert_eq!(code, 0, "{err}");
    // Refitted in place: the profile the config names is the output (replaced atomically).
    std::fs::write(&cfg, format!("[sources]\nreference_profile = {:?}\n", out.to_str().unwrap())).unwrap();
    let (code, _, err) = fit(&["--config", cfg.to_str().unwrap(), "--from", "2026-06-01", "--to", "2026-09-30"]);
    assert_eq!(code, 0, "{err}");
    let profile: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(profile["from"], "2026-06-01");
    let (code, _, err) = run(bin()
        .env("NEPSE_DRIFT_REFERENCE_PROFILE", "/srv/nepse/profile.json")
        .args(["fit-reference", "--features", &features, "-o", out.to_str().unwrap()])
        .args(["--from", "2026-05-01", "--to", "2026-09-30"]));
    assert_eq!(code, 0, "{err}");
}

/// `fixtures` of five symbols over seven weeks into `out`, with `extra` flags.
fn small_fixtures(out: &str, extra: &[&str]) -> (i32, String, String) {
    run(bin()
        .args(["fixtures", "--out", out, "--start", "2026-10-01", "--end", "2026-11-19", "--symbols", "5"])
        .args(extra))
}

#[test]
fn fixtures_refuse_to_overwrite_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let generate = |extra: &[&str]| small_fixtures(out, extra);
    assert_eq!(generate(&[]).0, 0);
    std::fs::write(tmp.path().join("features.parquet"), "mine").unwrap();
    let (code, _, err) = generate(&[]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        util::scrub(&err, tmp.path()),
        "error: [TMP]/features.parquet already exists\nhint: pass --force to overwrite it, or choose another --out\n"
    );
    assert_eq!(std::fs::read_to_string(tmp.path().join("features.parquet")).unwrap(), "mine");
    assert_eq!(generate(&["--force"]).0, 0);
    assert_ne!(std::fs::read(tmp.path().join("features.parquet")).unwrap(), b"mine");
}

/// `fixtures --force` follows the one output rule: a symlink is followed and kept, a FIFO is
/// written through, a directory or a read-only file is refused with exit 2 before anything is
/// written.
#[test]
fn fixtures_force_writes_by_the_output_rule() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let elsewhere = tmp.path().join("elsewhere.parquet");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(&elsewhere, "mine").unwrap();
    let features = out.join("features.parquet");
    symlink(&elsewhere, &features).unwrap();
    let generate = |extra: &[&str]| small_fixtures(out.to_str().unwrap(), extra);
    // Without --force a link is an existing name, dangling or not.
    assert_eq!(generate(&[]).0, 2);
    assert_eq!(std::fs::read(&elsewhere).unwrap(), b"mine");
    let (code, _, err) = generate(&["--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::symlink_metadata(&features).unwrap().file_type().is_symlink(), "the link is kept");
    assert_eq!(&std::fs::read(&elsewhere).unwrap()[..4], b"PAR1", "its target is written");

    // A directory where an output goes: refused, and nothing written, not even the other files.
    let before = std::fs::read(&elsewhere).unwrap();
    std::fs::remove_file(out.join("outcomes.parquet")).unwrap();
    std::fs::create_dir(out.join("outcomes.parquet")).unwrap();
    std::fs::write(out.join("predictions.parquet"), "kept").unwrap();
    let (code, _, err) = generate(&["--force", "--seed", "9"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("outcomes.parquet: it is a directory"), "{err}");
    assert_eq!(std::fs::read(&elsewhere).unwrap(), before);
    assert_eq!(std::fs::read(out.join("predictions.parquet")).unwrap(), b"kept");
    std::fs::remove_dir(out.join("outcomes.parquet")).unwrap();

    // A read-only file: refused.
    std::fs::set_permissions(out.join("predictions.parquet"), std::fs::Permissions::from_mode(0o444)).unwrap();
    let (code, _, err) = generate(&["--force"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("read-only"), "{err}");
    std::fs::remove_file(out.join("predictions.parquet")).unwrap();

    // A FIFO: written through as a shell's redirection would, and kept.
    std::fs::remove_file(&features).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&features).status().unwrap();
    assert!(made.success());
    let reader = {
        let features = features.clone();
        std::thread::spawn(move || std::fs::read(features).unwrap())
    };
    let (code, _, err) = generate(&["--force"]);
    assert_eq!(code, 0, "{err}");
    let read = reader.join().unwrap();
    assert_eq!(&read[..4], b"PAR1");
    assert_eq!(&read[read.len() - 4..], b"PAR1");
    assert!(std::fs::symlink_metadata(&features).unwrap().file_type().is_fifo(), "the FIFO is kept");
}

/// A malformed model release, or an empty version name, is refused before anything is written.
#[test]
fn fixtures_refuse_a_bad_release_or_an_empty_version() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let generate = |extra: &[&str]| small_fixtures(out, extra);
    for (args, line) in [
        (
            &["--release", "2026-11-01"][..],
            "error: invalid fixtures argument: --release `2026-11-01` is not DATE:VERSION",
        ),
        (
            &["--release", "2026-11-01:"][..],
            "error: invalid fixtures argument: --release `2026-11-01:` is not DATE:VERSION",
        ),
        (
            &["--release", "November:v2"][..],
            "error: invalid fixtures argument: --release `November:v2`: `November` is not a date (input contains invalid characters)",
        ),
        (
            &["--model-version", ""][..],
            "error: invalid fixtures argument: --model-version is empty: a model version names a group",
        ),
    ] {
        let (code, _, err) = generate(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(
            err.lines().collect::<Vec<_>>(),
            [line, "hint: see `nepse-drift fixtures --help` for --start/--end and the --drift and --release syntax"],
            "{args:?}"
        );
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "nothing written");
    // A release splits the predictions' versions at its day.
    let (code, _, err) = generate(&["--model-version", "v1", "--release", "2026-11-02:v2"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn two_key_columns_with_one_name_are_a_config_error() {
    let (code, out, err) =
        run(bin().args(["report", "--features", &fixture("features.parquet"), "--symbol-column", "as_of"]));
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(
        err,
        "error: invalid setting `columns.symbol`: `as_of` is also the as_of column; each key column needs its own\n\
         hint: see the README's configuration table for valid values\n"
    );
}

#[test]
fn a_categorical_override_for_a_column_that_is_not_there_is_refused() {
    let (code, _, err) = fixtures_report(Fixtures::Features, "2026-11-19", &["--categorical", "sectr"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("requested feature `sectr` is not a column (has: as_of, symbol, sector,"), "{err}");
}

#[test]
fn a_config_that_names_two_references_is_refused_not_half_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = fitted_profile(tmp.path());
    let profile = profile.to_str().unwrap();
    // `sources.reference` in the config beside `--reference-profile` (as two flags, or the
    // variable and the flag, it is refused by the argument parser): the source was dropped.
    let line = format!("reference = \"{}\"\n", fixture("features.parquet"));
    let cfg = write_config(tmp.path(), Fixtures::Features, &line);
    for command in ["report", "check-config"] {
        let (code, _, err) = run(bin()
            .args([command, "--config", cfg.to_str().unwrap(), "--reference-profile", profile])
            .args(["--as-of", "2026-11-19"]));
        assert_eq!(code, 2, "{command}: {err}");
        assert!(err.contains("sources.reference with sources.reference_profile"), "{command}: {err}");
        assert!(err.contains("hint:"), "{err}");
    }
    // `[windows]` with a day count and a range: the day count was dropped (as flags, refused).
    let cfg = write_config(
        tmp.path(),
        Fixtures::Features,
        "[windows]\nreference_days = 60\nreference_from = 2026-01-01\nreference_to = 2026-06-30\n",
    );
    let (code, _, err) = run(bin().args(["report", "--config", cfg.to_str().unwrap(), "--as-of", "2026-11-19"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("windows.reference_days"), "{err}");
    // `fit-reference` reads no profile: a config naming the profile the daily runs read, and a
    // reference source to fit it from, is its natural use.
    let line = format!("reference_profile = \"{profile}\"\n");
    let cfg = write_config(tmp.path(), Fixtures::Features, &line);
    let fitted = tmp.path().join("fitted.json");
    let (code, _, err) = run(bin().args(["fit-reference", "--config", cfg.to_str().unwrap()]).args([
        "--reference-source",
        &fixture("features.parquet"),
        "--as-of",
        "2026-11-19",
        "-o",
        fitted.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_reference_window_beside_a_fitted_profile_is_refused_not_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = fitted_profile(tmp.path());
    let profile = profile.to_str().unwrap();
    for (flag, extra) in [
        ("--reference-last", vec!["--reference-last", "60"]),
        ("--reference-from", vec!["--reference-from", "2026-01-01", "--reference-to", "2026-06-30"]),
    ] {
        for command in ["report", "backfill", "check-config"] {
            let mut cmd = bin();
            cmd.args([command, "--features", &fixture("features.parquet"), "--reference-profile", profile])
                .args(&extra);
            if command == "backfill" {
                cmd.args(["--from", "2026-11-18", "--to", "2026-11-19", "-o", "-"]);
            } else {
                cmd.args(["--as-of", "2026-11-19"]);
            }
            let (code, _, err) = run(&mut cmd);
            assert_eq!(code, 2, "{command} {flag}: {err}");
            assert!(err.contains(&format!("{flag} with --reference-profile")), "{command}: {err}");
            assert!(err.contains("hint:"), "{err}");
        }
    }
    // A window in the config file: the profile's own (one config shared by fit-reference and
    // the runs) is fine; another is refused once the profile is read (3), not ignored.
    for (line, code) in [
        ("reference_days = 120", 0),
        ("reference_from = 2026-04-28\nreference_to = 2026-10-13", 0),
        ("reference_days = 50", 3),
        ("reference_from = 2026-01-01\nreference_to = 2026-06-30", 3),
    ] {
        let cfg = write_config(tmp.path(), Fixtures::Features, &format!("[windows]\n{line}\n"));
        let (got, _, err) = run(bin()
            .args(["report", "--config", cfg.to_str().unwrap(), "--reference-profile", profile])
            .args(["--as-of", "2026-11-19"]));
        assert_eq!(got, code, "{line}: {err}");
        if code == 3 {
            assert!(err.contains("[windows] names another reference window"), "{err}");
        }
    }
}

#[test]
fn check_config_refuses_what_run_refuses_about_a_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = fitted_profile(tmp.path());
    let features = fixture("features.parquet");
    let auto = tmp.path().join("auto.toml");
    std::fs::write(&auto, "[psi]\nstattest = \"auto\"\n").unwrap();
    let (p, auto) = (profile.to_str().unwrap(), auto.to_str().unwrap());
    let job = |command: &[&str], extra: &[&str], env: Option<&str>| {
        let mut cmd = bin();
        cmd.args(command).args(["--features", &features]).args(extra);
        if let Some(p) = env {
            cmd.env("NEPSE_DRIFT_REFERENCE_PROFILE", p);
        }
        run(&mut cmd)
    };
    // `psi.stattest = "auto"` with a profile, by flag or variable: run exits 3, and so does
    // check-config.
    for (extra, env) in [(vec!["--config", auto, "--reference-profile", p], None), (vec!["--config", auto], Some(p))] {
        let (code, _, err) = job(&["check-config"], &extra, env);
        assert_eq!(code, 3, "{err}");
        assert!(err.contains("--stattest needs the raw reference data"), "{err}");
        let (code, _, err) = job(&["run", "--as-of", "2026-11-19", "--dry-run"], &extra, env);
        assert_eq!(code, 3, "run agrees: {err}");
    }
    // A profile that is missing, or a directory: refused as a missing source is, and as run
    // refuses it (exit 3).
    for bad in [tmp.path().join("missing.json"), tmp.path().to_path_buf()] {
        let (code, _, err) = job(&["check-config"], &["--reference-profile", bad.to_str().unwrap()], None);
        assert_eq!(code, 3, "{err}");
        assert!(err.contains("sources.reference_profile"), "{err}");
        let (code, _, err) =
            job(&["run", "--as-of", "2026-11-19", "--dry-run"], &["--reference-profile", bad.to_str().unwrap()], None);
        assert_eq!(code, 3, "run agrees: {err}");
    }
    let (code, out, err) = job(&["check-config"], &["--reference-profile", p], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("config ok"), "{out}");
}

#[test]
fn fixtures_refuses_what_it_cannot_make_instead_of_panicking_or_writing_inf() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("p");
    let base = ["fixtures", "--start", "2026-06-01", "--end", "2026-09-01", "--force", "--out"];
    for (extra, says) in [
        (vec!["--symbols", "18446744073709551615"], "--symbols must be in"),
        (vec!["--rows", "18446744073709551615"], "--rows in"),
        (vec!["--symbols", "0"], "--symbols must be in"),
        (vec!["--market", "realistic", "--drift", "2026-08-01:2026-09-01:lscale=ret_1d*2"], "values ≤ 0"),
        (vec!["--drift", "2026-08-01:2026-09-01:lscale=volume_ratio_20d*1e6"], "infinite"),
        (vec!["--drift", "2026-08-01:2026-09-01:rshift=pe_ratio*1e308"], "infinite"),
        (vec!["--drift", "2026-08-01:2026-09-01:sector=Hydro Power*0.5"], "unknown sector `Hydro Power`"),
        (vec!["--drift", "2026-08-01:2026-09-01:bull=1e6"], "within ±0.1"),
    ] {
        let (code, _, err) = run(bin().args(base).arg(&out).args(&extra));
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains(says), "{extra:?}: {err}");
        assert!(err.contains("hint:"), "{err}");
    }
}

#[test]
fn rows_dated_beyond_the_calendar_are_never_counted_in_a_window() {
    // date32 reaches 2^31 - 1 days either side of 1970; chrono's calendar stops near year
    // 262,000. Rows dated at either end of date32 lie outside every window a user can name,
    // even one whose end is chrono's last day.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("f.parquet");
    let days = util::trading_days("2026-01-04", 40);
    let symbols = ["S0", "S1", "S2"];
    let mut dates: Vec<i32> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut values: Vec<Option<f64>> = Vec::new();
    for (i, day) in days.iter().enumerate() {
        for (k, s) in symbols.iter().enumerate() {
            dates.push(nepse_drift::load::date_to_days(*day));
            names.push((*s).to_owned());
            values.push(Some(((i * 7 + k * 3) % 17) as f64));
        }
    }
    for (far, symbol) in [(i32::MAX, "S0"), (i32::MAX, "S1"), (i32::MIN + 1, "S2"), (-1_000_000_000, "S0")] {
        dates.push(far);
        names.push(symbol.to_owned());
        values.push(Some(1.0));
    }
    let n = dates.len();
    write_parquet(
        &path,
        vec![
            ("as_of".into(), OutColumn::DateDays(dates)),
            ("symbol".into(), OutColumn::Str(names)),
            ("sector".into(), OutColumn::Str(vec!["Hydropower".to_owned(); n])),
            ("x".into(), OutColumn::F64(values)),
        ],
        1024,
    )
    .unwrap();
    let from = days[20].to_string();
    for to in [days[39].to_string(), "+262142-12-31".to_owned()] {
        for extra in [&[][..], &["--significance", "iid"][..]] {
            let (code, out, err) = run(bin()
                .args(["report", "--features", path.to_str().unwrap(), "--format", "json"])
                .args(["--from", &from, "--to", &to, "--as-of", &to, "--reference-from", &days[0].to_string()])
                .args(["--reference-to", &days[19].to_string()])
                .args(extra));
            assert_eq!(code, 0, "{err}");
            let json: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(json["windows"]["current"]["rows"], 60, "--to {to} {extra:?}: {out}");
            assert_eq!(json["windows"]["reference"]["rows"], 60, "--to {to} {extra:?}");
            assert_eq!(json["rows_read"]["features_current"], 60, "--to {to} {extra:?}");
            assert_eq!(json["drift"]["features"][0]["current_rows"], 60, "--to {to} {extra:?}");
        }
    }
}

/// `fixtures --force` writes its files together: a failure on one (a link to `/dev/full`)
/// leaves the others as they were; an `--out` that is a file is refused.
#[test]
fn fixtures_never_leave_a_mixed_set() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let generate = |extra: &[&str]| small_fixtures(out.to_str().unwrap(), extra);
    assert_eq!(generate(&[]).0, 0);
    let before = std::fs::read(out.join("features.parquet")).unwrap();
    std::fs::remove_file(out.join("predictions.parquet")).unwrap();
    std::os::unix::fs::symlink("/dev/full", out.join("predictions.parquet")).unwrap();
    let (code, _, err) = generate(&["--force", "--seed", "7"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("predictions.parquet"), "{err}");
    assert_eq!(std::fs::read(out.join("features.parquet")).unwrap(), before, "features unchanged");
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 3, "no temporary file left: {left:?}");
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let (code, _, err) = small_fixtures(file.to_str().unwrap(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("it is not a directory"), "{err}");
}

/// An empty `push.model` or grouping value would be pushed as a label Prometheus drops: both
/// are refused by check-config and run alike (exit 2).
#[test]
fn empty_push_labels_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for (extra, key) in [
        ("[push]\nmodel = \"\"\n", "push.model"),
        ("[push]\nmodel = \"  \"\n", "push.model"),
        ("[push.grouping]\nenv = \"\"\n", "push.grouping.env"),
        ("[push.grouping]\nenv = \"  \"\n", "push.grouping.env"),
        ("[push]\njob = \" \"\n", "push.job"),
    ] {
        let cfg = write_config(tmp.path(), Fixtures::Features, extra);
        for args in [vec!["check-config"], vec!["run", "--as-of", "2026-11-19", "--dry-run"]] {
            let err = bad(bin().args(&args).args(["--config", cfg.to_str().unwrap()]), 2, tmp.path());
            assert!(err.contains(key) && err.contains("must not be empty"), "{args:?}: {err}");
        }
    }
}

/// A flag clap refuses gets the project's shape too: one error line, then a hint (exit 2).
#[test]
fn a_flag_error_is_one_line_and_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let features = fixture("features.parquet");
    for (args, needle) in [
        (vec!["report", "--features", &features, "--as-of", "someday"], "invalid value 'someday' for '--as-of"),
        (vec!["report", "--features", &features, "--from", "2026-11-01"], "required arguments were not provided: --to"),
        (vec!["report", "--features", &features, "--stattest", "nope"], "invalid value 'nope' for '--stattest"),
        (vec!["report", "--features", &features, "-o", ""], "a value is required for '--output"),
        (vec!["backfill", "--at", "7:5"], "--at"),
    ] {
        let err = bad(bin().args(&args), 2, tmp.path());
        assert_eq!(err.lines().count(), 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(err.contains(&format!("hint: see `nepse-drift {} --help`", args[0])), "{args:?}: {err}");
    }
    // Help and version still print and exit 0.
    assert_eq!(run(bin().args(["report", "--help"])).0, 0);
    assert_eq!(run(bin().arg("--version")).0, 0);
}

/// A reference that ends after the current window is a look-ahead: refused by report (3), and a
/// backfill day before a profile's fitted window is skipped, never computed with it.
#[test]
fn a_reference_after_the_current_window_is_refused_as_look_ahead() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = fitted_profile(tmp.path());
    let features = fixture("features.parquet");
    for extra in [
        vec!["--reference-profile", profile.to_str().unwrap()],
        vec!["--reference-from", "2026-04-28", "--reference-to", "2026-10-13"],
    ] {
        let err =
            bad(bin().args(["report", "--features", &features, "--as-of", "2026-06-01"]).args(&extra), 3, tmp.path());
        assert!(err.contains("ends after the current window, which ends 2026-06-01"), "{extra:?}: {err}");
    }
    // Backfill across the profile's last day (2026-10-13): the day before it is skipped (exit 4,
    // some days skipped), the days from it on are written.
    let out = tmp.path().join("history.om");
    let (code, _, err) = run(bin()
        .args(["--quiet", "backfill", "--features", &features, "--reference-profile", profile.to_str().unwrap()])
        .args(["--from", "2026-10-12", "--to", "2026-10-15", "-o", out.to_str().unwrap()]));
    assert_eq!(code, 4, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let stamps: std::collections::BTreeSet<&str> = text
        .lines()
        .filter(|l| l.starts_with("feature_drift_psi{"))
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    assert_eq!(stamps.len(), 3, "2026-10-13 to 2026-10-15: {stamps:?}");
    // Dates asked past the data's end hold nothing after the current window: the features end
    // on Thursday 2026-11-19, and a reference or fitted window asked to the Saturday after is
    // the same days. It was refused as ending after the current window.
    let fitted = tmp.path().join("to-saturday.json");
    let fit = ["fit-reference", "--features", &features, "--from", "2026-05-03", "--to", "2026-11-21", "-o"];
    let (code, _, err) = run(bin().args(fit).arg(&fitted));
    assert_eq!(code, 0, "{err}");
    let args = ["report", "--features", &features, "--as-of", "2026-11-30", "--last", "5"];
    let (code, _, err) = run(bin().args(args).args(["--reference-from", "2026-05-03", "--reference-to", "2026-11-25"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("overlaps the current window"), "{err}");
}

/// `--bins` beside a profile fitted with other bins is refused, not silently ignored; the
/// profile's own number is accepted.
#[test]
fn bins_beside_a_profile_of_other_bins_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = fitted_profile(tmp.path());
    let report = |bins: &str| {
        let mut cmd = bin();
        cmd.args(["report", "--features", &fixture("features.parquet"), "--as-of", "2026-11-19"]).args([
            "--reference-profile",
            profile.to_str().unwrap(),
            "--bins",
            bins,
        ]);
        cmd
    };
    let err = bad(&mut report("5"), 3, tmp.path());
    assert!(err.contains("--bins (or [psi] bins) 5 asks for other bins than the 10"), "{err}");
    assert_eq!(run(&mut report("10")).0, 0);
}

#[test]
fn a_decimal_or_half_float_column_is_refused_by_name_not_a_panic() {
    // Polars, built without its decimal and float16 features, panics on these columns while
    // reading the schema; the footer check names them first.
    for (file, column) in [("decimal.parquet", "price"), ("float16.parquet", "half")] {
        let path = util::root().join("tests/it/data").join(file);
        let (code, _, err) = run(bin().args(["report", "--features"]).arg(&path).args(["--as-of", "2026-01-07"]));
        assert_eq!(code, 3, "{file}: {err}");
        assert!(
            err.contains(&format!("column `{column}` has dtype")) && err.contains("hint: cast the column"),
            "{err}"
        );
    }
}

#[test]
fn an_endless_file_as_a_small_input_is_refused_not_read_forever() {
    // `/dev/zero` as the result, config or profile grew to gigabytes and never ended.
    for (args, code) in [
        (vec!["push", "--result", "/dev/zero", "--dry-run"], 3),
        (vec!["check-config", "--config", "/dev/zero"], 2),
        (vec!["report", "--features", &fixture("features.parquet"), "--reference-profile", "/dev/zero"], 3),
    ] {
        let (got, _, err) = run(bin().args(&args));
        assert_eq!(got, code, "{args:?}: {err}");
        let line = err.lines().find(|l| l.contains("/dev/zero")).expect(&err);
        assert!(line.contains("larger than") && line.contains("MiB"), "{args:?}: {line}");
    }
    // As a Parquet source it was "empty (0 bytes), an interrupted write".
    let (code, _, err) = run(bin().args(["report", "--features", "/dev/zero", "--as-of", "2026-11-19"]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("/dev/zero") && err.contains("a device or FIFO") && !err.contains("empty"), "{err}");
}

#[test]
fn rows_without_a_date_are_refused_naming_the_file_and_column() {
    // A row without its trading day belongs to no window: it was dropped silently from a
    // window's scan (and counted when the window took the whole source).
    let tmp = tempfile::tempdir().unwrap();
    let days = crate::util::trading_days("2026-01-04", 60);
    let (mut dates, mut symbols, mut x) = (Vec::new(), Vec::new(), Vec::new());
    for (i, day) in days.iter().enumerate() {
        for s in 0..30 {
            dates.push(((i, s) != (10, 3)).then_some(*day));
            symbols.push(format!("S{s}"));
            x.push(Some(((i * 31 + s * 7) % 17) as f64));
        }
    }
    let path = tmp.path().join("undated.parquet");
    let columns = vec![
        ("as_of".into(), OutColumn::OptDate(dates)),
        ("symbol".into(), OutColumn::Str(symbols)),
        ("x".into(), OutColumn::F64(x)),
    ];
    write_parquet(&path, columns, 4096).unwrap();
    let last = days[days.len() - 1].to_string();
    let file = path.to_str().unwrap();
    for extra in [&["--features", file][..], &["--features", &fixture("features.parquet"), "--reference-source", file]]
    {
        let (code, _, err) = run(bin().arg("report").args(extra).args(["--as-of", &last, "--reference-last", "40"]));
        assert_eq!(code, 3, "{extra:?}: {err}");
        let line = err.lines().find(|l| l.starts_with("error:")).expect(&err);
        assert!(line.contains("undated.parquet") && line.contains(" 1 row(s)") && line.contains("as_of"), "{line}");
        assert!(err.contains("hint:"), "{err}");
    }
    // A directory of files: the file that holds them is named too.
    let dir = tmp.path().join("daily");
    std::fs::create_dir(&dir).unwrap();
    for (name, part) in [("a.parquet", 0..30), ("b.parquet", 30..60)] {
        let rows = part.start * 30..part.end * 30;
        let columns = vec![
            (
                "as_of".into(),
                OutColumn::OptDate(rows.clone().map(|r| (r != 40 * 30 + 3).then_some(days[r / 30])).collect()),
            ),
            ("symbol".into(), OutColumn::Str(rows.clone().map(|r| format!("S{}", r % 30)).collect())),
            ("x".into(), OutColumn::F64(rows.map(|r| Some((r % 17) as f64)).collect())),
        ];
        write_parquet(&dir.join(name), columns, 4096).unwrap();
    }
    let (code, _, err) =
        run(bin().args(["report", "--features"]).arg(&dir).args(["--as-of", &last, "--reference-last", "40"]));
    assert_eq!(code, 3, "{err}");
    let line = err.lines().find(|l| l.starts_with("error:")).expect(&err);
    assert!(line.contains(" 1 row(s)") && line.contains("b.parquet") && !line.contains("a.parquet"), "{line}");
    // Predictions too: one was skipped where a window was read.
    let days = crate::util::trading_days("2026-11-01", 10);
    let n = days.len() * 5;
    let preds = tmp.path().join("undated_predictions.parquet");
    let columns = vec![
        ("as_of".into(), OutColumn::OptDate((0..n).map(|i| (i != 7).then_some(days[i / 5])).collect())),
        ("symbol".into(), OutColumn::Str((0..n).map(|i| format!("S{}", i % 5)).collect())),
        ("predicted_proba".into(), OutColumn::F64(vec![Some(0.5); n])),
    ];
    write_parquet(&preds, columns, 4096).unwrap();
    let (code, _, err) = run(bin()
        .args(["report", "--features", &fixture("features.parquet"), "--predictions"])
        .arg(&preds)
        .args(["--as-of", "2026-11-19"]));
    assert_eq!(code, 3, "{err}");
    let line = err.lines().find(|l| l.starts_with("error:")).expect(&err);
    assert!(line.contains("undated_predictions.parquet") && line.contains(" 1 row(s)"), "{line}");
}

#[test]
fn a_failed_dry_run_does_not_say_it_pushes() {
    // It logged "pushing only the failure timestamp" and pushed nothing (rightly: a dry run).
    let (code, _, err) =
        run(bin().args(["run", "--features", &fixture("features.parquet"), "--as-of", "2020-01-01", "--dry-run"]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("run failed") && !err.contains("pushing"), "{err}");
    assert!(err.contains("nothing pushed (--dry-run)"), "{err}");
}

#[test]
fn fixtures_over_days_without_trading_are_refused_not_written_empty() {
    // A Friday and a Saturday: 0 rows were written, exit 0.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("gen");
    let (code, _, err) =
        run(bin().args(["fixtures", "--out"]).arg(&out).args(["--start", "2026-11-20", "--end", "2026-11-21"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("2026-11-20") && err.contains("no trading day"), "{err}");
    assert!(!out.exists(), "nothing made, not even the directory");
}

#[test]
fn a_row_dated_in_the_future_does_not_silence_stale_data() {
    // A later day in the data proves a gap was a holiday only once it is past: a typo'd row far
    // ahead (or one written early) set the lag to 0 and silenced DriftDataStale.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("features");
    std::fs::create_dir(&dir).unwrap();
    let write = |name: &str, days: &[chrono::NaiveDate]| {
        let (mut dates, mut symbols, mut x) = (Vec::new(), Vec::new(), Vec::new());
        for (i, day) in days.iter().enumerate() {
            for s in 0..20 {
                dates.push(*day);
                symbols.push(format!("S{s}"));
                x.push(Some(((i * 13 + s * 7) % 11) as f64));
            }
        }
        let columns = vec![
            ("as_of".into(), OutColumn::Date(dates)),
            ("symbol".into(), OutColumn::Str(symbols)),
            ("x".into(), OutColumn::F64(x)),
        ];
        write_parquet(&dir.join(name), columns, 4096).unwrap();
    };
    let days = crate::util::trading_days("2026-04-05", 160);
    write("a.parquet", &days);
    let last = *days.last().unwrap();
    let as_of = (last + chrono::Days::new(7)).to_string();
    let lag = || {
        let (code, out, err) =
            run(bin().args(["report", "--features"]).arg(&dir).args(["--as-of", &as_of, "--format", "json"]));
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["data_lag_trading_days"].clone()
    };
    assert_eq!(lag(), 5);
    write("b.parquet", &[crate::util::d("2099-01-04")]);
    assert_eq!(lag(), 5, "a day after today is no evidence of a holiday");
}

/// A hive panel of six days, one folder a day, whose files also hold the date column, in row
/// groups of `group` rows; `date_of` gives the file's own dates for day `i` (30 rows).
fn hive_with_dates(
    dir: &std::path::Path,
    group: usize,
    date_of: impl Fn(usize, chrono::NaiveDate) -> Vec<Option<chrono::NaiveDate>>,
) -> Vec<chrono::NaiveDate> {
    let days = util::trading_days("2026-11-01", 6);
    for (i, day) in days.iter().enumerate() {
        write_parquet(
            &dir.join(format!("as_of={day}")).join("part-0.parquet"),
            vec![
                ("as_of".into(), OutColumn::OptDate(date_of(i, *day))),
                ("symbol".into(), OutColumn::Str((0..30).map(|k| format!("S{k}")).collect())),
                ("x".into(), OutColumn::F64((0..30).map(|k| Some(f64::from(k))).collect())),
            ],
            group,
        )
        .unwrap();
    }
    days
}

#[test]
fn a_file_whose_dates_disagree_with_its_hive_folder_is_refused_by_every_command() {
    // report read the file's column (direct reader) and backfill the folder's (lazy scan): the
    // two commands saw different days. Now neither reads such a source.
    let tmp = tempfile::tempdir().unwrap();
    let next = |day: chrono::NaiveDate| day + chrono::Days::new(1);
    let days =
        hive_with_dates(tmp.path(), 1024, |i, day| vec![Some(if i == 3 || i == 4 { next(day) } else { day }); 30]);
    let dir = tmp.path().to_str().unwrap().to_owned();
    let glob = format!("{dir}/*/*.parquet");
    let file = tmp.path().join(format!("as_of={}", days[3])).join("part-0.parquet");
    let want = format!(
        "{}: 30 row(s) of the date column `as_of` hold another day than its folder `as_of={}` (the first: {}); \
         1 more file(s) of the source do too",
        file.display(),
        days[3],
        next(days[3]),
    );
    let as_of = days[5].to_string();
    let window = ["--last", "2", "--reference-last", "3"];
    for (command, source) in [("report", &dir), ("report", &glob), ("backfill", &dir)] {
        let mut cmd = bin();
        cmd.args([command, "--features", source]).args(window);
        if command == "report" {
            cmd.args(["--as-of", &as_of]);
        } else {
            cmd.args(["--from", &as_of, "--to", &as_of, "-o", "-"]);
        }
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, 3, "{command} {source}: {err}");
        assert!(out.is_empty(), "{out}");
        assert!(err.contains(&want), "{command} {source}: {err}");
        assert!(err.contains("hint: "), "{err}");
    }
    // A row without a date among many, in a file of several row groups: the folder does not
    // date it.
    let tmp = tempfile::tempdir().unwrap();
    let days = hive_with_dates(tmp.path(), 8, |i, day| (0..30).map(|k| (i != 2 || k != 17).then_some(day)).collect());
    let as_of = days[5].to_string();
    let (code, _, err) = run(bin()
        .args(["backfill", "--features", tmp.path().to_str().unwrap()])
        .args(window)
        .args(["--from", &as_of, "--to", &as_of, "-o", "-"]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("1 row(s) of the date column `as_of` hold another day than its folder"), "{err}");
    assert!(err.contains("(the first: null)"), "{err}");
    // A folder's value as polars reads it, percent-decoded: still that day.
    let tmp = tempfile::tempdir().unwrap();
    let days = hive_with_dates(tmp.path(), 1024, |i, day| vec![Some(if i == 2 { next(day) } else { day }); 30]);
    let plain = tmp.path().join(format!("as_of={}", days[2]));
    let encoded = tmp.path().join(format!("as_of={}", days[2].to_string().replace('-', "%2D")));
    std::fs::rename(&plain, &encoded).unwrap();
    let (code, _, err) = run(bin()
        .args(["report", "--features", tmp.path().to_str().unwrap()])
        .args(window)
        .args(["--as-of", &days[5].to_string()]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains(&format!("{}: 30 row(s)", encoded.join("part-0.parquet").display())), "{err}");
    // Agreeing and encoded: read as the plain folders are.
    let tmp = tempfile::tempdir().unwrap();
    let days = hive_with_dates(tmp.path(), 1024, |_, day| vec![Some(day); 30]);
    let encoded = tmp.path().join(format!("as_of={}", days[1].to_string().replace('-', "%2D")));
    std::fs::rename(tmp.path().join(format!("as_of={}", days[1])), encoded).unwrap();
    let (code, out, err) = run(bin()
        .args(["report", "--features", tmp.path().to_str().unwrap(), "--format", "json"])
        .args(["--last", "2", "--reference-last", "4", "--as-of", &days[5].to_string()]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["windows"]["reference"]["rows"], 120, "{out}");
    // A null folder (polars' `__HIVE_DEFAULT_PARTITION__`) over a file with dates: the folder
    // would null them for backfill and the file date them for report.
    let null = tmp.path().join("as_of=__HIVE_DEFAULT_PARTITION__");
    std::fs::rename(tmp.path().join(format!("as_of={}", days[0])), &null).unwrap();
    let (code, _, err) = run(bin()
        .args(["report", "--features", tmp.path().to_str().unwrap()])
        .args(window)
        .args(["--as-of", &days[5].to_string()]));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(&format!(
            "{}: 30 row(s) of the date column `as_of` hold another day than its folder `as_of=__HIVE_DEFAULT_PARTITION__` (the first: {})",
            null.join("part-0.parquet").display(),
            days[0]
        )),
        "{err}"
    );
    // Layouts polars would not date as the files do, named in our words (polars' own errors
    // name no file): a folder that is not a day, a file beside the folders, folders nested.
    let tmp = tempfile::tempdir().unwrap();
    let days = hive_with_dates(tmp.path(), 1024, |_, day| vec![Some(day); 30]);
    let src = tmp.path().to_str().unwrap().to_owned();
    let report = |want: &str| {
        let (code, _, err) =
            run(bin().args(["report", "--features", &src]).args(window).args(["--as-of", &days[5].to_string()]));
        assert_eq!(code, 3, "{err}");
        assert!(err.contains(want), "{want}: {err}");
        assert!(err.contains("hint: a hive source keeps every file in exactly one folder"), "{err}");
    };
    let first_folder = tmp.path().join(format!("as_of={}", days[0]));
    let foo = tmp.path().join("as_of=foo");
    std::fs::rename(&first_folder, &foo).unwrap();
    report(&format!(
        "{}: its folder `as_of=foo` is not a day (such as 2026-11-20)",
        foo.join("part-0.parquet").display()
    ));
    std::fs::rename(&foo, &first_folder).unwrap();
    // Another of polars' day formats is read, but one format for every folder.
    let dotted = tmp.path().join(format!("as_of={}", days[2].format("%d.%m.%Y")));
    std::fs::rename(tmp.path().join(format!("as_of={}", days[2])), &dotted).unwrap();
    report("writes its day unlike");
    std::fs::rename(&dotted, tmp.path().join(format!("as_of={}", days[2]))).unwrap();
    let loose = tmp.path().join("loose.parquet");
    std::fs::copy(first_folder.join("part-0.parquet"), &loose).unwrap();
    report(&format!("{}: it lies outside the `as_of=DAY` folders the rest of the source is in", loose.display()));
    std::fs::remove_file(&loose).unwrap();
    let nested = tmp.path().join(format!("as_of={}", days[1])).join(format!("as_of={}", days[1]));
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::copy(first_folder.join("part-0.parquet"), nested.join("part-1.parquet")).unwrap();
    report("holds another `as_of=` folder: partitions cannot nest");
    // Agreeing dates are read as before, and a folder above the directory given is not a
    // partition (polars' hive partitions start below it).
    let tmp = tempfile::tempdir().unwrap();
    let panel = tmp.path().join("as_of=2020-01-01").join("panel");
    let days = hive_with_dates(&panel, 8, |_, day| vec![Some(day); 30]);
    let (code, out, err) = run(bin()
        .args(["report", "--features", panel.to_str().unwrap(), "--format", "json"])
        .args(window)
        .args(["--as-of", &days[5].to_string()]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["windows"]["current"]["rows"], 60, "{out}");
}
