//! The top-level error: every module's error enum folds into it, and it alone decides the exit
//! code (see [`crate::exit`]). Printed as one line, `error: …`, then `hint: …`.

use crate::analysis::AnalysisError;
use crate::config::ConfigError;
use crate::exit;
use crate::load::write::WriteError;

/// Any failure of a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad configuration or flags.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Bad input data.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// An output file could not be written.
    #[error("failed to write {path}: {detail}")]
    Output {
        /// The file.
        path: String,
        /// The I/O error.
        detail: String,
    },
    /// The fixtures generator could not write.
    #[error(transparent)]
    Fixtures(#[from] WriteError),
    /// Invalid fixtures arguments.
    #[error("invalid fixtures argument: {0}")]
    FixturesSpec(String),
}

impl Error {
    /// The process exit code for this error.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) | Self::FixturesSpec(_) => exit::CONFIG,
            Self::Analysis(_) => exit::INPUT,
            Self::Output { .. } | Self::Fixtures(_) => exit::INTERNAL,
        }
    }

    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Config(e) => e.hint(),
            Self::Analysis(e) => e.hint(),
            Self::Output { .. } | Self::Fixtures(_) => "check that the directory exists and is writable",
            Self::FixturesSpec(_) => "see `nepse-drift fixtures --help` for the drift spec syntax",
        }
    }
}
