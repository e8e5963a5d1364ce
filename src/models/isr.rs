//! Registry entry for `isr` (hasim_protocols::replication::isr): Kafka's in-sync
//! replicas with roles `broker`, `controller` (optional: without one the first
//! `controllers` brokers are the controllers) and `producer`;
//! checks one leader per epoch, a live leader per partition, and no lost acknowledged
//! write; figures from the client history, the controller's decisions and the faults.
//! The catalogue is the protocol's own, in `hasim_protocols::replication::isr::catalogue`.

use super::groups::{invalid, Groups};
use super::{params, GroupParams, Model, ParamError};
use super::{Params, RoleDoc};
use hasim_protocols::replication::isr::{BrokerParams, Isr, ProducerParams, Role};

/// The `isr` model.
pub struct IsrModel;

const ROLES: [&str; 3] = ["broker", "controller", "producer"];

impl Model for IsrModel {
    type Protocol = Isr;
    const NAME: &'static str = "isr";
    const SUMMARY: &'static str =
        "Kafka in-sync replicas: fetching followers, high watermark, ISR, clean/unclean leader election";

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "broker",
                doc: "hosts partition replicas (leader or fetching follower); without controller groups the first `controllers` brokers are the controllers and host none",
                params: BrokerParams::docs(),
            },
            RoleDoc {
                role: "controller",
                doc: "a controller (the first active, the others standing by) on a node of its own; takes the broker groups' parameters (write none here)",
                params: Vec::new(),
            },
            RoleDoc {
                role: "producer",
                doc: "runs the shared key-value workload against partition leaders, one operation at a time",
                params: ProducerParams::docs(),
            },
        ]
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Isr, ParamError> {
        let groups = Groups::new(Self::NAME, &ROLES, groups)?;
        groups.needs("broker")?;
        let (at, mut broker) = groups.shared::<BrokerParams>(Some("broker"))?;
        let mut roles = vec![Role::Idle; nodes as usize];
        for (i, g) in groups.all() {
            let role = match g.role {
                "controller" => {
                    if !g.params.is_empty() {
                        return Err(invalid(i, "controllers take the broker groups' parameters: write them on the broker group, and none on a controller group"));
                    }
                    Role::Controller
                }
                "broker" => Role::Broker,
                _ => {
                    let p: ProducerParams = params(i, g.params)?;
                    p.validate().map_err(|e| invalid(i, e))?;
                    Role::Producer(p)
                }
            };
            roles[g.nodes.start as usize..g.nodes.end as usize].fill(role);
        }
        let own = roles.iter().filter(|r| **r == Role::Controller).count() as u32;
        if own > 0 {
            let written = groups
                .of("broker")
                .any(|(_, g)| g.params.contains_key("controllers"));
            if written && broker.controllers != own {
                return Err(invalid(
                    at,
                    format!(
                        "controllers = {} but the controller groups hold {own} nodes: leave controllers out, or make them agree",
                        broker.controllers
                    ),
                ));
            }
            broker.controllers = own;
        }
        Isr::new(roles, broker).map_err(|e| invalid(at, e))
    }
}
