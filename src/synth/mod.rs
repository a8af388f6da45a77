//! Synthetic NEPSE panels for the committed fixtures, the tests and the benchmarks (the
//! `fixtures` command): [`panel`] simulates and writes them, [`realistic`] makes the market
//! non-stationary as NEPSE's is, [`spec`] parses the injected drift.

pub mod panel;
pub mod realistic;
pub mod spec;

pub use panel::{FEATURES, MODEL_VERSION, MarketKind, PanelSpec, SynthError, TICKERS, generate};
pub use spec::{Change, DriftSpec};
