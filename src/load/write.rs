//! Writing plain columns to Parquet, for the fixtures generator. Kept beside the reader so that
//! polars stays in one module.

use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::*;

use super::scan::date_to_days;

/// A column to write.
#[derive(Debug, Clone, PartialEq)]
pub enum OutColumn {
    /// A Date column.
    Date(Vec<NaiveDate>),
    /// A nullable Date column.
    OptDate(Vec<Option<NaiveDate>>),
    /// A Date column given as its physical days since 1970-01-01, which may lie beyond chrono's
    /// calendar (as far as date32 reaches): for writing the hostile files the tests read.
    DateDays(Vec<i32>),
    /// A String column.
    Str(Vec<String>),
    /// A nullable Float64 column (NaN is kept as NaN, `None` is null).
    F64(Vec<Option<f64>>),
    /// An Int8 column (labels).
    I8(Vec<i8>),
}

/// Why a Parquet file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("failed to write {path}: {detail}")]
pub struct WriteError {
    /// Target file.
    pub path: String,
    /// Cause.
    pub detail: String,
}

/// Writes `columns` to `path` as one Parquet file (zstd, row groups of `row_group_size`).
///
/// # Errors
/// [`WriteError`] when the frame is inconsistent or the file cannot be written.
pub fn write_parquet(path: &Path, columns: Vec<(String, OutColumn)>, row_group_size: usize) -> Result<(), WriteError> {
    let fail = |detail: String| WriteError { path: path.display().to_string(), detail };
    let cols: Vec<Column> = columns
        .into_iter()
        .map(|(name, c)| {
            let name = PlSmallStr::from(name.as_str());
            match c {
                OutColumn::Date(v) => {
                    Series::new(name, v.into_iter().map(date_to_days).collect::<Vec<i32>>()).into_date().into()
                }
                OutColumn::OptDate(v) => {
                    Series::new(name, v.into_iter().map(|d| d.map(date_to_days)).collect::<Vec<_>>()).into_date().into()
                }
                OutColumn::DateDays(v) => Series::new(name, v).into_date().into(),
                OutColumn::Str(v) => Series::new(name, v).into(),
                OutColumn::F64(v) => Series::new(name, v).into(),
                OutColumn::I8(v) => Series::new(name, v).into(),
            }
        })
        .collect();
    let mut df = DataFrame::new_infer_height(cols).map_err(|e| fail(e.to_string()))?;
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent).map_err(|e| fail(e.to_string()))?;
    }
    let file = fs_err::File::create(path).map_err(|e| fail(e.to_string()))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .with_row_group_size(Some(row_group_size))
        .with_statistics(StatisticsOptions::full())
        .finish(&mut df)
        .map_err(|e| fail(e.to_string()))?;
    Ok(())
}
