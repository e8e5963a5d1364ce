//! The replicas' parameters (one set per run, written on the `replica` group), with
//! their validation.

use crate::detection::{DetectorParams, InvalidParams};
use hasim_sim::SimDuration;
use serde::{Deserialize, Serialize};

/// When the primary acknowledges a write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// After `acks` backups hold it.
    #[default]
    Sync,
    /// At once; the log ships in the background every `sync_interval`.
    Async,
}

/// Parameters of the replicas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrimaryBackupParams {
    /// `sync` or `async` replication.
    pub mode: Mode,
    /// Sync: how many backups must hold a write before it is acknowledged (and confirm
    /// the epoch before a read is answered); a promotion needs `replicas − acks`
    /// replicas. At least 1, at most `replicas − 1`.
    pub acks: u32,
    /// How often the primary sends a round of appends (heartbeat, catch-up, lease
    /// renewal, and the async shipping interval).
    pub sync_interval: SimDuration,
    /// The default detector's heartbeat interval (push heartbeats, all to all).
    pub heartbeat_interval: SimDuration,
    /// The default detector's timeout: silence after which a replica suspects another.
    /// Also how long a restarted replica listens before it may promote.
    pub heartbeat_timeout: SimDuration,
    /// The failure detector every replica runs, all to all (`monitors` is set to
    /// `"all"`): any of the detection family's (`{ kind = "phi_accrual", threshold =
    /// 8 }`). Unset: push heartbeats every `heartbeat_interval` with a
    /// `heartbeat_timeout`.
    pub detector: Option<DetectorParams>,
    /// A backup also takes a primary that sent no append for this long as gone, even
    /// while its detector trusts it: a node that is alive but does not rule (a
    /// promotion that never completed) must not block failover. Unset:
    /// `heartbeat_timeout`. Comparing detectors, set it longer than their detection
    /// time, so that the detector decides.
    pub append_timeout: Option<SimDuration>,
    /// The lease, by the primary's own clock; none: the epoch variant.
    pub lease: Option<SimDuration>,
    /// How much longer than the lease a backup waits, by its own clock, before it may
    /// promote or join a new epoch: the clock error the design tolerates.
    pub drift_margin: SimDuration,
}

impl Default for PrimaryBackupParams {
    fn default() -> Self {
        PrimaryBackupParams {
            mode: Mode::Sync,
            acks: 1,
            sync_interval: SimDuration::from_millis(100),
            heartbeat_interval: SimDuration::from_millis(100),
            heartbeat_timeout: SimDuration::from_millis(500),
            lease: None,
            drift_margin: SimDuration::ZERO,
            detector: None,
            append_timeout: None,
        }
    }
}

impl PrimaryBackupParams {
    /// How long a primary may send no append before a backup takes it as gone.
    pub fn append_timeout(&self) -> SimDuration {
        self.append_timeout.unwrap_or(self.heartbeat_timeout)
    }

    /// Checks the parameters for a run of `replicas` replicas.
    pub fn validate(&self, replicas: u32) -> Result<(), InvalidParams> {
        let bad = |m: String| Err(InvalidParams::rule(m));
        if replicas < 2 {
            return bad(format!(
                "primary-backup needs at least 2 replicas, got {replicas}"
            ));
        }
        if self.mode == Mode::Sync && (self.acks == 0 || self.acks >= replicas) {
            return bad(format!(
                "acks: must be between 1 and replicas - 1 = {}, got {}",
                replicas - 1,
                self.acks
            ));
        }
        for (field, d) in [
            ("sync_interval", self.sync_interval),
            ("heartbeat_interval", self.heartbeat_interval),
            ("heartbeat_timeout", self.heartbeat_timeout),
            ("append_timeout", self.append_timeout()),
        ] {
            if d.is_zero() {
                return bad(format!("{field}: must be longer than 0s"));
            }
        }
        if let Some(lease) = self.lease {
            if self.mode == Mode::Async {
                return bad(
                    "lease: needs mode = \"sync\" (an async primary renews nothing)".into(),
                );
            }
            if lease <= self.sync_interval {
                return bad(format!(
                    "lease: must be longer than sync_interval ({}), got {lease}",
                    self.sync_interval
                ));
            }
        }
        Ok(())
    }
}
