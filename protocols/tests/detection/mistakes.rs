//! Mistakes against network trouble. Two sweeps, each run on fixed seeds:
//!
//! - Jitter, phi accrual against a fixed timeout at equal mean detection time. The
//!   fixed timeout is calibrated so that its mean detection time on the calmest level
//!   equals phi's; then latency jitter grows. A fixed timeout cannot move, so its false
//!   suspicions climb with the tail of the inter-arrival time; phi widens its fitted
//!   distribution and its false suspicions level off near 1 − CDF at the threshold
//!   (paying instead with a longer detection time, which the test prints).
//! - Loss, every detector: with more loss, false suspicions of the fixed timeout,
//!   k-missed pull, phi accrual, SWIM and Prometheus alerting all rise. (Phi is given a
//!   floor on σ that keeps its deadline between the same multiples of the interval at
//!   every level; otherwise its count saw-tooths, dropping each time its deadline
//!   adapts past one more lost heartbeat.)

use crate::support::{at, crash_cycles, span};
use hasim_protocols::detection::heartbeat::{Mode, Rule};
use hasim_protocols::detection::{
    DetectionReport, Detector, Heartbeat, HeartbeatParams, PhiAccrual, PhiAccrualParams,
    Prometheus, PrometheusParams, Swim, SwimParams,
};
use hasim_sim::{Distribution, NodeId, Seed, Sim, SimDuration};

/// 21 nodes (node 0 monitors), 600 s, each watched node crashed for 2 s about every
/// 40 s; returns (false suspicions, mean detection time in seconds).
fn measure<D: Detector>(detector: D, latency: Distribution, loss: f64, seed: u64) -> (f64, f64) {
    let mut sim = Sim::new(detector, 21, seed);
    let targets: Vec<NodeId> = (1..21).map(NodeId).collect();
    let mut stream = Seed(seed).stream("test/crashes");
    let faults = crash_cycles(
        &mut stream,
        &targets,
        at("5s"),
        at("600s"),
        span("30s"),
        span("20s"),
        span("2s"),
    );
    sim.uniform_network(latency, loss)
        .expect("valid network")
        .horizon(at("600s"))
        .faults(faults)
        .expect("valid faults");
    sim.run();
    let f = DetectionReport::of(&sim).figures();
    (f["false_suspicions"], f["detection_first_mean_s"])
}

fn jitter(sd_ms: u64) -> Distribution {
    Distribution::Normal {
        mean: span("20ms"),
        sd: SimDuration::from_millis(sd_ms),
    }
}

#[test]
fn jitter_hurts_a_fixed_timeout_more_than_phi_accrual() {
    // Seeds: one 600 s run per detector and level, 20 watched nodes, about 120,000
    // heartbeats and 280 crashes each. Tolerance: calibration within 2 % of phi's mean
    // detection time; then at the calmest level both are nearly free of mistakes, at
    // the roughest the fixed timeout makes at least 3 times as many as phi, and over
    // the sweep its count rises by at least 3 times as much.
    let phi = PhiAccrual::new(PhiAccrualParams {
        interval: span("100ms"),
        threshold: 3.0,
        window: 200,
        min_sd: span("20ms"),
        acceptable_pause: span("0s"),
        first_estimate: span("100ms"),
        ..PhiAccrualParams::default()
    })
    .expect("valid parameters");
    let levels = [2, 10, 20, 30];
    let (_, phi_detection) = measure(phi.clone(), jitter(levels[0]), 0.0, 1);
    // Mean detection of a fixed timeout T is T + d − P/2 (d = 20 ms, P = 100 ms).
    let timeout = SimDuration::from_secs_f64(phi_detection - 0.020 + 0.050);
    let fixed = Heartbeat::new(HeartbeatParams {
        interval: span("100ms"),
        timeout,
        ..HeartbeatParams::default()
    })
    .expect("valid parameters");
    let (_, fixed_detection) = measure(fixed.clone(), jitter(levels[0]), 0.0, 1);
    assert!(
        (fixed_detection - phi_detection).abs() / phi_detection < 0.02,
        "calibration: fixed {fixed_detection} phi {phi_detection}"
    );
    let mut rows = Vec::new();
    for &sd in &levels {
        let (phi_false, phi_det) = measure(phi.clone(), jitter(sd), 0.0, 1);
        let (fixed_false, fixed_det) = measure(fixed.clone(), jitter(sd), 0.0, 1);
        eprintln!(
            "jitter sd {sd:>2} ms: false suspicions fixed {fixed_false:>5} phi {phi_false:>4}; \
             detection fixed {fixed_det:.4}s phi {phi_det:.4}s"
        );
        rows.push((fixed_false, phi_false));
    }
    let (first, last) = (rows[0], rows[rows.len() - 1]);
    assert!(first.0 <= 2.0 && first.1 <= 2.0, "{rows:?}");
    for w in rows.windows(2) {
        assert!(
            w[1].0 > w[0].0 || w[1].0 == 0.0,
            "fixed must rise: {rows:?}"
        );
        assert!(w[1].1 + 2.0 >= w[0].1, "phi must not fall: {rows:?}");
    }
    assert!(last.1 > first.1, "phi must rise over the sweep: {rows:?}");
    assert!(last.0 >= 3.0 * last.1, "{rows:?}");
    assert!(last.0 - first.0 >= 3.0 * (last.1 - first.1), "{rows:?}");
}

#[test]
fn loss_raises_false_suspicions_of_every_detector() {
    // Seeds: one 600 s run per detector and level (20 watched nodes). Tolerance: each
    // detector's false suspicions strictly rise from level to level.
    let levels = [0.1, 0.2, 0.3];
    let latency = Distribution::Uniform {
        min: span("1ms"),
        max: span("5ms"),
    };
    let fixed = Heartbeat::new(HeartbeatParams {
        interval: span("100ms"),
        timeout: span("350ms"),
        ..HeartbeatParams::default()
    })
    .expect("valid parameters");
    let pull = Heartbeat::new(HeartbeatParams {
        mode: Mode::Pull,
        interval: span("100ms"),
        rule: Rule::Missed,
        missed: 3,
        ..HeartbeatParams::default()
    })
    .expect("valid parameters");
    let phi = PhiAccrual::new(PhiAccrualParams {
        interval: span("100ms"),
        min_sd: span("60ms"),
        acceptable_pause: span("0s"),
        first_estimate: span("100ms"),
        window: 200,
        ..PhiAccrualParams::default()
    })
    .expect("valid parameters");
    let swim = Swim::new(SwimParams {
        period: span("200ms"),
        ping_timeout: span("50ms"),
        suspicion_timeout: span("1s"),
        ..SwimParams::default()
    })
    .expect("valid parameters");
    let prometheus = Prometheus::new(PrometheusParams {
        scrape_interval: span("1s"),
        scrape_timeout: span("500ms"),
        evaluation_interval: span("1s"),
        for_duration: span("1s"),
        delivery_delay: span("0s"),
        ..PrometheusParams::default()
    })
    .expect("valid parameters");
    let sweep = |name: &str, run: &dyn Fn(f64) -> (f64, f64)| {
        let counts: Vec<f64> = levels.iter().map(|&loss| run(loss).0).collect();
        eprintln!("loss {levels:?}: {name} false suspicions {counts:?}");
        for w in counts.windows(2) {
            assert!(w[1] > w[0], "{name}: {counts:?}");
        }
    };
    sweep("fixed timeout", &|l| measure(fixed.clone(), latency, l, 2));
    sweep("pull 3 missed", &|l| measure(pull.clone(), latency, l, 2));
    sweep("phi accrual", &|l| measure(phi.clone(), latency, l, 2));
    sweep("swim", &|l| measure(swim.clone(), latency, l, 2));
    sweep("prometheus", &|l| {
        measure(prometheus.clone(), latency, l, 2)
    });
}
