//! `hasim capacity`: capacity planning. Finds the highest open-loop arrival rate at
//! which a balancing scenario still meets all of its checks, by bisection over the rate
//! (hasim_protocols::balancing::capacity), and prints the table it found it from.
//!
//! Every rate runs the same seeds (common random numbers), in parallel on the sweep's
//! worker pool, so two rates differ by the rate and not by the luck of the draw. A rate
//! meets the scenario when every invariant, liveness and coverage check held on every
//! seed and every objective holds for the mean of its figure over the seeds (or, with
//! `--every-seed`, on each seed). Exit codes: 0 a rate met the checks, 1 even the
//! lowest rate failed them, 2 bad input, 130 interrupted.

use super::Failure;
use crate::registry::Registry;
use crate::report::{format_value, unit_of};
use crate::runner::{self, RunOptions, RunResult};
use crate::scenario::{Check, Scenario};
use crate::sweep::seeds::{SeedPlan, SeedRange};
use crate::sweep::{self, SeedRunner, Settings};
use clap::Args;
use hasim_protocols::balancing::capacity::{highest_rate, Capacity};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

/// Arguments of `hasim capacity`.
#[derive(Args, Debug)]
pub struct CapacityArgs {
    /// The scenario file (model `balancing`, open-loop workload).
    pub scenario: PathBuf,
    /// The range of total arrival rates to search, requests per second: `MIN..MAX`.
    #[arg(long, value_name = "MIN..MAX")]
    pub rate: RateRange,
    /// The seeds run at every rate: `A..B` (B excluded), `A..=B` or `N` [default: the
    /// scenario's seed].
    #[arg(long, value_name = "A..B")]
    pub seeds: Option<SeedRange>,
    /// Stop when the bracket around the answer is narrower than this fraction of it.
    #[arg(long, default_value_t = 0.01, value_name = "X")]
    pub precision: f64,
    /// Worker threads [default: all cores].
    #[arg(long, short, value_name = "J")]
    pub jobs: Option<usize>,
    /// Judge objectives on every seed instead of on the mean over the seeds.
    #[arg(long)]
    pub every_seed: bool,
    /// Print the answer and every trial as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `MIN..MAX`, two rates with 0 < MIN < MAX.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateRange {
    /// The lowest rate tried.
    pub min: f64,
    /// The highest rate tried.
    pub max: f64,
}

impl std::str::FromStr for RateRange {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (a, b) = s
            .split_once("..")
            .ok_or_else(|| format!("`{s}`: expected MIN..MAX, as in 10..200"))?;
        let rate = |t: &str| -> Result<f64, String> {
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|r| r.is_finite() && *r > 0.0)
                .ok_or_else(|| format!("`{t}` is not a rate (a number of requests/s above 0)"))
        };
        let (min, max) = (rate(a)?, rate(b)?);
        if min >= max {
            return Err(format!("`{s}`: MIN must be below MAX"));
        }
        Ok(RateRange { min, max })
    }
}

/// The scenario at one rate, as the sweep's seed runner.
struct AtRate {
    scenario: Scenario,
}

impl SeedRunner for AtRate {
    fn run(&self, seed: u64) -> Result<RunResult, String> {
        let opts = RunOptions {
            seed,
            ..RunOptions::default()
        };
        runner::run(&self.scenario, &opts).map_err(|e| e.to_string())
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
            figures: BTreeMap::new(),
            checks: Vec::new(),
            violation: Some("no result".to_string()),
            trace_tail: Vec::new(),
            replay: runner::replay_command(&self.scenario, seed),
        }
    }
}

/// Figures of a trial beyond the scenario's: seeds that passed every check, and the
/// verdict (1 or 0) the search reads back.
const SEEDS_PASSED: &str = "seeds_passed";
const MEETS: &str = "meets";

pub fn capacity(args: CapacityArgs, models: &Registry) -> Result<(), Failure> {
    let scenario = models.load(&args.scenario)?;
    if !(args.precision > 0.0 && args.precision < 1.0) {
        return Err(Failure::Input(
            "error: --precision must be between 0 and 1 (a fraction of the rate)".into(),
        ));
    }
    let seeds = args.seeds.unwrap_or(SeedRange::single(scenario.seed));
    let jobs = crate::sweep::pool::workers(args.jobs, seeds.len())
        .map_err(|e| Failure::Input(format!("error: {e}")))?;
    // Fail on a scenario the rate cannot be set in before running anything.
    at_rate(&scenario, args.rate.min).map_err(Failure::Input)?;
    let settings = Settings {
        plan: SeedPlan {
            range: seeds,
            shard: None,
        },
        jobs,
        check_determinism: false,
    };
    let stop = sweep::interrupt::flag();
    let mut error: Option<String> = None;
    let found = highest_rate(
        args.rate.min,
        args.rate.max,
        args.precision,
        |rate| {
            if error.is_some() {
                return BTreeMap::new();
            }
            let runs = at_rate(&scenario, rate).and_then(|s| {
                let bar = indicatif::ProgressBar::hidden();
                sweep::run_sweep(&AtRate { scenario: s }, &settings, stop, &bar)
            });
            match runs {
                Ok(results) if results.len() as u64 == seeds.len() => {
                    judge(&scenario.checks, &results, args.every_seed)
                }
                Ok(_) => {
                    error = Some("interrupted".into());
                    BTreeMap::new()
                }
                Err(e) => {
                    error = Some(e);
                    BTreeMap::new()
                }
            }
        },
        |figures| figures.get(MEETS) == Some(&1.0),
    );
    match error {
        Some(_) if stop.load(Ordering::Relaxed) => {
            eprintln!("interrupted: no capacity reported");
            std::process::exit(130);
        }
        Some(e) => return Err(Failure::Input(format!("error: {e}"))),
        None => {}
    }
    if args.json {
        crate::outln!("{}", report_json(&scenario, &found, seeds));
    } else {
        crate::out!("{}", report(&scenario, &found, seeds, args.every_seed));
    }
    match found.rate {
        Some(_) => Ok(()),
        None => Err(Failure::Violated),
    }
}

/// The scenario with a total open-loop arrival rate of `rate`: the client group's
/// `workload.rate` is replaced, and a rate schedule is scaled by the same factor so
/// its shape (a spike of 3x, say) is kept.
pub fn at_rate(scenario: &Scenario, rate: f64) -> Result<Scenario, String> {
    if scenario.model != "balancing" {
        return Err(format!(
            "capacity sets the open-loop arrival rate of the balancing model's clients; {} runs the {} model",
            scenario.path.display(),
            scenario.model
        ));
    }
    let mut s = scenario.clone();
    let clients: Vec<usize> = (0..s.groups.len())
        .filter(|&i| s.groups[i].role == "client")
        .collect();
    // The role's params are written on one of its groups (or identically on each).
    let written: Vec<usize> = clients
        .iter()
        .copied()
        .filter(|&i| s.groups[i].params.contains_key("workload"))
        .collect();
    let targets = if written.is_empty() {
        clients.first().copied().into_iter().collect()
    } else {
        written
    };
    if targets.is_empty() {
        return Err(format!("{}: no client group", scenario.path.display()));
    }
    for i in targets {
        let workload = s.groups[i]
            .params
            .entry("workload")
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(w) = workload else {
            return Err("the client group's workload is not a table".into());
        };
        let kind = w.get("kind").and_then(|k| k.as_str()).unwrap_or("open");
        if kind != "open" {
            return Err(format!(
                "capacity sweeps an open-loop arrival rate; the clients' workload is {kind:?}"
            ));
        }
        w.insert("kind".into(), "open".into());
        // The model's default open-loop rate when none is written.
        let base = w.get("rate").and_then(value_f64).unwrap_or(10.0);
        w.insert("rate".into(), toml::Value::Float(rate));
        if let Some(toml::Value::Array(steps)) = w.get_mut("schedule") {
            if base <= 0.0 && !steps.is_empty() {
                return Err("workload.rate is 0: the schedule cannot be scaled".into());
            }
            for step in steps {
                let scaled = step
                    .get("rate")
                    .and_then(value_f64)
                    .map(|r| r * rate / base);
                if let (Some(r), Some(t)) = (scaled, step.as_table_mut()) {
                    t.insert("rate".into(), toml::Value::Float(r));
                }
            }
        }
    }
    Ok(s)
}

fn value_f64(v: &toml::Value) -> Option<f64> {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

/// One rate's runs as figures: each figure's mean over the seeds, the seeds that
/// passed, and whether the scenario's checks are met (see the module documentation).
fn judge(checks: &[Check], results: &[RunResult], every_seed: bool) -> BTreeMap<String, f64> {
    let mut mean: BTreeMap<String, f64> = BTreeMap::new();
    for r in results {
        for (k, v) in &r.figures {
            *mean.entry(k.clone()).or_default() += v / results.len() as f64;
        }
    }
    let passed = results.iter().filter(|r| r.passed()).count();
    let properties_held = results.iter().all(|r| {
        r.violation.is_none()
            && r.checks
                .iter()
                .zip(checks)
                .all(|(c, check)| c.passed || matches!(check, Check::Objective { .. }))
    });
    let objectives_held = if every_seed {
        passed == results.len()
    } else {
        checks.iter().all(|check| match check {
            Check::Objective {
                figure,
                comparison,
                bound,
                ..
            } => mean
                .get(figure)
                .is_some_and(|m| comparison.holds(*m, *bound)),
            _ => true,
        })
    };
    mean.insert(SEEDS_PASSED.into(), passed as f64);
    mean.insert(
        MEETS.into(),
        f64::from(u8::from(properties_held && objectives_held)),
    );
    mean
}

/// The answer and the table of every rate tried, sorted by rate, figures in units.
/// `{"scenario", "seeds", "capacity": rate or null, "trials": [{rate, meets, figures}]}`,
/// the trials in rate order as the table shows them.
fn report_json(scenario: &Scenario, found: &Capacity, seeds: SeedRange) -> String {
    let mut trials: Vec<_> = found.table.iter().collect();
    trials.sort_by(|a, b| a.rate.total_cmp(&b.rate));
    let trials: Vec<serde_json::Value> = trials
        .iter()
        .map(|t| {
            let figures: BTreeMap<&str, f64> = t
                .figures
                .iter()
                .filter(|(k, v)| k.as_str() != MEETS && v.is_finite())
                .map(|(k, v)| (k.as_str(), *v))
                .collect();
            serde_json::json!({ "rate": t.rate, "meets": t.meets, "figures": figures })
        })
        .collect();
    let value = serde_json::json!({
        "scenario": scenario.name,
        "seeds": seeds.to_string(),
        "capacity": found.rate,
        "trials": trials,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn report(scenario: &Scenario, found: &Capacity, seeds: SeedRange, every_seed: bool) -> String {
    let mut figures: Vec<&str> = Vec::new();
    for check in &scenario.checks {
        if let Check::Objective { figure, .. } = check {
            if !figures.contains(&figure.as_str()) {
                figures.push(figure);
            }
        }
    }
    let mut header = vec!["rate/s".to_string(), "checks".into(), "seeds ok".into()];
    header.extend(figures.iter().map(|f| f.to_string()));
    let mut rows = vec![header];
    let mut trials: Vec<_> = found.table.iter().collect();
    trials.sort_by(|a, b| a.rate.total_cmp(&b.rate));
    for t in trials {
        let mut row = vec![
            format!("{:.3}", t.rate),
            if t.meets { "met" } else { "FAIL" }.to_string(),
            format!(
                "{}/{}",
                t.figures.get(SEEDS_PASSED).copied().unwrap_or(0.0),
                seeds.len()
            ),
        ];
        for f in &figures {
            let unit = unit_of(&scenario.entry, f);
            row.push(
                t.figures
                    .get(*f)
                    .map_or("-".into(), |v| format_value(unit, *v)),
            );
        }
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let judged = if every_seed {
        "on every seed"
    } else {
        "on the mean over the seeds"
    };
    let mut out = format!(
        "capacity of {} over seeds {seeds} (objectives judged {judged}; invariants on every seed)\n\n",
        scenario.path.display()
    );
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:>w$}"))
            .collect();
        let _ = writeln!(out, "  {}", cells.join("  "));
    }
    let _ = match found.rate {
        Some(r) => writeln!(out, "\nhighest rate meeting every check: {r:.3} requests/s"),
        None => writeln!(
            out,
            "\neven {:.3} requests/s fails the checks: no capacity in the range",
            found.table[0].rate
        ),
    };
    out
}
