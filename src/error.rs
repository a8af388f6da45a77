//! The top-level error: every module's error enum folds into it, and it alone decides the exit
//! code (see [`crate::exit`]). Printed as one line, `error: …`, then `hint: …`.

use crate::analysis::AnalysisError;
use crate::exit;
use crate::load::WriteError;
use crate::output::OutputError;
use crate::prometheus::exposition::MetricsError;
use crate::prometheus::push::PushError;
use crate::settings::ConfigError;
use crate::store::StoreError;

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
    /// An output path refused by the rule of [`crate::output`] (a directory, a device that is
    /// not a character device, one of the run's inputs, …); nothing was read or written.
    #[error(transparent)]
    OutputRefused(OutputError),
    /// The fixtures generator could not write.
    #[error(transparent)]
    Fixtures(#[from] WriteError),
    /// The Pushgateway push failed (the result is saved).
    #[error(transparent)]
    Push(#[from] PushError),
    /// The Pushgateway push of a `run` without a results directory failed: no result file
    /// was saved to push again.
    #[error(transparent)]
    PushNotSaved(PushError),
    /// A metric could not be rendered (e.g. a feature name that cannot be a label value).
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// The results directory: locked, or a result not saved or not readable.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file would be overwritten without `--force`.
    #[error("{path} already exists")]
    WouldOverwrite {
        /// The file.
        path: String,
    },
    /// Invalid fixtures arguments.
    #[error("invalid fixtures argument: {0}")]
    FixturesSpec(String),
}

impl From<OutputError> for Error {
    fn from(e: OutputError) -> Self {
        match e {
            OutputError::Write { path, detail } => Self::Output { path, detail },
            refused @ OutputError::Refused { .. } => Self::OutputRefused(refused),
        }
    }
}

impl Error {
    /// The process exit code for this error.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            // `check-config` finds a missing source where `run` would fail to read it: the same
            // input error, exit 3.
            Self::Config(crate::settings::ConfigError::SourceNotFound { .. })
            | Self::Analysis(_)
            | Self::Metrics(MetricsError::InvalidLabelValue { .. })
            | Self::Store(StoreError::Read { .. }) => exit::INPUT,
            Self::Config(_)
            | Self::FixturesSpec(_)
            | Self::WouldOverwrite { .. }
            | Self::OutputRefused(_)
            | Self::Store(StoreError::Prepare { .. } | StoreError::Unusable { .. }) => exit::CONFIG,
            Self::Store(StoreError::Save { .. }) => exit::NOT_SAVED,
            Self::Push(_) | Self::PushNotSaved(_) => exit::PUSH_FAILED,
            Self::Store(StoreError::Locked { .. }) => exit::LOCKED,
            // A number outside its gauge's bounds that a run computed (`push --result` names its
            // file instead, as an input error): a bug.
            Self::Output { .. }
            | Self::Fixtures(_)
            | Self::Metrics(MetricsError::Implausible { .. } | MetricsError::Duplicate(_) | MetricsError::Encode(_)) => {
                exit::INTERNAL
            }
        }
    }

    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Config(e) => e.hint(),
            Self::Analysis(e) => e.hint(),
            Self::Output { .. } | Self::Fixtures(_) => {
                "check that the directory exists, is writable and has space left"
            }
            Self::OutputRefused(e) => e.hint(),
            Self::FixturesSpec(_) => {
                "see `nepse-drift fixtures --help` for --start/--end and the --drift and --release syntax"
            }
            Self::WouldOverwrite { .. } => "pass --force to overwrite it, or choose another --out",
            Self::Push(e) => e.hint(),
            Self::PushNotSaved(_) => {
                "no result file was saved (no results_dir): run the job again once the gateway is back, or set \
                 results_dir so that `push --result` can push it again"
            }
            Self::Metrics(MetricsError::InvalidLabelValue { .. }) => {
                "rename the column so that it is non-empty text without control characters"
            }
            Self::Metrics(_) => {
                "a bug: the run's numbers were neither saved nor pushed (only the failure timestamp); please report \
                 it with the command, which reproduces it on the same data"
            }
            Self::Store(e) => e.hint(),
        }
    }
}
