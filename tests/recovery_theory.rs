//! Long-run availability against theory, through the path a user takes: a scenario
//! with `[[faults.lifecycle]]` and the `redundancy` model, run per seed, figures
//! averaged over seeds.
//!
//! Every case runs `SEEDS` seeds of `YEARS` simulated years with node MTBF 100 h and
//! MTTR 1 h (MTBF/MTTR = 100), about 3,500 failures per node per seed. The tolerance
//! is 4 standard errors of the mean over the seeds (the seeds' measured spread,
//! s/√SEEDS), and each test also requires that tolerance to be under a stated share of
//! the theoretical unavailability, so it can tell right from wrong (a shared crew
//! roughly doubles the unavailability of 1-of-2 and 2-of-3; a test as loose as that
//! would pass either way). Runs start with every node up, so the time average is
//! biased by about MTTR/T relative to the stationary value: 3·10⁻⁶ here, far inside
//! the tolerance. Also: the per-event `system_up` invariant agrees with the timeline
//! sweep behind the figures.

use hasim::runner::{run, RunOptions};
use hasim::scenario::Scenario;
use std::path::Path;

const SEEDS: u64 = 20;
const YEARS: u64 = 40;
/// Node failure and repair rates per hour.
const LAMBDA: f64 = 1.0 / 100.0;
const MU: f64 = 1.0;

/// A k-of-n scenario: exponential times to failure (mean 100 h) and repair (1 h) per
/// node, independent repair or `crews`; `distributions` overrides both.
fn scenario(n: u32, k: u32, crews: Option<u32>, distributions: Option<(&str, &str)>) -> Scenario {
    let (ttf, ttr) = distributions.unwrap_or(("\"100h\"", "\"1h\""));
    let crews = crews.map_or(String::new(), |c| format!("crews = {c}"));
    let text = format!(
        r#"
[scenario]
name = "recovery_theory_{k}of{n}"
description = "{k}-of-{n} availability against theory"
duration = "{days}d"

[[group]]
role = "replica"
count = {n}
protocol = "redundancy"
params = {{ k = {k} }}

[[faults.lifecycle]]
target = "role:replica"
time_to_failure = {ttf}
time_to_repair = {ttr}
{crews}
"#,
        days = YEARS * 365
    );
    hasim::Registry::builtin()
        .parse(&text, Path::new("tests/recovery_theory.rs"))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Mean and standard error over the seeds of each figure in `names`.
fn measure(s: &Scenario, names: &[&str]) -> Vec<(f64, f64)> {
    let mut values = vec![Vec::new(); names.len()];
    for seed in 1..=SEEDS {
        let r = run(
            s,
            &RunOptions {
                seed,
                ..RunOptions::default()
            },
        )
        .expect("runs");
        for (v, name) in values.iter_mut().zip(names) {
            v.push(
                *r.figures
                    .get(*name)
                    .unwrap_or_else(|| panic!("seed {seed}: no {name}")),
            );
        }
    }
    values
        .iter()
        .map(|v| {
            let n = v.len() as f64;
            let mean = v.iter().sum::<f64>() / n;
            let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
            (mean, (var / n).sqrt())
        })
        .collect()
}

/// Asserts `measured` (mean, standard error) within 4 standard errors of `theory`,
/// and that 4 standard errors are under `share` of `scale` (so the test discriminates).
fn agrees(what: &str, measured: (f64, f64), theory: f64, scale: f64, share: f64) {
    let (mean, se) = measured;
    let tolerance = 4.0 * se;
    // Shown with `--nocapture`: the numbers docs/src/recovery.md quotes.
    println!("{what}: measured {mean:.6e} ± {tolerance:.2e} (4 SE over {SEEDS} seeds), theory {theory:.6e}");
    assert!(
        tolerance <= share * scale,
        "{what}: 4 standard errors ({tolerance:.3e}) exceed {share} of {scale:.3e}; the test would not discriminate"
    );
    assert!(
        (mean - theory).abs() <= tolerance,
        "{what}: measured {mean:.6e} ± {tolerance:.2e} (4 SE), theory {theory:.6e}"
    );
}

fn binomial(n: u32, k: u32, a: f64) -> f64 {
    let choose = |n: u32, i: u32| (0..i).fold(1.0, |c, j| c * f64::from(n - j) / f64::from(j + 1));
    (k..=n)
        .map(|i| choose(n, i) * a.powi(i as i32) * (1.0 - a).powi((n - i) as i32))
        .sum()
}

/// The birth–death chain of n nodes with `crews` repair crews. State i = nodes failed;
/// i → i+1 at rate (n−i)λ (any up node fails), i → i−1 at rate min(i, crews)μ (busy
/// crews finish). Detailed balance: π(i+1) = π(i)·(n−i)λ / (min(i+1, crews)μ).
/// Returns the stationary distribution.
fn chain(n: u32, crews: u32) -> Vec<f64> {
    let mut pi = vec![1.0];
    for i in 0..n {
        let next =
            pi[i as usize] * f64::from(n - i) * LAMBDA / (f64::from((i + 1).min(crews)) * MU);
        pi.push(next);
    }
    let total: f64 = pi.iter().sum();
    pi.iter().map(|p| p / total).collect()
}

/// From the chain: availability (at most n−k failed), and the system failure
/// frequency: leaving state n−k upward, at rate kλ.
fn chain_figures(n: u32, k: u32, crews: u32) -> (f64, f64) {
    let pi = chain(n, crews);
    let up = (n - k) as usize;
    let availability: f64 = pi[..=up].iter().sum();
    (availability, pi[up] * f64::from(k) * LAMBDA)
}

#[test]
fn the_chain_with_a_crew_per_node_is_the_binomial() {
    // Independent repair is the chain with n crews: a check of the derivation.
    let a = MU / (LAMBDA + MU);
    for (n, k) in [(1, 1), (2, 1), (3, 2), (5, 3)] {
        let (chain_a, _) = chain_figures(n, k, n);
        assert!((chain_a - binomial(n, k, a)).abs() < 1e-12, "{k}-of-{n}");
    }
}

#[test]
fn one_component_availability_is_mtbf_over_mtbf_plus_mttr() {
    // Exponential: A = 100/101. Theoretical standard error per seed of a time average
    // over T: sqrt(2A(1−A)/((λ+μ)T)) = 2.4·10⁻⁴, so 4 SE over 20 seeds ≈ 2 % of 1−A.
    let a = 100.0 / 101.0;
    let m = measure(
        &scenario(1, 1, None, None),
        &["system_availability", "node_mttr"],
    );
    agrees("1-of-1 availability", m[0], a, 1.0 - a, 0.05);
    // Mean repair time, in seconds: 1 h.
    agrees("node MTTR", m[1], 3600.0, 3600.0, 0.05);
    // Any distributions (alternating renewal): A = E[up]/(E[up] + E[down]). Weibull
    // shape 2, scale 400000 s: mean 400000·Γ(1.5) = 200000·√π s; lognormal repair,
    // median 3000 s, σ 0.8: mean 3000·e^0.32 s.
    let up = 200_000.0 * std::f64::consts::PI.sqrt();
    let down = 3000.0 * (0.32f64).exp();
    let s = scenario(
        1,
        1,
        None,
        Some((
            r#"{ dist = "weibull", scale = "400000s", shape = 2.0 }"#,
            r#"{ dist = "lognormal", median = "3000s", sigma = 0.8 }"#,
        )),
    );
    let m = measure(&s, &["system_availability"]);
    agrees(
        "Weibull/lognormal availability",
        m[0],
        up / (up + down),
        down / (up + down),
        0.05,
    );
}

#[test]
fn k_of_n_with_independent_repair_is_binomial() {
    let a = MU / (LAMBDA + MU);
    for (n, k, share) in [(2, 1, 0.25), (3, 2, 0.2)] {
        let theory = binomial(n, k, a);
        let (_, frequency) = chain_figures(n, k, n);
        let m = measure(
            &scenario(n, k, None, None),
            &["system_availability", "mttr_system"],
        );
        agrees(
            &format!("{k}-of-{n} availability"),
            m[0],
            theory,
            1.0 - theory,
            share,
        );
        // Mean system outage (1−A)/f, in seconds: half an hour for both (two repairs race).
        let outage = (1.0 - theory) / frequency * 3600.0;
        agrees(
            &format!("{k}-of-{n} mean outage"),
            m[1],
            outage,
            outage,
            0.25,
        );
    }
}

#[test]
fn k_of_n_with_one_shared_crew_follows_the_birth_death_chain() {
    let a = MU / (LAMBDA + MU);
    for (n, k, share) in [(2, 1, 0.25), (3, 2, 0.2)] {
        let (theory, frequency) = chain_figures(n, k, 1);
        // One crew is worse than a crew per node: about twice the unavailability.
        assert!(1.0 - theory > 1.8 * (1.0 - binomial(n, k, a)));
        let m = measure(
            &scenario(n, k, Some(1), None),
            &["system_availability", "mttr_system", "mttsf"],
        );
        agrees(
            &format!("{k}-of-{n}, one crew: availability"),
            m[0],
            theory,
            1.0 - theory,
            share,
        );
        // One crew, one repair at a time: a system outage lasts one repair, 1 h.
        let outage = (1.0 - theory) / frequency * 3600.0;
        agrees(
            &format!("{k}-of-{n}, one crew: mean outage"),
            m[1],
            outage,
            outage,
            0.25,
        );
        let mttsf = theory / frequency * 3600.0;
        agrees(
            &format!("{k}-of-{n}, one crew: MTTSF"),
            m[2],
            mttsf,
            mttsf,
            0.25,
        );
    }
}

#[test]
fn the_system_up_invariant_breaks_exactly_on_the_runs_with_a_system_failure() {
    // The per-event property and the after-run timeline sweep judge the same thing:
    // over 30 one-year seeds of 2-of-3 (30-day MTBF, 12-hour MTTR; about a third of
    // the years see no system failure), `invariant = "system_up"` is violated exactly
    // when the unchecked run reports a system failure.
    let text = |check: &str| {
        format!(
            r#"
[scenario]
name = "recovery_system_up"
description = "system_up as an invariant"
duration = "365d"

[[group]]
role = "replica"
count = 3
protocol = "redundancy"
params = {{ k = 2 }}

[[faults.lifecycle]]
time_to_failure = "720h"
time_to_repair = "12h"
{check}
"#
        )
    };
    let parse = |t: String| {
        hasim::Registry::builtin()
            .parse(&t, Path::new("tests/recovery_theory.rs"))
            .unwrap()
    };
    let plain = parse(text(""));
    let checked = parse(text("[[check]]\ninvariant = \"system_up\""));
    let (mut failed, mut clean) = (0, 0);
    for seed in 1..=30 {
        let opts = RunOptions {
            seed,
            ..RunOptions::default()
        };
        let failures = run(&plain, &opts).unwrap().figures["system_failures"];
        let r = run(&checked, &opts).unwrap();
        assert_eq!(
            r.outcome == "violated",
            failures > 0.0,
            "seed {seed}: {r:?}"
        );
        if failures > 0.0 {
            failed += 1;
        } else {
            clean += 1;
        }
    }
    assert!(
        failed > 5 && clean > 5,
        "{failed} seeds with a failure, {clean} without"
    );
}
