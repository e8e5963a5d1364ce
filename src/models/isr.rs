//! Registry entry for `isr` (hasim_protocols::replication::isr): Kafka's in-sync
//! replicas with roles `broker` (the first broker is the controller) and `producer`;
//! checks one leader per epoch, a live leader per partition, and no lost acknowledged
//! write; figures from the client history, the controller's decisions and the faults.
//! The catalogue is the protocol's own, in `hasim_protocols::replication::isr::catalogue`.

use super::groups::{invalid, Groups};
use super::{params, GroupParams, Model, ParamError};
use super::{Params, RoleDoc};
use hasim_protocols::replication::isr::{BrokerParams, Isr, ProducerParams, Role};

/// The `isr` model.
pub struct IsrModel;

const ROLES: [&str; 2] = ["broker", "producer"];

impl Model for IsrModel {
    type Protocol = Isr;
    const NAME: &'static str = "isr";
    const SUMMARY: &'static str =
        "Kafka in-sync replicas: fetching followers, high watermark, ISR, clean/unclean leader election";

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "broker",
                doc: "hosts partition replicas (leader or fetching follower); the first broker is the controller and hosts none",
                params: BrokerParams::docs(),
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
        let (at, broker) = groups.shared::<BrokerParams>(Some("broker"))?;
        let mut roles = vec![Role::Idle; nodes as usize];
        for (i, g) in groups.all() {
            let role = match g.role {
                "broker" => Role::Broker,
                _ => {
                    let p: ProducerParams = params(i, g.params)?;
                    p.validate().map_err(|e| invalid(i, e))?;
                    Role::Producer(p)
                }
            };
            roles[g.nodes.start as usize..g.nodes.end as usize].fill(role);
        }
        Isr::new(roles, broker).map_err(|e| invalid(at, e))
    }
}
