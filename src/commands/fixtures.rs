//! `nepse-drift fixtures`: writes a deterministic synthetic panel (see [`crate::synth`]).

use chrono::NaiveDate;

use crate::cli::FixturesArgs;
use crate::error::Error;
use crate::exit;
use crate::output::{self, Output, OutputError, Refusal, printable};
use crate::printer::Printer;
use crate::synth::{self, DriftSpec, PanelSpec};

/// The most symbols and rows a panel may hold: it is held in memory before it is written.
const MAX_SYMBOLS: usize = 100_000;
/// See [`MAX_SYMBOLS`].
const MAX_ROWS: usize = 200_000_000;

/// `nepse-drift fixtures --out DIR`.
///
/// # Errors
/// [`Error::FixturesSpec`] for a bad drift spec or dates, [`Error::Fixtures`] when writing fails.
pub fn fixtures(args: &FixturesArgs, out: &mut Printer<'_>) -> Result<u8, Error> {
    let drift = args.drift.as_deref().map(DriftSpec::parse).transpose().map_err(Error::FixturesSpec)?;
    if args.start > args.end {
        return Err(Error::FixturesSpec(format!("--start {} is after --end {}", args.start, args.end)));
    }
    if args.rows.is_some_and(|r| r == 0 || r > MAX_ROWS) || args.symbols == 0 || args.symbols > MAX_SYMBOLS {
        return Err(Error::FixturesSpec(format!(
            "--symbols must be in 1..={MAX_SYMBOLS} and --rows in 1..={MAX_ROWS} (a panel is held in memory before it is written)"
        )));
    }
    let symbols = match args.rows {
        Some(rows) => {
            let days = (args.end - args.start).num_days().max(1) as usize * 5 / 7;
            rows.div_ceil(days.max(1)).clamp(1, MAX_SYMBOLS)
        }
        None => args.symbols,
    };
    let spec = PanelSpec {
        seed: args.seed,
        start: args.start,
        end: args.end,
        symbols,
        drift,
        with_predictions: args.rows.is_none(),
        versions: versions(&args.model_version, &args.release)?,
        market: args.market,
    };
    if !spec.has_trading_day() {
        return Err(Error::FixturesSpec(format!(
            "--start {} to --end {} holds no trading day (NEPSE trades Sunday to Thursday, and the synthetic \
             calendar keeps its holidays): nothing to write",
            args.start, args.end
        )));
    }
    // Each output path is decided by the one rule (crate::output, `resolve_data`) before
    // anything is made; without --force an existing name is kept.
    if args.out.exists() && !args.out.is_dir() {
        return Err(OutputError::Refused { path: printable(&args.out), why: Refusal::NotADirectory }.into());
    }
    std::fs::create_dir_all(&args.out)
        .map_err(|e| Error::Output { path: printable(&args.out), detail: e.to_string() })?;
    let mut outputs = Vec::new();
    for name in spec.file_names() {
        let path = args.out.join(name);
        if !args.force && (path.exists() || path.is_symlink()) {
            return Err(Error::WouldOverwrite { path: path.display().to_string() });
        }
        outputs.push((*name, Output::resolve_data(&path)?));
    }
    let (rows, files) = synth::generate(&spec).map_err(|e| match e {
        synth::SynthError::Spec(why) => Error::FixturesSpec(why),
        synth::SynthError::Write(e) => Error::Fixtures(e),
    })?;
    // Together: a failure before the renames (a full disk, `/dev/full`) leaves every file as
    // it was (see `write_together`).
    let items: Vec<(&Output, &[u8])> = outputs
        .iter()
        .filter_map(|(name, o)| files.iter().find(|(n, _)| n == name).map(|(_, b)| (o, b.as_slice())))
        .collect();
    output::write_together(&items, &mut std::io::sink())?;
    out.print(&format!("wrote {rows} feature rows for {symbols} symbols to {}\n", args.out.display()))?;
    Ok(exit::SUCCESS)
}

/// The model versions by release day: `first` from the start, then each `DATE:VERSION`.
fn versions(first: &str, releases: &[String]) -> Result<Vec<(Option<NaiveDate>, String)>, Error> {
    if first.is_empty() {
        return Err(Error::FixturesSpec("--model-version is empty: a model version names a group".to_owned()));
    }
    let mut out = vec![(None, first.to_owned())];
    for r in releases {
        let (date, version) = r
            .split_once(':')
            .filter(|(_, v)| !v.is_empty())
            .ok_or_else(|| Error::FixturesSpec(format!("--release `{r}` is not DATE:VERSION")))?;
        let day: NaiveDate =
            date.parse().map_err(|e| Error::FixturesSpec(format!("--release `{r}`: `{date}` is not a date ({e})")))?;
        out.push((Some(day), version.to_owned()));
    }
    out[1..].sort_by_key(|(d, _)| *d);
    Ok(out)
}
