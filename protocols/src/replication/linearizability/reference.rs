//! Histories of a reference atomic register, linearizable by construction: the ground
//! truth for testing and benchmarking the checker (and any other history checker).
//!
//! Clients run one operation at a time on random keys. Each operation that takes effect
//! does so at one instant drawn inside its interval (`[invoke, complete]` when it
//! completes, up to three latencies after `invoke` when it is unknown), and the
//! register applies the effects in that order, so the effect instants are a valid
//! linearization of the history.

use crate::replication::history::{History, OpKind, OpResult, Operation, Value};
use hasim_sim::{NodeId, Seed, SimDuration, SimTime};
use serde::{Deserialize, Serialize};

/// The shape of a reference history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReferenceParams {
    /// Clients issuing operations concurrently.
    pub clients: u32,
    /// Keys `0..keys`, drawn uniformly.
    pub keys: u32,
    /// Operations in all.
    pub operations: u32,
    /// The fraction of operations that are reads.
    pub read_fraction: f64,
    /// Each operation lasts a uniform draw in `[1ns, latency_max]`.
    pub latency_max: SimDuration,
    /// The gap before a client's next operation, uniform in `[0, think_max]`.
    pub think_max: SimDuration,
    /// The fraction of operations that time out (unknown); half of the unknown writes
    /// take effect (possibly after the client gave up), half never do.
    pub unknown_fraction: f64,
    /// The fraction of operations that fail (and do not take effect).
    pub fail_fraction: f64,
}

impl Default for ReferenceParams {
    fn default() -> Self {
        ReferenceParams {
            clients: 8,
            keys: 8,
            operations: 10_000,
            read_fraction: 0.5,
            latency_max: SimDuration::from_millis(10),
            think_max: SimDuration::from_millis(2),
            unknown_fraction: 0.02,
            fail_fraction: 0.02,
        }
    }
}

/// A history of `params.operations` operations on an atomic register, from `seed`'s
/// `"reference"` stream. Write values are 1, 2, 3, ... (unique, nonzero). With no
/// clients or no keys the history is empty.
pub fn atomic_register_history(seed: Seed, params: &ReferenceParams) -> History {
    if params.clients == 0 || params.keys == 0 {
        return History::default();
    }
    let mut rng = seed.stream("reference");
    let latency_max = params.latency_max.as_nanos().max(1);
    let mut free_at = vec![0u64; params.clients as usize];
    let mut sequence = vec![0u64; params.clients as usize];
    let mut ops: Vec<Operation> = Vec::with_capacity(params.operations as usize);
    // (instant, index into ops) of every operation that takes effect.
    let mut effects: Vec<(u64, usize)> = Vec::new();
    let mut next_value: Value = 1;
    for _ in 0..params.operations {
        let (c, &invoke) = free_at
            .iter()
            .enumerate()
            .min_by_key(|&(c, t)| (*t, c))
            .expect("at least one client");
        let key = rng.below(u64::from(params.keys)) as u32;
        let kind = if rng.chance(params.read_fraction) {
            OpKind::Read
        } else {
            next_value += 1;
            OpKind::Write(next_value - 1)
        };
        let latency = rng.between(1, latency_max);
        let complete = invoke + latency;
        let draw = rng.unit();
        let (result, effect) = if draw < params.unknown_fraction {
            let applies = rng.chance(0.5);
            let at = rng.between(invoke, invoke + 3 * latency_max);
            (OpResult::Unknown, applies.then_some(at))
        } else if draw < params.unknown_fraction + params.fail_fraction {
            (OpResult::Fail, None)
        } else {
            (OpResult::Ok(None), Some(rng.between(invoke, complete)))
        };
        if let Some(at) = effect {
            effects.push((at, ops.len()));
        }
        ops.push(Operation {
            client: NodeId(c as u32),
            op: sequence[c],
            key,
            kind,
            invoke: SimTime::from_nanos(invoke),
            complete: (result != OpResult::Unknown).then_some(SimTime::from_nanos(complete)),
            result,
        });
        sequence[c] += 1;
        free_at[c] = complete + rng.between(0, params.think_max.as_nanos());
    }
    effects.sort_unstable();
    let mut register: Vec<Value> = vec![0; params.keys as usize];
    for (_, i) in effects {
        let o = &mut ops[i];
        match o.kind {
            OpKind::Write(v) => register[o.key as usize] = v,
            OpKind::Read if o.result == OpResult::Ok(None) => {
                o.result = OpResult::Ok(Some(register[o.key as usize]));
            }
            OpKind::Read => {}
        }
    }
    ops.sort_by_key(|o| (o.invoke, o.client, o.op));
    History { ops }
}
