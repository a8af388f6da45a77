//! Synthetic NEPSE panels for the committed fixtures, the tests and the benchmarks (the
//! `fixtures` command): [`panel`] simulates and writes them, [`realistic`] makes the market
//! non-stationary as NEPSE's is, [`spec`] parses the injected drift, [`names`] holds the tickers
//! and feature names both use.

pub mod names;
pub mod panel;
pub mod realistic;
pub mod spec;

pub use names::{FEATURES, TICKERS};
pub use panel::{MODEL_VERSION, MarketKind, PanelSpec, SynthError, generate};
pub use spec::{Change, DriftSpec};
