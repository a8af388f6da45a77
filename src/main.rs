//! The `nepse-drift` binary: parse, run, map the outcome to an exit code.

use std::io::Write as _;
use std::process::ExitCode;

use nepse_drift::{cli::Cli, commands, exit, output::escape_controls, printer::Printer};

fn main() -> ExitCode {
    let cli = Cli::parse_env();
    match commands::dispatch(cli, &mut Printer::stdout(&mut std::io::stdout().lock())) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Not `eprintln!`: it panics when stderr cannot be written (a full log disk).
            // Control characters (a newline in a path) escaped: the error stays one line.
            let _ = writeln!(std::io::stderr(), "error: {}\nhint: {}", escape_controls(&e.to_string()), e.hint());
            ExitCode::from(e.exit_code().max(exit::INTERNAL))
        }
    }
}
