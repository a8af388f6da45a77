//! The human table: one row per feature sorted by PSI, drifted rows marked, then prediction
//! drift, performance and the trend. Colour only when asked (a TTY without `NO_COLOR`).

use std::fmt::Write as _;

use super::text::{Style, fmt_opt, fmt_pct, plain};
use crate::options::Level;
use crate::result::{FeatureDrift, PerformanceGroup, PerformanceReport, RunResult};

/// Renders the whole result as text.
#[must_use]
pub fn render(r: &RunResult, style: Style) -> String {
    let mut out = String::new();
    let w = &r.windows;
    let _ = writeln!(out, "nepse-drift {} · model {} · as of {}", r.tool_version, r.model, r.as_of);
    for (name, win) in [("reference", &w.reference), ("current", &w.current)] {
        let _ = writeln!(
            out,
            "{name:<10} {} … {}  {:>4} trading days  {:>9} rows",
            win.from, win.to, win.trading_days, win.rows
        );
    }
    if let Some(line) = super::text::overlap_line(w) {
        let _ = writeln!(out, "warning: {line}");
    }
    let _ = writeln!(out, "significance: {} test at α = {}", r.psi_options.significance.as_str(), r.psi_options.alpha);
    let _ = writeln!(out);
    feature_table(&mut out, &r.drift.features, style);
    stattest_table(&mut out, r);
    for f in r.drift.features.iter().filter(|f| f.significance_note.is_some()) {
        let _ =
            writeln!(out, "significance of {} undefined: {}", f.feature, f.significance_note.as_deref().unwrap_or(""));
    }
    for s in &r.drift.skipped {
        let _ = writeln!(out, "skipped {}: {}", plain(&s.feature), plain(&s.reason));
    }
    calls(r, &mut out);
    if let Some(q) = &r.drift.data_quality {
        quality_table(&mut out, q, style);
    }
    if let Some(p) = &r.drift.prediction_drift {
        let _ = writeln!(
            out,
            "prediction drift ({}): psi {:.4} {}{}",
            p.feature,
            p.psi,
            p.level.as_str(),
            if p.drifted { " (drifted)" } else { "" }
        );
    }
    if let Some(m) = &r.drift.sector_mix {
        let _ = writeln!(
            out,
            "sector mix: psi {:.4} {}{}",
            m.psi,
            m.level.as_str(),
            if m.drifted { " (drifted)" } else { "" }
        );
    }
    for s in &r.drift.by_sector {
        let _ = writeln!(out, "\nsector {}", s.sector);
        feature_table(&mut out, &s.features, style);
    }
    if let Some(p) = &r.performance {
        let _ =
            writeln!(out, "\nperformance by {} (positive label {}, threshold {})", p.by, p.positive_label, p.threshold);
        perf_table(&mut out, std::iter::once(&p.overall).chain(&p.groups));
        let _ = writeln!(out, "unmatched outcomes: {}", p.unmatched_outcomes);
        estimate_table(&mut out, p);
    }
    for v in &r.other_versions {
        let p = &v.performance;
        let _ = writeln!(out, "\nmodel version {} (not live at the as-of date)", v.model);
        perf_table(&mut out, std::iter::once(&p.overall));
        estimate_table(&mut out, p);
    }
    if !r.trend.is_empty() {
        let _ = writeln!(out, "\ntrend");
        let names: Vec<&String> = r.drift.features.iter().map(|f| &f.feature).collect();
        let _ = write!(out, "{:<23}", "window");
        for n in &names {
            let _ = write!(out, " {:>10}", short(n));
        }
        let _ = writeln!(out, " {:>10} {:>8}", "pred_psi", "accuracy");
        for step in &r.trend {
            let _ = write!(out, "{} … {}", step.window.from, step.window.to);
            for n in &names {
                let _ = write!(out, " {:>10}", fmt_opt(step.psi.get(*n).copied(), 4));
            }
            let acc = step.performance.as_ref().and_then(|p| p.metrics.accuracy);
            let _ = writeln!(out, " {:>10} {:>8}", fmt_opt(step.prediction_psi, 4), fmt_opt(acc, 4));
        }
    }
    out
}

fn short(name: &str) -> String {
    name.chars().take(10).collect()
}

/// Evidently's tests, when the result holds them: a row per feature, a column per test.
fn stattest_table(out: &mut String, r: &RunResult) {
    let tests = super::stattest_columns::columns(r);
    if tests.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nEvidently's drift tests (--stattest {})", r.psi_options.stattest.name());
    let _ = write!(out, "  {:<22} {:<14}", "feature", "decided by");
    for t in &tests {
        let _ = write!(out, " {t:>13}");
    }
    let _ = writeln!(out);
    for f in &r.drift.features {
        let mark = if f.drifted { "*" } else { " " };
        let _ = write!(out, "{mark} {:<22} {:<14}", plain(&f.feature), super::stattest_columns::decided_by(f));
        for t in &tests {
            let _ = write!(out, " {:>13}", super::stattest_columns::cell(f, t));
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "{}", super::stattest_columns::NOTE.replace('`', ""));
}

fn feature_table(out: &mut String, features: &[FeatureDrift], style: Style) {
    let _ = writeln!(
        out,
        "  {:<22} {:<11} {:>8}  {:<11} {:>8} {:>8} {:>9} {:>4} {:>8} {:>7} {:>8} {:>8}  bar",
        "feature",
        "kind",
        "psi",
        "level",
        "expected",
        "critical",
        "p-value",
        "shift",
        "eff_cur",
        "deff",
        "miss_ref",
        "miss_cur"
    );
    for f in features {
        let mark = if f.drifted { "*" } else { " " };
        let kind = match f.kind {
            crate::result::FeatureKind::Numeric => "numeric",
            crate::result::FeatureKind::Categorical => "categorical",
        };
        let line = format!(
            "{mark} {:<22} {:<11} {:>8.4}  {:<11} {:>8} {:>8} {:>9} {:>4} {:>8} {:>7} {:>8} {:>8}  {}",
            plain(&f.feature),
            kind,
            f.psi,
            f.level.as_str(),
            fmt_opt(f.expected_psi, 4),
            fmt_opt(f.critical_psi, 4),
            f.p_value.map_or_else(|| "–".to_owned(), fmt_p),
            if f.shifted { "yes" } else { "no" },
            fmt_opt(f.effective_current_rows, 0),
            fmt_opt(f.design_effect.map(|d| d.current), 1),
            fmt_pct(Some(f.reference_missing_ratio)),
            fmt_pct(Some(f.current_missing_ratio)),
            bar(f.psi),
        );
        let _ = writeln!(out, "{}", style.paint(&line, f.drifted, f.level == Level::Significant));
    }
    for line in super::within_day_notes::lines(features) {
        let _ = writeln!(out, "  * {line}");
    }
}

fn fmt_p(p: f64) -> String {
    if p < 1e-4 { format!("{p:.1e}") } else { format!("{p:.4}") }
}

/// A bar of up to 20 cells, one cell per 0.025 of PSI, capped at 0.5.
fn bar(psi: f64) -> String {
    let cells = (psi.min(0.5) / 0.025).round() as usize;
    "█".repeat(cells)
}

/// Estimated next to realized, and the concept-drift line.
fn estimate_table(out: &mut String, p: &PerformanceReport) {
    let Some(e) = &p.estimated else { return };
    let _ = writeln!(out, "{}", super::estimate_rows::heading(e));
    let _ = writeln!(out, "  {:<12} {:>9} {:>9}  band (±3 SE)", "metric", "realized", "estimated");
    for r in super::estimate_rows::rows(p) {
        let _ = writeln!(
            out,
            "  {:<12} {:>9} {:>9}  {}",
            r.name,
            fmt_opt(r.realized, 4),
            fmt_opt(r.estimated, 4),
            super::estimate_rows::band(&r)
        );
    }
    if let Some(c) = &p.concept_drift {
        let _ = writeln!(out, "{}", super::estimate_rows::concept_line(c));
    }
}

fn perf_table<'a>(out: &mut String, groups: impl Iterator<Item = &'a PerformanceGroup>) {
    use super::group_rows::{COLUMNS, WIDTHS, cells};
    let row = |out: &mut String, cells: &[String]| {
        let _ = write!(out, "  {:<w$}", cells[0], w = WIDTHS[0]);
        for (c, w) in cells.iter().zip(WIDTHS).skip(1) {
            let _ = write!(out, " {c:>w$}");
        }
        let _ = writeln!(out);
    };
    row(out, &COLUMNS.map(String::from));
    for g in groups {
        row(out, &cells(g));
    }
}

/// The data-quality section: a row per feature (`!` marks a broken one), then the break call,
/// the circuit-limit breaches and the symbols.
fn quality_table(out: &mut String, q: &crate::result::DataQuality, style: Style) {
    use super::quality_rows::{COLUMNS, call_line, cells, circuit_line, symbols_line};
    let _ = writeln!(
        out,
        "
data quality"
    );
    let head = format!(
        "  {:<22} {:>11} {:>11} {:>10} {:>12} {:>15} {:>11} {:>10} {:>10} {:>10} {:>14}",
        COLUMNS[0],
        COLUMNS[1],
        COLUMNS[2],
        COLUMNS[3],
        COLUMNS[4],
        COLUMNS[5],
        COLUMNS[6],
        COLUMNS[7],
        COLUMNS[8],
        COLUMNS[9],
        COLUMNS[10]
    );
    let _ = writeln!(out, "{head}");
    for f in &q.features {
        let c = cells(f);
        let line = format!(
            "{} {:<22} {:>11} {:>11} {:>10} {:>12} {:>15} {:>11} {:>10} {:>10} {:>10} {:>14}",
            if f.broken { "!" } else { " " },
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            c[5],
            c[6],
            c[7],
            c[8],
            c[9],
            c[10]
        );
        let _ = writeln!(out, "{}", style.paint(&line, f.broken, f.broken));
    }
    let _ = writeln!(out, "{}", call_line(q));
    if let Some(line) = circuit_line(q) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "{}", symbols_line(q));
}

/// The calls under the feature table: drifted, shifted, the dataset-level and the multivariate
/// call.
fn calls(r: &RunResult, out: &mut String) {
    let computed = r.drift.features.len();
    let _ = writeln!(
        out,
        "\ndrifted: {} of {computed} features ({}){}",
        r.drift.drifted_features.len(),
        fmt_pct(r.drift.drift_share),
        if r.drift.drifted_features.is_empty() {
            String::new()
        } else {
            format!(": {}", r.drift.drifted_features.join(", "))
        }
    );
    let _ = writeln!(
        out,
        "shifted: {} of {computed} features (beyond sampling noise; a retraining signal){}",
        r.drift.shifted_features.len(),
        if r.drift.shifted_features.is_empty() {
            String::new()
        } else {
            format!(": {}", r.drift.shifted_features.join(", "))
        }
    );
    for line in r.drift.dataset.iter().map(super::text::dataset_line) {
        let _ = writeln!(out, "{line}");
    }
    for line in r.drift.multivariate.iter().map(super::text::multivariate_line) {
        let _ = writeln!(out, "{line}");
    }
}
