//! Registry entry for `primary_backup` (hasim_protocols::replication::primary_backup):
//! roles `replica` (the first starts as primary) and `client` (the shared key-value
//! workload); the one-primary invariant, the lost-write end check, availability,
//! failover and two-primary figures. The catalogue is the protocol's own, in
//! `hasim_protocols::replication::primary_backup::catalogue`.

use super::{params, unknown_role, GroupParams, Model, ParamError};
use super::{Params, RoleDoc};
use hasim_protocols::replication::primary_backup::{PrimaryBackup, PrimaryBackupParams, Role};
use hasim_protocols::replication::WorkloadParams;

/// The `primary_backup` model.
pub struct PrimaryBackupModel;

const ROLES: [&str; 2] = ["replica", "client"];

impl Model for PrimaryBackupModel {
    type Protocol = PrimaryBackup;
    const NAME: &'static str = "primary_backup";
    const SUMMARY: &'static str =
        "primary-backup replication (sync or async) with detector-driven failover, epoch fencing and leases";

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "replica",
                doc: "holds the log; the first replica starts as primary, a backup promotes itself when it suspects the primary and every lower replica (one replica group)",
                params: PrimaryBackupParams::docs(),
            },
            RoleDoc {
                role: "client",
                doc: "runs the shared key-value workload one operation at a time, following redirects to the primary",
                params: WorkloadParams::docs(),
            },
        ]
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<PrimaryBackup, ParamError> {
        let mut roles = vec![Role::Idle; nodes as usize];
        let mut replica_params: Option<(usize, PrimaryBackupParams)> = None;
        for (i, g) in groups.iter().enumerate() {
            let role = match g.role {
                "replica" => {
                    if replica_params.is_some() {
                        return Err(ParamError {
                            group: i,
                            role: true,
                            message: "primary_backup takes one replica group (its params are the whole run's)".into(),
                        });
                    }
                    replica_params = Some((i, params(i, g.params)?));
                    Role::Replica
                }
                "client" => Role::Client(super::workload(i, g.params)?),
                other => return Err(unknown_role(i, other, Self::NAME, &ROLES)),
            };
            for n in g.nodes.clone() {
                roles[n as usize] = role.clone();
            }
        }
        let Some((group, p)) = replica_params else {
            return Err(ParamError {
                group: 0,
                role: true,
                message: "primary_backup needs a replica group".into(),
            });
        };
        PrimaryBackup::new(roles, p).map_err(|e| ParamError {
            group,
            role: false,
            message: e.to_string(),
        })
    }
}
