//! `compute`: recovery of computation, Spark and Flink style.
//!
//! **The algorithms.** One `driver` runs a job on `executor` nodes, which heartbeat to
//! it every `heartbeat_interval`; an executor silent for `heartbeat_timeout`, or one
//! that registers again (it restarted), is lost.
//! - **Batch** (Spark): the driver hands tasks to free executor slots, most free
//!   slots first. A lost executor's running tasks are queued again at the front,
//!   each counting one failure; a task failing `max_task_failures` times fails the
//!   job. The job completes when every task has once completed.
//! - **Streaming** (Flink): the job runs on `parallelism` executors. Every
//!   `checkpoint_interval` the driver injects a barrier at the source's read
//!   position; each executor's snapshot is durable `checkpoint_duration` after the
//!   barrier reaches it, and the checkpoint is COMPLETED when all have acknowledged.
//!   When an executor of the job is lost, the whole job fails over: after
//!   `restart_delay` it restarts on live executors from the last completed
//!   checkpoint's position, and replays the input since then at `capacity` records/s
//!   while new input keeps arriving at `input_rate`; it has recovered when the replay
//!   has caught up with the present. A restart at time R from position p catches up
//!   at R + (R − p) · rate / (capacity − rate). For failures uniform in time, the
//!   input to replay (failure − position) averages `checkpoint_interval / 2 +
//!   checkpoint_duration`.
//!
//! **What it simplifies.** Batch: no shuffle, so no map outputs are lost with an
//! executor (only its running tasks re-run); no speculation, stragglers or
//! blacklisting; a slow attempt that finishes after its task was re-queued still
//! counts. Streaming: the pipeline is one stage (no operator graph, no per-operator
//! state size), records are a rate rather than events, and snapshots need no
//! alignment; one checkpoint at a time (a trigger while one is pending is skipped).
//! The driver itself never fails (no driver or JobManager HA).
//!
//! **What it promises.** A task's failures count exactly the lost attempts it had
//! running; a streaming restart always restores the latest checkpoint every executor
//! of the job acknowledged before the failure was detected, never a newer one.

mod batch;
pub mod catalogue;
mod driver;
mod params;
mod streaming;
mod wire;

pub use params::{BatchParams, DriverParams, ExecutorParams, Job, StreamingParams};

use hasim_sim::{Ctx, NodeId, Protocol, SimDuration, SimTime, TimerId};
use std::collections::VecDeque;

/// The configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Compute {
    params: DriverParams,
    driver: NodeId,
    executors: Vec<NodeId>,
    /// Executor index by node id (`u16::MAX`: not an executor).
    index: Vec<u16>,
}

impl Compute {
    /// A configuration: the driver's parameters, its id, and the executors' ids.
    pub fn new(params: DriverParams, driver: NodeId, executors: &[NodeId]) -> Self {
        let size = executors
            .iter()
            .chain([&driver])
            .map(|n| n.index() + 1)
            .max()
            .unwrap_or(0);
        let mut index = vec![u16::MAX; size];
        for (i, e) in executors.iter().enumerate() {
            index[e.index()] = i as u16;
        }
        Compute {
            params,
            driver,
            executors: executors.to_vec(),
            index,
        }
    }

    /// The driver's parameters.
    pub fn params(&self) -> &DriverParams {
        &self.params
    }

    /// The driver's node id.
    pub fn driver(&self) -> NodeId {
        self.driver
    }

    /// The executors' node ids, by index.
    pub fn executors(&self) -> &[NodeId] {
        &self.executors
    }

    fn executor_index(&self, node: NodeId) -> Option<u16> {
        self.index
            .get(node.index())
            .copied()
            .filter(|&i| i != u16::MAX)
    }
}

/// On the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Executor → driver, on start: a new executor process.
    Register,
    /// Executor → driver: alive.
    Heartbeat,
    /// Driver → executor: run attempt `attempt` of `task`.
    Launch {
        /// The task.
        task: u32,
        /// Its attempt number.
        attempt: u32,
    },
    /// Executor → driver: the attempt completed.
    TaskDone {
        /// The task.
        task: u32,
        /// Its attempt number.
        attempt: u32,
    },
    /// Driver → executor: checkpoint barrier `checkpoint`.
    Barrier {
        /// The checkpoint.
        checkpoint: u64,
    },
    /// Executor → driver: its snapshot for `checkpoint` is durable.
    Ack {
        /// The checkpoint.
        checkpoint: u64,
    },
}

/// Timer tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// An executor's next heartbeat.
    Heartbeat,
    /// An executor finished an attempt.
    TaskEnd {
        /// The task.
        task: u32,
        /// Its attempt number.
        attempt: u32,
    },
    /// An executor's snapshot is durable.
    Snapshot {
        /// The checkpoint.
        checkpoint: u64,
    },
    /// The driver's liveness check.
    Check,
    /// The driver triggers a checkpoint.
    Trigger,
    /// The driver restarts the streaming job.
    Restart,
    /// The restarted streaming job has caught up.
    CaughtUp,
}

/// What the driver saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
    /// An executor was lost.
    ExecutorLost {
        /// Its node id.
        node: NodeId,
    },
    /// An executor registered (again).
    ExecutorJoined {
        /// Its node id.
        node: NodeId,
    },
    /// A task's attempt was lost and the task queued again.
    TaskRerun {
        /// The task.
        task: u32,
        /// Its failures so far.
        failures: u32,
    },
    /// Every task completed.
    JobCompleted,
    /// A task failed `max_task_failures` times.
    JobFailed {
        /// The task.
        task: u32,
    },
    /// A checkpoint completed at this input position.
    CheckpointCompleted {
        /// The checkpoint.
        checkpoint: u64,
        /// The source position (input time) it covers.
        position: SimTime,
    },
    /// An executor of the streaming job was lost: the job fails over.
    Failover,
    /// The streaming job restarted from this position.
    Restarted {
        /// The restored checkpoint's position (input time).
        from: SimTime,
    },
    /// The restarted job caught up with its input.
    CaughtUp,
}

/// An executor as the driver watches it.
#[derive(Clone, Debug)]
pub struct Watched {
    live: bool,
    last_heard: SimTime,
}

/// A batch task as the driver tracks it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Task {
    done: bool,
    failures: u32,
    attempts: u32,
}

/// The batch job's progress.
#[derive(Clone, Debug)]
pub struct BatchState {
    tasks: Vec<Task>,
    queue: VecDeque<u32>,
    running: Vec<Vec<u32>>,
    done: u32,
    over: bool,
}

/// Where the streaming job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Running since `since`, replaying from input position `from`.
    Running {
        /// When it (re)started.
        since: SimTime,
        /// The position it started from.
        from: SimTime,
    },
    /// Waiting out the restart delay.
    Restarting,
    /// Waiting for enough live executors.
    Waiting,
}

/// A checkpoint in progress.
#[derive(Clone, Debug)]
pub struct PendingCheckpoint {
    id: u64,
    position: SimTime,
    waiting: Vec<u16>,
}

/// The streaming job's progress.
#[derive(Clone, Debug)]
pub struct StreamState {
    phase: Phase,
    used: Vec<u16>,
    completed: SimTime,
    pending: Option<PendingCheckpoint>,
    next_id: u64,
    trigger: Option<TimerId>,
    caught_up: Option<TimerId>,
}

/// The driver's job state.
#[derive(Clone, Debug)]
pub enum JobState {
    /// A batch job.
    Batch(BatchState),
    /// A streaming job.
    Streaming(StreamState),
}

/// A node's volatile state.
#[derive(Clone, Debug)]
pub enum State {
    /// The driver.
    Driver {
        /// Its executors, by index.
        executors: Vec<Watched>,
        /// The job.
        job: Box<JobState>,
    },
    /// An executor (what it runs lives in its timers).
    Executor,
    /// No part in this model.
    Idle,
}

/// What properties see of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// The driver: whether the job is done (batch: completed or failed) or running
    /// and caught up (streaming).
    Driver {
        /// Batch: over. Streaming: running and caught up.
        settled: bool,
    },
    /// An executor.
    Executor,
    /// Neither.
    Idle,
}

impl Protocol for Compute {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = ();
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> State {
        if ctx.id() == self.driver {
            return self.driver_start(ctx);
        }
        if self.executor_index(ctx.id()).is_none() {
            return State::Idle;
        }
        ctx.send(self.driver, Msg::Register);
        let interval = self.params.heartbeat_interval;
        let phase = SimDuration::from_nanos(ctx.rng().below(interval.as_nanos().max(1)));
        ctx.set_timer(phase, Timer::Heartbeat);
        State::Executor
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        match state {
            State::Driver { executors, job } => {
                self.driver_message(ctx, executors, job, source, msg)
            }
            State::Executor => match (msg, &self.params.job) {
                (Msg::Launch { task, attempt }, Job::Batch(b)) => {
                    let run = b.task_time.sample(ctx.rng());
                    ctx.set_timer(run, Timer::TaskEnd { task, attempt });
                }
                (Msg::Barrier { checkpoint }, Job::Streaming(s)) => {
                    ctx.set_timer(s.checkpoint_duration, Timer::Snapshot { checkpoint });
                }
                _ => {}
            },
            State::Idle => {}
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        match state {
            State::Driver { executors, job } => self.driver_timer(ctx, executors, job, timer),
            State::Executor => match timer {
                Timer::Heartbeat => {
                    ctx.set_timer(self.params.heartbeat_interval, Timer::Heartbeat);
                    ctx.send(self.driver, Msg::Heartbeat);
                }
                Timer::TaskEnd { task, attempt } => {
                    ctx.send(self.driver, Msg::TaskDone { task, attempt })
                }
                Timer::Snapshot { checkpoint } => ctx.send(self.driver, Msg::Ack { checkpoint }),
                _ => {}
            },
            State::Idle => {}
        }
    }

    fn view(&self, state: &State) -> View {
        match state {
            State::Driver { job, .. } => View::Driver {
                settled: match job.as_ref() {
                    JobState::Batch(b) => b.over,
                    JobState::Streaming(s) => {
                        matches!(s.phase, Phase::Running { .. }) && s.caught_up.is_none()
                    }
                },
            },
            State::Executor => View::Executor,
            State::Idle => View::Idle,
        }
    }
}
