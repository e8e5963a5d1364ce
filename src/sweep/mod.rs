//! Sweeps: one scenario over many seeds, in parallel across cores (each run
//! single-threaded), optionally one shard of a range spread over machines; the
//! results file; `hasim merge` of shard files; the aggregate across seeds.
//!
//! The CLI calls [`sweep`] and [`merge`] with their clap arguments and exits with the
//! code they return: 0 every check held on every seed, 1 a seed failed (a violated
//! check, a panic, a divergence under `--check-determinism`), 2 bad input, 130
//! interrupted (after writing and aggregating what finished).
//!
//! The core, [`run_sweep`], is generic over a [`SeedRunner`] so it can be tested with
//! stand-in models (one that panics, one that is not deterministic).
//!
//! ## Map of the modules
//! - [`seeds`]: seed ranges, shards, which seeds a process runs.
//! - [`pool`]: worker threads pulling seeds from an atomic counter; results in order.
//! - [`catch`]: a panicking run becomes a failing seed with its message.
//! - [`determinism`]: `--check-determinism`, each seed twice.
//! - [`interrupt`]: Ctrl-C and SIGTERM stop the sweep cleanly.
//! - [`progress`]: the progress bar.
//! - [`output`]: the JSON-lines results file, written atomically.
//! - [`merge`]: shard files into one sweep.
//! - [`stats`]: mean, Student-t confidence interval, percentiles.
//! - [`ratios`]: ratio figures (MTTSF, MTTR) pooled as Σx/Σy across seeds.
//! - [`failure_probability`]: P_F, the share of seeds with a failure, Wilson interval.
//! - [`aggregate`]: the aggregate; [`report`]: it as a table; [`html`]: it as a page
//!   of distributions (`--report`).

pub mod aggregate;
pub mod catch;
pub mod determinism;
pub mod failure_probability;
pub mod html;
pub mod interrupt;
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
use aggregate::{Aggregate, NONDETERMINISTIC};
use indicatif::ProgressBar;
use output::Header;
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
    #[arg(long, value_name = "FILE.jsonl")]
    pub out: Option<PathBuf>,
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
    #[arg(long, value_name = "FILE.jsonl")]
    pub out: Option<PathBuf>,
    /// Print the aggregate as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML page: each figure's distribution over the
    /// seeds (histogram, ECDF, mean with its 95 % CI) and the failing seeds with their
    /// replay and report commands.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
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
    let error: Mutex<Option<(u64, String)>> = Mutex::new(None);
    let halt = AtomicBool::new(false);
    let results = pool::run_indexed(
        settings.plan.len(),
        settings.jobs,
        &|| stop.load(Ordering::Relaxed) || halt.load(Ordering::Relaxed),
        |i| {
            let seed = settings.plan.seed(i);
            let outcome = determinism::seed_result(runner, seed, settings.check_determinism);
            match &outcome {
                Ok(result) => {
                    let failed = !result.passed();
                    let so_far = failures.fetch_add(u64::from(failed), Ordering::Relaxed);
                    progress::advance(bar, so_far + u64::from(failed));
                }
                Err(message) => {
                    halt.store(true, Ordering::Relaxed);
                    let mut first = error.lock().unwrap_or_else(|p| p.into_inner());
                    // Keep the lowest seed's error, so the message does not depend on J.
                    if first.as_ref().is_none_or(|(s, _)| seed < *s) {
                        *first = Some((seed, message.clone()));
                    }
                }
            }
            outcome
        },
    );
    if let Some((seed, message)) = error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(format!("seed {seed}: {message}"));
    }
    Ok(results
        .into_iter()
        .map(|r| r.expect("errors returned above"))
        .collect())
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

/// `hasim sweep`; returns the exit code.
pub fn sweep(args: SweepArgs) -> u8 {
    sweep_or_error(args).unwrap_or_else(|message| {
        eprintln!("error: {message}");
        2
    })
}

fn sweep_or_error(args: SweepArgs) -> Result<u8, String> {
    let scenario = Scenario::load(&args.scenario).map_err(|e| e.to_string())?;
    let plan = SeedPlan {
        range: args.seeds,
        shard: args.shard,
    };
    if plan.len() > args.seeds_max {
        return Err(format!(
            "--seeds {}{} is {} seeds for this process, more than the {} allowed; pass --seeds-max {} to run them all, or split them with --shard K/N",
            args.seeds,
            args.shard.map_or(String::new(), |s| format!(" --shard {s}")),
            plan.len(),
            args.seeds_max,
            plan.len()
        ));
    }
    let settings = Settings {
        plan,
        jobs: pool::workers(args.jobs, plan.len())?,
        check_determinism: args.check_determinism,
    };
    for out in args.out.iter().chain(&args.report) {
        // Find out now, not after an hour of runs, that the results have nowhere to go.
        crate::output_paths::check(out, &[&args.scenario]).map_err(|e| e.to_string())?;
    }
    let stop = interrupt::flag();
    let bar = progress::bar(settings.plan.len(), args.quiet);
    let results = run_sweep(
        &ScenarioRuns {
            scenario: &scenario,
        },
        &settings,
        stop,
        &bar,
    );
    bar.finish_and_clear();
    let results = results?;
    let interrupted = (results.len() as u64) < settings.plan.len();
    let header = Header {
        format: output::FORMAT.to_string(),
        scenario: scenario.name.clone(),
        model: scenario.model.clone(),
        scenario_hash: scenario.hash.clone(),
        hasim_version: runner::VERSION.to_string(),
        seeds: args.seeds,
        shard: args.shard,
        runs: results.len() as u64,
        complete: !interrupted,
    };
    if let Some(out) = &args.out {
        output::write(out, &header, &results).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let agg = aggregate::aggregate(&header, &results);
    if let Some(path) = &args.report {
        let page = html::page(&agg, &results, &args.scenario.display().to_string());
        crate::atomic::write(path, page.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    print_aggregate(&agg, args.json)?;
    report_divergences(&agg);
    if interrupted {
        eprintln!(
            "interrupted: {} of {} seeds ran{}",
            results.len(),
            settings.plan.len(),
            match &args.out {
                Some(out) => format!("; their results are in {}", out.display()),
                None => String::new(),
            }
        );
        return Ok(130);
    }
    Ok(agg.exit_code())
}

fn print_aggregate(agg: &Aggregate, json: bool) -> Result<(), String> {
    if json {
        let text = serde_json::to_string_pretty(agg).map_err(|e| e.to_string())?;
        crate::outln!("{text}");
    } else {
        crate::out!("{}", report::render(agg));
    }
    Ok(())
}

/// Nondeterminism is a bug in a model or in hasim, not a property violation: say so
/// on stderr where it cannot be missed, whatever the output format.
fn report_divergences(agg: &Aggregate) {
    for f in agg.failing.iter().filter(|f| f.outcome == NONDETERMINISTIC) {
        eprintln!("NOT DETERMINISTIC: seed {}: {}", f.seed, f.reason);
        eprintln!("  {}", f.replay);
    }
}

/// `hasim merge`; returns the exit code.
pub fn merge(args: MergeArgs) -> u8 {
    merge_or_error(args).unwrap_or_else(|message| {
        eprintln!("error: {message}");
        2
    })
}

fn merge_or_error(args: MergeArgs) -> Result<u8, String> {
    if let Some(out) = &args.out {
        let inputs: Vec<&std::path::Path> = args.files.iter().map(|p| p.as_path()).collect();
        crate::output_paths::check(out, &inputs).map_err(|e| e.to_string())?;
    }
    let files = args
        .files
        .iter()
        .map(|path| Ok((path.clone(), output::read(path)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let merged = merge::merge(files)?;
    if !merged.missing.is_empty() {
        let mut gaps = merged.gaps();
        if gaps.len() > 300 {
            let cut = gaps.char_indices().nth(300).map_or(gaps.len(), |(i, _)| i);
            gaps.truncate(cut);
            gaps.push_str(" …");
        }
        let message = format!(
            "{} of the {} seeds of {} are missing: {gaps}",
            merged.missing.len(),
            merged.header.seeds.len(),
            merged.header.seeds
        );
        if !args.allow_gaps {
            return Err(format!(
                "{message}\n(run the missing shards, or pass --allow-gaps to aggregate what is there)"
            ));
        }
        eprintln!("warning: {message}");
    }
    if let Some(out) = &args.out {
        output::write(out, &merged.header, &merged.results)
            .map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let agg = aggregate::aggregate(&merged.header, &merged.results);
    print_aggregate(&agg, args.json)?;
    report_divergences(&agg);
    Ok(agg.exit_code())
}
