//! Duplicate `(as_of, symbol)` feature rows: a snapshot appended twice counts its day twice in
//! every bin. Checked over a window's rows as they are decoded, without sorting or grouping
//! the strings: each symbol gets an index (short symbols, as NEPSE's are, keyed by their inline
//! string view, one `u128`), and each index a bitset over the window's days.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::NaiveDate;
use polars::prelude::*;
use polars_arrow::array::{Array as _, Utf8ViewArray, View};

use super::days::date_to_days;
use super::direct::{self, NO_DAY};
use super::error::LoadError;
use super::scan::{Scan, dates_of, reading};
use crate::calendar::DateRange;

/// A key that more than one row of a window holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The earliest duplicated day.
    pub as_of: NaiveDate,
    /// Its first duplicated symbol, in byte order.
    pub symbol: String,
    /// Duplicated keys in the window.
    pub keys: usize,
}

impl Scan {
    /// The first `(as_of, symbol)` key (by day, then symbol) that more than one row of the
    /// window holds, or `None`. `days` are the window's trading days (sorted); rows with a null
    /// symbol or date are not keys.
    ///
    /// # Errors
    /// [`LoadError`] for a missing column or a decode failure.
    pub fn duplicate_key(
        &self,
        symbol: &str,
        range: Option<DateRange>,
        days: &[NaiveDate],
    ) -> Result<Option<DuplicateKey>, LoadError> {
        let days: Vec<i32> = days.iter().map(|d| date_to_days(*d)).collect();
        let mut keys = KeyCounter::new(&days);
        let window = range.map(|r| direct::DayWindow {
            column: &self.date_column,
            from: date_to_days(r.from()),
            to: date_to_days(r.to()),
        });
        if let Some(direct) =
            self.footers().and_then(|f| f.dated(symbol, direct::Kind::Text, &self.date_column, window))
        {
            direct.for_each_dated_text(&mut |text, days| keys.add_views(text, days)).map_err(|(file, detail)| {
                LoadError::Unreadable {
                    path: file.display().to_string(),
                    detail: format!("column `{symbol}`: {detail}"),
                }
            })?;
        } else {
            let df = self.collect(
                self.window(range).select([col(self.date_column.as_str()), col(symbol).cast(DataType::String)]),
            )?;
            let err = |e: PolarsError| reading(self.path(), &e);
            let dates = dates_of(&df, &self.date_column).map_err(err)?;
            let symbols = df.column(symbol).and_then(Column::str).map_err(err)?;
            for (d, s) in dates.iter().zip(symbols.iter()) {
                if let (Some(d), Some(s)) = (d, s) {
                    keys.add(date_to_days(*d), s);
                }
            }
        }
        Ok(keys.first())
    }
}

/// The `(day, symbol)` keys seen so far, and those seen twice.
struct KeyCounter {
    /// The window's days, sorted: a day's bit is its index here.
    days: Vec<i32>,
    /// u64 words per symbol in each bitset.
    words: usize,
    short: HashMap<u128, usize, BuildHasherDefault<Mix>>,
    long: HashMap<Box<str>, usize>,
    names: Vec<String>,
    seen: Vec<u64>,
    twice: Vec<u64>,
}

impl KeyCounter {
    fn new(days: &[i32]) -> Self {
        Self {
            days: days.to_vec(),
            words: days.len().div_ceil(64).max(1),
            short: HashMap::default(),
            long: HashMap::new(),
            names: Vec::new(),
            seen: Vec::new(),
            twice: Vec::new(),
        }
    }

    /// One decoded chunk of symbols with each row's day ([`NO_DAY`]: not a key). Rows come
    /// grouped by day or by symbol in a file, so the last day's bit and the last symbol's index
    /// are reused until they change.
    fn add_views(&mut self, text: &Utf8ViewArray, days: &[i32]) {
        let views = text.views();
        let (mut last_day, mut slot) = (NO_DAY, None);
        let mut last: Option<(u128, usize)> = None;
        for (i, &day) in days.iter().enumerate() {
            if day == NO_DAY || text.is_null(i) {
                continue;
            }
            if day != last_day {
                (last_day, slot) = (day, self.days.binary_search(&day).ok());
            }
            let Some(slot) = slot else { continue };
            let key = short_key(views[i]);
            let index = match (key, last) {
                (Some(k), Some((l, index))) if k == l => index,
                _ => {
                    let index = self.index(key, text.value(i));
                    last = key.map(|k| (k, index));
                    index
                }
            };
            self.mark(index, slot);
        }
    }

    /// One row.
    fn add(&mut self, day: i32, symbol: &str) {
        let Ok(slot) = self.days.binary_search(&day) else { return };
        let key = (symbol.len() <= View::MAX_INLINE_SIZE as usize)
            .then(|| short_key(View::new_inline(symbol.as_bytes())))
            .flatten();
        let index = self.index(key, symbol);
        self.mark(index, slot);
    }

    fn mark(&mut self, index: usize, slot: usize) {
        let (word, bit) = (index * self.words + slot / 64, 1_u64 << (slot % 64));
        if self.seen[word] & bit != 0 {
            self.twice[word] |= bit;
        }
        self.seen[word] |= bit;
    }

    /// The symbol's index (`key`: its [`short_key`], when it has one).
    fn index(&mut self, key: Option<u128>, symbol: &str) -> usize {
        let next = self.names.len();
        let index = match key {
            Some(key) => *self.short.entry(key).or_insert(next),
            None => *self.long.entry(symbol.into()).or_insert(next),
        };
        if index == next {
            self.names.push(symbol.to_owned());
            self.seen.resize(self.seen.len() + self.words, 0);
            self.twice.resize(self.twice.len() + self.words, 0);
        }
        index
    }

    /// The earliest duplicated key (by day, then symbol) and how many keys are duplicated.
    fn first(&self) -> Option<DuplicateKey> {
        let keys = self.twice.iter().map(|w| w.count_ones() as usize).sum();
        if keys == 0 {
            return None;
        }
        let (slot, symbol) = (0..self.names.len())
            .flat_map(|i| {
                (0..self.days.len())
                    .filter(move |s| self.twice[i * self.words + s / 64] & (1 << (s % 64)) != 0)
                    .map(move |s| (s, &self.names[i]))
            })
            .min()?;
        Some(DuplicateKey { as_of: super::days::day_to_date(self.days[slot])?, symbol: symbol.clone(), keys })
    }
}

/// A string of at most 12 bytes as one number: its inline view (length, then the bytes), with
/// the bytes past its length cleared. Equal numbers, equal strings; `None` for a longer one.
fn short_key(view: View) -> Option<u128> {
    if view.length > View::MAX_INLINE_SIZE {
        return None;
    }
    let bits = 32 + 8 * view.length;
    let v = view.as_u128();
    Some(if bits >= 128 { v } else { v & ((1_u128 << bits) - 1) })
}

/// A multiplicative hash for the short keys: std's `SipHash` costs more than the rest of the
/// check, and the keys are not attacker-chosen in a way that matters (a slow check, not a
/// wrong one).
#[derive(Default)]
struct Mix(u64);

impl Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0_u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_u128(&mut self, x: u128) {
        self.write_u64(x as u64);
        self.write_u64((x >> 64) as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::KeyCounter;

    #[test]
    fn the_earliest_duplicated_key_and_the_count_of_keys() {
        let mut k = KeyCounter::new(&[10, 11, 12]);
        for (d, s) in [(10, "NABIL"), (11, "NABIL"), (12, "A_VERY_LONG_SYMBOL_NAME"), (11, "NICA"), (12, "NICA")] {
            k.add(d, s);
        }
        assert!(k.first().is_none());
        // Three rows of one key count as one duplicated key; a day outside the window is no key.
        for (d, s) in
            [(12, "A_VERY_LONG_SYMBOL_NAME"), (12, "NICA"), (12, "NICA"), (11, "NICA"), (99, "NABIL"), (99, "NABIL")]
        {
            k.add(d, s);
        }
        let first = k.first().unwrap();
        assert_eq!((first.as_of.to_string().as_str(), first.symbol.as_str(), first.keys), ("1970-01-12", "NICA", 3));
    }

    #[test]
    fn short_keys_tell_prefixes_and_lengths_apart_and_ignore_padding() {
        use polars_arrow::array::View;
        let key = |s: &str| super::short_key(View::new_inline(s.as_bytes()));
        assert_ne!(key("AB"), key("AB\0"));
        assert_ne!(key("A"), key("AB"));
        assert_eq!(key("0123456789ab").map(|k| k >> 32 != 0), Some(true));
        assert_eq!(super::short_key(View::new_from_bytes(b"0123456789abc", 0, 0)), None);
        // Garbage past the length (a view filled from a wider buffer) does not change the key.
        let mut dirty = View::new_inline(b"NABIL");
        dirty.offset = 0xdead_beef;
        assert_eq!(super::short_key(dirty), key("NABIL"));
    }
}
