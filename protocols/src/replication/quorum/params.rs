//! The replica role's parameters (the `replica` role's `params` in a scenario): the
//! replication factor and quorums, how versions are ordered, and the repair
//! mechanisms, with the checks that reject a configuration that cannot work.

use crate::detection::DetectorParams;
use crate::InvalidParams;
use hasim_sim::SimDuration;
use serde::{Deserialize, Serialize};

/// How concurrent versions of a key are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Versioning {
    /// Last write wins: each write is stamped with its coordinator's local clock (ties
    /// broken by the coordinator's id); the highest stamp wins. A coordinator whose
    /// clock is behind writes versions that lose to older writes.
    Lww,
    /// Version vectors with one counter per replica: the coordinator reads a quorum
    /// first and writes a version that descends from everything it read. Versions no
    /// vector orders are kept as siblings; a read picks one deterministically.
    Vector,
}

/// A replica's parameters; every replica of a run shares them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplicaParams {
    /// Replicas per key (the N of N/R/W).
    pub n: u32,
    /// Answers a read waits for.
    pub r: u32,
    /// Acknowledgements a write waits for.
    pub w: u32,
    /// How versions are ordered: "lww" or "vector".
    pub versioning: Versioning,
    /// After a read, write the newest version back to replicas that answered with
    /// older ones.
    pub read_repair: bool,
    /// Sloppy quorum: a write (and read) meant for an unreachable replica goes to the
    /// next node on the ring, which keeps it as a hint and hands it back later.
    pub hinted_handoff: bool,
    /// How long a coordinator waits for its quorum before it answers "timeout".
    pub request_timeout: SimDuration,
    /// Gap between two liveness messages from each replica to every other (the
    /// built-in liveness, used when `detector` is not set).
    pub heartbeat_interval: SimDuration,
    /// A replica not heard from for this long is treated as down by coordinators
    /// (the built-in liveness, used when `detector` is not set).
    pub suspect_after: SimDuration,
    /// The failure detector coordinators consult to mark replicas down, run all to
    /// all (any of the detection family's: `detector = { kind = "phi_accrual" }`);
    /// a replica is down while the coordinator's detector suspects it. Unset, the
    /// built-in liveness above (`heartbeat_interval`, `suspect_after`). Either way a
    /// replica hands its hints to a node it hears from.
    pub detector: Option<DetectorParams>,
}

impl Default for ReplicaParams {
    fn default() -> Self {
        ReplicaParams {
            n: 3,
            r: 2,
            w: 2,
            versioning: Versioning::Vector,
            read_repair: true,
            hinted_handoff: false,
            request_timeout: SimDuration::from_millis(200),
            heartbeat_interval: SimDuration::from_millis(100),
            suspect_after: SimDuration::from_millis(350),
            detector: None,
        }
    }
}

/// Vector counters are kept per replica in a small vector; this bounds its length.
pub const REPLICAS_MAX: u32 = 64;

impl ReplicaParams {
    /// Checks the parameters against the number of replica nodes; the message names
    /// the field.
    pub fn validate(&self, replicas: u32) -> Result<(), InvalidParams> {
        if replicas == 0 {
            return Err("the quorum model needs at least one replica".into());
        }
        if replicas > REPLICAS_MAX {
            return Err(
                format!("at most {REPLICAS_MAX} replicas are supported, got {replicas}").into(),
            );
        }
        if self.n == 0 || self.n > replicas {
            return Err(format!(
                "n must be between 1 and the number of replicas ({replicas}), got {}",
                self.n
            )
            .into());
        }
        if self.r == 0 || self.r > self.n {
            return Err(format!("r must be between 1 and n ({}), got {}", self.n, self.r).into());
        }
        if self.w == 0 || self.w > self.n {
            return Err(format!("w must be between 1 and n ({}), got {}", self.n, self.w).into());
        }
        if self.request_timeout.is_zero()
            || self.heartbeat_interval.is_zero()
            || self.suspect_after.is_zero()
        {
            return Err(
                "request_timeout, heartbeat_interval and suspect_after must be above zero".into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_quorums_beyond_n_and_n_beyond_the_ring() {
        let ok = ReplicaParams::default();
        assert_eq!(ok.validate(3), Ok(()));
        assert!(ok
            .validate(2)
            .unwrap_err()
            .to_string()
            .contains("n must be"));
        let r = ReplicaParams { r: 4, ..ok.clone() };
        assert!(r.validate(5).unwrap_err().to_string().contains("r must be"));
        let w = ReplicaParams { w: 0, ..ok.clone() };
        assert!(w.validate(5).unwrap_err().to_string().contains("w must be"));
        let t = ReplicaParams {
            request_timeout: SimDuration::ZERO,
            ..ok
        };
        assert!(t
            .validate(5)
            .unwrap_err()
            .to_string()
            .contains("request_timeout"));
    }
}
