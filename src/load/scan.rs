//! The lazy polars queries over one source, and its schema: the date window as a predicate
//! inside the scan, only the needed columns projected. Numeric columns and the distinct dates
//! go through [`super::direct`] when the files allow it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use polars::prelude::*;

use super::days::{date_to_days, day_to_date};
use super::direct;
use super::error::LoadError;
use crate::calendar::DateRange;
use crate::result::FeatureKind;
use crate::rows::{CategoryCounts, DaySlots};

/// A group's values (null → NaN) and each value's day (days since 1970-01-01).
pub type DatedValues = (Vec<f64>, Vec<i32>);

/// Rows decoded at a time when the lazy scan reads a whole column (8 Mi rows: 64 MiB of `f64`).
const SLICE_ROWS: IdxSize = 8 * 1024 * 1024;

/// A polars dtype as the data contract sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnType {
    /// Float or integer.
    Numeric,
    /// String, Categorical, Enum or Boolean.
    Categorical,
    /// The Null dtype: a column without a single value.
    Empty,
    /// Anything else (named for error messages).
    Unsupported(String),
}

impl ColumnType {
    /// The feature kind, when supported.
    #[must_use]
    pub fn kind(&self) -> Option<FeatureKind> {
        match self {
            Self::Numeric => Some(FeatureKind::Numeric),
            Self::Categorical => Some(FeatureKind::Categorical),
            Self::Empty | Self::Unsupported(_) => None,
        }
    }
}

fn classify(dtype: &DataType) -> ColumnType {
    if matches!(dtype, DataType::Null) {
        ColumnType::Empty
    } else if dtype.is_primitive_numeric() {
        ColumnType::Numeric
    } else if matches!(dtype, DataType::String | DataType::Boolean)
        || matches!(dtype, DataType::Categorical(..) | DataType::Enum(..))
    {
        ColumnType::Categorical
    } else {
        ColumnType::Unsupported(dtype.to_string())
    }
}
/// An opened source: its lazy scan and schema.
#[derive(Clone)]
pub struct Scan {
    path: String,
    pub(super) date_column: String,
    pub(super) frame: LazyFrame,
    pub(super) schema: SchemaRef,
    /// The files' footers for [`direct`] reads, read on first use.
    footers: Arc<OnceLock<Option<direct::Footers>>>,
}

impl std::fmt::Debug for Scan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scan").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Scan {
    /// Opens `path` lazily and reads its schema. `date_column` must exist and be a Date.
    ///
    /// # Errors
    /// [`LoadError`] for a missing path, no files, unreadable Parquet or a bad date column.
    pub fn open(path: &str, date_column: &str) -> Result<Self, LoadError> {
        let is_glob = path.contains(['*', '?', '[']);
        if !is_glob && !Path::new(path).exists() {
            return Err(LoadError::NotFound { path: path.to_owned() });
        }
        let args = ScanArgsParquet {
            hive_options: HiveOptions { try_parse_dates: true, ..HiveOptions::default() },
            ..ScanArgsParquet::default()
        };
        // Every file's footer first: an empty, unreadable or odd file is named here, in our
        // words, before polars skips it or fails on it without naming it.
        let footers = direct::Footers::read(path).map_err(|(file, problem)| {
            let path = file.display().to_string();
            match problem {
                direct::FileProblem::Empty => LoadError::EmptyFile { path },
                direct::FileProblem::Unreadable(detail) => LoadError::Unreadable { path, detail },
                direct::FileProblem::Schema(detail) => LoadError::SchemaMismatch { path, detail },
                direct::FileProblem::Unsupported(column, found) => LoadError::WrongDtype {
                    path,
                    column,
                    found,
                    expected: "a float, integer, string, boolean or date (decimals and half floats cannot be read)"
                        .to_owned(),
                },
            }
        })?;
        if let Some(f) = &footers {
            super::hive::check(f, path, date_column)?;
        }
        let mut frame = LazyFrame::scan_parquet(PlRefPath::new(path), args).map_err(|e| reading(path, &e))?;
        let schema = frame.collect_schema().map_err(|e| reading(path, &e))?;
        let scan = Self {
            path: path.to_owned(),
            date_column: date_column.to_owned(),
            frame,
            schema,
            footers: Arc::new(OnceLock::from(footers)),
        };
        scan.require(date_column, |t| matches!(t, DataType::Date), "Date")?;
        Ok(scan)
    }

    /// The source's rows dated up to `to` (every row without it; rows without a date are kept),
    /// every column, decoded once into memory; and how many rows that is. The returned scan
    /// answers every query of this module as this one would, rows in the files' order, without
    /// touching the files again: a backfill reads each source once for all its days.
    ///
    /// # Errors
    /// [`LoadError::Unreadable`] when a file fails to decode.
    pub fn in_memory(&self, to: Option<NaiveDate>) -> Result<(Self, u64), LoadError> {
        let frame = match to {
            None => self.frame.clone(),
            Some(to) => {
                let c = col(self.date_column.as_str());
                self.frame.clone().filter(c.clone().is_null().or(c.lt_eq(date_lit(to))))
            }
        };
        let df = self.collect(frame)?;
        let rows = df.height() as u64;
        let scan = Self {
            path: self.path.clone(),
            date_column: self.date_column.clone(),
            frame: df.lazy(),
            schema: self.schema.clone(),
            // No files to read directly: every query goes through the in-memory frame.
            footers: Arc::new(OnceLock::from(None)),
        };
        Ok((scan, rows))
    }

    /// The source as given.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Column names in schema order.
    #[must_use]
    pub fn columns(&self) -> Vec<String> {
        self.schema.iter_names().map(ToString::to_string).collect()
    }

    /// The contract type of `column`, or `None` when absent.
    #[must_use]
    pub fn column_type(&self, column: &str) -> Option<ColumnType> {
        self.schema.get(column).map(classify)
    }

    /// The dtype of `column` as text.
    #[must_use]
    pub fn dtype_name(&self, column: &str) -> Option<String> {
        self.schema.get(column).map(ToString::to_string)
    }

    /// Errors unless `column` exists and `ok(dtype)`.
    ///
    /// # Errors
    /// [`LoadError::MissingColumn`] or [`LoadError::WrongDtype`].
    pub fn require(&self, column: &str, ok: impl Fn(&DataType) -> bool, expected: &str) -> Result<(), LoadError> {
        match self.schema.get(column) {
            None => Err(self.missing(column)),
            Some(t) if !ok(t) => Err(LoadError::WrongDtype {
                path: self.path.clone(),
                column: column.to_owned(),
                found: t.to_string(),
                expected: expected.to_owned(),
            }),
            Some(_) => Ok(()),
        }
    }

    /// The error for a column that is not in the source.
    #[must_use]
    pub fn missing(&self, column: &str) -> LoadError {
        LoadError::MissingColumn {
            path: self.path.clone(),
            column: column.to_owned(),
            available: self.columns().join(", "),
        }
    }

    pub(super) fn window(&self, range: Option<DateRange>) -> LazyFrame {
        let frame = self.frame.clone();
        match range {
            None => frame,
            Some(r) => {
                let c = col(self.date_column.as_str());
                frame.filter(c.clone().gt_eq(date_lit(r.from())).and(c.lt_eq(date_lit(r.to()))))
            }
        }
    }

    /// `column` as the text of its categories: a float column's NaN is its missing value (null),
    /// not a category of its own.
    pub(super) fn category(&self, column: &str) -> Expr {
        let c = col(column);
        let c = if self.schema.get(column).is_some_and(DataType::is_float) { c.fill_nan(lit(NULL)) } else { c };
        c.cast(DataType::String)
    }

    pub(super) fn collect(&self, frame: LazyFrame) -> Result<DataFrame, LoadError> {
        frame.collect().map_err(|e| reading(&self.path, &e))
    }

    /// Distinct dates of the date column, sorted. Every row needs one: a row without a date
    /// belongs to no trading day, and would be counted only where a window reads the source
    /// whole.
    ///
    /// # Errors
    /// [`LoadError::UndatedRows`] when the date column holds a null; [`LoadError::Unreadable`]
    /// when a file fails to decode.
    pub fn dates(&self) -> Result<Vec<NaiveDate>, LoadError> {
        match self.dates_and_undated()? {
            (days, 0, _) => Ok(days),
            (_, rows, file) => Err(LoadError::UndatedRows {
                path: self.path.clone(),
                column: self.date_column.clone(),
                rows,
                // Named when the source is many files (the lazy scan cannot say which).
                file: file.filter(|f| f.as_path() != Path::new(&self.path)).map(|f| f.display().to_string()),
            }),
        }
    }

    /// The distinct dates, sorted, the rows without a date, and the first file holding one
    /// (when the direct reader knows it).
    fn dates_and_undated(&self) -> Result<(Vec<NaiveDate>, u64, Option<PathBuf>), LoadError> {
        let c = self.date_column.as_str();
        if let Some(direct) = self.footers().and_then(|f| f.column(c, direct::Kind::Date, None)) {
            let d = direct.distinct_days().map_err(Self::direct_failed(c))?;
            return Ok((d.days.into_iter().filter_map(day_to_date).collect(), d.undated, d.first_undated));
        }
        let df = self.collect(self.frame.clone().select([col(c)]).unique(None, UniqueKeepStrategy::Any))?;
        let days = dates_of(&df, c).map_err(|e| reading(&self.path, &e))?;
        // Rare, so counted only then, in a second pass.
        let undated = if days.contains(&None) {
            let counted = self.collect(self.frame.clone().select([col(c).null_count().cast(DataType::UInt64)]))?;
            counted[0].u64().ok().and_then(|ca| ca.get(0)).unwrap_or(1)
        } else {
            0
        };
        let mut days: Vec<NaiveDate> = days.into_iter().flatten().collect();
        days.sort_unstable();
        Ok((days, undated, None))
    }

    /// Rows in the window.
    ///
    /// # Errors
    /// [`LoadError::Unreadable`] when a file fails to decode.
    pub fn count_rows(&self, range: Option<DateRange>) -> Result<u64, LoadError> {
        if let (None, Some(footers)) = (range, self.footers()) {
            return Ok(footers.rows() as u64);
        }
        let dates = self.date_column.as_str();
        if let Some(direct) = self.footers().and_then(|f| f.column(dates, direct::Kind::Date, self.day_window(range))) {
            return direct.count_rows().map_err(Self::direct_failed(dates));
        }
        let df = self.collect(self.window(range).select([len().alias("n")]))?;
        let n = df
            .column("n")
            .and_then(|c| c.cast(&DataType::UInt64))
            .and_then(|c| c.u64().map(|ca| ca.get(0).unwrap_or(0)))
            .map_err(|e| reading(&self.path, &e))?;
        Ok(n)
    }

    /// A numeric column over the window as `f64`, null → NaN.
    ///
    /// # Errors
    /// [`LoadError`] when the column is absent or a file fails to decode.
    pub fn numeric(&self, column: &str, range: Option<DateRange>) -> Result<Vec<f64>, LoadError> {
        let mut values = Vec::new();
        self.numeric_into(column, range, &mut values, 1)?;
        Ok(values)
    }

    /// Like [`Self::numeric`], into a reused buffer (cleared first): reading column after column
    /// into one buffer does not pay for fresh pages each time. A whole column read straight from
    /// the files is decoded on `threads` threads at once, into the one buffer.
    ///
    /// # Errors
    /// [`LoadError`] when the column is absent or a file fails to decode.
    pub fn numeric_into(
        &self,
        column: &str,
        range: Option<DateRange>,
        values: &mut Vec<f64>,
        threads: usize,
    ) -> Result<(), LoadError> {
        if let Some(direct) = self.direct(column, range) {
            return direct.read_into(values, threads).map_err(Self::direct_failed(column));
        }
        values.clear();
        self.numeric_chunks(column, range, |chunk| values.extend_from_slice(chunk))
    }

    /// The column read straight from the files, when it is a plain number column of every
    /// file (and, under a window, the date column a plain Date column): see [`direct`].
    fn direct<'a>(&'a self, column: &'a str, range: Option<DateRange>) -> Option<direct::DirectColumn<'a>> {
        self.footers()?.column(column, direct::Kind::Number, self.day_window(range))
    }

    fn day_window(&self, range: Option<DateRange>) -> Option<direct::DayWindow<'_>> {
        range.map(|r| direct::DayWindow {
            column: &self.date_column,
            from: date_to_days(r.from()),
            to: date_to_days(r.to()),
        })
    }

    pub(super) fn footers(&self) -> Option<&direct::Footers> {
        self.footers.get_or_init(|| direct::Footers::open(&self.path)).as_ref()
    }

    fn direct_failed(column: &str) -> impl Fn((std::path::PathBuf, String)) -> LoadError {
        move |(file, detail)| LoadError::Unreadable {
            path: file.display().to_string(),
            detail: format!("column `{column}`: {detail}"),
        }
    }

    /// Calls `f` with each chunk of a numeric column over the window, as `f64` with null → NaN.
    /// Chunks without nulls are passed as they are, uncopied: counting a current column this
    /// way holds one copy of it, not two.
    ///
    /// # Errors
    /// [`LoadError`] when the column is absent or a file fails to decode.
    pub fn numeric_chunks(
        &self,
        column: &str,
        range: Option<DateRange>,
        mut f: impl FnMut(&[f64]),
    ) -> Result<(), LoadError> {
        if let Some(direct) = self.direct(column, range) {
            return direct.for_each_chunk(&mut f).map_err(Self::direct_failed(column));
        }
        self.lazy_chunks(column, range, f)
    }

    /// [`Self::numeric_chunks`] through the lazy scan, for sources the direct reader leaves
    /// to it (hive partition columns, decimals, unreadable footers).
    fn lazy_chunks(&self, column: &str, range: Option<DateRange>, mut f: impl FnMut(&[f64])) -> Result<(), LoadError> {
        // Without a date predicate, read the column in slices (polars pushes a slice down to
        // the row groups), so at most one slice of it is decoded at a time. With a predicate the
        // slice would apply after filtering and re-read everything, so read it whole.
        let slices: Vec<Option<(i64, IdxSize)>> = if range.is_some() {
            vec![None]
        } else {
            let rows = self.count_rows(None)?;
            (0..rows).step_by(SLICE_ROWS as usize).map(|o| Some((o as i64, SLICE_ROWS))).collect()
        };
        let mut scratch = Vec::new();
        for slice in slices {
            let mut frame = self.window(range).select([col(column).cast(DataType::Float64)]);
            if let Some((offset, len)) = slice {
                frame = frame.slice(offset, len);
            }
            let df = self.collect(frame)?;
            let ca = df.column(column).and_then(Column::f64).map_err(|e| reading(&self.path, &e))?;
            for arr in ca.downcast_iter() {
                if arr.validity().is_none_or(|v| v.unset_bits() == 0) {
                    f(arr.values());
                } else {
                    scratch.clear();
                    scratch.extend(arr.iter().map(|v| v.copied().unwrap_or(f64::NAN)));
                    f(&scratch);
                }
            }
        }
        Ok(())
    }

    /// The day of every row that [`Self::numeric_into`] reads over the window, in the same order,
    /// as an index into `days` (sorted; at most 65,535 of them), or `u16::MAX` for a row without
    /// one: decoded once per source and window and shared by every feature. `None` when the
    /// source is not read directly (the values would then come in another order).
    ///
    /// # Errors
    /// [`LoadError::Unreadable`] when a file fails to decode.
    pub fn day_slots(&self, range: Option<DateRange>, days: &[NaiveDate]) -> Result<Option<DaySlots>, LoadError> {
        let c = self.date_column.as_str();
        if days.len() >= usize::from(u16::MAX) {
            return Ok(None);
        }
        let Some(direct) = self.footers().and_then(|f| f.column(c, direct::Kind::Date, self.day_window(range))) else {
            return Ok(None);
        };
        let days: Vec<i32> = days.iter().map(|d| date_to_days(*d)).collect();
        let mut slots = DaySlots::default();
        direct.day_slots(&days, &mut |s| slots.push(s)).map_err(Self::direct_failed(c))?;
        Ok(Some(slots))
    }

    /// Whether [`Self::numeric_into`] reads `column` straight from the files over the window.
    #[must_use]
    pub fn reads_directly(&self, column: &str, range: Option<DateRange>) -> bool {
        self.direct(column, range).is_some()
    }

    /// Calls `f` with each chunk of a numeric column over the window and the day of each value
    /// (days since 1970-01-01), as `f64` with null → NaN; rows without a date are left out.
    ///
    /// # Errors
    /// [`LoadError`] when the column is absent or a file fails to decode.
    pub fn numeric_dated_chunks(
        &self,
        column: &str,
        range: Option<DateRange>,
        mut f: impl FnMut(&[f64], &[i32]),
    ) -> Result<(), LoadError> {
        if let Some(direct) = self
            .footers()
            .and_then(|x| x.dated(column, direct::Kind::Number, &self.date_column, self.day_window(range)))
        {
            return direct.for_each_dated_chunk(&mut f).map_err(Self::direct_failed(column));
        }
        let frame = self.window(range).select([
            col(self.date_column.as_str()).cast(DataType::Int32).alias("__day"),
            col(column).cast(DataType::Float64).alias("__value"),
        ]);
        let df = self.collect(frame)?;
        let err = |e: PolarsError| reading(&self.path, &e);
        let days = df.column("__day").and_then(Column::i32).map_err(err)?;
        let values = df.column("__value").and_then(Column::f64).map_err(err)?;
        let (mut vs, mut ds) = (Vec::new(), Vec::new());
        for (d, v) in days.iter().zip(values.iter()) {
            if let Some(d) = d {
                ds.push(d);
                vs.push(v.unwrap_or(f64::NAN));
            }
        }
        f(&vs, &ds);
        Ok(())
    }

    /// Value counts of a categorical column per day over the window (rows without a date left
    /// out).
    ///
    /// # Errors
    /// [`LoadError`] when the column is absent or a file fails to decode.
    pub fn categorical_by_day(
        &self,
        column: &str,
        range: Option<DateRange>,
    ) -> Result<BTreeMap<i32, CategoryCounts>, LoadError> {
        let frame = self.window(range).select([
            col(self.date_column.as_str()).cast(DataType::Int32).alias("__day"),
            self.category(column).alias("__value"),
        ]);
        let df = self.collect(frame)?;
        let err = |e: PolarsError| reading(&self.path, &e);
        let days = df.column("__day").and_then(Column::i32).map_err(err)?;
        let values = df.column("__value").and_then(Column::str).map_err(err)?;
        let mut out: BTreeMap<i32, CategoryCounts> = BTreeMap::new();
        for (d, v) in days.iter().zip(values.iter()) {
            if let Some(d) = d {
                out.entry(d).or_default().add(v);
            }
        }
        Ok(out)
    }

    /// A numeric column over the window split by the values of `group` (e.g. the sector).
    ///
    /// # Errors
    /// [`LoadError`] when a column is absent or a file fails to decode.
    pub fn numeric_by(
        &self,
        column: &str,
        group: &str,
        range: Option<DateRange>,
    ) -> Result<BTreeMap<String, Vec<f64>>, LoadError> {
        let df = self.collect(
            self.window(range).select([col(group).cast(DataType::String), col(column).cast(DataType::Float64)]),
        )?;
        let err = |e: PolarsError| reading(&self.path, &e);
        let groups = df.column(group).and_then(Column::str).map_err(err)?;
        let values = df.column(column).and_then(Column::f64).map_err(err)?;
        let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for (g, v) in groups.iter().zip(values.iter()) {
            out.entry(g.unwrap_or("null").to_owned()).or_default().push(v.unwrap_or(f64::NAN));
        }
        Ok(out)
    }

    /// A numeric column over the window split by the values of `group`, each value with its
    /// day (days since 1970-01-01); rows without a date are left out.
    ///
    /// # Errors
    /// [`LoadError`] when a column is absent or a file fails to decode.
    pub fn numeric_dated_by(
        &self,
        column: &str,
        group: &str,
        range: Option<DateRange>,
    ) -> Result<BTreeMap<String, DatedValues>, LoadError> {
        let df = self.collect(self.window(range).select([
            col(group).cast(DataType::String).alias("__group"),
            col(self.date_column.as_str()).cast(DataType::Int32).alias("__day"),
            col(column).cast(DataType::Float64).alias("__value"),
        ]))?;
        let err = |e: PolarsError| reading(&self.path, &e);
        let groups = df.column("__group").and_then(Column::str).map_err(err)?;
        let days = df.column("__day").and_then(Column::i32).map_err(err)?;
        let values = df.column("__value").and_then(Column::f64).map_err(err)?;
        let mut out: BTreeMap<String, DatedValues> = BTreeMap::new();
        for ((g, d), v) in groups.iter().zip(days.iter()).zip(values.iter()) {
            let Some(d) = d else { continue };
            let entry = out.entry(g.unwrap_or("null").to_owned()).or_default();
            entry.0.push(v.unwrap_or(f64::NAN));
            entry.1.push(d);
        }
        Ok(out)
    }

    /// Value counts of a categorical column over the window.
    ///
    /// # Errors
    /// [`LoadError`] when the column is absent or a file fails to decode.
    pub fn categorical(&self, column: &str, range: Option<DateRange>) -> Result<CategoryCounts, LoadError> {
        Ok(self.categorical_by(column, None, range)?.remove("").unwrap_or_default())
    }

    /// Value counts of a categorical column over the window, per value of `group` (or all rows
    /// under the key `""` when `group` is `None`).
    ///
    /// # Errors
    /// [`LoadError`] when a column is absent or a file fails to decode.
    pub fn categorical_by(
        &self,
        column: &str,
        group: Option<&str>,
        range: Option<DateRange>,
    ) -> Result<BTreeMap<String, CategoryCounts>, LoadError> {
        let mut exprs = vec![self.category(column).alias("__value")];
        if let Some(g) = group {
            exprs.push(col(g).cast(DataType::String).alias("__group"));
        }
        let df = self.collect(self.window(range).select(exprs))?;
        let err = |e: PolarsError| reading(&self.path, &e);
        let values = df.column("__value").and_then(Column::str).map_err(err)?;
        let mut out: BTreeMap<String, CategoryCounts> = BTreeMap::new();
        if group.is_some() {
            let groups = df.column("__group").and_then(Column::str).map_err(err)?;
            for (g, v) in groups.iter().zip(values.iter()) {
                let side = out.entry(g.unwrap_or("null").to_owned()).or_default();
                side.add(v);
            }
        } else {
            let side = out.entry(String::new()).or_default();
            for v in values.iter() {
                side.add(v);
            }
        }
        Ok(out)
    }
}

pub(super) fn dates_of(df: &DataFrame, column: &str) -> PolarsResult<Vec<Option<NaiveDate>>> {
    let ca = df.column(column)?.date()?;
    Ok(ca.physical().iter().map(|d| d.and_then(day_to_date)).collect())
}

pub(super) fn date_lit(d: NaiveDate) -> Expr {
    lit(date_to_days(d)).cast(DataType::Date)
}

pub(super) fn reading(path: &str, e: &PolarsError) -> LoadError {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("").trim().to_owned();
    let lower = text.to_lowercase();
    if lower.contains("expanded paths were empty") || lower.contains("no files found") {
        LoadError::NoFiles { path: path.to_owned() }
    } else if lower.contains("not found") && lower.contains("column") {
        // polars: "not found: did not find column X, consider passing `missing_columns=…`"
        // (its Python option): keep the column's name only.
        let column = first
            .split("did not find column ")
            .nth(1)
            .and_then(|rest| rest.split([',', ' ']).next())
            .map_or(first.clone(), str::to_owned);
        LoadError::MissingColumn { path: path.to_owned(), column, available: "a file of the source lacks it".into() }
    } else {
        LoadError::Unreadable { path: path.to_owned(), detail: first }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `df` to `path` with small row groups.
    fn write(path: &Path, df: &mut DataFrame) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let file = std::fs::File::create(path).unwrap();
        ParquetWriter::new(file).with_row_group_size(Some(7)).finish(df).unwrap();
    }

    /// Two files of every numeric dtype the contract allows, with nulls, NaN and ±∞, and a
    /// date column with nulls; the second file's columns come in another order.
    fn mixed_source(dir: &Path) {
        let day = |d: i32| date_to_days(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()) + d;
        for (part, n) in [(0_i32, 23_i32), (1, 16)] {
            // Sorted days, a few rows per day and one row without a date per file, so that
            // row groups of 7 rows fall wholly inside, wholly outside or across a window:
            // file 0 has days 0..=4 (row 11 undated), file 1 days 3..=6 (row 2 undated).
            let days: Vec<Option<i32>> = (0..n)
                .map(|i| match part {
                    0 => (i != 11).then(|| day(i / 5)),
                    _ => (i != 2).then(|| day(3 + i / 4)),
                })
                .collect();
            let f64s: Vec<Option<f64>> = (0..n)
                .map(|i| match i % 9 {
                    0 => None,
                    1 => Some(f64::NAN),
                    2 => Some(f64::INFINITY),
                    3 => Some(f64::NEG_INFINITY),
                    _ => Some(f64::from(i * (part + 2)) / 7.0 - 1.0),
                })
                .collect();
            let f32s: Vec<Option<f32>> = (0..n).map(|i| (i % 4 != 0).then(|| i as f32 / 3.0)).collect();
            let i64s: Vec<Option<i64>> = (0..n).map(|i| (i % 6 != 1).then(|| i64::from(i) * -1_000_003)).collect();
            let i32s: Vec<i32> = (0..n).map(|i| i * 17 - 40).collect();
            let u32s: Vec<u32> = (0..n).map(|i| (i * 11 % 256) as u32).collect();
            let mut cols: Vec<Column> = vec![
                Series::new("as_of".into(), days).into_date().into(),
                Series::new("f64".into(), f64s).into(),
                Series::new("f32".into(), f32s).into(),
                Series::new("i64".into(), i64s).into(),
                Series::new("i32".into(), i32s).into(),
                Series::new("u32".into(), u32s).into(),
            ];
            if part == 1 {
                cols.reverse();
            }
            let mut df = DataFrame::new_infer_height(cols).unwrap();
            write(&dir.join(format!("part-{part}.parquet")), &mut df);
        }
    }

    fn bits(mut v: Vec<f64>) -> Vec<u64> {
        let mut b: Vec<u64> = v.drain(..).map(f64::to_bits).collect();
        b.sort_unstable();
        b
    }

    /// The lazy scan's read of a numeric column, for comparison.
    fn lazy(scan: &Scan, column: &str, range: Option<DateRange>) -> Vec<f64> {
        let mut values = Vec::new();
        scan.lazy_chunks(column, range, |c| values.extend_from_slice(c)).unwrap();
        values
    }

    /// (value bits, day) pairs of a dated read, sorted.
    fn dated_pairs(scan: &Scan, column: &str, range: Option<DateRange>, lazy: bool) -> Vec<(u64, i32)> {
        let mut out = Vec::new();
        let mut add = |v: &[f64], d: &[i32]| out.extend(v.iter().map(|x| x.to_bits()).zip(d.iter().copied()));
        if lazy {
            let frame = scan.window(range).select([
                col("as_of").cast(DataType::Int32).alias("__day"),
                col(column).cast(DataType::Float64).alias("__value"),
            ]);
            let df = scan.collect(frame).unwrap();
            let days: Vec<Option<i32>> = df.column("__day").unwrap().i32().unwrap().iter().collect();
            let values: Vec<f64> =
                df.column("__value").unwrap().f64().unwrap().iter().map(|v| v.unwrap_or(f64::NAN)).collect();
            let (v, d): (Vec<f64>, Vec<i32>) = values.iter().zip(&days).filter_map(|(v, d)| Some((*v, (*d)?))).unzip();
            add(&v, &d);
        } else {
            scan.numeric_dated_chunks(column, range, add).unwrap();
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn dated_direct_reads_equal_the_lazy_scan() {
        let tmp = tempfile::tempdir().unwrap();
        mixed_source(tmp.path());
        let day = |d: u64| NaiveDate::from_ymd_opt(2026, 11, 1).unwrap() + chrono::Days::new(d);
        let scan = Scan::open(&tmp.path().display().to_string(), "as_of").unwrap();
        for column in ["f64", "f32", "i64", "i32", "u32"] {
            let whole = dated_pairs(&scan, column, None, false);
            // Two rows have no date and are left out.
            assert_eq!(whole.len(), 37, "{column}");
            assert_eq!(whole, dated_pairs(&scan, column, None, true), "{column}");
            for (from, to) in [(0, 1), (1, 1), (4, 4), (2, 5), (0, 9), (7, 9)] {
                let range = Some(DateRange::new(day(from), day(to)).unwrap());
                assert_eq!(
                    dated_pairs(&scan, column, range, false),
                    dated_pairs(&scan, column, range, true),
                    "{column}, days {from}..={to}"
                );
            }
        }
    }

    #[test]
    fn direct_reads_equal_the_lazy_scan() {
        let tmp = tempfile::tempdir().unwrap();
        mixed_source(tmp.path());
        let day = |d: u64| NaiveDate::from_ymd_opt(2026, 11, 1).unwrap() + chrono::Days::new(d);
        // (first day, last day, rows inside, by hand from the layout in `mixed_source`).
        let windows = [(0, 1, 10), (1, 1, 5), (4, 4, 7), (2, 5, 12 + 11), (0, 9, 37), (7, 9, 0)];
        for source in [tmp.path().display().to_string(), format!("{}/part-*.parquet", tmp.path().display())] {
            let scan = Scan::open(&source, "as_of").unwrap();
            for column in ["f64", "f32", "i64", "i32", "u32"] {
                assert!(scan.direct(column, None).is_some(), "{column} of {source} is read directly");
                let direct = scan.numeric(column, None).unwrap();
                assert_eq!(direct.len(), 39, "{column}");
                // Decoded on several threads into one reused buffer: the same values, in order.
                let mut parallel = vec![7.0; 100];
                scan.numeric_into(column, None, &mut parallel, 3).unwrap();
                assert_eq!(
                    parallel.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    direct.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                );
                assert_eq!(bits(direct), bits(lazy(&scan, column, None)), "{column} of {source}");
                for (from, to, rows) in windows {
                    let range = DateRange::new(day(from), day(to)).unwrap();
                    assert!(scan.direct(column, Some(range)).is_some());
                    let mut windowed = Vec::new();
                    scan.numeric_into(column, Some(range), &mut windowed, 2).unwrap();
                    assert_eq!(windowed.len(), rows, "{column} of {source}, days {from}..={to}");
                    assert_eq!(scan.count_rows(Some(range)).unwrap(), rows as u64);
                    assert_eq!(bits(windowed), bits(lazy(&scan, column, Some(range))), "{column}, days {from}..={to}");
                }
            }
            // Two rows (one a file) hold no date: refused, and counted on either path.
            assert!(matches!(scan.dates(), Err(LoadError::UndatedRows { rows: 2, .. })));
            let (days, undated, file) = scan.dates_and_undated().unwrap();
            assert_eq!(undated, 2);
            assert!(file.is_some());
            let lazy_days = {
                let df = scan
                    .collect(scan.frame.clone().select([col("as_of")]).unique(None, UniqueKeepStrategy::Any))
                    .unwrap();
                let mut d: Vec<NaiveDate> = dates_of(&df, "as_of").unwrap().into_iter().flatten().collect();
                d.sort_unstable();
                d
            };
            assert_eq!(days, (0..=6).map(day).collect::<Vec<_>>());
            // The windows exercise every kind of row group: skipped, read whole, filtered.
            let classes: String = windows
                .iter()
                .map(|&(from, to, _)| {
                    let base = date_to_days(day(0));
                    let w = direct::DayWindow { column: "as_of", from: base + from as i32, to: base + to as i32 };
                    scan.footers().unwrap().row_group_classes(w)
                })
                .collect();
            for class in ['-', '*', '?'] {
                assert!(classes.contains(class), "{class} in {classes}");
            }
            assert_eq!(&classes[classes.len() - 5..], "-- --", "days 7..=9 skip every row group");
            assert_eq!(days, lazy_days);
        }
    }

    #[test]
    fn a_source_held_in_memory_answers_as_its_files() {
        let tmp = tempfile::tempdir().unwrap();
        mixed_source(tmp.path());
        let day = |d: u64| NaiveDate::from_ymd_opt(2026, 11, 1).unwrap() + chrono::Days::new(d);
        let files = Scan::open(&tmp.path().display().to_string(), "as_of").unwrap();
        let (whole, rows) = files.in_memory(None).unwrap();
        assert_eq!(rows, 39, "every row, the two without a date too");
        let (upto, rows) = files.in_memory(Some(day(4))).unwrap();
        let first_five = files.count_rows(Some(DateRange::new(day(0), day(4)).unwrap())).unwrap();
        assert_eq!(rows, first_five + 2, "days up to the bound, and the rows without a date");
        assert!(whole.footers().is_none() && !whole.reads_directly("f64", None));
        assert_eq!(whole.dates_and_undated().unwrap().0, files.dates_and_undated().unwrap().0);
        assert_eq!(whole.dates_and_undated().unwrap().1, 2);
        assert_eq!(upto.dates_and_undated().unwrap(), ((0..=4).map(day).collect::<Vec<_>>(), 2, None));
        for column in ["f64", "f32", "i64", "i32", "u32"] {
            for (from, to) in [(0, 1), (1, 1), (4, 4), (2, 5), (0, 9), (7, 9)] {
                let range = Some(DateRange::new(day(from), day(to)).unwrap());
                let read = |s: &Scan| s.numeric(column, range).unwrap().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(read(&whole), read(&files), "{column}, days {from}..={to}, in the files' order");
                assert_eq!(whole.count_rows(range).unwrap(), files.count_rows(range).unwrap());
                assert_eq!(dated_pairs(&whole, column, range, false), dated_pairs(&files, column, range, false));
                if to <= 4 {
                    assert_eq!(read(&upto), read(&files), "{column}, days {from}..={to}");
                }
            }
        }
    }

    #[test]
    fn hive_columns_and_dates_are_left_to_the_lazy_scan() {
        let tmp = tempfile::tempdir().unwrap();
        let mut df = df!("as_of" => [0_i32, 1], "x" => [1.5_f64, 2.5]).unwrap();
        df.apply("as_of", |s| s.cast(&DataType::Date).unwrap()).unwrap();
        write(&tmp.path().join("region=east/a.parquet"), &mut df);
        let scan = Scan::open(&tmp.path().display().to_string(), "as_of").unwrap();
        assert!(scan.direct("x", None).is_some());
        assert!(scan.direct("region", None).is_none(), "a hive column is not in the files");
        assert!(scan.direct("as_of", None).is_none(), "a date is not a number");
        assert_eq!(scan.numeric("x", None).unwrap(), vec![1.5, 2.5]);
    }

    #[test]
    fn a_corrupt_chunk_names_the_file_and_column() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("f.parquet");
        let mut df = df!("as_of" => [0_i32; 64], "x" => (0..64).map(f64::from).collect::<Vec<_>>()).unwrap();
        df.apply("as_of", |s| s.cast(&DataType::Date).unwrap()).unwrap();
        write(&path, &mut df);
        let scan = Scan::open(&path.display().to_string(), "as_of").unwrap();
        let footers = scan.footers().unwrap();
        assert!(footers.column("x", direct::Kind::Number, None).is_some());
        // Overwrite the data pages (the start of the file) and keep the footer intact.
        let mut bytes = std::fs::read(&path).unwrap();
        for b in &mut bytes[4..200] {
            *b = 0xff;
        }
        std::fs::write(&path, bytes).unwrap();
        let err = scan.numeric("x", None).unwrap_err();
        let LoadError::Unreadable { path: p, detail } = &err else { panic!("{err:?}") };
        assert_eq!(p, &path.display().to_string());
        assert!(detail.starts_with("column `x`: "), "{detail}");
    }
}
