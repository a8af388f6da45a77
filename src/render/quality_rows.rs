//! The data-quality view every renderer shares (table, Markdown, HTML): the columns and cells of
//! one row per feature, and the lines of the break call, the circuit-limit breaches and the
//! symbols. Text is plain (control characters replaced); each renderer escapes for its format.

use super::text::{fmt_pct, plain};
use crate::result::{Breach, DataQuality, FeatureQuality};

/// A value for a cell: four decimals, or scientific notation for one a fixed format would show
/// as `0.0000` or as hundreds of digits (a bad print of 1e300).
#[must_use]
pub fn number(x: Option<f64>) -> String {
    match x {
        None => "–".to_owned(),
        Some(v) if v != 0.0 && !(1e-3..1e6).contains(&v.abs()) => format!("{v:.3e}"),
        Some(v) => format!("{v:.4}"),
    }
}

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
    "bad now",
    "critical",
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
        number(f.missing_change_p_value),
        fmt_pct(f.out_of_range_share),
        fmt_pct(f.beyond_quantiles_share),
        fmt_pct(f.implausible_share),
        number(f.current.min),
        number(f.current.max),
        fmt_pct(f.bad_share),
        fmt_pct(f.critical_bad_share),
    ]
}

/// The break call in one line:
///
/// ```text
/// data quality broken (missing or implausible values beyond the worst of the last 231 windows by half again, 12 stretches): pe_ratio
/// ```
#[must_use]
pub fn call_line(q: &DataQuality) -> String {
    if let Some(note) = &q.note {
        return format!("data quality not called: {}", plain(note));
    }
    format!(
        "data quality {} (missing or implausible values beyond the worst of the last {} windows by half again, {} stretches){}",
        if q.detected { "broken" } else { "not broken" },
        q.history_windows,
        q.history_stretches,
        if q.broken.is_empty() { String::new() } else { format!(": {}", plain(&q.broken.join(", "))) }
    )
}

/// The circuit-limit breaches in one line, the largest few named; `None` when `ret_1d` is not
/// checked.
#[must_use]
pub fn circuit_line(q: &DataQuality) -> Option<String> {
    let c = q.circuit.as_ref()?;
    let named: Vec<String> =
        c.listed.iter().take(BREACHES_IN_LINE).map(|b| format!("{} {} {}", symbol(b), b.date, value(b))).collect();
    Some(format!(
        "circuit limit: {} row{} of {} beyond ±{}% (+{} pp for the tick){}",
        c.count,
        if c.count == 1 { "" } else { "s" },
        plain(&c.feature),
        c.limit * 100.0,
        c.tolerance * 100.0,
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

/// A breach's symbol as plain text, `(no symbol)` for a row without one.
#[must_use]
pub fn symbol(b: &Breach) -> String {
    b.symbol.as_deref().map_or_else(|| "(no symbol)".to_owned(), plain)
}

/// A breach's value as a signed percentage, or `+inf`/`-inf`.
#[must_use]
pub fn value(b: &Breach) -> String {
    match (b.value, &b.infinite) {
        (Some(v), _) => format!("{:+.1}%", v * 100.0),
        (None, Some(sign)) => plain(sign),
        (None, None) => "–".to_owned(),
    }
}

/// Symbols named in the one-line summary.
const SYMBOLS_IN_LINE: usize = 20;

/// The symbols that came and went, in one line.
#[must_use]
pub fn symbols_line(q: &DataQuality) -> String {
    let s = &q.symbols;
    let list = |names: &[String]| match names.len() {
        0 => "none".to_owned(),
        n if n <= SYMBOLS_IN_LINE => plain(&names.join(", ")),
        n => format!("{}, and {} more", plain(&names[..SYMBOLS_IN_LINE].join(", ")), n - SYMBOLS_IN_LINE),
    };
    format!(
        "symbols: {} in the reference, {} now; absent now: {}; new: {}",
        s.reference,
        s.current,
        list(&s.absent),
        list(&s.new)
    )
}
