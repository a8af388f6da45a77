//! The external tools some tests drive: promtool, amtool, the Pushgateway, Prometheus and
//! Chromium. `cargo test` needs only Rust: a test whose tool is not on `PATH` prints one line
//! naming it and returns early, skipped. With `NEPSE_DRIFT_REQUIRE_TOOLS=1` (tests/run-all.sh,
//! so CI) a missing tool fails the test instead.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

/// The variable that turns a missing tool from a skip into a failure: `1` fails, unset, empty
/// or `0` skips.
pub const REQUIRE_TOOLS: &str = "NEPSE_DRIFT_REQUIRE_TOOLS";

/// An external program a test needs, and the Debian package that installs it.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// The program's name, looked up on `PATH`.
    pub name: &'static str,
    /// The Debian package that installs it.
    pub package: &'static str,
}

/// Prometheus' command-line tool.
pub const PROMTOOL: Tool = Tool { name: "promtool", package: "prometheus" };
/// The Prometheus server.
pub const PROMETHEUS: Tool = Tool { name: "prometheus", package: "prometheus" };
/// The Pushgateway.
pub const PUSHGATEWAY: Tool = Tool { name: "prometheus-pushgateway", package: "prometheus-pushgateway" };
/// Alertmanager's command-line tool.
pub const AMTOOL: Tool = Tool { name: "amtool", package: "prometheus-alertmanager" };
/// Headless Chromium.
pub const CHROMIUM: Tool = Tool { name: "chromium", package: "chromium" };

impl Tool {
    /// The tool's path on `PATH`; or, when it is not there, `None` after one line saying the
    /// calling test is skipped (the test then returns).
    ///
    /// # Panics
    ///
    /// When the tool is missing and `NEPSE_DRIFT_REQUIRE_TOOLS=1`, naming the tool.
    pub fn find(self) -> Option<PathBuf> {
        if let Some(path) = on_path(self.name) {
            return Some(path);
        }
        let install = format!("apt-get install -y {}", self.package);
        assert!(
            !required(),
            "{} is missing from PATH: install it with `{install}` (tests/run-all.sh does this as root), \
             or unset {REQUIRE_TOOLS} to skip the tests that need it",
            self.name
        );
        skip(&format!("{} is not on PATH (`{install}`; {REQUIRE_TOOLS}=1 makes this a failure)", self.name));
        None
    }
}

/// Whether a missing tool fails its test (`NEPSE_DRIFT_REQUIRE_TOOLS=1`).
fn required() -> bool {
    match std::env::var(REQUIRE_TOOLS).as_deref() {
        Ok("1") => true,
        Ok("" | "0") | Err(_) => false,
        Ok(other) => panic!("{REQUIRE_TOOLS} is `{other}`: set it to 1 (a missing tool fails) or 0 (skipped)"),
    }
}

/// Prints `skipped TEST: why` as one line. Straight to stderr: the test harness captures what
/// `eprintln!` prints in a test that passes, and a skip should be seen.
pub fn skip(why: &str) {
    let thread = std::thread::current();
    let test = thread.name().filter(|n| *n != "main").unwrap_or("a test");
    let _ = writeln!(std::io::stderr(), "skipped {test}: {why}");
}

/// The first executable file called `name` in a directory of `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}
