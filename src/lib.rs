//! `nepse-drift`: drift (PSI) and delayed-ground-truth performance of a NEPSE next-day
//! direction model, from Parquet snapshots to a Prometheus Pushgateway.
//!
//! Data flows one way: [`cli`] → [`settings`] → [`load`] → [`windows`] → [`drift`] and
//! [`performance`] → [`result::RunResult`] → [`render`]. [`app`] wires the commands;
//! [`exit`] lists every exit code.
#![warn(missing_docs)]

pub mod analysis;
pub mod app;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod drift;
pub mod error;
pub mod exit;
pub mod fixtures;
pub mod job;
pub mod load;
pub mod logging;
pub mod metrics;
pub mod performance;
pub mod progress;
pub mod push;
pub mod reference;
pub mod render;
pub mod result;
pub mod settings;
pub mod windows;
