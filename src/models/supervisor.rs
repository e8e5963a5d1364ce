//! Registry entry for `supervisor` (hasim_protocols::recovery::supervisor): role
//! `service`, a process under a Kubernetes-style kubelet (restart policy, liveness
//! probe, CrashLoopBackOff), judged by restarts, time in back-off and the fraction of
//! time the service was running and responsive.

use super::groups::{invalid, Groups};
use super::{params, GroupParams, Model, ParamError};
use super::{Params, RoleDoc};
use hasim_protocols::recovery::supervisor::{ServiceParams, Supervisor};

/// The `supervisor` model.
pub struct SupervisorModel;

impl Model for SupervisorModel {
    type Protocol = Supervisor;
    const NAME: &'static str = "supervisor";
    const SUMMARY: &'static str =
        "a process under a Kubernetes-style supervisor: restart policy, liveness probe, CrashLoopBackOff";

    fn roles() -> Vec<RoleDoc> {
        vec![RoleDoc {
            role: "service",
            doc: "a node running one supervised process and its supervisor (the kubelet)",
            params: ServiceParams::docs(),
        }]
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Supervisor, ParamError> {
        let groups = Groups::new(Self::NAME, &["service"], groups)?;
        let mut services = vec![None; nodes as usize];
        for (i, g) in groups.all() {
            let p: ServiceParams = params(i, g.params)?;
            p.validate().map_err(|e| invalid(i, e))?;
            services[g.nodes.start as usize..g.nodes.end as usize].fill(Some(p));
        }
        Ok(Supervisor::new(services))
    }
}
