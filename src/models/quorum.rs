//! Registry entry for `quorum` (hasim_protocols::replication::quorum): leaderless
//! Dynamo / Cassandra-style replication. Roles `replica` (ring members: store and
//! coordinate) and `client` (the shared key-value workload). Figures come from the
//! clients' history (availability, latency, stale reads, lost writes) and the
//! replicas' counters (read repairs, hints); end checks judge the history against the
//! replicas' final disks. The catalogue is the protocol's own, in
//! `hasim_protocols::replication::quorum::catalogue`.

use super::groups::{invalid, Groups};
use super::{GroupParams, Model, ParamError};
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
        let groups = Groups::new(Self::NAME, &ROLES, groups)?;
        groups.needs("replica")?;
        let (at, p) = groups.shared::<ReplicaParams>(Some("replica"))?;
        let mut roles = vec![Role::Idle; nodes as usize];
        for (i, g) in groups.all() {
            let role = match g.role {
                "replica" => Role::Replica,
                _ => Role::Client(super::workload(i, g.params)?),
            };
            roles[g.nodes.start as usize..g.nodes.end as usize].fill(role);
        }
        Quorum::new(p, roles).map_err(|e| invalid(at, e))
    }
}
