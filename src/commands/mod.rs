//! The subcommands, one file each. Every command resolves its settings once, calls the
//! library, writes data through the [`crate::printer::Printer`] it is given and returns an
//! exit code (see
//! [`crate::exit`]); nothing here computes numbers. [`dispatch`] picks the command.

pub mod backfill;
pub mod check_config;
pub mod dispatch;
pub mod fit_reference;
pub mod fixtures;
pub mod notices;
pub mod push;
pub mod report;
pub mod run;

pub use dispatch::dispatch;
