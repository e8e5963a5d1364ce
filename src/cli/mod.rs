//! The `hasim` command line: argument parsing (clap derive), dispatch, and the one
//! place where errors become messages and exit codes: 0 every check held, 1 a check
//! was violated, 2 bad input, 3 a replay differs from the recorded run.
//!
//! `sweep` and `merge` live in `hasim::sweep`, which reports its own errors, as do
//! `compare` and `gallery` (exit code 130 when interrupted).

mod capacity;
mod check;
mod color;
mod examples;
mod gallery;
mod list;
mod manual;
mod replay;
mod report;
mod run;
mod shrink;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Deterministic simulator for high-availability designs.
#[derive(Parser, Debug)]
#[command(name = "hasim", version, about, long_about = None)]
pub struct Cli {
    /// Colour on stderr (logs, progress bars): auto colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t, global = true, value_name = "WHEN")]
    pub color: color::ColorChoice,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario for one seed and print a summary.
    #[command(after_help = examples::RUN)]
    Run(run::RunArgs),
    /// Run one seed again and print its concrete fault schedule (and, when asked, its trace).
    #[command(after_help = examples::REPLAY)]
    Replay(replay::ReplayArgs),
    /// Validate scenarios without running them (files, or directories of .toml files).
    #[command(after_help = examples::CHECK)]
    Check(check::CheckArgs),
    /// List the models (with roles, parameters and defaults), topologies and fault kinds.
    #[command(after_help = examples::LIST)]
    List {
        /// Only this model (its roles, parameters, properties, end checks and figures).
        model: Option<String>,
        /// Print the models as JSON instead.
        #[arg(long)]
        json: bool,
    },
    /// Run a scenario over many seeds in parallel (or one shard of them); aggregate.
    #[command(after_help = examples::SWEEP)]
    Sweep(hasim::sweep::SweepArgs),
    /// Combine the result files of a sweep's shards into the whole sweep's aggregate.
    #[command(after_help = examples::MERGE)]
    Merge(hasim::sweep::MergeArgs),
    /// Draw one run as a timeline: a self-contained HTML page (and an SVG).
    #[command(after_help = examples::REPORT)]
    Report(report::ReportArgs),
    /// Compare designs (files, or a --set parameter grid) on the same seeds.
    #[command(after_help = examples::COMPARE)]
    Compare(hasim::compare::CompareArgs),
    /// Shrink a failing seed to the fewest, shortest faults that still fail its check.
    #[command(after_help = examples::SHRINK)]
    Shrink(shrink::ShrinkArgs),
    /// Find the highest arrival rate at which a balancing scenario meets its checks.
    #[command(after_help = examples::CAPACITY)]
    Capacity(capacity::CapacityArgs),
    /// The README's gallery table from a sweep of every gallery scenario: print it,
    /// write it between the README's markers, or check the README against it.
    #[command(after_help = examples::GALLERY)]
    Gallery(gallery::GalleryArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = examples::COMPLETIONS)]
    Completions(manual::CompletionsArgs),
    /// Print the man page (roff), every subcommand included.
    #[command(after_help = examples::MAN)]
    Man(manual::ManArgs),
    /// The worker process of `sweep --isolate` (not for direct use).
    #[command(hide = true)]
    SweepWorker(hasim::sweep::isolate::WorkerArgs),
}

/// A failure, classified by exit code.
#[derive(Debug)]
pub enum Failure {
    /// Bad input (exit 2): a bad scenario, argument or file.
    Input(String),
    /// A check was violated or a run was not deterministic (exit 1).
    Violated,
    /// A replay is not the recorded run (exit 3): the scenario file or the trace
    /// hash differs from what `--expect-hash` / `--expect-trace-hash` asserted.
    Changed(String),
}

impl From<hasim::scenario::ScenarioError> for Failure {
    fn from(e: hasim::scenario::ScenarioError) -> Self {
        Failure::Input(format!("error: {e}"))
    }
}

impl From<hasim::output_paths::OutputError> for Failure {
    fn from(e: hasim::output_paths::OutputError) -> Self {
        Failure::Input(format!("error: {e}"))
    }
}

impl From<hasim::runner::RunError> for Failure {
    fn from(e: hasim::runner::RunError) -> Self {
        Failure::Input(format!("error: {e}"))
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    color::init(cli.color);
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Replay(args) => replay::replay(args),
        Command::Capacity(args) => capacity::capacity(args),
        Command::Shrink(args) => shrink::shrink(args),
        Command::Report(args) => report::report(args),
        Command::Check(args) => check::check_all(&args),
        Command::Completions(args) => manual::completions(args),
        Command::Man(args) => manual::man(args),
        Command::List { model, json } => match list::list(model.as_deref(), json) {
            Ok(text) => {
                hasim::out!("{text}");
                Ok(())
            }
            Err(message) => Err(Failure::Input(message)),
        },
        // Sweeps report their own errors and may exit 130 (interrupted).
        Command::Sweep(args) => return ExitCode::from(hasim::sweep::sweep(args)),
        Command::Merge(args) => return ExitCode::from(hasim::sweep::merge(args)),
        Command::Compare(args) => return ExitCode::from(hasim::compare::main(args)),
        Command::Gallery(args) => return ExitCode::from(gallery::gallery(args)),
        Command::SweepWorker(args) => return ExitCode::from(hasim::sweep::isolate::worker(args)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Violated) => ExitCode::from(1),
        Err(Failure::Input(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
        Err(Failure::Changed(message)) => {
            eprintln!("{message}");
            ExitCode::from(3)
        }
    }
}

/// Prints the scenario's warnings (faults that cannot do anything) on stderr.
/// The `--trace-*` filter of a command on `scenario`; refused when the command writes
/// no trace (`tracing` false), since it would silently do nothing.
pub fn trace_filter(
    args: &hasim::trace_filter::TraceFilterArgs,
    scenario: &hasim::scenario::Scenario,
    tracing: bool,
) -> Result<hasim::trace_filter::TraceFilter, Failure> {
    let filter = hasim::trace_filter::TraceFilter::new(args, scenario)
        .map_err(|e| Failure::Input(format!("error: {e}")))?;
    if !tracing && !filter.is_all() {
        return Err(Failure::Input(
            "error: --trace-node, --trace-verb, --trace-from and --trace-until choose what --trace writes: give --trace FILE.jsonl (or, for replay, --print-trace)".to_string(),
        ));
    }
    Ok(filter)
}

pub fn warn(scenario: &hasim::scenario::Scenario) {
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
}
