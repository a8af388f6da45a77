//! One rule for every output path (`backfill -o`, `report -o` and `--html`, `fit-reference -o`,
//! the results directory), run against the real binary on what a careless or hostile operator
//! points it at: a device node, a FIFO, `/dev/stdout` into a pipe, a symlink, a directory, a
//! socket, a read-only file and the run's own inputs. And the files it creates respect the
//! umask.

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::tools::skip;
use crate::util::{self, Fixtures, bin, fixture, run, write_config};

/// The one day every case backfills: quick, and a whole OpenMetrics text.
const DAY: &str = "2026-11-19";

/// The arguments of a one-day backfill with `cfg`, writing to `out`.
fn backfill(cfg: &Path, out: &Path) -> Vec<String> {
    let (cfg, out) = (cfg.display().to_string(), out.display().to_string());
    ["--quiet", "backfill", "--config", &cfg, "--from", DAY, "--to", DAY, "-o", &out].map(String::from).to_vec()
}

/// The arguments of `report` (CSV) on the fixtures, writing to `out`.
fn report(out: &Path) -> Vec<String> {
    let (features, out) = (fixture("features.parquet"), out.display().to_string());
    ["--quiet", "report", "--features", &features, "--as-of", DAY, "--format", "csv", "-o", &out]
        .map(String::from)
        .to_vec()
}

/// The arguments of `report --html` on the fixtures, the table to stdout.
fn report_html(out: &Path) -> Vec<String> {
    let (features, out) = (fixture("features.parquet"), out.display().to_string());
    ["--quiet", "report", "--features", &features, "--as-of", DAY, "--html", &out].map(String::from).to_vec()
}

/// The arguments of `fit-reference` on the fixtures, writing to `out`.
fn fit(out: &Path) -> Vec<String> {
    let (features, out) = (fixture("features.parquet"), out.display().to_string());
    ["--quiet", "fit-reference", "--features", &features, "--as-of", DAY, "-o", &out].map(String::from).to_vec()
}

/// Every writer's arguments with `-o out` (a backfill with `cfg`).
fn writers(cfg: &Path, out: &Path) -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("backfill -o", backfill(cfg, out)),
        ("report -o", report(out)),
        ("report --html", report_html(out)),
        ("fit-reference -o", fit(out)),
    ]
}

/// Runs `cmd` with stdin closed and kills it after `limit`: (the exit code, or `None` when it had
/// to be killed; stdout; stderr). A test that would hang fails instead.
fn run_within(cmd: &mut Command, limit: Duration) -> (Option<i32>, String, String) {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + limit;
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (code, out.join().unwrap(), err.join().unwrap())
}

/// Makes a device node with `mknod`, or says why this user may not (it needs root, or
/// `CAP_MKNOD`): not a missing tool, so a skip even with `NEPSE_DRIFT_REQUIRE_TOOLS=1`.
fn mknod(path: &Path, kind: &str, major: &str, minor: &str) -> Result<(), String> {
    let out = Command::new("mknod").args(["-m", "666"]).arg(path).args([kind, major, minor]).output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("mknod needs root here ({})", String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// `(device?, rdev)` of `path`, not following a symlink.
fn node(path: &Path) -> (bool, u64) {
    let md = std::fs::symlink_metadata(path).unwrap();
    (md.file_type().is_char_device(), md.rdev())
}

#[test]
fn a_character_device_is_written_through_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), Fixtures::All, "");
    // A copy of /dev/null: takes everything.
    let null = tmp.path().join("null");
    if let Err(why) = mknod(&null, "c", "1", "3") {
        skip(&why);
        return;
    }
    for (writer, args) in writers(&cfg, &null) {
        let (code, _, err) = run_within(bin().args(&args), Duration::from_mins(2));
        assert_eq!(code, Some(0), "{writer}: {err}");
        assert_eq!(node(&null), (true, std::fs::metadata("/dev/null").unwrap().rdev()), "{writer}: the device is kept");
    }
    // A copy of /dev/full: the write fails as a shell's would, and the device stays.
    let full = tmp.path().join("full");
    mknod(&full, "c", "1", "7").unwrap();
    for (writer, args) in writers(&cfg, &full) {
        let (code, _, err) = run_within(bin().args(&args), Duration::from_mins(2));
        assert_eq!(code, Some(1), "{writer}: {err}");
        assert!(err.contains(&full.display().to_string()) && err.contains("No space left"), "{writer}: {err}");
        assert!(node(&full).0, "{writer}: the device is kept");
    }
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 3, "no temporary file left: {left:?}");
}

#[test]
fn a_fifo_is_written_through_never_read_and_never_hangs() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), Fixtures::All, "");
    let fifo = tmp.path().join("pipe");
    for (writer, args) in writers(&cfg, &fifo) {
        assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        // The other end, as `promtool` reading `<(…)` would be.
        let path = fifo.clone();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(path).unwrap().read_to_string(&mut text).unwrap();
            text
        });
        let (code, _, err) = run_within(bin().args(&args), Duration::from_mins(1));
        if code.is_none() {
            // Let the reader go: open the write end, so its open returns, then end it.
            drop(std::fs::OpenOptions::new().write(true).open(&fifo));
        }
        let text = reader.join().unwrap();
        assert_eq!(code, Some(0), "{writer}: killed after a minute, or failed: {err}");
        assert!(text.len() > 1000, "{writer}: the reader got the output ({} bytes)", text.len());
        assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "{writer}: the FIFO is kept");
        std::fs::remove_file(&fifo).unwrap();
    }
}

#[test]
fn dev_stdout_writes_to_stdout_whatever_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), Fixtures::All, "");
    // Into a pipe: the test reads it.
    let (code, out, err) = run_within(bin().args(backfill(&cfg, Path::new("/dev/stdout"))), Duration::from_mins(1));
    assert_eq!(code, Some(0), "killed after a minute, or failed: {err}");
    assert!(out.starts_with("# HELP") && out.ends_with("# EOF\n"), "{out}");
    // Into `>(…)`, a pipe to another process, as `-o >(promtool …)` gives.
    let substituted = tmp.path().join("substituted.om");
    let script = format!("exec \"$0\" \"$@\" -o >(cat > '{}')", substituted.display());
    let mut args = backfill(&cfg, Path::new("unused"));
    args.truncate(args.len() - 2);
    let (code, _, err) = run_within(util::bin_in_shell("bash", &script).args(&args), Duration::from_mins(1));
    assert_eq!(code, Some(0), "killed after a minute, or failed: {err}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&substituted).is_ok_and(|t| t.ends_with("# EOF\n")) {
        assert!(Instant::now() < deadline, "`cat` got the whole text");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Into a file, through a link in the temp dir (`-o link`, link → /dev/stdout): the file
    // stdout is takes the text, the link stays.
    let link = tmp.path().join("stdout-link");
    std::os::unix::fs::symlink("/dev/stdout", &link).unwrap();
    let file = tmp.path().join("captured.om");
    let status = bin()
        .args(backfill(&cfg, &link))
        .stdout(std::fs::File::create(&file).unwrap())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(std::fs::read_to_string(&file).unwrap().ends_with("# EOF\n"));
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("/dev/stdout"), "the link is kept");
}

#[test]
fn a_symlink_is_followed_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), Fixtures::All, "");
    let dir = tmp.path().join("elsewhere");
    std::fs::create_dir(&dir).unwrap();
    let target = dir.join("target.txt");
    let link = tmp.path().join("link");
    // A relative link, resolved from the link's directory.
    std::os::unix::fs::symlink("elsewhere/target.txt", &link).unwrap();
    for (writer, args) in writers(&cfg, &link) {
        std::fs::write(&target, "old").unwrap();
        let (code, _, err) = run(bin().args(&args));
        assert_eq!(code, 0, "{writer}: {err}");
        assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("elsewhere/target.txt"), "{writer}: link kept");
        assert!(std::fs::read_to_string(&target).unwrap().len() > 1000, "{writer}: the target is written");
    }
    // A dangling link: its target is created, as a shell's `>` would.
    std::fs::remove_file(&target).unwrap();
    let (code, _, err) = run(bin().args(backfill(&cfg, &link)));
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&target).unwrap().ends_with("# EOF\n"));
    // The results directory's latest.json as a link: the target is replaced, the link stays.
    let results = tmp.path().join("results");
    std::fs::create_dir(&results).unwrap();
    let kept = dir.join("latest-kept.json");
    std::fs::write(&kept, "{}").unwrap();
    std::os::unix::fs::symlink(&kept, results.join("latest.json")).unwrap();
    let (code, _, err) = run(bin().args(["--quiet", "run", "--config"]).arg(&cfg).args([
        "--as-of",
        DAY,
        "--results-dir",
        results.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::symlink_metadata(results.join("latest.json")).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&kept).unwrap().contains("\"schema_version\""));
}

#[test]
fn a_directory_a_socket_or_a_block_device_is_refused_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), Fixtures::All, "");
    let dir = tmp.path().join("a-directory");
    std::fs::create_dir(&dir).unwrap();
    let socket = tmp.path().join("a-socket");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let mut cases = vec![("a directory", dir), ("a socket", socket)];
    let block = tmp.path().join("a-block-device");
    match mknod(&block, "b", "7", "0") {
        Ok(()) => cases.push(("a block device", block)),
        Err(why) => skip(&format!("its block-device case only: {why}")),
    }
    for (what, out) in cases {
        let kind = std::fs::symlink_metadata(&out).unwrap().file_type();
        for (writer, args) in writers(&cfg, &out) {
            let (code, stdout, err) = run(bin().args(&args));
            assert_eq!(code, 2, "{writer} onto {what}: {err}");
            assert!(stdout.is_empty(), "{writer}: {stdout}");
            let line = format!("error: refusing to write {}: it is {what}", out.display());
            assert!(err.starts_with(&line) && err.contains("\nhint: "), "{writer}: {err}");
            assert_eq!(std::fs::symlink_metadata(&out).unwrap().file_type(), kind, "{writer}: {what} kept");
        }
    }
    assert_eq!(std::fs::read_dir(tmp.path().join("a-directory")).unwrap().count(), 0, "nothing written in it");
}

#[test]
fn the_runs_own_inputs_are_refused_and_kept_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    let profile = tmp.path().join("profile.json");
    let (code, _, err) = run(bin().args(fit(&profile)));
    assert_eq!(code, 0, "{err}");
    let cfg = write_config(tmp.path(), Fixtures::All, &format!("[output]\nresults_dir = \"{}\"\n", results.display()));
    let (code, _, err) = run(bin().args(["--quiet", "run", "--config"]).arg(&cfg).args(["--as-of", DAY]));
    assert_eq!(code, 0, "{err}");
    let latest = results.join("latest.json");
    // A link to the config: the same file under another name.
    let alias = tmp.path().join("alias.toml");
    std::os::unix::fs::symlink(&cfg, &alias).unwrap();
    let with_profile = |mut args: Vec<String>| {
        args.extend(["--reference-profile".to_owned(), profile.display().to_string()]);
        args
    };
    let cfg_arg = |mut args: Vec<String>| {
        args.extend(["--config".to_owned(), cfg.display().to_string()]);
        args
    };
    // The committed fixture itself (a Parquet file, but named as the input it is).
    let predictions = PathBuf::from(fixture("predictions.parquet"));
    let cases: Vec<(&str, &Path, Vec<String>)> = vec![
        ("the config file", &cfg, backfill(&cfg, &cfg)),
        ("the config file", &alias, backfill(&cfg, &alias)),
        ("the config file", &cfg, cfg_arg(report(&cfg))),
        ("the config file", &cfg, cfg_arg(fit(&cfg))),
        ("the reference profile", &profile, with_profile(backfill(&cfg, &profile))),
        ("the reference profile", &profile, with_profile(report(&profile))),
        ("the predictions source", predictions.as_path(), backfill(&cfg, &predictions)),
        ("the results directory", &latest, backfill(&cfg, &latest)),
        ("the results directory", &latest, cfg_arg(report(&latest))),
        ("the results directory", &latest, cfg_arg(report_html(&latest))),
    ];
    for (what, out, args) in cases {
        let before = std::fs::read(out).unwrap();
        let (code, _, err) = run(bin().args(&args));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(&out.display().to_string()) && err.contains(what), "{args:?}: {err}");
        assert!(err.contains("\nhint: "), "{err}");
        assert_eq!(std::fs::read(out).unwrap(), before, "{args:?}: {what} unchanged");
    }
    assert!(std::fs::symlink_metadata(&alias).unwrap().file_type().is_symlink());
    // Two outputs of one command onto one file: one would replace the other.
    let page = tmp.path().join("page");
    let mut args = report(&page);
    args.extend(["--html".to_owned(), tmp.path().join(".").join("page").display().to_string()]);
    let (code, _, err) = run(bin().args(&args));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("it is also the -o output"), "{err}");
    assert!(!page.exists());
    let (code, _, err) = run(bin().args(["push", "--dry-run", "--result"]).arg(&latest));
    assert_eq!(code, 0, "latest.json still pushes: {err}");
}

#[test]
fn a_path_a_source_would_read_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::copy(fixture("features.parquet"), data.join("part-0.parquet")).unwrap();
    // A new file in a source directory, or one its glob matches, is read by the next run.
    for source in [data.display().to_string(), format!("{}/*", data.display())] {
        let cfg = tmp.path().join("c.toml");
        std::fs::write(&cfg, format!("[sources]\nfeatures = \"{source}\"\n")).unwrap();
        let out = data.join("history.om");
        let (code, _, err) = run(bin().args(["--quiet", "backfill", "--config"]).arg(&cfg).args([
            "--from",
            DAY,
            "--to",
            DAY,
            "-o",
            out.to_str().unwrap(),
        ]));
        assert_eq!(code, 2, "{source}: {err}");
        assert!(err.contains("the features source"), "{source}: {err}");
        assert!(!out.exists(), "{source}");
    }
}

#[test]
fn a_read_only_file_is_refused_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), Fixtures::All, "");
    let out = tmp.path().join("read-only.om");
    std::fs::write(&out, "# mine\n").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o444)).unwrap();
    for (writer, args) in writers(&cfg, &out) {
        let (code, _, err) = run(bin().args(&args));
        assert_eq!(code, 2, "{writer}: {err}");
        assert!(err.contains(&out.display().to_string()) && err.contains("read-only"), "{writer}: {err}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "# mine\n", "{writer}");
    }
}

#[test]
fn created_files_respect_the_umask() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), Fixtures::All, "");
    for (umask, mode) in [("022", 0o644), ("077", 0o600), ("002", 0o664)] {
        let out = tmp.path().join(format!("out-{umask}"));
        // A file that was there (mode 0600) is replaced by one of the umask's mode too.
        std::fs::write(&out, "old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
        let results = tmp.path().join(format!("results-{umask}"));
        let mut cases = writers(&cfg, &out);
        cases.push((
            "run (results)",
            ["--quiet", "run", "--config", cfg.to_str().unwrap(), "--as-of", DAY, "--results-dir"]
                .map(String::from)
                .into_iter()
                .chain([results.display().to_string()])
                .collect(),
        ));
        for (writer, args) in cases {
            let (code, _, err) = run(util::bin_with_umask(umask).args(&args));
            assert_eq!(code, 0, "{writer}: {err}");
            let written = if writer.starts_with("run") { results.join("latest.json") } else { out.clone() };
            let got = std::fs::metadata(&written).unwrap().permissions().mode() & 0o777;
            assert_eq!(got, mode, "{writer} under umask {umask}: {got:o}");
        }
    }
}

#[test]
fn stdout_redirected_into_an_input_is_refused_and_the_input_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), Fixtures::All, "");
    let before = std::fs::read(&cfg).unwrap();
    // `-o - >> cfg.toml` and `-o /dev/stdout >> cfg.toml`: stdout is the config file.
    for dash in ["-", "/dev/stdout"] {
        let appended = std::fs::OpenOptions::new().append(true).open(&cfg).unwrap();
        let args = backfill(&cfg, Path::new(dash));
        let out = bin().args(&args).stdout(Stdio::from(appended)).stderr(Stdio::piped()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{dash}: {err}");
        assert!(err.contains("the config file"), "{dash}: {err}");
        assert_eq!(std::fs::read(&cfg).unwrap(), before, "{dash}: the config is unchanged");
    }
    // Stdout into an ordinary file is fine.
    let log = tmp.path().join("out.csv");
    let file = std::fs::File::create(&log).unwrap();
    let out = bin().args(report(Path::new("-"))).stdout(Stdio::from(file)).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&log).unwrap().starts_with("feature,"));
    // Both outputs of one report to stdout would mix: refused.
    let (code, _, err) = run(bin().args(report(Path::new("-"))).args(["--html", "-"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("give each output its own path"), "{err}");
}

/// `run --config cfg` with `results_dir = results` and no push URL (it prints): the arguments.
fn run_saving(cfg: &Path) -> Vec<String> {
    ["--quiet", "run", "--config", &cfg.display().to_string(), "--as-of", DAY].map(String::from).to_vec()
}

#[test]
fn the_results_directory_never_replaces_an_input_nor_blocks_on_a_fifo() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    std::fs::create_dir(&results).unwrap();
    let cfg = write_config(tmp.path(), Fixtures::All, &format!("[output]\nresults_dir = \"{}\"\n", results.display()));
    let before = std::fs::read(&cfg).unwrap();
    // `latest.json` a link to the run's own config file: a failed save (8), the config kept.
    let latest = results.join("latest.json");
    std::os::unix::fs::symlink("../nepse-drift.toml", &latest).unwrap();
    let (code, _, err) = run_within(bin().args(run_saving(&cfg)), Duration::from_mins(2));
    assert_eq!(code, Some(8), "{err}");
    assert!(err.contains("the config file, an input of this run"), "{err}");
    assert_eq!(std::fs::read(&cfg).unwrap(), before);
    std::fs::remove_file(&latest).unwrap();
    // A FIFO where a result goes: a failed save, not a run blocked for ever holding the lock.
    assert!(Command::new("mkfifo").arg(&latest).status().unwrap().success());
    let (code, _, err) = run_within(bin().args(run_saving(&cfg)), Duration::from_mins(2));
    assert_eq!(code, Some(8), "{err}");
    assert!(err.contains("a device or a FIFO"), "{err}");
    std::fs::remove_file(&latest).unwrap();
    // A FIFO as the lock file: refused before anything is read (2), not a hang.
    let lock = results.join(".nepse-drift.lock");
    std::fs::remove_file(&lock).unwrap();
    assert!(Command::new("mkfifo").arg(&lock).status().unwrap().success());
    for command in ["run", "check-config"] {
        let mut args = run_saving(&cfg);
        args[1] = command.to_owned();
        if command == "check-config" {
            args.truncate(4);
        }
        let (code, _, err) = run_within(bin().args(&args), Duration::from_mins(2));
        assert_eq!(code, Some(2), "{command}: {err}");
        assert!(err.contains(".nepse-drift.lock: it is not a regular file"), "{command}: {err}");
    }
    std::fs::remove_file(&lock).unwrap();
    // A good run, then a hard link to its latest.json outside the directory: still an input.
    let (code, _, err) = run(bin().args(run_saving(&cfg)));
    assert_eq!(code, 0, "{err}");
    let saved = std::fs::read(&latest).unwrap();
    let alias = tmp.path().join("hard-link.json");
    std::fs::hard_link(&latest, &alias).unwrap();
    let appended = std::fs::OpenOptions::new().append(true).open(&alias).unwrap();
    let out = bin().args(report(Path::new("-"))).args(["--config"]).arg(&cfg).stdout(appended).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in the results directory"));
    let (code, _, err) = run(bin().args(report(&alias)).args(["--config"]).arg(&cfg));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("in the results directory"), "{err}");
    assert_eq!(std::fs::read(&latest).unwrap(), saved);
}

#[test]
fn a_results_directory_a_source_reads_is_refused_by_run_and_check_config() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::copy(fixture("features.parquet"), data.join("features.parquet")).unwrap();
    for (results, source) in [
        (data.clone(), data.display().to_string()),
        (data.join("results"), data.display().to_string()),
        (data.clone(), format!("{}/*.json", data.display())),
        (data.join("deep/res"), format!("{}/**/*", data.display())),
        (data.join("res"), format!("{}/*/*", data.display())),
    ] {
        let cfg = tmp.path().join("cfg.toml");
        std::fs::write(
            &cfg,
            format!("[sources]\nfeatures = \"{source}\"\n[output]\nresults_dir = \"{}\"\n", results.display()),
        )
        .unwrap();
        for command in ["run", "check-config"] {
            let (code, _, err) = run(bin().args(["--quiet", command, "--config"]).arg(&cfg).args(["--as-of", DAY]));
            assert_eq!(code, 2, "{command} {source} {}: {err}", results.display());
            assert!(err.contains("an input of this run"), "{err}");
            assert!(err.contains("\nhint: give [output] results_dir"), "{err}");
        }
        assert!(!data.join("latest.json").exists());
        assert!(!data.join("deep").exists() && !data.join("res").exists(), "nothing created");
    }
}

#[test]
fn one_file_reached_two_ways_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let both = tmp.path().join("both");
    std::fs::write(&both, "").unwrap();
    // The JSON to stdout appended onto the --html file (by inode: no two names to compare);
    // the -o file appended through fd 1.
    for extra in [vec!["--html".to_owned(), both.display().to_string()], {
        let mut a = vec!["--html".to_owned(), tmp.path().join("page.html").display().to_string()];
        a.extend(["-o".to_owned(), "/dev/stdout".to_owned()]);
        a
    }] {
        let features = fixture("features.parquet");
        let appended = std::fs::OpenOptions::new().append(true).open(&both).unwrap();
        let out = bin()
            .args(["--quiet", "report", "--features", &features, "--as-of", DAY, "--format", "json"])
            .args(&extra)
            .stdout(appended)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if extra.len() == 2 {
            assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
            assert!(err.contains("it is also the"), "{err}");
            assert_eq!(std::fs::read(&both).unwrap(), b"", "{extra:?}: nothing written");
        } else {
            assert_eq!(out.status.code(), Some(0), "{extra:?}: {err}");
        }
    }
    // Stdout appended onto a Parquet file is the slip `-o data.parquet` is, named or not.
    let data = tmp.path().join("data.parquet");
    std::fs::copy(fixture("outcomes.parquet"), &data).unwrap();
    let before = std::fs::read(&data).unwrap();
    let features = fixture("features.parquet");
    let default_stdout = ["--quiet", "report", "--features", &features, "--as-of", DAY].map(String::from).to_vec();
    for args in [report(Path::new("-")), default_stdout] {
        let appended = std::fs::OpenOptions::new().append(true).open(&data).unwrap();
        let out = bin().args(&args).stdout(appended).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("it is a Parquet file"), "{err}");
        assert_eq!(std::fs::read(&data).unwrap(), before);
    }
    // A run that prints (no push URL) appended onto its own config file.
    let cfg = write_config(tmp.path(), Fixtures::Features, "");
    let cfg_before = std::fs::read(&cfg).unwrap();
    let appended = std::fs::OpenOptions::new().append(true).open(&cfg).unwrap();
    let out =
        bin().args(["--quiet", "run", "--config"]).arg(&cfg).args(["--as-of", DAY]).stdout(appended).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&cfg).unwrap(), cfg_before);
}

#[test]
fn a_path_naming_a_directory_is_refused_and_odd_names_stay_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("fresh");
    for out in [".", "..", "/", &format!("{}/", fresh.display())] {
        let (code, _, err) = run(bin().args(report(Path::new(out))).current_dir(tmp.path()));
        assert_eq!(code, 2, "-o {out}: {err}");
        assert!(err.contains("it is a directory"), "-o {out}: {err}");
    }
    let (code, _, err) = run(bin().args(report(&tmp.path().join("fresh/."))));
    assert_eq!(code, 2, "-o fresh/.: {err}");
    assert!(!fresh.exists(), "no file named after a path ending in / or /.");
    // A symlink to `.` (or through a chain of links to it) names a directory too.
    std::os::unix::fs::symlink(".", tmp.path().join("dot")).unwrap();
    std::os::unix::fs::symlink("dot", tmp.path().join("chain")).unwrap();
    for link in ["dot", "chain"] {
        let (code, _, err) = run(bin().args(report(&tmp.path().join(link))));
        assert_eq!(code, 2, "-o {link}: {err}");
        assert!(err.contains("it is a directory"), "-o {link}: {err}");
    }
    // Control characters in any path of an error are escaped: a missing source too.
    let (code, _, err) = run(bin().args(["report", "--features", "no\nsuch\r.parquet"]));
    assert_eq!(code, 3, "{err}");
    assert_eq!(err.lines().count(), 2, "{err}");
    // A newline in a path is escaped: the error is one line and its hint.
    let (code, _, err) = run(bin().args(report(Path::new("nodir\nx/y.csv"))).current_dir(tmp.path()));
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(err.contains("nodir\\nx/y.csv"), "{err}");
    // A name near the 255-byte limit: its temporary file's name is cut, not too long.
    let long = tmp.path().join("r".repeat(250));
    let (code, _, err) = run(bin().args(report(&long)));
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&long).unwrap().starts_with("feature,"));
}

#[test]
fn the_users_own_files_beside_the_results_are_not_inputs() {
    // `results_dir = "."`-style setups: a cron log or a report written into the results
    // directory is the user's; only latest.json, the dated results and the lock are the store's.
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        Fixtures::Features,
        &format!("[output]\nresults_dir = \"{}\"\n", tmp.path().display()),
    );
    let log = tmp.path().join("cron.log");
    for _ in 0..2 {
        let appended = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
        let out = bin()
            .args(["--quiet", "run", "--config"])
            .arg(&cfg)
            .args(["--as-of", DAY])
            .stdout(appended)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(std::fs::read_to_string(&log).unwrap().contains("feature_drift_psi{"));
    assert!(tmp.path().join("latest.json").is_file());
    let (code, _, err) = run(bin().args(report(&tmp.path().join("report.csv"))).args(["--config"]).arg(&cfg));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(bin().args(report(&tmp.path().join("latest.json"))).args(["--config"]).arg(&cfg));
    assert_eq!(code, 2, "the store's own file: {err}");
}
