//! The data-quality view every renderer shares (table, Markdown, HTML): the columns and cells of
//! one row per feature, and the lines of the break call, the circuit-limit breaches and the
//! symbols. Text is plain (control characters replaced); each renderer escapes for its format.

use super::text::{fmt_opt, fmt_pct, plain};
use crate::result::{DataQuality, FeatureQuality};

/// The column headings of [`cells`].
pub const COLUMNS: [&str; 11] = [
    "feature",
    "missing ref",
    "missing now",
    "p (change)",
    "out of range",
    "beyond q.1–99.9",
    "implausible",
    "min now",
    "max now",
    "mean now",
    "break p (adj.)",
];

/// Breaches named in the one-line summary (the JSON and HTML list up to 100).
const BREACHES_IN_LINE: usize = 5;

/// One feature's cells, in [`COLUMNS`]' order.
#[must_use]
pub fn cells(f: &FeatureQuality) -> [String; 11] {
    [
        plain(&f.feature),
        fmt_pct(f.reference.missing_share),
        fmt_pct(f.current.missing_share),
        fmt_opt(f.missing_change_p_value, 4),
        fmt_pct(f.out_of_range_share),
        fmt_pct(f.beyond_quantiles_share),
        fmt_pct(f.implausible_share),
        fmt_opt(f.current.min, 4),
        fmt_opt(f.current.max, 4),
        fmt_opt(f.current.mean, 4),
        fmt_opt(f.adjusted_p_value, 4),
    ]
}

/// The break call in one line:
///
/// ```text
/// data quality broken (missing or implausible values against the last 231 windows, 12 stretches; min-p, family-wise α = 0.01): pe_ratio
/// ```
#[must_use]
pub fn call_line(q: &DataQuality) -> String {
    if let Some(note) = &q.note {
        return format!("data quality not called: {}", plain(note));
    }
    format!(
        "data quality {} (missing or implausible values against the last {} windows, {} stretches; min-p, family-wise α = {}){}",
        if q.detected { "broken" } else { "not broken" },
        q.history_windows,
        q.history_stretches,
        q.family_alpha,
        if q.broken.is_empty() { String::new() } else { format!(": {}", plain(&q.broken.join(", "))) }
    )
}

/// The circuit-limit breaches in one line, the largest few named; `None` when `ret_1d` is not
/// checked.
#[must_use]
pub fn circuit_line(q: &DataQuality) -> Option<String> {
    let c = q.circuit.as_ref()?;
    let named: Vec<String> = c
        .listed
        .iter()
        .take(BREACHES_IN_LINE)
        .map(|b| {
            format!(
                "{} {} {}",
                plain(&b.symbol),
                b.date,
                b.value.map_or_else(|| "±inf".to_owned(), |v| format!("{:+.1}%", v * 100.0))
            )
        })
        .collect();
    Some(format!(
        "circuit limit: {} row{} of {} beyond ±{}%{}",
        c.count,
        if c.count == 1 { "" } else { "s" },
        plain(&c.feature),
        c.limit * 100.0,
        if named.is_empty() {
            String::new()
        } else {
            format!(
                " ({}{})",
                named.join(", "),
                if c.count > named.len() { format!(", and {} more", c.count - named.len()) } else { String::new() }
            )
        }
    ))
}

/// The symbols that came and went, in one line.
#[must_use]
pub fn symbols_line(q: &DataQuality) -> String {
    let s = &q.symbols;
    let list = |names: &[String]| if names.is_empty() { "none".to_owned() } else { plain(&names.join(", ")) };
    format!(
        "symbols: {} in the reference, {} now; absent now: {}; new: {}",
        s.reference,
        s.current,
        list(&s.absent),
        list(&s.new)
    )
}
