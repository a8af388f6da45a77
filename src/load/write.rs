//! Writing plain columns to Parquet, for the fixtures generator and the tests. Kept beside the reader so that
//! polars stays in one module.

use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::*;

use super::days::date_to_days;

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

/// Encodes `columns` as one Parquet file in memory (zstd, row groups of `row_group_size`), for
/// the caller to write by the output rule of [`crate::output`]. `name` names the file in errors.
///
/// # Errors
/// [`WriteError`] when the frame is inconsistent (columns of unequal length) or cannot be encoded.
pub fn parquet_bytes(
    name: &str,
    columns: Vec<(String, OutColumn)>,
    row_group_size: usize,
) -> Result<Vec<u8>, WriteError> {
    let fail = |detail: String| WriteError { path: name.to_owned(), detail };
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
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Zstd(None))
        .with_row_group_size(Some(row_group_size))
        .with_statistics(StatisticsOptions::full())
        .finish(&mut df)
        .map_err(|e| fail(e.to_string()))?;
    Ok(bytes)
}

/// Writes `columns` to `path` as one Parquet file (see [`parquet_bytes`]), creating its
/// directory: for tests, which write their own inputs into a temporary directory.
///
/// # Errors
/// [`WriteError`] when the frame is inconsistent or the file cannot be written.
pub fn write_parquet(path: &Path, columns: Vec<(String, OutColumn)>, row_group_size: usize) -> Result<(), WriteError> {
    let bytes = parquet_bytes(&path.display().to_string(), columns, row_group_size)?;
    let fail = |detail: String| WriteError { path: path.display().to_string(), detail };
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent).map_err(|e| fail(e.to_string()))?;
    }
    fs_err::write(path, bytes).map_err(|e| fail(e.to_string()))
}
