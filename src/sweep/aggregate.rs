//! The aggregate of a sweep: what many seeds say together. For each figure its
//! distribution across seeds (see `stats`), for each check how many seeds violated
//! it, how runs ended, the failing seeds with their replay commands, the pooled ratio
//! figures (`ratios`) and the probability of failure in a period
//! (`failure_probability`).
//!
//! It is a pure function of the header and the results in seed order, so a sweep, its
//! shards merged, and a results file read back all give the same aggregate; a sweep
//! builds it seed by seed (`accumulate`) rather than keeping every result.

use super::accumulate::Accumulator;
use super::failure_probability::FailureProbability;
use super::output::Header;
use super::ratios::Pooled;
use super::seeds::{SeedRange, Shard};
use super::stats::Summary;
use crate::models::ModelEntry;
use crate::runner::{RunResult, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A failing seed's replay command, asserting the run's trace hash too, so replaying
/// it tells "the run changed" (exit 3) from "the same run fails" (exit 1). A seed that
/// panicked has no trace hash, and one that was not deterministic has no single one.
pub(crate) fn asserting_replay(result: &RunResult) -> String {
    if result.trace_hash.is_empty() || result.outcome == NONDETERMINISTIC {
        return result.replay.clone();
    }
    format!(
        "{} --expect-trace-hash {}",
        result.replay, result.trace_hash
    )
}

/// The outcome recorded for a run whose model panicked.
pub const PANICKED: &str = "panicked";
/// The outcome recorded for a seed whose run killed its worker process under
/// `sweep --isolate` (an abort, a stack overflow, out of memory).
pub const CRASHED: &str = "crashed";
/// The outcome recorded for a seed whose two runs differed under
/// `--check-determinism`.
pub const NONDETERMINISTIC: &str = "nondeterministic";

/// A sweep summarised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// The scenario's name.
    pub scenario: String,
    /// The model it runs.
    pub model: String,
    /// Hash of the scenario file.
    pub scenario_hash: String,
    /// The hasim version that ran it.
    pub hasim_version: String,
    /// The seed range of the sweep.
    pub seeds: SeedRange,
    /// The shard, for a shard's own aggregate.
    pub shard: Option<Shard>,
    /// Seeds run.
    pub runs: u64,
    /// Whether every seed of the range (or shard) ran.
    pub complete: bool,
    /// Seeds on which every check held and nothing was violated.
    pub passed: u64,
    /// Seeds that failed: a violated check, a panic, a divergence.
    pub failed: u64,
    /// How runs ended: completed, horizon_reached, violated, panicked, ...
    pub outcomes: BTreeMap<String, u64>,
    /// Each figure across the seeds that reported it (finite values only). A ratio
    /// figure (see `ratios`) has its pooled estimate as mean, interval and n.
    pub figures: BTreeMap<String, Summary>,
    /// The sums behind each pooled ratio figure.
    #[serde(default)]
    pub pooled: BTreeMap<String, Pooled>,
    /// The probability of a failure within one run's period, P_F.
    #[serde(default)]
    pub failure_probability: Option<FailureProbability>,
    /// Figures no seed gave a value (a detection time when nothing crashed): listed,
    /// not averaged as zeros.
    #[serde(default)]
    pub no_value: Vec<String>,
    /// Each availability figure (a fraction named `*availability`) in nines of its
    /// mean, with its confidence interval mapped end to end (see `crate::nines`).
    #[serde(default)]
    pub nines: BTreeMap<String, Nines>,
    /// Each check, in the scenario's order.
    pub checks: Vec<CheckTally>,
    /// Every failing seed, in seed order.
    pub failing: Vec<FailingSeed>,
}

/// An availability in nines: of the mean across seeds, and of the ends of its 95 %
/// confidence interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Nines {
    /// −log10(1 − mean availability), capped at `crate::nines::NINES_MAX`.
    pub mean: f64,
    /// The nines of the interval's lower end; absent for one seed.
    pub ci95_low: Option<f64>,
    /// The nines of the interval's upper end; absent for one seed.
    pub ci95_high: Option<f64>,
}

/// The availability figures of `model` among `figures`, in nines of their means.
pub fn nines(model: &ModelEntry, figures: &BTreeMap<String, Summary>) -> BTreeMap<String, Nines> {
    figures
        .iter()
        .filter(|(name, _)| {
            name.ends_with("availability")
                && crate::report::unit_of(model, name) == crate::models::Unit::Fraction
        })
        .map(|(name, s)| {
            let (mean, ci95_low, ci95_high) =
                crate::nines::nines_of(s.mean, s.ci95_low, s.ci95_high);
            (
                name.clone(),
                Nines {
                    mean,
                    ci95_low,
                    ci95_high,
                },
            )
        })
        .collect()
}

/// How one check fared across seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckTally {
    /// The check as written.
    pub name: String,
    /// What it expects.
    pub expected: String,
    /// Seeds on which it failed (unmeasured ones included).
    pub violated: u64,
    /// Of those, the seeds with nothing to judge it on.
    #[serde(default)]
    pub unmeasured: u64,
    /// Seeds that judged it (a panicked run judges nothing).
    pub judged: u64,
}

/// A seed that failed, and how to see it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailingSeed {
    /// The seed.
    pub seed: u64,
    /// How the run ended.
    pub outcome: String,
    /// Why it failed, in one line.
    pub reason: String,
    /// The command that replays it (with `--expect-trace-hash` when the run has one).
    pub replay: String,
}

impl Aggregate {
    /// The exit code the sweep stands for: 0 every check held on every seed that ran,
    /// 1 any seed failed.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.failed > 0)
    }
}

/// Why `result` failed, or `None` when it passed.
/// Names the first check that did not pass, its verdict and its measured value in
/// the bound's unit (or why it has none), and how many more did not pass.
pub fn failure_reason(model: &ModelEntry, result: &RunResult) -> Option<String> {
    let failed: Vec<_> = result.checks.iter().filter(|c| !c.passed).collect();
    // A check that failed says most; then a violation no check names (the event
    // budget); then a check that could not be measured.
    let first = failed.iter().find(|c| c.verdict == Verdict::Fail);
    let first = match (first, &result.violation) {
        (Some(c), _) => c,
        (None, Some(v)) => return Some(first_line(v)),
        (None, None) => failed.first()?,
    };
    let detail = crate::report::check_detail(model, first);
    let more = match failed.len() {
        1 => String::new(),
        2 => " (and 1 more check)".to_string(),
        n => format!(" (and {} more checks)", n - 1),
    };
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!(": {}", first_line(&detail))
    };
    Some(format!(
        "{} {}{detail}{more}",
        first.name,
        first.verdict.word()
    ))
}

fn first_line(text: &str) -> String {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("").to_string();
    if lines.next().is_some() {
        format!("{first} …")
    } else {
        first
    }
}

/// Aggregates `results` (sorted by seed) of the sweep that `header` describes: the
/// same as adding them one by one to an [`Accumulator`], which a sweep does instead of
/// keeping them. `model` is the header's model, for the units of its figures.
pub fn aggregate(model: &ModelEntry, header: &Header, results: &[RunResult]) -> Aggregate {
    let mut acc = Accumulator::new(model);
    for result in results {
        acc.add(result);
    }
    acc.finish(header)
}
