//! One run of a scenario for one seed: builds the model's `Sim`, runs it, and turns
//! what happened into a [`RunResult`] (figures, checks, trace hash, replay command).
//!
//! This is the API the CLI and the sweep machinery build on; it never prints.

use crate::atomic;
use crate::drive::{self, Plan, Ran};
use crate::scenario::{Check, Scenario};
use crate::sinks::{self, FileSink, Fingerprints, LogSink, Shared};
use hasim_sim::{Outcome, ScheduledFault, SimTime, TraceSink};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

pub use crate::run_result::{CheckResult, RunError, RunResult, Verdict};
pub use crate::size::{parse_size, size_text};

/// How to run a scenario once.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// The seed of the run.
    pub seed: u64,
    /// Writes every trace record as JSON lines to this file (atomically).
    pub trace_path: Option<PathBuf>,
    /// The most bytes the trace file may take ([`TRACE_MAX`] if `None`); a trace
    /// that would pass it is not written and the run is an error.
    pub trace_max: Option<u64>,
    /// On a violation, the last N trace records are kept in the result (0: none).
    pub trace_tail: usize,
    /// Replaces the schedule that the scenario would generate (an edited replay).
    pub schedule: Option<Vec<ScheduledFault>>,
    /// Which records the trace file gets (every one by default); the trace hash is
    /// of every record whatever it is.
    pub trace_filter: crate::trace_filter::TraceFilter,
}

/// The default most bytes a trace file may take: 512 MiB.
pub const TRACE_MAX: u64 = 512 << 20;

/// The hasim version in results and replay commands.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Runs `scenario` once with `opts`.
pub fn run(scenario: &Scenario, opts: &RunOptions) -> Result<RunResult, RunError> {
    // Every log line of the run carries its seed: a parallel sweep's lines interleave.
    let _span = tracing::info_span!("run", seed = opts.seed).entered();
    let schedule = opts
        .schedule
        .clone()
        .unwrap_or_else(|| scenario.schedule(opts.seed));
    let mut sinks: Vec<Box<dyn TraceSink>> = Vec::new();
    let mut file = None;
    if let Some(path) = &opts.trace_path {
        let (temp, handle) = atomic::create(path).map_err(|source| RunError::Io {
            path: path.clone(),
            source,
        })?;
        let max = opts.trace_max.unwrap_or(TRACE_MAX);
        let sink = Rc::new(RefCell::new(FileSink::new(
            handle,
            max,
            opts.trace_filter.clone(),
        )));
        sinks.push(Box::new(Shared(sink.clone())));
        file = Some((temp, sink, max));
    }
    if sinks::log_enabled() {
        sinks.push(Box::new(LogSink {
            names: scenario.nodes.iter().map(|n| n.name.clone()).collect(),
        }));
    }
    // On an error or a panic from here on, dropping `temp` removes the file.
    let ran = run_plan(scenario, opts.seed, schedule.clone(), sinks)?;
    if let (Some((temp, sink, max)), Some(path)) = (file, &opts.trace_path) {
        let mut sink = sink.borrow_mut();
        if sink.over {
            return Err(RunError::TraceTooLarge {
                path: path.clone(),
                max,
                records: sink.records,
            });
        }
        let io = |source| RunError::Io {
            path: path.clone(),
            source,
        };
        if let Some(source) = sink.error.take() {
            return Err(io(source));
        }
        temp.commit(sink.finish().map_err(io)?).map_err(io)?;
    }
    let mut trace_tail = Vec::new();
    if matches!(ran.outcome, Outcome::Violated(_)) && opts.trace_tail > 0 {
        // Runs are deterministic: rather than format every record of every run for a
        // tail that is rarely wanted, run a violated seed again with a ring attached.
        let ring = Rc::new(RefCell::new(sinks::Tail::new(opts.trace_tail)));
        run_plan(
            scenario,
            opts.seed,
            schedule,
            vec![Box::new(Shared(ring.clone()))],
        )?;
        trace_tail = ring.borrow().records().map(|r| r.to_string()).collect();
    }
    Ok(result(scenario, opts.seed, ran, trace_tail))
}

fn run_plan(
    scenario: &Scenario,
    seed: u64,
    schedule: Vec<ScheduledFault>,
    sinks: Vec<Box<dyn TraceSink>>,
) -> Result<Ran, RunError> {
    run_plan_with(scenario, seed, schedule, sinks, false)
}

fn run_plan_with(
    scenario: &Scenario,
    seed: u64,
    schedule: Vec<ScheduledFault>,
    sinks: Vec<Box<dyn TraceSink>>,
    timeline: bool,
) -> Result<Ran, RunError> {
    let plan = Plan {
        seed,
        schedule,
        sinks,
        timeline,
    };
    if let Some(c) = &scenario.composition {
        return drive::run_composed(c, scenario, plan);
    }
    drive::run_scenario(scenario, plan)
}

fn result(scenario: &Scenario, seed: u64, ran: Ran, trace_tail: Vec<String>) -> RunResult {
    let violated = match &ran.outcome {
        Outcome::Violated(v) => Some(v.clone()),
        _ => None,
    };
    // A run that stopped early (another property's violation, the event budget, a node
    // out of timer slots) never reached the point where a liveness or coverage check
    // is judged.
    let stopped_early = match &ran.outcome {
        Outcome::Violated(_)
        | Outcome::BudgetExhausted
        | Outcome::TimersExhausted { .. }
        | Outcome::MemoryExhausted { .. } => Some(ran.end),
        _ => None,
    };
    let checks = scenario
        .checks
        .iter()
        .map(|check| {
            let (verdict, measured, why) = judge(check, &ran, violated.as_ref(), stopped_early);
            let name = match check {
                Check::Objective { .. } => check.to_string(),
                _ => drive::property_name(check),
            };
            CheckResult {
                passed: verdict == Verdict::Pass,
                verdict,
                why,
                measured,
                expected: name.clone(),
                name,
            }
        })
        .collect();
    let violation = match &ran.outcome {
        Outcome::Violated(v) => Some(format!("{v}")),
        Outcome::BudgetExhausted => Some(format!(
            "the event budget of {} events ran out at {}: a livelock or a runaway model",
            scenario.event_budget, ran.end
        )),
        Outcome::TimersExhausted { node } => Some(format!(
            "{} reached the {} pending timers a node may have, at {}: the model leaks timers, or the workload keeps more requests in flight than that (a client interval too short for its timeout, a service time too long for the arrival rate)",
            scenario
                .nodes
                .get(node.index())
                .map_or_else(|| node.to_string(), |n| n.name.clone()),
            hasim_sim::TIMERS_MAX,
            ran.end
        )),
        Outcome::MemoryExhausted { held, limit } => Some(format!(
            "the run held {} beyond its memory_max of {} at {}: raise [scenario] memory_max, shorten the run, or look for state the model never drops",
            crate::size::size_text_rounded(*held),
            crate::size::size_text(*limit),
            ran.end
        )),
        _ => ran.end_verdicts.iter().find_map(|(name, verdict)| {
            verdict
                .as_ref()
                .err()
                .map(|why| format!("check {name:?} failed: {why}"))
        }),
    };
    RunResult {
        scenario: scenario.name.clone(),
        scenario_hash: scenario.hash.clone(),
        hasim_version: VERSION.to_string(),
        seed,
        outcome: ran.outcome.name().to_string(),
        sim_time_s: ran.end.as_secs_f64(),
        events: ran.events,
        trace_hash: format!("{:016x}", ran.trace_hash),
        figures: ran.figures,
        checks,
        violation,
        trace_tail,
        replay: replay_command(scenario, seed),
    }
}

/// One check's verdict, its measured value (objectives) and why it did not pass.
fn judge(
    check: &Check,
    ran: &Ran,
    violated: Option<&hasim_sim::Violation>,
    stopped_early: Option<SimTime>,
) -> (Verdict, Option<f64>, Option<String>) {
    match check {
        Check::Objective {
            figure,
            comparison,
            bound,
            ..
        } => match ran.figures.get(figure).copied() {
            Some(m) if m.is_nan() => (
                Verdict::Unmeasured,
                None,
                Some(format!(
                    "{figure} has no value on this run ({})",
                    crate::report::no_value_reason(figure)
                )),
            ),
            None => (
                Verdict::Unmeasured,
                None,
                Some(format!("the run reported no {figure}")),
            ),
            Some(m) if comparison.holds(m, *bound) => (Verdict::Pass, Some(m), None),
            Some(m) => (Verdict::Fail, Some(m), None),
        },
        Check::AtEnd { .. } => match ran.end_verdicts.get(&drive::property_name(check)) {
            Some(Ok(())) => (Verdict::Pass, None, None),
            Some(Err(why)) => (Verdict::Fail, None, Some(why.clone())),
            None => (
                Verdict::Unmeasured,
                None,
                Some("the end check was not run".to_string()),
            ),
        },
        _ => {
            let name = drive::property_name(check);
            match (violated, stopped_early) {
                (Some(v), _) if v.property == name => (
                    Verdict::Fail,
                    None,
                    Some(format!("at {}: {}", v.time, first_line(&v.message))),
                ),
                // An invariant held on every event the run had; a liveness or coverage
                // property seen to hold passed, however the run ended.
                _ if matches!(check, Check::Invariant { .. }) => (Verdict::Pass, None, None),
                _ if ran.satisfied.contains(&name) => (Verdict::Pass, None, None),
                (_, Some(at)) => (
                    Verdict::Unmeasured,
                    None,
                    Some(format!(
                        "the run stopped at {at}, before this could be judged"
                    )),
                ),
                _ => (Verdict::Pass, None, None),
            }
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").to_string()
}

/// The command that replays a seed, carrying the version and scenario hash so that a
/// replay with another build or an edited file can warn.
pub fn replay_command(scenario: &Scenario, seed: u64) -> String {
    replay_command_with(scenario, seed, None)
}

/// The replay command of a run whose fault schedule came from `schedule` (a schedule
/// file given to `hasim replay --schedule`), so that it reproduces that run and not
/// the generated one.
pub fn replay_command_with(scenario: &Scenario, seed: u64, schedule: Option<&Path>) -> String {
    let mut command = format!(
        "hasim replay {} --seed {seed} --expect-version {VERSION} --expect-hash {}",
        scenario.path.display(),
        scenario.hash
    );
    if let Some(path) = schedule {
        command.push_str(&format!(" --schedule {}", path.display()));
    }
    command
}

/// Runs a seed like [`run`] and also gathers its timeline (for `hasim report`).
pub fn run_with_timeline(
    scenario: &Scenario,
    opts: &RunOptions,
) -> Result<(RunResult, crate::timeline::TimelineData), RunError> {
    let _span = tracing::info_span!("run", seed = opts.seed).entered();
    let schedule = opts
        .schedule
        .clone()
        .unwrap_or_else(|| scenario.schedule(opts.seed));
    let mut ran = run_plan_with(scenario, opts.seed, schedule, Vec::new(), true)?;
    let timeline = ran.timeline.take().unwrap_or_default();
    Ok((result(scenario, opts.seed, ran, Vec::new()), timeline))
}

/// Where two runs of the same seed first differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// Index of the first differing trace record (0-based).
    pub index: usize,
    /// That record in the first run (None: the run had ended).
    pub first: Option<String>,
    /// That record in the second run.
    pub second: Option<String>,
}

/// Runs a seed twice and compares the traces record by record. `Ok(None)`: identical.
pub fn check_determinism(
    scenario: &Scenario,
    opts: &RunOptions,
) -> Result<Option<Divergence>, RunError> {
    let schedule = opts
        .schedule
        .clone()
        .unwrap_or_else(|| scenario.schedule(opts.seed));
    let fingerprints = |capture: Option<usize>| -> Result<Fingerprints, RunError> {
        let sink = Rc::new(RefCell::new(Fingerprints {
            capture,
            ..Fingerprints::default()
        }));
        run_plan(
            scenario,
            opts.seed,
            schedule.clone(),
            vec![Box::new(Shared(sink.clone()))],
        )?;
        let taken = std::mem::take(&mut *sink.borrow_mut());
        Ok(taken)
    };
    let a = fingerprints(None)?;
    let b = fingerprints(None)?;
    let Some(index) =
        (0..a.hashes.len().max(b.hashes.len())).find(|&i| a.hashes.get(i) != b.hashes.get(i))
    else {
        return Ok(None);
    };
    // Capture the differing record from two more runs; if the runs are not
    // deterministic these may differ again, but they show the kind of divergence.
    let first = fingerprints(Some(index))?.captured.map(|r| r.to_string());
    let second = fingerprints(Some(index))?.captured.map(|r| r.to_string());
    Ok(Some(Divergence {
        index,
        first,
        second,
    }))
}

/// Every trace record of a run, in order (for printing a replay's trace).
pub fn trace_records(
    scenario: &Scenario,
    opts: &RunOptions,
) -> Result<Vec<hasim_sim::Record>, RunError> {
    let schedule = opts
        .schedule
        .clone()
        .unwrap_or_else(|| scenario.schedule(opts.seed));
    let sink = Rc::new(RefCell::new(hasim_sim::VecSink::default()));
    run_plan(
        scenario,
        opts.seed,
        schedule,
        vec![Box::new(Shared(sink.clone()))],
    )?;
    let records = std::mem::take(&mut sink.borrow_mut().0);
    Ok(records)
}
