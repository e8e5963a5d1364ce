//! Registry entry for `compute` (hasim_protocols::recovery::compute): roles `driver`
//! (one) and `executor`; a Spark-style batch job judged by completion time and tasks
//! re-run, or a Flink-style streaming job judged by its recovery time after failures.
//! The catalogue (parameters, properties, figures) is the protocol's own, in
//! `hasim_protocols::recovery::compute::catalogue`.

use super::groups::{invalid, Groups};
use super::{params, GroupParams, Model, ParamError};
use super::{Params, RoleDoc};
use hasim_protocols::recovery::compute::{Compute, DriverParams, ExecutorParams};
use hasim_sim::NodeId;

/// The `compute` model.
pub struct ComputeModel;

const ROLES: [&str; 2] = ["driver", "executor"];

impl Model for ComputeModel {
    type Protocol = Compute;
    const NAME: &'static str = "compute";
    const SUMMARY: &'static str =
        "recovery of computation: a batch job re-running lost tasks (Spark), a streaming job restoring checkpoints (Flink)";

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "driver",
                doc: "one node: runs the job on the executors and watches them by heartbeats (its params are the job's)",
                params: DriverParams::docs(),
            },
            RoleDoc {
                role: "executor",
                doc: "runs tasks (batch) or a share of the pipeline and its snapshots (streaming)",
                params: ExecutorParams::docs(),
            },
        ]
    }

    fn build(_: u32, groups: &[GroupParams<'_>]) -> Result<Compute, ParamError> {
        let groups = Groups::new(Self::NAME, &ROLES, groups)?;
        let (at, driver) = groups.single("driver")?;
        let (_, p) = groups.shared::<DriverParams>(Some("driver"))?;
        let mut executors = Vec::new();
        for (i, g) in groups.of("executor") {
            let _: ExecutorParams = params(i, g.params)?;
            executors.extend(g.nodes.clone().map(NodeId));
        }
        p.validate(executors.len()).map_err(|e| invalid(at, e))?;
        Ok(Compute::new(p, driver, &executors))
    }
}
