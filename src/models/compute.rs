//! Registry entry for `compute` (hasim_protocols::recovery::compute): roles `driver`
//! (one) and `executor`; a Spark-style batch job judged by completion time and tasks
//! re-run, or a Flink-style streaming job judged by its recovery time after failures.
//! The catalogue (parameters, properties, figures) is the protocol's own, in
//! `hasim_protocols::recovery::compute::catalogue`.

use super::{params, unknown_role, GroupParams, Model, ParamError};
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
        let mut driver: Option<(usize, NodeId, DriverParams)> = None;
        let mut executors = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            match g.role {
                "driver" => {
                    if driver.is_some() || g.nodes.len() != 1 {
                        return Err(ParamError {
                            group: i,
                            role: true,
                            message: "the compute model has exactly one driver".into(),
                        });
                    }
                    driver = Some((i, NodeId(g.nodes.start), params(i, g.params)?));
                }
                "executor" => {
                    let _: ExecutorParams = params(i, g.params)?;
                    executors.extend(g.nodes.clone().map(NodeId));
                }
                other => return Err(unknown_role(i, other, Self::NAME, &ROLES)),
            }
        }
        let Some((group, id, p)) = driver else {
            return Err(ParamError {
                group: 0,
                role: true,
                message: "the compute model needs a group with role = \"driver\"".into(),
            });
        };
        p.validate(executors.len()).map_err(|message| ParamError {
            group,
            role: false,
            message,
        })?;
        Ok(Compute::new(p, id, &executors))
    }
}
