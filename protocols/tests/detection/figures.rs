//! The figures' definitions on a small run whose answers are known: a pause is a
//! failure (suspecting a paused node is correct), a crash is a failure, and a cut link
//! makes the monitor suspect a live node: one false suspicion, lasting about as long
//! as the cut minus the timeout.

use crate::support::{at, span};
use hasim_protocols::detection::{DetectionReport, Heartbeat, HeartbeatParams};
use hasim_sim::{Distribution, Fault, NodeId, ScheduledFault, Sim, SimDuration};

#[test]
fn pauses_and_crashes_are_failures_and_a_cut_is_a_mistake() {
    // Push heartbeats every 100 ms, timeout 250 ms, latency 5 ms: detection in
    // (155 ms, 255 ms] for each failure; the cut from 5 s to 6 s silences n2 for 1 s,
    // so the monitor suspects it from 250 ms after its last beat before the cut until
    // its first beat after: between 650 ms and 850 ms.
    let detector = Heartbeat::new(HeartbeatParams {
        interval: span("100ms"),
        timeout: span("250ms"),
        ..HeartbeatParams::default()
    })
    .expect("valid parameters");
    let mut sim = Sim::new(detector, 3, 11);
    let fault = |t: &str, fault| ScheduledFault { at: at(t), fault };
    let (n0, n1, n2) = (NodeId(0), NodeId(1), NodeId(2));
    sim.uniform_network(Distribution::constant(span("5ms")), 0.0)
        .expect("valid network")
        .horizon(at("10s"))
        .faults([
            fault("1s", Fault::Pause { node: n1 }),
            fault("2s", Fault::Resume { node: n1 }),
            fault("3s", Fault::Crash { node: n2 }),
            fault("4s", Fault::Restart { node: n2 }),
            fault(
                "5s",
                Fault::Cut {
                    source: n2,
                    target: n0,
                },
            ),
            fault(
                "6s",
                Fault::Uncut {
                    source: n2,
                    target: n0,
                },
            ),
        ])
        .expect("valid faults");
    sim.run();
    let report = DetectionReport::of(&sim);

    assert_eq!(report.detections.len(), 2, "{:?}", report.detections);
    let window = span("155ms")..=span("255ms");
    for d in &report.detections {
        assert_eq!(d.monitors, 1);
        assert!(window.contains(&d.first.expect("detected")), "{d:?}");
        assert_eq!(d.first, d.all);
        assert!(d.recovered_at.is_some());
    }
    assert_eq!(report.detections[0].target, n1);
    assert_eq!(report.detections[1].target, n2);

    assert_eq!(
        report.false_suspicions.len(),
        1,
        "{:?}",
        report.false_suspicions
    );
    let mistake = &report.false_suspicions[0];
    assert_eq!(mistake.target, n2);
    assert!(
        (span("650ms")..=span("850ms")).contains(&mistake.duration),
        "{mistake:?}"
    );

    let f = report.figures();
    assert_eq!(f["failures"], 2.0);
    assert_eq!(f["failures_detected_all"], 2.0);
    assert_eq!(f["false_suspicions"], 1.0);
    // n1 and n2 are watched; n2 was down 1 s and n1 paused 1 s of the 10 s.
    let live = SimDuration::from_secs(18).as_secs_f64() / 3600.0;
    assert!((f["live_node_hours"] - live).abs() < 1e-9);
    assert!((f["false_suspicions_per_node_hour"] - 1.0 / live).abs() < 1e-6);
    let fraction = mistake.duration.as_secs_f64() / 18.0;
    assert!((f["false_suspicion_fraction"] - fraction).abs() < 1e-9);
    // Two senders, ten beats a second, minus n1's pause and n2's outage.
    assert!(
        (f["messages_per_node_second"] - 180.0 / 30.0).abs() < 0.2,
        "{f:?}"
    );
    assert!(!f.contains_key("confirm_first_mean_s"));
}
