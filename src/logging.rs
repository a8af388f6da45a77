//! Structured logs on stderr: one JSON object per line for Loki/Promtail (`--log-format json`),
//! or readable lines for people. stdout stays for data.

use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;

/// Installs the global subscriber once. `--quiet` keeps only errors; `RUST_LOG` overrides.
pub fn init(format: LogFormat, quiet: bool) {
    let default = if quiet { "error" } else { "info" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // A log line that cannot be written (stderr closed, a full log disk) is dropped: the run
    // still saves and pushes. Without `log_internal_errors(false)` the subscriber reports the
    // failure with `eprintln!`, which panics when stderr itself is what failed.
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).log_internal_errors(false);
    // A second init (in tests calling the library twice) is harmless, so its error is ignored.
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
        LogFormat::Text => builder.with_target(false).with_ansi(false).try_init(),
    };
}
