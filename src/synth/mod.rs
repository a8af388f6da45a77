//! Synthetic NEPSE panels for the committed fixtures, the tests and the benchmarks (the
//! `fixtures` command): [`panel`] simulates and writes them, [`spec`] parses the injected drift.

pub mod panel;
pub mod spec;

pub use panel::{FEATURES, MODEL_VERSION, PanelSpec, TICKERS, generate};
pub use spec::{Change, DriftSpec};
