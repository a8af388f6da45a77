//! The self-contained HTML report: inline CSS, inline SVG charts, no script, no network. A
//! Content-Security-Policy of `default-src 'none'` makes the "no network" a property of the page,
//! not a promise. Each section is its own function; [`super::svg`] draws the charts.
//!
//! The markup is written with `maud`, which escapes every interpolated value by default: a
//! feature or sector name, a model label or a source path can never inject markup. Only the
//! SVG charts, which escape their own text, are spliced in as `PreEscaped`.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::svg::{self, HeatCell, PsiBar};
use super::text::{fmt_opt, fmt_pct};
use crate::options::Level;
use crate::result::{FeatureDrift, FeatureKind, Metrics, PerformanceReport, RunResult, StepSignificance, TrendStep};

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
.overlap { background: #fff3cd; border: 1px solid #ef8f00; border-radius: 4px; padding: 4px 8px; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
svg.chart text { font: 11px system-ui, sans-serif; fill: #1d2430; } svg.chart .value { fill: #444; }
svg.chart .axis { fill: #666; } svg.chart .tick.flagged { fill: #b36b00; font-weight: 700; }
svg.chart .threshold { stroke: #555; stroke-dasharray: 4 3; } svg.chart .critical { stroke: #000; stroke-width: 2; } svg.chart .critical-off { font-size: 11px; fill: #000; }
svg.chart .axisline { stroke: #999; } svg.chart .ref { fill: #90a4ae; } svg.chart .cur { fill: #1565c0; }
svg.chart .contrib { fill: #c62828; } svg.chart .cell { fill: #111; }
.legend-key { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; }
footer { color: #667; font-size: 12px; padding: 0 28px 24px; }
"#;

/// Renders the whole report.
#[must_use]
pub fn render(r: &RunResult) -> String {
    let o = &r.psi_options;
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "nepse-drift report · " (r.model) " · " (r.as_of) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "Drift report: " (r.model) }
                    div {
                        "as of " (r.as_of) " · nepse-drift " (r.tool_version) " · PSI " (format!("{:?}", o.mode))
                        " mode, " (o.bins) " bins, ε " (o.epsilon) ", α " (o.alpha)
                    }
                }
                main {
                    (summary(r))
                    (overview(r))
                    @if !super::stattest_columns::columns(r).is_empty() { (stattests(r)) }
                    @if let Some(q) = &r.drift.data_quality { (quality(q)) }
                    @if let Some(p) = &r.performance { (performance(p, &r.model, r.other_versions.is_empty())) }
                    @for v in &r.other_versions { (performance(&v.performance, &v.model, false)) }
                    @if !r.trend.is_empty() { (trend(r, &r.trend)) }
                    @if !r.drift.by_sector.is_empty() || r.drift.sector_mix.is_some() { (sectors(r)) }
                    (features(r))
                }
                footer {
                    "Rendered from the same result as " code { "--format json" } " (schema version "
                    (r.schema_version) "). Self-contained: no script, no network."
                }
            }
        }
    };
    page.into_string() + "\n"
}

fn summary(r: &RunResult) -> Markup {
    let count = |l: Level| r.drift.features.iter().filter(|f| f.level == l).count();
    let w = &r.windows;
    let t = &r.psi_options.thresholds;
    html! {
        section id="summary" {
            h2 { "Summary" }
            table {
                tr { th { "window" } th { "from" } th { "to" } th { "trading days" } th { "rows" } th { "source" } }
                @for (name, win) in [("reference", Some(&w.reference)), ("current", Some(&w.current)), ("performance", w.performance.as_ref())] {
                    @if let Some(win) = win {
                        tr { td { (name) } td { (win.from) } td { (win.to) } td { (win.trading_days) } td { (win.rows) } td { (win.source) } }
                    }
                }
            }
            @if let Some(line) = super::text::overlap_line(w) {
                p class="overlap" { "Warning: " (line) "." }
            }
            div.cards {
                @if let Some(d) = &r.drift.dataset {
                    div.card { "dataset call" b class={ @if d.drifted { "level-significant" } @else { "level-stable" } } { @if d.drifted { "drifted" } @else { "not drifted" } } (super::text::dataset_line(d)) }
                }
                @if let Some(q) = &r.drift.data_quality {
                    div.card { "data quality" b class={ @if q.detected { "level-significant" } @else { "level-stable" } } { @if q.detected { "broken" } @else if q.note.is_some() { "not called" } @else { "not broken" } } (super::quality_rows::call_line(q)) }
                }
                @if let Some(m) = &r.drift.multivariate {
                    div.card { "multivariate drift" b class={ @if m.detected { "level-significant" } @else { "level-stable" } } { (fmt_opt(m.error, 3)) } (super::text::multivariate_line(m)) }
                }
                div.card { "drifted features" b { (r.drift.drifted_features.len()) " of " (r.drift.features.len()) } "share " (fmt_pct(r.drift.drift_share)) }
                div.card { "shifted features" b { (r.drift.shifted_features.len()) " of " (r.drift.features.len()) } "beyond sampling noise" }
                div.card { "large PSI" b.level-significant { (count(Level::Significant)) } "PSI ≥ " (t.significant) " (a size, not a test)" }
                div.card { "moderate PSI" b.level-moderate { (count(Level::Moderate)) } "PSI ≥ " (t.moderate) }
                div.card { "small PSI" b.level-stable { (count(Level::Stable)) } "PSI < " (t.moderate) }
                @if let Some(p) = &r.drift.prediction_drift {
                    div.card { "prediction drift" b class={ "level-" (p.level.as_str()) } { (format!("{:.3}", p.psi)) } (p.level.as_str()) }
                }
                @if let Some(p) = &r.performance {
                    @let g = &p.overall;
                    div.card {
                        "accuracy" b { (fmt_opt(g.metrics.accuracy, 3)) }
                        "± " (fmt_opt(g.metrics.accuracy_std_error, 3)) " · coverage " (fmt_pct(g.label_coverage)) " · pending " (g.pending)
                    }
                    @if let Some(e) = &p.estimated {
                        div.card {
                            "estimated accuracy" b { (fmt_opt(e.metrics.accuracy, 3)) }
                            "band " (fmt_opt(e.lower.accuracy, 3)) " – " (fmt_opt(e.upper.accuracy, 3))
                            @if p.concept_drift.as_ref().is_some_and(|c| c.detected) { " · concept drift" }
                        }
                    }
                }
            }
            @for s in &r.drift.skipped {
                p { "skipped " code { (s.feature) } ": " (s.reason) }
            }
        }
    }
}

/// The data-quality section: a row per feature, the break call, every listed circuit-limit
/// breach and the symbols.
fn quality(q: &crate::result::DataQuality) -> Markup {
    use super::quality_rows::{COLUMNS, call_line, cells, symbol, symbols_line, value};
    html! {
        section id="data-quality" {
            h2 { "Data quality" }
            p { (call_line(q)) }
            table {
                tr { @for c in COLUMNS { th { (c) } } }
                @for f in &q.features {
                    tr class=[f.broken.then_some("level-significant")] {
                        @for (i, c) in cells(f).iter().enumerate() {
                            @if i == 0 { td { code { (c) } } } @else { td { (c) } }
                        }
                    }
                }
            }
            @if let Some(c) = &q.circuit {
                h3 { (c.feature) " beyond the ±" (c.limit * 100.0) "% circuit limit: " (c.count) }
                @if !c.listed.is_empty() {
                    table {
                        tr { th { "symbol" } th { "date" } th { (c.feature) } }
                        @for b in &c.listed {
                            tr { td { (symbol(b)) } td { (b.date) } td { (value(b)) } }
                        }
                    }
                    @if c.count > c.listed.len() { p { "and " (c.count - c.listed.len()) " more (the largest " (c.listed.len()) " are listed)" } }
                }
            }
            p { (symbols_line(q)) }
        }
    }
}

fn overview(r: &RunResult) -> Markup {
    let bars: Vec<PsiBar<'_>> =
        r.drift.features.iter().map(|f| PsiBar { label: &f.feature, psi: f.psi, critical: f.critical_psi }).collect();
    let t = &r.psi_options.thresholds;
    html! {
        section id="psi-overview" {
            h2 { "PSI per feature" }
            p {
                "Sorted by PSI; dashed lines at the PSI sizes " (t.moderate) " (moderate) and " (t.significant)
                " (large); the black tick is each feature's drift critical PSI at α = " (r.psi_options.alpha)
                " (beyond it, the move is unusual for this market; ▸ marks one beyond the scale)."
            }
            (PreEscaped(svg::psi_bars(&bars, t.moderate, t.significant)))
        }
    }
}

/// Evidently's drift tests (`--stattest`): a row per feature, a column per test.
fn stattests(r: &RunResult) -> Markup {
    let tests = super::stattest_columns::columns(r);
    html! {
        section id="stattests" {
            h2 { "Evidently's drift tests (--stattest " (r.psi_options.stattest.name()) ")" }
            table {
                thead { tr { th { "feature" } th { "decided by" } @for t in &tests { th { (t) } } } }
                tbody {
                    @for f in &r.drift.features {
                        tr {
                            td { (f.feature) }
                            td { (super::stattest_columns::decided_by(f)) }
                            @for t in &tests { td { (super::stattest_columns::cell(f, t)) } }
                        }
                    }
                }
            }
            p { (super::stattest_columns::NOTE.replace('`', "")) }
        }
    }
}

fn features(r: &RunResult) -> Markup {
    html! {
        section id="features" {
            h2 { "Features" }
            @for f in r.drift.features.iter().chain(&r.drift.prediction_drift) { (feature(f)) }
        }
    }
}

fn feature(f: &FeatureDrift) -> Markup {
    let labels: Vec<String> = f.bins.iter().map(|b| b.label.clone()).collect();
    let flagged: Vec<bool> = f.bins.iter().map(|b| f.unseen_categories.contains(&b.label)).collect();
    let reference: Vec<f64> = f.bins.iter().map(|b| b.reference_proportion).collect();
    let current: Vec<f64> = f.bins.iter().map(|b| b.current_proportion).collect();
    let contribution: Vec<f64> = f.bins.iter().map(|b| b.contribution).collect();
    let kind = match f.kind {
        FeatureKind::Numeric => "numeric",
        FeatureKind::Categorical => "categorical",
    };
    let level = f.level.as_str();
    html! {
        section.feature id={ "feature-" (f.feature) } {
            h3 {
                (f.feature) " "
                span class={ "badge" @if f.drifted { " drifted" } } { @if f.drifted { "drifted" } @else { "not drifted" } }
                " "
                span class={ "badge" @if f.shifted { " shifted" } } { @if f.shifted { "shifted" } @else { "not shifted" } }
            }
            p {
                (kind) " · PSI " b class={ "level-" (level) } { (format!("{:.4}", f.psi)) } " (" (level) ") · drift critical PSI "
                (fmt_opt(f.critical_psi, 4))
                @if let Some(n) = f.drift_null { " (" (n.as_str()) " null)" }
                " · p-value " (f.p_value.map_or_else(|| "–".to_owned(), |p| format!("{p:.3e}")))
                " · shift critical PSI " (fmt_opt(f.shift_critical_psi, 4))
                @if let Some(w) = f.within_day {
                    " · within-day PSI (" (w.scale.as_str()) " scale, centred on each day's median) "
                    b { (format!("{:.4}", w.psi)) } ", critical " (format!("{:.4}", w.critical_psi))
                    @if super::within_day_notes::called(f) { ": the symbols' spread within a day moved" }
                }
                " · expected PSI under no drift " (fmt_opt(f.expected_psi, 4)) " (" (f.significance_test.as_str()) " test)"
                @if let (Some(n), Some(m), Some(d)) = (f.effective_reference_rows, f.effective_current_rows, f.design_effect) {
                    " · effective rows " (format!("{n:.0}")) " / " (format!("{m:.0}")) " (design effect "
                    (format!("{:.1}", d.reference)) " / " (format!("{:.1}", d.current)) ")"
                }
                @if let Some(note) = &f.significance_note { " · significance undefined: " (note) }
                " · missing " (fmt_pct(Some(f.reference_missing_ratio))) " reference / "
                (fmt_pct(Some(f.current_missing_ratio))) " current · " (f.reference_rows) " vs " (f.current_rows) " rows"
            }
            @if !f.unseen_categories.is_empty() {
                p {
                    "categories unseen in the reference: "
                    @for (i, c) in f.unseen_categories.iter().enumerate() {
                        @if i > 0 { " " }
                        span.unseen { (c) }
                    }
                }
            }
            div.charts {
                div {
                    span.legend-key style="background:#90a4ae" {} "reference "
                    span.legend-key style="background:#1565c0" {} "current"
                    (PreEscaped(svg::distribution(&labels, &reference, &current, &flagged, &format!("{} distribution", f.feature))))
                }
                div {
                    "contribution of each bin to PSI"
                    (PreEscaped(svg::contributions(&labels, &contribution, &format!("{} PSI contribution per bin", f.feature))))
                }
            }
        }
    }
}

fn performance(p: &PerformanceReport, model: &str, only: bool) -> Markup {
    let g = &p.overall;
    let estimated = super::estimate_rows::rows(p);
    let m = &g.metrics;
    let rows = [
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
    ];
    html! {
        section id=(if only { "performance".to_owned() } else { format!("performance-{model}") }) {
            h2 { "Model performance" @if !only { ": " code { (model) } } }
            p {
                (g.predictions) " predictions, " (g.labelled) " labelled, " (g.pending) " pending (coverage "
                (fmt_pct(g.label_coverage)) "), " (p.unmatched_outcomes) " unmatched outcomes; label lag median "
                (fmt_opt(g.label_lag_median_days, 1)) " / max "
                (g.label_lag_max_days.map_or_else(|| "–".to_owned(), |x| x.to_string()))
                " trading days. Positive label " (p.positive_label) ", threshold " (p.threshold) "."
            }
            div.charts {
                table.confusion {
                    tr { th {} th { "predicted up" } th { "predicted down" } }
                    tr { td { "actual up" } td { (m.tp) } td { (m.fn_) } }
                    tr { td { "actual down" } td { (m.fp) } td { (m.tn) } }
                }
                table {
                    tr { th { "metric" } th { "value" } }
                    @for (name, v) in rows { tr { td { (name) } td { (fmt_opt(v, 4)) } } }
                }
            }
            @if let Some(e) = &p.estimated {
                h3 { "Estimated before the labels land (CBPE)" }
                p { (super::estimate_rows::heading(e)) "." }
                @if !estimated.is_empty() {
                    table.estimated {
                        tr { th { "metric" } th { "realized" } th { "estimated" } th { "band (±3 SE)" } }
                        @for r in &estimated {
                            tr { td { (r.name) } td { (fmt_opt(r.realized, 4)) } td { (fmt_opt(r.estimated, 4)) } td { (super::estimate_rows::band(r)) } }
                        }
                    }
                }
                @if let Some(c) = &p.concept_drift {
                    p class=(if c.detected { "concept-drift detected" } else { "concept-drift" }) { (super::estimate_rows::concept_line(c)) "." }
                }
            }
            @if p.groups.len() > 1 {
                h3 { "By " (p.by) }
                table {
                    tr { th { (p.by) } th { "predictions" } th { "labelled" } th { "accuracy" } th { "precision" } th { "recall" } }
                    @for g in &p.groups {
                        tr {
                            td { (g.key) } td { (g.predictions) } td { (g.labelled) }
                            td { (fmt_opt(g.metrics.accuracy, 3)) } td { (fmt_opt(g.metrics.precision, 3)) }
                            td { (fmt_opt(g.metrics.recall, 3)) }
                        }
                    }
                }
            }
        }
    }
}

fn trend(r: &RunResult, steps: &[TrendStep]) -> Markup {
    let x: Vec<String> =
        steps.iter().map(|s| format!("{}{}", s.window.to, if s.partial { " (partial)" } else { "" })).collect();
    let ratio = |s: &TrendStep, feature: &str| step_ratio(*s.psi.get(feature)?, s.significance.get(feature)?);
    let psi: Vec<(String, Vec<Option<f64>>)> = r
        .drift
        .features
        .iter()
        .map(|f| (f.feature.clone(), steps.iter().map(|s| ratio(s, &f.feature)).collect()))
        .collect();
    let metric = |name: &str, get: fn(&Metrics) -> Option<f64>| {
        (
            name.to_owned(),
            steps.iter().map(|s| s.performance.as_ref().and_then(|p| get(&p.metrics))).collect::<Vec<_>>(),
        )
    };
    let perf =
        vec![metric("accuracy", |m| m.accuracy), metric("precision", |m| m.precision), metric("recall", |m| m.recall)];
    let has_perf = perf.iter().any(|(_, v)| v.iter().any(Option::is_some));
    let est = |get: fn(&crate::result::EstimatedBand) -> Option<f64>| {
        steps.iter().map(|s| s.estimated.as_ref().and_then(get)).collect::<Vec<_>>()
    };
    let (lower, upper) = (est(|b| b.lower.accuracy), est(|b| b.upper.accuracy));
    let accuracy = vec![
        ("estimated accuracy".to_owned(), est(|b| b.metrics.accuracy)),
        (
            "realized accuracy".to_owned(),
            steps.iter().map(|s| s.performance.as_ref().and_then(|p| p.metrics.accuracy)).collect(),
        ),
    ];
    let has_estimate = accuracy[0].1.iter().any(Option::is_some);
    let multivariate = vec![
        ("reconstruction error".to_owned(), steps.iter().map(|s| s.multivariate.map(|m| m.error)).collect::<Vec<_>>()),
        ("critical error".to_owned(), steps.iter().map(|s| s.multivariate.and_then(|m| m.critical_error)).collect()),
    ];
    let has_multivariate = multivariate[0].1.iter().any(Option::is_some);
    // One-day steps have no critical PSI (their dependence cannot be judged): no chart of none,
    // the raw PSIs instead.
    let has_ratio = psi.iter().any(|(_, v)| v.iter().any(Option::is_some));
    let raw: Vec<(String, Vec<Option<f64>>)> = r
        .drift
        .features
        .iter()
        .map(|f| (f.feature.clone(), steps.iter().map(|s| s.psi.get(&f.feature).copied()).collect()))
        .collect();
    html! {
        section id="trend" {
            h2 { "Over time" }
            div.charts {
                @if has_ratio {
                    p { "Each feature's PSI over its own critical PSI, step by step (where the within-day view applies, the larger of its ratio and the level's): above 1 the step is beyond chance in that view for its effective sample." }
                    (PreEscaped(svg::lines(&x, &psi, "PSI / critical PSI per feature over time (above 1: beyond chance)", "trend-psi")))
                } @else {
                    p { "No step has a critical PSI (a one-day step's dependence cannot be judged): each feature's PSI as it is." }
                    (PreEscaped(svg::lines(&x, &raw, "PSI per feature over time (no critical PSI)", "trend-psi-raw")))
                }
                @if has_perf {
                    (PreEscaped(svg::lines(&x, &perf, "accuracy, precision and recall over time", "trend-performance")))
                }
                @if has_multivariate {
                    p { "Multivariate drift step by step: each step's PCA reconstruction error under the reference's fit, and the error above which it is called (past pairs of the step's length and distance from the reference)." }
                    (PreEscaped(svg::lines(&x, &multivariate, "multivariate drift: reconstruction error and its critical value over time", "trend-multivariate")))
                }
                @if has_estimate {
                    p { "CBPE's estimated accuracy with its ±3 SE band, and the realized accuracy once labelled: realized below the band is concept drift." }
                    (PreEscaped(svg::lines_with_band(&x, &accuracy, Some(("±3 SE band", &lower, &upper)), "estimated and realized accuracy over time", "trend-estimated")))
                }
            }
        }
    }
}

/// A heatmap cell coloured by the call: a sector holds only a few symbols, so its PSI is noisy
/// and the level alone would paint a realistic panel red.
/// A step's PSI over its own critical PSI: a short step has a high critical value, so it does
/// not dominate the scale the way its raw PSI would. Above 1: beyond chance. Where the
/// within-day view applies, the larger of its ratio and the level's (as the dashboard's panel),
/// so a level drift is never hidden. `None` without a positive critical PSI or a finite ratio.
fn step_ratio(psi: f64, s: &StepSignificance) -> Option<f64> {
    let ratio = |psi: f64, critical: f64| Some(psi / critical).filter(|r| critical > 0.0 && r.is_finite());
    let level = ratio(psi, s.critical_psi?)?;
    Some(s.within_day.and_then(|w| ratio(w.psi, w.critical_psi)).map_or(level, |w| w.max(level)))
}

fn heat_cell(f: &FeatureDrift) -> HeatCell {
    let colour = if f.drifted {
        "#c62828"
    } else if f.shifted {
        "#ef8f00"
    } else if f.critical_psi.is_none() {
        "#9e9e9e"
    } else {
        "#2e7d32"
    };
    HeatCell { psi: f.psi, colour }
}

fn sectors(r: &RunResult) -> Markup {
    let t = &r.psi_options.thresholds;
    html! {
        section id="sectors" {
            h2 { "Sectors" }
            @if let Some(mix) = &r.drift.sector_mix {
                @let labels: Vec<String> = mix.bins.iter().map(|b| b.label.clone()).collect();
                @let reference: Vec<f64> = mix.bins.iter().map(|b| b.reference_proportion).collect();
                @let current: Vec<f64> = mix.bins.iter().map(|b| b.current_proportion).collect();
                @let flagged: Vec<bool> = labels.iter().map(|l| mix.unseen_categories.contains(l)).collect();
                p { "Sector mix PSI " b class={ "level-" (mix.level.as_str()) } { (format!("{:.4}", mix.psi)) } " (" (mix.level.as_str()) ")." }
                (PreEscaped(svg::distribution(&labels, &reference, &current, &flagged, "sector mix")))
            }
            @if !r.drift.by_sector.is_empty() {
                @let cols: Vec<String> = r.drift.features.iter().map(|f| f.feature.clone()).collect();
                @let rows: Vec<String> = r.drift.by_sector.iter().map(|s| s.sector.clone()).collect();
                @let values: Vec<Vec<Option<HeatCell>>> = r.drift.by_sector.iter()
                    .map(|s| cols.iter().map(|c| s.features.iter().find(|f| &f.feature == c).map(heat_cell)).collect())
                    .collect();
                p {
                    "Coloured by the drift call at each sector's effective sample, not by the PSI level: red drifted, "
                    "amber beyond chance but below the moderate level, green within chance, grey undefined."
                }
                (PreEscaped(svg::heatmap(&rows, &cols, &values, t.significant)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::step_ratio;
    use crate::result::{CentreScale, StepSignificance, WithinDayDrift};

    fn step(critical_psi: Option<f64>, within: Option<(f64, f64)>) -> StepSignificance {
        StepSignificance {
            critical_psi,
            expected_psi: None,
            effective_current_rows: None,
            shift_critical_psi: None,
            shifted: false,
            drifted: false,
            within_day: within.map(|(psi, critical_psi)| WithinDayDrift {
                scale: CentreScale::Log,
                psi,
                critical_psi,
                joint_statistic: 0.0,
                joint_critical: 0.0,
                drifted: false,
            }),
        }
    }

    #[test]
    fn the_trend_ratio_is_the_larger_of_the_two_views() {
        // Level 0.2 / 0.4 = 0.5; within-day 0.75 / 0.25 = 3.
        assert_eq!(step_ratio(0.2, &step(Some(0.4), None)), Some(0.5));
        assert_eq!(step_ratio(0.2, &step(Some(0.4), Some((0.75, 0.25)))), Some(3.0));
        // A larger level ratio is never hidden by the view.
        assert_eq!(step_ratio(0.8, &step(Some(0.4), Some((0.125, 0.25)))), Some(2.0));
        // No positive critical PSI, or an infinite ratio: no point (the view's alone is ignored).
        assert_eq!(step_ratio(0.2, &step(None, Some((0.09, 0.03)))), None);
        assert_eq!(step_ratio(0.2, &step(Some(0.0), None)), None);
        assert_eq!(step_ratio(0.2, &step(Some(0.4), Some((0.09, 0.0)))), Some(0.5));
        assert_eq!(step_ratio(f64::INFINITY, &step(Some(0.4), None)), None);
        assert_eq!(step_ratio(0.2, &step(Some(0.4), Some((0.09, 1e-320)))), Some(0.5));
    }
}
