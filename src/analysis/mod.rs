//! The computation behind `report`, `run`, `backfill` and `fit-reference`: opens the sources
//! (from their files or memory, [`sources`]) and resolves the windows ([`context`]), then
//! assembles the result ([`compute`]) from feature drift ([`features`]), the model's side
//! ([`grading`]: prediction drift and performance, per model version) and the trend
//! ([`trend`]), on the small thread pool of [`parallel`].

mod compute;
mod context;
mod data_quality;
mod error;
mod estimate;
mod features;
mod grading;
mod multivariate;
mod parallel;
mod sources;
mod trend;

pub use compute::{analyse, analyse_days, analyse_with, fit_reference};
pub use error::AnalysisError;
pub use sources::Sources;
