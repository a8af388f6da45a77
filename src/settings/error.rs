//! Why settings could not be resolved: raised while reading the config file and while merging
//! and validating it with the flags and the environment. Every variant exits with code 2 but
//! [`ConfigError::SourceNotFound`] (`check-config`'s missing source), an input error: 3, as in `run`.

use std::path::PathBuf;

/// Why the configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("failed to read config {path}: {detail}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        detail: String,
    },
    /// The file is not valid TOML for this schema (unknown key, wrong type, …).
    #[error("invalid config {path}: {detail}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What serde said, on one line.
        detail: String,
    },
    /// A value is out of range or inconsistent.
    #[error("invalid setting `{key}`: {detail}")]
    Invalid {
        /// The dotted key (or flag).
        key: String,
        /// What is wrong.
        detail: String,
    },
    /// A required setting has no value from flags, environment or file.
    #[error("missing setting `{key}`")]
    Missing {
        /// The dotted key.
        key: String,
    },
    /// A configured source does not exist.
    #[error("source `{key}` = {path}: no such file or directory")]
    SourceNotFound {
        /// The dotted key.
        key: String,
        /// The path.
        path: String,
    },
    /// A credential file could not be read.
    #[error("failed to read credential file {path}: {detail}")]
    Credential {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        detail: String,
    },
}

impl ConfigError {
    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Read { .. } => "check --config / NEPSE_DRIFT_CONFIG",
            Self::Parse { .. } => "compare with the committed nepse-drift.toml example; unknown keys are errors",
            Self::Invalid { .. } => "see the README's configuration table for valid values",
            Self::Missing { .. } => "set it in the config file, a NEPSE_DRIFT_* variable or a flag",
            Self::SourceNotFound { .. } => {
                "check the path in [sources]; relative paths are relative to the working directory"
            }
            Self::Credential { .. } => "check the *_file setting in [push] and the file's permissions",
        }
    }
}
