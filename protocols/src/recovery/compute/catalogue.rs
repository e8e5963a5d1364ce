//! The catalogue of `compute`: the driver's and executors' parameters, its properties,
//! and the figures of a Spark-style batch job (completion time, tasks re-run) or a
//! Flink-style streaming job (recovery time after failures, replay lag); the recovery
//! episodes the data platform's pipeline figures build on.

use super::{Compute, DriverParams, ExecutorParams, Job, Observation, View};
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use hasim_sim::{Inspect, NodeId, SimTime, Status, Timeline};
use std::collections::BTreeMap;

impl Params for DriverParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
                    (
                        "job",
                        "the job: a batch (default shown), or {kind = \"streaming\", parallelism = 0 (every executor), checkpoint_interval = \"60s\", checkpoint_duration = \"5s\", restart_delay = \"10s\", input_rate = 1000, capacity = 2000}",
                    ),
                    ("heartbeat_interval", "between an executor's heartbeats"),
                    ("heartbeat_timeout", "an executor silent this long is lost"),
                ];
}

impl Params for ExecutorParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[];
}

impl Catalogue for Compute {
    const KEEPS_OBSERVATIONS: bool = true;

    fn figure_docs() -> Vec<FigureDoc> {
        let f = FigureDoc::new;
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

    fn property_docs() -> Vec<PropertyDoc> {
        vec![PropertyDoc {
            name: "settled",
            doc: "batch: the job is over (completed or failed); streaming: running and caught up",
        }]
    }

    fn property(&self, name: &str) -> Option<Predicate<Compute>> {
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

    fn figures(sim: &impl Inspect<Self>, figures: &mut BTreeMap<String, f64>) {
        report(sim, figures);
    }
}

/// The model's figures, from a run of the protocol alone or of a system it is a part of.
fn report(sim: &impl Inspect<Compute>, figures: &mut BTreeMap<String, f64>) {
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
