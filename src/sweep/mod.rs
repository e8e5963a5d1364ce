//! Sweeps: one scenario over many seeds, in parallel across cores (each run
//! single-threaded), optionally one shard of a range spread over machines; the
//! results file; `hasim merge` of shard files; the aggregate across seeds.
//!
//! The CLI calls [`sweep`] and [`merge`] with their clap arguments and exits with the
//! code they return: 0 every check held on every seed, 1 a seed failed (a violated
//! check, a panic, a divergence under `--check-determinism`), 2 bad input, 130
//! interrupted (after writing and aggregating what finished).
//!
//! The core, [`run_seeds`] (and [`run_sweep`], which collects its results), is
//! generic over a [`SeedRunner`] so it can be tested with stand-in models (one that
//! panics, one that is not deterministic).
//!
//! ## Map of the modules
//! - [`seeds`]: seed ranges, shards, which seeds a process runs.
//! - [`pool`]: worker threads pulling seeds from an atomic counter; results in order.
//! - [`catch`]: a panicking run becomes a failing seed with its message.
//! - [`determinism`]: `--check-determinism`, each seed twice.
//! - [`interrupt`]: Ctrl-C and SIGTERM stop the sweep cleanly.
//! - [`isolate`]: `--isolate`, each seed in a worker process that may crash.
//! - [`progress`]: the progress bar.
//! - [`journal`]: each result appended as it finishes, for `--resume` after a kill.
//! - [`output`]: the JSON-lines results file, written atomically.
//! - [`merge`]: shard files into one sweep.
//! - [`stats`]: mean, Student-t confidence interval, percentiles.
//! - [`ratios`]: ratio figures (MTTSF, MTTR) pooled as Σx/Σy across seeds.
//! - [`failure_probability`]: P_F, the share of seeds with a failure, Wilson interval.
//! - [`aggregate`]: the aggregate; [`accumulate`]: it built seed by seed, in bounded
//!   memory; [`report`]: it as a table; [`html`]: it as a page of distributions
//!   (`--report`).
//! - `command`: the `sweep` and `merge` commands, putting these together.

pub mod accumulate;
pub mod aggregate;
pub mod catch;
mod command;
pub mod determinism;
pub mod failure_probability;
pub mod html;
pub mod interrupt;
pub mod isolate;
pub mod journal;
pub mod merge;
pub mod output;
pub mod pool;
pub mod progress;
pub mod ratios;
pub mod report;
pub mod seeds;
pub mod stats;

use crate::runner::{self, RunOptions, RunResult};
use crate::scenario::Scenario;
pub use command::{merge, sweep};
use indicatif::ProgressBar;
use seeds::{SeedPlan, SeedRange, Shard};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// `hasim sweep`: run a scenario over a range of seeds.
#[derive(clap::Args, Debug, Clone)]
pub struct SweepArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The seeds: `A..B` (B excluded), `A..=B`, or a single seed `N`.
    #[arg(long, value_name = "A..B")]
    pub seeds: SeedRange,
    /// Worker threads, one run each [default: all cores]; never more than the cores or
    /// the seeds (a note says so).
    #[arg(long, short, value_name = "J")]
    pub jobs: Option<usize>,
    /// The most seeds this process may run (after --shard): a typo such as
    /// `0..18446744073709551615` is refused instead of running for ever.
    #[arg(long, value_name = "N", default_value_t = SEEDS_MAX)]
    pub seeds_max: u64,
    /// Run only shard K of N of the seeds (K from 1): those whose offset in the range
    /// is K−1 modulo N. Merge the shards' files with `hasim merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Write every run's result to this JSON-lines file (sorted by seed, atomically).
    /// While the sweep runs, results are appended to its journal FILE.jsonl.partial.
    #[arg(short = 'o', long, value_name = "FILE.jsonl")]
    pub out: Option<PathBuf>,
    /// Continue an interrupted sweep from the journal beside --out (FILE.jsonl.partial):
    /// the seeds it holds are not run again, and FILE and the aggregate come out as an
    /// uninterrupted sweep's. With no journal there, every seed runs.
    #[arg(long, requires = "out")]
    pub resume: bool,
    /// Print the aggregate as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML page: each figure's distribution over the
    /// seeds (histogram, ECDF, mean with its 95 % CI) and the failing seeds with their
    /// replay and report commands.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run every seed twice and fail, naming the first diverging trace record, if the
    /// two runs differ.
    #[arg(long)]
    pub check_determinism: bool,
    /// Run the seeds in worker processes: a run that kills its process (an abort, a
    /// stack overflow, out of memory) is a `crashed` seed and the sweep goes on.
    #[arg(long)]
    pub isolate: bool,
}

/// The default `--seeds-max`: a million seeds per process, hours of the bundled models.
pub const SEEDS_MAX: u64 = 1_000_000;

/// `hasim merge`: combine shard result files into the aggregate of the whole sweep.
#[derive(clap::Args, Debug, Clone)]
pub struct MergeArgs {
    /// The shard files (`hasim sweep --shard K/N --out FILE`), in any order.
    #[arg(required = true, value_name = "SHARD.jsonl")]
    pub files: Vec<PathBuf>,
    /// Write the merged results (the same bytes the unsharded sweep writes).
    #[arg(short = 'o', long, value_name = "FILE.jsonl")]
    pub out: Option<PathBuf>,
    /// Print the aggregate as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Aggregate even if seeds of the range are missing (the gaps are still reported).
    #[arg(long)]
    pub allow_gaps: bool,
}

/// One seed's run as the sweep sees it: the scenario runner in the CLI, stand-in
/// models in tests.
pub trait SeedRunner: Sync {
    /// Runs `seed`. `Err` means the run could not be carried out at all (the model
    /// refused its configuration): bad input, which stops the sweep.
    fn run(&self, seed: u64) -> Result<RunResult, String>;
    /// The result recorded for a seed that produced none of its own (it panicked):
    /// the scenario's identity and the replay command, nothing measured.
    fn blank(&self, seed: u64) -> RunResult;
    /// Where two runs of `seed` first differ, in words, for `--check-determinism`;
    /// `None` when the runner cannot tell (or they agreed this time).
    fn locate_divergence(&self, _seed: u64) -> Option<String> {
        None
    }
}

/// How a sweep runs.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// The seeds.
    pub plan: SeedPlan,
    /// Worker threads.
    pub jobs: usize,
    /// Run each seed twice and compare.
    pub check_determinism: bool,
}

/// Runs the seeds of `settings.plan` until done or `stop` is set. Returns the results
/// of the seeds that finished, sorted by seed (a prefix of the plan), or the first
/// error that made a run impossible.
pub fn run_sweep(
    runner: &impl SeedRunner,
    settings: &Settings,
    stop: &AtomicBool,
    bar: &ProgressBar,
) -> Result<Vec<RunResult>, String> {
    let failures = AtomicU64::new(0);
    let finished = Mutex::new(Vec::new());
    run_seeds(runner, settings, &|_| false, stop, &|i, result| {
        let failed = u64::from(!result.passed());
        progress::advance(bar, failures.fetch_add(failed, Ordering::Relaxed) + failed);
        finished
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((i, result));
        Ok(())
    })?;
    let mut finished = finished.into_inner().unwrap_or_else(|p| p.into_inner());
    finished.sort_unstable_by_key(|&(i, _)| i);
    Ok(finished.into_iter().map(|(_, r)| r).collect())
}

/// Where each finished seed's result goes: `(index in the plan, result)`. An `Err`
/// (the journal could not be written) stops the sweep like a run that could not be
/// carried out.
pub type Sink<'a> = dyn Fn(u64, RunResult) -> Result<(), String> + Sync + 'a;

/// Runs the seeds of `settings.plan` that are not `done` (by index) until all have
/// run or `stop` is set, handing each result to `sink` as it finishes (in any order),
/// keeping none. The indices run are a prefix of those not `done`. Returns the first
/// error: of the lowest seed whose run was impossible, or of the sink.
pub fn run_seeds(
    runner: &impl SeedRunner,
    settings: &Settings,
    done: &(dyn Fn(u64) -> bool + Sync),
    stop: &AtomicBool,
    sink: &Sink<'_>,
) -> Result<(), String> {
    let result_of = |seed| determinism::seed_result(runner, seed, settings.check_determinism);
    run_seed_results(settings, done, stop, &result_of, sink)
}

/// [`run_seeds`] with each seed's result from `result_of` (in this process, or in a
/// worker process under `--isolate`); `Err` is a run that could not be carried out.
pub fn run_seed_results(
    settings: &Settings,
    done: &(dyn Fn(u64) -> bool + Sync),
    stop: &AtomicBool,
    result_of: &(dyn Fn(u64) -> Result<RunResult, String> + Sync),
    sink: &Sink<'_>,
) -> Result<(), String> {
    let error: Mutex<Option<(u64, String)>> = Mutex::new(None);
    let halt = AtomicBool::new(false);
    let fail = |seed: u64, message: String| {
        halt.store(true, Ordering::Relaxed);
        let mut first = error.lock().unwrap_or_else(|p| p.into_inner());
        // Keep the lowest seed's error, so the message does not depend on J.
        if first.as_ref().is_none_or(|(s, _)| seed < *s) {
            *first = Some((seed, message));
        }
    };
    pool::for_each_index(
        settings.plan.len(),
        settings.jobs,
        &|| stop.load(Ordering::Relaxed) || halt.load(Ordering::Relaxed),
        |i| {
            if done(i) {
                return;
            }
            let seed = settings.plan.seed(i);
            match result_of(seed) {
                Ok(result) => {
                    if let Err(message) = sink(i, result) {
                        fail(seed, message);
                    }
                }
                Err(message) => fail(seed, format!("seed {seed}: {message}")),
            }
        },
    );
    match error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some((_, message)) => Err(message),
        None => Ok(()),
    }
}

/// The scenario runner as a [`SeedRunner`].
pub(crate) struct ScenarioRuns<'a> {
    pub(crate) scenario: &'a Scenario,
}

impl SeedRunner for ScenarioRuns<'_> {
    fn run(&self, seed: u64) -> Result<RunResult, String> {
        let opts = RunOptions {
            seed,
            ..RunOptions::default()
        };
        runner::run(self.scenario, &opts).map_err(|e| e.to_string())
    }

    fn blank(&self, seed: u64) -> RunResult {
        RunResult {
            scenario: self.scenario.name.clone(),
            scenario_hash: self.scenario.hash.clone(),
            hasim_version: runner::VERSION.to_string(),
            seed,
            outcome: String::new(),
            sim_time_s: 0.0,
            events: 0,
            trace_hash: String::new(),
            figures: Default::default(),
            checks: Vec::new(),
            violation: None,
            trace_tail: Vec::new(),
            replay: runner::replay_command(self.scenario, seed),
        }
    }

    fn locate_divergence(&self, seed: u64) -> Option<String> {
        let opts = RunOptions {
            seed,
            ..RunOptions::default()
        };
        match runner::check_determinism(self.scenario, &opts) {
            Ok(Some(d)) => Some(format!(
                "first diverging trace record #{}:\n  first run:  {}\n  second run: {}",
                d.index,
                d.first.as_deref().unwrap_or("(the run had ended)"),
                d.second.as_deref().unwrap_or("(the run had ended)")
            )),
            Ok(None) => None,
            Err(e) => Some(format!("the runs could not be repeated: {e}")),
        }
    }
}
