//! The `hasim sweep` and `hasim merge` commands: the seeds run through the pool into
//! the journal (with `--out`) or straight into the aggregate, the results file written
//! in seed order, the aggregate printed, the exit code chosen.

use super::accumulate::{Accumulator, InSeedOrder};
use super::aggregate::{self, Aggregate, NONDETERMINISTIC};
use super::isolate::Isolated;
use super::journal::{self, Identity, Journal};
use super::output::{self, Header};
use super::seeds::SeedPlan;
use super::{
    determinism, html, interrupt, merge as shards, pool, progress, report, run_seed_results,
};
use super::{MergeArgs, ScenarioRuns, Settings, SweepArgs};
use crate::models::{Lookup, ModelEntry};
use crate::registry::Registry;
use crate::runner;
use crate::runner::RunResult;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// `hasim sweep`; returns the exit code.
pub fn sweep(args: SweepArgs, models: &Registry) -> u8 {
    sweep_or_error(args, models).unwrap_or_else(|message| {
        eprintln!("error: {message}");
        2
    })
}

fn sweep_or_error(args: SweepArgs, models: &Registry) -> Result<u8, String> {
    let scenario = models.load(&args.scenario).map_err(|e| e.to_string())?;
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
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
    // Find out now, not after an hour of runs, that the results have nowhere to go
    // (or would overwrite one another).
    let journal = args.out.as_deref().map(journal::path_for);
    let outputs: Vec<&std::path::Path> = args
        .out
        .as_deref()
        .into_iter()
        .chain(journal.as_deref())
        .chain(args.report.as_deref())
        .collect();
    crate::output_paths::check_all(&outputs, &[args.scenario.as_path()])
        .map_err(|e| e.to_string())?;
    let stop = interrupt::flag();
    let started = Stopwatch::start();
    let bar = progress::bar(settings.plan.len(), args.quiet);
    let runs = ScenarioRuns {
        scenario: &scenario,
    };
    let isolated = args
        .isolate
        .then(|| Isolated::new(&scenario, args.scenario.clone(), args.check_determinism));
    let result_of = |seed| -> Result<RunResult, String> {
        match &isolated {
            Some(workers) => workers.seed_result(seed),
            None => determinism::seed_result(&runs, seed, args.check_determinism),
        }
    };
    let header = |runs: u64| Header {
        format: output::FORMAT.to_string(),
        scenario: scenario.name.clone(),
        model: scenario.model.clone(),
        scenario_hash: scenario.hash.clone(),
        hasim_version: runner::VERSION.to_string(),
        seeds: args.seeds,
        shard: args.shard,
        runs,
        complete: runs == plan.len(),
    };
    // Seeds a resumed journal already held did not run in this process.
    let mut resumed = 0;
    let (agg, ran, values) = match &args.out {
        Some(out) => {
            let identity = Identity {
                format: journal::FORMAT.to_string(),
                scenario: scenario.name.clone(),
                scenario_hash: scenario.hash.clone(),
                hasim_version: runner::VERSION.to_string(),
                seeds: args.seeds,
                shard: args.shard,
                check_determinism: args.check_determinism,
            };
            let mut journal = open_journal(out, &identity, plan, args.resume)?;
            resumed = journal.count();
            bar.set_position(journal.count());
            let failures = AtomicU64::new(journal.failed());
            let journal_lock = Mutex::new(journal);
            let outcome = run_seed_results(
                &settings,
                &|i| lock(&journal_lock).has(i),
                stop,
                &result_of,
                &|i, result| {
                    let failed = u64::from(!result.passed());
                    lock(&journal_lock).append(i, &result)?;
                    progress::advance(&bar, failures.fetch_add(failed, Ordering::Relaxed) + failed);
                    Ok(())
                },
            );
            bar.finish_and_clear();
            journal = journal_lock.into_inner().unwrap_or_else(|p| p.into_inner());
            journal.sync()?;
            outcome?;
            let header = header(journal.count());
            let mut acc = Accumulator::new(&scenario.entry);
            journal.write_results(out, &header, &mut acc)?;
            if header.complete {
                journal.remove()?;
            }
            // The journal held the results, not memory: the page reads them back.
            let mut values = html::Values::new();
            if args.report.is_some() {
                for result in &output::read(out)?.results {
                    html::add(&mut values, result);
                }
            }
            (acc.finish(&header), header.runs, values)
        }
        None => {
            let failures = AtomicU64::new(0);
            let in_order = Mutex::new(InSeedOrder::new(Accumulator::new(&scenario.entry)));
            let values = Mutex::new(html::Values::new());
            let outcome =
                run_seed_results(&settings, &|_| false, stop, &result_of, &|i, result| {
                    let failed = u64::from(!result.passed());
                    progress::advance(&bar, failures.fetch_add(failed, Ordering::Relaxed) + failed);
                    if args.report.is_some() {
                        html::add(&mut lock(&values), &result);
                    }
                    lock(&in_order).add(i, result);
                    Ok(())
                });
            bar.finish_and_clear();
            outcome?;
            let acc = in_order
                .into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .into_accumulator();
            let header = header(acc.runs());
            let values = values.into_inner().unwrap_or_else(|p| p.into_inner());
            (acc.finish(&header), header.runs, values)
        }
    };
    if let Some(path) = &args.report {
        let page = html::page(
            &scenario.entry,
            &agg,
            &values,
            &args.scenario.display().to_string(),
        );
        crate::atomic::write(path, page.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    print_aggregate(&scenario.entry, &agg, args.json)?;
    report_divergences(&agg);
    if !args.quiet && !args.json {
        // On stderr: stdout is the same bytes whatever the machine and --jobs.
        eprintln!("{}", started.rate_line(ran - resumed, settings.jobs));
    }
    if ran < plan.len() {
        eprintln!(
            "interrupted: {ran} of {} seeds ran{}",
            plan.len(),
            match &args.out {
                Some(out) => format!(
                    "; their results are in {}, and the same command with --resume runs the rest",
                    out.display()
                ),
                None => String::new(),
            }
        );
        return Ok(130);
    }
    Ok(agg.exit_code())
}

/// The journal for `out`: the interrupted sweep's, continued, with `--resume`; a new
/// one otherwise (replacing a stale one, with a warning).
fn open_journal(
    out: &Path,
    identity: &Identity,
    plan: SeedPlan,
    resume: bool,
) -> Result<Journal, String> {
    let path = journal::path_for(out);
    let exists = path.symlink_metadata().is_ok();
    if resume && exists {
        let resumed = Journal::resume(&path, identity, plan)?;
        let journal = resumed.journal;
        eprintln!(
            "resuming from {}: {} of {} seeds already ran{}; running the other {}",
            path.display(),
            journal.count(),
            plan.len(),
            if resumed.dropped_torn {
                " (a last result cut short by the interruption was dropped)"
            } else {
                ""
            },
            plan.len() - journal.count()
        );
        return Ok(journal);
    }
    if resume {
        eprintln!(
            "note: no journal {} to resume; running every seed",
            path.display()
        );
    } else if exists {
        eprintln!(
            "warning: replacing {}, the journal of an interrupted sweep (pass --resume to continue it instead)",
            path.display()
        );
    }
    Journal::create(&path, identity, plan)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn print_aggregate(model: &ModelEntry, agg: &Aggregate, json: bool) -> Result<(), String> {
    if json {
        let text = serde_json::to_string_pretty(agg).map_err(|e| e.to_string())?;
        crate::outln!("{text}");
    } else {
        crate::out!("{}", report::render(model, agg));
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
pub fn merge(args: MergeArgs, models: &Registry) -> u8 {
    merge_or_error(args, models).unwrap_or_else(|message| {
        eprintln!("error: {message}");
        2
    })
}

fn merge_or_error(args: MergeArgs, models: &Registry) -> Result<u8, String> {
    if let Some(out) = &args.out {
        let inputs: Vec<&std::path::Path> = args.files.iter().map(|p| p.as_path()).collect();
        crate::output_paths::check(out, &inputs).map_err(|e| e.to_string())?;
    }
    let files = args
        .files
        .iter()
        .map(|path| Ok((path.clone(), output::read(path)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let merged = shards::merge(files)?;
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
    let model = models.find(&merged.header.model).ok_or_else(|| {
        format!(
            "the results are of model {:?}, which this binary does not know (merge them with the binary that swept them)",
            merged.header.model
        )
    })?;
    let agg = aggregate::aggregate(model, &merged.header, &merged.results);
    print_aggregate(model, &agg, args.json)?;
    report_divergences(&agg);
    Ok(agg.exit_code())
}

/// Wall time for the closing "ran N seeds in T (R seeds/s)" line: the only wall clock
/// of a sweep, read outside every run.
struct Stopwatch(std::time::Instant);

impl Stopwatch {
    #[allow(clippy::disallowed_methods)] // wall time of the command, not of a run
    fn start() -> Self {
        Stopwatch(std::time::Instant::now())
    }

    fn rate_line(&self, seeds: u64, jobs: usize) -> String {
        rate_line(seeds, jobs, self.0.elapsed().as_secs_f64())
    }
}

/// `ran 20 seeds in 1.53s (13.1 seeds/s, 2 jobs)`.
fn rate_line(seeds: u64, jobs: usize, secs: f64) -> String {
    let rate = if secs > 0.0 {
        format!("{:.1}", seeds as f64 / secs)
    } else {
        "-".to_string()
    };
    let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "ran {} in {secs:.2}s ({rate} seeds/s, {})",
        plural(seeds, "seed"),
        plural(jobs as u64, "job")
    )
}

#[cfg(test)]
mod tests {
    use super::rate_line;

    #[test]
    fn the_closing_line_states_seeds_time_rate_and_jobs() {
        assert_eq!(
            rate_line(20, 2, 1.6),
            "ran 20 seeds in 1.60s (12.5 seeds/s, 2 jobs)"
        );
        assert_eq!(
            rate_line(1, 1, 0.0),
            "ran 1 seed in 0.00s (- seeds/s, 1 job)"
        );
    }
}
