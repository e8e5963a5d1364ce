//! Client operation histories: each operation a client invoked, when, and what it saw
//! (ok with a value, a definite failure, or unknown after a timeout), in the form the
//! checkers read.
//!
//! A timeout is *unknown*, not a failure: the write may still have taken effect, so a
//! checker must allow both outcomes (Jepsen's `info`). A failure is definite: the store
//! said it did not apply the operation (for example "not the leader").

use hasim_sim::{Describe, Detail, NodeId, SimTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A key in the store's key space.
pub type Key = u32;
/// A register value. Writes use unique values (see [`crate::replication::Workload`]),
/// so a value names the write that produced it; 0 is the initial value of every key.
pub type Value = u64;

/// What an operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpKind {
    /// Read the key's value.
    Read,
    /// Write this value to the key.
    Write(Value),
}

/// What the client saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpResult {
    /// Succeeded; a read carries the value read, a write `None`.
    Ok(Option<Value>),
    /// Definitely not applied.
    Fail,
    /// Timed out or still pending at the end: may or may not have been applied.
    Unknown,
}

/// What a client records, as an observation, for each operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpEvent {
    /// The client issued operation `op` (its own sequence number).
    Invoke {
        /// The client's sequence number of the operation.
        op: u64,
        /// The key.
        key: Key,
        /// Read or write.
        kind: OpKind,
    },
    /// Operation `op` ended with `result`.
    Complete {
        /// The client's sequence number of the operation.
        op: u64,
        /// What the client saw.
        result: OpResult,
    },
}

/// The trace form every store model uses for its clients' operations.
impl Describe for OpEvent {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            OpEvent::Invoke { op, key, kind } => {
                d.name("invoke").u64("op", op).u64("key", u64::from(key));
                match kind {
                    OpKind::Read => d.str("kind", "read"),
                    OpKind::Write(v) => d.str("kind", "write").u64("value", v),
                };
            }
            OpEvent::Complete { op, result } => {
                d.name("complete").u64("op", op);
                match result {
                    OpResult::Ok(Some(v)) => d.str("result", "ok").u64("value", v),
                    OpResult::Ok(None) => d.str("result", "ok"),
                    OpResult::Fail => d.str("result", "fail"),
                    OpResult::Unknown => d.str("result", "unknown"),
                };
            }
        }
    }
}

impl OpEvent {
    /// For a completion, whether the client saw success (`Some(true)`) or not (a
    /// failure or unknown: `Some(false)`); `None` for an invocation. What a timeline
    /// draws as the clients' success rate.
    pub fn succeeded(&self) -> Option<bool> {
        match self {
            OpEvent::Invoke { .. } => None,
            OpEvent::Complete { result, .. } => Some(matches!(result, OpResult::Ok(_))),
        }
    }
}

impl OpEvent {
    /// The event's part in a client request for a timeline: an invocation, or an end
    /// whose latency the timeline measures from the invocation of the same `op`.
    pub fn request_event(&self) -> crate::catalogue::RequestEvent {
        use crate::catalogue::{RequestEvent as E, RequestOutcome as R};
        match *self {
            OpEvent::Invoke { op, .. } => E::Invoked { id: op },
            OpEvent::Complete { op, result } => E::Ended {
                id: Some(op),
                outcome: match result {
                    OpResult::Ok(_) => R::Ok,
                    OpResult::Fail => R::Failed,
                    OpResult::Unknown => R::Unknown,
                },
                latency: None,
            },
        }
    }
}

/// One operation of a history, invocation and completion joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// The client that issued it.
    pub client: NodeId,
    /// The client's sequence number of it.
    pub op: u64,
    /// The key.
    pub key: Key,
    /// Read or write.
    pub kind: OpKind,
    /// When it was invoked (global simulated time).
    pub invoke: SimTime,
    /// When it completed; `None` when the result is unknown (it may take effect any
    /// time after `invoke`).
    pub complete: Option<SimTime>,
    /// What the client saw.
    pub result: OpResult,
}

impl Operation {
    /// Whether the client saw this write succeed.
    pub fn is_acknowledged_write(&self) -> bool {
        matches!(self.kind, OpKind::Write(_)) && matches!(self.result, OpResult::Ok(_))
    }
}

/// Every operation of a run, in invocation order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    /// The operations, ordered by invocation time (then client, then sequence number).
    pub ops: Vec<Operation>,
}

impl History {
    /// Joins invocations and completions (global time, client, event). An invocation
    /// with no completion is unknown; a completion with no invocation is ignored (it
    /// cannot happen with a well-behaved client). A completion that says `Unknown`
    /// keeps `complete = None`: the operation may still take effect later.
    pub fn from_events(events: impl IntoIterator<Item = (SimTime, NodeId, OpEvent)>) -> Self {
        let mut open: BTreeMap<(NodeId, u64), usize> = BTreeMap::new();
        let mut ops: Vec<Operation> = Vec::new();
        for (time, client, event) in events {
            match event {
                OpEvent::Invoke { op, key, kind } => {
                    open.insert((client, op), ops.len());
                    ops.push(Operation {
                        client,
                        op,
                        key,
                        kind,
                        invoke: time,
                        complete: None,
                        result: OpResult::Unknown,
                    });
                }
                OpEvent::Complete { op, result } => {
                    if let Some(i) = open.remove(&(client, op)) {
                        ops[i].result = result;
                        if result != OpResult::Unknown {
                            ops[i].complete = Some(time);
                        }
                    }
                }
            }
        }
        ops.sort_by_key(|o| (o.invoke, o.client, o.op));
        History { ops }
    }

    /// The operations on one key, in invocation order.
    pub fn key(&self, key: Key) -> impl Iterator<Item = &Operation> + '_ {
        self.ops.iter().filter(move |o| o.key == key)
    }

    /// The keys that appear, ascending.
    pub fn keys(&self) -> Vec<Key> {
        let mut keys: Vec<Key> = self.ops.iter().map(|o| o.key).collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Operations answered ok, failed, unknown.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for o in &self.ops {
            match o.result {
                OpResult::Ok(_) => c.0 += 1,
                OpResult::Fail => c.1 += 1,
                OpResult::Unknown => c.2 += 1,
            }
        }
        c
    }

    /// The fraction of operations answered ok (NaN, no value, when there were none).
    pub fn availability(&self) -> f64 {
        let (ok, fail, unknown) = self.counts();
        let all = ok + fail + unknown;
        if all == 0 {
            // No operation, no availability to speak of: no value (NaN), so a check on
            // it is unmeasured rather than a vacuous pass.
            f64::NAN
        } else {
            ok as f64 / all as f64
        }
    }

    /// The first acknowledged write that completed at or after `time`, if any.
    pub fn first_ok_write_after(&self, time: SimTime) -> Option<SimTime> {
        self.ops
            .iter()
            .filter(|o| o.is_acknowledged_write())
            .filter_map(|o| o.complete)
            .filter(|t| *t >= time)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SimTime {
        SimTime::from_nanos(ms * 1_000_000)
    }

    #[test]
    fn a_history_with_no_operation_has_no_availability() {
        // Not 1 (which would pass `availability >= 99.9%` on nothing): no value.
        assert!(History::from_events(Vec::new()).availability().is_nan());
    }

    #[test]
    fn joins_invocations_and_completions_and_keeps_pending_as_unknown() {
        let a = NodeId(0);
        let b = NodeId(1);
        let events = vec![
            (
                t(1),
                a,
                OpEvent::Invoke {
                    op: 0,
                    key: 3,
                    kind: OpKind::Write(7),
                },
            ),
            (
                t(2),
                b,
                OpEvent::Invoke {
                    op: 0,
                    key: 3,
                    kind: OpKind::Read,
                },
            ),
            (
                t(4),
                b,
                OpEvent::Complete {
                    op: 0,
                    result: OpResult::Ok(Some(7)),
                },
            ),
            (
                t(5),
                a,
                OpEvent::Complete {
                    op: 0,
                    result: OpResult::Ok(None),
                },
            ),
            (
                t(6),
                a,
                OpEvent::Invoke {
                    op: 1,
                    key: 3,
                    kind: OpKind::Write(8),
                },
            ),
            (
                t(7),
                b,
                OpEvent::Invoke {
                    op: 1,
                    key: 4,
                    kind: OpKind::Read,
                },
            ),
            (
                t(9),
                b,
                OpEvent::Complete {
                    op: 1,
                    result: OpResult::Unknown,
                },
            ),
        ];
        let h = History::from_events(events);
        assert_eq!(h.ops.len(), 4);
        assert_eq!(h.ops[0].complete, Some(t(5)));
        assert_eq!(h.ops[1].result, OpResult::Ok(Some(7)));
        assert_eq!(h.ops[2].result, OpResult::Unknown);
        assert_eq!(h.ops[2].complete, None);
        assert_eq!(h.ops[3].complete, None, "a timeout stays open-ended");
        assert_eq!(h.counts(), (2, 0, 2));
        assert_eq!(h.keys(), vec![3, 4]);
        assert_eq!(h.first_ok_write_after(t(3)), Some(t(5)));
        assert_eq!(h.first_ok_write_after(t(6)), None);
    }
}
