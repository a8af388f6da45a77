//! `nepse-drift`: drift (PSI) and delayed-ground-truth performance of a NEPSE next-day
//! direction model, from Parquet snapshots to a Prometheus Pushgateway.
//!
//! Data flows one way:
//!
//! 1. [`cli`] parses the command line; [`commands`] dispatches one file per subcommand;
//! 2. [`settings`] resolves flags, environment and config file once;
//! 3. [`load`] (the only module that knows polars) reads the Parquet sources into plain
//!    [`rows`] and slices; [`calendar`] and [`windows`] turn dates into trading-day windows;
//! 4. [`analysis`] drives the pure math of [`drift`] (bins, PSI, significance, reference
//!    profiles) and [`performance`] (the as-of join and the metrics);
//! 5. everything lands in one [`result::RunResult`];
//! 6. [`render`] turns it into a table, JSON, CSV, Markdown or HTML; [`prometheus`] into
//!    exposition text it pushes to the Pushgateway (and, for `backfill`, OpenMetrics history);
//!    [`store`] saves it in the results directory; every output path (`-o`, `--html`, the
//!    results directory's files) follows [`output`]'s one rule.
//!
//! Beside the flow: [`options`] (the PSI options every result records, which [`settings`]
//! resolve and the math takes), [`error`] and [`exit`] (every exit code, in one place),
//! [`logging`] and [`progress`] (stderr only), and [`synth`], the synthetic panels behind the
//! fixtures.
#![warn(missing_docs)]

pub mod analysis;
pub mod calendar;
pub mod cli;
pub mod commands;
pub mod drift;
pub mod error;
pub mod exit;
#[cfg(test)]
mod import_cycles;
pub mod load;
pub mod logging;
pub mod options;
pub mod output;
pub mod performance;
pub mod printer;
pub mod progress;
pub mod prometheus;
pub mod render;
pub mod result;
pub mod rows;
pub mod settings;
pub mod store;
pub mod synth;
#[cfg(test)]
mod test_support;
pub mod text_file;
pub mod windows;
