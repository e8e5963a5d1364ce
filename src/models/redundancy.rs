//! Registry entry for `redundancy` (hasim_protocols::redundancy): role `replica`; its
//! groups form one k-of-n system. The catalogue (parameters, `system_up`, figures) is
//! the protocol's own, in `hasim_protocols::redundancy::catalogue`.

use super::groups::{invalid, Groups};
use super::{GroupParams, Model, ParamError};
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
        let groups = Groups::new(Self::NAME, &["replica"], groups)?;
        let (at, p) = groups.shared::<ReplicaParams>(Some("replica"))?;
        let replicas: Vec<NodeId> = groups
            .all()
            .flat_map(|(_, g)| g.nodes.clone().map(NodeId))
            .collect();
        let n = replicas.len() as u32;
        if p.k == 0 || p.k > n {
            return Err(invalid(
                at,
                format!(
                    "k must be between 1 and the number of replicas ({n}), not {}",
                    p.k
                ),
            ));
        }
        debug_assert!(replicas.iter().all(|r| r.0 < nodes));
        Ok(Redundancy::new(replicas, p.k))
    }
}
