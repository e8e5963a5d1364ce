//! The aggregate built one result at a time, in seed order, so a sweep need not keep
//! its results (~3.5 KB a seed) until the end: [`Accumulator::add`] takes each seed's
//! result and keeps only what the aggregate's figures are made of.
//!
//! What it keeps per seed is small but not nothing: every finite value of every
//! figure (8 bytes each), because the percentiles need all of them and the mean's
//! interval is computed in two passes (Σ(x − mean)², not Σx² − n·mean², which would
//! round differently and change the printed digits); each pooled ratio's (x, y) pair
//! (16 bytes), for the same reason; and each failing seed's line. Counts, check
//! tallies and the failure share's counts are running totals. The result is exactly,
//! bit for bit, what aggregating the whole list gave, because every sum is taken over
//! the same values in the same (seed) order.

use super::aggregate::{failure_reason, nines, Aggregate, CheckTally, FailingSeed};
use super::failure_probability::FailureCount;
use super::output::Header;
use super::ratios::{pool_pairs, RATIOS};
use super::stats;
use crate::models::ModelEntry;
use crate::runner::{RunResult, Verdict};
use std::collections::BTreeMap;

/// A sweep's aggregate in the making.
#[derive(Clone, Debug)]
pub struct Accumulator {
    model: ModelEntry,
    runs: u64,
    outcomes: BTreeMap<String, u64>,
    /// Every figure any seed reported, with its finite values in seed order.
    values: BTreeMap<String, Vec<f64>>,
    /// Each of [`RATIOS`]' (x, y) pairs, in seed order.
    pairs: Vec<Vec<(f64, f64)>>,
    checks: Vec<CheckTally>,
    failing: Vec<FailingSeed>,
    failure: FailureCount,
}

impl Accumulator {
    /// An empty aggregate of a sweep of a scenario of `model`.
    pub fn new(model: &ModelEntry) -> Accumulator {
        Accumulator {
            model: model.clone(),
            runs: 0,
            outcomes: BTreeMap::new(),
            values: BTreeMap::new(),
            pairs: vec![Vec::new(); RATIOS.len()],
            checks: Vec::new(),
            failing: Vec::new(),
            failure: FailureCount::default(),
        }
    }

    /// Adds the next seed's result (seeds must come in ascending order).
    pub fn add(&mut self, result: &RunResult) {
        self.runs += 1;
        match self.outcomes.get_mut(&result.outcome) {
            Some(n) => *n += 1,
            None => {
                self.outcomes.insert(result.outcome.clone(), 1);
            }
        }
        for (name, &value) in &result.figures {
            let seen = match self.values.get_mut(name) {
                Some(seen) => seen,
                None => self.values.entry(name.clone()).or_default(),
            };
            if value.is_finite() {
                seen.push(value);
            }
        }
        for (ratio, pairs) in RATIOS.iter().zip(&mut self.pairs) {
            if let Some(pair) = super::ratios::pair(ratio, result) {
                pairs.push(pair);
            }
        }
        for check in &result.checks {
            let tally = match self.checks.iter().position(|t| t.name == check.name) {
                Some(i) => &mut self.checks[i],
                None => {
                    self.checks.push(CheckTally {
                        name: check.name.clone(),
                        expected: check.expected.clone(),
                        violated: 0,
                        unmeasured: 0,
                        judged: 0,
                    });
                    self.checks.last_mut().expect("just pushed")
                }
            };
            tally.judged += 1;
            tally.violated += u64::from(!check.passed);
            tally.unmeasured += u64::from(check.verdict == Verdict::Unmeasured);
        }
        self.failure.add(result);
        if let Some(reason) = failure_reason(&self.model, result) {
            self.failing.push(FailingSeed {
                seed: result.seed,
                outcome: result.outcome.clone(),
                reason,
                replay: super::aggregate::asserting_replay(result),
            });
        }
    }

    /// Seeds added so far.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// The aggregate of the seeds added, for the sweep `header` describes.
    pub fn finish(self, header: &Header) -> Aggregate {
        let mut no_value = Vec::new();
        let mut figures = self
            .values
            .into_iter()
            .filter_map(|(name, v)| match stats::summarize(&v) {
                Some(summary) => Some((name, summary)),
                None => {
                    no_value.push(name);
                    None
                }
            })
            .collect::<BTreeMap<_, _>>();
        let mut pooled = BTreeMap::new();
        for (ratio, pairs) in RATIOS.iter().zip(&self.pairs) {
            let Some(summary) = figures.get_mut(ratio.figure) else {
                continue;
            };
            if let Some(sums) = pool_pairs(ratio, pairs, summary) {
                pooled.insert(ratio.figure.to_string(), sums);
            }
        }
        let failure_probability = self.failure.finish(self.failing.len() as u64);
        let nines = nines(&self.model, &figures);
        let failed = self.failing.len() as u64;
        Aggregate {
            scenario: header.scenario.clone(),
            model: header.model.clone(),
            scenario_hash: header.scenario_hash.clone(),
            hasim_version: header.hasim_version.clone(),
            seeds: header.seeds,
            shard: header.shard,
            runs: self.runs,
            complete: header.complete,
            passed: self.runs - failed,
            failed,
            outcomes: self.outcomes,
            figures,
            pooled,
            failure_probability,
            no_value,
            nines,
            checks: self.checks,
            failing: self.failing,
        }
    }
}

/// Results that finish out of order (J workers) fed to an [`Accumulator`] in seed
/// order: a result waits only until every earlier seed's has arrived, so what waits is
/// about the runs in flight, not the sweep.
#[derive(Debug)]
pub struct InSeedOrder {
    acc: Accumulator,
    /// The plan index whose result is added next.
    next: u64,
    waiting: BTreeMap<u64, RunResult>,
}

impl InSeedOrder {
    /// Feeding `acc`, from the plan's first seed.
    pub fn new(acc: Accumulator) -> InSeedOrder {
        InSeedOrder {
            acc,
            next: 0,
            waiting: BTreeMap::new(),
        }
    }

    /// The result of the plan's `i`-th seed.
    pub fn add(&mut self, i: u64, result: RunResult) {
        self.waiting.insert(i, result);
        while let Some(result) = self.waiting.remove(&self.next) {
            self.acc.add(&result);
            self.next += 1;
        }
    }

    /// The accumulator, with every result that had all earlier ones (a stopped sweep's
    /// results are a prefix, so that is all of them).
    pub fn into_accumulator(self) -> Accumulator {
        self.acc
    }
}
