//! `report --html` in a real browser: headless Chromium loads the drifted fixtures' report from
//! disk, and the test checks the DOM (sections, one chart pair per feature), that the page logged
//! no console message and made no network request, and that the screenshot is not blank. A
//! control page with a console error and a remote image proves the checks can fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::tools::CHROMIUM;
use crate::util::{Fixtures, fixtures_report};

/// What Chromium saw of a page.
struct Visit {
    dom: String,
    stderr: String,
    /// URLs in the network log that are not Chromium's own background services.
    page_requests: Vec<String>,
    screenshot: PathBuf,
}

/// `page` visited by headless Chromium, with `work` as its scratch directory; `None` when
/// Chromium is not installed (the test is skipped).
fn chromium(page: &Path, work: &Path) -> Option<Visit> {
    let chromium = CHROMIUM.find()?;
    let netlog = work.join("netlog.json");
    let screenshot = work.join("screenshot.png");
    let url = format!("file://{}", page.display());
    let common_args = |profile: &str| -> Vec<String> {
        [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .chain([format!("--user-data-dir={}", work.join(profile).display())])
        .collect()
    };
    let out = Command::new(&chromium)
        .args(common_args("dom"))
        .arg(format!("--log-net-log={}", netlog.display()))
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium --dump-dom failed: {}", String::from_utf8_lossy(&out.stderr));
    let shot = Command::new(&chromium)
        .args(common_args("shot"))
        .args(["--window-size=1280,2000", &format!("--screenshot={}", screenshot.display()), &url])
        .output()
        .unwrap();
    assert!(shot.status.success(), "chromium --screenshot failed: {}", String::from_utf8_lossy(&shot.stderr));
    let log = std::fs::read_to_string(&netlog).unwrap();
    let internal = ["google.com/", "googleapis.com/", "gvt1.com/", "gstatic.com/"];
    let page_requests = log
        .split("\"url\":\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|u| !u.starts_with("file://") && !u.starts_with("data:") && !internal.iter().any(|h| u.contains(h)))
        .map(str::to_owned)
        .collect();
    Some(Visit {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        page_requests,
        screenshot,
    })
}

/// Share of pixels that are not (near) white, and the number of distinct colours.
fn ink(png_path: &Path) -> (f64, usize) {
    let decoder = png::Decoder::new(std::fs::File::open(png_path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let inked = pixels.iter().filter(|p| p[..3].iter().any(|c| *c < 235)).count();
    let mut colours: Vec<[u8; 3]> = pixels.iter().map(|p| [p[0], p[1], p[2]]).collect();
    colours.sort_unstable();
    colours.dedup();
    (inked as f64 / pixels.len() as f64, colours.len())
}

fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn html_report_of_the_drifted_fixtures_renders_offline_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("report.html");
    let (code, _, err) = fixtures_report(
        Fixtures::All,
        "2026-11-19",
        &["--every", "week", "--by", "sector", "--html", &page.display().to_string()],
    );
    assert_eq!(code, 0, "{err}");
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(size < 2_000_000, "self-contained and small: {size} bytes");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("src=") && !html.contains("href="), "nothing to fetch");
    assert!(html.contains("default-src 'none'"));

    let Some(visit) = chromium(&page, tmp.path()) else { return };
    assert_eq!(console_lines(&visit.stderr), Vec::<&str>::new(), "no console messages");
    assert_eq!(visit.page_requests, Vec::<String>::new(), "no network requests from the page");
    for id in ["summary", "psi-overview", "performance", "trend", "sectors", "features"] {
        assert!(visit.dom.contains(&format!("<section id=\"{id}\"")), "section {id} missing");
    }
    // One section per feature plus predicted_proba, each with its distribution and contribution chart.
    // Estimated next to realized, the concept-drift call, and the trend's band under both lines.
    assert!(visit.dom.contains("<table class=\"estimated\">"), "estimate table");
    assert!(visit.dom.contains("class=\"concept-drift detected\""), "concept drift shown");
    let chart = visit.dom.find("class=\"chart trend-estimated\"").expect("estimated accuracy chart");
    let chart = &visit.dom[chart..visit.dom[chart..].find("</svg>").unwrap() + chart];
    assert_eq!(chart.matches("<polygon").count(), 1, "the band");
    assert_eq!(chart.matches("<polyline").count(), 2, "estimated and realized");
    assert_eq!(visit.dom.matches("<section class=\"feature\"").count(), 12);
    assert_eq!(visit.dom.matches("class=\"chart distribution\"").count(), 12 + 1, "plus the sector mix");
    assert_eq!(visit.dom.matches("class=\"chart contribution\"").count(), 12);
    let badge = |f: &str| {
        let start = visit.dom.find(&format!("id=\"feature-{f}\"")).unwrap();
        visit.dom[start..start + 300].contains("badge drifted")
    };
    assert!(badge("log_turnover_npr"), "log_turnover_npr marked drifted");
    assert!(!badge("rsi_14"), "rsi_14 inside its short history's bound: not marked");
    // The summary names PSI levels as sizes, never as the test's call (issue 26).
    assert!(visit.dom.contains("large PSI") && visit.dom.contains("(a size, not a test)"));
    let (share, colours) = ink(&visit.screenshot);
    assert!(share > 0.05 && colours > 20, "screenshot looks blank: {share:.3} inked, {colours} colours");
}

#[test]
fn the_browser_checks_catch_console_errors_and_requests() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("bad.html");
    std::fs::write(
        &page,
        r#"<html><body><script>console.error("boom")</script><img src="http://example.invalid/x.png"></body></html>"#,
    )
    .unwrap();
    let Some(visit) = chromium(&page, tmp.path()) else { return };
    assert!(console_lines(&visit.stderr).iter().any(|l| l.contains("boom")), "{}", visit.stderr);
    assert!(visit.page_requests.iter().any(|u| u.contains("example.invalid")), "{:?}", visit.page_requests);
    let (share, _) = ink(&visit.screenshot);
    assert!(share < 0.01, "an empty page is blank: {share}");
}
