//! The complete result as pretty-printed JSON: the versioned public schema (see
//! [`crate::result::SCHEMA_VERSION`]).

use crate::result::RunResult;

/// The complete JSON result, pretty-printed, with a trailing newline.
///
/// # Errors
/// Never in practice (the types serialise infallibly); surfaced rather than unwrapped.
pub fn json(r: &RunResult) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(r).map(|s| s + "\n")
}
