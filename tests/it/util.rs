//! Shared helpers of the integration tests: run the real binary, write small Parquet files.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{Days, NaiveDate};
use nepse_drift::load::{OutColumn, write_parquet};

pub mod servers;
pub mod tools;

/// The binary under test.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_nepse-drift"));
    c.env_remove("NO_COLOR");
    for (k, _) in std::env::vars() {
        if k.starts_with("NEPSE_DRIFT_") {
            c.env_remove(k);
        }
    }
    c
}

/// The binary under test, started by `sh` under `umask MASK` (the test process's own umask
/// stays as it is).
pub fn bin_with_umask(mask: &str) -> Command {
    bin_in_shell("sh", &format!("umask {mask} && exec \"$0\" \"$@\""))
}

/// The binary under test, started by `shell -c script` with the binary as `$0` (the script
/// ends in `exec "$0" "$@" …`), for what only a shell sets up: a umask, `>(…)`.
pub fn bin_in_shell(shell: &str, script: &str) -> Command {
    let mut c = Command::new(shell);
    c.args(["-c", script, env!("CARGO_BIN_EXE_nepse-drift")]);
    c.env_remove("NO_COLOR");
    for (k, _) in std::env::vars() {
        if k.starts_with("NEPSE_DRIFT_") {
            c.env_remove(k);
        }
    }
    c
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A committed fixture file.
pub fn fixture(name: &str) -> String {
    root().join("fixtures").join(name).display().to_string()
}

/// Runs and returns (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output { status, stdout, stderr } = cmd.output().expect("binary runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Runs `cmd`, which must fail with exit code `code` and one error: nothing on stdout; on stderr
/// an `error: …` line, then only `hint: …` lines. Returns stderr, scrubbed (`scrub`).
pub fn bad(cmd: &mut Command, code: i32, tmp: &Path) -> String {
    let (got, out, err) = run(cmd);
    assert!(out.is_empty(), "nothing on stdout for an error: {out}");
    assert_eq!(got, code, "{err}");
    let mut lines = err.lines();
    assert!(
        lines.next().is_some_and(|l| l.starts_with("error: ")) && lines.all(|l| l.starts_with("hint: ")),
        "one error line, then its hints: {err}"
    );
    scrub(&err, tmp)
}

/// Which of the committed fixtures a command reads.
#[derive(Debug, Clone, Copy)]
pub enum Fixtures {
    /// The features alone: drift only.
    Features,
    /// The features, predictions and outcomes: drift and performance.
    All,
}

impl Fixtures {
    /// (source name, path) of each: `features`, then `predictions` and `outcomes` for `All`.
    fn sources(self) -> Vec<(&'static str, String)> {
        let names: &[&'static str] = match self {
            Self::Features => &["features"],
            Self::All => &["features", "predictions", "outcomes"],
        };
        names.iter().map(|name| (*name, fixture(&format!("{name}.parquet")))).collect()
    }
}

/// `nepse-drift report` on the committed `fixtures` as of `as_of`, ready for more arguments.
pub fn fixtures_report_cmd(fixtures: Fixtures, as_of: &str) -> Command {
    let mut cmd = bin();
    cmd.arg("report");
    for (name, path) in fixtures.sources() {
        cmd.arg(format!("--{name}")).arg(path);
    }
    cmd.args(["--as-of", as_of]);
    cmd
}

/// `nepse-drift report` on the committed `fixtures` as of `as_of`, with `extra` arguments:
/// (exit code, stdout, stderr).
pub fn fixtures_report(fixtures: Fixtures, as_of: &str, extra: &[&str]) -> (i32, String, String) {
    run(fixtures_report_cmd(fixtures, as_of).args(extra))
}

/// Writes the config file `dir/nepse-drift.toml`: a `[sources]` table of the committed
/// `fixtures`, then the TOML `extra`. Returns its path.
pub fn write_config(dir: &Path, fixtures: Fixtures, extra: &str) -> PathBuf {
    let mut text = String::from("[sources]\n");
    for (name, path) in fixtures.sources() {
        writeln!(text, "{name} = \"{path}\"").unwrap();
    }
    text.push_str(extra);
    let path = dir.join("nepse-drift.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A date written `YYYY-MM-DD`.
pub fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

/// `n` consecutive Sunday–Thursday days from `start`.
pub fn trading_days(start: &str, n: usize) -> Vec<NaiveDate> {
    let mut out = Vec::with_capacity(n);
    let mut day = d(start);
    while out.len() < n {
        if !matches!(chrono::Datelike::weekday(&day), chrono::Weekday::Fri | chrono::Weekday::Sat) {
            out.push(day);
        }
        day = day + Days::new(1);
    }
    out
}

/// A features file: one symbol per value, each on the given day, with numeric column `x`.
pub fn features_file(path: &Path, rows: &[(NaiveDate, &str, Option<f64>)]) {
    write_parquet(
        path,
        vec![
            ("as_of".into(), OutColumn::Date(rows.iter().map(|r| r.0).collect())),
            ("symbol".into(), OutColumn::Str(rows.iter().map(|r| r.1.to_owned()).collect())),
            ("sector".into(), OutColumn::Str(rows.iter().map(|_| "Hydropower".to_owned()).collect())),
            ("x".into(), OutColumn::F64(rows.iter().map(|r| r.2).collect())),
        ],
        1024,
    )
    .expect("write features");
}

/// Replaces volatile parts (temp dirs, the repository path) in output text.
pub fn scrub(text: &str, tmp: &Path) -> String {
    text.replace(&tmp.display().to_string(), "[TMP]").replace(&root().display().to_string(), "[ROOT]")
}

/// `flag`, and its config key `[features] key = true`, need the reference rows: `fit-reference`
/// refuses them (exit 2) and `report` refuses them with a fitted profile (exit 3), each with a
/// hint.
pub fn refused_with_a_profile(flag: &str, key: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let profile = tmp.path().join("profile.json");
    let features = fixture("features.parquet");
    let fit = |extra: &[&str]| {
        run(bin()
            .args(["fit-reference", "--features"])
            .arg(&features)
            .args(["--as-of", "2026-10-13", "-o"])
            .arg(&profile)
            .args(extra))
    };
    let (code, _, err) = fit(&[flag]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(flag) && err.contains("hint:"), "{err}");
    let cfg = write_config(tmp.path(), Fixtures::All, &format!("[features]\n{key} = true\n"));
    let (code, _, err) = fit(&["--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(fit(&[]).0, 0);
    let (code, _, err) = run(bin()
        .args(["report", "--features"])
        .arg(&features)
        .arg("--reference-profile")
        .arg(&profile)
        .args(["--as-of", "2026-11-19", flag]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains(&format!("{flag} needs the raw reference data")) && err.contains("hint:"), "{err}");
}
