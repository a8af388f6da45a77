//! The Prometheus client side: [`exposition`] renders a result's gauges as exposition text,
//! [`openmetrics`] many days' samples as OpenMetrics history (for `backfill`), and [`push`]
//! sends exposition text to the Pushgateway.
//!
//! Not to be confused with the `prometheus` crate, which [`exposition`] uses (as
//! `::prometheus`) for its registry and text encoder.

pub mod exposition;
pub mod openmetrics;
pub mod push;
