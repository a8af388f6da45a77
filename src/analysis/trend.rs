//! The trend of `--every`: drift and performance per step (N trading days, or NEPSE weeks) of
//! the current window, each step against the same reference and with its own significance at
//! its own length.

use super::context::{Context, window_info};
use super::error::AnalysisError;
use super::features::Profiles;
use super::grading::Grader;
use super::multivariate::Multivariate;
use crate::calendar::{steps_of, week_start, weeks_of};
use crate::result::{StepSignificance, TrendStep};
use crate::settings::Every;
use crate::windows::Window;

impl Context<'_> {
    /// Drift and performance per step of the current window. A `--every week` step that holds
    /// only part of its week's trading days (the window began inside it) is marked `partial`.
    pub(super) fn trend(
        &self,
        profiles: &Profiles,
        grader: Option<&Grader>,
        live: Option<&str>,
        multivariate: Option<&Multivariate>,
        every: Every,
    ) -> Result<Vec<TrendStep>, AnalysisError> {
        let steps = match every {
            Every::Days(n) => steps_of(&self.current.days, n),
            Every::Week => weeks_of(&self.current.days),
        };
        let mut out = Vec::with_capacity(steps.len());
        // Trading days of the current window before the step.
        let mut before = 0;
        for days in steps {
            let after = before;
            before += days.len();
            let partial = every == Every::Week
                && days.first().is_some_and(|first| {
                    self.days.iter().filter(|d| week_start(**d) == week_start(*first)).count() != days.len()
                });
            let Some(window) = Window::over(days) else { continue };
            let report = self.drift(profiles, &window)?;
            let rows = self.current_scan.count_rows(window.scan_range())?;
            let (prediction_psi, performance, estimated) = match grader {
                Some(g) => self.grade_step(g, live, &window)?,
                None => (None, None, None),
            };
            out.push(TrendStep {
                window: window_info(&window, rows, self.current_scan.path()),
                psi: report.features.iter().map(|f| (f.feature.clone(), f.psi)).collect(),
                significance: report
                    .features
                    .iter()
                    .map(|f| {
                        let s = StepSignificance {
                            critical_psi: f.critical_psi,
                            expected_psi: f.expected_psi,
                            effective_current_rows: f.effective_current_rows,
                            shift_critical_psi: f.shift_critical_psi,
                            shifted: f.shifted,
                            drifted: f.drifted,
                            within_day: f.within_day,
                        };
                        (f.feature.clone(), s)
                    })
                    .collect(),
                partial,
                prediction_psi,
                performance,
                estimated,
                multivariate: multivariate.and_then(|m| m.step(days, after)),
            });
        }
        Ok(out)
    }
}
