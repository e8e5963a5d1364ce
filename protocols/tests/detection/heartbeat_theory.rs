//! Push heartbeats against their closed form. With interval P, constant one-way latency
//! d and crashes at uniformly random phases:
//! - rule timeout T, measured from the last heartbeat received: detection time is
//!   uniform on (T + d − P, T + d], mean T + d − P/2;
//! - rule k missed, counted at the monitor's own ticks: detection time lies in
//!   ((k − 1)·P + d, (k + 1)·P + d), mean k·P + d (the crash's phase against the
//!   heartbeats and the tick's phase against the last arrival are each uniform on P).

use crate::support::{at, crash_cycles, span};
use hasim_protocols::detection::heartbeat::Rule;
use hasim_protocols::detection::{DetectionReport, Heartbeat, HeartbeatParams};
use hasim_sim::{Distribution, NodeId, Seed, Sim};

/// Detection times (seconds) of every failure in two runs of 20 watched nodes, each
/// crashed about 70 times at random phases; every failure must be detected.
fn detection_times(params: HeartbeatParams) -> Vec<f64> {
    let mut times = Vec::new();
    for seed in [1, 2] {
        let detector = Heartbeat::new(params.clone()).expect("valid parameters");
        let mut sim = Sim::new(detector, 21, seed);
        let targets: Vec<NodeId> = (1..21).map(NodeId).collect();
        let mut stream = Seed(seed).stream("test/crashes");
        let faults = crash_cycles(
            &mut stream,
            &targets,
            at("1s"),
            at("100s"),
            span("300ms"),
            span("1s"),
            span("600ms"),
        );
        sim.uniform_network(Distribution::constant(span("5ms")), 0.0)
            .expect("valid network")
            .horizon(at("101s"))
            .faults(faults)
            .expect("valid faults");
        sim.run();
        let report = DetectionReport::of(&sim);
        assert!(
            report.detections.len() > 1200,
            "{}",
            report.detections.len()
        );
        for d in &report.detections {
            let first = d.first.unwrap_or_else(|| panic!("undetected: {d:?}"));
            times.push(first.as_secs_f64());
        }
        assert!(
            report.false_suspicions.is_empty(),
            "{:?}",
            report.false_suspicions
        );
    }
    times
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

fn bounds(xs: &[f64]) -> (f64, f64) {
    let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

#[test]
fn timeout_detection_is_uniform_on_its_interval() {
    // Tolerance: mean within 2 % of T + d − P/2 = 305 ms; every sample in
    // (255 ms, 355 ms]. 2 seeds, about 2,800 failures: the sample mean's standard
    // error is 0.55 ms (0.2 %).
    let params = HeartbeatParams {
        interval: span("100ms"),
        timeout: span("350ms"),
        ..HeartbeatParams::default()
    };
    let times = detection_times(params);
    let (min, max) = bounds(&times);
    let m = mean(&times);
    eprintln!(
        "timeout: {} failures, mean {m:.5}s, min {min:.5}s, max {max:.5}s",
        times.len()
    );
    assert!((m - 0.305).abs() / 0.305 < 0.02, "mean {m}");
    assert!(min > 0.255 && max <= 0.355, "min {min} max {max}");
}

#[test]
fn k_missed_detection_lies_within_its_bounds() {
    // Tolerance: mean within 2 % of k·P + d = 305 ms (k = 3); every sample in
    // (205 ms, 405 ms). 2 seeds, about 2,800 failures.
    let params = HeartbeatParams {
        interval: span("100ms"),
        rule: Rule::Missed,
        missed: 3,
        ..HeartbeatParams::default()
    };
    let times = detection_times(params);
    let (min, max) = bounds(&times);
    let m = mean(&times);
    eprintln!(
        "k missed: {} failures, mean {m:.5}s, min {min:.5}s, max {max:.5}s",
        times.len()
    );
    assert!((m - 0.305).abs() / 0.305 < 0.02, "mean {m}");
    assert!(min > 0.205 && max < 0.405, "min {min} max {max}");
}
