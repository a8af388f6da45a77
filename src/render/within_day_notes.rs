//! The within-day view in the text outputs: a line for each feature it called drifted, so that
//! a drifted feature whose PSI is below its critical PSI reads as what it is (the table, the
//! Markdown and the HTML report show the level view's numbers in their columns).

use crate::options::Level;
use crate::result::FeatureDrift;

/// Whether the within-day view called `f` drifted (by its own PSI, size and critical value),
/// where the PSI decided the feature's call (not one of `--stattest`'s tests).
#[must_use]
pub fn called(f: &FeatureDrift) -> bool {
    f.drifted && f.drift_test.is_none() && f.within_day.is_some_and(|w| w.drifted)
}

/// Whether the level view called `f` drifted too.
fn level_called(f: &FeatureDrift) -> bool {
    f.level != Level::Stable && f.critical_psi.is_some_and(|c| f.psi > c)
}

/// One line per feature the within-day view called drifted, in the features' order.
#[must_use]
pub fn lines(features: &[FeatureDrift]) -> Vec<String> {
    features
        .iter()
        .filter(|f| called(f))
        .filter_map(|f| {
            let w = f.within_day?;
            let what = if level_called(f) {
                "the symbols' spread moved as well as the market's level"
            } else {
                "the symbols' spread moved, not the market's level"
            };
            Some(format!(
                "{}: drifted within the day: its values centred on each day's median ({} scale) have PSI {:.4}, beyond {:.4}; {what}",
                super::plain(&f.feature),
                w.scale.as_str(),
                w.psi,
                w.critical_psi
            ))
        })
        .collect()
}
