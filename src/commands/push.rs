//! `nepse-drift push --result FILE`: re-pushes a result that `run` saved, exactly: every group
//! `run` pushed (the live model's and one per other model version).

use crate::cli::PushArgs;
use crate::error::Error;
use crate::exit;
use crate::printer::Printer;
use crate::prometheus::exposition;
use crate::settings::{self, ProcessEnv, PushSettings};
use crate::store::{self, StoreError};

/// `nepse-drift push --result FILE`.
///
/// # Errors
/// [`Error::Store`] for an unreadable file, [`Error::Push`] when the push fails.
pub fn push(args: &PushArgs, out: &mut Printer<'_>) -> Result<u8, Error> {
    let file = settings::load_file(&args.config)?;
    let push_settings = PushSettings::resolve(&file, args.push_url.as_deref(), &ProcessEnv)?;
    let result = store::read(&args.result)?;
    if result.run.is_none() {
        // A `report` result: pushing it would replace the group without the job's health
        // gauges (the last-success time would vanish).
        return Err(StoreError::Read {
            path: args.result.display().to_string(),
            detail: "not a `run` result (its `run` is null: written by `report`)".into(),
        }
        .into());
    }
    // Every group `run` pushed: the live model's and one per other model version.
    // A number no run computes or a label no run writes (an edited or corrupted file) is
    // refused, naming the file.
    let groups = exposition::groups(&result).map_err(|e| match e {
        bad @ (exposition::MetricsError::Implausible { .. }
        | exposition::MetricsError::InvalidLabelValue { .. }
        | exposition::MetricsError::Duplicate(_)) => {
            Error::from(StoreError::Read { path: args.result.display().to_string(), detail: bad.to_string() })
        }
        other => other.into(),
    })?;
    if push_settings.url.is_none() || args.dry_run {
        out.print(&exposition::dry_run_text(&groups))?;
        return Ok(exit::SUCCESS);
    }
    super::run::push_groups(&push_settings, &groups, true)?;
    tracing::info!(groups = groups.len(), result = %args.result.display(), "re-pushed saved result");
    Ok(exit::SUCCESS)
}
