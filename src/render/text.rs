//! Small text helpers every renderer shares: colour, number formats, and making a name safe for
//! a terminal, a Markdown table or a spreadsheet.

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

/// A name as one line of plain text for a terminal or Markdown: control characters (a terminal
/// escape, a newline) become `�`, so a crafted feature name can neither drive the terminal nor
/// break a table row.
#[must_use]
pub fn plain(name: &str) -> String {
    name.chars().map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect()
}

/// A text cell for a spreadsheet: a leading `=`, `+`, `-`, `@`, tab or carriage return would
/// make a spreadsheet (Excel, `LibreOffice`) evaluate the cell as a formula (CSV injection), so such a cell is
/// prefixed with `'`, as OWASP recommends. Numbers are written by their own code, not this.
#[must_use]
pub fn spreadsheet_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
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

/// The reference's overlap with the current window in one line, when they share trading days.
#[must_use]
pub fn overlap_line(w: &crate::result::Windows) -> Option<String> {
    w.overlap.map(|o| {
        format!(
            "the reference overlaps the current window on {} trading day(s), {} to {}: compared with themselves, \
             they hide drift",
            o.trading_days, o.from, o.to
        )
    })
}

/// The dataset-level call in one line: `dataset drifted (max_t, family-wise α = 0.01 over 11
/// features): ret_1d`.
#[must_use]
pub fn dataset_line(d: &crate::result::DatasetDrift) -> String {
    format!(
        "dataset {} ({}, family-wise α = {} over {} features){}",
        if d.drifted { "drifted" } else { "not drifted" },
        d.method.as_str(),
        d.family_alpha,
        d.features_tested,
        if d.confirmed.is_empty() { String::new() } else { format!(": {}", d.confirmed.join(", ")) }
    )
}

/// The correlation break's part of [`multivariate_line`], with its note when it has one.
fn correlation_clause(m: &crate::result::MultivariateDrift) -> String {
    let note = m.correlation_note.as_deref().map_or_else(String::new, |n| format!("; {}", plain(n)));
    match (m.correlation_distance, m.critical_correlation_distance, m.correlation_p_value) {
        (Some(distance), Some(critical), Some(p_value)) => format!(
            "; correlation distance {distance:.3} {} critical {critical:.3} (p = {p_value:.4}){note}",
            if distance > critical { ">" } else { "≤" }
        ),
        (Some(distance), _, _) => format!("; correlation distance {distance:.3}{note}"),
        _ => note,
    }
}

/// The multivariate call in one line: the headline (either statistic), the reconstruction, then
/// the cross-sectional correlation break, each at α/2, or why one is undefined:
///
/// ```text
/// multivariate drift detected: reconstruction error 2.523 > critical 2.204 (PCA, 4 components
/// explain 69.2% of 11 features; p = 0.0013, short history of 4 stretches); correlation distance
/// 0.364 ≤ critical 1.518 (p = 0.8238)
/// ```
#[must_use]
pub fn multivariate_line(m: &crate::result::MultivariateDrift) -> String {
    let called = m.critical_error.is_some() || m.critical_correlation_distance.is_some();
    let headline = match (m.detected, called) {
        (true, _) => "detected",
        (false, true) => "not detected",
        (false, false) => "not called",
    };
    let reconstruction = match (m.error, m.components, m.explained_variance) {
        (Some(error), Some(k), Some(explained)) => {
            let fit = format!(
                "PCA, {k} component{} explain{} {:.1}% of {} features",
                if k == 1 { "" } else { "s" },
                if k == 1 { "s" } else { "" },
                explained * 100.0,
                m.features.len()
            );
            match (m.critical_error, m.p_value, m.null) {
                (Some(c), Some(p), Some(null)) => format!(
                    "reconstruction error {error:.3} {} critical {c:.3} ({fit}; p = {p:.4}, {} of {} stretches)",
                    if error > c { ">" } else { "≤" },
                    match null {
                        crate::result::MultivariateNull::History => "history",
                        crate::result::MultivariateNull::ShortHistory => "short history",
                    },
                    m.history_stretches,
                ),
                _ => format!(
                    "reconstruction error {error:.3} ({fit}; {})",
                    plain(m.note.as_deref().unwrap_or("no history"))
                ),
            }
        }
        _ => format!("reconstruction undefined ({})", plain(m.note.as_deref().unwrap_or("no reconstruction"))),
    };
    format!("multivariate drift {headline}: {reconstruction}{}", correlation_clause(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_drive_a_terminal_or_a_spreadsheet() {
        assert_eq!(plain("rsi\u{1b}[31m_14\nx"), "rsi\u{FFFD}[31m_14\u{FFFD}x");
        assert_eq!(plain("ret_1d"), "ret_1d");
        for evil in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx"] {
            assert!(spreadsheet_text(evil).starts_with('\''), "{evil}");
        }
        assert_eq!(spreadsheet_text("volume_ratio_20d"), "volume_ratio_20d");
    }
}
