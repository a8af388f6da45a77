//! Output renderers. Each takes the [`crate::result::RunResult`] and returns text; none
//! computes anything of its own.

pub mod csv;
pub mod html;
pub mod markdown;
pub mod svg;
pub mod table;

use crate::result::RunResult;

/// Whether to colour output (decided once by the caller: a TTY and no `NO_COLOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Emit ANSI colours.
    pub color: bool,
}

impl Style {
    /// Colours a table row: red for a significant drift, yellow for another drifted row.
    #[must_use]
    pub fn paint(self, line: &str, drifted: bool, significant: bool) -> String {
        match (self.color, drifted, significant) {
            (true, true, true) => format!("\x1b[31m{line}\x1b[0m"),
            (true, true, false) => format!("\x1b[33m{line}\x1b[0m"),
            _ => line.to_owned(),
        }
    }
}

/// The complete JSON result, pretty-printed, with a trailing newline.
///
/// # Errors
/// Never in practice (the types serialise infallibly); surfaced rather than unwrapped.
pub fn json(r: &RunResult) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(r).map(|s| s + "\n")
}

/// A number with `digits` decimals, or `–` when undefined.
#[must_use]
pub fn fmt_opt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"))
}

/// A ratio as a percentage with one decimal, or `–`.
#[must_use]
pub fn fmt_pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{:.1}%", v * 100.0))
}
