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
    /// The Pushgateway push failed (the result is saved).
    #[error(transparent)]
    Push(#[from] crate::push::PushError),
    /// A metric could not be rendered (e.g. a feature name that cannot be a label value).
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    /// Another run holds the lock.
    #[error("another nepse-drift run holds {path}; this run did nothing")]
    Locked {
        /// The lock file.
        path: String,
    },
    /// The results directory or a result file could not be written.
    #[error("failed to save result in {path}: {detail}")]
    Save {
        /// The path.
        path: String,
        /// The I/O error.
        detail: String,
    },
    /// A saved result file could not be read back.
    #[error("failed to read result {path}: {detail}")]
    ResultFile {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// Invalid fixtures arguments.
    #[error("invalid fixtures argument: {0}")]
    FixturesSpec(String),
}

impl Error {
    /// The process exit code for this error.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) | Self::FixturesSpec(_) | Self::Save { .. } => exit::CONFIG,
            Self::Analysis(_) | Self::Metrics(_) | Self::ResultFile { .. } => exit::INPUT,
            Self::Push(_) => exit::PUSH_FAILED,
            Self::Locked { .. } => exit::LOCKED,
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
            Self::Push(e) => e.hint(),
            Self::Metrics(_) => "rename the column so that it is non-empty text without control characters",
            Self::Locked { .. } => {
                "a previous run is still going (the lock is released when it exits); nothing to clean up"
            }
            Self::Save { .. } => {
                "check [output] results_dir (or --results-dir) exists or can be created, and is writable"
            }
            Self::ResultFile { .. } => "pass a result JSON written by `nepse-drift run` (results_dir/latest.json)",
        }
    }
}
