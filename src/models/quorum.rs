//! Registry entry for `quorum` (hasim_protocols::replication::quorum): leaderless
//! Dynamo / Cassandra-style replication. Roles `replica` (ring members: store and
//! coordinate) and `client` (the shared key-value workload). Figures come from the
//! clients' history (availability, latency, stale reads, lost writes) and the
//! replicas' counters (read repairs, hints); end checks judge the history against the
//! replicas' final disks. The catalogue is the protocol's own, in
//! `hasim_protocols::replication::quorum::catalogue`.

use super::{params, unknown_role, GroupParams, Model, ParamError};
use super::{Params, RoleDoc};
use hasim_protocols::replication::quorum::{Quorum, ReplicaParams, Role};
use hasim_protocols::replication::WorkloadParams;

/// The `quorum` model.
pub struct QuorumModel;

const ROLES: [&str; 2] = ["replica", "client"];

impl Model for QuorumModel {
    type Protocol = Quorum;
    const NAME: &'static str = "quorum";
    const SUMMARY: &'static str =
        "leaderless N/R/W quorum replication (Dynamo, Cassandra): LWW or version vectors, read repair, hinted handoff; stale reads and lost writes";

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "replica",
                doc: "a ring member: stores its keys' versions and coordinates client requests (params written once, shared by every replica group)",
                params: ReplicaParams::docs(),
            },
            RoleDoc {
                role: "client",
                doc: "reads and writes unique values, one operation at a time, through a coordinator chosen round robin",
                params: WorkloadParams::docs(),
            },
        ]
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Quorum, ParamError> {
        let mut roles = vec![Role::Idle; nodes as usize];
        let mut replica: Option<(usize, &toml::Table)> = None;
        let mut first_replica = None;
        for (i, g) in groups.iter().enumerate() {
            let role = match g.role {
                "replica" => {
                    first_replica.get_or_insert(i);
                    if !g.params.is_empty() {
                        match replica {
                            Some((_, p)) if p != g.params => {
                                return Err(ParamError {
                                    group: i,
                                    role: false,
                                    message: "the replica groups have different params; every replica shares them: write them once, on one replica group".into(),
                                })
                            }
                            Some(_) => {}
                            None => replica = Some((i, g.params)),
                        }
                    }
                    Role::Replica
                }
                "client" => Role::Client(super::workload(i, g.params)?),
                other => return Err(unknown_role(i, other, Self::NAME, &ROLES)),
            };
            for n in g.nodes.clone() {
                roles[n as usize] = role.clone();
            }
        }
        let Some(first) = first_replica else {
            return Err(ParamError {
                group: groups.len().saturating_sub(1),
                role: true,
                message: "the quorum model needs a replica group".into(),
            });
        };
        let (at, p) = match replica {
            Some((i, t)) => (i, params::<ReplicaParams>(i, t)?),
            None => (first, ReplicaParams::default()),
        };
        Quorum::new(p, roles).map_err(|message| ParamError {
            group: at,
            role: false,
            message,
        })
    }
}
