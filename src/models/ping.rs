//! Registry entry for `ping` (hasim_protocols::ping): roles `client` and `server`. The
//! catalogue (parameters, properties, availability and latency figures) is the
//! protocol's own, in `hasim_protocols::ping::catalogue`.

use super::{params, unknown_role, GroupParams, Model, ParamError};
use super::{Params, RoleDoc};
use hasim_protocols::ping::{ClientParams, Ping, Role, ServerParams};
use hasim_sim::SimDuration;

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
                params: ClientParams::docs(),
            },
            RoleDoc {
                role: "server",
                doc: "answers each request after a service time",
                params: ServerParams::docs(),
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
