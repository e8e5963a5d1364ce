//! How the compute model's messages, timers and observations read in the trace (and
//! are hashed).

use super::{Msg, Observation, Timer};
use hasim_sim::{Describe, Detail};

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Msg::Register => d.name("register"),
            Msg::Heartbeat => d.name("heartbeat"),
            Msg::Launch { task, attempt } => d
                .name("launch")
                .u64("task", task.into())
                .u64("attempt", attempt.into()),
            Msg::TaskDone { task, attempt } => d
                .name("task_done")
                .u64("task", task.into())
                .u64("attempt", attempt.into()),
            Msg::Barrier { checkpoint } => d.name("barrier").u64("checkpoint", checkpoint),
            Msg::Ack { checkpoint } => d.name("ack").u64("checkpoint", checkpoint),
        };
    }
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Timer::Heartbeat => d.name("heartbeat"),
            Timer::TaskEnd { task, attempt } => d
                .name("task_end")
                .u64("task", task.into())
                .u64("attempt", attempt.into()),
            Timer::Snapshot { checkpoint } => d.name("snapshot").u64("checkpoint", checkpoint),
            Timer::Check => d.name("check"),
            Timer::Trigger => d.name("trigger"),
            Timer::Restart => d.name("restart"),
            Timer::CaughtUp => d.name("caught_up"),
        };
    }
}

impl Describe for Observation {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Observation::ExecutorLost { node } => d.name("executor_lost").node("node", node),
            Observation::ExecutorJoined { node } => d.name("executor_joined").node("node", node),
            Observation::TaskRerun { task, failures } => d
                .name("task_rerun")
                .u64("task", task.into())
                .u64("failures", failures.into()),
            Observation::JobCompleted => d.name("job_completed"),
            Observation::JobFailed { task } => d.name("job_failed").u64("task", task.into()),
            Observation::CheckpointCompleted {
                checkpoint,
                position,
            } => d
                .name("checkpoint_completed")
                .u64("checkpoint", checkpoint)
                .time("position", position),
            Observation::Failover => d.name("failover"),
            Observation::Restarted { from } => d.name("restarted").time("from", from),
            Observation::CaughtUp => d.name("caught_up"),
        };
    }
}
