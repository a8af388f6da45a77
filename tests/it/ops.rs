//! The operations kit, checked by the real tools: the crontab's schedule, the `CronJob`'s
//! arguments and config, promtool on the Prometheus config and rules (with rule unit tests),
//! amtool on the Alertmanager config, and the Grafana dashboard's datasource wiring.

use std::path::Path;
use std::process::Command;

use crate::util::tools::{AMTOOL, PROMTOOL};
use crate::util::{self, bin, fixture, root, run};
use serde_json::Value;

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// Parses a cron field of numbers, ranges and lists into the values it allows.
fn field(text: &str, lo: u32, hi: u32) -> Vec<u32> {
    if text == "*" {
        return (lo..=hi).collect();
    }
    let mut out = Vec::new();
    for part in text.split(',') {
        let (a, b) = part.split_once('-').map_or((part, part), |(a, b)| (a, b));
        let (a, b): (u32, u32) = (a.parse().expect("number"), b.parse().expect("number"));
        assert!(lo <= a && a <= b && b <= hi, "{part} outside {lo}-{hi}");
        out.extend(a..=b);
    }
    out
}

/// The args after `nepse-drift` in a cron command, up to a redirection or pipe.
fn nepse_args(command: &str) -> Vec<String> {
    let after = command.split_once("nepse-drift ").expect("runs nepse-drift").1;
    after
        .split_whitespace()
        .take_while(|w| !w.starts_with('>') && *w != "|" && *w != "2>&1")
        .map(String::from)
        .collect()
}

fn assert_accepted(args: &[String]) {
    let (code, out, err) = run(bin().args(args).arg("--help"));
    assert_eq!(code, 0, "nepse-drift rejects {args:?}: {err}");
    assert!(out.contains("Usage: nepse-drift run"), "{out}");
}

#[test]
fn crontab_runs_after_the_close_on_trading_days_under_flock() {
    let text = read("cron/crontab");
    assert!(text.lines().any(|l| l == "CRON_TZ=Asia/Kathmandu"));
    let mut jobs = 0;
    for line in text.lines() {
        let line = line.trim_start_matches("# ").trim();
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 6 || !line.contains("nepse-drift run") {
            continue;
        }
        jobs += 1;
        let minutes = field(fields[0], 0, 59);
        let hours = field(fields[1], 0, 23);
        assert_eq!((fields[2], fields[3]), ("*", "*"), "{line}");
        assert_eq!(field(fields[4], 0, 7), vec![0, 1, 2, 3, 4], "Sunday–Thursday: {line}");
        assert_eq!((minutes.len(), hours.len()), (1, 1), "once a day: {line}");
        // In Nepal time, or in UTC for the UTC variant: either way after the 15:00 NPT close.
        let npt_minutes =
            if line.starts_with("45 10") { hours[0] * 60 + minutes[0] + 345 } else { hours[0] * 60 + minutes[0] };
        assert!(npt_minutes >= 15 * 60 + 30, "runs at least 30 min after the close: {line}");
        assert!(fields[5..].join(" ").starts_with("flock -n "), "wrapped in flock: {line}");
        assert!(line.contains(">> /var/log/nepse-drift/run.log") || line.contains("systemd-cat"), "logs kept: {line}");
        assert_accepted(&nepse_args(line));
    }
    assert_eq!(jobs, 3, "the active entry and its two documented variants");
}

#[test]
fn cronjob_args_and_configmap_are_accepted_by_the_binary() {
    let text = read("cron/k8s/nepse-drift.yaml");
    let args_line = text.lines().find(|l| l.trim_start().starts_with("args: [")).unwrap();
    let args: Vec<String> = serde_json::from_str(args_line.trim_start().trim_start_matches("args: ")).unwrap();
    assert_accepted(&args);
    assert!(text.contains("timeZone: Asia/Kathmandu") && text.contains("schedule: \"30 16 * * 0-4\""));
    assert!(text.contains("concurrencyPolicy: Forbid"));

    // The ConfigMap's TOML, with its paths pointed at the fixtures, passes check-config.
    let toml: String = text
        .lines()
        .skip_while(|l| !l.contains("nepse-drift.toml: |"))
        .skip(1)
        .take_while(|l| l.starts_with("    ") || l.is_empty())
        .fold(String::new(), |mut acc, l| {
            acc.push_str(l.strip_prefix("    ").unwrap_or(l));
            acc.push('\n');
            acc
        });
    assert!(toml.contains("[push]"));
    let tmp = tempfile::tempdir().unwrap();
    let password = tmp.path().join("password");
    std::fs::write(&password, "x").unwrap();
    let toml = toml
        .replace("/data/features", &fixture("features.parquet"))
        .replace("/data/predictions", &fixture("predictions.parquet"))
        .replace("/data/outcomes", &fixture("outcomes.parquet"))
        .replace("/data/results", &tmp.path().join("results").display().to_string())
        .replace("/var/run/secrets/pushgateway/password", &password.display().to_string());
    let cfg = tmp.path().join("nepse-drift.toml");
    std::fs::write(&cfg, toml).unwrap();
    let (code, out, err) = run(bin().args(["check-config", "--config", &cfg.display().to_string()]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("push http://pushgateway.monitoring.svc:9091/"), "{out}");
}

/// Runs `binary args` in `monitoring/`, which must succeed: its stdout and stderr.
fn tool(binary: &Path, args: &[&str]) -> String {
    let out = Command::new(binary).args(args).current_dir(root().join("monitoring")).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{} {args:?} failed:\n{text}", binary.display());
    text
}

#[test]
fn promtool_checks_config_and_rules_and_runs_the_rule_tests() {
    let Some(promtool) = PROMTOOL.find() else { return };
    tool(&promtool, &["check", "config", "prometheus.yml"]);
    let rules = tool(&promtool, &["check", "rules", "rules/nepse-drift.rules.yml"]);
    assert!(rules.contains("SUCCESS: 23 rules found"), "{rules}");
    let tests = tool(&promtool, &["test", "rules", "tests/nepse-drift.rules.test.yml"]);
    assert!(tests.contains("SUCCESS"), "{tests}");
}

#[test]
fn amtool_checks_the_alertmanager_config() {
    let Some(amtool) = AMTOOL.find() else { return };
    let out = tool(&amtool, &["check-config", "alertmanager.yml"]);
    assert!(out.contains("SUCCESS") && out.contains("2 inhibit rules"), "{out}");
}

#[test]
fn every_alert_has_a_runbook_section() {
    let rules = read("monitoring/rules/nepse-drift.rules.yml");
    let runbooks = read("monitoring/runbooks.md");
    let alerts: Vec<&str> = rules.lines().filter_map(|l| l.trim().strip_prefix("- alert: ")).collect();
    assert_eq!(alerts.len(), 15);
    let tests = read("monitoring/tests/nepse-drift.rules.test.yml");
    for a in alerts {
        assert!(tests.contains(&format!("alertname: {a}\n")), "no promtool test fires {a}");
        assert!(runbooks.contains(&format!("## {a}\n")), "no runbook for {a}");
        assert!(rules.contains(&format!("runbooks.md#{}\"", a.to_lowercase())), "no runbook_url for {a}");
    }
}

#[test]
fn dashboard_panels_use_the_provisioned_datasource() {
    let ds = read("monitoring/grafana/provisioning/datasources/nepse-drift.yml");
    let uid = ds.lines().find_map(|l| l.trim().strip_prefix("uid: ")).unwrap();
    let dash: Value = serde_json::from_str(&read("monitoring/grafana/dashboards/nepse-drift.json")).unwrap();
    assert_eq!(dash["uid"], "nepse-drift-overview");
    let vars: Vec<&str> =
        dash["templating"]["list"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(vars, ["job", "model"]);
    for v in dash["templating"]["list"].as_array().unwrap() {
        assert_eq!(v["datasource"]["uid"], uid);
    }
    let panels = dash["panels"].as_array().unwrap();
    assert!(panels.len() >= 10);
    for p in panels {
        assert_eq!(p["datasource"]["uid"], uid, "{}", p["title"]);
        for t in p["targets"].as_array().unwrap() {
            assert_eq!(t["datasource"]["uid"], uid, "{}", p["title"]);
            let expr = t["expr"].as_str().unwrap();
            assert!(expr.contains("$job") && expr.contains("$model"), "{expr}");
        }
    }
    let provider = read("monitoring/grafana/provisioning/dashboards/nepse-drift.yml");
    assert!(provider.contains("type: file"));
}

#[test]
fn the_readme_exit_code_table_lists_exactly_the_codes_of_exit_rs() {
    let code = std::fs::read_to_string(util::root().join("src/exit.rs")).unwrap();
    let mut defined: Vec<u8> = code
        .lines()
        .filter_map(|l| l.strip_prefix("pub const ")?.split_once(": u8 = "))
        .map(|(_, v)| v.trim_end_matches(';').parse().unwrap())
        .collect();
    defined.sort_unstable();
    let readme = std::fs::read_to_string(util::root().join("README.md")).unwrap();
    let table = readme.split("## Exit codes").nth(1).unwrap().split("\n## ").next().unwrap();
    let listed: Vec<u8> =
        table.lines().filter_map(|l| l.strip_prefix("| ")?.split_once(" |")?.0.trim().parse().ok()).collect();
    assert_eq!(listed, defined, "README exit-code rows against src/exit.rs");
    assert_eq!(defined, (0..=8).collect::<Vec<u8>>());
}

#[test]
fn the_operations_doc_documents_every_metric_family() {
    let doc = std::fs::read_to_string(util::root().join("docs/operations.md")).unwrap();
    let missing: Vec<&str> = nepse_drift::prometheus::exposition::ALL
        .iter()
        .map(|(name, _, _)| *name)
        .filter(|n| !doc.contains(&format!("`{n}`")))
        .collect();
    assert!(missing.is_empty(), "not in docs/operations.md: {missing:?}");
}
