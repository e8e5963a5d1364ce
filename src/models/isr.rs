//! Registry entry for `isr` (hasim_protocols::replication::isr): Kafka's in-sync
//! replicas with roles `broker`, `controller` (optional: without one the first
//! `controllers` brokers are the controllers) and `producer`;
//! checks one leader per epoch, a live leader per partition, and no lost acknowledged
//! write; figures from the client history, the controller's decisions and the faults.
//! The catalogue is the protocol's own, in `hasim_protocols::replication::isr::catalogue`.

use super::{params, unknown_role, GroupParams, Model, ParamError};
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
        let mut roles = vec![Role::Idle; nodes as usize];
        let mut broker: Option<(usize, &toml::Table)> = None;
        for (i, g) in groups.iter().enumerate() {
            let role = match g.role {
                "controller" => {
                    if !g.params.is_empty() {
                        return Err(ParamError {
                            group: i,
                            role: false,
                            message: "controllers take the broker groups' parameters: write them on the broker group, and none on a controller group".to_string(),
                        });
                    }
                    Role::Controller
                }
                "broker" => {
                    match broker {
                        Some((first, table)) if table != g.params => {
                            return Err(ParamError {
                                group: i,
                                role: false,
                                message: format!(
                                    "every broker shares one set of parameters, and these differ from group[{first}]'s: write them on one broker group"
                                ),
                            })
                        }
                        Some(_) => {}
                        None => broker = Some((i, g.params)),
                    }
                    Role::Broker
                }
                "producer" => {
                    let p: ProducerParams = params(i, g.params)?;
                    p.validate().map_err(|e| ParamError {
                        group: i,
                        role: false,
                        message: e.to_string(),
                    })?;
                    Role::Producer(p)
                }
                other => return Err(unknown_role(i, other, Self::NAME, &ROLES)),
            };
            for n in g.nodes.clone() {
                roles[n as usize] = role.clone();
            }
        }
        let (group, mut broker_params) = match broker {
            Some((i, table)) => (i, params::<BrokerParams>(i, table)?),
            None => {
                return Err(ParamError {
                    group: 0,
                    role: true,
                    message:
                        "the isr model needs broker groups (without controller groups, the first broker is the controller)"
                            .to_string(),
                })
            }
        };
        let own = roles.iter().filter(|r| **r == Role::Controller).count() as u32;
        if own > 0 {
            let written = broker.is_some_and(|(_, t)| t.contains_key("controllers"));
            if written && broker_params.controllers != own {
                return Err(ParamError {
                    group,
                    role: false,
                    message: format!(
                        "controllers = {} but the controller groups hold {own} nodes: leave controllers out, or make them agree",
                        broker_params.controllers
                    ),
                });
            }
            broker_params.controllers = own;
        }
        Isr::new(roles, broker_params).map_err(|e| ParamError {
            group,
            role: false,
            message: e.to_string(),
        })
    }
}
