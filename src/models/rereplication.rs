//! Registry entry for `rereplication` (hasim_protocols::recovery::rereplication):
//! roles `namenode` (one) and `datanode` (with a `rack` each), judged by how long the
//! store took to get every block back to its replication factor, how many block-hours
//! were under-replicated, and how many blocks lost every replica.
//! The catalogue (parameters, properties, figures) is the protocol's own, in
//! `hasim_protocols::recovery::rereplication::catalogue`.

use super::{params, unknown_role, GroupParams, Model, ParamError};
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
        let mut namenode: Option<(NodeId, NamenodeParams)> = None;
        let mut datanodes: Vec<(NodeId, String)> = Vec::new();
        let bad = |group, message: String| ParamError {
            group,
            role: false,
            message,
        };
        for (i, g) in groups.iter().enumerate() {
            match g.role {
                "namenode" => {
                    if namenode.is_some() || g.nodes.len() != 1 {
                        return Err(ParamError {
                            group: i,
                            role: true,
                            message: "the rereplication model has exactly one namenode".into(),
                        });
                    }
                    namenode = Some((NodeId(g.nodes.start), params(i, g.params)?));
                }
                "datanode" => {
                    let p: DatanodeParams = params(i, g.params)?;
                    if p.rack.is_empty() {
                        return Err(bad(i, "a datanode group needs `rack` in its params".into()));
                    }
                    datanodes.extend(g.nodes.clone().map(|n| (NodeId(n), p.rack.clone())));
                }
                other => return Err(unknown_role(i, other, Self::NAME, &ROLES)),
            }
        }
        let Some((id, p)) = namenode else {
            return Err(ParamError {
                group: 0,
                role: true,
                message: "the rereplication model needs a group with role = \"namenode\"".into(),
            });
        };
        let namenode_group = groups
            .iter()
            .position(|g| g.role == "namenode")
            .unwrap_or(0);
        p.validate(datanodes.len())
            .map_err(|m| bad(namenode_group, m))?;
        Ok(Rereplication::new(p, id, &datanodes))
    }
}
