//! Registry entry for `redundancy` (hasim_protocols::redundancy): role `replica`; its
//! groups form one k-of-n system. The catalogue (parameters, `system_up`, figures) is
//! the protocol's own, in `hasim_protocols::redundancy::catalogue`.

use super::{params, unknown_role, GroupParams, Model, ParamError};
use super::{Params, RoleDoc};
use hasim_protocols::redundancy::{catalogue::ReplicaParams, Redundancy};
use hasim_sim::NodeId;

/// The `redundancy` model.
pub struct RedundancyModel;

impl Model for RedundancyModel {
    type Protocol = Redundancy;
    const NAME: &'static str = "redundancy";
    const SUMMARY: &'static str =
        "k-of-n replicas: the system is up while k are; long-run availability under failure and repair";

    fn roles() -> Vec<RoleDoc> {
        vec![RoleDoc {
            role: "replica",
            doc: "does nothing; counts as up while running (all replica groups form one system)",
            params: ReplicaParams::docs(),
        }]
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Redundancy, ParamError> {
        let mut replicas = Vec::new();
        let mut written: Option<(usize, ReplicaParams)> = None;
        for (i, g) in groups.iter().enumerate() {
            if g.role != "replica" {
                return Err(unknown_role(i, g.role, Self::NAME, &["replica"]));
            }
            replicas.extend(g.nodes.clone().map(NodeId));
            if g.params.is_empty() {
                continue;
            }
            let p: ReplicaParams = params(i, g.params)?;
            match &written {
                Some((first, q)) if *q != p => {
                    return Err(ParamError {
                        group: i,
                        role: false,
                        message: format!(
                            "the replicas' parameters are one set for the whole system, and these differ from group[{first}]'s: write them once, on any one replica group"
                        ),
                    })
                }
                Some(_) => {}
                None => written = Some((i, p)),
            }
        }
        let (group, p) = written.unwrap_or((0, ReplicaParams::default()));
        let n = replicas.len() as u32;
        if p.k == 0 || p.k > n {
            return Err(ParamError {
                group,
                role: false,
                message: format!(
                    "k must be between 1 and the number of replicas ({n}), not {}",
                    p.k
                ),
            });
        }
        debug_assert!(replicas.iter().all(|r| r.0 < nodes));
        Ok(Redundancy::new(replicas, p.k))
    }
}
