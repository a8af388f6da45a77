//! The labels of each `(as_of, symbol)`, as opposed to its features: predictions (probability,
//! predicted label, model version), outcomes (actual label) and the symbol→sector map, read
//! through the lazy scan of their source as plain rows ([`crate::rows`]).

use std::collections::HashMap;

use chrono::NaiveDate;

use polars::prelude::*;

use super::error::LoadError;
use super::scan::{Scan, date_lit, dates_of, reading};
use crate::calendar::DateRange;
use crate::rows::{Outcome, Prediction};
use crate::settings::{ColumnNames, DEFAULT_MODEL};

/// A row's model version: a null, empty or blank value is the model [`DEFAULT_MODEL`], as
/// predictions without a version column are (an empty label would be dropped by Prometheus,
/// and the series would lose their model).
fn model_name(version: Option<&str>) -> &str {
    version.filter(|v| !v.trim().is_empty()).unwrap_or(DEFAULT_MODEL)
}

impl Scan {
    /// Distinct `(symbol, sector)` pairs over the window.
    ///
    /// # Errors
    /// [`LoadError`] when a column is absent or a file fails to decode.
    pub fn sectors(&self, names: &ColumnNames, range: Option<DateRange>) -> Result<HashMap<String, String>, LoadError> {
        let (sym, sec) = (names.symbol.as_str(), names.sector.as_str());
        let df = self.collect(
            self.window(range)
                .select([col(sym).cast(DataType::String), col(sec).cast(DataType::String)])
                .unique(None, UniqueKeepStrategy::Any),
        )?;
        let err = |e: PolarsError| reading(self.path(), &e);
        let s = df.column(sym).and_then(Column::str).map_err(err)?;
        let t = df.column(sec).and_then(Column::str).map_err(err)?;
        Ok(s.iter().zip(t.iter()).filter_map(|(a, b)| Some((a?.to_owned(), b?.to_owned()))).collect())
    }

    /// The model version of the predictions on their last day up to `as_of` (the greatest name
    /// when that day holds several, as the live version is chosen): the label a run on these
    /// predictions pushes under; `default` without a version column. Reads two columns of the
    /// days up to `as_of` and keeps one day's rows.
    ///
    /// # Errors
    /// [`LoadError`] for a missing column or a decode failure.
    pub fn last_model_version(&self, names: &ColumnNames, as_of: NaiveDate) -> Result<Option<String>, LoadError> {
        if !self.schema.contains(names.model_version.as_str()) {
            return Ok(Some(DEFAULT_MODEL.to_owned()));
        }
        self.require(&names.model_version, is_text, "String")?;
        let (d, mv) = (col(self.date_column.as_str()), names.model_version.as_str());
        let df = self.collect(
            self.frame
                .clone()
                .filter(d.clone().lt_eq(date_lit(as_of)))
                .select([d.clone(), col(mv).cast(DataType::String)])
                .filter(d.clone().eq(d.max()))
                .select([col(mv)])
                .unique(None, UniqueKeepStrategy::Any),
        )?;
        let versions = df.column(mv).and_then(Column::str).map_err(|e| reading(self.path(), &e))?;
        Ok(versions.iter().map(model_name).max().map(str::to_owned))
    }

    /// Prediction rows with `as_of` in the window.
    ///
    /// # Errors
    /// [`LoadError`] for missing columns, wrong dtypes or decode failures.
    pub fn predictions(&self, names: &ColumnNames, range: Option<DateRange>) -> Result<Vec<Prediction>, LoadError> {
        self.require(&names.symbol, is_text, "String")?;
        // Without a version column the predictions are one model, `default`.
        let has_version = self.schema.contains(names.model_version.as_str());
        if has_version {
            self.require(&names.model_version, is_text, "String")?;
        }
        self.require(&names.predicted_proba, DataType::is_primitive_numeric, "Float")?;
        let has_label = self.schema.contains(names.predicted_label.as_str());
        if has_label {
            self.require(&names.predicted_label, DataType::is_primitive_numeric, "Int (0/1)")?;
        }
        let mut exprs = vec![
            col(self.date_column.as_str()),
            col(names.symbol.as_str()).cast(DataType::String),
            col(names.predicted_proba.as_str()).cast(DataType::Float64),
        ];
        if has_version {
            exprs.push(col(names.model_version.as_str()).cast(DataType::String));
        }
        if has_label {
            exprs.push(col(names.predicted_label.as_str()).cast(DataType::Float64));
        }
        let df = self.collect(self.window(range).select(exprs))?;
        let err = |e: PolarsError| reading(self.path(), &e);
        let days = dates_of(&df, &self.date_column).map_err(err)?;
        let symbols = df.column(&names.symbol).and_then(Column::str).map_err(err)?;
        let versions =
            if has_version { Some(df.column(&names.model_version).and_then(Column::str).map_err(err)?) } else { None };
        let probas = df.column(&names.predicted_proba).and_then(Column::f64).map_err(err)?;
        let labels =
            if has_label { Some(df.column(&names.predicted_label).and_then(Column::f64).map_err(err)?) } else { None };
        let mut out = Vec::with_capacity(df.height());
        for (i, day) in days.iter().enumerate() {
            let (Some(as_of), Some(symbol)) = (*day, symbols.get(i)) else { continue };
            out.push(Prediction {
                as_of,
                symbol: symbol.to_owned(),
                model_version: model_name(versions.and_then(|v| v.get(i))).to_owned(),
                proba: probas.get(i).unwrap_or(f64::NAN),
                label: labels.and_then(|l| l.get(i)).map(label_value),
            });
        }
        Ok(out)
    }

    /// Outcome rows with `as_of` in the window.
    ///
    /// # Errors
    /// [`LoadError`] for missing columns, wrong dtypes or decode failures.
    pub fn outcomes(&self, names: &ColumnNames, range: Option<DateRange>) -> Result<Vec<Outcome>, LoadError> {
        self.require(&names.symbol, is_text, "String")?;
        self.require(&names.actual_label, DataType::is_primitive_numeric, "Int (0/1)")?;
        self.require(&names.observed_at, |t| matches!(t, DataType::Date), "Date")?;
        let has_version = self.schema.contains(names.model_version.as_str());
        let mut exprs = vec![
            col(self.date_column.as_str()),
            col(names.symbol.as_str()).cast(DataType::String),
            col(names.actual_label.as_str()).cast(DataType::Float64),
            col(names.observed_at.as_str()),
        ];
        if has_version {
            exprs.push(col(names.model_version.as_str()).cast(DataType::String));
        }
        let df = self.collect(self.window(range).select(exprs))?;
        let err = |e: PolarsError| reading(self.path(), &e);
        let days = dates_of(&df, &self.date_column).map_err(err)?;
        let seen = dates_of(&df, &names.observed_at).map_err(err)?;
        let symbols = df.column(&names.symbol).and_then(Column::str).map_err(err)?;
        let labels = df.column(&names.actual_label).and_then(Column::f64).map_err(err)?;
        let versions =
            if has_version { Some(df.column(&names.model_version).and_then(Column::str).map_err(err)?) } else { None };
        let mut out = Vec::with_capacity(df.height());
        let mut unobserved = Vec::new();
        for (i, (day, seen)) in days.iter().zip(&seen).enumerate() {
            let (Some(as_of), Some(symbol)) = (*day, symbols.get(i)) else { continue };
            let Some(observed_at) = *seen else {
                unobserved.push(format!("{symbol} {as_of}"));
                continue;
            };
            out.push(Outcome {
                as_of,
                symbol: symbol.to_owned(),
                model_version: versions.map(|v| model_name(v.get(i)).to_owned()),
                actual: labels.get(i).map_or(-1, label_value),
                observed_at,
            });
        }
        if !unobserved.is_empty() {
            return Err(LoadError::NullKey {
                path: self.path().to_owned(),
                column: names.observed_at.clone(),
                rows: unobserved.len(),
                sample: unobserved.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
            });
        }
        Ok(out)
    }
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::String) || matches!(t, DataType::Categorical(..) | DataType::Enum(..))
}

/// A 0/1 label read as f64; anything not integral maps to −1 so validation rejects it.
fn label_value(x: f64) -> i64 {
    if x.fract() == 0.0 && x.abs() < 1e15 { x as i64 } else { -1 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::write::{OutColumn, write_parquet};

    fn names() -> ColumnNames {
        let n = |s: &str| s.to_owned();
        ColumnNames {
            date: n("as_of"),
            symbol: n("symbol"),
            sector: n("sector"),
            model_version: n("model_version"),
            predicted_proba: n("predicted_proba"),
            predicted_label: n("predicted_label"),
            actual_label: n("actual_label"),
            observed_at: n("observed_at"),
        }
    }

    /// The failure label follows the live version's rule: on a last day two versions predict
    /// (a shadow deployment), the greatest name; without a version column, `default`.
    #[test]
    fn last_model_version_is_the_greatest_name_of_the_last_day() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.parquet");
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let days = vec![d("2026-11-16"), d("2026-11-17"), d("2026-11-17"), d("2026-11-18")];
        write_parquet(
            &path,
            vec![
                ("as_of".into(), OutColumn::Date(days)),
                ("symbol".into(), OutColumn::Str(vec!["A".into(); 4])),
                ("model_version".into(), OutColumn::Str(vec!["v3".into(), "v1".into(), "v2".into(), "v9".into()])),
                ("predicted_proba".into(), OutColumn::F64(vec![Some(0.5); 4])),
            ],
            1024,
        )
        .unwrap();
        let scan = Scan::open(&path.display().to_string(), "as_of").unwrap();
        assert_eq!(scan.last_model_version(&names(), d("2026-11-17")).unwrap().as_deref(), Some("v2"));
        assert_eq!(scan.last_model_version(&names(), d("2026-11-16")).unwrap().as_deref(), Some("v3"));
        assert_eq!(scan.last_model_version(&names(), d("2026-11-15")).unwrap(), None, "no prediction yet");
        let bare = dir.path().join("bare.parquet");
        write_parquet(
            &bare,
            vec![
                ("as_of".into(), OutColumn::Date(vec![d("2026-11-16")])),
                ("symbol".into(), OutColumn::Str(vec!["A".into()])),
                ("predicted_proba".into(), OutColumn::F64(vec![Some(0.5)])),
            ],
            1024,
        )
        .unwrap();
        let scan = Scan::open(&bare.display().to_string(), "as_of").unwrap();
        assert_eq!(scan.last_model_version(&names(), d("2026-11-17")).unwrap().as_deref(), Some("default"));
    }
}
