//! Reading the small text files a user names (the config, a credential, a reference profile, a
//! saved result) with a bound on their size: a device such as `/dev/zero` given in their place
//! would otherwise be read until memory runs out. And parsing the JSON ones so that an error
//! says where in the file it is.

use std::io::{self, Read};
use std::path::Path;

/// One mebibyte.
pub const MIB: u64 = 1 << 20;

/// Reads `path` as UTF-8 text of at most `limit` bytes. `what` names the kind of file for the
/// error ("a config file").
///
/// # Errors
/// The open or read error (naming the path), or [`io::ErrorKind::InvalidData`] when the file
/// holds more than `limit` bytes or is not UTF-8.
pub fn read_capped(path: &Path, limit: u64, what: &str) -> io::Result<String> {
    let mut bytes = Vec::new();
    let file = fs_err::File::open(path)?;
    // A regular file says its size (a sparse one of 20 GiB is not read to find out).
    let declared = file.metadata().ok().filter(std::fs::Metadata::is_file).map_or(0, |m| m.len());
    if declared <= limit {
        file.take(limit + 1).read_to_end(&mut bytes)?;
    }
    if declared > limit || bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is larger than {} MiB, more than {what} ever holds: is it a device or another file?",
                path.display(),
                limit / MIB
            ),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{} is not UTF-8 text: {e}", path.display())))
}

/// Parses JSON text as `T`; an error names where in the file it is (`windows.current.rows`: a
/// line and column say little in a one-line file).
///
/// # Errors
/// What is wrong, prefixed with its path in the document when it is not the top level.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text)).map_err(|e| {
        match e.path().to_string() {
            p if p == "." => e.inner().to_string(),
            p => format!("`{p}`: {}", e.inner()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_within_the_limit_is_read_whole_and_one_byte_over_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, vec![b'x'; MIB as usize]).unwrap();
        assert_eq!(read_capped(&path, MIB, "a config file").unwrap().len(), MIB as usize);
        std::fs::write(&path, vec![b'x'; MIB as usize + 1]).unwrap();
        let e = read_capped(&path, MIB, "a config file").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("larger than 1 MiB, more than a config file ever holds"), "{e}");
        // Sparse: refused by its size, unread.
        std::fs::File::create(&path).unwrap().set_len(1 << 40).unwrap();
        assert!(read_capped(&path, MIB, "a config file").unwrap_err().to_string().contains("larger than 1 MiB"));
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(read_capped(&path, MIB, "a config file").unwrap_err().to_string().contains("not UTF-8"));
    }
}
