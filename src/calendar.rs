//! NEPSE's calendar and date-window arithmetic.
//!
//! NEPSE trades Sunday to Thursday. Holidays are not known in advance, so the trading days of a
//! window are the dates present in the data; the weekday rule is only used to count label lags.
//! "Today" is the calendar date in Nepal time, UTC+05:45, which has no daylight saving.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};

/// Nepal's UTC offset in seconds (+05:45).
pub const NEPAL_OFFSET_SECONDS: i32 = 5 * 3600 + 45 * 60;

/// The calendar date in Nepal at instant `now`.
#[must_use]
pub fn nepal_date(now: DateTime<Utc>) -> NaiveDate {
    (now + chrono::TimeDelta::seconds(i64::from(NEPAL_OFFSET_SECONDS))).date_naive()
}

/// Unix seconds of `time` (Nepal time) on `date`: `date time` as UTC, less the +05:45 offset.
#[must_use]
pub fn nepal_instant(date: NaiveDate, time: NaiveTime) -> i64 {
    date.and_time(time).and_utc().timestamp() - i64::from(NEPAL_OFFSET_SECONDS)
}

/// Whether NEPSE normally trades on this weekday (Sunday–Thursday).
#[must_use]
pub fn is_trading_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Fri | Weekday::Sat)
}

/// Sunday–Thursday days in `(from, to]`: the label lag of an outcome for day `from` observed on
/// `to`. 0 when `to <= from`.
#[must_use]
pub fn trading_days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut n = 0;
    let mut d = from;
    while d < to {
        d = d.succ_opt().unwrap_or(d);
        if is_trading_weekday(d) {
            n += 1;
        }
        if d == NaiveDate::MAX {
            break;
        }
    }
    n
}

/// Trading days in `(from, to]` by the calendar of `days` present in the data (sorted): the
/// label lag of an outcome for day `from` observed on `to`. Past the last known day, the
/// Sunday–Thursday rule counts the rest (holidays there are not known yet).
#[must_use]
pub fn trading_days_in(days: &[NaiveDate], from: NaiveDate, to: NaiveDate) -> u32 {
    if to <= from {
        return 0;
    }
    let Some(&last) = days.last() else { return trading_days_between(from, to) };
    let lo = days.partition_point(|d| *d <= from);
    let hi = days.partition_point(|d| *d <= to);
    let known = u32::try_from(hi.saturating_sub(lo)).unwrap_or(u32::MAX);
    if to > last { known + trading_days_between(last.max(from), to) } else { known }
}

/// An inclusive date range with `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DateRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl DateRange {
    /// Validating constructor.
    ///
    /// # Errors
    /// When `from` is after `to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, String> {
        if from > to {
            return Err(format!("--from {from} is after --to {to}"));
        }
        Ok(Self { from, to })
    }

    /// First day, inclusive.
    #[must_use]
    pub fn from(&self) -> NaiveDate {
        self.from
    }

    /// Last day, inclusive.
    #[must_use]
    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// Whether `d` lies in the range.
    #[must_use]
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// The last `n` of the sorted `days` that are on or before `as_of`.
#[must_use]
pub fn last_n(days: &[NaiveDate], as_of: NaiveDate, n: usize) -> &[NaiveDate] {
    let end = days.partition_point(|d| *d <= as_of);
    &days[end.saturating_sub(n)..end]
}

/// The `n` sorted `days` strictly before `start`.
#[must_use]
pub fn n_before(days: &[NaiveDate], start: NaiveDate, n: usize) -> &[NaiveDate] {
    let end = days.partition_point(|d| *d < start);
    &days[end.saturating_sub(n)..end]
}

/// Splits sorted trading `days` into consecutive steps of `n` days, the last step ending on the
/// last day (so the oldest step may be shorter).
#[must_use]
pub fn steps_of(days: &[NaiveDate], n: usize) -> Vec<&[NaiveDate]> {
    let n = n.max(1);
    let mut out: Vec<&[NaiveDate]> = days.rchunks(n).collect();
    out.reverse();
    out
}

/// Splits sorted trading `days` into NEPSE weeks (Sunday to Saturday).
#[must_use]
pub fn weeks_of(days: &[NaiveDate]) -> Vec<&[NaiveDate]> {
    days.chunk_by(|a, b| week_start(*a) == week_start(*b)).collect()
}

/// The Sunday that starts `d`'s NEPSE week.
#[must_use]
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - chrono::Days::new(u64::from(d.weekday().num_days_from_sunday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_past_four_in_kathmandu_is_quarter_to_eleven_utc() {
        let t = NaiveTime::from_hms_opt(16, 30, 0).unwrap();
        // `date -u -d 2026-11-19T10:45:00Z +%s`
        assert_eq!(nepal_instant(d("2026-11-19"), t), 1_795_085_100);
        assert_eq!(nepal_date(DateTime::from_timestamp(1_795_085_100, 0).unwrap()), d("2026-11-19"));
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn nepal_date_rolls_over_at_18_15_utc() {
        let before: DateTime<Utc> = "2026-11-25T18:14:59Z".parse().unwrap();
        let after: DateTime<Utc> = "2026-11-25T18:15:00Z".parse().unwrap();
        assert_eq!(nepal_date(before), d("2026-11-25"));
        assert_eq!(nepal_date(after), d("2026-11-26"));
    }

    #[test]
    fn friday_and_saturday_are_not_trading_days() {
        assert!(is_trading_weekday(d("2026-11-22"))); // Sunday
        assert!(is_trading_weekday(d("2026-11-26"))); // Thursday
        assert!(!is_trading_weekday(d("2026-11-27"))); // Friday
        assert!(!is_trading_weekday(d("2026-11-28"))); // Saturday
    }

    #[test]
    fn lag_over_the_weekend_is_one_trading_day() {
        // Thursday's outcome known on Sunday: one trading day later.
        assert_eq!(trading_days_between(d("2026-11-26"), d("2026-11-29")), 1);
        assert_eq!(trading_days_between(d("2026-11-22"), d("2026-11-23")), 1);
        assert_eq!(trading_days_between(d("2026-11-22"), d("2026-11-22")), 0);
    }

    #[test]
    fn lag_over_holidays_counts_only_days_present() {
        // Tihar: 2026-11-09..11 absent, so Sunday 11-08 → Thursday 11-12 is one trading day.
        let days = [d("2026-11-05"), d("2026-11-08"), d("2026-11-12"), d("2026-11-15")];
        assert_eq!(trading_days_in(&days, d("2026-11-08"), d("2026-11-12")), 1);
        assert_eq!(trading_days_in(&days, d("2026-11-05"), d("2026-11-15")), 3);
        // Past the last known day the weekday rule takes over: 11-16 and 11-17 are Mon, Tue.
        assert_eq!(trading_days_in(&days, d("2026-11-12"), d("2026-11-17")), 3);
        assert_eq!(trading_days_in(&[], d("2026-11-26"), d("2026-11-29")), 1);
    }

    #[test]
    fn windows_from_present_days() {
        let days = [d("2026-11-18"), d("2026-11-19"), d("2026-11-22"), d("2026-11-23")];
        assert_eq!(last_n(&days, d("2026-11-22"), 2), &days[1..3]);
        assert_eq!(n_before(&days, d("2026-11-22"), 5), &days[0..2]);
        assert_eq!(steps_of(&days, 3), vec![&days[0..1], &days[1..4]]);
        assert_eq!(weeks_of(&days), vec![&days[0..2], &days[2..4]]);
    }

    #[test]
    fn from_after_to_is_rejected() {
        assert!(DateRange::new(d("2026-11-23"), d("2026-11-22")).is_err());
    }
}
