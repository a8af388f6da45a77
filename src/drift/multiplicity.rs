//! Many features, one pager: the dataset-level drift call, with the family-wise error rate
//! across features controlled.
//!
//! With `m` features each tested at α, some feature is called by chance alone on up to `m·α`
//! of days (ten features at α = 0.01: about one day in ten). The dataset-level call controls the
//! probability of any false call, the family-wise error rate, rather than Benjamini–Hochberg's
//! false discovery rate: the dataset call pages someone, so what must be rare is a page on a day
//! where nothing drifted. Features of one panel are strongly and not always positively
//! dependent (returns, RSI and moving-average gaps move together, turnover against them), and
//! the two rules below need no assumption about that, where BH's guarantee needs positive
//! regression dependence.
//!
//! * **Features with a history** ([`min_p`]): Westfall and Young's (1993) single-step
//!   min-P adjustment, calibrated on the market's own past. Each past window pair `s` gets every
//!   feature's p-value within that feature's history, and `u_s` is the smallest of them; a
//!   feature's adjusted p-value is the share of past pairs whose `u_s` is at most its own
//!   p-value, `p̃_f = (1 + #{s: u_s ≤ p_f}) / (M + 1)`. This uses the features' actual
//!   dependence (ten features that always move together count as about one), and it is
//!   calibrated where it matters: the p-values of the history are empirical, and below
//!   `1/(K + 1)` (K the disjoint stretches) they say little on their own; the smallest of
//!   eleven of them, compared with the smallest of eleven in each past pair, is a statistic
//!   the history does hold enough of.
//! * **Features without a history to test against** ([`holm`]): Holm's (1979) step-down,
//!   valid under any dependence. When both kinds are present, the min-P group counts as one test
//!   beside them (a Bonferroni split: its adjusted p-values multiplied by the number of tests,
//!   Holm's at the rest of α).
//!
//! A feature enters min-P with its history p-value whenever its history can test, also where
//! the dependence model decides its own call (rows close to independent): the family stays one
//! group, and the page can fire.

/// Which of `p_values` Holm's step-down rejects at family-wise level `alpha`, in the input's
/// order. NaN p-values are never rejected and count towards `m`.
#[must_use]
pub fn holm(p_values: &[f64], alpha: f64) -> Vec<bool> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut rejected = vec![false; m];
    for (i, &at) in order.iter().enumerate() {
        let p = p_values[at];
        if p.is_nan() || p > alpha / (m - i) as f64 {
            break;
        }
        rejected[at] = true;
    }
    rejected
}

/// Westfall–Young min-P adjusted p-values of the features whose history decides (see the
/// module docs): `current[f]` is feature `f`'s p-value against its history and `pairs[f]` its
/// past pairs' PSIs by the first day of their current window. Only days every feature has are
/// used. `None` with no feature or no common day.
#[must_use]
pub fn min_p(current: &[f64], pairs: &[&[(i32, f64)]]) -> Option<Vec<f64>> {
    if current.is_empty() || current.len() != pairs.len() {
        return None;
    }
    // Each feature's p-value of each past pair within its own history: the share of its pairs
    // at least as large (the pair itself included), over N + 1.
    let per_feature: Vec<std::collections::BTreeMap<i32, f64>> = pairs
        .iter()
        .map(|p| {
            let mut sorted: Vec<f64> = p.iter().map(|(_, x)| *x).collect();
            sorted.sort_by(f64::total_cmp);
            let n = sorted.len() as f64;
            p.iter().map(|(day, x)| (*day, (n - sorted.partition_point(|s| s < x) as f64) / (n + 1.0))).collect()
        })
        .collect();
    let mut u: Vec<f64> = per_feature[0]
        .keys()
        .filter_map(|day| per_feature.iter().map(|m| m.get(day).copied()).try_fold(1.0_f64, |a, p| p.map(|p| a.min(p))))
        .collect();
    if u.is_empty() {
        return None;
    }
    u.sort_by(f64::total_cmp);
    let m = u.len() as f64;
    Some(current.iter().map(|p| (1.0 + u.partition_point(|x| x <= p) as f64) / (m + 1.0)).collect())
}

/// One feature of the dataset-level family.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// The feature's drift p-value (its deciding null's).
    pub p_value: f64,
    /// Its p-value against its history and the history's past pairs by day, when the history
    /// can test: such members are adjusted together by [`min_p`].
    pub history: Option<(f64, &'a [(i32, f64)])>,
}

/// How a family was adjusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Westfall–Young min-P over the history's past pairs.
    MinP,
    /// Holm's step-down.
    Holm,
    /// Both, split by Bonferroni: the min-P group is one test beside the Holm members.
    MinPAndHolm,
}

impl Method {
    /// The name in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MinP => "min_p",
            Self::Holm => "holm",
            Self::MinPAndHolm => "min_p_and_holm",
        }
    }
}

/// Family-adjusted p-values of `members`, in their order, and how (see the module docs): the
/// members with a history adjusted together by min-P (over the past days they all have),
/// the others by Holm, the min-P group counting as one test beside them. A feature is confirmed
/// at family-wise level α when its adjusted p-value is at most α.
#[must_use]
pub fn adjust(members: &[Member<'_>]) -> (Vec<f64>, Method) {
    let with_history: Vec<usize> = (0..members.len()).filter(|&i| members[i].history.is_some()).collect();
    let current: Vec<f64> = with_history.iter().filter_map(|&i| members[i].history.map(|h| h.0)).collect();
    let pairs: Vec<&[(i32, f64)]> = with_history.iter().filter_map(|&i| members[i].history.map(|h| h.1)).collect();
    let grouped = min_p(&current, &pairs);
    let in_group = |i: usize| grouped.is_some() && members[i].history.is_some();
    let holm_members: Vec<usize> = (0..members.len()).filter(|&i| !in_group(i)).collect();
    let tests = holm_members.len() + usize::from(grouped.is_some());
    let mut adjusted = vec![1.0; members.len()];
    if let Some(q) = &grouped {
        for (&i, q) in with_history.iter().zip(q) {
            adjusted[i] = (q * tests as f64).min(1.0);
        }
    }
    // Holm's adjusted p-values, `max_{j ≤ i} (m − j + 1)·p₍ⱼ₎`, at the group's share of α.
    let m = holm_members.len();
    let mut order = holm_members.clone();
    order.sort_by(|&a, &b| members[a].p_value.total_cmp(&members[b].p_value));
    let mut running = 0.0_f64;
    for (j, &i) in order.iter().enumerate() {
        let p = members[i].p_value;
        running = running.max(if p.is_nan() { 1.0 } else { (m - j) as f64 * p });
        adjusted[i] = (running * tests as f64 / m as f64).min(1.0);
    }
    let method = match (grouped.is_some(), m > 0) {
        (true, false) => Method::MinP,
        (true, true) => Method::MinPAndHolm,
        (false, _) => Method::Holm,
    };
    (adjusted, method)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_steps_down_until_the_first_failure() {
        // statsmodels.stats.multitest.multipletests([.001, .04, .03, .005], .05, "holm"):
        // thresholds .05/4 = .0125, .05/3 = .0167, .05/2 = .025, .05: .001 and .005 pass,
        // .03 > .025 stops it.
        assert_eq!(holm(&[0.001, 0.04, 0.03, 0.005], 0.05), vec![true, false, false, true]);
        // Everything passes when every step does.
        assert_eq!(holm(&[0.01, 0.02, 0.03], 0.1), vec![true, true, true]);
        // The smallest alone decides the global call: Bonferroni.
        assert_eq!(holm(&[0.0026, 0.9], 0.005), vec![false, false]);
        assert_eq!(holm(&[0.0025, 0.9], 0.005), vec![true, false]);
    }

    #[test]
    fn min_p_counts_the_past_pairs_whose_smallest_p_value_is_as_small() {
        // Two features over the same 9 past pairs; feature b is a's mirror, so every pair has
        // one of them in its upper half. Pair p-values (count ≥ itself, over 10):
        // a: 0.9 … 0.1 for PSIs 1 … 9; b: the reverse. u = min: 0.1 0.2 0.3 0.4 0.5 0.4 0.3 0.2 0.1.
        let a: Vec<(i32, f64)> = (1..=9).map(|d| (d, f64::from(d))).collect();
        let b: Vec<(i32, f64)> = (1..=9).map(|d| (d, f64::from(10 - d))).collect();
        // A current p-value of 0.1 is matched by two past pairs: (1 + 2)/10.
        let adjusted = min_p(&[0.1, 0.35], &[&a, &b]).unwrap();
        assert!((adjusted[0] - 0.3).abs() < 1e-15, "{adjusted:?}");
        // 0.35: u ≤ 0.35 on 6 pairs: (1 + 6)/10.
        assert!((adjusted[1] - 0.7).abs() < 1e-15, "{adjusted:?}");
        // Only the days both features have count.
        assert_eq!(min_p(&[0.1], &[&a[..3]]).unwrap().len(), 1);
        assert_eq!(min_p(&[0.1, 0.1], &[&a[..3], &b[5..]]), None);
        assert_eq!(min_p(&[], &[]), None);
    }

    #[test]
    fn adjusted_p_values_agree_with_the_rules() {
        // Holm alone: statsmodels' multipletests([.001, .04, .03, .005], method="holm")[1] is
        // [.004, .06, .06, .015].
        let members: Vec<Member<'_>> =
            [0.001, 0.04, 0.03, 0.005].iter().map(|&p_value| Member { p_value, history: None }).collect();
        let (adjusted, method) = adjust(&members);
        assert_eq!(method, Method::Holm);
        for (a, e) in adjusted.iter().zip([0.004, 0.06, 0.06, 0.015]) {
            assert!((a - e).abs() < 1e-15, "{adjusted:?}");
        }
        // Two features with a history (the mirror pair of the min-P test) and one without: the
        // min-P group is one test of two.
        let a: Vec<(i32, f64)> = (1..=9).map(|d| (d, f64::from(d))).collect();
        let b: Vec<(i32, f64)> = (1..=9).map(|d| (d, f64::from(10 - d))).collect();
        let members = [
            Member { p_value: 0.1, history: Some((0.1, &a)) },
            Member { p_value: 0.35, history: Some((0.35, &b)) },
            Member { p_value: 0.02, history: None },
        ];
        let (adjusted, method) = adjust(&members);
        assert_eq!(method, Method::MinPAndHolm);
        assert!((adjusted[0] - 0.6).abs() < 1e-15 && adjusted[1] == 1.0, "{adjusted:?}");
        // Holm over one member at its half of α: 0.02·2.
        assert!((adjusted[2] - 0.04).abs() < 1e-15, "{adjusted:?}");
    }

    #[test]
    fn nan_is_never_rejected_and_nothing_is_rejected_of_nothing() {
        assert_eq!(holm(&[f64::NAN, 0.0], 0.01), vec![false, true]);
        assert!(holm(&[], 0.01).is_empty());
    }
}
