//! The only module that knows polars: lazy Parquet scans, schema checks, date pushdown, and
//! conversion to the plain vectors and [`crate::rows`] the math modules take.
//!
//! [`scan`](Scan) holds the lazy queries, `direct` the column-chunk reader, `hive` the check that
//! a partition's files agree with its folder's date, `labels` the prediction and outcome rows and
//! the sector map, `write` the Parquet writer of the synthetic panels, `days` the Date
//! conversions.
//!
//! A *source* is one Parquet file, a directory of Parquet files (hive partitions such as
//! `as_of=2026-11-20/` are read as columns), or a glob. Queries through polars are lazy: the date
//! window is a predicate inside the scan and only the needed columns are projected, so row
//! groups, files and hive partitions outside the window are skipped by their statistics rather
//! than read and filtered. Numeric features are read one column at a time, so memory follows one
//! column, not the whole frame.
//!
//! Numeric columns and the distinct dates skip the lazy engine: they are decoded straight from
//! the files, column chunk by column chunk, by [`direct`] (the same `polars-parquet` decoder the
//! scan uses), with a date window applied through the row groups' statistics and, where a row
//! group straddles the window, its decoded dates. That is the hot path of every drift
//! computation: no memory map, no intermediate polars column, a current column counted as it
//! is decoded and a reference column decoded (on several threads) into the one quantile buffer.
//! Sources the direct reader does not handle (hive partition columns, decimals) and everything
//! else (categorical and key columns, predictions, outcomes) stay lazy.

mod beyond;
mod days;
mod direct;
mod error;
mod hive;
mod keys;
mod labels;
mod scan;
mod table;
mod write;

pub use days::date_to_days;
pub use error::LoadError;
pub use keys::DuplicateKey;
pub use scan::{ColumnType, Scan};
pub use write::{OutColumn, WriteError, parquet_bytes, write_parquet};
