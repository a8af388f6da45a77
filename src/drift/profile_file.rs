//! The reference profile file written by `fit-reference` and read by `--reference-profile`:
//! versioned JSON holding each feature's fitted bins (see [`super::profile`]), where
//! they came from, and a content hash.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::binning::MAX_BINS;
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
        let text = crate::text_file::read_capped(path, 256 * crate::text_file::MIB, "a reference profile")
            .map_err(|e| fail(e.to_string()))?;
        let profile: Self =
            crate::text_file::from_json(&text).map_err(|e| fail(format!("not a reference profile ({e})")))?;
        if profile.schema_version != PROFILE_SCHEMA_VERSION {
            return Err(fail(format!(
                "schema_version {} is not {PROFILE_SCHEMA_VERSION} (fitted by an older nepse-drift, without the per-day counts the significance test needs)",
                profile.schema_version
            )));
        }
        let calendar_days = (profile.to - profile.from).num_days().saturating_add(1);
        if profile.trading_days == 0 || i64::try_from(profile.trading_days).map_or(true, |t| t > calendar_days) {
            return Err(fail(format!(
                "trading_days {} does not fit between {} and {}",
                profile.trading_days, profile.from, profile.to
            )));
        }
        if !(2..=MAX_BINS).contains(&profile.bins) {
            return Err(fail(format!("bins {} is not in 2..={MAX_BINS}", profile.bins)));
        }
        if Self::hash_features(&profile.features) != profile.content_hash {
            return Err(fail("content_hash does not match its features (edited or truncated?)".into()));
        }
        for f in &profile.features {
            f.check().map_err(|why| fail(format!("feature `{}`: {why}", f.feature)))?;
            if let super::profile::ProfileBins::Numeric { edges, .. } = &f.bins
                && edges.value_bins() > profile.bins
            {
                return Err(fail(format!(
                    "feature `{}`: more value bins than the profile's {}",
                    f.feature, profile.bins
                )));
            }
        }
        Ok(profile)
    }

    /// The profile as pretty JSON, ending with a newline: what `fit-reference` writes (through
    /// [`crate::output`]) and [`Self::read`] reads.
    ///
    /// # Errors
    /// The serialiser's message (not expected: every value is finite).
    pub fn to_json(&self) -> Result<String, String> {
        serde_json::to_string_pretty(self).map(|json| json + "\n").map_err(|e| e.to_string())
    }

    /// The fitted profile of `feature`.
    #[must_use]
    pub fn feature(&self, feature: &str) -> Option<&FeatureProfile> {
        self.features.iter().find(|f| f.feature == feature)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;
    use crate::drift::column::Column;
    use crate::drift::daily::DayCounter;
    use crate::drift::feature::{PanelWindows, compare, with_panel_significance};
    use crate::drift::profile::ProfileBins;
    use crate::options::PsiOptions;

    /// A valid profile of one numeric and one categorical feature, with per-day counts.
    fn valid() -> ReferenceProfile {
        let values: Vec<f64> =
            (0..300).map(|i| f64::from(i % 17) * 0.5 + if i % 29 == 0 { f64::NAN } else { 0.0 }).collect();
        let mut numeric = FeatureProfile::fit("x", Column::Numeric(values.clone()), 10).unwrap();
        if let ProfileBins::Numeric { edges, .. } = &numeric.bins {
            let mut counter = DayCounter::new(edges);
            let days: Vec<i32> = (0..300).map(|i| 20_000 + i / 15).collect();
            counter.add(&values, &days);
            numeric.daily = Some(counter.finish());
        }
        let sectors = ["Hydropower", "Banking", "Hotels"];
        let cats = crate::rows::CategoryCounts::from_values((0..300).map(|i| Some(sectors[i % 3])));
        let categorical = FeatureProfile::fit("sector", Column::Categorical(cats), 10).unwrap();
        let features = vec![numeric, categorical];
        ReferenceProfile {
            schema_version: PROFILE_SCHEMA_VERSION,
            tool_version: "test".into(),
            source: "s.parquet".into(),
            from: "2024-10-04".parse().unwrap(),
            to: "2024-10-24".parse().unwrap(),
            trading_days: 20,
            rows: 300,
            bins: 10,
            content_hash: ReferenceProfile::hash_features(&features),
            features,
            skipped: Vec::new(),
        }
    }

    /// Every leaf of `v`, as a JSON pointer.
    fn leaves(v: &Value, at: &str, out: &mut Vec<String>) {
        match v {
            Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| leaves(x, &format!("{at}/{i}"), out)),
            Value::Object(o) => {
                o.iter()
                    .for_each(|(k, x)| leaves(x, &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out));
            }
            _ => out.push(at.to_owned()),
        }
    }

    fn odd_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::from(0)),
            Just(Value::from(-1)),
            Just(Value::from(u64::MAX)),
            Just(Value::from(i64::MIN)),
            Just(Value::from(1e308)),
            Just(Value::from(-1e308)),
            Just(Value::from(5e-324)),
            Just(Value::Null),
            Just(Value::from("")),
            Just(Value::Array(Vec::new())),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(Value::from),
        ]
    }

    #[test]
    fn counts_that_overflow_or_bins_out_of_range_are_refused() {
        let write = |profile: &Value| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("p.json");
            std::fs::write(&path, serde_json::to_string(profile).unwrap()).unwrap();
            (ReferenceProfile::read(&path).map(|_| ()).map_err(|e| e.detail), dir)
        };
        let rehash = |json: &mut Value| {
            let features: Vec<FeatureProfile> = serde_json::from_value(json["features"].clone()).unwrap();
            json["content_hash"] = Value::from(ReferenceProfile::hash_features(&features));
        };
        // Counts whose sum wraps to the row count in 64 bits.
        let mut json = serde_json::to_value(valid()).unwrap();
        let values = json["features"][0]["rows"].as_u64().unwrap() - json["features"][0]["missing"].as_u64().unwrap();
        let counts = json.pointer_mut("/features/0/bins/counts").unwrap().as_array_mut().unwrap();
        let rest: u64 = counts[2..].iter().map(|c| c.as_u64().unwrap()).sum();
        // u64::MAX + (values − rest + 1) = values − rest (mod 2^64): the rows check alone passes.
        counts[0] = Value::from(u64::MAX);
        counts[1] = Value::from(values - rest + 1);
        rehash(&mut json);
        assert_eq!(write(&json).0, Err("feature `x`: the counts add up to more rows than a file can hold".into()));
        // More trading days than the dates hold: a sum of windows that overflows downstream.
        for days in [0, 22, u64::MAX] {
            let mut json = serde_json::to_value(valid()).unwrap();
            json["trading_days"] = Value::from(days);
            assert_eq!(
                write(&json).0,
                Err(format!("trading_days {days} does not fit between 2024-10-04 and 2024-10-24"))
            );
        }
        for bins in [0, 1, 1001, u64::MAX] {
            let mut json = serde_json::to_value(valid()).unwrap();
            json["bins"] = Value::from(bins);
            assert_eq!(write(&json).0, Err(format!("bins {bins} is not in 2..=1000")));
        }
    }

    proptest! {
        #![proptest_config(crate::test_support::fuzz_config(400))]

        /// A profile edited anywhere (a number, a string, an emptied list), with its content hash
        /// recomputed so that only the invariants stand in the way: loading it and using it never
        /// panic. Either it is refused, or every comparison on it returns a result.
        #[test]
        fn an_edited_profile_is_refused_or_usable_never_a_panic(
            picks in prop::collection::vec((any::<prop::sample::Index>(), odd_value()), 1..4),
            current in prop::collection::vec(prop_oneof![Just(f64::NAN), -5.0f64..15.0], 1..60),
        ) {
            let mut json = serde_json::to_value(valid()).unwrap();
            let mut paths = Vec::new();
            leaves(&json, "", &mut paths);
            for (index, value) in picks {
                if let Some(slot) = json.pointer_mut(&paths[index.index(paths.len())]) {
                    *slot = value;
                }
            }
            if let Some(features) = json.get("features").cloned()
                && let Ok(features) = serde_json::from_value::<Vec<FeatureProfile>>(features)
            {
                json["content_hash"] = Value::from(ReferenceProfile::hash_features(&features));
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("p.json");
            std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
            let Ok(profile) = ReferenceProfile::read(&path) else { return Ok(()) };
            let options = PsiOptions::default();
            for f in &profile.features {
                let column = match &f.bins {
                    ProfileBins::Numeric { .. } => Column::Numeric(current.clone()),
                    ProfileBins::Categorical { .. } => Column::Categorical(crate::rows::CategoryCounts::from_values(
                        current.iter().map(|x| Some(if *x > 5.0 { "Banking" } else { "Other" })),
                    )),
                };
                if let Ok(drift) = compare(f, &column, &options) {
                    let windows = PanelWindows { daily: f.daily.as_ref(), reference_days: profile.trading_days, current_days: 3 };
                    let _ = with_panel_significance(drift, &windows, &options);
                }
            }
        }
    }
}
