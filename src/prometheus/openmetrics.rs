//! OpenMetrics text of many results, each at its own time: what `backfill` writes for
//! `promtool tsdb create-blocks-from openmetrics`, which turns it into TSDB blocks.
//!
//! The format (OpenMetrics 1.0, as Prometheus' parser reads it):
//! - one family at a time, never interleaved: `# HELP`, `# TYPE … gauge`, then its samples;
//! - every series' samples together and in increasing time, so a series is one run of lines;
//! - a sample is `name{labels} value timestamp`, the timestamp in Unix seconds;
//! - label values and help text escape `\`, `"` and the line feed;
//! - the text ends with `# EOF`.
//!
//! The series labels are the grouping labels `run` pushes under (`job`, `model`, the extra
//! `[push.grouping]` labels), then the sample's own: the same series a Prometheus scraping the
//! Pushgateway stores (with `honor_labels`, and the gateway's empty `instance`, which is no
//! label).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::exposition::{Sample, short_number};

/// The series of one family: each label set's points, in the order they were added.
#[derive(Debug, Default)]
struct FamilySeries {
    help: &'static str,
    series: BTreeMap<String, Vec<(i64, f64)>>,
}

/// Samples of many times, gathered family by family and series by series.
#[derive(Debug, Default)]
pub struct History {
    /// Family names in the order first met.
    order: Vec<&'static str>,
    families: BTreeMap<&'static str, FamilySeries>,
    samples: usize,
}

impl History {
    /// An empty history.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the samples of one result, at `timestamp` (Unix seconds), under the grouping
    /// labels `grouping`. Results must be added in increasing time.
    pub fn add(&mut self, timestamp: i64, grouping: &[(String, String)], samples: Vec<Sample>) {
        for sample in samples {
            let family = self.families.entry(sample.name).or_insert_with(|| {
                self.order.push(sample.name);
                FamilySeries { help: sample.help, series: BTreeMap::new() }
            });
            let mut labels = String::new();
            let all = grouping.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            let own = sample.labels.iter().map(|(k, v)| (*k, v.as_str()));
            for (i, (name, value)) in all.chain(own).enumerate() {
                let sep = if i == 0 { "" } else { "," };
                let _ = write!(labels, "{sep}{name}=\"{}\"", escape(value));
            }
            family.series.entry(labels).or_default().push((timestamp, sample.value));
            self.samples += 1;
        }
    }

    /// Samples added.
    #[must_use]
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// The OpenMetrics text, ending with `# EOF`.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::new();
        for name in &self.order {
            let Some(family) = self.families.get(name) else { continue };
            let _ = writeln!(out, "# HELP {name} {}", escape(family.help));
            let _ = writeln!(out, "# TYPE {name} gauge");
            for (labels, points) in &family.series {
                for (timestamp, value) in points {
                    let braces = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
                    let _ = writeln!(out, "{name}{braces} {} {timestamp}", short_number(*value));
                }
            }
        }
        out.push_str("# EOF\n");
        out
    }
}

/// A label value or help text as OpenMetrics quotes it: `\` → `\\`, `"` → `\"`, line feed → `\n`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &'static str, labels: &[(&'static str, &str)], value: f64) -> Sample {
        Sample {
            name,
            help: "Help with a \\ and a \"quote\".",
            labels: labels.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
            value,
        }
    }

    #[test]
    fn families_are_not_interleaved_and_each_series_runs_in_time_order() {
        let grouping = vec![("job".to_owned(), "nepse_drift".to_owned()), ("model".to_owned(), "m\"1".to_owned())];
        let mut h = History::new();
        // Two days, each with two families; the second day lists its features in another order.
        h.add(
            1_000,
            &grouping,
            vec![
                sample("psi", &[("feature", "b")], 0.5),
                sample("psi", &[("feature", "a\nx")], 0.25),
                sample("acc", &[], 0.6),
            ],
        );
        h.add(
            87_400,
            &grouping,
            vec![
                sample("psi", &[("feature", "a\nx")], 1e-300),
                sample("acc", &[], 0.5),
                sample("psi", &[("feature", "b")], 2.0),
            ],
        );
        assert_eq!(h.samples(), 6);
        let expected = "\
# HELP psi Help with a \\\\ and a \\\"quote\\\".
# TYPE psi gauge
psi{job=\"nepse_drift\",model=\"m\\\"1\",feature=\"a\\nx\"} 0.25 1000
psi{job=\"nepse_drift\",model=\"m\\\"1\",feature=\"a\\nx\"} 1e-300 87400
psi{job=\"nepse_drift\",model=\"m\\\"1\",feature=\"b\"} 0.5 1000
psi{job=\"nepse_drift\",model=\"m\\\"1\",feature=\"b\"} 2 87400
# HELP acc Help with a \\\\ and a \\\"quote\\\".
# TYPE acc gauge
acc{job=\"nepse_drift\",model=\"m\\\"1\"} 0.6 1000
acc{job=\"nepse_drift\",model=\"m\\\"1\"} 0.5 87400
# EOF
";
        assert_eq!(h.render(), expected);
    }

    #[test]
    fn an_empty_history_is_just_the_end_marker() {
        assert_eq!(History::new().render(), "# EOF\n");
        let mut h = History::new();
        h.add(5, &[], vec![sample("x", &[], 1.0)]);
        assert!(h.render().contains("\nx 1 5\n"));
    }
}
