//! Hive partitions of the date column. Polars' scan dates a row of
//! `as_of=2026-11-20/part.parquet` by its folder; the direct reader ([`super::direct`]) by the
//! file's own `as_of` when it holds one. Where the two disagree (or the file's date is null, or
//! the folder's) the commands would see different days (`report` the file's, `backfill` the
//! folder's), so such a source is refused. So is a layout whose dates depend on how polars lists
//! it (it takes the partition columns from the first file listed: a file outside the folders
//! the rest is in makes the folders count or not by where it sorts), folders nested in one
//! another, and a folder that is not a day or writes it unlike the others, which polars
//! refuses in words naming no file.

use std::path::Path;

use chrono::NaiveDate;

use super::days::{date_to_days, day_to_date};
use super::direct::{Footers, NO_DAY};
use super::error::LoadError;

/// Polars' folder value for a null partition (as is an empty one).
const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// The day formats polars reads a partition value with (polars-time's `DATE_Y_M_D` and
/// `DATE_D_M_Y` patterns; a `/` reaches a value only percent-encoded, `%2F`).
const DAY_FORMATS: [&str; 6] = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"];

/// Checks the date column's hive folders in `source`: every file in one at most, all or none
/// of the files in one, each folder's value a day (or null), and a file that also holds the
/// column holding only that day (only nulls under a null folder).
///
/// Only folders below a directory source count, as polars reads them (its hive partitions
/// start at the directory given): a snapshot kept under `/data/as_of=2026-11-20/` is not a
/// partition. For a file or a glob the whole path counts, as for polars. Values are
/// percent-decoded, as polars decodes them (`as_of=2026%2D11%2D20`). The layout is checked on
/// the paths first; only then are dates read.
///
/// # Errors
/// [`LoadError::HiveLayout`] for a layout or a folder polars would not date as the files do;
/// [`LoadError::PartitionMismatch`] naming the first file that disagrees with its folder and how
/// many more do; [`LoadError::Unreadable`] when a file's dates fail to decode.
pub(super) fn check(footers: &Footers, source: &str, column: &str) -> Result<(), LoadError> {
    let root = Path::new(source);
    let root = root.is_dir().then_some(root);
    let prefix = format!("{column}=");
    let layout = |path: &Path, detail: String| LoadError::HiveLayout { path: path.display().to_string(), detail };
    // The paths alone: each file's folder value, or why the layout is refused.
    let (mut inside, mut outside) = (None, None);
    // The day format of the first folder: polars reads every folder with the one it infers.
    let mut format: Option<(usize, &Path, String)> = None;
    let mut partitions = Vec::new();
    for (i, path) in footers.paths().enumerate() {
        let folders = folders(path, root, &prefix);
        let value = match folders.as_slice() {
            [] => {
                outside = outside.or(Some(path));
                continue;
            }
            [value] => value.clone(),
            [.., value, _] => {
                return Err(layout(
                    path,
                    format!("its folder `{prefix}{value}` holds another `{column}=` folder: partitions cannot nest"),
                ));
            }
        };
        inside = inside.or(Some(path));
        let day = if value.is_empty() || value == NULL_PARTITION {
            NO_DAY
        } else {
            let Some((k, day)) = DAY_FORMATS
                .iter()
                .enumerate()
                .find_map(|(k, f)| NaiveDate::parse_from_str(&value, f).ok().map(|d| (k, d)))
            else {
                return Err(layout(path, format!("its folder `{prefix}{value}` is not a day (such as 2026-11-20)")));
            };
            match &format {
                None => format = Some((k, path, value.clone())),
                Some((first, other, example)) if *first != k => {
                    return Err(layout(
                        path,
                        format!(
                            "its folder `{prefix}{value}` writes its day unlike `{prefix}{example}` ({})",
                            other.display()
                        ),
                    ));
                }
                Some(_) => {}
            }
            date_to_days(day)
        };
        partitions.push((i, path, value, day));
    }
    if let (Some(inside), Some(outside)) = (inside, outside) {
        return Err(layout(
            outside,
            format!(
                "it lies outside the `{prefix}DAY` folders the rest of the source is in (such as {}), so whether the \
                 folders date the rows depends on which file is listed first",
                inside.display()
            ),
        ));
    }
    // Then each partition's own dates, where its files hold the column.
    let mut first: Option<(String, String, String, u64)> = None;
    let mut more = 0_usize;
    for (i, path, value, day) in partitions {
        let off = footers.rows_off_day(i, column, day).map_err(|detail| LoadError::Unreadable {
            path: path.display().to_string(),
            detail: format!("column `{column}`: {detail}"),
        })?;
        let Some((rows, found)) = off.filter(|(rows, _)| *rows > 0) else { continue };
        if first.is_some() {
            more += 1;
        } else {
            let found = found.and_then(day_to_date).map_or_else(|| "null".to_owned(), |d| d.to_string());
            first = Some((path.display().to_string(), value, found, rows));
        }
    }
    match first {
        Some((path, folder, found, rows)) => {
            Err(LoadError::PartitionMismatch { path, column: column.to_owned(), folder, found, rows, more })
        }
        None => Ok(()),
    }
}

/// The values of `path`'s folders named `prefix` + a value, percent-decoded, outermost first:
/// only the folders below `root` (every folder without one); the file's own name is no folder.
fn folders(path: &Path, root: Option<&Path>, prefix: &str) -> Vec<String> {
    let below = match root {
        Some(root) => match path.strip_prefix(root) {
            Ok(below) => below,
            // Not under the directory listed: no folder of it is a partition.
            Err(_) => return Vec::new(),
        },
        None => path,
    };
    let Some(dirs) = below.parent() else { return Vec::new() };
    dirs.iter()
        .filter_map(|c| c.to_str()?.strip_prefix(prefix))
        .map(|v| percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_below_a_directory_source_percent_decoded() {
        let p = Path::new("/data/as_of=2026-01-01/panel/as_of=2026-11-20/sector=Hydro/part-0.parquet");
        assert_eq!(folders(p, None, "as_of="), ["2026-01-01", "2026-11-20"]);
        assert_eq!(folders(p, Some(Path::new("/data/as_of=2026-01-01/panel")), "as_of="), ["2026-11-20"]);
        // Above the directory given: not a partition.
        let q = Path::new("/data/as_of=2026-01-01/panel/part-0.parquet");
        assert!(folders(q, Some(Path::new("/data/as_of=2026-01-01/panel")), "as_of=").is_empty());
        assert_eq!(folders(q, None, "as_of="), ["2026-01-01"]);
        // Another column's folder; a value as polars decodes it; the file's own name.
        assert!(folders(p, None, "date=").is_empty());
        assert_eq!(folders(Path::new("as_of=2026%2D11%2D20/x.parquet"), None, "as_of="), ["2026-11-20"]);
        assert!(folders(Path::new("as_of=2026-11-20"), None, "as_of=").is_empty());
    }
}
