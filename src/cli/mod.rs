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
mod gallery;
mod list;
mod replay;
mod report;
mod run;
mod shrink;

use crate::models::Model;
use crate::registry::Registry;
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;
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
    /// from `main`. Sets up `RUST_LOG` tracing on stderr first (stamped with
    /// simulated time by the runner, never the wall clock).
    pub fn run(self) -> ExitCode {
        // A second subscriber (a test that already set one) is not an error.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .without_time()
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_writer(std::io::stderr)
            .try_init();
        ExitCode::from(self.run_from(std::env::args_os()))
    }

    /// Runs the command line `args` (the first is the program name) and returns the
    /// exit code: 0 every check held, 1 a check was violated, 2 bad input (also a
    /// bad command line: clap's message is printed), 3 a replay differs, 130
    /// interrupted. What a test of a user's binary calls.
    pub fn run_from<I, T>(self, args: I) -> u8
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        match Args::try_parse_from(args) {
            Ok(args) => dispatch(args.command, &self.registry),
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
struct Args {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario for one seed and print a summary.
    Run(run::RunArgs),
    /// Run one seed again, print its concrete fault schedule, and write its full trace.
    Replay(replay::ReplayArgs),
    /// Validate scenarios without running them (files, or directories of .toml files).
    Check {
        /// The scenario files, or directories whose `*.toml` files are checked.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// List the models (with roles, parameters and defaults), topologies and fault kinds.
    List {
        /// Only this model (its roles, parameters, properties, end checks and figures).
        model: Option<String>,
        /// Print the models as JSON instead.
        #[arg(long)]
        json: bool,
    },
    /// Run a scenario over many seeds in parallel (or one shard of them); aggregate.
    Sweep(crate::sweep::SweepArgs),
    /// Combine the result files of a sweep's shards into the whole sweep's aggregate.
    Merge(crate::sweep::MergeArgs),
    /// Draw one run as a timeline: a self-contained HTML page (and an SVG).
    Report(report::ReportArgs),
    /// Compare designs (files, or a --set parameter grid) on the same seeds.
    Compare(crate::compare::CompareArgs),
    /// Shrink a failing seed to the fewest, shortest faults that still fail its check.
    Shrink(shrink::ShrinkArgs),
    /// Find the highest arrival rate at which a balancing scenario meets its checks.
    Capacity(capacity::CapacityArgs),
    /// The README's gallery table from a sweep of every gallery scenario: print it,
    /// write it between the README's markers, or check the README against it.
    Gallery(gallery::GalleryArgs),
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
        Command::Check { scenarios } => check_all(&scenarios, models),
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
            "error: --trace-node, --trace-verb, --trace-from and --trace-until choose what --trace writes: give --trace FILE.jsonl".to_string(),
        ));
    }
    Ok(filter)
}

pub fn warn(scenario: &crate::scenario::Scenario) {
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
}

/// Checks every file named, and every `*.toml` in each directory named (in name
/// order), reporting each; bad input on any (exit 2) after all are checked.
fn check_all(paths: &[PathBuf], models: &Registry) -> Result<(), Failure> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| Failure::Input(format!("error: {}: {e}", path.display())))?;
            let mut tomls: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
                .collect();
            if tomls.is_empty() {
                return Err(Failure::Input(format!(
                    "error: {}: a directory with no .toml scenario files",
                    path.display()
                )));
            }
            tomls.sort();
            files.extend(tomls);
        } else {
            files.push(path.clone());
        }
    }
    let mut bad = 0;
    for file in &files {
        if let Err(e) = check(file, models) {
            if let Failure::Input(message) = e {
                eprintln!("{message}");
            }
            bad += 1;
        }
    }
    if files.len() > 1 {
        crate::outln!("{} of {} scenarios ok", files.len() - bad, files.len());
    }
    if bad > 0 {
        return Err(Failure::Input(format!(
            "error: {bad} of {} scenarios are not valid",
            files.len()
        )));
    }
    Ok(())
}

fn check(path: &std::path::Path, models: &Registry) -> Result<(), Failure> {
    let s = models.load(path)?;
    warn(&s);
    crate::outln!(
        "{}: ok — scenario {:?}, {} nodes, model {}, {} checks, hash {}",
        path.display(),
        s.name,
        s.nodes.len(),
        s.model,
        s.checks.len(),
        s.hash
    );
    Ok(())
}
