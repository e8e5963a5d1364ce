//! Detectors as parts: each detector run inside [`AnyDetector`] (a host that runs it
//! through `Within`) gives the same trace, hash and observations as the detector run
//! alone, and the detection figures read from a projection of the host's run onto the
//! part equal those of the detector alone, under crashes, restarts and a pause.

use crate::support::{at, crash_cycles, span};
use hasim_protocols::detection::{
    any, AnyDetector, DetectionReport, Detector, DetectorParams, HeartbeatParams, PhiAccrualParams,
    PrometheusParams, SwimParams,
};
use hasim_sim::{
    Distribution, Fault, Inspect, NodeId, Projection, ScheduledFault, Seed, Sim, Span,
};

const NODES: u32 = 6;

fn faults(seed: u64) -> Vec<ScheduledFault> {
    let mut stream = Seed(seed).stream("test-faults");
    let targets: Vec<NodeId> = (1..NODES).map(NodeId).collect();
    let mut f = crash_cycles(
        &mut stream,
        &targets,
        at("2s"),
        at("50s"),
        span("8s"),
        span("5s"),
        span("3s"),
    );
    f.push(ScheduledFault {
        at: at("20s"),
        fault: Fault::Pause { node: NodeId(0) },
    });
    f.push(ScheduledFault {
        at: at("22s"),
        fault: Fault::Resume { node: NodeId(0) },
    });
    f.sort_by_key(|f| f.at);
    f
}

fn run<P: hasim_sim::Protocol>(protocol: P, seed: u64) -> Sim<P> {
    let mut sim = Sim::new(protocol, NODES, seed);
    sim.uniform_network(
        Distribution::Uniform {
            min: span("1ms"),
            max: span("5ms"),
        },
        0.01,
    )
    .expect("valid network")
    .horizon(at("60s"))
    .faults(faults(seed))
    .expect("valid faults")
    .keep_observations(true);
    sim.run();
    sim
}

fn kinds() -> Vec<DetectorParams> {
    vec![
        DetectorParams::Heartbeat(HeartbeatParams {
            interval: span("200ms"),
            timeout: span("700ms"),
            ..HeartbeatParams::default()
        }),
        DetectorParams::PhiAccrual(PhiAccrualParams {
            interval: span("200ms"),
            acceptable_pause: span("300ms"),
            first_estimate: span("200ms"),
            min_sd: span("50ms"),
            ..PhiAccrualParams::default()
        }),
        DetectorParams::Swim(SwimParams {
            period: span("300ms"),
            ping_timeout: span("60ms"),
            suspicion_timeout: span("1s"),
            ..SwimParams::default()
        }),
        DetectorParams::Prometheus(PrometheusParams {
            scrape_interval: span("500ms"),
            scrape_timeout: span("250ms"),
            evaluation_interval: span("500ms"),
            for_duration: span("1s"),
            delivery_delay: span("100ms"),
            ..PrometheusParams::default()
        }),
    ]
}

/// The detector inside an `AnyDetector` run, as a projection.
fn inner<'s, D: Detector>(
    sim: &'s Sim<AnyDetector>,
    detector: &'s D,
    state: fn(&any::State) -> Option<&D::State>,
) -> Projection<'s, AnyDetector, D> {
    Projection::new(
        sim,
        detector,
        Span::new(0, NODES),
        state,
        |d| d,
        |o| Some(*o),
    )
}

fn compare<D: Detector>(
    alone: &Sim<D>,
    host: &Sim<AnyDetector>,
    part: &impl Inspect<D>,
    kind: &str,
) {
    assert_eq!(alone.events(), host.events(), "{kind}: events");
    assert_eq!(alone.trace_hash(), host.trace_hash(), "{kind}: trace hash");
    let (a, h): (Vec<_>, Vec<_>) = (
        alone
            .observations()
            .iter()
            .map(|o| (o.time, o.node, o.observation))
            .collect(),
        host.observations()
            .iter()
            .map(|o| (o.time, o.node, o.observation))
            .collect(),
    );
    assert_eq!(a, h, "{kind}: observations");
    assert!(!a.is_empty(), "{kind}: the run must suspect someone");
    let standalone = DetectionReport::of(alone).figures();
    let projected = DetectionReport::of(part).figures();
    assert_eq!(standalone, projected, "{kind}: figures");
    assert!(
        standalone.get("failures_detected").copied().unwrap_or(0.0) > 0.0,
        "{kind}: {standalone:?}"
    );
}

#[test]
fn each_detector_as_a_part_runs_and_measures_as_it_does_alone() {
    for seed in [3, 4] {
        for params in kinds() {
            let kind = params.kind();
            let host = run(AnyDetector::new(params).expect("valid"), seed);
            match host.protocol().clone() {
                AnyDetector::Heartbeat(d) => {
                    let part = inner(&host, &d, |s| match s {
                        any::State::Heartbeat(s) => Some(s),
                        _ => None,
                    });
                    compare(&run(d.clone(), seed), &host, &part, kind);
                }
                AnyDetector::PhiAccrual(d) => {
                    let part = inner(&host, &d, |s| match s {
                        any::State::PhiAccrual(s) => Some(s),
                        _ => None,
                    });
                    compare(&run(d.clone(), seed), &host, &part, kind);
                }
                AnyDetector::Swim(d) => {
                    let part = inner(&host, &d, |s| match s {
                        any::State::Swim(s) => Some(s),
                        _ => None,
                    });
                    compare(&run(d.clone(), seed), &host, &part, kind);
                }
                AnyDetector::Prometheus(d) => {
                    let part = inner(&host, &d, |s| match s {
                        any::State::Prometheus(s) => Some(s),
                        _ => None,
                    });
                    compare(&run(d.clone(), seed), &host, &part, kind);
                }
            }
        }
    }
}

#[test]
fn detector_params_name_their_kind_and_reject_unknown_fields() {
    let parse = |text: &str| -> Result<DetectorParams, String> {
        toml::from_str::<DetectorParams>(text).map_err(|e| e.to_string())
    };
    let phi = parse("kind = \"phi_accrual\"\nthreshold = 12.0").expect("phi");
    assert!(matches!(phi, DetectorParams::PhiAccrual(p) if p.threshold == 12.0));
    let err = parse("kind = \"heartbeat\"\nthreshold = 12.0").expect_err("unknown field");
    assert!(err.contains("threshold"), "{err}");
    let err = parse("kind = \"gossip\"").expect_err("unknown kind");
    assert!(err.contains("gossip"), "{err}");
}
