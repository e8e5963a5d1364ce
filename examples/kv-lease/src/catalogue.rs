//! What `kv_lease` checks and measures: the `one_serving_primary` safety property
//! (no primary holds a lease or serves once a later term has held one), the `serving` coverage
//! property, client-visible availability and latency, and failovers.

use crate::protocol::{KvLease, Observation, View};
use hasim::sim::{Inspect, NodeId};
use hasim::{Catalogue, FigureDoc, Predicate, PropertyDoc, RequestEvent, RequestOutcome, Unit};
use std::collections::BTreeMap;

impl Catalogue for KvLease {
    fn figure_docs() -> Vec<FigureDoc> {
        let f = FigureDoc::new;
        vec![
            f("requests", Unit::Count, "client requests that ended"),
            f(
                "availability",
                Unit::Fraction,
                "requests answered / requests that ended",
            ),
            f(
                "latency_p99",
                Unit::Seconds,
                "99th percentile latency of answered requests",
            ),
            f("failovers", Unit::Count, "elections after the first"),
        ]
    }

    fn property_docs() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "one_serving_primary",
                doc: "no primary holds its lease or serves once a primary of a later term has held one (leases never overlap)",
            },
            PropertyDoc {
                name: "serving",
                doc: "a primary served a request at this event (use with eventually/sometimes)",
            },
        ]
    }

    fn property(&self, name: &str) -> Option<Predicate<KvLease>> {
        match name {
            "one_serving_primary" => {
                // The latest term seen serving, and who served it.
                let mut latest: Option<(u64, NodeId)> = None;
                Some(Box::new(move |w| {
                    for o in w.observations {
                        let (Observation::Served { term, .. }
                        | Observation::Leased { term }
                        | Observation::Holding { term }) = o.observation
                        else {
                            continue;
                        };
                        {
                            match latest {
                                Some((t, by)) if term < t => {
                                    return Err(format!(
                                        "{} held its lease of term {term} after {by} had held one of term {t}: two primaries at once",
                                        o.node
                                    ));
                                }
                                Some((t, _)) if term == t => {}
                                _ => latest = Some((term, o.node)),
                            }
                        }
                    }
                    Ok(())
                }))
            }
            "serving" => Some(Box::new(|w| {
                if w.observations
                    .iter()
                    .any(|o| matches!(o.observation, Observation::Served { .. }))
                {
                    Ok(())
                } else {
                    Err("no request was served".to_string())
                }
            })),
            _ => None,
        }
    }

    fn figures(run: &impl Inspect<Self>, figures: &mut BTreeMap<String, f64>) {
        let m = run.metrics();
        let ok = m.counter("requests_ok");
        let ended = ok + m.counter("requests_refused") + m.counter("requests_timeout");
        figures.insert("requests".into(), ended as f64);
        // No request ended: no value, so an availability check fails rather than
        // passing on nothing.
        let availability = if ended == 0 {
            f64::NAN
        } else {
            ok as f64 / ended as f64
        };
        figures.insert("availability".into(), availability);
        let latency = m.histogram("latency").cloned().unwrap_or_default();
        figures.insert("latency_p99".into(), latency.quantile(0.99).as_secs_f64());
        let elections = m.counter("elections");
        figures.insert("failovers".into(), elections.saturating_sub(1) as f64);
    }

    fn role(view: &View) -> Option<&'static str> {
        match view {
            View::Replica { primary: true, .. } => Some("primary"),
            View::Replica { .. } => Some("backup"),
            View::Client => None,
        }
    }

    fn request(o: &Observation) -> Option<RequestEvent> {
        match o {
            Observation::Ok { latency } => {
                Some(RequestEvent::ended(RequestOutcome::Ok, Some(*latency)))
            }
            Observation::Refused => Some(RequestEvent::ended(RequestOutcome::Failed, None)),
            // The answer may still be on its way: not a definite failure.
            Observation::TimedOut => Some(RequestEvent::ended(RequestOutcome::Unknown, None)),
            _ => None,
        }
    }
}
