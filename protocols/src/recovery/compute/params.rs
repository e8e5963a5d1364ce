//! The parameters of a compute job: a batch of tasks (Spark) or a stateful stream
//! with checkpoints (Flink), and how the driver watches its executors.

use crate::InvalidParams;
use hasim_sim::{Distribution, SimDuration};
use serde::{Deserialize, Serialize};

/// A batch job: independent tasks run on the executors' slots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchParams {
    /// Tasks in the job.
    pub tasks: u32,
    /// How long a task runs.
    pub task_time: Distribution,
    /// Tasks an executor runs at once (its cores).
    pub slots: u32,
    /// Failed attempts of one task after which the job fails (`spark.task.maxFailures`).
    pub max_task_failures: u32,
}

impl Default for BatchParams {
    fn default() -> Self {
        BatchParams {
            tasks: 200,
            task_time: Distribution::Exponential {
                mean: SimDuration::from_secs(10),
            },
            slots: 2,
            max_task_failures: 4,
        }
    }
}

/// A streaming job: one pipeline over `parallelism` executors with periodic
/// checkpoints, restarted as a whole from the last completed checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StreamingParams {
    /// Executors the job runs on (the rest are spares); 0: every executor.
    pub parallelism: u32,
    /// Between checkpoint triggers while the job runs.
    pub checkpoint_interval: SimDuration,
    /// From a checkpoint barrier to an executor's snapshot being durable.
    pub checkpoint_duration: SimDuration,
    /// From detecting a failure to restarting the job (fixed-delay restart strategy).
    pub restart_delay: SimDuration,
    /// Input records per second.
    pub input_rate: f64,
    /// Records per second the job can process when it has a backlog.
    pub capacity: f64,
}

impl Default for StreamingParams {
    fn default() -> Self {
        StreamingParams {
            parallelism: 0,
            checkpoint_interval: SimDuration::from_secs(60),
            checkpoint_duration: SimDuration::from_secs(5),
            restart_delay: SimDuration::from_secs(10),
            input_rate: 1000.0,
            capacity: 2000.0,
        }
    }
}

/// The job a driver runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// A batch of tasks.
    Batch(BatchParams),
    /// A stateful stream.
    Streaming(StreamingParams),
}

/// The driver's parameters, which are the whole job's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriverParams {
    /// The job.
    pub job: Job,
    /// Between an executor's heartbeats.
    pub heartbeat_interval: SimDuration,
    /// An executor silent this long is lost (Spark: `spark.network.timeout`, 120 s;
    /// Flink: `heartbeat.timeout`, 50 s).
    pub heartbeat_timeout: SimDuration,
}

impl Default for DriverParams {
    fn default() -> Self {
        DriverParams {
            job: Job::Batch(BatchParams::default()),
            heartbeat_interval: SimDuration::from_secs(3),
            heartbeat_timeout: SimDuration::from_secs(30),
        }
    }
}

impl DriverParams {
    /// Checks the values serde cannot, given how many executors there are.
    pub fn validate(&self, executors: usize) -> Result<(), InvalidParams> {
        if self.heartbeat_interval.is_zero() || self.heartbeat_timeout < self.heartbeat_interval {
            return Err(
                "heartbeat_interval must be above zero and heartbeat_timeout at least as long"
                    .into(),
            );
        }
        match &self.job {
            Job::Batch(b) => {
                b.task_time
                    .validate()
                    .map_err(|e| format!("job.task_time: {}", e.0))?;
                if b.slots == 0 || b.max_task_failures == 0 {
                    return Err("job.slots and job.max_task_failures must be above zero".into());
                }
            }
            Job::Streaming(s) => {
                if s.parallelism as usize > executors {
                    return Err(format!(
                        "job.parallelism {} is more than the {executors} executors",
                        s.parallelism
                    )
                    .into());
                }
                if s.checkpoint_interval.is_zero() {
                    return Err("job.checkpoint_interval must be above zero".into());
                }
                let rates_ok = s.input_rate.is_finite()
                    && s.input_rate > 0.0
                    && s.capacity.is_finite()
                    && s.capacity > s.input_rate;
                if !rates_ok {
                    return Err(
                        "job.input_rate must be above zero and job.capacity above it (else the job never catches up)"
                            .into(),
                    );
                }
            }
        }
        Ok(())
    }
}

/// An executor's parameters: none yet; the driver's are the job's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExecutorParams {}
