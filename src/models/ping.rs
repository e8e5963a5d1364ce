//! Registry entry for `ping` (hasim_protocols::ping): roles `client` and `server`. The
//! catalogue (parameters, properties, availability and latency figures) is the
//! protocol's own, in `hasim_protocols::ping::catalogue`.

use super::groups::{invalid, Groups};
use super::{params, GroupParams, Model, ParamError};
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

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Ping, ParamError> {
        let groups = Groups::new(Self::NAME, &ROLES, groups)?;
        let mut roles = vec![Role::Idle; nodes as usize];
        for (i, g) in groups.all() {
            let role = match g.role {
                "client" => {
                    let c: ClientParams = params(i, g.params)?;
                    c.validate().map_err(|e| invalid(i, e))?;
                    Role::Client(c)
                }
                _ => {
                    let s: ServerParams = params(i, g.params)?;
                    s.validate().map_err(|e| invalid(i, e))?;
                    Role::Server(s)
                }
            };
            roles[g.nodes.start as usize..g.nodes.end as usize].fill(role);
        }
        Ok(Ping::new(roles))
    }
}
