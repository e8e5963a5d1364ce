//! Registry entry for `raft` (hasim_protocols::replication::raft): roles `replica`
//! and `client`; election safety per event, log matching, state machine safety and
//! lost writes on the finished run; availability, leader time and failover figures.
//! The catalogue is the protocol's own, in
//! `hasim_protocols::replication::raft::catalogue`.

use super::groups::{invalid, Groups};
use super::{GroupParams, Model, ParamError};
use super::{Params, RoleDoc};
use hasim_protocols::replication::raft::{Raft, RaftParams, Role};
use hasim_protocols::replication::WorkloadParams;

/// The `raft` model.
pub struct RaftModel;

const ROLES: [&str; 2] = ["replica", "client"];

impl Model for RaftModel {
    type Protocol = Raft;
    const NAME: &'static str = "raft";
    const SUMMARY: &'static str =
        "a key-value store replicated by Raft: elections, log replication, clients redirected to the leader";

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "replica",
                doc: "a Raft replica (one parameter set for the cluster: in [params.replica] or on one replica group)",
                params: RaftParams::docs(),
            },
            RoleDoc {
                role: "client",
                doc: "one key-value operation at a time to the leader it knows; redirected by followers",
                params: WorkloadParams::docs(),
            },
        ]
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Raft, ParamError> {
        let groups = Groups::new(Self::NAME, &ROLES, groups)?;
        groups.needs("replica")?;
        let (group, p) = groups.shared::<RaftParams>(Some("replica"))?;
        let mut roles = vec![Role::Idle; nodes as usize];
        for (i, g) in groups.all() {
            let role = match g.role {
                "replica" => Role::Replica,
                _ => Role::Client(super::workload(i, g.params)?),
            };
            roles[g.nodes.start as usize..g.nodes.end as usize].fill(role);
        }
        Raft::new(p, roles).map_err(|e| invalid(group, e))
    }
}
