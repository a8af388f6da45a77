//! The self-contained HTML report: inline CSS, inline SVG charts, no script, no network. A
//! Content-Security-Policy of `default-src 'none'` makes the "no network" a property of the page,
//! not a promise. Each section is its own function; [`super::svg`] draws the charts.

use std::fmt::Write as _;

use super::svg::{self, PsiBar, esc};
use super::{fmt_opt, fmt_pct};
use crate::result::{FeatureDrift, FeatureKind, Level, PerformanceReport, RunResult, TrendStep};

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
header { background: #13315c; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
main { padding: 8px 28px 40px; max-width: 1180px; }
section { background: #fff; border: 1px solid #dde2ea; border-radius: 8px; padding: 14px 18px; margin: 16px 0; }
h2 { font-size: 18px; margin: 4px 0 10px; } h3 { font-size: 16px; margin: 2px 0 8px; }
table { border-collapse: collapse; margin: 6px 0; } td, th { padding: 3px 10px; border-bottom: 1px solid #eceff4; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; } .card { border: 1px solid #dde2ea; border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.card b { display: block; font-size: 20px; }
.level-significant { color: #c62828; font-weight: 600; } .level-moderate { color: #b36b00; font-weight: 600; } .level-stable { color: #2e7d32; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; background: #eceff4; }
.badge.drifted { background: #c62828; color: #fff; }
.unseen { background: #fff3cd; border: 1px solid #ef8f00; border-radius: 4px; padding: 0 4px; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
svg.chart text { font: 11px system-ui, sans-serif; fill: #1d2430; } svg.chart .value { fill: #444; }
svg.chart .axis { fill: #666; } svg.chart .tick.flagged { fill: #b36b00; font-weight: 700; }
svg.chart .threshold { stroke: #555; stroke-dasharray: 4 3; } svg.chart .critical { stroke: #000; stroke-width: 2; }
svg.chart .axisline { stroke: #999; } svg.chart .ref { fill: #90a4ae; } svg.chart .cur { fill: #1565c0; }
svg.chart .contrib { fill: #c62828; } svg.chart .cell { fill: #111; }
.legend-key { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; }
footer { color: #667; font-size: 12px; padding: 0 28px 24px; }
"#;

/// Renders the whole report.
#[must_use]
pub fn render(r: &RunResult) -> String {
    let mut body = String::new();
    summary(&mut body, r);
    overview(&mut body, r);
    if let Some(p) = &r.performance {
        performance(&mut body, p);
    }
    if !r.trend.is_empty() {
        trend(&mut body, r, &r.trend);
    }
    if !r.drift.by_sector.is_empty() || r.drift.sector_mix.is_some() {
        sectors(&mut body, r);
    }
    features(&mut body, r);
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nepse-drift report · {model} · {as_of}</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1>Drift report: {model}</h1><div>as of {as_of} · nepse-drift {version} · PSI {mode:?} mode, {bins} bins, ε {eps}, α {alpha}</div></header>
<main>
{body}</main>
<footer>Rendered from the same result as <code>--format json</code> (schema version {schema}). Self-contained: no script, no network.</footer>
</body>
</html>
"#,
        model = esc(&r.model),
        as_of = r.as_of,
        version = esc(&r.tool_version),
        mode = r.psi_options.mode,
        bins = r.psi_options.bins,
        eps = r.psi_options.epsilon,
        alpha = r.psi_options.alpha,
        schema = r.schema_version,
    )
}

fn summary(out: &mut String, r: &RunResult) {
    let count = |l: Level| r.drift.features.iter().filter(|f| f.level == l).count();
    let w = &r.windows;
    let _ = write!(
        out,
        r#"<section id="summary"><h2>Summary</h2><table><tr><th>window</th><th>from</th><th>to</th><th>trading days</th><th>rows</th><th>source</th></tr>"#
    );
    for (name, win) in
        [("reference", Some(&w.reference)), ("current", Some(&w.current)), ("performance", w.performance.as_ref())]
    {
        if let Some(win) = win {
            let _ = write!(
                out,
                "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                win.from,
                win.to,
                win.trading_days,
                win.rows,
                esc(&win.source)
            );
        }
    }
    let _ = write!(
        out,
        r#"</table><div class="cards"><div class="card">drifted features<b>{} of {}</b>share {}</div><div class="card">significant<b class="level-significant">{}</b>PSI ≥ {}</div><div class="card">moderate<b class="level-moderate">{}</b>PSI ≥ {}</div><div class="card">stable<b class="level-stable">{}</b></div>"#,
        r.drift.drifted_features.len(),
        r.drift.features.len(),
        fmt_pct(r.drift.drift_share),
        count(Level::Significant),
        r.psi_options.thresholds.significant,
        count(Level::Moderate),
        r.psi_options.thresholds.moderate,
        count(Level::Stable),
    );
    if let Some(p) = &r.drift.prediction_drift {
        let _ = write!(
            out,
            r#"<div class="card">prediction drift<b class="level-{0}">{1:.3}</b>{0}</div>"#,
            p.level.as_str(),
            p.psi
        );
    }
    if let Some(p) = &r.performance {
        let g = &p.overall;
        let _ = write!(
            out,
            r#"<div class="card">accuracy<b>{}</b>± {} · coverage {} · pending {}</div>"#,
            fmt_opt(g.metrics.accuracy, 3),
            fmt_opt(g.metrics.accuracy_std_error, 3),
            fmt_pct(g.label_coverage),
            g.pending
        );
    }
    out.push_str("</div>");
    for s in &r.drift.skipped {
        let _ = write!(out, "<p>skipped <code>{}</code>: {}</p>", esc(&s.feature), esc(&s.reason));
    }
    out.push_str("</section>\n");
}

fn overview(out: &mut String, r: &RunResult) {
    let bars: Vec<PsiBar<'_>> =
        r.drift.features.iter().map(|f| PsiBar { label: &f.feature, psi: f.psi, critical: f.critical_psi }).collect();
    let t = &r.psi_options.thresholds;
    let _ = writeln!(
        out,
        r#"<section id="psi-overview"><h2>PSI per feature</h2><p>Sorted by PSI; dashed lines at {} and {}; the black tick is each feature's critical PSI at α = {} (beyond it, the shift is bigger than chance).</p>{}</section>"#,
        t.moderate,
        t.significant,
        r.psi_options.alpha,
        svg::psi_bars(&bars, t.moderate, t.significant)
    );
}

fn features(out: &mut String, r: &RunResult) {
    out.push_str(r#"<section id="features"><h2>Features</h2>"#);
    for f in r.drift.features.iter().chain(&r.drift.prediction_drift) {
        feature(out, f);
    }
    out.push_str("</section>\n");
}

fn feature(out: &mut String, f: &FeatureDrift) {
    let labels: Vec<String> = f.bins.iter().map(|b| b.label.clone()).collect();
    let flagged: Vec<bool> = f.bins.iter().map(|b| f.unseen_categories.contains(&b.label)).collect();
    let reference: Vec<f64> = f.bins.iter().map(|b| b.reference_proportion).collect();
    let current: Vec<f64> = f.bins.iter().map(|b| b.current_proportion).collect();
    let contribution: Vec<f64> = f.bins.iter().map(|b| b.contribution).collect();
    let kind = match f.kind {
        FeatureKind::Numeric => "numeric",
        FeatureKind::Categorical => "categorical",
    };
    let _ = write!(
        out,
        r#"<section class="feature" id="feature-{id}"><h3>{name} <span class="badge{drifted}">{verdict}</span></h3><p>{kind} · PSI <b class="level-{level}">{psi:.4}</b> ({level}) · critical PSI {critical} · p-value {p} · missing {miss_ref} reference / {miss_cur} current · {n_ref} vs {n_cur} rows</p>"#,
        id = esc(&f.feature),
        name = esc(&f.feature),
        drifted = if f.drifted { " drifted" } else { "" },
        verdict = if f.drifted { "drifted" } else { "not drifted" },
        level = f.level.as_str(),
        psi = f.psi,
        critical = fmt_opt(f.critical_psi, 4),
        p = f.p_value.map_or_else(|| "–".to_owned(), |p| format!("{p:.3e}")),
        miss_ref = fmt_pct(Some(f.reference_missing_ratio)),
        miss_cur = fmt_pct(Some(f.current_missing_ratio)),
        n_ref = f.reference_rows,
        n_cur = f.current_rows,
    );
    if !f.unseen_categories.is_empty() {
        let list: Vec<String> =
            f.unseen_categories.iter().map(|c| format!(r#"<span class="unseen">{}</span>"#, esc(c))).collect();
        let _ = write!(out, "<p>categories unseen in the reference: {}</p>", list.join(" "));
    }
    let _ = writeln!(
        out,
        r#"<div class="charts"><div><span class="legend-key" style="background:#90a4ae"></span>reference <span class="legend-key" style="background:#1565c0"></span>current{}</div><div>contribution of each bin to PSI{}</div></div></section>"#,
        svg::distribution(&labels, &reference, &current, &flagged, &format!("{} distribution", f.feature)),
        svg::contributions(&labels, &contribution, &format!("{} PSI contribution per bin", f.feature)),
    );
}

fn performance(out: &mut String, p: &PerformanceReport) {
    let g = &p.overall;
    let m = &g.metrics;
    let _ = write!(
        out,
        r#"<section id="performance"><h2>Model performance</h2><p>{} predictions, {} labelled, {} pending (coverage {}), {} unmatched outcomes; label lag median {} / max {} trading days. Positive label {}, threshold {}.</p>"#,
        g.predictions,
        g.labelled,
        g.pending,
        fmt_pct(g.label_coverage),
        p.unmatched_outcomes,
        fmt_opt(g.label_lag_median_days, 1),
        g.label_lag_max_days.map_or_else(|| "–".to_owned(), |x| x.to_string()),
        p.positive_label,
        p.threshold
    );
    let _ = write!(
        out,
        r#"<div class="charts"><table class="confusion"><tr><th></th><th>predicted up</th><th>predicted down</th></tr><tr><td>actual up</td><td>{}</td><td>{}</td></tr><tr><td>actual down</td><td>{}</td><td>{}</td></tr></table><table><tr><th>metric</th><th>value</th></tr>"#,
        m.tp, m.fn_, m.fp, m.tn
    );
    for (name, v) in [
        ("accuracy", m.accuracy),
        ("± std. error", m.accuracy_std_error),
        ("precision", m.precision),
        ("recall", m.recall),
        ("F1", m.f1),
        ("specificity", m.specificity),
        ("base rate", m.base_rate),
        ("ROC AUC", m.roc_auc),
        ("Brier", m.brier),
        ("log loss", m.log_loss),
    ] {
        let _ = write!(out, "<tr><td>{name}</td><td>{}</td></tr>", fmt_opt(v, 4));
    }
    out.push_str("</table></div>");
    if p.groups.len() > 1 {
        let _ = write!(
            out,
            "<h3>By {}</h3><table><tr><th>{}</th><th>predictions</th><th>labelled</th><th>accuracy</th><th>precision</th><th>recall</th></tr>",
            esc(&p.by),
            esc(&p.by)
        );
        for g in &p.groups {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&g.key),
                g.predictions,
                g.labelled,
                fmt_opt(g.metrics.accuracy, 3),
                fmt_opt(g.metrics.precision, 3),
                fmt_opt(g.metrics.recall, 3)
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</section>\n");
}

fn trend(out: &mut String, r: &RunResult, steps: &[TrendStep]) {
    let x: Vec<String> = steps.iter().map(|s| s.window.to.to_string()).collect();
    let psi: Vec<(String, Vec<Option<f64>>)> = r
        .drift
        .features
        .iter()
        .map(|f| (f.feature.clone(), steps.iter().map(|s| s.psi.get(&f.feature).copied()).collect()))
        .collect();
    let metric = |name: &str, get: fn(&crate::result::Metrics) -> Option<f64>| {
        (
            name.to_owned(),
            steps.iter().map(|s| s.performance.as_ref().and_then(|p| get(&p.metrics))).collect::<Vec<_>>(),
        )
    };
    let perf =
        vec![metric("accuracy", |m| m.accuracy), metric("precision", |m| m.precision), metric("recall", |m| m.recall)];
    let _ = writeln!(
        out,
        r#"<section id="trend"><h2>Over time</h2><div class="charts">{}{}</div></section>"#,
        svg::lines(&x, &psi, "PSI per feature over time", "trend-psi"),
        if perf.iter().any(|(_, v)| v.iter().any(Option::is_some)) {
            svg::lines(&x, &perf, "accuracy, precision and recall over time", "trend-performance")
        } else {
            String::new()
        }
    );
}

fn sectors(out: &mut String, r: &RunResult) {
    out.push_str(r#"<section id="sectors"><h2>Sectors</h2>"#);
    if let Some(mix) = &r.drift.sector_mix {
        let _ =
            write!(out, "<p>Sector mix PSI <b class=\"level-{0}\">{1:.4}</b> ({0}).</p>", mix.level.as_str(), mix.psi);
        let labels: Vec<String> = mix.bins.iter().map(|b| b.label.clone()).collect();
        let reference: Vec<f64> = mix.bins.iter().map(|b| b.reference_proportion).collect();
        let current: Vec<f64> = mix.bins.iter().map(|b| b.current_proportion).collect();
        let flagged: Vec<bool> = labels.iter().map(|l| mix.unseen_categories.contains(l)).collect();
        out.push_str(&svg::distribution(&labels, &reference, &current, &flagged, "sector mix"));
    }
    if !r.drift.by_sector.is_empty() {
        let cols: Vec<String> = r.drift.features.iter().map(|f| f.feature.clone()).collect();
        let rows: Vec<String> = r.drift.by_sector.iter().map(|s| s.sector.clone()).collect();
        let values: Vec<Vec<Option<f64>>> = r
            .drift
            .by_sector
            .iter()
            .map(|s| cols.iter().map(|c| s.features.iter().find(|f| &f.feature == c).map(|f| f.psi)).collect())
            .collect();
        let t = &r.psi_options.thresholds;
        out.push_str(&svg::heatmap(&rows, &cols, &values, t.moderate, t.significant));
    }
    out.push_str("</section>\n");
}
