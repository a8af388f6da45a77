//! Small hand-built SVG charts for the HTML report: horizontal bars, grouped bars, lines and a
//! heatmap. Each function takes plain numbers and labels and returns one `<svg>` element; none
//! computes anything about drift. Text is escaped; sizes are in CSS pixels.

use std::fmt::Write as _;

/// Escapes text for HTML/SVG content and attribute values.
#[must_use]
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Colour of a PSI value by level.
#[must_use]
pub fn psi_color(psi: f64, moderate: f64, significant: f64) -> &'static str {
    if psi >= significant {
        "#c62828"
    } else if psi >= moderate {
        "#ef8f00"
    } else {
        "#2e7d32"
    }
}

/// One cell of [`heatmap`]: the PSI it shows and the colour of its call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeatCell {
    /// The PSI printed in the cell.
    pub psi: f64,
    /// Its colour: the drift call, not the PSI level (see the HTML report).
    pub colour: &'static str,
}

/// One bar of [`psi_bars`].
pub struct PsiBar<'a> {
    /// Feature name.
    pub label: &'a str,
    /// PSI.
    pub psi: f64,
    /// Critical PSI, marked with a tick.
    pub critical: Option<f64>,
}

/// Horizontal PSI bars (already sorted), with the two thresholds as dashed lines and each
/// feature's critical PSI as a black tick.
#[must_use]
pub fn psi_bars(bars: &[PsiBar<'_>], moderate: f64, significant: f64) -> String {
    let (label_w, plot_w, row_h) = (170.0, 480.0, 22.0);
    // The PSIs and the thresholds set the scale, not the critical values: a feature whose
    // critical PSI is 13 must not shrink every bar to a sliver. A critical value beyond the
    // scale is drawn as a marker at the right edge, its value written beside it.
    let max = bars.iter().map(|b| b.psi).fold(significant * 1.2, f64::max) * 1.1;
    let x = |v: f64| label_w + v.min(max) / max * plot_w;
    let height = row_h * bars.len() as f64 + 46.0;
    let mut s = svg_open(label_w + plot_w + 90.0, height, "psi-overview", "PSI per feature");
    for (i, b) in bars.iter().enumerate() {
        let y = 8.0 + row_h * i as f64;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" class="label">{}</text><rect x="{label_w}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: PSI {:.4}</title></rect><text x="{:.1}" y="{:.1}" class="value">{:.3}</text>"#,
            label_w - 6.0,
            y + 13.0,
            esc(b.label),
            y + 2.0,
            (x(b.psi) - label_w).max(0.5),
            row_h - 6.0,
            psi_color(b.psi, moderate, significant),
            esc(b.label),
            b.psi,
            x(b.psi) + 4.0,
            y + 13.0,
            b.psi
        );
        match b.critical {
            Some(c) if c <= max => {
                let _ = write!(
                    s,
                    r#"<line x1="{0:.1}" x2="{0:.1}" y1="{1:.1}" y2="{2:.1}" class="critical"><title>critical PSI {3:.4}</title></line>"#,
                    x(c),
                    y,
                    y + row_h - 2.0,
                    c
                );
            }
            Some(c) => {
                let _ = write!(
                    s,
                    r#"<text x="{:.1}" y="{:.1}" class="critical-off">▸ critical {:.2}<title>critical PSI {:.4}, beyond the scale</title></text>"#,
                    label_w + plot_w + 4.0,
                    y + 13.0,
                    c,
                    c
                );
            }
            None => {}
        }
    }
    // The level thresholds, each labelled on its own line so that close thresholds never print
    // on top of each other; named as PSI sizes, not as a test's call.
    let bottom = row_h * bars.len() as f64 + 8.0;
    for (k, (t, name)) in [(moderate, "moderate"), (significant, "large")].into_iter().enumerate() {
        let _ = write!(
            s,
            r#"<line x1="{0:.1}" x2="{0:.1}" y1="4" y2="{1:.1}" class="threshold"/><text x="{0:.1}" y="{2:.1}" text-anchor="middle" class="axis">PSI {3} ({4})</text>"#,
            x(t),
            bottom + 16.0 * k as f64,
            bottom + 14.0 + 16.0 * k as f64,
            t,
            name
        );
    }
    s.push_str("</svg>");
    s
}

/// Two series of proportions over the same bins (reference vs current), as grouped bars,
/// with a highlighted label for flagged bins (e.g. unseen categories).
#[must_use]
pub fn distribution(labels: &[String], reference: &[f64], current: &[f64], flagged: &[bool], title: &str) -> String {
    let (left, plot_h, bottom) = (40.0, 150.0, 100.0);
    let group_w = (560.0 / labels.len().max(1) as f64).clamp(14.0, 60.0);
    let width = left + group_w * labels.len() as f64 + 20.0;
    let max = reference.iter().chain(current).copied().fold(0.0_f64, f64::max).max(1e-9);
    let mut s = svg_open(width, plot_h + bottom, "distribution", title);
    axis_y(&mut s, left, plot_h, max);
    for (i, label) in labels.iter().enumerate() {
        let gx = left + group_w * i as f64;
        let bw = (group_w - 4.0) / 2.0;
        for (k, (v, class)) in [(reference[i], "ref"), (current[i], "cur")].into_iter().enumerate() {
            let h = v / max * (plot_h - 10.0);
            let _ = write!(
                s,
                r#"<rect x="{:.1}" y="{:.1}" width="{bw:.1}" height="{h:.1}" class="{class}"><title>{} {}: {:.2}%</title></rect>"#,
                gx + 2.0 + bw * k as f64,
                plot_h - h,
                if class == "ref" { "reference" } else { "current" },
                esc(label),
                v * 100.0
            );
        }
        let flag = if flagged.get(i).copied().unwrap_or(false) { " flagged" } else { "" };
        let _ = write!(
            s,
            r#"<text transform="translate({:.1},{:.1}) rotate(-45)" text-anchor="end" class="tick{flag}">{}</text>"#,
            gx + group_w / 2.0,
            plot_h + 12.0,
            esc(&shorten(label, 18))
        );
    }
    s.push_str("</svg>");
    s
}

/// Signed per-bin values (PSI contributions) as bars.
#[must_use]
pub fn contributions(labels: &[String], values: &[f64], title: &str) -> String {
    let (left, plot_h, bottom) = (40.0, 90.0, 70.0);
    let group_w = (560.0 / labels.len().max(1) as f64).clamp(14.0, 60.0);
    let width = left + group_w * labels.len() as f64 + 20.0;
    let max = values.iter().map(|v| v.abs()).fold(0.0_f64, f64::max).max(1e-9);
    let mut s = svg_open(width, plot_h + bottom, "contribution", title);
    axis_y(&mut s, left, plot_h, max);
    for (i, (label, v)) in labels.iter().zip(values).enumerate() {
        let h = v.abs() / max * (plot_h - 10.0);
        let _ = write!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" class="contrib"><title>{}: {:.5}</title></rect><text transform="translate({:.1},{:.1}) rotate(-45)" text-anchor="end" class="tick">{}</text>"#,
            left + group_w * i as f64 + 3.0,
            plot_h - h,
            group_w - 6.0,
            esc(label),
            v,
            left + group_w * i as f64 + group_w / 2.0,
            plot_h + 12.0,
            esc(&shorten(label, 18))
        );
    }
    s.push_str("</svg>");
    s
}

/// Named series over the same x labels, as lines (values may be missing).
#[must_use]
pub fn lines(x_labels: &[String], series: &[(String, Vec<Option<f64>>)], title: &str, class: &str) -> String {
    lines_with_band(x_labels, series, None, title, class)
}

/// A band between two series (lower, upper), shaded where both are defined, under lines.
pub type Band<'a> = (&'a str, &'a [Option<f64>], &'a [Option<f64>]);

/// [`lines`] over a shaded band, such as an estimate's ±3 SE (NannyML's plots).
#[must_use]
pub fn lines_with_band(
    x_labels: &[String],
    series: &[(String, Vec<Option<f64>>)],
    band: Option<Band<'_>>,
    title: &str,
    class: &str,
) -> String {
    // A wide left margin: the first x label, rotated, reaches left of the axis (a week's
    // label such as "2021-07-15 (partial)" needs about 110 pixels).
    let (left, plot_w, plot_h, bottom) = (130.0, 560.0, 180.0, 70.0);
    let band_values = band.iter().flat_map(|(_, lo, hi)| lo.iter().chain(hi.iter()).flatten());
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .chain(band_values)
        .copied()
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let step = plot_w / (x_labels.len().saturating_sub(1).max(1)) as f64;
    let mut s = svg_open(left + plot_w + 170.0, plot_h + bottom, class, title);
    axis_y(&mut s, left, plot_h, max);
    if let Some((name, lower, upper)) = band {
        let (x, y) = (|i: usize| left + step * i as f64, |v: f64| plot_h - v / max * (plot_h - 10.0));
        let at = |i: usize, v: f64| format!("{:.1},{:.1}", x(i), y(v));
        let both: Vec<(usize, f64, f64)> =
            lower.iter().zip(upper).enumerate().filter_map(|(i, (lo, hi))| Some((i, (*lo)?, (*hi)?))).collect();
        let mut points: Vec<String> = both.iter().map(|&(i, _, hi)| at(i, hi)).collect();
        points.extend(both.iter().rev().map(|&(i, lo, _)| at(i, lo)));
        // A band of one step is no area: drawn as an error bar.
        if let &[(i, lo, hi)] = both.as_slice() {
            let (x, top, bottom) = (x(i), y(hi), y(lo));
            let _ = write!(
                s,
                r##"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#1565c0" stroke-opacity="0.4" stroke-width="6"/>"##
            );
        }
        let _ = write!(
            s,
            r##"<polygon points="{}" fill="#1565c0" fill-opacity="0.15" stroke="none"><title>{}</title></polygon><text x="{:.1}" y="{:.1}" class="legend" style="fill:#1565c0">{}</text>"##,
            points.join(" "),
            esc(name),
            left + plot_w + 12.0,
            14.0 + 14.0 * series.len() as f64,
            esc(name)
        );
    }
    for (i, label) in x_labels.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text transform="translate({:.1},{:.1}) rotate(-35)" text-anchor="end" class="tick">{}</text>"#,
            left + step * i as f64,
            plot_h + 12.0,
            esc(label)
        );
    }
    for (k, (name, values)) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        // Past the palette, the colours repeat dashed so that every series stays distinct.
        let dash = if k >= PALETTE.len() { r#" stroke-dasharray="6 3""# } else { "" };
        let points: Vec<(f64, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (left + step * i as f64, plot_h - v / max * (plot_h - 10.0))))
            .collect();
        // A single point is no line: it is drawn as a dot (a trend of one step).
        if let [(x, y)] = points.as_slice() {
            let _ = write!(
                s,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{color}"><title>{}</title></circle>"#,
                esc(name)
            );
        }
        let _ = write!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"{dash}><title>{}</title></polyline><text x="{:.1}" y="{:.1}" class="legend" style="fill:{color}">{}</text>"#,
            points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" "),
            esc(name),
            left + plot_w + 12.0,
            14.0 + 14.0 * k as f64,
            esc(name)
        );
    }
    s.push_str("</svg>");
    s
}

/// A rows × columns heatmap of PSI values (`None` cells blank).
#[must_use]
pub fn heatmap(rows: &[String], cols: &[String], values: &[Vec<Option<HeatCell>>], significant: f64) -> String {
    let (left, top, cell_w, cell_h) = (190.0, 110.0, 58.0, 22.0);
    let width = left + cell_w * cols.len() as f64 + 10.0;
    let height = top + cell_h * rows.len() as f64 + 10.0;
    let mut s = svg_open(width, height, "heatmap", "PSI by sector and feature");
    for (j, c) in cols.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text transform="translate({:.1},{:.1}) rotate(-45)" class="tick">{}</text>"#,
            left + cell_w * j as f64 + cell_w / 2.0,
            top - 6.0,
            esc(c)
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + cell_h * i as f64;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" class="label">{}</text>"#,
            left - 6.0,
            y + 15.0,
            esc(r)
        );
        for (j, cell) in values[i].iter().enumerate() {
            let Some(HeatCell { psi: v, colour }) = cell else { continue };
            let _ = write!(
                s,
                r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}" fill-opacity="{:.2}"><title>{} × {}: PSI {:.4}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle" class="cell">{:.2}</text>"#,
                left + cell_w * j as f64,
                cell_w - 2.0,
                cell_h - 2.0,
                colour,
                (0.25 + v / significant).min(1.0),
                esc(r),
                esc(&cols[j]),
                v,
                left + cell_w * j as f64 + cell_w / 2.0,
                y + 15.0,
                v
            );
        }
    }
    s.push_str("</svg>");
    s
}

const PALETTE: [&str; 8] = ["#1565c0", "#c62828", "#2e7d32", "#ef8f00", "#6a1b9a", "#00838f", "#5d4037", "#ad1457"];

fn svg_open(width: f64, height: f64, class: &str, title: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart {class}" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = esc(title)
    )
}

fn axis_y(s: &mut String, left: f64, plot_h: f64, max: f64) {
    let _ = write!(
        s,
        r#"<line x1="{left}" x2="{left}" y1="0" y2="{plot_h}" class="axisline"/><text x="{:.1}" y="10" text-anchor="end" class="axis">{}</text><text x="{:.1}" y="{plot_h}" text-anchor="end" class="axis">0</text>"#,
        left - 4.0,
        short_number(max),
        left - 4.0
    );
}

fn short_number(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}")
    } else if x >= 0.1 {
        format!("{x:.2}")
    } else {
        format!("{x:.1e}")
    }
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_owned() } else { s.chars().take(n - 1).collect::<String>() + "…" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn psi_bars_draw_one_bar_per_feature_and_both_thresholds() {
        let bars = [
            PsiBar { label: "rsi_14", psi: 0.8, critical: Some(0.01) },
            PsiBar { label: "ret_1d", psi: 0.01, critical: None },
        ];
        let svg = psi_bars(&bars, 0.1, 0.25);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert_eq!(svg.matches(r#"class="threshold""#).count(), 2);
        assert_eq!(svg.matches(r#"class="critical""#).count(), 1);
        assert!(svg.contains("#c62828") && svg.contains("#2e7d32"));
        insta::assert_snapshot!("psi_bars", svg.replace("><", ">\n<"));
    }

    /// The numbers after `key="` in each element of `class`, in order.
    fn attr(svg: &str, class: &str, key: &str) -> Vec<f64> {
        svg.split('<')
            .filter(|e| e.contains(&format!(r#"class="{class}""#)))
            .filter_map(|e| e.split(&format!(r#"{key}=""#)).nth(1)?.split('"').next()?.parse().ok())
            .collect()
    }

    #[test]
    fn close_thresholds_label_on_separate_lines_named_as_sizes() {
        // Issue 26: "0.1", "0.25" and "significant" printed on top of each other.
        let bars = [PsiBar { label: "ret_1d", psi: 0.02, critical: Some(0.03) }];
        let svg = psi_bars(&bars, 0.1, 0.25);
        let ys = attr(&svg, "axis", "y");
        assert_eq!(ys.len(), 2, "{svg}");
        // 11-pixel text: baselines at least a line apart.
        assert!((ys[1] - ys[0]).abs() >= 14.0, "{ys:?}");
        assert!(!svg.contains("significant"), "a PSI size must not read as the test's call: {svg}");
        assert!(svg.contains("(moderate)") && svg.contains("(large)"));
    }

    #[test]
    fn a_huge_critical_psi_does_not_shrink_the_bars() {
        // Issue 26: with critical PSIs of 13, the ticks set the scale and the bars were slivers.
        let bars = [
            PsiBar { label: "log_turnover_npr", psi: 0.6, critical: Some(13.6) },
            PsiBar { label: "ret_1d", psi: 0.3, critical: Some(0.5) },
        ];
        let svg = psi_bars(&bars, 0.1, 0.25);
        let widths: Vec<f64> = svg
            .split("<rect")
            .skip(1)
            .filter_map(|e| e.split(r#"width=""#).nth(1)?.split('"').next()?.parse().ok())
            .collect();
        // The largest PSI fills most of the 480-pixel plot.
        assert!(widths[0] > 0.8 * 480.0, "{widths:?}");
        assert!(widths[1] > 0.4 * 480.0, "{widths:?}");
        // The critical value beyond the scale is written, not drawn off the chart.
        assert!(svg.contains("▸ critical 13.60"), "{svg}");
        assert_eq!(svg.matches(r#"class="critical""#).count(), 1);
    }

    #[test]
    fn the_first_rotated_date_label_fits_left_of_the_axis() {
        // Issue 26: "2021-07-15 (partial)" was cut off at the left edge. Rotated −35° and
        // anchored at its end, an 11-pixel label reaches `chars · 6.5 · cos 35°` to the left.
        let labels = vec!["2021-07-15 (partial)".to_owned(), "2021-07-22".to_owned()];
        let svg = lines(&labels, &[("psi".to_owned(), vec![Some(0.1), Some(0.2)])], "t", "trend");
        let first = svg.split("translate(").nth(1).and_then(|t| t.split(',').next()?.parse::<f64>().ok()).unwrap();
        let reach = labels[0].chars().count() as f64 * 6.5 * 35f64.to_radians().cos();
        assert!(first - reach >= 0.0, "label starts at {} px", first - reach);
    }

    #[test]
    fn a_series_of_one_point_is_drawn_as_a_dot() {
        // A polyline of one point draws nothing: a trend of a single step showed an empty chart.
        let series = vec![("ret_1d".to_owned(), vec![Some(0.2)]), ("rsi_14".to_owned(), vec![None])];
        let svg = lines(&["2026-11-19".to_owned()], &series, "PSI", "trend");
        assert_eq!(svg.matches("<circle").count(), 1, "{svg}");
        assert!(svg.contains(r#"<circle cx="130.0" cy="10.0" r="3.5""#), "{svg}");
        // A band of one step is an error bar from its lower to its upper value.
        let band = lines_with_band(
            &["2026-11-19".to_owned()],
            &series,
            Some(("±3 SE", &[Some(0.1)], &[Some(0.3)])),
            "PSI",
            "trend",
        );
        assert!(band.contains(r#"<line x1="130.0" y1="10.0" x2="130.0" y2="123.3""#), "{band}");
        // Two points or more are a line, without dots.
        let two = vec![("ret_1d".to_owned(), vec![Some(0.2), Some(0.1)])];
        assert_eq!(lines(&["a".to_owned(), "b".to_owned()], &two, "PSI", "trend").matches("<circle").count(), 0);
    }

    #[test]
    fn distribution_flags_unseen_categories() {
        let labels = vec!["a".to_owned(), "b".to_owned(), "missing".to_owned()];
        let svg = distribution(&labels, &[0.5, 0.5, 0.0], &[0.25, 0.5, 0.25], &[false, true, false], "x");
        assert_eq!(svg.matches(r#"class="ref""#).count(), 3);
        assert_eq!(svg.matches(r#"class="cur""#).count(), 3);
        assert_eq!(svg.matches("tick flagged").count(), 1);
        insta::assert_snapshot!("distribution", svg.replace("><", ">\n<"));
    }
}
