//! `hasim replay`: the same run as `hasim run` for one seed, with its concrete fault
//! schedule printed (in the schedule-file format, so it can be edited and fed back
//! with `--schedule`), and the trace only when asked: to a file (`--trace`) or,
//! human-readable, to stderr (`--print-trace`). A long run's trace is tens of
//! thousands of lines, too many to print unasked.
//!
//! `--expect-hash` and `--expect-trace-hash` turn a replay into an assertion: a
//! scenario file or a trace that differs from the recording ends with exit code 3
//! (after the summary), so CI can tell "the run changed" (3) from "a check failed" (1).

use super::Failure;
use crate::registry::Registry;
use crate::runner::{self, RunOptions, VERSION};
use crate::scenario::Scenario;
use crate::{report, schedule};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `hasim replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The seed to replay.
    #[arg(long)]
    pub seed: u64,
    /// Replay this (possibly edited) schedule instead of the generated one.
    #[arg(long, value_name = "FILE")]
    pub schedule: Option<PathBuf>,
    /// Write the trace as JSON lines here.
    #[arg(long, value_name = "FILE.jsonl")]
    pub trace: Option<PathBuf>,
    /// Print the trace, human-readable, to stderr (the --trace-* filters apply).
    #[arg(long, conflicts_with = "trace")]
    pub print_trace: bool,
    /// The most the `--trace` file may take; a longer trace is not written (exit 2).
    #[arg(long, value_name = "SIZE", default_value = "512MiB", value_parser = runner::parse_size)]
    pub trace_max: u64,
    #[command(flatten)]
    pub trace_filter: crate::trace_filter::TraceFilterArgs,
    /// The hasim version that produced the replay command; warns if it differs.
    #[arg(long, value_name = "VERSION")]
    pub expect_version: Option<String>,
    /// The scenario hash that produced the replay command; a different file exits 3.
    #[arg(long, value_name = "HASH", value_parser = hash16)]
    pub expect_hash: Option<String>,
    /// The trace hash the run must give (from a summary or a sweep's results); a
    /// different trace exits 3.
    #[arg(long, value_name = "HASH", value_parser = hash16)]
    pub expect_trace_hash: Option<String>,
}

/// A hash as summaries print it: 16 hex digits (compared in lower case).
fn hash16(text: &str) -> Result<String, String> {
    if text.len() == 16 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(format!(
            "{text:?}: expected 16 hex digits, as the summary's `trace hash` and `scenario hash` print"
        ))
    }
}

pub fn replay(args: ReplayArgs, models: &Registry) -> Result<(), Failure> {
    let scenario = models.load(&args.scenario)?;
    super::warn(&scenario);
    if let Some(trace) = &args.trace {
        let mut inputs = vec![args.scenario.as_path()];
        inputs.extend(args.schedule.as_deref());
        crate::output_paths::check(trace, &inputs)?;
        crate::sweep::interrupt::quit_on_signal();
    }
    if let Some(v) = &args.expect_version {
        if v != VERSION {
            eprintln!("warning: this run was recorded with hasim {v}; this is hasim {VERSION}, so the replay may differ");
        }
    }
    // Both mismatches are reported after the summary: what the run did now is what
    // a user needs to see beside them.
    let mut changed = Vec::new();
    if let Some(h) = &args.expect_hash {
        if h != &scenario.hash {
            changed.push(format!(
                "error: {} has changed since the run was recorded: scenario hash {}, expected {h}",
                args.scenario.display(),
                scenario.hash
            ));
        }
    }
    let schedule = match &args.schedule {
        Some(path) => schedule::load(path, &scenario)?,
        None => scenario.schedule(args.seed),
    };
    crate::outln!("{}", schedule::to_toml(&scenario, args.seed, &schedule));
    let opts = RunOptions {
        seed: args.seed,
        trace_path: args.trace.clone(),
        trace_max: Some(args.trace_max),
        trace_tail: super::run::TAIL,
        schedule: Some(schedule),
        // --print-trace sends the trace to stderr, filtered the same way.
        trace_filter: super::trace_filter(
            &args.trace_filter,
            &scenario,
            args.trace.is_some() || args.print_trace,
        )?,
    };
    if args.print_trace {
        stderr_trace(&scenario, &opts)?;
    }
    let mut result = runner::run(&scenario, &opts)?;
    result.replay = runner::replay_command_with(&scenario, args.seed, args.schedule.as_deref());
    crate::out!("{}", report::summary(&scenario, &result));
    if let Some(h) = &args.expect_trace_hash {
        if h != &result.trace_hash {
            changed.push(format!(
                "error: the replay of seed {} gave trace hash {}, expected {h}: the run changed",
                args.seed, result.trace_hash
            ));
        }
    }
    if !changed.is_empty() {
        return Err(Failure::Changed(changed.join("\n")));
    }
    if result.passed() {
        Ok(())
    } else {
        Err(Failure::Violated)
    }
}

/// Writes the human-readable trace to stderr by running once with a printing sink.
fn stderr_trace(scenario: &Scenario, opts: &RunOptions) -> Result<(), Failure> {
    let records = runner::trace_records(scenario, opts)?;
    let mut err = std::io::stderr().lock();
    use std::io::Write;
    for r in records.iter().filter(|r| opts.trace_filter.keeps(r)) {
        let _ = writeln!(err, "{r}");
    }
    Ok(())
}
