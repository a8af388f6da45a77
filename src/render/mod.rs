//! Output renderers. Each takes the [`crate::result::RunResult`] and returns text; none
//! computes anything of its own.

pub mod csv;
pub mod estimate_rows;
pub mod group_rows;
pub mod html;
pub mod json;
pub mod markdown;
pub mod quality_rows;
pub mod stattest_columns;
pub mod svg;
pub mod table;
pub mod text;
pub mod within_day_notes;

pub use json::json;
pub use text::{Style, fmt_opt, fmt_pct, plain, spreadsheet_text};
