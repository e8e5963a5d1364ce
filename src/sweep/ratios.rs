//! Ratio figures pooled across seeds. A figure that is one per-run sum over another
//! (mean time to system failure = up time / failures) is estimated across a sweep as
//! the ratio of the sums, Σx/Σy, not as the mean of the per-seed ratios.
//!
//! Why: the mean of ratios weighs a seed with one failure as much as a seed with ten,
//! and drops the seeds with none (no ratio), so it under-reads MTTSF whenever
//! failures are rare: two seeds of 100 h up, one with a failure and one without, are
//! 200 h of up time per failure, not 100 h. Σx/Σy is the textbook estimator (for
//! exponential lifetimes it is the maximum-likelihood one: total time on test over
//! failures, censored runs included).
//!
//! Its 95 % interval is the delta method for a ratio estimator (Cochran, *Sampling
//! Techniques*, 6.3): with R = Σx/Σy, dᵢ = xᵢ − R·yᵢ and ȳ = Σy/n,
//! Var(R) ≈ Σdᵢ² / (n−1) / (n·ȳ²), and the half-width is t(0.975, n−1)·√Var(R). It is
//! the large-sample interval: with few failures in all (Σy under ~10) it is too narrow.
//!
//! The detectors' per-incident means are pooled the same way over the incidents they
//! average (`detection_first_mean` over `failures_detected`, …). Per-incident means of
//! other models (a failover time averaged over the failovers of one run) are not:
//! they carry no exact count of their incidents, so the sweep gives each seed equal
//! weight (an estimate of the expected per-run mean).

use super::stats::{t_975, Summary};
use crate::runner::RunResult;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A figure defined as a numerator over a denominator, both per-run sums.
#[derive(Clone, Copy, Debug)]
pub struct Ratio {
    /// The figure a run reports as x/y (absent when y is 0).
    pub figure: &'static str,
    /// The figure holding x; `None` when x is only known as `figure · y` (then a run
    /// with y = 0 has x = 0).
    pub numerator: Option<&'static str>,
    /// The figure holding y, a per-run total (a count, or hours).
    pub denominator: &'static str,
}

/// Every pooled figure: the redundancy model's per-failure means, and the detectors'
/// per-incident means and rate whose run reports the count they are over.
pub const RATIOS: [Ratio; 7] = [
    Ratio {
        figure: "mttsf",
        numerator: Some("system_uptime"),
        denominator: "system_failures",
    },
    Ratio {
        figure: "mttr_system",
        numerator: Some("system_downtime"),
        denominator: "system_failures",
    },
    Ratio {
        figure: "node_mttr",
        numerator: None,
        denominator: "node_failures",
    },
    Ratio {
        figure: "detection_first_mean",
        numerator: None,
        denominator: "failures_detected",
    },
    Ratio {
        figure: "detection_all_mean",
        numerator: None,
        denominator: "failures_detected_all",
    },
    Ratio {
        figure: "false_suspicion_duration_mean",
        numerator: None,
        denominator: "false_suspicions",
    },
    Ratio {
        figure: "false_suspicions_per_node_hour",
        numerator: Some("false_suspicions"),
        denominator: "live_node_hours",
    },
];

/// The sums behind a pooled figure, so a reader can redo the division.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pooled {
    /// The figure holding the numerator, or `figure × denominator` when there is none.
    pub numerator: String,
    /// The figure holding the denominator.
    pub denominator: String,
    /// Σx over the pooled seeds.
    pub numerator_sum: f64,
    /// Σy over the pooled seeds.
    pub denominator_sum: f64,
    /// Seeds pooled: every seed that reported the denominator, failures or not.
    pub seeds: u64,
}

/// The ratio that defines `figure`, if it is pooled.
pub fn ratio_of(figure: &str) -> Option<&'static Ratio> {
    RATIOS.iter().find(|r| r.figure == figure)
}

/// One seed's (x, y) for `ratio`, or `None` when the seed cannot be pooled (it did not
/// report the denominator, or reported y > 0 without the figure).
pub fn pair(ratio: &Ratio, result: &RunResult) -> Option<(f64, f64)> {
    let finite = |name: &str| result.figures.get(name).copied().filter(|v| v.is_finite());
    let y = finite(ratio.denominator)?;
    let x = match ratio.numerator {
        Some(numerator) => finite(numerator)?,
        None if y == 0.0 => 0.0,
        None => finite(ratio.figure)? * y,
    };
    Some((x, y))
}

/// A pooled ratio: R = Σx/Σy over `n` seeds, with the half-width of its 95 % interval
/// (absent for one seed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Seeds pooled.
    pub n: u64,
    /// Σx/Σy.
    pub ratio: f64,
    /// t(0.975, n−1)·√Var(R), the delta method.
    pub half_width: Option<f64>,
    /// Σx.
    pub sum_x: f64,
    /// Σy.
    pub sum_y: f64,
}

/// The pooled estimate over the seeds' (x, y); `None` when there is none or Σy is 0.
pub fn estimate(pairs: &[(f64, f64)]) -> Option<Estimate> {
    let (sum_x, sum_y) = pairs
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
    if pairs.is_empty() || sum_y <= 0.0 {
        return None;
    }
    let n = pairs.len();
    let ratio = sum_x / sum_y;
    let half_width = (n >= 2).then(|| {
        let nf = n as f64;
        let y_mean = sum_y / nf;
        let ss: f64 = pairs
            .iter()
            .map(|(x, y)| (x - ratio * y) * (x - ratio * y))
            .sum();
        let var = ss / (nf - 1.0) / (nf * y_mean * y_mean);
        t_975(n as u64 - 1) * var.sqrt()
    });
    Some(Estimate {
        n: n as u64,
        ratio,
        half_width,
        sum_x,
        sum_y,
    })
}

/// The pooled estimate of `ratio` over `results`, in `summary`'s mean, interval and n
/// (its percentiles and extremes stay the per-seed ones). `None` when no seed can be
/// pooled or Σy is 0.
pub fn pool(ratio: &Ratio, results: &[RunResult], summary: &mut Summary) -> Option<Pooled> {
    let pairs: Vec<(f64, f64)> = results.iter().filter_map(|r| pair(ratio, r)).collect();
    pool_pairs(ratio, &pairs, summary)
}

/// [`pool`] over the seeds' (x, y) pairs (from [`pair`], in seed order), as a sweep
/// keeps them instead of its results.
pub fn pool_pairs(ratio: &Ratio, pairs: &[(f64, f64)], summary: &mut Summary) -> Option<Pooled> {
    let e = estimate(pairs)?;
    summary.n = e.n;
    summary.mean = e.ratio;
    summary.ci95_low = e.half_width.map(|h| e.ratio - h);
    summary.ci95_high = e.half_width.map(|h| e.ratio + h);
    Some(Pooled {
        numerator: ratio.numerator.map_or_else(
            || format!("{} × {}", ratio.figure, ratio.denominator),
            str::to_string,
        ),
        denominator: ratio.denominator.to_string(),
        numerator_sum: e.sum_x,
        denominator_sum: e.sum_y,
        seeds: e.n,
    })
}

/// Replaces each ratio figure's mean of per-seed ratios in `figures` by its pooled
/// estimate; returns the sums behind each one pooled.
pub fn pool_all(
    results: &[RunResult],
    figures: &mut BTreeMap<String, Summary>,
) -> BTreeMap<String, Pooled> {
    let mut sums = BTreeMap::new();
    for ratio in &RATIOS {
        let Some(summary) = figures.get_mut(ratio.figure) else {
            continue;
        };
        if let Some(pooled) = pool(ratio, results, summary) {
            sums.insert(ratio.figure.to_string(), pooled);
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::stats::summarize;

    /// A run of the redundancy model with these system and node figures.
    fn seed(seed: u64, up: f64, down: f64, failures: f64, node: Option<(f64, f64)>) -> RunResult {
        let mut figures = BTreeMap::new();
        figures.insert("system_uptime".to_string(), up);
        figures.insert("system_downtime".to_string(), down);
        figures.insert("system_failures".to_string(), failures);
        let ratio = |x: f64| {
            if failures > 0.0 {
                x / failures
            } else {
                f64::NAN
            }
        };
        figures.insert("mttsf".to_string(), ratio(up));
        figures.insert("mttr_system".to_string(), ratio(down));
        if let Some((mttr, crashes)) = node {
            figures.insert("node_failures".to_string(), crashes);
            figures.insert("node_mttr".to_string(), mttr);
        }
        RunResult {
            scenario: "s".into(),
            scenario_hash: "0".into(),
            hasim_version: "0".into(),
            seed,
            outcome: "completed".into(),
            sim_time_s: up + down,
            events: 0,
            trace_hash: String::new(),
            figures,
            checks: Vec::new(),
            violation: None,
            trace_tail: Vec::new(),
            replay: String::new(),
        }
    }

    /// The per-seed summary of `figure`, as the aggregate builds it before pooling.
    fn per_seed(results: &[RunResult], figure: &str) -> Summary {
        let v: Vec<f64> = results
            .iter()
            .filter_map(|r| r.figures.get(figure).copied().filter(|v| v.is_finite()))
            .collect();
        summarize(&v).expect("a value")
    }

    #[test]
    fn a_seed_without_a_failure_still_counts_its_up_time() {
        // 100 h up with one failure, 100 h up with none: 200 h per failure, where the
        // mean of per-seed ratios says 100 h.
        let results = [
            seed(1, 100.0, 1.0, 1.0, None),
            seed(2, 100.0, 0.0, 0.0, None),
        ];
        let mut s = per_seed(&results, "mttsf");
        assert_eq!(s.mean, 100.0);
        let pooled = pool(&RATIOS[0], &results, &mut s).expect("pooled");
        assert_eq!(s.mean, 200.0);
        assert_eq!((s.n, pooled.seeds), (2, 2));
        assert_eq!((pooled.numerator_sum, pooled.denominator_sum), (200.0, 1.0));
        // Percentiles and extremes stay those of the seeds with a ratio.
        assert_eq!((s.p50, s.min, s.max), (100.0, 100.0, 100.0));
    }

    #[test]
    fn seeds_weigh_by_their_failures() {
        // 30 h over 1 failure and 90 h over 9: 120 h / 10 = 12 h, where the mean of
        // the per-seed ratios (30 h and 10 h) says 20 h.
        let results = [seed(1, 30.0, 2.0, 1.0, None), seed(2, 90.0, 9.0, 9.0, None)];
        let mut s = per_seed(&results, "mttsf");
        assert_eq!(s.mean, 20.0);
        pool(&RATIOS[0], &results, &mut s).expect("pooled");
        assert_eq!(s.mean, 12.0);
        let mut r = per_seed(&results, "mttr_system");
        pool(&RATIOS[1], &results, &mut r).expect("pooled");
        assert_eq!(r.mean, 11.0 / 10.0);
    }

    #[test]
    fn the_interval_is_the_delta_method_for_a_ratio() {
        // x = 10, 20, 30, 40 over y = 1, 2, 2, 5: R = 100/10 = 10; d = 0, 0, 10, −10;
        // Σd² = 200, ȳ = 2.5: Var = 200/3/(4·6.25) = 8/3; half = t(3)·√(8/3).
        let results = [
            seed(1, 10.0, 0.0, 1.0, None),
            seed(2, 20.0, 0.0, 2.0, None),
            seed(3, 30.0, 0.0, 2.0, None),
            seed(4, 40.0, 0.0, 5.0, None),
        ];
        let mut s = per_seed(&results, "mttsf");
        pool(&RATIOS[0], &results, &mut s).expect("pooled");
        assert_eq!(s.mean, 10.0);
        let half = 3.182446305 * (8.0f64 / 3.0).sqrt();
        let got = s.ci95_half_width().expect("an interval");
        assert!((got - half).abs() < 1e-12, "{got} vs {half}");
        assert!((s.ci95_low.unwrap() - (10.0 - half)).abs() < 1e-12);
        // Proportional seeds (x = R·y on each) leave no spread at all.
        let flat = [seed(1, 10.0, 0.0, 1.0, None), seed(2, 30.0, 0.0, 3.0, None)];
        let mut f = per_seed(&flat, "mttsf");
        pool(&RATIOS[0], &flat, &mut f).expect("pooled");
        assert_eq!((f.ci95_low, f.ci95_high), (Some(10.0), Some(10.0)));
    }

    #[test]
    fn without_a_numerator_it_is_rebuilt_from_the_figure() {
        // node_mttr 2 s over 3 crashes and 6 s over 1, and a seed with no crash: 12 s
        // of downtime over 4 crashes = 3 s over 3 pooled seeds.
        let results = [
            seed(1, 1.0, 0.0, 0.0, Some((2.0, 3.0))),
            seed(2, 1.0, 0.0, 0.0, Some((6.0, 1.0))),
            seed(3, 1.0, 0.0, 0.0, Some((f64::NAN, 0.0))),
        ];
        let mut s = per_seed(&results, "node_mttr");
        assert_eq!(s.mean, 4.0);
        let pooled = pool(&RATIOS[2], &results, &mut s).expect("pooled");
        assert_eq!((s.mean, s.n), (3.0, 3));
        assert_eq!(pooled.numerator, "node_mttr × node_failures");
    }

    #[test]
    fn one_seed_has_no_interval_and_no_failure_pools_nothing() {
        let one = [seed(1, 50.0, 1.0, 2.0, None)];
        let mut s = per_seed(&one, "mttsf");
        pool(&RATIOS[0], &one, &mut s).expect("pooled");
        assert_eq!((s.mean, s.ci95_low), (25.0, None));
        let none = [seed(1, 50.0, 0.0, 0.0, None), seed(2, 50.0, 0.0, 0.0, None)];
        let mut figures = BTreeMap::new();
        assert!(pool_all(&none, &mut figures).is_empty());
    }
}
