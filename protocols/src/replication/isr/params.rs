//! The in-sync-replica model's parameters (brokers' and producers'), with Kafka's names
//! where Kafka has one, their validation, and the model's typed errors.

use super::wire::Acks;
use crate::detection::{AnyDetector, DetectorParams};
use crate::replication::workload::WorkloadParams;
use hasim_sim::{NodeId, SimDuration};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// Why a configuration was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IsrError {
    /// Fewer brokers besides the controllers than the replication factor.
    TooFewBrokers {
        /// Brokers, the controllers taken from them included.
        brokers: u32,
        /// The replication factor asked for.
        replication_factor: u32,
        /// How many of the brokers are controllers (0: the controllers are nodes of
        /// their own, `controller` groups).
        controllers: u32,
    },
    /// A broker's node id is 64 or more (replica sets are 64-bit masks).
    BrokerIdTooHigh(NodeId),
    /// A parameter is out of range; the message names it.
    Param(String),
}

impl fmt::Display for IsrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IsrError::TooFewBrokers {
                brokers,
                replication_factor,
                controllers: 0,
            } => write!(
                f,
                "replication_factor {replication_factor} needs at least {replication_factor} brokers besides the controller groups, got {brokers}"
            ),
            IsrError::TooFewBrokers {
                brokers,
                replication_factor,
                controllers: 1,
            } => write!(
                f,
                "replication_factor {replication_factor} needs at least {} brokers (the first is the controller and hosts no replicas), got {brokers}",
                replication_factor + 1
            ),
            IsrError::TooFewBrokers {
                brokers,
                replication_factor,
                controllers,
            } => write!(
                f,
                "replication_factor {replication_factor} with controllers = {controllers} needs at least {} brokers (the first {controllers} are the controllers and host no replicas), got {brokers}",
                replication_factor + controllers
            ),
            IsrError::BrokerIdTooHigh(b) => write!(
                f,
                "broker {b} has node id 64 or more: put the broker and controller groups before the producers (at most 64 of them)"
            ),
            IsrError::Param(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for IsrError {}

/// The most controllers a run may have (a majority of 9 is already 5 disks per change).
pub const CONTROLLERS_MAX: u32 = 9;

/// The brokers' parameters (one set for every broker).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BrokerParams {
    /// Replicas per partition.
    pub replication_factor: u32,
    /// How many partitions (at most 64).
    pub partitions: u32,
    /// Gap between a follower's fetches.
    pub fetch_interval: SimDuration,
    /// A follower not caught up for this long leaves the ISR
    /// (Kafka's `replica.lag.time.max.ms`).
    pub replica_lag_time_max: SimDuration,
    /// Elect a live out-of-sync replica when no ISR member is alive.
    pub unclean_leader_election: bool,
    /// `acks = "all"` writes are refused while the ISR is smaller than this.
    pub min_insync_replicas: u32,
    /// The controller fences a broker it has not heard from for this long, and a
    /// standby takes over from an active controller not heard leading for this long
    /// (with a `detector`, brokers are judged by it instead; an active controller by
    /// either).
    pub session_timeout: SimDuration,
    /// Gap between a broker's heartbeats to the controller.
    pub heartbeat_interval: SimDuration,
    /// How many controllers: the first is active, the others stand by and take over
    /// (a new controller epoch) when it fails. With more than one, a metadata change
    /// takes effect once a majority of them hold it. Without `controller` groups the
    /// first `controllers` brokers are the controllers.
    pub controllers: u32,
    /// How the controllers judge brokers (and one another) dead: any of the detection
    /// family's detectors, run all to all (`{ kind = "phi_accrual", threshold = 8 }`).
    /// Unset: a broker silent for `session_timeout` is fenced, and a standby takes
    /// over from an active controller silent for `session_timeout`.
    pub detector: Option<DetectorParams>,
}

impl Default for BrokerParams {
    fn default() -> Self {
        BrokerParams {
            replication_factor: 3,
            partitions: 1,
            fetch_interval: SimDuration::from_millis(50),
            replica_lag_time_max: SimDuration::from_millis(1000),
            unclean_leader_election: false,
            min_insync_replicas: 1,
            session_timeout: SimDuration::from_millis(1000),
            heartbeat_interval: SimDuration::from_millis(200),
            controllers: 1,
            detector: None,
        }
    }
}

impl BrokerParams {
    /// Checks the ranges; the message names the field.
    pub fn validate(&self) -> Result<(), IsrError> {
        let bad = |m: String| Err(IsrError::Param(m));
        if self.replication_factor == 0 {
            return bad("replication_factor must be at least 1".into());
        }
        if !(1..=64).contains(&self.partitions) {
            return bad(format!(
                "partitions must be in 1..=64, got {}",
                self.partitions
            ));
        }
        if self.min_insync_replicas == 0 || self.min_insync_replicas > self.replication_factor {
            return bad(format!(
                "min_insync_replicas must be in 1..=replication_factor ({}), got {}",
                self.replication_factor, self.min_insync_replicas
            ));
        }
        if self.fetch_interval.is_zero()
            || self.replica_lag_time_max.is_zero()
            || self.heartbeat_interval.is_zero()
        {
            return bad(
                "fetch_interval, replica_lag_time_max and heartbeat_interval must be above zero"
                    .into(),
            );
        }
        if !(1..=CONTROLLERS_MAX).contains(&self.controllers) {
            return bad(format!(
                "controllers must be in 1..={CONTROLLERS_MAX}, got {}",
                self.controllers
            ));
        }
        if let Some(d) = &self.detector {
            AnyDetector::new(d.clone()).map_err(|e| IsrError::Param(format!("detector: {e}")))?;
        }
        if self.session_timeout <= self.heartbeat_interval {
            return bad(format!(
                "session_timeout ({}) must be longer than heartbeat_interval ({})",
                self.session_timeout, self.heartbeat_interval
            ));
        }
        Ok(())
    }
}

/// A producer's parameters: `acks` and the shared workload's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProducerParams {
    /// `1` or `"all"`.
    pub acks: Acks,
    /// Keys `0..keys`.
    pub keys: u32,
    /// Fraction of operations that are reads.
    pub read_fraction: f64,
    /// Gap between one operation's end and the next one's start.
    pub interval: SimDuration,
    /// Exponential gaps with mean `interval`.
    pub poisson: bool,
    /// How long to wait for an answer before recording the operation as unknown.
    pub timeout: SimDuration,
}

impl Default for ProducerParams {
    fn default() -> Self {
        let w = WorkloadParams::default();
        ProducerParams {
            acks: Acks::All,
            keys: w.keys,
            read_fraction: w.read_fraction,
            interval: w.interval,
            poisson: w.poisson,
            timeout: w.timeout,
        }
    }
}

impl ProducerParams {
    /// The workload part.
    pub fn workload(&self) -> WorkloadParams {
        WorkloadParams {
            keys: self.keys,
            read_fraction: self.read_fraction,
            interval: self.interval,
            poisson: self.poisson,
            timeout: self.timeout,
        }
    }

    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), IsrError> {
        self.workload()
            .validate()
            .map_err(|e| IsrError::Param(e.to_string()))
    }
}

impl Serialize for Acks {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Acks::Leader => s.serialize_i64(1),
            Acks::All => s.serialize_str("all"),
        }
    }
}

impl<'de> Deserialize<'de> for Acks {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Acks;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"1 or "all" (acks = 0 is not modelled)"#)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Acks, E> {
                match v {
                    1 => Ok(Acks::Leader),
                    -1 => Ok(Acks::All),
                    _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Acks, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Acks, E> {
                match v {
                    "1" => Ok(Acks::Leader),
                    "all" | "-1" => Ok(Acks::All),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error, I64Deserializer, StrDeserializer};
    use serde::de::IntoDeserializer;

    fn from_int(v: i64) -> Result<Acks, Error> {
        let d: I64Deserializer<Error> = v.into_deserializer();
        Acks::deserialize(d)
    }

    fn from_str(v: &str) -> Result<Acks, Error> {
        let d: StrDeserializer<'_, Error> = v.into_deserializer();
        Acks::deserialize(d)
    }

    #[test]
    fn acks_reads_kafkas_spellings_and_refuses_zero() {
        assert_eq!(from_int(1), Ok(Acks::Leader));
        assert_eq!(from_int(-1), Ok(Acks::All));
        assert_eq!(from_str("all"), Ok(Acks::All));
        assert_eq!(from_str("1"), Ok(Acks::Leader));
        let zero = from_int(0).unwrap_err().to_string();
        assert!(zero.contains("not modelled"), "{zero}");
        assert!(from_str("none").is_err());
    }

    #[test]
    fn broker_params_name_the_field_that_is_out_of_range() {
        let ok = BrokerParams::default();
        assert_eq!(ok.validate(), Ok(()));
        let too_many = BrokerParams {
            min_insync_replicas: 4,
            ..ok.clone()
        };
        let e = too_many.validate().unwrap_err().to_string();
        assert!(e.contains("min_insync_replicas"), "{e}");
        let session = BrokerParams {
            session_timeout: ok.heartbeat_interval,
            ..ok.clone()
        };
        let e = session.validate().unwrap_err().to_string();
        assert!(e.contains("session_timeout"), "{e}");
        let partitions = BrokerParams {
            partitions: 65,
            ..ok.clone()
        };
        assert!(partitions.validate().is_err());
        for controllers in [0, CONTROLLERS_MAX + 1] {
            let e = BrokerParams {
                controllers,
                ..ok.clone()
            }
            .validate()
            .unwrap_err()
            .to_string();
            assert!(e.contains("controllers"), "{e}");
        }
        let detector: DetectorParams = toml::from_str(
            r#"kind = "phi_accrual"
threshold = -1.0"#,
        )
        .expect("parses");
        let e = BrokerParams {
            detector: Some(detector),
            ..ok
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("detector: "), "{e}");
    }
}
