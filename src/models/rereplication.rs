//! Registry entry for `rereplication` (hasim_protocols::recovery::rereplication):
//! roles `namenode` (one) and `datanode` (with a `rack` each), judged by how long the
//! store took to get every block back to its replication factor, how many block-hours
//! were under-replicated, and how many blocks lost every replica.
//! The catalogue (parameters, properties, figures) is the protocol's own, in
//! `hasim_protocols::recovery::rereplication::catalogue`.

use super::groups::{invalid, Groups};
use super::{params, GroupParams, Model, ParamError};
use super::{Params, RoleDoc};
use hasim_protocols::recovery::rereplication::{DatanodeParams, NamenodeParams, Rereplication};
use hasim_sim::NodeId;

/// The `rereplication` model.
pub struct RereplicationModel;

const ROLES: [&str; 2] = ["namenode", "datanode"];

impl Model for RereplicationModel {
    type Protocol = Rereplication;
    const NAME: &'static str = "rereplication";
    const SUMMARY: &'static str =
        "HDFS-style re-replication: rack-aware blocks, a namenode that detects dead datanodes and copies blocks back to their replication factor";

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "namenode",
                doc: "one node: places the blocks, declares silent datanodes dead, schedules copies (its params are the whole system's)",
                params: NamenodeParams::docs(),
            },
            RoleDoc {
                role: "datanode",
                doc: "holds blocks on its disk, heartbeats, copies blocks when told",
                params: DatanodeParams::docs(),
            },
        ]
    }

    fn build(_: u32, groups: &[GroupParams<'_>]) -> Result<Rereplication, ParamError> {
        let groups = Groups::new(Self::NAME, &ROLES, groups)?;
        let (at, namenode) = groups.single("namenode")?;
        let (_, p) = groups.shared::<NamenodeParams>(Some("namenode"))?;
        let mut datanodes: Vec<(NodeId, String)> = Vec::new();
        for (i, g) in groups.of("datanode") {
            let p: DatanodeParams = params(i, g.params)?;
            if p.rack.is_empty() {
                return Err(invalid(i, "a datanode group needs `rack` in its params"));
            }
            datanodes.extend(g.nodes.clone().map(|n| (NodeId(n), p.rack.clone())));
        }
        p.validate(datanodes.len()).map_err(|e| invalid(at, e))?;
        Ok(Rereplication::new(p, namenode, &datanodes))
    }
}
