//! A Markdown table of the features, for pasting into tickets and post-mortems.

use std::fmt::Write as _;

use super::text::{fmt_opt, fmt_pct, plain};
use crate::result::{PerformanceReport, RunResult};

/// Renders the per-feature table as GitHub-flavoured Markdown.
#[must_use]
pub fn render(r: &RunResult) -> String {
    let mut out = String::new();
    let (rf, cur) = (&r.windows.reference, &r.windows.current);
    let _ = writeln!(
        out,
        "**Drift of `{}` as of {}** — reference {} … {} ({} rows), current {} … {} ({} rows)\n",
        r.model, r.as_of, rf.from, rf.to, rf.rows, cur.from, cur.to, cur.rows
    );
    if let Some(line) = super::text::overlap_line(&r.windows) {
        let _ = writeln!(out, "> **Warning:** {line}.\n");
    }
    let _ = writeln!(
        out,
        "| feature | PSI | level | expected PSI | critical PSI | p-value | drifted | shift critical PSI | shifted | effective rows (ref / cur) | design effect (ref / cur) | missing ref | missing cur |"
    );
    let _ = writeln!(out, "|---|---:|---|---:|---:|---:|---|---:|---|---:|---:|---:|---:|");
    for f in r.drift.features.iter().chain(&r.drift.prediction_drift) {
        let _ = writeln!(
            out,
            "| `{}` | {:.4} | {} | {} | {} | {} | {} | {} | {} | {} / {} | {} / {} | {} | {} |",
            text_cell(&f.feature),
            f.psi,
            f.level.as_str(),
            fmt_opt(f.expected_psi, 4),
            fmt_opt(f.critical_psi, 4),
            f.p_value.map_or_else(|| "–".to_owned(), |p| format!("{p:.3e}")),
            if f.drifted { "**yes**" } else { "no" },
            fmt_opt(f.shift_critical_psi, 4),
            if f.shifted { "yes" } else { "no" },
            fmt_opt(f.effective_reference_rows, 0),
            fmt_opt(f.effective_current_rows, 0),
            fmt_opt(f.design_effect.map(|d| d.reference), 1),
            fmt_opt(f.design_effect.map(|d| d.current), 1),
            fmt_pct(Some(f.reference_missing_ratio)),
            fmt_pct(Some(f.current_missing_ratio)),
        );
    }
    let within = super::within_day_notes::lines(&r.drift.features);
    if !within.is_empty() {
        let _ = writeln!(out);
        for line in within {
            let _ = writeln!(out, "- {}", line.replace('|', "\\|").replace('`', "'"));
        }
    }
    let tests = super::stattest_columns::columns(r);
    if !tests.is_empty() {
        let _ = writeln!(out, "\n**Evidently's drift tests** (`--stattest {}`)\n", r.psi_options.stattest.name());
        let _ = writeln!(out, "| feature | decided by | {} |", tests.join(" | "));
        let _ = writeln!(out, "|---|---|{}", "---:|".repeat(tests.len()));
        for f in &r.drift.features {
            let cells: Vec<String> = tests.iter().map(|t| super::stattest_columns::cell(f, t)).collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                text_cell(&f.feature),
                super::stattest_columns::decided_by(f),
                cells.join(" | ")
            );
        }
        let _ = writeln!(out, "\n{}", super::stattest_columns::NOTE);
    }
    let _ = writeln!(
        out,
        "\nDrifted: {} of {} features ({}). Shifted: {} (beyond sampling noise; a retraining signal).",
        r.drift.drifted_features.len(),
        r.drift.features.len(),
        fmt_pct(r.drift.drift_share),
        r.drift.shifted_features.len()
    );
    if let Some(d) = &r.drift.dataset {
        let _ = writeln!(out, "\n{}.", super::text::dataset_line(d));
    }
    if let Some(m) = &r.drift.multivariate {
        let _ = writeln!(out, "\n{}.", super::text::multivariate_line(m));
    }
    if let Some(q) = &r.drift.data_quality {
        quality(&mut out, q);
    }
    let versions = r.performance.iter().map(|p| (r.model.as_str(), p));
    for (model, p) in versions.chain(r.other_versions.iter().map(|v| (v.model.as_str(), &v.performance))) {
        performance(&mut out, model, p);
    }
    sectors(&mut out, r);
    trend(&mut out, r);
    out
}

/// A Markdown cell of free text (a sector or group name, a feature): no pipe or backtick
/// can break the table.
fn text_cell(text: &str) -> String {
    plain(text).replace('|', "\\|").replace('`', "'")
}

/// `--by sector`: the sector mix, and each feature's PSI within each sector.
fn sectors(out: &mut String, r: &RunResult) {
    if let Some(m) = &r.drift.sector_mix {
        let drifted = if m.drifted { ", drifted" } else { "" };
        let _ = writeln!(out, "\nSector mix: PSI {:.4} ({}{drifted}).", m.psi, m.level.as_str());
    }
    if r.drift.by_sector.is_empty() {
        return;
    }
    let _ =
        writeln!(out, "\n**PSI by sector** (each feature within each sector, against the same sector's reference)\n");
    let _ = writeln!(out, "| sector | feature | PSI | level | critical PSI | drifted |");
    let _ = writeln!(out, "|---|---|---:|---|---:|---|");
    for s in &r.drift.by_sector {
        for f in &s.features {
            let _ = writeln!(
                out,
                "| {} | `{}` | {:.4} | {} | {} | {} |",
                text_cell(&s.sector),
                text_cell(&f.feature),
                f.psi,
                f.level.as_str(),
                fmt_opt(f.critical_psi, 4),
                if f.drifted { "**yes**" } else { "no" },
            );
        }
    }
}

/// `--by model-version|sector|symbol`: a row per group beside the overall one (one group is the
/// overall one again: no table).
fn groups(out: &mut String, p: &PerformanceReport) {
    if p.groups.len() < 2 {
        return;
    }
    // The table's cells, the first column named after the breakdown.
    let mut header = super::group_rows::COLUMNS.map(String::from);
    header[0].clone_from(&p.by);
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(header.len() - 1));
    for g in std::iter::once(&p.overall).chain(&p.groups) {
        let mut cells = super::group_rows::cells(g);
        cells[0] = text_cell(&cells[0]);
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(out);
}

/// The steps of `--every`: a row per step, each feature's PSI (in bold where the step drifted),
/// the prediction PSI and the accuracy.
fn trend(out: &mut String, r: &RunResult) {
    if r.trend.is_empty() {
        return;
    }
    let names: Vec<&str> = r.drift.features.iter().map(|f| f.feature.as_str()).collect();
    let _ = writeln!(
        out,
        "\n**Over time** (`--every`: each step against the same reference; PSI in bold where the step drifted)\n"
    );
    let header: Vec<String> = names.iter().map(|n| format!("`{}`", text_cell(n))).collect();
    let header: Vec<String> = std::iter::once("window".to_owned())
        .chain(header)
        .chain(["prediction PSI".to_owned(), "accuracy".to_owned()])
        .collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(header.len() - 1));
    for step in &r.trend {
        let cells: Vec<String> = names
            .iter()
            .map(|n| {
                let psi = fmt_opt(step.psi.get(*n).copied(), 4);
                if step.significance.get(*n).is_some_and(|s| s.drifted) { format!("**{psi}**") } else { psi }
            })
            .collect();
        let accuracy = step.performance.as_ref().and_then(|p| p.metrics.accuracy);
        let window =
            format!("{} … {}{}", step.window.from, step.window.to, if step.partial { " (partial)" } else { "" });
        let row: Vec<String> = std::iter::once(window)
            .chain(cells)
            .chain([fmt_opt(step.prediction_psi, 4), fmt_opt(accuracy, 4)])
            .collect();
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
}

/// The data-quality section: a table row per feature (a broken one in bold), then the break
/// call, the circuit-limit breaches and the symbols.
fn quality(out: &mut String, q: &crate::result::DataQuality) {
    use super::quality_rows::{COLUMNS, call_line, cells, circuit_line, symbols_line};
    let cell = |s: &str| s.replace('|', "\\|").replace('`', "'").replace('<', "\\<");
    let _ = writeln!(out, "\n**Data quality**\n");
    let _ = writeln!(out, "| {} |", COLUMNS.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(COLUMNS.len() - 1));
    for f in &q.features {
        let c = cells(f);
        let name = if f.broken { format!("**`{}`**", cell(&c[0])) } else { format!("`{}`", cell(&c[0])) };
        let rest: Vec<String> = c[1..].iter().map(|s| cell(s)).collect();
        let _ = writeln!(out, "| {name} | {} |", rest.join(" | "));
    }
    let _ = writeln!(out, "\n{}.", cell(&call_line(q)));
    if let Some(line) = circuit_line(q) {
        let _ = writeln!(out, "\n{}.", cell(&line));
    }
    let _ = writeln!(out, "\n{}.", cell(&symbols_line(q)));
}

/// Realized and estimated performance of one model version.
fn performance(out: &mut String, model: &str, p: &PerformanceReport) {
    let g = &p.overall;
    let _ = writeln!(
        out,
        "\n**Performance of `{}`** — {} predictions, {} labelled, {} pending\n",
        plain(model).replace('`', "'"),
        g.predictions,
        g.labelled,
        g.pending
    );
    groups(out, p);
    let rows = super::estimate_rows::rows(p);
    if rows.is_empty() {
        let _ = writeln!(
            out,
            "Accuracy {} (± {}).",
            fmt_opt(g.metrics.accuracy, 4),
            fmt_opt(g.metrics.accuracy_std_error, 4)
        );
        return;
    }
    let _ = writeln!(out, "| metric | realized | estimated (CBPE) | band (±3 SE) |");
    let _ = writeln!(out, "|---|---:|---:|---|");
    for r in &rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            r.name,
            fmt_opt(r.realized, 4),
            fmt_opt(r.estimated, 4),
            super::estimate_rows::band(r)
        );
    }
    if let Some(e) = &p.estimated {
        let _ = writeln!(out, "\n{}.", super::estimate_rows::heading(e));
    }
    if let Some(c) = &p.concept_drift {
        let _ = writeln!(out, "\n{}.", super::estimate_rows::concept_line(c));
    }
}
