//! The `nepse-drift` binary: parse, run, map the outcome to an exit code.

use std::io::Write as _;
use std::process::ExitCode;

use nepse_drift::{cli::Cli, commands, exit, printer::Printer};

fn main() -> ExitCode {
    let cli = Cli::parse_env();
    match commands::dispatch(cli, &mut Printer::stdout(&mut std::io::stdout().lock())) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Not `eprintln!`: it panics when stderr cannot be written (a full log disk).
            let _ = writeln!(std::io::stderr(), "error: {e}\nhint: {}", e.hint());
            ExitCode::from(e.exit_code().max(exit::INTERNAL))
        }
    }
}
