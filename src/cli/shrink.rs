//! `hasim shrink`: from a failing seed to a minimal schedule that fails the same check,
//! written as a scenario file that `run` and `replay` take; each phase is printed as
//! a row of a table (faults before → after).

use super::Failure;
use crate::registry::Registry;
use crate::shrink::{self, Limits, ShrinkError, Step};
use crate::{atomic, runner};
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `hasim shrink`.
#[derive(Args, Debug)]
pub struct ShrinkArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The failing seed.
    #[arg(long)]
    pub seed: u64,
    /// Where to write the shrunk scenario (default: SCENARIO-seedN-shrunk.toml in the
    /// current directory; `--output` is the older spelling).
    #[arg(
        short = 'o',
        long = "out",
        visible_alias = "output",
        value_name = "FILE.toml"
    )]
    pub output: Option<PathBuf>,
    /// The most runs the search may make.
    #[arg(long, default_value_t = 500)]
    pub runs_max: usize,
    /// Print the phases and the result as one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn row(s: &Step) -> String {
    format!(
        "  {:<17} {:>6} {:>12} {:>10} {:>6}",
        s.phase,
        s.faults,
        s.fault_time.to_string(),
        s.duration.to_string(),
        s.runs
    )
}

pub fn shrink(args: ShrinkArgs, models: &Registry) -> Result<(), Failure> {
    let scenario = models.load(&args.scenario)?;
    super::warn(&scenario);
    let text = crate::scenario::input::read_bounded(&args.scenario)
        .map_err(|e| Failure::Input(format!("error: {}: {e}", args.scenario.display())))?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.scenario, args.seed));
    crate::output_paths::check(&output, &[&args.scenario])?;
    // Ctrl-C or SIGTERM mid-search (or mid-write) quits with 130, leaving no temp file.
    crate::sweep::interrupt::quit_on_signal();
    let limits = Limits {
        runs_max: args.runs_max.max(1),
        ..Limits::default()
    };
    if !args.json {
        crate::outln!("shrinking {} seed {}", args.scenario.display(), args.seed);
        crate::outln!(
            "  {:<17} {:>6} {:>12} {:>10} {:>6}",
            "phase",
            "faults",
            "fault time",
            "duration",
            "runs"
        );
    }
    let shrunk = shrink::shrink(&scenario, args.seed, limits, |s| {
        if !args.json {
            crate::outln!("{}", row(s))
        }
    })
    .map_err(|e| match e {
        ShrinkError::Run(e) => Failure::from(e),
        other => Failure::Input(format!("error: {other}")),
    })?;
    let start = &shrunk.steps[0];
    let header = vec![
        format!(
            "Shrunk by `hasim shrink {} --seed {}` (hasim {}):",
            args.scenario.display(),
            args.seed,
            runner::VERSION
        ),
        format!(
            "{} faults -> {}, {} -> {}; still fails: {}",
            start.faults,
            shrunk.schedule.len(),
            scenario.duration,
            shrunk.duration,
            shrunk.check
        ),
    ];
    let written = shrink::write::scenario_text(
        &scenario,
        &text,
        args.seed,
        &shrunk.schedule,
        shrunk.duration,
        &header,
    )
    .map_err(|m| Failure::Input(format!("error: {m}")))?;
    atomic::write(&output, written.as_bytes())
        .map_err(|e| Failure::Input(format!("error: {}: {e}", output.display())))?;
    // Verify from the file as written: what a user replays is what was checked.
    let reread = models.load(&output)?;
    let again = runner::run(
        &reread,
        &runner::RunOptions {
            seed: args.seed,
            ..runner::RunOptions::default()
        },
    )?;
    if shrink::failing_check(&again).as_deref() != Some(shrunk.check.as_str()) {
        return Err(Failure::Input(format!(
            "error: the shrunk scenario {} no longer fails {:?} when read back; this is a bug in hasim shrink",
            output.display(),
            shrunk.check
        )));
    }
    if args.json {
        let phases: Vec<serde_json::Value> = shrunk
            .steps
            .iter()
            .map(|s| {
                serde_json::json!({
                    "phase": s.phase,
                    "faults": s.faults,
                    "fault_time": s.fault_time.to_string(),
                    "duration": s.duration.to_string(),
                    "runs": s.runs,
                })
            })
            .collect();
        let value = serde_json::json!({
            "scenario": args.scenario.display().to_string(),
            "seed": args.seed,
            "check": shrunk.check,
            "violation": again.violation,
            "phases": phases,
            "faults": shrunk.schedule.len(),
            "duration": shrunk.duration.to_string(),
            "out": output.display().to_string(),
            "replay": format!("hasim replay {} --seed {}", output.display(), args.seed),
        });
        let text = serde_json::to_string_pretty(&value)
            .map_err(|e| Failure::Input(format!("error: {e}")))?;
        crate::outln!("{text}");
        return Ok(());
    }
    crate::outln!(
        "\nstill fails: {}\n{}",
        shrunk.check,
        again.violation.as_deref().unwrap_or("")
    );
    crate::outln!(
        "wrote {}: {} faults (from {}), {} (from {})\nreplay with: hasim replay {} --seed {}",
        output.display(),
        shrunk.schedule.len(),
        start.faults,
        shrunk.duration,
        scenario.duration,
        output.display(),
        args.seed
    );
    Ok(())
}

fn default_output(scenario: &Path, seed: u64) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format!("{stem}-seed{seed}-shrunk.toml"))
}
