//! The results directory: the advisory lock that keeps two runs apart, the atomic save of a
//! result (`<model>_<as_of>.json` and `latest.json`), and reading a saved result back.
//!
//! A save follows [`crate::output`]'s rule: it writes a temporary file in the same directory,
//! syncs it and renames it over the target, so a reader (or `push --result`) never sees half a
//! file; a symlinked `latest.json` keeps its link and gets its target replaced.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::output::{Inputs, Output, OutputError, printable};
use crate::render;
use crate::result::{RunResult, SCHEMA_VERSION};

/// Why the results directory or a result file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another run holds the lock.
    #[error("another nepse-drift run holds {path}; this run did nothing")]
    Locked {
        /// The lock file.
        path: String,
    },
    /// The results directory or its lock file could not be created (before anything was read).
    #[error("cannot use the results directory {path}: {detail}")]
    Prepare {
        /// The path.
        path: String,
        /// The I/O error.
        detail: String,
    },
    /// The results directory would be read as data, or its lock file is not a regular file
    /// (before anything was read).
    #[error("cannot use the results directory {path}: {why}")]
    Unusable {
        /// The path.
        path: String,
        /// Why.
        why: String,
    },
    /// A computed result could not be written (disk full, a directory in the way, permissions).
    #[error("the result was computed but not saved: {path}: {detail}")]
    Save {
        /// The path.
        path: String,
        /// The I/O error.
        detail: String,
    },
    /// A saved result file could not be read back.
    #[error("failed to read result {path}: {detail}")]
    Read {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
}

impl StoreError {
    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Locked { .. } => {
                "a previous run is still going (the lock is released when it exits); nothing to clean up"
            }
            Self::Prepare { .. } => {
                "check [output] results_dir (or --results-dir) exists or can be created, and is writable"
            }
            Self::Unusable { .. } => {
                "give [output] results_dir (or --results-dir) a directory of its own, outside every source, and \
                 remove anything that is not a regular file at its .nepse-drift.lock"
            }
            Self::Save { .. } => {
                "free space or fix permissions at that path (or move what is in the way), then run again with the \
                 same --as-of: it reproduces the same result"
            }
            Self::Read { .. } => "pass a result JSON written by `nepse-drift run` (results_dir/latest.json)",
        }
    }
}

/// The held lock of a results directory; released when dropped (or when the process exits).
#[derive(Debug)]
pub struct Lock(#[allow(dead_code)] fs_err::File);

/// Checks, creating nothing, that `dir` can be the results directory of a run with `inputs`:
/// no source would read its files, and it is a directory where it exists. `check-config` and
/// [`lock`] ask the same.
///
/// # Errors
/// [`StoreError::Unusable`] or [`StoreError::Prepare`].
pub fn check(dir: &Path, inputs: &Inputs) -> Result<(), StoreError> {
    inputs
        .check_results_dir(dir)
        .map_err(|e| StoreError::Unusable { path: printable(dir), why: refusal_reason(&e) })?;
    if dir.exists() && !dir.is_dir() {
        return Err(StoreError::Prepare { path: printable(dir), detail: "it is not a directory".into() });
    }
    // A FIFO there would block the job's lock for ever; a link or a device is not ours.
    let lock = dir.join(LOCK_FILE);
    if let Ok(md) = std::fs::symlink_metadata(&lock)
        && !md.file_type().is_file()
    {
        return Err(StoreError::Unusable { path: printable(&lock), why: "it is not a regular file".into() });
    }
    Ok(())
}

/// The lock file's name in the results directory.
const LOCK_FILE: &str = ".nepse-drift.lock";

fn refusal_reason(e: &OutputError) -> String {
    match e {
        OutputError::Refused { why, .. } => why.to_string(),
        OutputError::Write { detail, .. } => detail.clone(),
    }
}

/// Takes the advisory lock `.nepse-drift.lock` in `dir` (created if needed), after [`check`].
///
/// # Errors
/// [`StoreError::Locked`] when another process holds it, [`StoreError::Unusable`] when a source
/// would read the directory or the lock file is not a regular file (a FIFO there would block
/// the job), [`StoreError::Prepare`] when the directory or the lock file cannot be created.
pub fn lock(dir: &Path, inputs: &Inputs) -> Result<Lock, StoreError> {
    check(dir, inputs)?;
    fs_err::create_dir_all(dir)
        .map_err(|e| StoreError::Prepare { path: dir.display().to_string(), detail: e.to_string() })?;
    let path = dir.join(LOCK_FILE);
    let file = fs_err::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError::Prepare { path: path.display().to_string(), detail: e.to_string() })?;
    match file.file().try_lock() {
        Ok(()) => Ok(Lock(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Locked { path: path.display().to_string() }),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(StoreError::Prepare { path: path.display().to_string(), detail: e.to_string() })
        }
    }
}

/// Writes `<model>_<as_of>.json` and `latest.json` atomically; returns the first path. Neither
/// may be (through a link, or as another name of) one of `inputs` (see
/// [`Inputs::for_results`]).
///
/// # Errors
/// [`StoreError::Save`] when a file cannot be written.
pub fn save(dir: &Path, result: &RunResult, inputs: &Inputs) -> Result<PathBuf, StoreError> {
    let json = render::json(result)
        .map_err(|e| StoreError::Save { path: dir.display().to_string(), detail: e.to_string() })?;
    let named = dir.join(format!("{}_{}.json", file_stem(&result.model), result.as_of));
    write_atomically(&named, &json, inputs)?;
    write_atomically(&dir.join("latest.json"), &json, inputs)?;
    Ok(named)
}

/// The longest model part of a result's file name, in bytes: with the date and the
/// temporary file's affixes the name stays far below the usual 255-byte limit.
const MAX_STEM: usize = 64;

/// The model part of a result's file name: the model label as is when it is short and made of
/// ASCII letters, digits, `-`, `_` and `.` only and starts with a letter or digit (so the file
/// is neither hidden nor read as a flag); otherwise those characters kept (others as `_`), cut
/// to [`MAX_STEM`] bytes, leading `.`, `-` and `_` dropped (`model` when nothing is left), and a
/// hash of the whole label appended, so that two labels never share a file.
fn file_stem(model: &str) -> String {
    let safe: String =
        model.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    let leads_well = model.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if safe == model && model.len() <= MAX_STEM && leads_well {
        return safe;
    }
    let digest = Sha256::digest(model.as_bytes());
    let hash = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    let cut: String = safe.trim_start_matches(['.', '-', '_']).chars().take(MAX_STEM - 9).collect();
    let cut = if cut.is_empty() { "model".to_owned() } else { cut };
    format!("{cut}-{hash:08x}")
}

/// Writes one result file by [`crate::output`]'s rule for the results directory (atomically
/// for a file, through a symlink to its target; a device or a FIFO refused); a refusal (a
/// directory in the way, a read-only file, an input behind a link) is a failed save, exit 8, as
/// the result was computed.
fn write_atomically(path: &Path, text: &str, inputs: &Inputs) -> Result<(), StoreError> {
    let fail = |detail: String| StoreError::Save { path: printable(path), detail };
    let output = Output::resolve_store(path, inputs).map_err(|e| fail(e.to_string()))?;
    output.write(&mut std::io::sink(), text.as_bytes()).map_err(|e| match e {
        OutputError::Write { detail, .. } => fail(detail),
        refused @ OutputError::Refused { .. } => fail(refused.to_string()),
    })
}

/// Reads a saved result, refusing another schema version.
///
/// # Errors
/// [`StoreError::Read`] for an unreadable file, invalid JSON or another schema version.
pub fn read(path: &Path) -> Result<RunResult, StoreError> {
    let fail = |detail: String| StoreError::Read { path: path.display().to_string(), detail };
    let text = crate::text_file::read_capped(path, 256 * crate::text_file::MIB, "a saved result")
        .map_err(|e| fail(e.to_string()))?;
    let result: RunResult = crate::text_file::from_json(&text).map_err(fail)?;
    if result.schema_version != SCHEMA_VERSION {
        return Err(fail(format!("schema_version {} is not {SCHEMA_VERSION}", result.schema_version)));
    }
    // The model names the pushed group: a run never writes an empty one.
    if result.model.trim().is_empty() {
        return Err(fail("`model` is empty".to_owned()));
    }
    Ok(result)
}

/// The model of the last result saved in `dir`, if there is one that reads.
#[must_use]
pub fn last_model(dir: &Path) -> Option<String> {
    read(&dir.join("latest.json")).ok().map(|r| r.model)
}

#[cfg(test)]
mod tests {
    use super::{MAX_STEM, file_stem};

    #[test]
    fn plain_model_labels_name_their_file_as_they_are() {
        assert_eq!(file_stem("xgb-v1.2_final"), "xgb-v1.2_final");
    }

    #[test]
    fn other_labels_are_cut_and_told_apart_by_a_hash() {
        let long = "m".repeat(300);
        let stem = file_stem(&long);
        assert!(stem.len() <= MAX_STEM, "{stem}");
        assert!(stem.starts_with("mmmm"));
        assert_ne!(file_stem(&"m".repeat(299)), stem);
        // Labels that map to the same safe characters still get their own file.
        assert_ne!(file_stem("a/b"), file_stem("a:b"));
        assert!(file_stem("a/b").starts_with("a_b-"));
        for odd in [".", "..", "", "xgb\nv2", "x\u{1b}[31m", "../..", "-rf", "_x", ".hidden"] {
            let stem = file_stem(odd);
            assert!(stem.len() > 8 && stem.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{stem:?}");
            // Neither hidden nor a flag.
            assert!(stem.starts_with(|c: char| c.is_ascii_alphanumeric()), "{odd:?} → {stem:?}");
        }
        assert!(file_stem("..").starts_with("model-"));
        assert!(file_stem("-rf").starts_with("rf-"));
    }
}
