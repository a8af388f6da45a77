//! Picks the subcommand: sets up logging, then hands the command its arguments.

use super::{backfill, check_config, fit_reference, fixtures, push, report, run};
use crate::cli::{Cli, Command, LogFormat};
use crate::error::Error;
use crate::logging;
use crate::printer::Printer;

/// Runs the parsed command line, writing data through `out`.
///
/// # Errors
/// Any [`Error`]; the caller prints it and exits with [`Error::exit_code`].
pub fn dispatch(cli: Cli, out: &mut Printer<'_>) -> Result<u8, Error> {
    logging::init(cli.log_format, cli.quiet);
    let progress = !cli.quiet && cli.log_format == LogFormat::Text;
    match cli.command {
        Command::Report(args) => report::report(&args, progress, out),
        Command::Run(args) => run::run(&args, out),
        Command::Push(args) => push::push(&args, out),
        Command::Backfill(args) => backfill::backfill(&args, out),
        Command::CheckConfig(args) => check_config::check_config(&args, out),
        Command::FitReference(args) => fit_reference::fit_reference(&args, progress, out),
        Command::Fixtures(args) => fixtures::fixtures(&args, out),
    }
}
