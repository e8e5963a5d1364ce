//! Registry entry for `ping` (hasim_protocols::ping): roles `client` and `server`. The
//! catalogue (parameters, properties, availability and latency figures) is the
//! protocol's own, in `hasim_protocols::ping::catalogue`.

use super::{from_catalogue, params, unknown_role, GroupParams, Model, ParamError};
use super::{Params, RoleDoc};
use hasim_protocols::ping::{ClientParams, Ping, Role, ServerParams};

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

    from_catalogue!();

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
