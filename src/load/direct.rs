//! Columns (numbers and dates) read straight from the Parquet files, row group by row group.
//!
//! Through the lazy scan, a column would be read from a memory map of every file (the mapped
//! pages count in the process's resident memory until the scan ends) into one polars column
//! before it could be counted or copied into the quantile buffer. Here the decoder polars itself
//! uses (`polars-parquet`) is driven directly: for each row group the column chunk's bytes are
//! read with `pread` into a buffer of that chunk's size, decompressed, decoded and handed over
//! as `f64` slices. Memory is one column chunk at a time whatever the size of the file, and
//! nothing is mapped.
//!
//! Under a date window, row groups the date column's statistics place wholly outside it are
//! skipped and those wholly inside it are read as they are; for the rest the dates are decoded
//! too and only the rows inside the window kept (rows without a date are dropped, as by the
//! lazy scan's predicate).
//!
//! Files are listed as polars lists them (one file; a directory, recursively; or a glob;
//! zero-length files skipped), so both ways read the same rows. Sources this reader does not
//! handle (a column that is not a plain integer or float column of every file, such as a hive
//! partition column, a decimal or a nested type, or a footer it cannot read) are left to the
//! lazy scan: [`Footers::open`] and [`Footers::column`] return `None` and nothing has been read.

use std::fs::File;
use std::io::Cursor;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use polars_arrow::array::{Array, PrimitiveArray, Utf8ViewArray};
use polars_arrow::datatypes::{ArrowDataType, ArrowSchema, Field};
use polars_buffer::Buffer;
use polars_parquet::parquet::statistics::Statistics;
use polars_parquet::read::{
    BasicDecompressor, ColumnChunkMetadata, FileMetadata, PageReader, RowGroupMetadata, column_iter_to_arrays,
    infer_schema, read_metadata,
};

/// The footers of every file of a source, read once.
pub(super) struct Footers(Vec<Footer>);

struct Footer {
    path: PathBuf,
    meta: FileMetadata,
    schema: ArrowSchema,
}

/// One column of every file, ready to be decoded, maybe within a date window.
pub(super) struct DirectColumn<'a> {
    name: &'a str,
    parts: Vec<Part<'a>>,
    window: Option<DayWindow<'a>>,
}

/// One row group of one file, with the file open and the column's chunk in it.
struct Group<'a> {
    file: &'a File,
    part: Part<'a>,
    rg: &'a RowGroupMetadata,
    chunk: &'a ColumnChunkMetadata,
}

/// The distinct days of a Date column ([`DirectColumn::distinct_days`]).
pub(super) struct DistinctDays {
    /// Days since 1970-01-01, sorted.
    pub(super) days: Vec<i32>,
    /// Null values.
    pub(super) undated: u64,
    /// The first file holding one.
    pub(super) first_undated: Option<PathBuf>,
}

/// One file's share of a column: the file, the column's field and, under a window, the date
/// column's.
#[derive(Clone, Copy)]
struct Part<'a> {
    footer: &'a Footer,
    field: &'a Field,
    date: Option<&'a Field>,
}

/// Keeps the rows whose Date column lies in `from..=to` (days since 1970-01-01). Rows without a
/// date are dropped, as the lazy scan's predicate drops them.
#[derive(Debug, Clone, Copy)]
pub(super) struct DayWindow<'a> {
    /// The Date column.
    pub(super) column: &'a str,
    /// First day kept.
    pub(super) from: i32,
    /// Last day kept.
    pub(super) to: i32,
}

/// Which rows of a row group a window keeps, from the date column's statistics.
enum Rows {
    None,
    All,
    Some,
}

/// What is wrong with one file of a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum FileProblem {
    /// Zero bytes: an interrupted write.
    Empty,
    /// Not Parquet, truncated or corrupt (the reason, printable).
    Unreadable(String),
    /// Its columns differ from the first file's (what differs).
    Schema(String),
    /// A column of a type this build cannot decode: its name and type.
    Unsupported(String, String),
}

impl Footers {
    /// Lists the files of `source` as polars does and reads their footers; `None` when a file
    /// cannot be listed or its footer read (the lazy scan then reports it in its own words).
    pub(super) fn open(source: &str) -> Option<Self> {
        Self::read(source).ok().flatten()
    }

    /// Lists the files of `source` and reads every footer, checking each file on the way: not
    /// empty, readable, and with the first file's columns and dtypes (polars' scan skips an
    /// empty file and fails on the others without naming the file). `Ok(None)` when the
    /// source cannot be listed (a bad glob, an unreadable directory).
    ///
    /// # Errors
    /// The first file with a problem, and the problem.
    pub(super) fn read(source: &str) -> Result<Option<Self>, (PathBuf, FileProblem)> {
        let Some(paths) = list(source) else { return Ok(None) };
        let mut footers: Vec<Footer> = Vec::with_capacity(paths.len());
        for path in paths {
            let mut file = File::open(&path).map_err(|e| (path.clone(), FileProblem::Unreadable(e.to_string())))?;
            let meta = file.metadata().ok();
            // A device or a FIFO has no footer to seek to (and reads as 0 bytes long).
            if meta.as_ref().is_some_and(|m| !m.is_file()) {
                return Err((path, FileProblem::Unreadable("a device or FIFO, not a Parquet file".to_owned())));
            }
            if meta.is_some_and(|m| m.len() == 0) {
                // A marker such as Spark's `_SUCCESS` is empty by design (polars skips every
                // empty file); an empty data file is an interrupted write.
                if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with(['_', '.'])) {
                    continue;
                }
                return Err((path, FileProblem::Empty));
            }
            let meta =
                read_metadata(&mut file).map_err(|e| (path.clone(), FileProblem::Unreadable(footer_problem(&e))))?;
            let schema =
                infer_schema(&meta).map_err(|e| (path.clone(), FileProblem::Unreadable(footer_problem(&e))))?;
            if let Some((column, dtype)) = unreadable_column(&schema) {
                return Err((path, FileProblem::Unsupported(column, dtype)));
            }
            if let Some(first) = footers.first()
                && let Some(diff) = schema_difference(&first.schema, &schema, &first.path)
            {
                return Err((path, FileProblem::Schema(diff)));
            }
            footers.push(Footer { path, meta, schema });
        }
        Ok((!footers.is_empty()).then_some(Self(footers)))
    }

    /// Rows over all files, from the footers.
    pub(super) fn rows(&self) -> usize {
        self.0.iter().map(|footer| footer.meta.num_rows).sum()
    }

    /// `column` when every file has it as a plain (non-nested) column of the `kind` wanted,
    /// and, under a `window`, the window's column as a plain Date column.
    pub(super) fn column<'a>(
        &'a self,
        name: &'a str,
        kind: Kind,
        window: Option<DayWindow<'a>>,
    ) -> Option<DirectColumn<'a>> {
        let mut parts = Vec::with_capacity(self.0.len());
        for footer in &self.0 {
            let field = footer.plain(name, kind)?;
            let date = match window {
                Some(w) => Some(footer.plain(w.column, Kind::Date)?),
                None => None,
            };
            parts.push(Part { footer, field, date });
        }
        Some(DirectColumn { name, parts, window })
    }

    /// Like [`Self::column`], with the Date column `dates` read alongside (it is also the
    /// window's column, when there is a window): for counting per day.
    pub(super) fn dated<'a>(
        &'a self,
        name: &'a str,
        kind: Kind,
        dates: &'a str,
        window: Option<DayWindow<'a>>,
    ) -> Option<DirectColumn<'a>> {
        let mut parts = Vec::with_capacity(self.0.len());
        for footer in &self.0 {
            let field = footer.plain(name, kind)?;
            let date = footer.plain(dates, Kind::Date)?;
            parts.push(Part { footer, field, date: Some(date) });
        }
        Some(DirectColumn {
            name,
            parts,
            window: window.or(Some(DayWindow { column: dates, from: i32::MIN, to: i32::MAX })),
        })
    }
}

impl Footers {
    /// The files, in the order they are read.
    pub(super) fn paths(&self) -> impl Iterator<Item = &Path> {
        self.0.iter().map(|footer| footer.path.as_path())
    }

    /// Of file `i`'s rows, how many have a `column` day other than `day` (a null counts), and
    /// the first such (`None` for a null); `Ok(None)` when the file has no plain Date column
    /// `column`. A row group whose statistics show one day and no null is settled without
    /// decoding.
    ///
    /// # Errors
    /// The reason when a row group fails to decode.
    pub(super) fn rows_off_day(&self, i: usize, column: &str, day: i32) -> Result<Option<(u64, Option<i32>)>, String> {
        let footer = &self.0[i];
        let Some(date) = footer.plain(column, Kind::Date) else { return Ok(None) };
        // Opened only when a row group must be decoded: statistics settle most.
        let mut file = None;
        let (mut rows, mut first, mut days) = (0_u64, None, Vec::new());
        for rg in &footer.meta.row_groups {
            let chunk = chunk_of(rg, column)?;
            if let Some(only) = single_day(footer, chunk) {
                if only != day {
                    first = first.or(Some(Some(only)));
                    rows += rg.num_rows() as u64;
                }
                continue;
            }
            let file = match &mut file {
                Some(file) => file,
                None => file.insert(File::open(&footer.path).map_err(|e| e.to_string())?),
            };
            days_of(file, footer, rg, column, date, &mut days)?;
            for d in days.iter().filter(|d| **d != day) {
                first = first.or(Some((*d != NO_DAY).then_some(*d)));
                rows += 1;
            }
        }
        Ok(Some((rows, first.flatten())))
    }
}

#[cfg(test)]
impl Footers {
    /// What `window` keeps of each row group, file by file: `-` nothing, `*` all, `?` some.
    pub(super) fn row_group_classes(&self, window: DayWindow<'_>) -> String {
        let class = |r: Rows| match r {
            Rows::None => '-',
            Rows::All => '*',
            Rows::Some => '?',
        };
        let files: Vec<String> = self
            .0
            .iter()
            .map(|f| f.meta.row_groups.iter().map(|rg| class(f.rows_in(rg, Some(window)))).collect())
            .collect();
        files.join(" ")
    }
}

impl Footer {
    /// The field of `name` when it is a plain (non-nested) column of the `kind` wanted.
    fn plain(&self, name: &str, kind: Kind) -> Option<&Field> {
        let field = self.schema.get(name)?;
        let flat = self.meta.row_groups.iter().all(|rg| rg.columns_under_root_iter(name).is_some_and(|c| c.len() == 1));
        (flat && kind.accepts(&field.dtype)).then_some(field)
    }

    /// What `window` keeps of row group `rg`: nothing or everything when the date column's
    /// statistics say so (min, max and a null count of zero), else the dates must be read.
    fn rows_in(&self, rg: &RowGroupMetadata, window: Option<DayWindow<'_>>) -> Rows {
        let Some(w) = window else { return Rows::All };
        let stats = chunk_of(rg, w.column).ok().and_then(|c| c.statistics(&self.meta.footer_buf));
        let Some(Ok(Statistics::Int32(s))) = stats else { return Rows::Some };
        match (s.min_value, s.max_value) {
            (Some(lo), Some(hi)) if hi < w.from || lo > w.to => Rows::None,
            (Some(lo), Some(hi)) if lo >= w.from && hi <= w.to && s.null_count == Some(0) => Rows::All,
            _ => Rows::Some,
        }
    }
}

/// The columns this reader decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Any integer or float column, read as `f64`.
    Number,
    /// A Date column, read as days since 1970-01-01.
    Date,
    /// A text column (String), read as polars' string views.
    Text,
}

impl Kind {
    fn accepts(self, dtype: &ArrowDataType) -> bool {
        use ArrowDataType as D;
        match self {
            Self::Number => matches!(
                dtype,
                D::Int8
                    | D::Int16
                    | D::Int32
                    | D::Int64
                    | D::UInt8
                    | D::UInt16
                    | D::UInt32
                    | D::UInt64
                    | D::Float32
                    | D::Float64
            ),
            Self::Date => matches!(dtype, D::Date32),
            Self::Text => matches!(dtype, D::Utf8View),
        }
    }
}

impl DirectColumn<'_> {
    /// Calls `f` with the column's values, row group by row group, as `f64` with null → NaN.
    /// Float64 chunks without nulls are passed as decoded, uncopied.
    ///
    /// # Errors
    /// The file and the reason when a chunk cannot be read or decoded.
    pub(super) fn for_each_chunk(&self, f: &mut dyn FnMut(&[f64])) -> Result<(), (PathBuf, String)> {
        let (mut scratch, mut kept) = (Vec::new(), Vec::new());
        self.for_each_group(&mut |Group { file, part: Part { footer, field, date }, rg, chunk }| match footer
            .rows_in(rg, self.window)
        {
            Rows::None => Ok(()),
            Rows::All => decode(file, chunk, field)?.iter().try_for_each(|a| emit(a.as_ref(), &mut scratch, f)),
            Rows::Some => {
                let keep = self.kept_rows(file, rg, date)?;
                kept.clear();
                let mut row = 0;
                for a in decode(file, chunk, field)? {
                    emit(a.as_ref(), &mut scratch, &mut |v| {
                        kept.extend(
                            v.iter().zip(keep.get(row..).unwrap_or_default()).filter(|(_, k)| **k).map(|(x, _)| *x),
                        );
                        row += v.len();
                    })?;
                }
                if row != keep.len() {
                    return Err(format!("`{}` and its dates decoded to different numbers of rows", self.name));
                }
                f(&kept);
                Ok(())
            }
        })
    }

    /// Calls `f` with the column's values and each value's day (days since 1970-01-01), row
    /// group by row group; rows without a date, or outside the window, are left out. A row
    /// group whose date statistics hold one day is not decoded for its dates; a row group whose
    /// rows all have a day in the window is passed as decoded, uncopied.
    ///
    /// # Errors
    /// The file and the reason when a chunk cannot be read or decoded.
    pub(super) fn for_each_dated_chunk(&self, f: &mut dyn FnMut(&[f64], &[i32])) -> Result<(), (PathBuf, String)> {
        let (mut scratch, mut days, mut kept_values, mut kept_days) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        self.for_each_group(&mut |Group { file, part, rg, chunk }| {
            let Some(w) = self.group_days(file, part, rg, &mut days)? else { return Ok(()) };
            let field = part.field;
            let all = days.iter().all(|d| (w.from..=w.to).contains(d) && *d != NO_DAY);
            kept_values.clear();
            kept_days.clear();
            let (mut row, mut short) = (0, false);
            for a in decode(file, chunk, field)? {
                emit(a.as_ref(), &mut scratch, &mut |v| {
                    let Some(d) = days.get(row..row + v.len()) else {
                        short = true;
                        return;
                    };
                    if all {
                        f(v, d);
                    } else {
                        for (x, day) in v.iter().zip(d) {
                            if *day != NO_DAY && (w.from..=w.to).contains(day) {
                                kept_values.push(*x);
                                kept_days.push(*day);
                            }
                        }
                    }
                    row += v.len();
                })?;
            }
            if short || row != days.len() {
                return Err(format!("`{}` and its dates decoded to different numbers of rows", self.name));
            }
            if !all {
                f(&kept_values, &kept_days);
            }
            Ok(())
        })
    }

    /// Calls `f` with each decoded text chunk of the column (a [`Kind::Text`] column read with
    /// [`Footers::dated`]) and each row's day, [`NO_DAY`] for a row without a date or outside
    /// the window.
    ///
    /// # Errors
    /// The file and the reason when a chunk cannot be read or decoded.
    pub(super) fn for_each_dated_text(
        &self,
        f: &mut dyn FnMut(&Utf8ViewArray, &[i32]),
    ) -> Result<(), (PathBuf, String)> {
        let mut days = Vec::new();
        self.for_each_group(&mut |Group { file, part, rg, chunk }| {
            let Some(w) = self.group_days(file, part, rg, &mut days)? else { return Ok(()) };
            let field = part.field;
            for d in &mut days {
                if !(w.from..=w.to).contains(d) {
                    *d = NO_DAY;
                }
            }
            let mut row = 0;
            for a in decode(file, chunk, field)? {
                let text = a
                    .as_any()
                    .downcast_ref::<Utf8ViewArray>()
                    .ok_or_else(|| format!("unexpected decoded type {:?}", a.dtype()))?;
                let d = days.get(row..row + text.len()).ok_or("a text chunk longer than its dates")?;
                f(text, d);
                row += text.len();
            }
            if row != days.len() {
                return Err(format!("`{}` and its dates decoded to different numbers of rows", self.name));
            }
            Ok(())
        })
    }

    /// The day of every row this column's reads yield, in the same order as
    /// [`Self::read_into`] and [`Self::for_each_chunk`] yield them (this must be a Date
    /// column): as indices into `days` (the trading days a row may have, sorted), or
    /// [`NO_SLOT`] for a row without a date or on a day not listed.
    ///
    /// # Errors
    /// The file and the reason when a chunk cannot be read or decoded.
    pub(super) fn day_slots(&self, days: &[i32], out: &mut dyn FnMut(u16)) -> Result<(), (PathBuf, String)> {
        let (lo, hi) = (days.first().copied().unwrap_or(0), days.last().copied().unwrap_or(-1));
        let span = usize::try_from(i64::from(hi) - i64::from(lo) + 1).unwrap_or(0);
        let mut table = vec![NO_SLOT; span];
        for (i, d) in days.iter().enumerate() {
            table[(d - lo) as usize] = u16::try_from(i).unwrap_or(NO_SLOT);
        }
        let slot = |d: i32| -> u16 { if d == NO_DAY || d < lo || d > hi { NO_SLOT } else { table[(d - lo) as usize] } };
        let mut group_days = Vec::new();
        let window = self.window;
        self.for_each_group(&mut |Group { file, part: Part { footer, field, .. }, rg, .. }| {
            let rows = footer.rows_in(rg, window);
            if matches!(rows, Rows::None) {
                return Ok(());
            }
            days_of(file, footer, rg, self.name, field, &mut group_days)?;
            match (rows, window) {
                (Rows::Some, Some(w)) => group_days
                    .iter()
                    .filter(|d| **d != NO_DAY && (w.from..=w.to).contains(*d))
                    .for_each(|d| out(slot(*d))),
                _ => group_days.iter().for_each(|d| out(slot(*d))),
            }
            Ok(())
        })
    }

    /// Reads the whole column into `values` (resized to the column's rows), as `f64` with
    /// null → NaN, decoding the row groups on `threads` threads at once, each into its own
    /// stretch of `values`: one buffer of the column's size, however many threads.
    ///
    /// # Errors
    /// The file and the reason when a chunk cannot be read or decoded, or decodes to another
    /// number of rows than its footer says.
    pub(super) fn read_into(&self, values: &mut Vec<f64>, threads: usize) -> Result<(), (PathBuf, String)> {
        if self.window.is_some() {
            // How many rows each row group keeps is known only once its dates are read.
            values.clear();
            return self.for_each_chunk(&mut |chunk| values.extend_from_slice(chunk));
        }
        let mut groups = Vec::new();
        for &Part { footer, field, .. } in &self.parts {
            for rg in &footer.meta.row_groups {
                let chunk = chunk_of(rg, self.name).map_err(|e| (footer.path.clone(), e))?;
                groups.push((footer, field, chunk, rg.num_rows()));
            }
        }
        // Every value is overwritten: only the part beyond the buffer's old length is zeroed.
        let rows = groups.iter().map(|g| g.3).sum();
        values.truncate(rows);
        values.resize(rows, 0.0);
        let mut stretches = Vec::with_capacity(groups.len());
        let mut rest = values.as_mut_slice();
        for g in &groups {
            let (head, tail) = rest.split_at_mut(g.3);
            stretches.push((g, head));
            rest = tail;
        }
        let per_thread = stretches.len().div_ceil(threads.max(1)).max(1);
        std::thread::scope(|s| {
            let workers: Vec<_> = stretches
                .chunks_mut(per_thread)
                .map(|part| {
                    s.spawn(move || {
                        let (mut scratch, mut handle) = (Vec::new(), Handle::default());
                        for ((footer, field, chunk, _), out) in part.iter_mut() {
                            let file = handle.open(&footer.path).map_err(|e| (footer.path.clone(), e))?;
                            fill(file, field, chunk, out, &mut scratch).map_err(|e| (footer.path.clone(), e))?;
                        }
                        Ok(())
                    })
                })
                .collect();
            workers.into_iter().try_for_each(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        })
    }

    /// The distinct days of a Date column, as days since 1970-01-01, sorted, how many of its
    /// values are null, and the first file that holds one.
    ///
    /// # Errors
    /// The file and the reason when a chunk cannot be read or decoded.
    pub(super) fn distinct_days(&self) -> Result<DistinctDays, (PathBuf, String)> {
        let (mut days, mut undated, mut first) = (std::collections::BTreeSet::new(), 0, None);
        self.for_each_group(&mut |Group { file, part: Part { footer, field, .. }, chunk, .. }| {
            for a in decode(file, chunk, field)? {
                let a = as_days(a.as_ref())?;
                if a.null_count() > 0 {
                    undated += a.null_count() as u64;
                    first.get_or_insert_with(|| footer.path.clone());
                }
                add_days(a, &mut days);
            }
            Ok(())
        })?;
        Ok(DistinctDays { days: days.into_iter().collect(), undated, first_undated: first })
    }

    /// Rows the window keeps (every row without a window), from the statistics where they
    /// decide and from the decoded dates where they do not.
    ///
    /// # Errors
    /// The file and the reason when a chunk cannot be read or decoded.
    pub(super) fn count_rows(&self) -> Result<u64, (PathBuf, String)> {
        let mut rows = 0;
        self.for_each_group(&mut |Group { file, part: Part { footer, date, .. }, rg, .. }| {
            rows += match footer.rows_in(rg, self.window) {
                Rows::None => 0,
                Rows::All => rg.num_rows(),
                Rows::Some => self.kept_rows(file, rg, date)?.iter().filter(|k| **k).count(),
            };
            Ok(())
        })?;
        Ok(rows as u64)
    }

    /// Which rows of `rg` the window keeps, from its decoded dates (`date` is the date column's
    /// field in this file).
    fn kept_rows(&self, file: &File, rg: &RowGroupMetadata, date: Option<&Field>) -> Result<Vec<bool>, String> {
        let (Some(w), Some(date)) = (self.window, date) else { return Err("no date window".to_owned()) };
        let mut keep = Vec::with_capacity(rg.num_rows());
        for a in decode(file, chunk_of(rg, w.column)?, date)? {
            keep.extend(as_days(a.as_ref())?.iter().map(|d| d.is_some_and(|d| (w.from..=w.to).contains(d))));
        }
        Ok(keep)
    }

    /// The days of row group `rg`'s rows into `days`, and the window, for a column read with
    /// its dates ([`Footers::dated`]); `None` when the window keeps none of the group's rows.
    fn group_days(
        &self,
        file: &File,
        part: Part<'_>,
        rg: &RowGroupMetadata,
        days: &mut Vec<i32>,
    ) -> Result<Option<DayWindow<'_>>, String> {
        if matches!(part.footer.rows_in(rg, self.window), Rows::None) {
            return Ok(None);
        }
        let (Some(w), Some(date)) = (self.window, part.date) else { return Err("no date column".to_owned()) };
        days_of(file, part.footer, rg, w.column, date, days)?;
        Ok(Some(w))
    }

    /// Calls `f` with each row group of each file, its open file and the column's chunk in it.
    fn for_each_group(&self, f: &mut dyn FnMut(Group<'_>) -> Result<(), String>) -> Result<(), (PathBuf, String)> {
        for &part in &self.parts {
            let Part { footer, .. } = part;
            let fail = |detail: String| (footer.path.clone(), detail);
            let file = File::open(&footer.path).map_err(|e| fail(e.to_string()))?;
            for rg in &footer.meta.row_groups {
                let chunk = chunk_of(rg, self.name).map_err(fail)?;
                f(Group { file: &file, part, rg, chunk }).map_err(fail)?;
            }
        }
        Ok(())
    }
}

/// The file a thread is reading, kept open while its row groups come from the same file.
/// Files are opened when read, not held for the life of the scan: a directory of years of
/// daily partitions does not run into the open-file limit.
#[derive(Default)]
struct Handle {
    open: Option<(PathBuf, File)>,
}

impl Handle {
    fn open(&mut self, path: &Path) -> Result<&File, String> {
        if self.open.as_ref().is_none_or(|(p, _)| p != path) {
            let file = File::open(path).map_err(|e| e.to_string())?;
            self.open = Some((path.to_path_buf(), file));
        }
        self.open.as_ref().map(|(_, f)| f).ok_or_else(|| "file not open".to_owned())
    }
}

/// The day of a row without a date.
pub(super) const NO_DAY: i32 = i32::MIN;

/// The slot of a row without a (listed) day in [`DirectColumn::day_slots`].
pub(super) const NO_SLOT: u16 = crate::rows::DaySlots::NONE;

/// The one day every row of a Date chunk holds, when its statistics say so (min = max, no
/// null); `None` when they do not, or are absent.
fn single_day(footer: &Footer, chunk: &ColumnChunkMetadata) -> Option<i32> {
    let Some(Ok(Statistics::Int32(s))) = chunk.statistics(&footer.meta.footer_buf) else { return None };
    match (s.min_value, s.max_value, s.null_count) {
        (Some(lo), Some(hi), Some(0)) if lo == hi => Some(lo),
        _ => None,
    }
}

/// The days of row group `rg`'s rows into `days` ([`NO_DAY`] for a null): from the date
/// column's statistics when they hold a single day and no null, else decoded.
fn days_of(
    file: &File,
    footer: &Footer,
    rg: &RowGroupMetadata,
    column: &str,
    date: &Field,
    days: &mut Vec<i32>,
) -> Result<(), String> {
    days.clear();
    let chunk = chunk_of(rg, column)?;
    if let Some(only) = single_day(footer, chunk) {
        days.resize(rg.num_rows(), only);
        return Ok(());
    }
    for a in decode(file, chunk, date)? {
        days.extend(as_days(a.as_ref())?.iter().map(|d| d.copied().unwrap_or(NO_DAY)));
    }
    Ok(())
}

/// The chunk of column `name` in row group `rg`.
fn chunk_of<'a>(rg: &'a RowGroupMetadata, name: &str) -> Result<&'a ColumnChunkMetadata, String> {
    rg.columns_under_root_iter(name)
        .and_then(|mut c| c.next())
        .ok_or_else(|| format!("row group without column `{name}`"))
}

/// A decoded Date chunk as days since 1970-01-01.
fn as_days(a: &dyn Array) -> Result<&PrimitiveArray<i32>, String> {
    a.as_any().downcast_ref::<PrimitiveArray<i32>>().ok_or_else(|| format!("unexpected decoded type {:?}", a.dtype()))
}

/// Reads one column chunk with `pread` and decodes it.
fn decode(file: &File, chunk: &ColumnChunkMetadata, field: &Field) -> Result<Vec<Box<dyn Array>>, String> {
    let range = chunk.byte_range();
    let len = usize::try_from(range.end - range.start).map_err(|e| e.to_string())?;
    let mut bytes = vec![0_u8; len];
    file.read_exact_at(&mut bytes, range.start).map_err(|e| e.to_string())?;
    let pages = PageReader::new(Cursor::new(Buffer::from(bytes)), chunk, Vec::new(), usize::MAX);
    let columns = vec![BasicDecompressor::new(pages, Vec::new())];
    let types = vec![&chunk.descriptor().descriptor.primitive_type];
    let (arrays, _) = column_iter_to_arrays(columns, types, field.clone(), None).map_err(|e| first_line(&e))?;
    Ok(arrays)
}

/// Decodes one column chunk into `out`, which has exactly its rows.
fn fill(
    file: &File,
    field: &Field,
    chunk: &ColumnChunkMetadata,
    out: &mut [f64],
    scratch: &mut Vec<f64>,
) -> Result<(), String> {
    let mut filled = 0;
    let mut overflow = false;
    for a in decode(file, chunk, field)? {
        emit(a.as_ref(), scratch, &mut |v| match out.get_mut(filled..filled + v.len()) {
            Some(dst) => {
                dst.copy_from_slice(v);
                filled += v.len();
            }
            None => overflow = true,
        })?;
    }
    if overflow || filled != out.len() {
        return Err(format!("a row group decoded to another number of rows than its footer's {}", out.len()));
    }
    Ok(())
}

/// Hands one decoded array to `f` as `f64`, the way polars' cast to Float64 converts it.
// One `as` for every type: 64-bit integers have no `From` into f64 and round as polars does.
#[allow(clippy::cast_lossless)]
fn emit(array: &dyn Array, scratch: &mut Vec<f64>, f: &mut dyn FnMut(&[f64])) -> Result<(), String> {
    let any = array.as_any();
    if let Some(a) = any.downcast_ref::<PrimitiveArray<f64>>()
        && a.validity().is_none_or(|v| v.unset_bits() == 0)
    {
        f(a.values());
        return Ok(());
    }
    scratch.clear();
    macro_rules! widen {
        ($($t:ty),*) => {$(
            if let Some(a) = any.downcast_ref::<PrimitiveArray<$t>>() {
                scratch.extend(a.iter().map(|v| v.map_or(f64::NAN, |x| *x as f64)));
                f(scratch);
                return Ok(());
            }
        )*};
    }
    widen!(f64, f32, i8, i16, i32, i64, u8, u16, u32, u64);
    Err(format!("unexpected decoded type {:?}", array.dtype()))
}

/// Adds the days of one chunk to `days`: through a bitmap over the chunk's span when the span
/// is small (the usual few hundred days: no set lookup per row), else value by value.
fn add_days(a: &PrimitiveArray<i32>, days: &mut std::collections::BTreeSet<i32>) {
    const MAX_SPAN: i64 = 1 << 16;
    let valid = |i: usize| a.validity().is_none_or(|v| v.get_bit(i));
    let values = a.values().as_slice();
    let (lo, hi) = (0..values.len())
        .filter(|&i| valid(i))
        .fold((i32::MAX, i32::MIN), |(lo, hi), i| (lo.min(values[i]), hi.max(values[i])));
    if lo > hi {
        return; // no valid value
    }
    let span = i64::from(hi) - i64::from(lo) + 1;
    if span > MAX_SPAN {
        days.extend(a.iter().flatten().copied());
        return;
    }
    let mut seen = vec![false; span as usize];
    for i in (0..values.len()).filter(|&i| valid(i)) {
        seen[(i64::from(values[i]) - i64::from(lo)) as usize] = true;
    }
    days.extend(seen.iter().enumerate().filter(|(_, s)| **s).map(|(k, _)| (i64::from(lo) + k as i64) as i32));
}

/// Why a footer could not be read, in words a person can act on: never the raw bytes a
/// truncated file ends with.
fn footer_problem(e: &dyn std::fmt::Display) -> String {
    let line = first_line(e);
    if line.contains("magic bytes") {
        return "not a Parquet file, or a truncated one: it does not end with the Parquet footer".to_owned();
    }
    line.chars().map(|c| if c.is_control() || c == char::REPLACEMENT_CHARACTER { '?' } else { c }).collect()
}

/// The first column of `schema` that polars, as this crate builds it, cannot decode: decimals
/// and half floats (their features are off), on which its scan would panic rather than fail.
fn unreadable_column(schema: &ArrowSchema) -> Option<(String, String)> {
    use ArrowDataType as D;
    schema.iter_values().find_map(|field| {
        matches!(field.dtype(), D::Float16 | D::Decimal(..) | D::Decimal32(..) | D::Decimal64(..) | D::Decimal256(..))
            .then(|| (field.name.to_string(), format!("{:?}", field.dtype())))
    })
}

/// How `schema` (of a later file) differs from `first` (of the file `first_path`), by polars'
/// dtypes (so that the string encodings Parquet writers choose compare equal), or `None`.
fn schema_difference(first: &ArrowSchema, schema: &ArrowSchema, first_path: &Path) -> Option<String> {
    use polars::prelude::DataType;
    let first_file = first_path.display();
    for (name, field) in first.iter() {
        match schema.get(name) {
            None => return Some(format!("it has no column `{name}`, which {first_file} has")),
            Some(other) => {
                let (a, b) = (DataType::from_arrow_field(field), DataType::from_arrow_field(other));
                if a != b {
                    return Some(format!("column `{name}` is {b} here but {a} in {first_file}"));
                }
            }
        }
    }
    schema
        .iter()
        .find(|(name, _)| first.get(name.as_str()).is_none())
        .map(|(name, _)| format!("it has a column `{name}`, which {first_file} does not"))
}

fn first_line(e: &dyn std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_owned()
}

/// The files of a source, as polars' scan expands it: a glob's matches, a directory's files
/// (recursively), or the path itself; sorted.
/// Row order does not matter to counts or quantiles, only the set of files does.
fn list(source: &str) -> Option<Vec<PathBuf>> {
    let path = Path::new(source);
    let mut files = Vec::new();
    if source.contains(['*', '?', '[']) {
        for entry in glob::glob(source).ok()? {
            push_file(entry.ok()?, &mut files)?;
        }
    } else if path.is_dir() {
        let mut dirs = vec![path.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).ok()? {
                let p = entry.ok()?.path();
                if p.is_dir() {
                    dirs.push(p);
                } else {
                    push_file(p, &mut files)?;
                }
            }
        }
    } else {
        files.push(path.to_path_buf());
    }
    files.sort();
    Some(files)
}

fn push_file(path: PathBuf, files: &mut Vec<PathBuf>) -> Option<()> {
    let md = path.metadata().ok()?;
    if !md.is_dir() {
        files.push(path);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn days_of_a_chunk_narrow_and_wide_with_nulls() {
        let narrow = PrimitiveArray::<i32>::from(vec![Some(20_410), None, Some(20_407), Some(20_410), Some(20_408)]);
        let mut days = BTreeSet::from([1]);
        add_days(&narrow, &mut days);
        assert_eq!(days.into_iter().collect::<Vec<_>>(), vec![1, 20_407, 20_408, 20_410]);

        let wide = PrimitiveArray::<i32>::from(vec![Some(-5), None, Some(1_000_000), Some(-5)]);
        let mut days = BTreeSet::new();
        add_days(&wide, &mut days);
        assert_eq!(days.into_iter().collect::<Vec<_>>(), vec![-5, 1_000_000]);

        let empty = PrimitiveArray::<i32>::from(vec![None, None]);
        let mut days = BTreeSet::new();
        add_days(&empty, &mut days);
        assert!(days.is_empty());
    }
}
