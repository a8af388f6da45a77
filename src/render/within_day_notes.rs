//! The within-day view in the text outputs: a line for each feature it called drifted, so that
//! a drifted feature whose PSI is below its critical PSI reads as what it is (the table, the
//! Markdown and the HTML report show the level view's numbers in their columns).

use crate::result::FeatureDrift;

/// Whether the within-day view is what called `f` drifted: its PSI beyond its critical PSI.
#[must_use]
pub fn called(f: &FeatureDrift) -> bool {
    f.drifted && f.within_day.is_some_and(|w| w.psi > w.critical_psi)
}

/// One line per feature the within-day view called drifted, in the features' order.
#[must_use]
pub fn lines(features: &[FeatureDrift]) -> Vec<String> {
    features
        .iter()
        .filter(|f| called(f))
        .filter_map(|f| {
            let w = f.within_day?;
            Some(format!(
                "{}: drifted within the day: its values centred on each day's median ({} scale) have PSI {:.4}, beyond {:.4}; the symbols' spread moved, not the market's level",
                super::plain(&f.feature),
                w.scale.as_str(),
                w.psi,
                w.critical_psi
            ))
        })
        .collect()
}
