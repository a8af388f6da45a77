//! The options a result records (its `psi_options`): how bins are made, ε, α, the PSI's level
//! thresholds and the levels they make, the significance test, and which of Evidently's tests
//! run beside the PSI, with their names and rules. Plain types that settings resolve, the
//! math takes and every result keeps; this module depends on no other of the crate.

/// How bins are made and zero proportions replaced; see [`crate::drift::binning`] and
/// [`crate::drift::psi`].
///
/// Also the `--binning` flag's values (the `value(help)` texts are what `--help` shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum BinningMode {
    /// Reference quantiles, right-closed bins, a missing bin, ε for zeros.
    #[value(help = "Reference deciles, right-closed, missing bin, ε")]
    Quantile,
    /// Evidently 0.7's PSI test, for comparison with that tool.
    #[value(help = "Evidently 0.7's PSI test")]
    Evidently,
}

/// PSI level thresholds: `stable` below `moderate`, `moderate` from `moderate` up to
/// `significant`, `significant` at and above `significant`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Thresholds {
    /// Lower bound of the `moderate` level (default 0.1).
    pub moderate: f64,
    /// Lower bound of the `significant` level (default 0.25).
    pub significant: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { moderate: 0.1, significant: 0.25 }
    }
}

impl Thresholds {
    /// The level of a PSI value.
    #[must_use]
    pub fn level(&self, psi: f64) -> Level {
        if psi >= self.significant {
            Level::Significant
        } else if psi >= self.moderate {
            Level::Moderate
        } else {
            Level::Stable
        }
    }
}

/// Which test decides whether a PSI is bigger than chance (`--significance`).
///
/// Also the flag's values (the `value(help)` texts are what `--help` shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SignificanceTest {
    /// The dependence-aware test of [`crate::drift::significance::panel`]: trading days as clusters,
    /// serial dependence, the feature's own history.
    #[default]
    #[value(help = "Dependence-aware: trading days as clusters, serial dependence, the feature's history (default)")]
    Panel,
    /// The χ² test of independent rows ([`crate::drift::significance::significance`]).
    #[value(help = "χ² test assuming independent rows (only for data whose rows truly are)")]
    Iid,
}

impl SignificanceTest {
    /// The name in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Panel => "panel",
            Self::Iid => "iid",
        }
    }
}

/// Everything that decides a PSI number.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PsiOptions {
    /// Binning convention.
    pub mode: BinningMode,
    /// Number of quantile bins `k` (quantile mode).
    pub bins: usize,
    /// Replacement for zero proportions (quantile mode).
    pub epsilon: f64,
    /// Significance level of the χ² test.
    pub alpha: f64,
    /// Level thresholds.
    pub thresholds: Thresholds,
    /// The significance test (quantile mode; Evidently mode always uses `iid`).
    #[serde(default)]
    pub significance: SignificanceTest,
    /// Evidently's drift tests computed beside the PSI (none by default).
    #[serde(default, skip_serializing_if = "Choice::is_psi")]
    pub stattest: Choice,
}

impl Default for PsiOptions {
    fn default() -> Self {
        Self {
            mode: BinningMode::Quantile,
            bins: 10,
            epsilon: 1e-4,
            alpha: 0.01,
            thresholds: Thresholds::default(),
            significance: SignificanceTest::Panel,
            stattest: Choice::Psi,
        }
    }
}

/// PSI level by the configured thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// PSI below the moderate threshold (0.1).
    Stable,
    /// PSI from the moderate threshold up to the significant one (0.1 ≤ PSI < 0.25).
    Moderate,
    /// PSI at or above the significant threshold (0.25).
    Significant,
}

impl Level {
    /// Lower-case name, as in the JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stable => "stable",
            Self::Moderate => "moderate",
            Self::Significant => "significant",
        }
    }
}

/// One of Evidently's drift tests (their formulas: [`crate::drift::stattests`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatTest {
    /// Population Stability Index (Evidently's binning).
    Psi,
    /// Kolmogorov–Smirnov p-value.
    Ks,
    /// Normed Wasserstein distance.
    Wasserstein,
    /// Jensen–Shannon distance.
    JensenShannon,
    /// Hellinger distance.
    Hellinger,
    /// Kullback–Leibler divergence.
    KlDiv,
    /// Pearson's χ² p-value.
    ChiSquare,
    /// Two-proportion z-test p-value.
    Z,
}

impl StatTest {
    /// Every test, in the order results list them.
    pub const ALL: [Self; 8] = [
        Self::Psi,
        Self::Ks,
        Self::Wasserstein,
        Self::JensenShannon,
        Self::Hellinger,
        Self::KlDiv,
        Self::ChiSquare,
        Self::Z,
    ];

    /// Evidently's name of the test.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Psi => "psi",
            Self::Ks => "ks",
            Self::Wasserstein => "wasserstein",
            Self::JensenShannon => "jensenshannon",
            Self::Hellinger => "hellinger",
            Self::KlDiv => "kl_div",
            Self::ChiSquare => "chisquare",
            Self::Z => "z",
        }
    }

    /// The test named `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Evidently's default threshold.
    #[must_use]
    pub fn default_threshold(self) -> f64 {
        match self {
            Self::Ks | Self::ChiSquare | Self::Z => 0.05,
            Self::Psi | Self::Wasserstein | Self::JensenShannon | Self::Hellinger | Self::KlDiv => 0.1,
        }
    }

    /// Whether the value is a p-value (small means drift) rather than a distance.
    #[must_use]
    pub fn is_p_value(self) -> bool {
        matches!(self, Self::Ks | Self::ChiSquare | Self::Z)
    }

    /// Whether `value` is drift at `threshold`, by Evidently's rule for the test.
    #[must_use]
    pub fn drifted(self, value: f64, threshold: f64) -> bool {
        match self {
            Self::Ks => value <= threshold,
            Self::ChiSquare | Self::Z => value < threshold,
            _ => value >= threshold,
        }
    }

    /// Whether the test applies to a feature of this kind under `all`.
    #[must_use]
    pub fn applies_to(self, numeric: bool) -> bool {
        match self {
            Self::Ks | Self::Wasserstein => numeric,
            Self::ChiSquare | Self::Z => !numeric,
            Self::Psi | Self::JensenShannon | Self::Hellinger | Self::KlDiv => true,
        }
    }
}

/// Which drift tests a run computes beside the PSI (`--stattest`, `psi.stattest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Choice {
    /// Only the PSI, with its dependence-aware call (the default): nothing else is computed.
    #[default]
    Psi,
    /// One of Evidently's tests, which decides `drifted` where it applies.
    One(StatTest),
    /// The test Evidently's preset would pick for each feature
    /// ([`crate::drift::stattests::auto`]), which decides.
    Auto,
    /// Every test that applies to each feature's kind; the preset's pick decides.
    All,
}

impl Choice {
    /// Every accepted name, for messages.
    pub const NAMES: &'static str = "psi, ks, wasserstein, jensenshannon, hellinger, kl_div, chisquare, z, auto, all";

    /// The choice named `name` (`psi` is the default PSI, not Evidently's).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "psi" => Some(Self::Psi),
            "auto" => Some(Self::Auto),
            "all" => Some(Self::All),
            other => StatTest::from_name(other).map(Self::One),
        }
    }

    /// Its name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Psi => "psi",
            Self::Auto => "auto",
            Self::All => "all",
            Self::One(t) => t.name(),
        }
    }

    /// Whether this is the default (nothing but the PSI).
    #[must_use]
    pub fn is_psi(&self) -> bool {
        *self == Self::Psi
    }
}

impl serde::Serialize for Choice {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Choice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Self::from_name(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown stattest `{name}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_rules_follow_evidently() {
        for t in StatTest::ALL {
            assert_eq!(StatTest::from_name(t.name()), Some(t));
        }
        assert!(StatTest::Ks.drifted(0.05, 0.05) && !StatTest::ChiSquare.drifted(0.05, 0.05));
        assert!(StatTest::Wasserstein.drifted(0.1, 0.1) && !StatTest::Psi.drifted(0.09, 0.1));
    }

    #[test_case::test_case(0.099, Level::Stable)]
    #[test_case::test_case(0.1, Level::Moderate)]
    #[test_case::test_case(0.2499, Level::Moderate)]
    #[test_case::test_case(0.25, Level::Significant)]
    fn levels(psi: f64, level: Level) {
        assert_eq!(Thresholds::default().level(psi), level);
    }
}
