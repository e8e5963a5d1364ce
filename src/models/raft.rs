//! Registry entry for `raft` (hasim_protocols::replication::raft): roles `replica`
//! and `client`; election safety per event, log matching, state machine safety and
//! lost writes on the finished run; availability, leader time and failover figures.
//! The catalogue is the protocol's own, in
//! `hasim_protocols::replication::raft::catalogue`.

use super::{params, unknown_role, GroupParams, Model, ParamError};
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
                doc: "a Raft replica (one parameter set for the cluster: write it on one replica group)",
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
        let mut roles = vec![Role::Idle; nodes as usize];
        let mut cluster: Option<(usize, RaftParams)> = None;
        let mut replicas = false;
        for (i, g) in groups.iter().enumerate() {
            let role = match g.role {
                "replica" => {
                    replicas = true;
                    replica_params(&mut cluster, i, g.params)?;
                    Role::Replica
                }
                "client" => Role::Client(super::workload(i, g.params)?),
                other => return Err(unknown_role(i, other, Self::NAME, &ROLES)),
            };
            for n in g.nodes.clone() {
                roles[n as usize] = role.clone();
            }
        }
        if !replicas {
            return Err(ParamError {
                group: 0,
                role: true,
                message: "the raft model needs a group of role \"replica\"".to_string(),
            });
        }
        let (group, p) = cluster.unwrap_or_default();
        Raft::new(p, roles).map_err(|message| ParamError {
            group,
            role: false,
            message,
        })
    }
}

/// Reads a replica group's parameters into `cluster`, the one set every replica shares:
/// the first group that writes them sets them, and a later group that writes different
/// ones is an error naming both groups.
pub(super) fn replica_params(
    cluster: &mut Option<(usize, RaftParams)>,
    group: usize,
    table: &toml::Table,
) -> Result<(), ParamError> {
    if table.is_empty() {
        return Ok(());
    }
    let p: RaftParams = params(group, table)?;
    match cluster {
        Some((first, q)) if *q != p => Err(ParamError {
            group,
            role: false,
            message: format!(
                "the replicas' parameters are one set for the cluster, and these differ from group[{first}]'s: write them once"
            ),
        }),
        Some(_) => Ok(()),
        None => {
            *cluster = Some((group, p));
            Ok(())
        }
    }
}
