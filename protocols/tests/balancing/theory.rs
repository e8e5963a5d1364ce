//! Agreement with queueing theory. Network latency is zero and timeouts are off, so a
//! request's latency is its sojourn at the backend. Each test states its tolerance
//! and seed count; each compares a mean over seeds with a closed form.

use super::{exp, run, secs};
use hasim_protocols::balancing::params::{BudgetParams, Params, PolicyKind, Slow, Workload};
use hasim_sim::SimDuration;

/// A theory setting: `backends` backends of `workers` slots, exponential service of
/// mean 1 s, Poisson arrivals at `rate`, deep queues, no timeouts.
fn queueing(backends: u32, workers: u32, rate: f64, policy: PolicyKind) -> Params {
    let mut p = Params {
        backends,
        workload: Workload::Open {
            rate,
            schedule: Vec::new(),
        },
        ..Params::default()
    };
    p.client.timeout = SimDuration::ZERO;
    p.balancer.upstream_timeout = SimDuration::ZERO;
    p.balancer.policy = policy;
    p.backend.workers = workers;
    p.backend.queue_max = 1_000_000;
    p.backend.service = exp(1.0);
    p
}

fn mean_over_seeds(seeds: u64, f: impl Fn(u64) -> f64) -> f64 {
    (1..=seeds).map(&f).sum::<f64>() / seeds as f64
}

/// Erlang C: the probability that an arrival waits in an M/M/c queue.
fn erlang_c(c: u32, lambda: f64, mu: f64) -> f64 {
    let a = lambda / mu;
    let rho = a / f64::from(c);
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    let tail = term / (1.0 - rho);
    tail / (sum + tail)
}

#[test]
fn one_backend_with_c_workers_is_erlang_c() {
    // M/M/4, λ = 3.2, μ = 1 (ρ = 0.8): P(wait) = 0.5964, Wq = P(wait) / (cμ − λ) =
    // 0.7455 s. Tolerance 3 % on both; 4 seeds of 100,000 s (~320,000 requests each).
    let (c, lambda, mu) = (4, 3.2, 1.0);
    let p_wait = erlang_c(c, lambda, mu);
    let wq = p_wait / (f64::from(c) * mu - lambda);
    assert!((p_wait - 0.5964).abs() < 1e-3, "Erlang C formula: {p_wait}");
    let figures: Vec<_> = (1..=4)
        .map(|seed| {
            run(
                queueing(1, c, lambda, PolicyKind::RoundRobin),
                seed,
                100_000.0,
                SimDuration::ZERO,
                vec![],
            )
        })
        .collect();
    let mean = |k: &str| figures.iter().map(|f| f[k]).sum::<f64>() / figures.len() as f64;
    let (got_p, got_wq) = (mean("wait_probability"), mean("wait_mean_s"));
    eprintln!("M/M/4: P(wait) {got_p:.4} vs {p_wait:.4}, Wq {got_wq:.4} vs {wq:.4}");
    assert!(
        (got_p - p_wait).abs() / p_wait < 0.03,
        "P(wait) {got_p:.4}, Erlang C {p_wait:.4}"
    );
    assert!(
        (got_wq - wq).abs() / wq < 0.03,
        "Wq {got_wq:.4} s, Erlang C {wq:.4} s"
    );
    // Utilisation is ρ on the backend's own time integral.
    let u = mean("utilisation.0");
    assert!((u - 0.8).abs() < 0.02, "utilisation {u}");
}

#[test]
fn random_balancing_gives_independent_m_m_1_queues() {
    // Random over N = 4 single-slot backends at λ = 2.4: each an M/M/1 at λ/N = 0.6,
    // mean sojourn 1 / (μ − λ/N) = 2.5 s. Tolerance 2 %; 4 seeds of 60,000 s
    // (~144,000 requests each).
    let (n, lambda) = (4, 2.4);
    let expected = 1.0 / (1.0 - lambda / f64::from(n));
    let got = mean_over_seeds(4, |seed| {
        run(
            queueing(n, 1, lambda, PolicyKind::Random),
            seed,
            60_000.0,
            SimDuration::ZERO,
            vec![],
        )["latency_mean_s"]
    });
    eprintln!("M/M/1 x {n}: sojourn {got:.4} vs {expected:.4}");
    assert!(
        (got - expected).abs() / expected < 0.02,
        "mean sojourn {got:.4} s, M/M/1 {expected:.4} s"
    );
}

#[test]
fn power_of_two_choices_beats_random_and_round_robin_on_p99() {
    // 8 single-slot backends at 90 % load (λ = 7.2, μ = 1), 2 seeds of 20,000 s. The
    // gaps are large (random ~46 s, round robin ~25 s, P2C ~10 s in theory), so the
    // test asks only for the order, with JSQ allowed 5 % of noise over P2C.
    let p99 = |policy| {
        mean_over_seeds(2, |seed| {
            run(
                queueing(8, 1, 7.2, policy),
                seed,
                20_000.0,
                SimDuration::ZERO,
                vec![],
            )["latency_p99_s"]
        })
    };
    let random = p99(PolicyKind::Random);
    let rr = p99(PolicyKind::RoundRobin);
    let p2c = p99(PolicyKind::PowerOfTwo);
    let jsq = p99(PolicyKind::JoinShortestQueue);
    eprintln!("p99: random {random:.2} rr {rr:.2} p2c {p2c:.2} jsq {jsq:.2}");
    assert!(
        p2c < rr && p2c < random,
        "p2c {p2c} rr {rr} random {random}"
    );
    assert!(jsq <= p2c * 1.05, "jsq {jsq} p2c {p2c}");
}

/// Four backends of four workers (mean service 10 ms) at half load, all ten times
/// slower from 20 s to 40 s: capacity falls to 160/s under an offered 200/s.
fn brownout(budget: Option<BudgetParams>) -> Params {
    let mut p = Params {
        backends: 4,
        workload: Workload::Open {
            rate: 200.0,
            schedule: Vec::new(),
        },
        ..Params::default()
    };
    p.client.timeout = secs(0.2);
    p.client.retries_max = 3;
    p.client.budget = budget;
    p.balancer.policy = PolicyKind::LeastOutstanding;
    p.backend.workers = 4;
    p.backend.queue_max = 50;
    p.backend.service = exp(0.01);
    p.backend.slow = (0..4)
        .map(|backend| Slow {
            backend,
            at: secs(20.0),
            until: secs(40.0),
            factor: 10.0,
        })
        .collect();
    p
}

#[test]
fn retries_amplify_a_brownout_unless_budgeted() {
    // 3 seeds of 60 s. Without a budget, timed-out attempts are retried up to three
    // times and the run's attempts per request rise well above 1 (above 1.2 here;
    // about 1.4 observed). With a 10 % budget (minimum 3 per 10 s window), retries
    // stay within 10 % of requests plus the minimum: amplification at most 1.12.
    let amplification = |budget: Option<BudgetParams>| {
        mean_over_seeds(3, |seed| {
            run(brownout(budget.clone()), seed, 60.0, secs(0.001), vec![])["amplification"]
        })
    };
    let free = amplification(None);
    let budgeted = amplification(Some(BudgetParams::default()));
    eprintln!("amplification: free {free:.3} budgeted {budgeted:.3}");
    assert!(free > 1.2, "no amplification without a budget: {free}");
    assert!(budgeted <= 1.12, "budget exceeded: {budgeted}");
    // And with no brownout at all, retries are rare either way.
    let mut calm = brownout(None);
    calm.backend.slow.clear();
    let calm = run(calm, 1, 60.0, secs(0.001), vec![])["amplification"];
    assert!(calm < 1.01, "retries without a brownout: {calm}");
}
