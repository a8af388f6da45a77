//! The reference profile file written by `fit-reference` and read by `--reference-profile`:
//! versioned JSON holding each feature's fitted bins (see [`super::profile`]), where
//! they came from, and a content hash.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::profile::FeatureProfile;
use crate::result::SkippedFeature;

/// Version of the profile file format.
/// Version 2 added each feature's per-day counts (the dependence-aware significance needs them);
/// version-1 profiles are refused with a hint to re-fit.
pub const PROFILE_SCHEMA_VERSION: u32 = 2;

/// A fitted reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceProfile {
    /// [`PROFILE_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The `nepse-drift` version that fitted it.
    pub tool_version: String,
    /// The reference source as given.
    pub source: String,
    /// First reference day.
    pub from: NaiveDate,
    /// Last reference day.
    pub to: NaiveDate,
    /// Trading days in the reference window.
    pub trading_days: usize,
    /// Reference rows.
    pub rows: u64,
    /// Quantile bins `k` the edges were fitted with.
    pub bins: usize,
    /// SHA-256 (hex) of the canonical JSON of `features`: identifies the fitted content.
    pub content_hash: String,
    /// Per feature.
    pub features: Vec<FeatureProfile>,
    /// Features that could not be fitted.
    pub skipped: Vec<SkippedFeature>,
}

/// Why a profile file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("reference profile {path}: {detail}")]
pub struct ProfileError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub detail: String,
}

impl ReferenceProfile {
    /// Hash of the features' canonical JSON.
    #[must_use]
    pub fn hash_features(features: &[FeatureProfile]) -> String {
        let json = serde_json::to_vec(features).unwrap_or_default();
        Sha256::digest(&json).iter().fold(String::with_capacity(64), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        })
    }

    /// Reads and checks a profile: schema version and content hash.
    ///
    /// # Errors
    /// [`ProfileError`] for an unreadable, foreign or altered file.
    pub fn read(path: &Path) -> Result<Self, ProfileError> {
        let fail = |detail: String| ProfileError { path: path.display().to_string(), detail };
        let text = fs_err::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        let profile: Self = serde_json::from_str(&text).map_err(|e| fail(format!("not a reference profile ({e})")))?;
        if profile.schema_version != PROFILE_SCHEMA_VERSION {
            return Err(fail(format!(
                "schema_version {} is not {PROFILE_SCHEMA_VERSION} (fitted by an older nepse-drift, without the per-day counts the significance test needs)",
                profile.schema_version
            )));
        }
        if Self::hash_features(&profile.features) != profile.content_hash {
            return Err(fail("content_hash does not match its features (edited or truncated?)".into()));
        }
        for f in &profile.features {
            f.check().map_err(|why| fail(format!("feature `{}`: {why}", f.feature)))?;
        }
        Ok(profile)
    }

    /// Writes the profile as pretty JSON.
    ///
    /// # Errors
    /// [`ProfileError`] when the file cannot be written.
    pub fn write(&self, path: &Path) -> Result<(), ProfileError> {
        let fail = |detail: String| ProfileError { path: path.display().to_string(), detail };
        let json = serde_json::to_string_pretty(self).map_err(|e| fail(e.to_string()))?;
        fs_err::write(path, json + "\n").map_err(|e| fail(e.to_string()))
    }

    /// The fitted profile of `feature`.
    #[must_use]
    pub fn feature(&self, feature: &str) -> Option<&FeatureProfile> {
        self.features.iter().find(|f| f.feature == feature)
    }
}
