//! Several feature columns read together, row-aligned, with each row's day: the multivariate
//! drift's input. One lazy query, so every column comes in the same row order.

use polars::prelude::*;

use super::error::LoadError;
use super::scan::{Scan, reading};
use crate::calendar::DateRange;
use crate::rows::FeatureTable;

impl Scan {
    /// The `numeric` and `categorical` columns over the window, row by row with each row's day
    /// (and its symbol, numbered, when `symbol` names the column); rows without a date are left
    /// out.
    ///
    /// # Errors
    /// [`LoadError`] when a column is absent or a file fails to decode.
    pub fn feature_table(
        &self,
        numeric: &[&str],
        categorical: &[&str],
        symbol: Option<&str>,
        range: Option<DateRange>,
    ) -> Result<FeatureTable, LoadError> {
        let alias = |kind: &str, i: usize| format!("__{kind}{i}");
        let mut exprs = vec![col(self.date_column.as_str()).cast(DataType::Int32).alias("__day")];
        exprs.extend(numeric.iter().enumerate().map(|(i, c)| col(*c).cast(DataType::Float64).alias(alias("n", i))));
        exprs.extend(categorical.iter().enumerate().map(|(i, c)| self.category(c).alias(alias("c", i))));
        if let Some(s) = symbol {
            exprs.push(col(s).cast(DataType::String).alias("__symbol"));
        }
        let df = self.collect(self.window(range).select(exprs))?;
        let err = |e: PolarsError| reading(self.path(), &e);
        let days = df.column("__day").and_then(Column::i32).map_err(err)?;
        let dated: Vec<bool> = days.iter().map(|d| d.is_some()).collect();
        let mut table = FeatureTable { days: days.iter().flatten().collect(), ..FeatureTable::default() };
        for i in 0..numeric.len() {
            let values = df.column(&alias("n", i)).and_then(Column::f64).map_err(err)?;
            let keep = values.iter().zip(&dated).filter(|(_, d)| **d);
            table.numeric.push(keep.map(|(v, _)| v.unwrap_or(f64::NAN)).collect());
        }
        for i in 0..categorical.len() {
            let values = df.column(&alias("c", i)).and_then(Column::str).map_err(err)?;
            let keep = values.iter().zip(&dated).filter(|(_, d)| **d);
            table.categorical.push(keep.map(|(v, _)| v.map(str::to_owned)).collect());
        }
        if symbol.is_some() {
            let values = df.column("__symbol").and_then(Column::str).map_err(err)?;
            let mut numbers: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
            let keep = values.iter().zip(&dated).filter(|(_, d)| **d);
            table.symbols = keep
                .map(|(v, _)| {
                    v.map_or(u32::MAX, |s| {
                        let next = numbers.len() as u32;
                        *numbers.entry(s).or_insert(next)
                    })
                })
                .collect();
            let mut names = vec![String::new(); numbers.len()];
            for (name, n) in numbers {
                name.clone_into(&mut names[n as usize]);
            }
            table.symbol_names = names;
        }
        Ok(table)
    }
}
