//! The catalogue of the failure detectors (`heartbeat`, `phi_accrual`, `swim`,
//! `prometheus`): the `none_suspected` and `suspected` properties and the
//! Chen–Toueg–Aguilera figures (detection time, mistakes, message cost) of
//! [`DetectionReport`], read through `Inspect`, so a detector run alone and a detector
//! projected out of a composed run are judged alike. Every detector shares them;
//! SWIM adds its confirmation times.

use super::{
    DetectionReport, Detector, DetectorObservation, Heartbeat, PhiAccrual, Prometheus, Swim,
};
use super::{HeartbeatParams, PhiAccrualParams, PrometheusParams, SwimParams};
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use hasim_sim::{Inspect, NodeId};
use std::collections::BTreeMap;

/// A detector's catalogue: the shared properties and figures; `$confirms` for the
/// detectors that confirm failures (SWIM's Dead), whose `confirm_` figures exist.
macro_rules! detector_catalogue {
    ($detector:ty, $confirms:expr) => {
        impl Catalogue for $detector {
            const KEEPS_OBSERVATIONS: bool = true;
            fn figure_docs() -> Vec<FigureDoc> {
                figure_docs($confirms)
            }
            fn property_docs() -> Vec<PropertyDoc> {
                property_docs()
            }
            fn property(&self, name: &str) -> Option<Predicate<Self>> {
                property(name)
            }
            fn figures(run: &impl Inspect<Self>, out: &mut BTreeMap<String, f64>) {
                figures(run, $confirms, out)
            }
            fn suspicion(observation: &DetectorObservation) -> Option<(NodeId, bool)> {
                suspicion(observation)
            }
        }
    };
}

detector_catalogue!(Heartbeat, false);
detector_catalogue!(PhiAccrual, false);
detector_catalogue!(Swim, true);
detector_catalogue!(Prometheus, false);

/// The detectors' properties.
pub fn property_docs() -> Vec<PropertyDoc> {
    vec![
        PropertyDoc {
            name: "none_suspected",
            doc: "no running node suspects any node (use with eventually: every suspicion is withdrawn after the faults end)",
        },
        PropertyDoc {
            name: "suspected",
            doc: "some running node suspects some node (use with sometimes: the run exercised detection)",
        },
    ]
}

/// The predicate of a detector's property `name`.
pub fn property<D: Detector>(name: &str) -> Option<Predicate<D>> {
    match name {
        "none_suspected" => Some(Box::new(|w| {
            match w.views.iter().position(|v| v.is_some_and(|n| n > 0)) {
                Some(n) => Err(format!(
                    "node {n} suspects {} nodes",
                    w.views[n].unwrap_or(0)
                )),
                None => Ok(()),
            }
        })),
        "suspected" => Some(Box::new(|w| {
            if w.views.iter().any(|v| v.is_some_and(|n| n > 0)) {
                Ok(())
            } else {
                Err("no running node suspects anyone".to_string())
            }
        })),
        _ => None,
    }
}

/// Whether an observation is a suspicion (`true`) or its withdrawal (`false`).
pub fn suspicion(o: &DetectorObservation) -> Option<(NodeId, bool)> {
    use DetectorObservation as O;
    match *o {
        O::Suspect { target } | O::Confirm { target } => Some((target, true)),
        O::Trust { target } => Some((target, false)),
    }
}

/// The figures of a detector's run (alone or projected out of a composed run);
/// `confirms` adds SWIM's confirmation times.
pub fn figures<D: Detector>(
    sim: &impl Inspect<D>,
    confirms: bool,
    figures: &mut BTreeMap<String, f64>,
) {
    let measured = DetectionReport::of(sim).figures();
    for doc in figure_docs(confirms) {
        // The protocols crate names durations `_s`; here, as in every model, a
        // figure's unit is in its documentation, so checks read `detection_first_mean`.
        let source = match doc.unit {
            Unit::Seconds => format!("{}_s", doc.name),
            _ => doc.name.to_string(),
        };
        if let Some(v) = measured.get(&source) {
            // + 0.0 turns the -0.0 of an empty f64 sum (no mistakes) into 0, which
            // prints as 0% rather than -0.000%.
            figures.insert(doc.name.to_string(), *v + 0.0);
        }
    }
}

/// The figures of a detector run; `confirms` adds SWIM's confirmation times.
pub fn figure_docs(confirms: bool) -> Vec<FigureDoc> {
    let f = FigureDoc::new;
    let mut docs = vec![
        f(
            "failures",
            Unit::Count,
            "failures of watched nodes: each crash or pause of a live node, until it is up again",
        ),
        f(
            "failures_detected",
            Unit::Count,
            "failures some monitor suspected before they ended",
        ),
        f(
            "failures_detected_all",
            Unit::Count,
            "failures every eligible monitor suspected (for SWIM: every live member)",
        ),
        f(
            "detection_first_mean",
            Unit::Seconds,
            "mean time from a failure to the first monitor's suspicion",
        ),
        f(
            "detection_first_min",
            Unit::Seconds,
            "shortest time to the first suspicion",
        ),
        f(
            "detection_first_max",
            Unit::Seconds,
            "longest time to the first suspicion",
        ),
        f(
            "detection_first_p50",
            Unit::Seconds,
            "median time to the first suspicion",
        ),
        f(
            "detection_first_p99",
            Unit::Seconds,
            "99th percentile time to the first suspicion",
        ),
        f(
            "detection_all_mean",
            Unit::Seconds,
            "mean time from a failure to suspicion by every eligible monitor",
        ),
        f(
            "detection_all_max",
            Unit::Seconds,
            "longest time to suspicion by every eligible monitor",
        ),
    ];
    if confirms {
        docs.extend([
            f(
                "confirm_first_mean",
                Unit::Seconds,
                "mean time from a failure to the first confirmation (Dead)",
            ),
            f(
                "confirm_first_max",
                Unit::Seconds,
                "longest time to the first confirmation",
            ),
            f(
                "confirm_all_mean",
                Unit::Seconds,
                "mean time to confirmation by every eligible member",
            ),
            f(
                "confirm_all_max",
                Unit::Seconds,
                "longest time to confirmation by every eligible member",
            ),
            f(
                "dissemination_mean",
                Unit::Seconds,
                "mean time from the first member's suspicion to the last live member's (gossip spreading the news)",
            ),
            f(
                "dissemination_max",
                Unit::Seconds,
                "longest time from the first member's suspicion to the last live member's",
            ),
        ]);
    }
    docs.extend([
        f("live_node_hours", Unit::Count, "hours watched nodes were live (up), summed over nodes"),
        f("false_suspicions", Unit::Count, "maximal intervals in which some monitor suspected a live node (overlapping mistakes count once)"),
        f("false_suspicions_by_monitors", Unit::Count, "false suspicions counted per monitor"),
        f("false_suspicions_per_node_hour", Unit::Count, "false_suspicions / live_node_hours"),
        f("false_suspicion_fraction", Unit::Fraction, "fraction of live time a node was wrongly suspected"),
        f("false_suspicion_duration_mean", Unit::Seconds, "mean length of a false suspicion"),
        f("false_suspicion_duration_max", Unit::Seconds, "longest false suspicion"),
        f("messages", Unit::Count, "detector messages sent"),
        f("messages_per_node_second", Unit::Count, "messages per node of the run per second of the run"),
    ]);
    docs
}

impl Params for HeartbeatParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        (
            "mode",
            "push (members send heartbeats) or pull (monitors ping, members ack)",
        ),
        ("interval", "time between heartbeats, or between pings"),
        (
            "rule",
            "timeout (silence since the last heartbeat) or missed (k intervals)",
        ),
        (
            "timeout",
            "silence after which a member is suspected (rule timeout)",
        ),
        (
            "missed",
            "consecutive missed intervals before suspicion (rule missed)",
        ),
        (
            "monitors",
            "one (node 0 watches everyone) or all (all-to-all)",
        ),
    ];
}

impl Params for PhiAccrualParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        ("interval", "time between heartbeats"),
        ("threshold", "phi above which a member is suspected"),
        ("window", "inter-arrival samples kept"),
        ("min_sd", "floor on the fitted standard deviation"),
        (
            "acceptable_pause",
            "silence tolerated on top of the mean interval",
        ),
        (
            "first_estimate",
            "expected interval before any heartbeat arrived",
        ),
        (
            "monitors",
            "one (node 0 watches everyone) or all (all-to-all)",
        ),
    ];
}

impl Params for SwimParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        (
            "period",
            "the protocol period: one probe per member per period",
        ),
        (
            "ping_timeout",
            "wait for a direct ack before indirect probes",
        ),
        ("indirect_probes", "members asked to ping-req (k)"),
        ("suspicion_timeout", "time Suspect before confirmed Dead"),
        (
            "retransmit_mult",
            "each update rides on this × ⌈log10(n + 1)⌉ messages",
        ),
        ("piggyback_max", "most updates on one message"),
        ("probe_order", "round_robin (shuffled) or random targets"),
    ];
}

impl Params for PrometheusParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        ("scrape_interval", "time between scrapes of a target"),
        (
            "scrape_timeout",
            "a scrape unanswered this long sets up = 0",
        ),
        ("evaluation_interval", "time between rule evaluations"),
        ("for", "how long up == 0 must hold before the alert fires"),
        (
            "delivery_delay",
            "from firing to the recovery machinery (group_wait)",
        ),
        (
            "monitors",
            "one (node 0 is the server) or all (every node scrapes every other)",
        ),
    ];
}
