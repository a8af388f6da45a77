//! Shared helpers of the integration tests: run the real binary, write small Parquet files.

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
