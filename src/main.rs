//! The `nepse-drift` binary: parse, run, map the outcome to an exit code.

use std::io::Write as _;
use std::process::ExitCode;

use nepse_drift::{cli::Cli, commands, exit, printer::Printer};

/// `text` with its control characters escaped (`\n` for a newline).
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

fn main() -> ExitCode {
    let cli = Cli::parse_env();
    match commands::dispatch(cli, &mut Printer::stdout(&mut std::io::stdout().lock())) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Not `eprintln!`: it panics when stderr cannot be written (a full log disk).
            // Control characters (a newline in a path) escaped: the error stays one line.
            let _ = writeln!(std::io::stderr(), "error: {}\nhint: {}", one_line(&e.to_string()), e.hint());
            ExitCode::from(e.exit_code().max(exit::INTERNAL))
        }
    }
}
