//! `hasim run`: one seed, a summary table (or JSON), and optionally a determinism
//! check that runs the seed twice and names the first diverging trace record.

use super::Failure;
use crate::registry::Registry;
use crate::report;
use crate::runner::{self, RunOptions};
use crate::scenario::Scenario;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `hasim run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Write every trace record as JSON lines to this file.
    #[arg(long, value_name = "FILE.jsonl")]
    pub trace: Option<PathBuf>,
    /// The most the `--trace` file may take (B, KB, MB, GB, KiB, MiB, GiB); a trace
    /// that would pass it is not written and the run exits 2.
    #[arg(long, value_name = "SIZE", default_value = "512MiB", value_parser = runner::parse_size)]
    pub trace_max: u64,
    #[command(flatten)]
    pub trace_filter: crate::trace_filter::TraceFilterArgs,
    /// Print the result as one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Run the seed twice and fail if the traces differ.
    #[arg(long)]
    pub check_determinism: bool,
}

/// Trace records kept and shown with a violation.
pub const TAIL: usize = 20;

pub fn run(args: RunArgs, models: &Registry) -> Result<(), Failure> {
    let scenario = models.load(&args.scenario)?;
    super::warn(&scenario);
    if let Some(trace) = &args.trace {
        crate::output_paths::check(trace, &[&args.scenario])?;
        crate::sweep::interrupt::quit_on_signal();
    }
    let opts = RunOptions {
        seed: args.seed.unwrap_or(scenario.seed),
        trace_path: args.trace.clone(),
        trace_max: Some(args.trace_max),
        trace_tail: TAIL,
        schedule: None,
        trace_filter: super::trace_filter(&args.trace_filter, &scenario, args.trace.is_some())?,
    };
    if args.check_determinism {
        determinism(&scenario, &opts)?;
    }
    let result = runner::run(&scenario, &opts)?;
    if args.json {
        let line = serde_json::to_string_pretty(&result)
            .map_err(|e| Failure::Input(format!("error: cannot print JSON: {e}")))?;
        crate::outln!("{line}");
    } else {
        crate::out!("{}", report::summary(&scenario, &result));
    }
    if result.passed() {
        Ok(())
    } else {
        Err(Failure::Violated)
    }
}

/// Runs the seed twice; fails loudly at the first differing record.
pub fn determinism(scenario: &Scenario, opts: &RunOptions) -> Result<(), Failure> {
    match runner::check_determinism(scenario, opts)? {
        None => {
            eprintln!(
                "determinism: seed {} ran twice with identical traces",
                opts.seed
            );
            Ok(())
        }
        Some(d) => {
            eprintln!(
                "NOT DETERMINISTIC: seed {} of {}: the two runs first differ at trace record #{}\n  first run:  {}\n  second run: {}",
                opts.seed,
                scenario.path.display(),
                d.index,
                d.first.as_deref().unwrap_or("(run had ended)"),
                d.second.as_deref().unwrap_or("(run had ended)")
            );
            Err(Failure::Violated)
        }
    }
}
