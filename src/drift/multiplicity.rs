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
//! * **Features with a history** ([`max_t`]): Westfall and Young's (1993) single-step max-T
//!   adjustment, calibrated on the market's own past. Each feature's PSI is standardised by its
//!   own history's critical PSI (its `1−α` quantile), each past window pair's statistic is the
//!   largest standardised PSI over the features, and a feature's adjusted p-value is the share
//!   of past pairs whose statistic is at least its own. It uses the features' actual dependence
//!   (ten features that always move together count as about one) and compares today's most
//!   extreme feature with each past day's most extreme feature. Max-T rather than min-P: the
//!   empirical p-values of a history have a floor (`1/(N+1)`, and every feature has a past pair
//!   at its own maximum), so min-P's adjusted p-values cannot go below about `(1 + F)/(M + 1)`
//!   and sit on it whenever a feature exceeds its history; on realistic panels that fired on
//!   3.4% of quiet days at α = 1%.
//! * **Features without a history to test against** ([`holm`]): Holm's (1979) step-down,
//!   valid under any dependence. When both kinds are present, the max-T group counts as one test
//!   beside them (a Bonferroni split: its adjusted p-values multiplied by the number of tests,
//!   Holm's at the rest of α).
//!
//! A feature enters max-T whenever its history can test, also where the dependence model
//! decides its own call (rows close to independent): the family stays one group.

use super::history::quantile_sorted;
use crate::result::Method;

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

/// Westfall–Young max-T adjusted p-values of the features with a history (see the module
/// docs): `current[f]` is feature `f`'s PSI and `pairs[f]` its past pairs' PSIs by the first day
/// of their current window. Each PSI is standardised by its feature's own history critical PSI
/// (the `1−alpha` quantile of its past pairs), `t = PSI / c_f`; each past day's statistic is the
/// largest `t` over the features, `T_s = max_f t_f(s)`; a feature's adjusted p-value is
/// `(1 + #{s: T_s ≥ t_f}) / (M + 1)`. Only days every feature has are used. `None` with no
/// feature or no common day.
#[must_use]
pub fn max_t(current: &[f64], pairs: &[&[(i32, f64)]], alpha: f64) -> Option<Vec<f64>> {
    if current.is_empty() || current.len() != pairs.len() {
        return None;
    }
    let mut scales = Vec::with_capacity(pairs.len());
    let per_feature: Vec<std::collections::BTreeMap<i32, f64>> = pairs
        .iter()
        .map(|p| {
            let mut sorted: Vec<f64> = p.iter().map(|(_, x)| *x).collect();
            sorted.sort_by(f64::total_cmp);
            let critical = if sorted.is_empty() { 0.0 } else { quantile_sorted(&sorted, 1.0 - alpha) };
            // A history of zeros (a constant feature): any PSI above zero stands out.
            let scale = if critical > 0.0 { critical } else { f64::MIN_POSITIVE };
            scales.push(scale);
            p.iter().map(|(day, x)| (*day, x / scale)).collect()
        })
        .collect();
    let mut t: Vec<f64> = per_feature[0]
        .keys()
        .filter_map(|day| per_feature.iter().map(|m| m.get(day).copied()).try_fold(0.0_f64, |a, x| x.map(|x| a.max(x))))
        .collect();
    if t.is_empty() {
        return None;
    }
    t.sort_by(f64::total_cmp);
    let m = t.len() as f64;
    Some(
        current
            .iter()
            .zip(&scales)
            .map(|(psi, scale)| {
                let stat = psi / scale;
                (1.0 + (t.len() - t.partition_point(|x| *x < stat)) as f64) / (m + 1.0)
            })
            .collect(),
    )
}

/// One feature of the dataset-level family.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// The feature's drift p-value (its deciding null's).
    pub p_value: f64,
    /// Its PSI and its history's past pairs' PSIs by day, when the history can test: such
    /// members are adjusted together by [`max_t`].
    pub history: Option<(f64, &'a [(i32, f64)])>,
}

/// Family-adjusted p-values of `members`, in their order, and how (see the module docs): the
/// members with a history adjusted together by max-T (over the past days they all have, each
/// standardised by its own history's `1−alpha` quantile), the others by Holm, the max-T group
/// counting as one test beside them. A feature is confirmed
/// at family-wise level α when its adjusted p-value is at most α.
#[must_use]
pub fn adjust(members: &[Member<'_>], alpha: f64) -> (Vec<f64>, Method) {
    let with_history: Vec<usize> = (0..members.len()).filter(|&i| members[i].history.is_some()).collect();
    let current: Vec<f64> = with_history.iter().filter_map(|&i| members[i].history.map(|h| h.0)).collect();
    let pairs: Vec<&[(i32, f64)]> = with_history.iter().filter_map(|&i| members[i].history.map(|h| h.1)).collect();
    let grouped = max_t(&current, &pairs, alpha);
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
        (true, false) => Method::MaxT,
        (true, true) => Method::MaxTAndHolm,
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
    fn max_t_counts_the_past_days_whose_largest_standardised_psi_is_as_large() {
        // Two features over the same 9 past pairs, b the mirror of a: PSIs 1…9 and 9…1. At
        // α = 0.1 each one's critical PSI is numpy.quantile([1..9], 0.9) = 8.2, and a past day's
        // statistic max(a, b)/8.2 is 9 8 7 6 5 6 7 8 9 over 8.2.
        let a: Vec<(i32, f64)> = (1..=9).map(|d| (d, f64::from(d))).collect();
        let b: Vec<(i32, f64)> = (1..=9).map(|d| (d, f64::from(10 - d))).collect();
        let adjusted = max_t(&[8.5, 5.5], &[&a, &b], 0.1).unwrap();
        // 8.5 is matched by the two days at 9: (1 + 2)/10; 5.5 by the 8 days at 6 or more.
        assert!((adjusted[0] - 0.3).abs() < 1e-15, "{adjusted:?}");
        assert!((adjusted[1] - 0.9).abs() < 1e-15, "{adjusted:?}");
        // Beyond every past day: the floor 1/(M + 1), below α.
        assert!((max_t(&[100.0, 0.0], &[&a, &b], 0.1).unwrap()[0] - 0.1).abs() < 1e-15);
        // Only the days both features have count.
        assert_eq!(max_t(&[0.1], &[&a[..3]], 0.1).unwrap().len(), 1);
        assert_eq!(max_t(&[0.1, 0.1], &[&a[..3], &b[5..]], 0.1), None);
        assert_eq!(max_t(&[], &[], 0.1), None);
    }

    #[test]
    fn adjusted_p_values_agree_with_the_rules() {
        // Holm alone: statsmodels' multipletests([.001, .04, .03, .005], method="holm")[1] is
        // [.004, .06, .06, .015].
        let members: Vec<Member<'_>> =
            [0.001, 0.04, 0.03, 0.005].iter().map(|&p_value| Member { p_value, history: None }).collect();
        let (adjusted, method) = adjust(&members, 0.05);
        assert_eq!(method, Method::Holm);
        for (a, e) in adjusted.iter().zip([0.004, 0.06, 0.06, 0.015]) {
            assert!((a - e).abs() < 1e-15, "{adjusted:?}");
        }
        // Two features with a history (the mirror pair of the max-T test) and one without: the
        // max-T group is one test of two.
        let a: Vec<(i32, f64)> = (1..=9).map(|d| (d, f64::from(d))).collect();
        let b: Vec<(i32, f64)> = (1..=9).map(|d| (d, f64::from(10 - d))).collect();
        let members = [
            Member { p_value: 0.1, history: Some((8.5, &a)) },
            Member { p_value: 0.35, history: Some((5.5, &b)) },
            Member { p_value: 0.02, history: None },
        ];
        let (adjusted, method) = adjust(&members, 0.1);
        assert_eq!(method, Method::MaxTAndHolm);
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
