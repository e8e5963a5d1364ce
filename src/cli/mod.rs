//! The `hasim` command line: argument parsing (clap derive), dispatch, and the one
//! place where errors become messages and exit codes: 0 every check held, 1 a check
//! was violated, 2 bad input, 3 a replay differs from the recorded run.
//!
//! A binary is [`Cli`] with its models registered: hasim's own `main` is
//! `Cli::new().run()`, and a user's adds theirs with [`Cli::model`]. Every command
//! finds models only in the registry the `Cli` holds.
//!
//! `sweep` and `merge` live in `crate::sweep`, which reports its own errors, as do
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

use crate::models::Model;
use crate::registry::Registry;
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::process::ExitCode;

/// The `hasim` command line of a binary: every built-in model, plus the models its
/// `main` registers.
///
/// ```no_run
/// # struct MyModel;
/// # fn main() -> std::process::ExitCode {
/// // With `MyModel: hasim::Model`, a user's whole `main`:
/// hasim::cli::Cli::new() /* .model::<MyModel>() */ .run()
/// # }
/// ```
///
/// In a test, [`Cli::run_from`] takes the command line and returns the exit code:
///
/// ```
/// let cli = hasim::cli::Cli::new();
/// assert_eq!(cli.clone().run_from(["hasim", "check", "scenarios/quickstart.toml"]), 0);
/// assert_eq!(cli.run_from(["hasim", "list", "no_such_model"]), 2);
/// ```
///
/// Every subcommand (`run`, `check`, `list`, `sweep`, `replay`, `shrink`, `report`,
/// `compare`, `capacity`, `gallery`) then knows the registered models.
#[derive(Clone, Debug)]
pub struct Cli {
    registry: Registry,
}

impl Default for Cli {
    fn default() -> Self {
        Cli::new()
    }
}

impl Cli {
    /// The command line with every built-in model registered.
    pub fn new() -> Self {
        Cli::with(Registry::builtin())
    }

    /// The command line over `registry` (for instance [`Registry::empty`] and only
    /// your own models).
    pub fn with(registry: Registry) -> Self {
        Cli { registry }
    }

    /// Registers model `M`.
    ///
    /// # Panics
    /// When `M::NAME` is already taken, by a built-in model or one registered
    /// before: a programming error in the binary's `main`, so it panics the first
    /// time the binary runs (see [`Registry::try_model`] to handle it instead).
    #[must_use]
    pub fn model<M: Model>(self) -> Self {
        Cli {
            registry: self.registry.model::<M>(),
        }
    }

    /// The registry the commands use.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Parses the process's arguments and runs the command; the exit code to return
    /// from `main`.
    pub fn run(self) -> ExitCode {
        ExitCode::from(self.run_from(std::env::args_os()))
    }

    /// Runs the command line `args` (the first is the program name) and returns the
    /// exit code, after setting up `RUST_LOG` tracing on stderr (stamped with
    /// simulated time by the runner, never the wall clock; coloured as `--color`
    /// says): 0 every check held, 1 a check was violated, 2 bad input (also a
    /// bad command line: clap's message is printed), 3 a replay differs, 130
    /// interrupted. What a test of a user's binary calls.
    pub fn run_from<I, T>(self, args: I) -> u8
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        match Args::try_parse_from(args) {
            Ok(args) => {
                color::init(args.color);
                dispatch(args.command, &self.registry)
            }
            Err(e) => {
                let _ = e.print();
                if e.use_stderr() {
                    2
                } else {
                    0
                }
            }
        }
    }
}

/// Deterministic simulator for high-availability designs.
#[derive(Parser, Debug)]
#[command(name = "hasim", version, about, long_about = None)]
pub(crate) struct Args {
    /// Colour on stderr (logs, progress bars): auto colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t, global = true, value_name = "WHEN")]
    color: color::ColorChoice,
    /// What to do.
    #[command(subcommand)]
    command: Command,
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
    Sweep(crate::sweep::SweepArgs),
    /// Combine the result files of a sweep's shards into the whole sweep's aggregate.
    #[command(after_help = examples::MERGE)]
    Merge(crate::sweep::MergeArgs),
    /// Draw one run as a timeline: a self-contained HTML page (and an SVG).
    #[command(after_help = examples::REPORT)]
    Report(report::ReportArgs),
    /// Compare designs (files, or a --set parameter grid) on the same seeds.
    #[command(after_help = examples::COMPARE)]
    Compare(crate::compare::CompareArgs),
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
    SweepWorker(crate::sweep::isolate::WorkerArgs),
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

impl From<crate::scenario::ScenarioError> for Failure {
    fn from(e: crate::scenario::ScenarioError) -> Self {
        Failure::Input(format!("error: {e}"))
    }
}

impl From<crate::output_paths::OutputError> for Failure {
    fn from(e: crate::output_paths::OutputError) -> Self {
        Failure::Input(format!("error: {e}"))
    }
}

impl From<crate::runner::RunError> for Failure {
    fn from(e: crate::runner::RunError) -> Self {
        Failure::Input(format!("error: {e}"))
    }
}

/// Runs one command with the models of `models`; its exit code.
fn dispatch(command: Command, models: &Registry) -> u8 {
    let result = match command {
        Command::Run(args) => run::run(args, models),
        Command::Replay(args) => replay::replay(args, models),
        Command::Capacity(args) => capacity::capacity(args, models),
        Command::Shrink(args) => shrink::shrink(args, models),
        Command::Report(args) => report::report(args, models),
        Command::Check(args) => check::check_all(&args, models),
        Command::Completions(args) => manual::completions(args),
        Command::Man(args) => manual::man(args),
        Command::List { model, json } => match list::list(models, model.as_deref(), json) {
            Ok(text) => {
                crate::out!("{text}");
                Ok(())
            }
            Err(message) => Err(Failure::Input(message)),
        },
        // Sweeps report their own errors and may exit 130 (interrupted).
        Command::Sweep(args) => return crate::sweep::sweep(args, models),
        Command::Merge(args) => return crate::sweep::merge(args, models),
        Command::Compare(args) => return crate::compare::main(args, models),
        Command::Gallery(args) => return gallery::gallery(args, models),
        Command::SweepWorker(args) => return crate::sweep::isolate::worker(args, models),
    };
    match result {
        Ok(()) => 0,
        Err(Failure::Violated) => 1,
        Err(Failure::Input(message)) => {
            eprintln!("{message}");
            2
        }
        Err(Failure::Changed(message)) => {
            eprintln!("{message}");
            3
        }
    }
}

/// Prints the scenario's warnings (faults that cannot do anything) on stderr.
/// The `--trace-*` filter of a command on `scenario`; refused when the command writes
/// no trace (`tracing` false), since it would silently do nothing.
pub fn trace_filter(
    args: &crate::trace_filter::TraceFilterArgs,
    scenario: &crate::scenario::Scenario,
    tracing: bool,
) -> Result<crate::trace_filter::TraceFilter, Failure> {
    let filter = crate::trace_filter::TraceFilter::new(args, scenario)
        .map_err(|e| Failure::Input(format!("error: {e}")))?;
    if !tracing && !filter.is_all() {
        return Err(Failure::Input(
            "error: --trace-node, --trace-verb, --trace-from and --trace-until choose what --trace writes: give --trace FILE.jsonl (or, for replay, --print-trace)".to_string(),
        ));
    }
    Ok(filter)
}

pub fn warn(scenario: &crate::scenario::Scenario) {
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
}
