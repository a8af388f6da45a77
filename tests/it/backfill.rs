//! `backfill` end to end with the real tools: the OpenMetrics text it writes for 73 trading
//! days of the fixtures goes through `promtool tsdb create-blocks-from openmetrics` into a real
//! Prometheus, whose HTTP API then holds exactly one sample per trading day, each equal bit for
//! bit to `report --as-of DAY`, and answers every time-series panel of the Grafana dashboard
//! over the whole range. Then the command's own contract: reading each source once, its errors
//! and its skipped days.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::util::servers::Server;
use crate::util::tools::PROMTOOL;
use crate::util::{Fixtures, bin, fixture, root, run, scrub, write_config};
use chrono::{Datelike, NaiveDate, Weekday};
use polars::prelude::*;
use serde_json::Value;

const FROM: &str = "2026-08-01";
const TO: &str = "2026-11-19";

/// Unix seconds of 16:30 in Kathmandu (UTC+05:45) on `day`: 10:45 UTC.
fn half_past_four_npt(day: NaiveDate) -> i64 {
    day.and_hms_opt(10, 45, 0).unwrap().and_utc().timestamp()
}

/// The trading days of the features fixture in `[from, to]`, read with polars here.
fn fixture_days(from: &str, to: &str) -> Vec<NaiveDate> {
    let (from, to): (NaiveDate, NaiveDate) = (from.parse().unwrap(), to.parse().unwrap());
    let df = LazyFrame::scan_parquet(PlRefPath::new(fixture("features.parquet")), ScanArgsParquet::default())
        .unwrap()
        .select([col("as_of").cast(DataType::Int32)])
        .collect()
        .unwrap();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let days: BTreeSet<NaiveDate> = df
        .column("as_of")
        .unwrap()
        .i32()
        .unwrap()
        .iter()
        .flatten()
        .map(|d| epoch + chrono::Days::new(u64::try_from(d).unwrap()))
        .filter(|d| (from..=to).contains(d))
        .collect();
    days.into_iter().collect()
}

fn get(prom: &Server, path: &str, params: &[(&str, String)]) -> Vec<Value> {
    let v: Value = reqwest::blocking::Client::new()
        .get(format!("{}{path}", prom.url))
        .query(params)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(v["status"], "success", "{params:?}: {v}");
    v["data"]["result"].as_array().cloned().unwrap_or_default()
}

/// Every raw sample of the series `selector` selects, by series (its labels as JSON text):
/// (Unix seconds, value).
fn raw_samples(prom: &Server, selector: &str, at: i64) -> BTreeMap<String, Vec<(i64, f64)>> {
    get(prom, "/api/v1/query", &[("query", format!("{selector}[200d]")), ("time", at.to_string())])
        .into_iter()
        .map(|series| {
            let points = series["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_f64().unwrap() as i64, p[1].as_str().unwrap().parse::<f64>().unwrap()))
                .collect();
            (series["metric"].to_string(), points)
        })
        .collect()
}

/// The config file of the fixtures in `dir`, as an argument.
fn config(dir: &Path) -> String {
    write_config(dir, Fixtures::All, "").display().to_string()
}

#[test]
fn a_backfilled_range_reaches_prometheus_one_sample_per_trading_day() {
    let tmp = tempfile::tempdir().unwrap();
    // With multivariate drift, so that its panel has a series to draw.
    let cfg = write_config(tmp.path(), Fixtures::All, "[features]\nmultivariate = true\n").display().to_string();
    let text = tmp.path().join("history.om");
    let (code, _, err) = run(bin().args(["backfill", "--config", &cfg, "--from", FROM, "--to", TO, "-o"]).arg(&text));
    assert_eq!(code, 0, "{err}");

    let blocks = tmp.path().join("blocks");
    let Some(promtool) = PROMTOOL.find() else { return };
    let out = Command::new(promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&text)
        .arg(&blocks)
        .output()
        .unwrap();
    assert!(out.status.success(), "promtool: {}", String::from_utf8_lossy(&out.stderr));
    let Some(prom) = Server::prometheus_on_blocks(&blocks) else { return };

    let days = fixture_days(FROM, TO);
    assert!(days.len() >= 60, "{} trading days", days.len());
    let times: Vec<i64> = days.iter().map(|d| half_past_four_npt(*d)).collect();
    let after = times[times.len() - 1] + 3600;

    // Exactly one sample per trading day, at 16:30 Nepal time, for every feature and the model.
    let psi = raw_samples(&prom, "feature_drift_psi", after);
    assert_eq!(psi.len(), 11, "one series per feature: {:?}", psi.keys());
    let accuracy = raw_samples(&prom, "model_accuracy", after);
    assert_eq!(accuracy.len(), 1);
    for (series, points) in psi.iter().chain(&accuracy) {
        assert!(series.contains(r#""job":"nepse_drift""#) && series.contains(r#""model":"xgb-2026.03""#), "{series}");
        let at: Vec<i64> = points.iter().map(|p| p.0).collect();
        assert_eq!(at, times, "{series}");
        for t in at {
            let nepal = chrono::DateTime::from_timestamp(t + 20_700, 0).unwrap().date_naive();
            assert!(!matches!(nepal.weekday(), Weekday::Fri | Weekday::Sat), "{series}: a sample on {nepal}");
        }
    }
    // No sample on a holiday inside the range (a Sunday–Thursday date absent from the data).
    let holidays: Vec<NaiveDate> = days[0]
        .iter_days()
        .take_while(|d| d <= &days[days.len() - 1])
        .filter(|d| !matches!(d.weekday(), Weekday::Fri | Weekday::Sat) && !days.contains(d))
        .collect();
    assert!(!holidays.is_empty(), "the range holds Dashain and Tihar");
    for holiday in &holidays {
        let t = half_past_four_npt(*holiday);
        assert!(psi.values().chain(accuracy.values()).all(|points| points.iter().all(|p| p.0 != t)), "{holiday}");
    }

    // Concept drift: quiet on every day before the model's skill was removed (2026-10-14), and
    // called on the last day, when the whole performance window has lost it.
    let concept = raw_samples(&prom, "model_concept_drift_detected", after);
    let (_, points) = concept.iter().next().expect("model_concept_drift_detected");
    let skill_removed = half_past_four_npt(NaiveDate::from_ymd_opt(2026, 10, 14).unwrap());
    assert_eq!(points.len(), times.len());
    assert!(points.iter().filter(|p| p.0 < skill_removed).all(|p| p.1 == 0.0), "{points:?}");
    assert_eq!(points.last().map(|p| p.1), Some(1.0));

    // Three days, bit for bit equal to `report --as-of DAY`.
    let value_at = |points: &[(i64, f64)], t: i64| points.iter().find(|p| p.0 == t).unwrap().1;
    for day in [days[0], days[days.len() / 2], days[days.len() - 1]] {
        let (code, json, err) =
            run(bin().args(["report", "--config", &cfg, "--as-of", &day.to_string(), "--format", "json"]));
        assert_eq!(code, 0, "{err}");
        let report: Value = serde_json::from_str(&json).unwrap();
        let t = half_past_four_npt(day);
        for f in report["drift"]["features"].as_array().unwrap() {
            let name = f["feature"].as_str().unwrap();
            let (_, points) = psi.iter().find(|(k, _)| k.contains(&format!(r#""feature":"{name}""#))).unwrap();
            assert_eq!(value_at(points, t).to_bits(), f["psi"].as_f64().unwrap().to_bits(), "{name} on {day}");
        }
        let expected = report["performance"]["overall"]["metrics"]["accuracy"].as_f64().unwrap();
        assert_eq!(value_at(&accuracy.values().next().unwrap()[..], t).to_bits(), expected.to_bits(), "{day}");
    }

    // Every time-series panel of the dashboard draws the whole range, as Grafana asks for it (a
    // range query at an hourly step): a value in the 24 hours after each day's sample.
    let dash: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("monitoring/grafana/dashboards/nepse-drift.json")).unwrap(),
    )
    .unwrap();
    let mut panels = 0;
    for panel in dash["panels"].as_array().unwrap().iter().filter(|p| p["type"] == "timeseries") {
        panels += 1;
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap().replace("$job", "nepse_drift").replace("$model", "xgb-2026.03");
            let series = get(
                &prom,
                "/api/v1/query_range",
                &[
                    ("query", expr.clone()),
                    ("start", times[0].to_string()),
                    ("end", (after + 86_400).to_string()),
                    ("step", "3600".into()),
                ],
            );
            assert!(!series.is_empty(), "panel {}: `{expr}` returned nothing", panel["title"]);
            let drawn: Vec<i64> = series
                .iter()
                .flat_map(|s| s["values"].as_array().unwrap().iter().map(|p| p[0].as_f64().unwrap() as i64))
                .collect();
            for t in &times {
                assert!(
                    drawn.iter().any(|x| (*t..t + 86_400).contains(x)),
                    "panel {}: `{expr}` draws nothing in the day after {t}",
                    panel["title"]
                );
            }
        }
    }
    assert_eq!(panels, 10);
}

/// The log lines of a JSON-logged run whose message is `message`.
fn log_lines(stderr: &str, message: &str) -> Vec<Value> {
    stderr.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).filter(|v| v["message"] == message).collect()
}

#[test]
fn the_full_range_reads_each_source_once_and_skips_the_days_without_history() {
    let tmp = tempfile::tempdir().unwrap();
    // The iid test: the same reads, a fraction of the debug build's time.
    let cfg = write_config(tmp.path(), Fixtures::All, "[psi]\nsignificance = \"iid\"\n");
    let text = tmp.path().join("history.om");
    let (code, _, err) = run(bin()
        .args(["--log-format", "json", "backfill", "--config"])
        .arg(&cfg)
        .args(["--from", "2024-01-01", "--to", "2026-12-31", "-o"])
        .arg(&text));
    assert_eq!(code, 4, "days were skipped: {err}");
    let reads: BTreeMap<String, u64> = log_lines(&err, "read once for the whole range")
        .iter()
        .map(|v| (v["dataset"].as_str().unwrap().to_owned(), v["rows"].as_u64().unwrap()))
        .collect();
    // Every row of every file (the fixtures README's counts), once.
    assert_eq!(
        reads,
        BTreeMap::from([("features".into(), 65_800), ("outcomes".into(), 65_700), ("predictions".into(), 65_800)])
    );
    assert_eq!(log_lines(&err, "read once for the whole range").len(), 3);

    let all = fixture_days("2024-01-01", "2026-12-31");
    assert_eq!(all.len(), 658);
    let skipped: Vec<String> = log_lines(&err, "day skipped: its windows cannot be formed from the data")
        .iter()
        .map(|v| v["as_of"].as_str().unwrap().to_owned())
        .collect();
    // The first 20 days: their current window starts on the data's first day, with no day before.
    let first_20: Vec<String> = all[..20].iter().map(ToString::to_string).collect();
    assert_eq!(skipped, first_20);
    let written = std::fs::read_to_string(&text).unwrap();
    let psi_times: BTreeSet<i64> = written
        .lines()
        .filter(|l| l.starts_with("feature_drift_psi{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    let expected: BTreeSet<i64> = all[20..].iter().map(|d| half_past_four_npt(*d)).collect();
    assert_eq!(psi_times, expected, "a sample for every day but the skipped ones");
    assert!(written.ends_with("# EOF\n"));
    // What a backfill is not: a run. Its job-health gauges are not written.
    assert!(!written.contains("nepse_drift_last_success_timestamp_seconds"));
    assert!(!written.contains("nepse_drift_run_duration_seconds"));
}

#[test]
fn bad_ranges_are_refused_with_the_dates() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path());
    let out = tmp.path().join("x.om");
    let cases = [
        ("reversed", vec!["--from", "2026-11-19", "--to", "2026-08-01"], 2),
        ("a weekend", vec!["--from", "2026-11-20", "--to", "2026-11-21"], 3),
        ("after the data", vec!["--from", "2027-01-01", "--to", "2027-01-31"], 3),
        ("before the data", vec!["--from", "2020-01-01", "--to", "2020-12-31"], 3),
        // The data's first days: every one of them lacks its 120-day reference, as for `run`.
        ("every day skipped", vec!["--from", "2024-05-01", "--to", "2024-05-10"], 3),
        ("an unpadded time of day", vec!["--from", FROM, "--to", TO, "--at", "7:5"], 2),
        ("a bad time of day", vec!["--from", FROM, "--to", TO, "--at", "25:00"], 2),
    ];
    for (name, args, expected) in cases {
        let (code, stdout, err) =
            run(bin().args(["--quiet", "backfill", "--config", &cfg]).args(&args).arg("-o").arg(&out));
        assert_eq!(code, expected, "{name}: {err}");
        assert!(stdout.is_empty());
        assert!(!out.exists(), "{name}: nothing written");
        insta::assert_snapshot!(format!("backfill_{}", name.replace(' ', "_")), scrub(&err, tmp.path()));
    }
}

#[test]
fn an_output_that_cannot_be_written_is_named_and_nothing_is_left() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path());
    let dir = tmp.path().join("a-directory");
    std::fs::create_dir(&dir).unwrap();
    // A missing directory cannot be written (1); a directory is refused by the output rule (2).
    for (name, out, expected) in
        [("missing_parent", tmp.path().join("missing/x.om"), 1), ("a_directory", dir.clone(), 2)]
    {
        let (code, _, err) = run(bin()
            .args(["--quiet", "backfill", "--config", &cfg, "--from", "2026-11-19", "--to", "2026-11-19", "-o"])
            .arg(&out));
        assert_eq!(code, expected, "{name}: {err}");
        insta::assert_snapshot!(format!("backfill_output_{name}"), scrub(&err, tmp.path()));
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "no temporary file left in the directory");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "only the config and the directory: {left:?}");
}

#[test]
fn an_output_onto_a_parquet_file_is_refused_and_the_data_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path());
    // A careless `-o` onto the data itself (here a copy of the features).
    let data = tmp.path().join("features.parquet");
    std::fs::copy(fixture("features.parquet"), &data).unwrap();
    let before = std::fs::read(&data).unwrap();
    let (code, _, err) = run(bin()
        .args(["--quiet", "backfill", "--config", &cfg, "--from", "2026-11-19", "--to", "2026-11-19", "-o"])
        .arg(&data));
    assert_eq!(code, 2, "{err}");
    insta::assert_snapshot!("backfill_output_onto_parquet", scrub(&err, tmp.path()));
    assert_eq!(std::fs::read(&data).unwrap(), before, "the data is untouched");
    // An earlier backfill's text is replaced as asked.
    let text = tmp.path().join("history.om");
    std::fs::write(&text, "# EOF\n").unwrap();
    let (code, _, err) = run(bin()
        .args(["--quiet", "backfill", "--config", &cfg, "--from", "2026-11-19", "--to", "2026-11-19", "-o"])
        .arg(&text));
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&text).unwrap().len() > 1000);
}

#[test]
fn the_sample_time_is_configurable_and_stdout_takes_the_text() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path());
    let (code, text, err) = run(bin().args([
        "backfill",
        "--config",
        &cfg,
        "--from",
        "2026-11-19",
        "--to",
        "2026-11-19",
        "--at",
        "15:05",
        "-o",
        "-",
    ]));
    assert_eq!(code, 0, "{err}");
    // 15:05 in Kathmandu is 09:20 UTC.
    let t = NaiveDate::from_ymd_opt(2026, 11, 19).unwrap().and_hms_opt(9, 20, 0).unwrap().and_utc().timestamp();
    let samples: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(samples.len() > 100);
    assert!(samples.iter().all(|l| l.ends_with(&format!(" {t}"))), "{}", samples[0]);
    assert!(
        text.contains(&format!(
            "nepse_drift_data_lag_trading_days{{job=\"nepse_drift\",model=\"xgb-2026.03\"}} 0 {t}\n"
        ))
    );
}

#[test]
fn a_reference_that_overlaps_the_days_is_warned_about_once() {
    // `run` warns of a reference overlapping its current window; a backfill of the same
    // settings said nothing, on any day. One line for the range, not one a day.
    let tmp = tempfile::tempdir().unwrap();
    let features = crate::util::fixture("features.parquet");
    let out = tmp.path().join("x.om");
    let reference = ["--reference-from", "2026-06-01", "--reference-to", "2026-11-12"];
    let args = ["--features", &features, "--from", "2026-11-15", "--to", "2026-11-19", "-o"];
    let (code, _, err) = run(bin().arg("backfill").args(reference).args(args).arg(&out));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("overlaps")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("on 5 of the 5 days backfilled") && lines[0].contains("hint:"), "{}", lines[0]);
    // The default reference, the days before each current window: no warning.
    let (code, _, err) = run(bin().arg("backfill").args(args).arg(&out));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("overlaps"), "{err}");
}
