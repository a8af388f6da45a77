//! Polars' physical Date: days since 1970-01-01, to and from chrono's dates.

use chrono::{Datelike, NaiveDate};

/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// The date `days` after 1970-01-01 (`None` beyond chrono's calendar).
pub(super) fn day_to_date(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(EPOCH_DAYS_FROM_CE)?)
}

/// Days since 1970-01-01 of `d`: Polars' physical Date.
#[must_use]
pub fn date_to_days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 19).unwrap();
        assert_eq!(day_to_date(date_to_days(d)), Some(d));
        assert_eq!(date_to_days("1970-01-02".parse().unwrap()), 1);
        assert_eq!(day_to_date(i32::MAX), None);
    }
}
