//! The reference side of a quantile-mode PSI, fitted once: per feature, its bin edges and the
//! reference counts over them (missing included), or its category counts. Comparing a current
//! column against a profile gives exactly the PSI of the raw reference, because quantile-mode
//! PSI depends on the reference only through these counts.
//!
//! Counts are additive: profiles of disjoint partitions of the reference, counted over the
//! *same* edges, merge by summing ([`FeatureProfile::merge`]) into the profile of the whole.
//! That is what lets the counting run per partition, or on a distributed engine, later.

use std::collections::BTreeMap;

use super::binning::{BinEdges, BinningError};
use super::column::{Column, FeatureError};
use super::daily::DailyCounts;
use super::within_day::CentredPool;
use crate::rows::CategoryCounts;

/// One feature's fitted reference.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeatureProfile {
    /// Column name.
    pub feature: String,
    /// Reference rows, missing included.
    pub rows: u64,
    /// Null or NaN reference rows.
    pub missing: u64,
    /// The bins.
    pub bins: ProfileBins,
    /// Per-day counts of the days up to the reference window's end (the source's history and
    /// the reference window), over these bins: numeric, the value bins and the missing bin;
    /// categorical, the categories in order, an `other` bin and the missing bin. What the
    /// dependence-aware significance needs from the reference; `None` when not counted.
    #[serde(default)]
    pub daily: Option<DailyCounts>,
    /// The within-day view's reference side ([`CentredPool`]), fitted from the reference data
    /// where the history can decide; not saved in a profile file (it does not hold the rows the
    /// view centres), so a saved profile has none.
    #[serde(skip)]
    pub within_day: Option<CentredPool>,
}

/// The bins of a fitted feature.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ProfileBins {
    /// Numeric: interior edges and the counts of the `edges + 1` value bins (missing apart).
    Numeric {
        /// Interior edges (right-closed bins).
        edges: BinEdges,
        /// Reference rows per value bin.
        counts: Vec<u64>,
    },
    /// Categorical: rows per category (missing apart).
    Categorical {
        /// Rows per category.
        counts: BTreeMap<String, u64>,
    },
}

impl FeatureProfile {
    /// Fits `reference` with `k` quantile bins (numeric) or its categories.
    ///
    /// # Errors
    /// [`FeatureError::AllNullReference`] when no reference value is usable.
    pub fn fit(feature: &str, reference: Column, k: usize) -> Result<Self, FeatureError> {
        match reference {
            Column::Numeric(values) => Self::fit_numeric(feature, &values, k),
            Column::Counted(_) => Err(FeatureError::KindMismatch(feature.to_owned())),
            Column::Categorical(c) => {
                if c.counts.is_empty() {
                    return Err(FeatureError::AllNullReference(feature.to_owned()));
                }
                Ok(Self {
                    feature: feature.to_owned(),
                    rows: c.rows(),
                    missing: c.missing,
                    bins: ProfileBins::Categorical { counts: c.counts },
                    daily: None,
                    within_day: None,
                })
            }
        }
    }

    /// Fits a numeric reference column.
    ///
    /// # Errors
    /// [`FeatureError::AllNullReference`] when no value is finite.
    pub fn fit_numeric(feature: &str, values: &[f64], k: usize) -> Result<Self, FeatureError> {
        let edges = BinEdges::quantiles(values, k).map_err(|e| match e {
            BinningError::NoFiniteValues | BinningError::TooFewBins(_) => {
                FeatureError::AllNullReference(feature.to_owned())
            }
        })?;
        Ok(Self::count(feature, edges, values))
    }

    /// A numeric profile from counts already taken over `edges` (value bins, then missing).
    #[must_use]
    pub fn from_counts(feature: &str, edges: BinEdges, mut counts: Vec<u64>) -> Self {
        let rows = counts.iter().sum();
        let missing = counts.pop().unwrap_or(0);
        Self {
            feature: feature.to_owned(),
            rows,
            missing,
            bins: ProfileBins::Numeric { edges, counts },
            daily: None,
            within_day: None,
        }
    }

    /// Counts numeric `values` over given `edges` (for a partition of the reference).
    #[must_use]
    pub fn count(feature: &str, edges: BinEdges, values: &[f64]) -> Self {
        let mut counts = edges.count(values);
        let missing = counts.pop().unwrap_or(0);
        Self {
            feature: feature.to_owned(),
            rows: values.len() as u64,
            missing,
            bins: ProfileBins::Numeric { edges, counts },
            daily: None,
            within_day: None,
        }
    }

    /// Sums two profiles of disjoint partitions over the same edges.
    ///
    /// # Errors
    /// A message when the features, kinds or edges differ.
    pub fn merge(&self, other: &Self) -> Result<Self, String> {
        if self.feature != other.feature {
            return Err(format!("cannot merge `{}` with `{}`", self.feature, other.feature));
        }
        let bins = match (&self.bins, &other.bins) {
            (ProfileBins::Numeric { edges: a, counts: ca }, ProfileBins::Numeric { edges: b, counts: cb }) => {
                if a != b {
                    return Err(format!("`{}`: partitions were counted over different edges", self.feature));
                }
                ProfileBins::Numeric { edges: a.clone(), counts: ca.iter().zip(cb).map(|(x, y)| x + y).collect() }
            }
            (ProfileBins::Categorical { counts: ca }, ProfileBins::Categorical { counts: cb }) => {
                let mut counts = ca.clone();
                for (k, v) in cb {
                    *counts.entry(k.clone()).or_insert(0) += v;
                }
                ProfileBins::Categorical { counts }
            }
            _ => return Err(format!("`{}` is numeric in one profile and categorical in the other", self.feature)),
        };
        Ok(Self {
            feature: self.feature.clone(),
            rows: self.rows + other.rows,
            missing: self.missing + other.missing,
            bins,
            // Per-day counts of partitions are not additive by day order; re-count them.
            daily: None,
            within_day: None,
        })
    }

    /// The aligned (reference, current) counts over this profile's bins, missing bin last, and
    /// the categories of `current` unseen in the reference.
    ///
    /// # Errors
    /// [`FeatureError::KindMismatch`] when `current` is of the other kind.
    pub fn align(&self, current: &Column) -> Result<Aligned, FeatureError> {
        match (&self.bins, current) {
            (ProfileBins::Numeric { edges, counts }, Column::Numeric(values)) => {
                let mut reference = counts.clone();
                reference.push(self.missing);
                Ok(Aligned { reference, current: edges.count(values), categories: Vec::new(), unseen: Vec::new() })
            }
            (ProfileBins::Numeric { edges, counts }, Column::Counted(current))
                if current.len() == edges.value_bins() + 1 =>
            {
                let mut reference = counts.clone();
                reference.push(self.missing);
                Ok(Aligned { reference, current: current.clone(), categories: Vec::new(), unseen: Vec::new() })
            }
            (ProfileBins::Categorical { counts }, Column::Categorical(cur)) => {
                Ok(align_categories(counts, self.missing, cur))
            }
            _ => Err(FeatureError::KindMismatch(self.feature.clone())),
        }
    }
}

impl FeatureProfile {
    /// Every invariant a fitted profile holds, checked on a profile read from a file (its
    /// content hash proves it unaltered, not well formed): numeric edges finite and strictly
    /// increasing, one count per value bin, rows equal to the counts plus the missing ones, and
    /// per-day counts over the same bins in day order.
    ///
    /// # Errors
    /// What is wrong, in words.
    pub fn check(&self) -> Result<(), String> {
        let counted: u64 = match &self.bins {
            ProfileBins::Numeric { edges, counts } => {
                BinEdges::new(edges.as_slice().to_vec())?;
                if counts.len() != edges.value_bins() {
                    return Err(format!("{} counts for {} value bins", counts.len(), edges.value_bins()));
                }
                counts.iter().try_fold(0_u64, |sum, c| sum.checked_add(*c))
            }
            ProfileBins::Categorical { counts } => counts.values().try_fold(0_u64, |sum, c| sum.checked_add(*c)),
        }
        .ok_or("the counts add up to more rows than a file can hold")?;
        if counted.checked_add(self.missing) != Some(self.rows) {
            return Err(format!("rows {} are not the counts {counted} plus missing {}", self.rows, self.missing));
        }
        if let Some(daily) = &self.daily
            && !daily.is_valid(self.daily_bins())
        {
            return Err("per-day counts do not match its bins".to_owned());
        }
        Ok(())
    }

    /// Number of bins the per-day counts have: the value bins and the missing bin, or the
    /// categories, `other` and the missing bin.
    #[must_use]
    pub fn daily_bins(&self) -> usize {
        match &self.bins {
            ProfileBins::Numeric { edges, .. } => edges.value_bins() + 1,
            ProfileBins::Categorical { counts } => counts.len() + 2,
        }
    }

    /// The categories of a categorical profile, in bin order.
    #[must_use]
    pub fn categories(&self) -> Vec<String> {
        match &self.bins {
            ProfileBins::Numeric { .. } => Vec::new(),
            ProfileBins::Categorical { counts } => counts.keys().cloned().collect(),
        }
    }
}

/// Counts of both sides over the same bins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aligned {
    /// Reference counts, missing bin last.
    pub reference: Vec<u64>,
    /// Current counts, missing bin last.
    pub current: Vec<u64>,
    /// Category per bin (categorical only; the missing bin excluded).
    pub categories: Vec<String>,
    /// Current categories unseen in the reference.
    pub unseen: Vec<String>,
}

fn align_categories(reference: &BTreeMap<String, u64>, missing: u64, current: &CategoryCounts) -> Aligned {
    let mut aligned = union_categories(reference, &current.counts);
    aligned.reference.push(missing);
    aligned.current.push(current.missing);
    aligned
}

/// One bin per category of `reference` ∪ `current`, sorted, without a missing bin; the
/// categories absent from the reference are listed as unseen.
pub(super) fn union_categories(reference: &BTreeMap<String, u64>, current: &BTreeMap<String, u64>) -> Aligned {
    let mut keys: Vec<&String> = reference.keys().chain(current.keys()).collect();
    keys.sort();
    keys.dedup();
    let get = |m: &BTreeMap<String, u64>, k: &String| m.get(k).copied().unwrap_or(0);
    Aligned {
        reference: keys.iter().map(|k| get(reference, k)).collect(),
        current: keys.iter().map(|k| get(current, k)).collect(),
        unseen: keys.iter().filter(|k| !reference.contains_key(**k)).map(|k| (*k).clone()).collect(),
        categories: keys.into_iter().cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::psi::psi_quantile;
    use proptest::prelude::*;

    #[test]
    fn merge_of_partitions_equals_the_whole() {
        let whole: Vec<f64> = (0..100).map(|i| f64::from(i % 37) + if i % 11 == 0 { f64::NAN } else { 0.0 }).collect();
        let fitted = FeatureProfile::fit("x", Column::Numeric(whole.clone()), 10).unwrap();
        let ProfileBins::Numeric { edges, .. } = &fitted.bins else { panic!("numeric") };
        let a = FeatureProfile::count("x", edges.clone(), &whole[..40]);
        let b = FeatureProfile::count("x", edges.clone(), &whole[40..]);
        assert_eq!(a.merge(&b).unwrap(), fitted);
    }

    #[test]
    fn merge_refuses_different_edges() {
        let a = FeatureProfile::count("x", BinEdges::new(vec![1.0]).unwrap(), &[0.0]);
        let b = FeatureProfile::count("x", BinEdges::new(vec![2.0]).unwrap(), &[0.0]);
        assert!(a.merge(&b).is_err());
    }

    proptest! {
        #[test]
        fn merged_partition_profiles_give_the_same_psi(
            values in prop::collection::vec(prop_oneof![Just(f64::NAN), -100.0f64..100.0], 20..200),
            current in prop::collection::vec(-120.0f64..120.0, 1..100),
            split in 0usize..200,
        ) {
            let split = split.min(values.len());
            let Ok(whole) = FeatureProfile::fit("x", Column::Numeric(values.clone()), 10) else { return Ok(()) };
            let ProfileBins::Numeric { edges, .. } = &whole.bins else { unreachable!() };
            let merged = FeatureProfile::count("x", edges.clone(), &values[..split])
                .merge(&FeatureProfile::count("x", edges.clone(), &values[split..]))
                .unwrap();
            let cur = Column::Numeric(current);
            let (w, m) = (whole.align(&cur).unwrap(), merged.align(&cur).unwrap());
            prop_assert_eq!(&w, &m);
            prop_assert_eq!(psi_quantile(&w.reference, &w.current, 1e-4).psi, psi_quantile(&m.reference, &m.current, 1e-4).psi);
            // Bin counts sum to the row counts.
            prop_assert_eq!(w.reference.iter().sum::<u64>(), values.len() as u64);
        }
    }
}
