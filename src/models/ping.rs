//! Registry entry for `ping` (hasim_protocols::ping): roles `client` and `server`,
//! client-visible availability and latency percentiles.

use super::{param_docs, params, unknown_role, FigureDoc, GroupParams, Model, ParamError};
use super::{Predicate, PropertyDoc, RoleDoc, Unit};
use hasim_protocols::ping::{ClientParams, Observation, Ping, Role, ServerParams};
use hasim_sim::{Sim, SimDuration};
use std::collections::BTreeMap;

/// The `ping` model.
pub struct PingModel;

const ROLES: [&str; 2] = ["client", "server"];

impl Model for PingModel {
    type Protocol = Ping;
    const NAME: &'static str = "ping";
    const SUMMARY: &'static str =
        "clients send requests round robin to servers with a timeout; servers answer";

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "client",
                doc: "sends one request per interval to the next server, gives up after timeout",
                params: param_docs::<ClientParams>(&[
                    ("interval", "gap between two requests"),
                    (
                        "poisson",
                        "exponential gaps with mean `interval` instead of fixed ones",
                    ),
                    ("timeout", "how long to wait for a response"),
                ]),
            },
            RoleDoc {
                role: "server",
                doc: "answers each request after a service time",
                params: param_docs::<ServerParams>(&[(
                    "service_time",
                    "time from request to response (a distribution)",
                )]),
            },
        ]
    }

    fn figures() -> Vec<FigureDoc> {
        let f = |name, unit, doc| FigureDoc { name, unit, doc };
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

    fn properties() -> Vec<PropertyDoc> {
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

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Ping, ParamError> {
        let mut roles = vec![Role::Idle; nodes as usize];
        for (i, g) in groups.iter().enumerate() {
            let role = match g.role {
                "client" => Role::Client(params(i, g.params)?),
                "server" => Role::Server(params(i, g.params)?),
                other => return Err(unknown_role(i, other, Self::NAME, &ROLES)),
            };
            if let Role::Client(c) = &role {
                if c.interval.is_zero() || c.timeout.is_zero() {
                    return Err(ParamError {
                        group: i,
                        role: false,
                        message: "interval and timeout must be above zero".to_string(),
                    });
                }
                in_flight_fits(c).map_err(|message| ParamError {
                    group: i,
                    role: false,
                    message,
                })?;
            }
            if let Role::Server(s) = &role {
                s.service_time.validate().map_err(|e| ParamError {
                    group: i,
                    role: false,
                    message: format!("service_time: {e}"),
                })?;
            }
            for n in g.nodes.clone() {
                roles[n as usize] = role.clone();
            }
        }
        Ok(Ping::new(roles))
    }

    fn property(protocol: &Ping, name: &str) -> Option<Predicate<Ping>> {
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
                let timeouts: Vec<SimDuration> = (0..protocol.node_count())
                    .map(|n| protocol.client_timeout(n).unwrap_or(SimDuration::MAX))
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

    fn request(o: &Observation) -> Option<(bool, Option<SimDuration>)> {
        match o {
            Observation::Ok { latency, .. } => Some((true, Some(*latency))),
            Observation::Timeout { .. } => Some((false, None)),
        }
    }

    fn report(sim: &Sim<Ping>, figures: &mut BTreeMap<String, f64>) {
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

/// Requests a client may keep in flight: each holds a timeout timer until it ends,
/// and about `timeout / interval` are in flight at once. Half the engine's limit on
/// pending timers leaves room for bursts of Poisson gaps and the client's send timer;
/// past it the run would end `timers_exhausted` (it was a panic).
const IN_FLIGHT_MAX: u64 = (hasim_sim::TIMERS_MAX / 2) as u64;

/// Refuses an interval so short for its timeout that the client's pending timers
/// would reach the engine's limit, naming the shortest interval accepted.
fn in_flight_fits(c: &hasim_protocols::ping::ClientParams) -> Result<(), String> {
    let (interval, timeout) = (c.interval.as_nanos(), c.timeout.as_nanos());
    if timeout / interval <= IN_FLIGHT_MAX {
        return Ok(());
    }
    let shortest = SimDuration::from_nanos(timeout.div_ceil(IN_FLIGHT_MAX));
    Err(format!(
        "interval {} with timeout {} keeps about {} requests in flight per client, each with a pending timer, more than the {IN_FLIGHT_MAX} a client may hold (a node may have {} pending timers); expected an interval of at least {shortest} (timeout / {IN_FLIGHT_MAX}), or a shorter timeout",
        c.interval,
        c.timeout,
        timeout / interval,
        hasim_sim::TIMERS_MAX
    ))
}
