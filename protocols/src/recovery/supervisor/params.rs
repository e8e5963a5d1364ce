//! The parameters of a supervised service: its restart policy and liveness probe (as
//! in a Kubernetes pod spec), the kubelet's back-off, and the process's own failure
//! modes.

use crate::InvalidParams;
use hasim_sim::SimDuration;
use serde::{Deserialize, Serialize};

/// When the supervisor restarts a process that exited (a pod's `restartPolicy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestartPolicy {
    /// After every exit, clean or not.
    #[serde(alias = "Always")]
    Always,
    /// After a crash or a liveness kill, not after a clean exit.
    #[serde(alias = "OnFailure")]
    OnFailure,
    /// Never: the process stays down once it exits.
    #[serde(alias = "Never")]
    Never,
}

/// A liveness probe: every `period` the supervisor asks the process; an answer not
/// back within `timeout` is a failure, and `failure_threshold` failures in a row kill
/// the process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Liveness {
    /// From the process's start to its first probe, beyond one period.
    pub initial_delay: SimDuration,
    /// Between probes.
    pub period: SimDuration,
    /// How long a probe waits for its answer.
    pub timeout: SimDuration,
    /// Consecutive failures that kill the process.
    pub failure_threshold: u32,
}

impl Default for Liveness {
    /// Kubernetes' defaults: 10 s period, 1 s timeout, 3 failures.
    fn default() -> Self {
        Liveness {
            initial_delay: SimDuration::ZERO,
            period: SimDuration::from_secs(10),
            timeout: SimDuration::from_secs(1),
            failure_threshold: 3,
        }
    }
}

/// One service node's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceParams {
    /// When to restart after an exit.
    pub restart_policy: RestartPolicy,
    /// The liveness probe; none: a hang is never noticed.
    pub liveness: Option<Liveness>,
    /// The first restart delay.
    pub backoff_initial: SimDuration,
    /// The cap on the restart delay.
    pub backoff_max: SimDuration,
    /// A run healthy this long resets the delay to `backoff_initial`.
    pub backoff_reset: SimDuration,
    /// Chance that a start fails at once (a bad config, a missing dependency).
    pub start_failure_probability: f64,
    /// The process crashes this long after every start (a deterministic crash loop).
    pub crash_after: Option<SimDuration>,
    /// Mean time to a crash while running (exponential); none: no random crashes.
    pub crash_mtbf: Option<SimDuration>,
    /// Mean time to a hang while running (exponential): the process stays up but
    /// answers nothing; none: no hangs.
    pub hang_mtbf: Option<SimDuration>,
    /// The process exits cleanly this long after every start (a job finishing).
    pub exit_after: Option<SimDuration>,
}

impl Default for ServiceParams {
    /// Kubernetes' kubelet defaults; a process that never fails.
    fn default() -> Self {
        ServiceParams {
            restart_policy: RestartPolicy::Always,
            liveness: None,
            backoff_initial: SimDuration::from_secs(10),
            backoff_max: SimDuration::from_secs(300),
            backoff_reset: SimDuration::from_secs(600),
            start_failure_probability: 0.0,
            crash_after: None,
            crash_mtbf: None,
            hang_mtbf: None,
            exit_after: None,
        }
    }
}

impl ServiceParams {
    /// Checks the values serde cannot: probabilities, non-zero periods and means.
    pub fn validate(&self) -> Result<(), InvalidParams> {
        let p = self.start_failure_probability;
        if !(0.0..=1.0).contains(&p) {
            return Err(format!("start_failure_probability must be in [0, 1], got {p}").into());
        }
        if self.backoff_initial.is_zero() || self.backoff_max < self.backoff_initial {
            return Err("backoff_initial must be above zero and at most backoff_max".into());
        }
        for (name, mean) in [
            ("crash_mtbf", self.crash_mtbf),
            ("hang_mtbf", self.hang_mtbf),
        ] {
            if mean.is_some_and(|m| m.is_zero()) {
                return Err(format!("{name} must be above zero").into());
            }
        }
        if let Some(l) = &self.liveness {
            if l.period.is_zero() || l.timeout.is_zero() || l.failure_threshold == 0 {
                return Err(
                    "liveness: period, timeout and failure_threshold must be above zero".into(),
                );
            }
        }
        Ok(())
    }
}
