//! Why a source could not be read, with a hint for each case.

/// Why a source could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The path does not exist.
    #[error("failed to read {path}: no such file or directory")]
    NotFound {
        /// The source as given.
        path: String,
    },
    /// A directory or glob with no Parquet file in it.
    #[error("failed to read {path}: no Parquet files found")]
    NoFiles {
        /// The source as given.
        path: String,
    },
    /// Not Parquet, truncated or corrupt.
    #[error("failed to read {path}: not a readable Parquet file ({detail})")]
    Unreadable {
        /// The source as given.
        path: String,
        /// First line of the reader's error.
        detail: String,
    },
    /// A file of the source has zero bytes.
    #[error("failed to read {path}: the file is empty (0 bytes)")]
    EmptyFile {
        /// The file.
        path: String,
    },
    /// A file of the source has other columns or dtypes than the first.
    #[error("{path}: not the same columns as the rest of the source: {detail}")]
    SchemaMismatch {
        /// The file.
        path: String,
        /// What differs.
        detail: String,
    },
    /// A required column is absent.
    #[error("{path}: missing column `{column}` (has: {available})")]
    MissingColumn {
        /// The source as given.
        path: String,
        /// The column that was required.
        column: String,
        /// The columns the source has.
        available: String,
    },
    /// A column has the wrong dtype.
    #[error("{path}: column `{column}` has dtype {found}, expected {expected}")]
    WrongDtype {
        /// The source as given.
        path: String,
        /// Column name.
        column: String,
        /// Its dtype.
        found: String,
        /// What the data contract asks for.
        expected: String,
    },
    /// A key column is null in rows that are otherwise complete.
    #[error("{path}: column `{column}` is null in {rows} row(s) (e.g. {sample})")]
    NullKey {
        /// The source as given.
        path: String,
        /// Column name.
        column: String,
        /// How many rows.
        rows: usize,
        /// The first such rows' other keys.
        sample: String,
    },
    /// Rows without a date: they belong to no trading day, so no window can hold them.
    #[error(
        "{path}: the date column `{column}` is null in {rows} row(s), which belong to no trading day{}",
        file.as_ref().map(|f| format!(" (the first in {f})")).unwrap_or_default()
    )]
    UndatedRows {
        /// The source as given.
        path: String,
        /// The date column.
        column: String,
        /// How many rows.
        rows: u64,
        /// The first file holding one, when the source is many files and the reader knows it.
        file: Option<String>,
    },
    /// A file of a hive source whose own date column disagrees with its folder's day: polars'
    /// scan would date its rows by the folder, the direct reader by the column.
    #[error(
        "{path}: {rows} row(s) of the date column `{column}` hold another day than its folder `{column}={folder}` \
         (the first: {found}){}",
        if *more > 0 { format!("; {more} more file(s) of the source do too") } else { String::new() }
    )]
    PartitionMismatch {
        /// The first such file.
        path: String,
        /// The date column.
        column: String,
        /// The folder's day, as written.
        folder: String,
        /// The file's first differing value (`null` for a missing date).
        found: String,
        /// How many of its rows differ.
        rows: u64,
        /// How many more files of the source differ.
        more: usize,
    },
    /// Hive folders of the date column that polars cannot read as one dated table.
    #[error("{path}: {detail}")]
    HiveLayout {
        /// The file.
        path: String,
        /// What is wrong with its folders.
        detail: String,
    },
}

impl LoadError {
    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            Self::NotFound { .. } | Self::NoFiles { .. } => {
                "check the path; a source is a Parquet file, a directory of Parquet files or a glob"
            }
            Self::Unreadable { .. } => "re-export the file as Parquet; it may be truncated or not Parquet at all",
            Self::EmptyFile { .. } => "an empty file is an interrupted write: write it again, or remove it",
            Self::SchemaMismatch { .. } => {
                "every file of a source needs the same columns with the same dtypes: write that file again like the others"
            }
            Self::MissingColumn { .. } => {
                "key column names are configurable: see --as-of-column, --symbol-column and [columns] in the config"
            }
            Self::WrongDtype { .. } => {
                "cast the column to the dtype in the data contract (docs/operations.md) when writing the file"
            }
            Self::NullKey { .. } => {
                "every outcome needs the day its label became known; leave a row out until it is known"
            }
            Self::UndatedRows { .. } => {
                "every row needs its trading day: fill the date or leave the row out at the source"
            }
            Self::PartitionMismatch { .. } => {
                "a file under a hive folder of the date column (`as_of=DAY`) must hold only that day, never null: move its rows to the folders of their days (filling missing dates), or write the files without the date column"
            }
            Self::HiveLayout { .. } => {
                "a hive source keeps every file in exactly one folder of the date column named for its day (`as_of=2026-11-20/`), or none in any"
            }
        }
    }
}
