//! The rows data quality lists: a column's values beyond a limit, with each row's symbol and
//! day (the circuit-limit breaches of `ret_1d`). Filtered in the scan, so only the few breaching
//! rows are materialised.

use polars::prelude::*;

use super::error::LoadError;
use chrono::NaiveDate;

use super::days::day_to_date;
use super::scan::{Scan, reading};
use crate::calendar::DateRange;

impl Scan {
    /// The rows of the window whose `column` is beyond `±limit` (±inf included, NaN and null
    /// not): each row's symbol (`None` for a null), date and value, in file order. Rows without a
    /// date are left out (a source with any is refused before, by [`Scan::dates`]).
    ///
    /// # Errors
    /// [`LoadError`] when a column is absent or a file fails to decode.
    pub fn beyond_limit(
        &self,
        column: &str,
        symbol: &str,
        limit: f64,
        range: Option<DateRange>,
    ) -> Result<Vec<(Option<String>, NaiveDate, f64)>, LoadError> {
        let x = col(column).cast(DataType::Float64);
        let frame = self.window(range).filter(x.clone().gt(lit(limit)).or(x.clone().lt(lit(-limit)))).select([
            col(symbol).cast(DataType::String).alias("__symbol"),
            col(self.date_column.as_str()).cast(DataType::Int32).alias("__day"),
            x.alias("__value"),
        ]);
        let df = self.collect(frame)?;
        let err = |e: PolarsError| reading(self.path(), &e);
        let symbols = df.column("__symbol").and_then(Column::str).map_err(err)?;
        let days = df.column("__day").and_then(Column::i32).map_err(err)?;
        let values = df.column("__value").and_then(Column::f64).map_err(err)?;
        Ok(symbols
            .iter()
            .zip(days.iter())
            .zip(values.iter())
            .filter_map(|((s, d), v)| {
                let v = v?;
                // Polars orders NaN above every number; a NaN is missing, not a breach.
                (v.abs() > limit).then_some((s.map(str::to_owned), day_to_date(d?)?, v))
            })
            .collect())
    }
}
