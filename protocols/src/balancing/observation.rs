//! What the model reports: one typed observation per client-visible outcome and per
//! change of a balancer's mind, from which the figures are computed.

use hasim_sim::{Describe, Detail, SimDuration};

/// Why a backend entered or left a balancer's rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Active health checks (rise / fall).
    Health,
    /// Passive outlier ejection or its end.
    Outlier,
    /// The autoscaler's serving count.
    Scaling,
}

impl Reason {
    fn name(self) -> &'static str {
        match self {
            Reason::Health => "health",
            Reason::Outlier => "outlier",
            Reason::Scaling => "scaling",
        }
    }
}

/// A typed observation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
    /// Client: request served; latency from its creation, attempts made.
    Ok {
        /// From the first attempt to the good answer (client clock).
        latency: SimDuration,
        /// Attempts sent, hedges included.
        attempts: u32,
    },
    /// Client: request failed; the last attempt got an error answer.
    Failed {
        /// From the first attempt to giving up.
        latency: SimDuration,
        /// Attempts sent.
        attempts: u32,
    },
    /// Client: request failed; the last attempt timed out.
    TimedOut {
        /// From the first attempt to giving up.
        latency: SimDuration,
        /// Attempts sent.
        attempts: u32,
    },
    /// Client: attempt `attempt` will be sent after `after`.
    Retry {
        /// The attempt number of the retry.
        attempt: u32,
        /// The backoff drawn.
        after: SimDuration,
    },
    /// Client: the retry budget refused a retry or hedge.
    RetryDenied,
    /// Client: a hedge was sent.
    Hedge,
    /// Balancer: an upstream request failed (error answer, or timeout after `waited`).
    UpstreamFailed {
        /// Backend index.
        backend: u32,
        /// From forwarding to the failure.
        waited: SimDuration,
        /// True for a gateway timeout, false for an error answer.
        timeout: bool,
    },
    /// Balancer: no backend in rotation; the request failed at once.
    NoBackend,
    /// Balancer: backend ejected by outlier detection for `duration`.
    Ejected {
        /// Backend index.
        backend: u32,
        /// How long.
        duration: SimDuration,
    },
    /// Balancer: the backend now receives traffic.
    InRotation {
        /// Backend index.
        backend: u32,
        /// What changed.
        reason: Reason,
    },
    /// Balancer: the backend no longer receives traffic.
    OutOfRotation {
        /// Backend index.
        backend: u32,
        /// What changed.
        reason: Reason,
    },
    /// Balancer: became VRRP master and claimed the virtual address.
    Master,
    /// Balancer: gave the virtual address up to a higher priority.
    Backup,
    /// Autoscaler: a new desired replica count.
    Scale {
        /// Before.
        from: u32,
        /// After.
        to: u32,
    },
}

impl Describe for Observation {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Observation::Ok { latency, attempts } => d
                .name("ok")
                .duration("latency", latency)
                .u64("attempts", u64::from(attempts)),
            Observation::Failed { latency, attempts } => d
                .name("failed")
                .duration("latency", latency)
                .u64("attempts", u64::from(attempts)),
            Observation::TimedOut { latency, attempts } => d
                .name("timed_out")
                .duration("latency", latency)
                .u64("attempts", u64::from(attempts)),
            Observation::Retry { attempt, after } => d
                .name("retry")
                .u64("attempt", u64::from(attempt))
                .duration("after", after),
            Observation::RetryDenied => d.name("retry_denied"),
            Observation::Hedge => d.name("hedge"),
            Observation::UpstreamFailed {
                backend,
                waited,
                timeout,
            } => d
                .name("upstream_failed")
                .u64("backend", u64::from(backend))
                .duration("waited", waited)
                .bool("timeout", timeout),
            Observation::NoBackend => d.name("no_backend"),
            Observation::Ejected { backend, duration } => d
                .name("ejected")
                .u64("backend", u64::from(backend))
                .duration("for", duration),
            Observation::InRotation { backend, reason } => d
                .name("in_rotation")
                .u64("backend", u64::from(backend))
                .str("reason", reason.name()),
            Observation::OutOfRotation { backend, reason } => d
                .name("out_of_rotation")
                .u64("backend", u64::from(backend))
                .str("reason", reason.name()),
            Observation::Master => d.name("master"),
            Observation::Backup => d.name("backup"),
            Observation::Scale { from, to } => d
                .name("scale")
                .u64("from", u64::from(from))
                .u64("to", u64::from(to)),
        };
    }
}
