//! Hive partitions whose files also hold the partition's column. Polars' scan dates a row of
//! `as_of=2026-11-20/part.parquet` by its folder; the direct reader ([`super::direct`]) by the
//! file's own `as_of`. Where the two disagree (or the file's date is null) the commands would see
//! different days (`report` the file's, `backfill` the folder's), so such a source is refused.

use std::path::Path;

use chrono::NaiveDate;

use super::days::{date_to_days, day_to_date};
use super::direct::Footers;
use super::error::LoadError;

/// Checks that every file of `source` under a folder `column=DAY` that also holds `column`
/// holds only `DAY`, with no null.
///
/// Only folders below a directory source count, as polars reads them (its hive partitions
/// start at the directory given): a snapshot kept under `/data/as_of=2026-11-20/` is not a
/// partition. For a file or a glob the whole path counts, as for polars. The deepest such
/// folder gives the day; a value that is not a day (`%Y-%m-%d`) is left to polars (the column is
/// then no Date, and refused as such).
///
/// # Errors
/// [`LoadError::PartitionMismatch`] naming the first such file and how many more there are;
/// [`LoadError::Unreadable`] when a file's dates fail to decode.
pub(super) fn check(footers: &Footers, source: &str, column: &str) -> Result<(), LoadError> {
    let root = Path::new(source);
    let root = root.is_dir().then_some(root);
    let prefix = format!("{column}=");
    let mut first: Option<LoadError> = None;
    let mut more = 0_usize;
    for (i, path) in footers.paths().enumerate() {
        let Some((folder, day)) = folder_day(path, root, &prefix) else { continue };
        let off = footers.rows_off_day(i, column, date_to_days(day)).map_err(|detail| LoadError::Unreadable {
            path: path.display().to_string(),
            detail: format!("column `{column}`: {detail}"),
        })?;
        let Some((rows, found)) = off.filter(|(rows, _)| *rows > 0) else { continue };
        if first.is_some() {
            more += 1;
            continue;
        }
        first = Some(LoadError::PartitionMismatch {
            path: path.display().to_string(),
            column: column.to_owned(),
            folder,
            found: found.and_then(day_to_date).map_or_else(|| "null".to_owned(), |d| d.to_string()),
            rows,
            more: 0,
        });
    }
    match first {
        Some(LoadError::PartitionMismatch { path, column, folder, found, rows, .. }) => {
            Err(LoadError::PartitionMismatch { path, column, folder, found, rows, more })
        }
        _ => Ok(()),
    }
}

/// The deepest folder of `path` below `root` (every folder without one) named `prefix` + a
/// day: its value as written, and the day.
fn folder_day(path: &Path, root: Option<&Path>, prefix: &str) -> Option<(String, NaiveDate)> {
    let below = match root {
        Some(root) => path.strip_prefix(root).ok()?,
        None => path,
    };
    let value = below.parent()?.ancestors().find_map(|dir| dir.file_name()?.to_str()?.strip_prefix(prefix))?;
    let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    Some((value.to_owned(), day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deepest_day_folder_below_a_directory_source_counts() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let p = Path::new("/data/as_of=2026-01-01/panel/as_of=2026-11-20/sector=Hydro/part-0.parquet");
        assert_eq!(folder_day(p, None, "as_of="), Some(("2026-11-20".into(), day("2026-11-20"))));
        assert_eq!(
            folder_day(p, Some(Path::new("/data/as_of=2026-01-01/panel")), "as_of="),
            Some(("2026-11-20".into(), day("2026-11-20")))
        );
        // Above the directory given: not a partition.
        let q = Path::new("/data/as_of=2026-01-01/panel/part-0.parquet");
        assert_eq!(folder_day(q, Some(Path::new("/data/as_of=2026-01-01/panel")), "as_of="), None);
        assert_eq!(folder_day(q, None, "as_of="), Some(("2026-01-01".into(), day("2026-01-01"))));
        // Another column's folder, or a value that is not a day.
        assert_eq!(folder_day(p, None, "date="), None);
        assert_eq!(folder_day(Path::new("as_of=foo/x.parquet"), None, "as_of="), None);
        assert_eq!(folder_day(Path::new("as_of=2026-13-45/x.parquet"), None, "as_of="), None);
        // The file's own name is no folder.
        assert_eq!(folder_day(Path::new("as_of=2026-11-20"), None, "as_of="), None);
    }
}
