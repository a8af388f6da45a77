//! The integration tests, one binary (as ripgrep's `tests/`): each module runs the real
//! `nepse-drift` binary on fixtures written to a temp dir, and some of them the real Pushgateway,
//! Prometheus, promtool, amtool or Chromium. One binary links polars once, where a binary per
//! file linked it once each.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod backfill;
mod e2e;
mod hardening;
mod help;
mod html;
mod ops;
mod output;
mod performance;
mod push;
mod quality;
mod report;
mod stattests;
