//! The computation behind `report`, `run` and `fit-reference`: opens the sources and resolves
//! the windows ([`context`]), then assembles the result ([`compute`]) from feature drift
//! ([`drift`]), the model's side ([`performance`]) and the trend ([`trend`]), on the small
//! thread pool of [`parallel`].

mod compute;
mod context;
mod drift;
mod error;
mod parallel;
mod performance;
mod trend;

pub use compute::{analyse, fit_reference};
pub use error::AnalysisError;
