//! The key-value client workload shared by every replicated store: reads and writes
//! over a small key space, one operation at a time per client, each write with a value
//! no other write uses, so that a value read or lost names the write behind it.

use crate::replication::history::{Key, OpKind, Value};
use crate::InvalidParams;
use hasim_sim::{NodeId, SimDuration, Stream};
use serde::{Deserialize, Serialize};

/// A client's workload parameters (the `client` role's `params` in every store model).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkloadParams {
    /// How many keys the clients spread over (keys `0..keys`).
    pub keys: u32,
    /// The fraction of operations that are reads, in [0, 1].
    pub read_fraction: f64,
    /// Gap between the end of one operation and the start of the next.
    pub interval: SimDuration,
    /// Draw gaps from an exponential with mean `interval` instead of fixed gaps.
    pub poisson: bool,
    /// How long a client waits for an answer before it records the operation as
    /// unknown and moves on.
    pub timeout: SimDuration,
}

impl Default for WorkloadParams {
    fn default() -> Self {
        WorkloadParams {
            keys: 4,
            read_fraction: 0.5,
            interval: SimDuration::from_millis(20),
            poisson: false,
            timeout: SimDuration::from_millis(500),
        }
    }
}

/// Makes nodes `nodes` of a store's `roles` clients driven by their host (a composed
/// system's store seam), each write bounded by `timeout` (the only workload setting a
/// driven client uses). Replicas cannot be driven.
pub fn drive<R>(
    roles: &mut [R],
    nodes: std::ops::Range<u32>,
    timeout: SimDuration,
    is_replica: impl Fn(&R) -> bool,
    driven: impl Fn(WorkloadParams) -> R,
) -> Result<(), InvalidParams> {
    let client = WorkloadParams {
        timeout,
        ..Default::default()
    };
    client.validate()?;
    let count = roles.len();
    for n in nodes {
        let Some(r) = roles.get_mut(n as usize) else {
            return Err(format!("node {n} is outside the store's {count} nodes").into());
        };
        if is_replica(r) {
            return Err(format!(
                "node {n} of the store is a replica; a store seam drives clients only"
            )
            .into());
        }
        *r = driven(client.clone());
    }
    Ok(())
}

impl WorkloadParams {
    /// Checks the ranges; the message names the field.
    pub fn validate(&self) -> Result<(), InvalidParams> {
        if self.keys == 0 {
            return Err("keys must be at least 1".into());
        }
        if !(0.0..=1.0).contains(&self.read_fraction) || self.read_fraction.is_nan() {
            return Err(format!(
                "read_fraction must be in [0, 1], got {}",
                self.read_fraction
            )
            .into());
        }
        if self.interval.is_zero() || self.timeout.is_zero() {
            return Err("interval and timeout must be above zero".into());
        }
        Ok(())
    }
}

/// One client's operation source: the next operation and the gap before it.
#[derive(Clone, Debug)]
pub struct Workload {
    params: WorkloadParams,
    client: NodeId,
    next_op: u64,
}

impl Workload {
    /// The workload of `client` in its `incarnation`. Its write values are
    /// `(client + 1) << 32 | (op + 1)`: unique across clients and never 0, the initial
    /// value of every key. Operation numbers start at `incarnation << 20`, so a
    /// restarted client never reuses an operation number or a write value of an
    /// earlier life (a store that deduplicates by `(client, op)` would otherwise answer
    /// a new write with an old one's result, and the history checkers would confuse
    /// two writes). Allows 2^20 operations per incarnation and 4,095 restarts.
    pub fn new(client: NodeId, params: WorkloadParams, incarnation: u32) -> Self {
        assert!(
            incarnation < 4095,
            "{client}: incarnation {incarnation} overflows op numbers"
        );
        Workload {
            params,
            client,
            next_op: u64::from(incarnation) << 20,
        }
    }

    /// The next write, to `key`: its sequence number and kind (for a host that decides
    /// what to write, such as an app server storing an order).
    pub fn next_write(&mut self, key: Key) -> (u64, Key, OpKind) {
        let op = self.next_op;
        self.next_op += 1;
        (op, key, OpKind::Write(self.value_of(op)))
    }

    /// The parameters.
    pub fn params(&self) -> &WorkloadParams {
        &self.params
    }

    /// The next operation: its sequence number, key and kind. Draws from `rng`.
    pub fn next(&mut self, rng: &mut Stream) -> (u64, Key, OpKind) {
        let op = self.next_op;
        self.next_op += 1;
        let key = rng.below(u64::from(self.params.keys)) as Key;
        let kind = if rng.chance(self.params.read_fraction) {
            OpKind::Read
        } else {
            OpKind::Write(self.value_of(op))
        };
        (op, key, kind)
    }

    /// The value the write with sequence number `op` of this client carries.
    pub fn value_of(&self, op: u64) -> Value {
        (u64::from(self.client.0) + 1) << 32 | (op + 1)
    }

    /// The gap before the next operation.
    pub fn gap(&self, rng: &mut Stream) -> SimDuration {
        if self.params.poisson {
            SimDuration::from_secs_f64(rng.exponential(self.params.interval.as_secs_f64()))
        } else {
            self.params.interval
        }
    }
}

impl crate::catalogue::Params for WorkloadParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        ("keys", "keys 0..keys, chosen uniformly"),
        ("read_fraction", "fraction of operations that are reads"),
        (
            "interval",
            "gap between the end of one operation and the start of the next (also the back-off after a redirect without a leader hint)",
        ),
        ("poisson", "exponential gaps with mean `interval` instead of fixed ones"),
        (
            "timeout",
            "an operation without an answer after this long is unknown (Raft: each attempt gets a fifth of it)",
        ),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use hasim_sim::Seed;

    #[test]
    fn values_are_unique_across_clients_and_never_the_initial_zero() {
        let mut rng = Seed(7).stream("workload");
        let params = WorkloadParams {
            read_fraction: 0.0,
            ..WorkloadParams::default()
        };
        let mut seen = std::collections::BTreeSet::new();
        for c in 0..3 {
            let mut w = Workload::new(NodeId(c), params.clone(), 0);
            for _ in 0..100 {
                let (_, key, kind) = w.next(&mut rng);
                assert!(key < params.keys);
                let OpKind::Write(v) = kind else {
                    panic!("read_fraction 0 gave a read")
                };
                assert_ne!(v, 0);
                assert!(seen.insert(v), "value {v} used twice");
            }
        }
    }

    #[test]
    fn a_restarted_client_never_reuses_an_op_number_or_a_value() {
        // A store deduplicating by (client, op) would answer a reused op number with the
        // earlier life's result; a reused value would confuse the history checkers.
        let params = WorkloadParams {
            read_fraction: 0.0,
            ..WorkloadParams::default()
        };
        let mut rng = Seed(3).stream("workload");
        let mut seen = std::collections::BTreeSet::new();
        for incarnation in 0..4 {
            let mut w = Workload::new(NodeId(2), params.clone(), incarnation);
            for _ in 0..50 {
                let (op, _, kind) = w.next(&mut rng);
                let OpKind::Write(v) = kind else {
                    panic!("read_fraction 0 gave a read")
                };
                assert!(
                    seen.insert((op, v)),
                    "incarnation {incarnation}: op {op} again"
                );
                assert_eq!(op >> 20, u64::from(incarnation));
            }
        }
    }

    #[test]
    fn read_fraction_is_respected_within_tolerance() {
        // 10,000 draws at p = 0.3: the standard error is 0.0046; 4 sigma is 0.018.
        let mut rng = Seed(11).stream("workload");
        let mut w = Workload::new(
            NodeId(0),
            WorkloadParams {
                read_fraction: 0.3,
                ..WorkloadParams::default()
            },
            0,
        );
        let reads = (0..10_000)
            .filter(|_| w.next(&mut rng).2 == OpKind::Read)
            .count();
        assert!((reads as f64 / 10_000.0 - 0.3).abs() < 0.018, "{reads}");
    }
}
