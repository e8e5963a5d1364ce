//! Registry entry for `compute` (hasim_protocols::recovery::compute): roles `driver`
//! (one) and `executor`; a Spark-style batch job judged by completion time and tasks
//! re-run, or a Flink-style streaming job judged by its recovery time after failures.

use super::{param_docs, params, unknown_role, FigureDoc, GroupParams, Model, ParamError};
use super::{Predicate, PropertyDoc, RoleDoc, Unit};
use hasim_protocols::recovery::compute::{
    Compute, DriverParams, ExecutorParams, Job, Observation, View,
};
use hasim_sim::{Inspect, NodeId, Sim, SimTime, Status, Timeline};
use std::collections::BTreeMap;

/// The `compute` model.
pub struct ComputeModel;

const ROLES: [&str; 2] = ["driver", "executor"];

impl Model for ComputeModel {
    type Protocol = Compute;
    const NAME: &'static str = "compute";
    const SUMMARY: &'static str =
        "recovery of computation: a batch job re-running lost tasks (Spark), a streaming job restoring checkpoints (Flink)";
    const KEEPS_OBSERVATIONS: bool = true;

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "driver",
                doc: "one node: runs the job on the executors and watches them by heartbeats (its params are the job's)",
                params: param_docs::<DriverParams>(&[
                    (
                        "job",
                        "the job: a batch (default shown), or {kind = \"streaming\", parallelism = 0 (every executor), checkpoint_interval = \"60s\", checkpoint_duration = \"5s\", restart_delay = \"10s\", input_rate = 1000, capacity = 2000}",
                    ),
                    ("heartbeat_interval", "between an executor's heartbeats"),
                    ("heartbeat_timeout", "an executor silent this long is lost"),
                ]),
            },
            RoleDoc {
                role: "executor",
                doc: "runs tasks (batch) or a share of the pipeline and its snapshots (streaming)",
                params: param_docs::<ExecutorParams>(&[]),
            },
        ]
    }

    fn figures() -> Vec<FigureDoc> {
        let f = |name, unit, doc| FigureDoc { name, unit, doc };
        vec![
            f("job_completion_time", Unit::Seconds, "batch: from the start to the last task done (missing if the job failed or did not finish)"),
            f("tasks_rerun", Unit::Count, "batch: task attempts lost with an executor and queued again"),
            f("job_failed", Unit::Count, "batch: 1 if a task failed max_task_failures times"),
            f("executors_lost", Unit::Count, "executors the driver declared lost"),
            f("failovers", Unit::Count, "streaming: times the job failed over"),
            f("checkpoints", Unit::Count, "streaming: checkpoints completed"),
            f("recovery_time_mean", Unit::Seconds, "streaming: mean time from an executor failure to the restarted job caught up"),
            f("recovery_time_max", Unit::Seconds, "streaming: the longest such recovery"),
            f("replay_lag_mean", Unit::Seconds, "streaming: mean input to replay, from the restored checkpoint's position to the failure"),
        ]
    }

    fn properties() -> Vec<PropertyDoc> {
        vec![PropertyDoc {
            name: "settled",
            doc: "batch: the job is over (completed or failed); streaming: running and caught up",
        }]
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

    fn property(_: &Compute, name: &str) -> Option<Predicate<Compute>> {
        (name == "settled").then(|| -> Predicate<Compute> {
            Box::new(|w| {
                let settled = w
                    .views
                    .iter()
                    .flatten()
                    .any(|v| matches!(v, View::Driver { settled: true }));
                if settled {
                    Ok(())
                } else {
                    Err("the job is not settled".into())
                }
            })
        })
    }

    fn report(sim: &Sim<Compute>, figures: &mut BTreeMap<String, f64>) {
        report(sim, figures);
    }
}

/// The model's figures, from a run of the protocol alone or of a system it is a part of.
pub(crate) fn report(sim: &impl Inspect<Compute>, figures: &mut BTreeMap<String, f64>) {
    let obs = sim.observations();
    let m = sim.metrics();
    let lost = obs
        .iter()
        .filter(|o| matches!(o.observation, Observation::ExecutorLost { .. }))
        .count();
    figures.insert("executors_lost".into(), lost as f64);
    if let Job::Batch(_) = sim.protocol().params().job {
        figures.insert("tasks_rerun".into(), m.counter("tasks_rerun") as f64);
        let failed = obs
            .iter()
            .any(|o| matches!(o.observation, Observation::JobFailed { .. }));
        figures.insert("job_failed".into(), if failed { 1.0 } else { 0.0 });
        if let Some(o) = obs
            .iter()
            .find(|o| o.observation == Observation::JobCompleted)
        {
            figures.insert("job_completion_time".into(), o.time.as_secs_f64());
        }
        return;
    }
    figures.insert("failovers".into(), m.counter("failovers") as f64);
    figures.insert("checkpoints".into(), m.counter("checkpoints") as f64);
    let episodes = recoveries(sim);
    let n = episodes.len() as f64;
    if n > 0.0 {
        let sum = |f: fn(&Recovery) -> f64| episodes.iter().map(f).sum::<f64>();
        figures.insert("recovery_time_mean".into(), sum(|e| e.recovery) / n);
        figures.insert(
            "recovery_time_max".into(),
            episodes.iter().map(|e| e.recovery).fold(0.0, f64::max),
        );
        figures.insert("replay_lag_mean".into(), sum(|e| e.lag) / n);
    }
}

/// One streaming recovery, from the failure to caught up.
#[derive(Clone, Copy, Debug)]
pub struct Recovery {
    /// The executor whose loss caused the failover, if the driver named one.
    pub executor: Option<NodeId>,
    /// When the executor whose loss caused the failover failed.
    pub failed: SimTime,
    /// When the restarted job caught up.
    pub caught_up: SimTime,
    /// Seconds from the executor's failure to the job caught up.
    pub recovery: f64,
    /// Seconds of input from the restored checkpoint's position to the failure.
    pub lag: f64,
}

/// The streaming job's completed recoveries. A recovery starts when the executor
/// whose loss caused the failover crashed or paused (its last change from up before
/// the failover; the failover's own time if it was up: a partition) and ends when the
/// restarted job caught up; failovers during a recovery extend it.
pub fn recoveries(sim: &impl Inspect<Compute>) -> Vec<Recovery> {
    episodes(sim).0
}

/// The completed recoveries, and when the one still going at the end (if any) began.
pub fn episodes(sim: &impl Inspect<Compute>) -> (Vec<Recovery>, Option<SimTime>) {
    let mut out = Vec::new();
    let mut lost: Option<NodeId> = None;
    let mut failed: Option<(SimTime, Option<NodeId>)> = None;
    let mut restored: Option<SimTime> = None;
    for o in sim.observations() {
        match o.observation {
            Observation::ExecutorLost { node } => lost = Some(node),
            Observation::Failover if failed.is_none() => {
                let at = lost.map_or(o.time, |n| went_down(sim.timeline(n), o.time));
                failed = Some((at, lost));
            }
            Observation::Restarted { from } if restored.is_none() => restored = Some(from),
            Observation::CaughtUp => {
                if let (Some((f, executor)), Some(from)) = (failed.take(), restored.take()) {
                    out.push(Recovery {
                        executor,
                        failed: f,
                        caught_up: o.time,
                        recovery: o.time.saturating_since(f).as_secs_f64(),
                        lag: f.saturating_since(from).as_secs_f64(),
                    });
                }
            }
            _ => {}
        }
    }
    (out, failed.map(|(f, _)| f))
}

/// When a node last stopped being up at or before `at` (`at` itself if it was up).
pub fn went_down(timeline: &Timeline, at: SimTime) -> SimTime {
    match timeline.changes().iter().rev().find(|(t, _)| *t <= at) {
        Some(&(t, s)) if s != Status::Up => t,
        _ => at,
    }
}
