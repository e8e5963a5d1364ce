//! The catalogue of `balancing`: the client, balancer and backend parameter docs, the
//! properties, and the figures of client-visible availability and latency, retries,
//! queueing, detection and VIP takeovers, renamed to read like every other model's
//! (`latency_p99`, per-backend figures by node name).

use super::params::{AutoscaleParams, BackendParams, BalancerParams, ClientParams, Workload};
use super::{figures, Balancing, Observation, View};
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use hasim_sim::Inspect;
use std::collections::BTreeMap;

/// What a scenario's client role writes beside [`ClientParams`]: the load all clients
/// offer together, and the keys requests carry.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Offered {
    /// The offered load over all clients.
    pub workload: Workload,
    /// Request keys are uniform on `0..keys`.
    pub keys: u64,
}

impl Default for Offered {
    fn default() -> Self {
        let p = super::params::Params::default();
        Offered {
            workload: p.workload,
            keys: p.keys,
        }
    }
}

impl Params for Offered {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        ("workload", "offered load over all clients: {kind = \"open\", rate, schedule = [{at, rate}]} or {kind = \"closed\", users, think}"),
        ("keys", "request keys are uniform on 0..keys (hash key, session)"),
    ];
}

/// What a scenario's backend role writes beside [`BackendParams`]: autoscaling, and
/// how many backends serve at first. Its default documents autoscaling's defaults;
/// autoscaling is off unless the table is written.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scaling {
    /// HPA autoscaling; off when absent.
    pub autoscale: Option<AutoscaleParams>,
    /// With autoscaling: backends in service at the start (default `replicas_min`).
    pub serving: Option<u32>,
}

impl Default for Scaling {
    fn default() -> Self {
        Scaling {
            autoscale: Some(AutoscaleParams::default()),
            serving: None,
        }
    }
}

impl Params for Scaling {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        ("autoscale", "HPA autoscaling {target, tolerance, sync_period, stabilisation, replicas_min, startup_delay}; the group's count is replicas_max; off when absent"),
        ("serving", "with autoscale: backends in service at the start (default replicas_min)"),
    ];
}

impl Params for ClientParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        (
            "timeout",
            "an attempt without an answer after this long failed (0: never)",
        ),
        (
            "retries_max",
            "retries after the first attempt (at most 30)",
        ),
        ("backoff_base", "first backoff step"),
        ("backoff_cap", "largest backoff"),
        ("jitter", "none, full, equal or decorrelated"),
        (
            "budget",
            "retry budget {ratio, window, min}; off when absent",
        ),
        (
            "hedge_after",
            "send a second copy after this long; off when absent",
        ),
    ];
}

impl Params for BackendParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        ("workers", "requests served at once"),
        (
            "queue_max",
            "FIFO queue length; a full queue rejects at once",
        ),
        ("service", "service time (a distribution)"),
        (
            "slow",
            "brownouts: [{backend = \"backend-2\", at, until, factor}]",
        ),
        ("flap", "flapping: [{backend, at, until, up, down}]"),
    ];
}

impl Params for BalancerParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
                    ("policy", "round_robin, weighted_round_robin, least_outstanding, random, power_of_two, join_shortest_queue, consistent_hash or session_affinity"),
                    ("weights", "per backend, for weighted_round_robin (missing ones 1)"),
                    ("vnodes", "ring points per backend, for consistent_hash"),
                    ("upstream_timeout", "gateway timeout towards a backend (0: never)"),
                    ("health", "active checks {interval, timeout, rise, fall}; off when absent"),
                    ("outlier", "passive ejection {consecutive, base_ejection, ejection_max, ejected_fraction_max}; off when absent"),
                    ("frontend", "{kind = \"dns\"} or {kind = \"vip\", advert_interval}"),
                ];
}

impl Catalogue for Balancing {
    const KEEPS_OBSERVATIONS: bool = true;

    fn figure_docs() -> Vec<FigureDoc> {
        let f = FigureDoc::new;
        use Unit::{Count, Fraction, Seconds};
        vec![
            f(
                "requests",
                Count,
                "requests that ended (ok, failed or timed out)",
            ),
            f("requests_ok", Count, "requests answered successfully"),
            f(
                "requests_failed",
                Count,
                "requests whose last attempt got an error",
            ),
            f(
                "requests_timed_out",
                Count,
                "requests whose last attempt timed out",
            ),
            f("success_rate", Fraction, "requests_ok / requests"),
            f(
                "availability",
                Fraction,
                "fraction of 1 s windows in which >= 99% of the requests that ended succeeded",
            ),
            f(
                "latency_mean",
                Seconds,
                "mean latency of ok requests (first attempt to answer)",
            ),
            f("latency_p50", Seconds, "median latency of ok requests"),
            f(
                "latency_p90",
                Seconds,
                "90th percentile latency of ok requests",
            ),
            f(
                "latency_p99",
                Seconds,
                "99th percentile latency of ok requests",
            ),
            f(
                "latency_p999",
                Seconds,
                "99.9th percentile latency of ok requests",
            ),
            f(
                "attempts",
                Count,
                "attempts sent, retries and hedges included",
            ),
            f("retries", Count, "retries scheduled"),
            f(
                "retries_denied",
                Count,
                "retries and hedges the budget refused",
            ),
            f("hedges", Count, "hedged copies sent"),
            f("amplification", Count, "attempts per request"),
            f(
                "no_backend",
                Count,
                "requests a balancer failed at once: nothing in rotation",
            ),
            f(
                "upstream_failures",
                Count,
                "upstream requests that failed (error or gateway timeout)",
            ),
            f("ejections", Count, "outlier ejections"),
            f(
                "scale_events",
                Count,
                "autoscaler decisions that changed the replica count",
            ),
            f(
                "replicas_max",
                Count,
                "highest desired replica count (only with autoscale)",
            ),
            f(
                "utilisation.*",
                Fraction,
                "a backend's busy workers over time, e.g. utilisation.backend-1",
            ),
            f(
                "queue_length.*",
                Count,
                "a backend's mean queue length, e.g. queue_length.backend-1",
            ),
            f(
                "wait_mean",
                Seconds,
                "mean time a request queued at a backend",
            ),
            f(
                "wait_probability",
                Fraction,
                "fraction of requests that queued at a backend",
            ),
            f("rejected", Count, "requests a full backend queue rejected"),
            f(
                "sessions_moved",
                Count,
                "sticky sessions moved off a backend that left rotation",
            ),
            f("crashes", Count, "backend crashes in the fault schedule"),
            f(
                "crashes_undetected",
                Count,
                "backend crashes some balancer never took out of rotation",
            ),
            f(
                "detection_mean",
                Seconds,
                "mean time from a backend crash until the last balancer took it out",
            ),
            f("detection_max", Seconds, "longest such time"),
            f(
                "crash_window_failures",
                Count,
                "upstream requests sent to a crashed backend before it left rotation",
            ),
            f(
                "vip_takeovers",
                Count,
                "times a balancer became VRRP master after the first (failovers and preemptions)",
            ),
        ]
    }

    fn property_docs() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "request_ok",
                doc: "a request was answered successfully by this event (use with eventually/sometimes)",
            },
            PropertyDoc {
                name: "full_rotation",
                doc: "every running balancer has every serving backend in rotation",
            },
            PropertyDoc {
                name: "vip_held",
                doc: "a running balancer holds the virtual address (vip frontend)",
            },
            PropertyDoc {
                name: "vip_single_master",
                doc: "at most one running balancer holds the virtual address",
            },
        ]
    }

    fn property(&self, name: &str) -> Option<Predicate<Balancing>> {
        let masters = |w: &hasim_sim::World<'_, Balancing>| {
            w.views
                .iter()
                .filter(|v| matches!(v, Some(View::Balancer { master: true, .. })))
                .count()
        };
        match name {
            "request_ok" => Some(Box::new(|w| {
                if w.observations
                    .iter()
                    .any(|o| matches!(o.observation, Observation::Ok { .. }))
                {
                    Ok(())
                } else {
                    Err("no request was answered successfully".to_string())
                }
            })),
            "full_rotation" => Some(Box::new(|w| {
                for (n, v) in w.views.iter().enumerate() {
                    if let Some(View::Balancer {
                        rotation, serving, ..
                    }) = v
                    {
                        if rotation < serving {
                            return Err(format!(
                                "node {n}: {rotation} of {serving} serving backends in rotation"
                            ));
                        }
                    }
                }
                Ok(())
            })),
            "vip_held" => Some(Box::new(move |w| match masters(w) {
                0 => Err("no running balancer holds the virtual address".to_string()),
                _ => Ok(()),
            })),
            "vip_single_master" => Some(Box::new(move |w| match masters(w) {
                0 | 1 => Ok(()),
                m => Err(format!("{m} balancers hold the virtual address at once")),
            })),
            _ => None,
        }
    }

    fn request(o: &crate::balancing::Observation) -> Option<crate::catalogue::RequestEvent> {
        use crate::balancing::Observation as O;
        use crate::catalogue::{RequestEvent as E, RequestOutcome as R};
        match o {
            O::Ok { latency, .. } => Some(E::ended(R::Ok, Some(*latency))),
            O::Failed { .. } => Some(E::ended(R::Failed, None)),
            // The backend may have served it after the client gave up.
            O::TimedOut { .. } => Some(E::ended(R::Unknown, None)),
            _ => None,
        }
    }

    fn figures(sim: &impl Inspect<Self>, out: &mut BTreeMap<String, f64>) {
        report(sim, out);
    }
}

/// The model's figures of a run of the balancing protocol, standalone or as a part.
fn report(sim: &impl Inspect<Balancing>, out: &mut BTreeMap<String, f64>) {
    for (name, value) in figures::figures(sim) {
        out.insert(figure_name(&name), value);
    }
    out.insert(
        "sessions_moved".into(),
        sim.metrics().counter("sessions_moved") as f64,
    );
    let masters = sim
        .observations()
        .iter()
        .filter(|o| matches!(o.observation, Observation::Master))
        .count();
    out.insert("vip_takeovers".into(), masters.saturating_sub(1) as f64);
}

/// The model's figure names as this registry reports them: seconds are known from the
/// unit, so the `_s` suffix goes (`latency_p99_s` → `latency_p99`, as in `ping`), and
/// per-backend figures name the node (`utilisation.0` → `utilisation.backend-1`, as
/// the generic `uptime.backend-1`).
fn figure_name(name: &str) -> String {
    if let Some((figure, index)) = name.split_once('.') {
        if let Ok(i) = index.parse::<u32>() {
            return format!("{figure}.backend-{}", i + 1);
        }
    }
    name.strip_suffix("_s").unwrap_or(name).to_string()
}

#[cfg(test)]
mod tests {
    use super::figure_name;

    #[test]
    fn figure_names_drop_the_seconds_suffix_and_name_backends() {
        assert_eq!(figure_name("latency_p99_s"), "latency_p99");
        assert_eq!(figure_name("detection_mean_s"), "detection_mean");
        assert_eq!(figure_name("utilisation.0"), "utilisation.backend-1");
        assert_eq!(figure_name("queue_length.3"), "queue_length.backend-4");
        assert_eq!(figure_name("requests"), "requests");
    }
}
