//! The probability of failure in a period, P_F: the share of a sweep's seeds whose run
//! saw a failure, with its Wilson 95 % interval. Each seed is one independent period
//! of the scenario's duration T, so the share estimates P(a failure within T), and
//! 1 − P_F is the probability of failure-free operation for T (the reliability R(T),
//! P_FT in the safety literature).
//!
//! What counts as a failure: for a model that reports `system_failures` (redundancy),
//! a run with at least one; for any other, a failing seed (a violated property or
//! check, a panic), the same seeds the sweep lists as failing.

use super::aggregate::FailingSeed;
use super::stats::wilson_95;
use crate::runner::RunResult;
use serde::{Deserialize, Serialize};

/// The figure whose being ≥ 1 makes a run a failed period, where a model reports it.
pub const SYSTEM_FAILURES: &str = "system_failures";

/// P_F of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailureProbability {
    /// What made a seed count: `"system_failures >= 1"` or `"failing seed"`.
    pub basis: String,
    /// The period, in seconds: the longest simulated time of the counted runs (the
    /// scenario's duration unless every run stopped early).
    pub period_s: f64,
    /// Seeds with a failure.
    pub failed: u64,
    /// Seeds counted.
    pub seeds: u64,
    /// failed / seeds.
    pub share: f64,
    /// Lower end of the Wilson 95 % interval.
    pub ci95_low: f64,
    /// Upper end of the Wilson 95 % interval.
    pub ci95_high: f64,
}

/// P_F over `results` (in seed order), of which `failing` are the failing seeds;
/// `None` for an empty sweep.
pub fn failure_probability(
    results: &[RunResult],
    failing: &[FailingSeed],
) -> Option<FailureProbability> {
    let mut count = FailureCount::default();
    for result in results {
        count.add(result);
    }
    count.finish(failing.len() as u64)
}

/// The counts behind P_F, kept seed by seed so a sweep need not keep its results.
/// Both bases are counted, since whether any seed reports `system_failures` is only
/// known at the end.
#[derive(Clone, Debug, Default)]
pub struct FailureCount {
    /// Seeds that reported a finite `system_failures`.
    reported: u64,
    /// Of those, the seeds with at least one.
    reported_failed: u64,
    /// The longest simulated time of those seeds.
    reported_period: f64,
    /// Every seed.
    all: u64,
    /// The longest simulated time of every seed.
    all_period: f64,
}

impl FailureCount {
    /// Counts the next seed.
    pub fn add(&mut self, result: &RunResult) {
        let reported = result
            .figures
            .get(SYSTEM_FAILURES)
            .copied()
            .filter(|v| v.is_finite());
        if let Some(v) = reported {
            self.reported += 1;
            self.reported_failed += u64::from(v >= 1.0);
            self.reported_period = f64::max(self.reported_period, result.sim_time_s);
        }
        self.all += 1;
        self.all_period = f64::max(self.all_period, result.sim_time_s);
    }

    /// P_F of the seeds counted, `failing` of which were failing seeds; `None` when
    /// none was counted.
    pub fn finish(&self, failing: u64) -> Option<FailureProbability> {
        let (basis, seeds, failed, period_s) = if self.reported > 0 {
            (
                "system_failures >= 1",
                self.reported,
                self.reported_failed,
                self.reported_period,
            )
        } else {
            ("failing seed", self.all, failing, self.all_period)
        };
        if seeds == 0 {
            return None;
        }
        let (ci95_low, ci95_high) = wilson_95(failed, seeds);
        Some(FailureProbability {
            basis: basis.to_string(),
            period_s,
            failed,
            seeds,
            share: failed as f64 / seeds as f64,
            ci95_low,
            ci95_high,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn run(seed: u64, system_failures: Option<f64>) -> RunResult {
        let mut figures = BTreeMap::new();
        if let Some(v) = system_failures {
            figures.insert(SYSTEM_FAILURES.to_string(), v);
        }
        RunResult {
            scenario: "s".into(),
            scenario_hash: "0".into(),
            hasim_version: "0".into(),
            seed,
            outcome: "completed".into(),
            sim_time_s: 3600.0,
            events: 0,
            trace_hash: String::new(),
            figures,
            checks: Vec::new(),
            violation: None,
            trace_tail: Vec::new(),
            replay: String::new(),
        }
    }

    fn failing(seed: u64) -> FailingSeed {
        FailingSeed {
            seed,
            outcome: "violated".into(),
            reason: "r".into(),
            replay: String::new(),
        }
    }

    #[test]
    fn a_run_with_a_system_failure_is_a_failed_period() {
        // Failures 0, 1, 3, 0: two of four periods failed, however many times.
        let results: Vec<RunResult> = [0.0, 1.0, 3.0, 0.0]
            .iter()
            .enumerate()
            .map(|(i, &f)| run(i as u64, Some(f)))
            .collect();
        let p = failure_probability(&results, &[]).expect("a share");
        assert_eq!((p.failed, p.seeds, p.share), (2, 4, 0.5));
        assert_eq!(p.basis, "system_failures >= 1");
        assert_eq!((p.ci95_low, p.ci95_high), wilson_95(2, 4));
        assert_eq!(p.period_s, 3600.0);
        // A seed without the figure (a panicked run) is not counted.
        let mut more = results.clone();
        more.push(run(9, None));
        assert_eq!(failure_probability(&more, &[]).unwrap().seeds, 4);
    }

    #[test]
    fn without_the_figure_a_failing_seed_is_a_failed_period() {
        let results: Vec<RunResult> = (0..5).map(|s| run(s, None)).collect();
        let p = failure_probability(&results, &[failing(1)]).expect("a share");
        assert_eq!((p.failed, p.seeds, p.share), (1, 5, 0.2));
        assert_eq!(p.basis, "failing seed");
        assert!(failure_probability(&[], &[]).is_none());
    }
}
