//! The catalogue of `ping`: the client's and server's parameters, the `request_ok`
//! and `ok_within_timeout` properties, and client-visible availability and latency
//! percentiles from the run's counters and latency histogram.

use super::{ClientParams, Observation, Ping, ServerParams};
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use hasim_sim::{Inspect, SimDuration};
use std::collections::BTreeMap;

impl Params for ClientParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        ("interval", "gap between two requests"),
        (
            "poisson",
            "exponential gaps with mean `interval` instead of fixed ones",
        ),
        ("timeout", "how long to wait for a response"),
    ];
}

impl Params for ServerParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[(
        "service_time",
        "time from request to response (a distribution)",
    )];
}

impl Catalogue for Ping {
    fn figure_docs() -> Vec<FigureDoc> {
        let f = FigureDoc::new;
        vec![
            f(
                "requests",
                Unit::Count,
                "requests that ended (ok or timed out)",
            ),
            f(
                "requests_ok",
                Unit::Count,
                "requests answered within the timeout",
            ),
            f("requests_timeout", Unit::Count, "requests that timed out"),
            f("availability", Unit::Fraction, "requests_ok / requests"),
            f("latency_mean", Unit::Seconds, "mean latency of ok requests"),
            f(
                "latency_p50",
                Unit::Seconds,
                "median latency of ok requests",
            ),
            f(
                "latency_p90",
                Unit::Seconds,
                "90th percentile latency of ok requests",
            ),
            f(
                "latency_p99",
                Unit::Seconds,
                "99th percentile latency of ok requests",
            ),
            f(
                "latency_p999",
                Unit::Seconds,
                "99.9th percentile latency of ok requests",
            ),
        ]
    }

    fn property_docs() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "request_ok",
                doc: "a request was answered in time by this event (use with eventually/sometimes)",
            },
            PropertyDoc {
                name: "ok_within_timeout",
                doc: "no request counted ok took longer than its client's timeout",
            },
        ]
    }

    fn property(&self, name: &str) -> Option<Predicate<Ping>> {
        match name {
            "request_ok" => Some(Box::new(|w| {
                if w.observations
                    .iter()
                    .any(|o| matches!(o.observation, Observation::Ok { .. }))
                {
                    Ok(())
                } else {
                    Err("no request was answered in time".to_string())
                }
            })),
            "ok_within_timeout" => {
                let timeouts: Vec<SimDuration> = (0..self.node_count())
                    .map(|n| self.client_timeout(n).unwrap_or(SimDuration::MAX))
                    .collect();
                Some(Box::new(move |w| {
                    for o in w.observations {
                        if let Observation::Ok { latency, .. } = o.observation {
                            let timeout = timeouts[o.node.index()];
                            if latency > timeout {
                                return Err(format!(
                                    "{} counted a request ok after {latency}, past its timeout {timeout}",
                                    o.node
                                ));
                            }
                        }
                    }
                    Ok(())
                }))
            }
            _ => None,
        }
    }

    fn request(o: &Observation) -> Option<crate::catalogue::RequestEvent> {
        use crate::catalogue::{RequestEvent as E, RequestOutcome as R};
        match o {
            Observation::Ok { latency, .. } => Some(E::ended(R::Ok, Some(*latency))),
            // A reply may still be on its way: a timeout is not a definite failure.
            Observation::Timeout { .. } => Some(E::ended(R::Unknown, None)),
        }
    }

    fn figures(sim: &impl Inspect<Self>, figures: &mut BTreeMap<String, f64>) {
        let m = sim.metrics();
        let ok = m.counter("requests_ok");
        let timeout = m.counter("requests_timeout");
        let ended = ok + timeout;
        figures.insert("requests".into(), ended as f64);
        figures.insert("requests_ok".into(), ok as f64);
        figures.insert("requests_timeout".into(), timeout as f64);
        // No request ended: no value (NaN), so `availability >= x` is unmeasured and
        // fails rather than passing on nothing.
        let availability = if ended == 0 {
            f64::NAN
        } else {
            ok as f64 / ended as f64
        };
        figures.insert("availability".into(), availability);
        let latency = m.histogram("latency").cloned().unwrap_or_default();
        figures.insert("latency_mean".into(), latency.mean().as_secs_f64());
        for (name, q) in [
            ("latency_p50", 0.5),
            ("latency_p90", 0.9),
            ("latency_p99", 0.99),
            ("latency_p999", 0.999),
        ] {
            figures.insert(name.into(), latency.quantile(q).as_secs_f64());
        }
    }
}
