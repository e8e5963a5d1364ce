//! Registry entry for `primary_backup` (hasim_protocols::replication::primary_backup):
//! roles `replica` (the first starts as primary) and `client` (the shared key-value
//! workload); the one-primary invariant, the lost-write end check, availability,
//! failover and two-primary figures. The catalogue is the protocol's own, in
//! `hasim_protocols::replication::primary_backup::catalogue`.

use super::groups::{invalid, Groups};
use super::{GroupParams, Model, ParamError};
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
                doc: "holds the log; the first replica starts as primary, a backup promotes itself when it suspects the primary and every lower replica (params shared by every replica group)",
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
        let groups = Groups::new(Self::NAME, &ROLES, groups)?;
        groups.needs("replica")?;
        let (at, p) = groups.shared::<PrimaryBackupParams>(Some("replica"))?;
        let mut roles = vec![Role::Idle; nodes as usize];
        for (i, g) in groups.all() {
            let role = match g.role {
                "replica" => Role::Replica,
                _ => Role::Client(super::workload(i, g.params)?),
            };
            roles[g.nodes.start as usize..g.nodes.end as usize].fill(role);
        }
        PrimaryBackup::new(roles, p).map_err(|e| invalid(at, e))
    }
}
