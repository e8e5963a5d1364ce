//! A sweep's pooled MTTSF and its probability of failure in a period, against the
//! exponential: one replica (k = 1 of 1) that fails after an exponential time of
//! mean 100 h and is repaired in 1 h, over periods of 100 h.
//!
//! Theory: the mean up time between failures is the MTBF, 100 h (memoryless, so the
//! runs cut off while up, and the seeds with no failure at all, are exactly the
//! censoring Σ up / Σ failures accounts for); the first failure is Exp(100 h) from the
//! start, so P(failure within T) = 1 − e^(−T/MTBF) = 1 − e^(−1) ≈ 0.632.
//! The mean of per-seed ratios, which the sweep printed before pooling, reads about
//! 76 h here (it drops the 37 % of seeds without a failure and weighs a seed with one
//! failure like one with four); the test shows it outside the pooled interval, so the
//! check can tell the two estimators apart.

use super::support::run;
use hasim::scenario::Scenario;
use hasim::sweep::aggregate::aggregate;
use hasim::sweep::output::{Header, FORMAT};
use hasim::sweep::ratios::RATIOS;
use hasim::sweep::seeds::SeedRange;
use std::path::Path;

const SEEDS: u64 = 400;
const MTBF_H: f64 = 100.0;
const PERIOD_H: f64 = 100.0;

fn scenario() -> Scenario {
    let text = r#"
[scenario]
name = "pooled_theory"
description = "one replica, exponential failures, 1 h repairs"
duration = "100h"

[[group]]
role = "replica"
count = 1
protocol = "redundancy"
params = { k = 1 }

[[faults.lifecycle]]
target = "role:replica"
time_to_failure = "100h"
time_to_repair = "1h"
"#;
    hasim::Registry::builtin()
        .parse(text, Path::new("tests/pooled_theory.rs"))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn pooled_mttsf_and_failure_probability_agree_with_the_exponential() {
    let s = scenario();
    let results: Vec<_> = (1..=SEEDS).map(|seed| run(&s, seed)).collect();
    let header = Header {
        format: FORMAT.into(),
        scenario: s.name.clone(),
        model: "redundancy".into(),
        scenario_hash: s.hash.clone(),
        hasim_version: "test".into(),
        seeds: SeedRange::until(1, SEEDS + 1),
        shard: None,
        runs: SEEDS,
        complete: true,
    };
    let a = aggregate(&s.entry, &header, &results);

    let mttsf = &a.figures["mttsf"];
    let (low, high) = (mttsf.ci95_low.unwrap(), mttsf.ci95_high.unwrap());
    let theory = MTBF_H * 3600.0;
    println!(
        "pooled mttsf {:.2} h, 95% CI {:.2} – {:.2} h",
        mttsf.mean / 3600.0,
        low / 3600.0,
        high / 3600.0
    );
    assert!(
        low <= theory && theory <= high,
        "theory {theory} outside {low}–{high}"
    );
    assert!(
        high - low < 0.25 * theory,
        "the interval is too wide to discriminate"
    );
    // Every seed is pooled, the ones without a failure too.
    assert_eq!((mttsf.n, a.pooled["mttsf"].seeds), (SEEDS, SEEDS));

    let ratios: Vec<f64> = results
        .iter()
        .filter_map(|r| r.figures.get("mttsf").copied().filter(|v| v.is_finite()))
        .collect();
    let mean_of_ratios = ratios.iter().sum::<f64>() / ratios.len() as f64;
    println!(
        "mean of per-seed ratios {:.2} h over {} seeds",
        mean_of_ratios / 3600.0,
        ratios.len()
    );
    assert!(
        mean_of_ratios < low,
        "the old estimator would pass too: {mean_of_ratios}"
    );

    let p = a.failure_probability.as_ref().expect("P_F");
    let theory = 1.0 - (-PERIOD_H / MTBF_H).exp();
    println!(
        "P_F {:.3}, 95% CI {:.3} – {:.3}, theory {theory:.3}",
        p.share, p.ci95_low, p.ci95_high
    );
    assert_eq!((p.seeds, p.basis.as_str()), (SEEDS, "system_failures >= 1"));
    assert!(p.ci95_low <= theory && theory <= p.ci95_high, "{p:?}");
    assert!(p.ci95_high - p.ci95_low < 0.1, "{p:?}");
    assert_eq!(p.period_s, PERIOD_H * 3600.0);
}

#[test]
fn every_pooled_figure_is_reported_with_the_totals_it_is_pooled_from() {
    // A renamed figure would silently fall back to the mean of per-seed ratios: each
    // ratio's names are reported together by a bundled scenario, and where the
    // numerator is its own figure, one run's ratio is exactly numerator / denominator.
    let runs: Vec<_> = [
        "scenarios/recovery_2of3_year.toml",
        "scenarios/detection_heartbeat_faults.toml",
    ]
    .iter()
    .map(|path| {
        let s = hasim::Registry::builtin()
            .load(Path::new(path))
            .unwrap_or_else(|e| panic!("{e}"));
        run(&s, 1)
    })
    .collect();
    for ratio in &RATIOS {
        let r = runs
            .iter()
            .find(|r| r.figures.contains_key(ratio.figure))
            .unwrap_or_else(|| panic!("no bundled run reports {}", ratio.figure));
        let y = r.figures[ratio.denominator];
        assert!(
            y > 0.0,
            "{}: seed 1 has no {}",
            ratio.figure,
            ratio.denominator
        );
        if let Some(numerator) = ratio.numerator {
            let (ratio_value, x) = (r.figures[ratio.figure], r.figures[numerator]);
            assert!(
                (ratio_value - x / y).abs() <= 1e-12 * ratio_value.abs(),
                "{} = {ratio_value}, but {numerator} / {} = {}",
                ratio.figure,
                ratio.denominator,
                x / y
            );
        }
    }
}
