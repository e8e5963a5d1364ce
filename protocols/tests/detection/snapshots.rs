//! Snapshots of each detector on a fixed seed: the first 40 trace records (the contract
//! of what the model does, message by message) and every observation of a short run
//! with a crash and a restart (what it concluded, and when).

use crate::support::{at, span, Captured};
use hasim_protocols::detection::heartbeat::{Mode, Rule};
use hasim_protocols::detection::{
    Detector, DetectorObservation, Heartbeat, HeartbeatParams, Monitors, PhiAccrual,
    PhiAccrualParams, Prometheus, PrometheusParams, Swim, SwimParams,
};
use hasim_sim::{Distribution, Fault, NodeId, ScheduledFault, Sim};

/// Runs `detector` on `nodes` nodes (seed 7, latency uniform 1–5 ms) with `victim`
/// crashed at `crash` and restarted at `restart`, until `end`; returns the first 40
/// trace records and the observations.
fn run<D: Detector>(
    detector: D,
    nodes: u32,
    victim: u32,
    crash: &str,
    restart: &str,
    end: &str,
) -> (String, String) {
    let trace = Captured::first(40);
    let mut sim = Sim::new(detector, nodes, 7);
    let node = NodeId(victim);
    sim.uniform_network(
        Distribution::Uniform {
            min: span("1ms"),
            max: span("5ms"),
        },
        0.0,
    )
    .expect("valid network")
    .horizon(at(end))
    .faults([
        ScheduledFault {
            at: at(crash),
            fault: Fault::Crash { node },
        },
        ScheduledFault {
            at: at(restart),
            fault: Fault::Restart { node },
        },
    ])
    .expect("valid faults")
    .trace_sink(trace.clone());
    sim.run();
    let observations: Vec<String> = sim
        .observations()
        .iter()
        .map(|o| {
            let (verb, target) = match o.observation {
                DetectorObservation::Suspect { target } => ("suspect", target),
                DetectorObservation::Trust { target } => ("trust", target),
                DetectorObservation::Confirm { target } => ("confirm", target),
            };
            format!(
                "{:>14} {:>3} {verb:<7} {target}",
                o.time.to_string(),
                o.node
            )
        })
        .collect();
    (trace.text(), observations.join("\n"))
}

#[test]
fn heartbeat_push_timeout() {
    let detector = Heartbeat::new(HeartbeatParams {
        interval: span("100ms"),
        timeout: span("350ms"),
        ..HeartbeatParams::default()
    })
    .expect("valid parameters");
    let (trace, observations) = run(detector, 4, 2, "150ms", "1s", "2s");
    insta::assert_snapshot!("heartbeat_push_timeout_trace", trace);
    insta::assert_snapshot!("heartbeat_push_timeout_observations", observations);
}

#[test]
fn heartbeat_pull_missed_all_to_all() {
    let detector = Heartbeat::new(HeartbeatParams {
        mode: Mode::Pull,
        interval: span("100ms"),
        rule: Rule::Missed,
        missed: 2,
        monitors: Monitors::All,
        ..HeartbeatParams::default()
    })
    .expect("valid parameters");
    let (trace, observations) = run(detector, 3, 2, "150ms", "1s", "2s");
    insta::assert_snapshot!("heartbeat_pull_missed_trace", trace);
    insta::assert_snapshot!("heartbeat_pull_missed_observations", observations);
}

#[test]
fn phi_accrual() {
    let detector = PhiAccrual::new(PhiAccrualParams {
        interval: span("100ms"),
        min_sd: span("10ms"),
        acceptable_pause: span("0s"),
        first_estimate: span("100ms"),
        ..PhiAccrualParams::default()
    })
    .expect("valid parameters");
    let (trace, observations) = run(detector, 4, 2, "150ms", "1s", "2s");
    insta::assert_snapshot!("phi_accrual_trace", trace);
    insta::assert_snapshot!("phi_accrual_observations", observations);
}

#[test]
fn swim() {
    let detector = Swim::new(SwimParams {
        period: span("200ms"),
        ping_timeout: span("50ms"),
        suspicion_timeout: span("600ms"),
        ..SwimParams::default()
    })
    .expect("valid parameters");
    let (trace, observations) = run(detector, 5, 3, "100ms", "2s", "3s");
    insta::assert_snapshot!("swim_trace", trace);
    insta::assert_snapshot!("swim_observations", observations);
}

#[test]
fn prometheus() {
    let detector = Prometheus::new(PrometheusParams {
        scrape_interval: span("1s"),
        scrape_timeout: span("500ms"),
        evaluation_interval: span("1s"),
        for_duration: span("2s"),
        delivery_delay: span("1s"),
        ..PrometheusParams::default()
    })
    .expect("valid parameters");
    let (trace, observations) = run(detector, 3, 2, "1.5s", "10s", "15s");
    insta::assert_snapshot!("prometheus_trace", trace);
    insta::assert_snapshot!("prometheus_observations", observations);
}
