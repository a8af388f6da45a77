//! The `nepse-drift` binary: parse, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use nepse_drift::{cli::Cli, commands, exit};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::dispatch(cli, &mut std::io::stdout().lock()) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("hint: {}", e.hint());
            ExitCode::from(e.exit_code().max(exit::INTERNAL))
        }
    }
}
