//! "No acknowledged write lost": every write a client saw succeed survives in the
//! store's final state. Two readings, for the two kinds of store:
//!
//! - a **register** keeps one value per key, so a later write may overwrite an earlier
//!   one legitimately. An acknowledged write `w` is lost when the final value of its
//!   key was written by a write that finished before `w` began (real-time order), or
//!   is the initial value, or was never written by anyone. A write concurrent with
//!   `w` may win: that is not a loss.
//! - a **log** keeps every write (Raft, primary-backup, Kafka), so an acknowledged
//!   write is lost when its value is not in the final log of its key.

use crate::replication::history::{History, Key, OpKind, Value};
use hasim_sim::{NodeId, SimTime};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// An acknowledged write that the final state does not hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LostWrite {
    /// The key.
    pub key: Key,
    /// The value written.
    pub value: Value,
    /// The client that wrote it.
    pub client: NodeId,
    /// The client's sequence number of the write.
    pub op: u64,
    /// When the client saw it succeed.
    pub acknowledged: SimTime,
    /// For a register, the value the key ended with.
    pub final_value: Option<Value>,
}

impl fmt::Display for LostWrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "write of {:#x} to key {} by {} (op {}) acknowledged at {} is lost",
            self.value, self.key, self.client, self.op, self.acknowledged
        )?;
        if let Some(v) = self.final_value {
            write!(f, "; the key ended with {v:#x}")?;
        }
        Ok(())
    }
}

/// Lost writes of a register store, given each key's final value (a key absent from
/// `final_values` ended with the initial value 0). In key, then invocation order.
pub fn lost_writes_register(
    history: &History,
    final_values: &BTreeMap<Key, Value>,
) -> Vec<LostWrite> {
    let mut writer = BTreeMap::new();
    for o in &history.ops {
        if let OpKind::Write(v) = o.kind {
            writer.insert(v, o);
        }
    }
    let mut lost = Vec::new();
    for key in history.keys() {
        let end = final_values.get(&key).copied().unwrap_or(0);
        for w in history.key(key).filter(|o| o.is_acknowledged_write()) {
            let OpKind::Write(value) = w.kind else {
                continue;
            };
            if value == end {
                continue;
            }
            let overwritten_legitimately = writer
                .get(&end)
                .is_some_and(|u| u.complete.is_none_or(|done| done >= w.invoke));
            if !overwritten_legitimately {
                lost.push(LostWrite {
                    key,
                    value,
                    client: w.client,
                    op: w.op,
                    acknowledged: w.complete.unwrap_or(w.invoke),
                    final_value: Some(end),
                });
            }
        }
    }
    lost
}

/// Lost writes of a log store, given the values each key's final log holds.
pub fn lost_writes_log(
    history: &History,
    final_logs: &BTreeMap<Key, BTreeSet<Value>>,
) -> Vec<LostWrite> {
    let mut lost = Vec::new();
    for key in history.keys() {
        let log = final_logs.get(&key);
        for w in history.key(key).filter(|o| o.is_acknowledged_write()) {
            let OpKind::Write(value) = w.kind else {
                continue;
            };
            if !log.is_some_and(|l| l.contains(&value)) {
                lost.push(LostWrite {
                    key,
                    value,
                    client: w.client,
                    op: w.op,
                    acknowledged: w.complete.unwrap_or(w.invoke),
                    final_value: None,
                });
            }
        }
    }
    lost
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replication::history::{OpEvent, OpResult};

    fn t(ms: u64) -> SimTime {
        SimTime::from_nanos(ms * 1_000_000)
    }

    fn write(c: u32, op: u64, v: Value, from: u64, to: u64) -> Vec<(SimTime, NodeId, OpEvent)> {
        let kind = OpKind::Write(v);
        vec![
            (t(from), NodeId(c), OpEvent::Invoke { op, key: 1, kind }),
            (
                t(to),
                NodeId(c),
                OpEvent::Complete {
                    op,
                    result: OpResult::Ok(None),
                },
            ),
        ]
    }

    #[test]
    fn register_loss_is_an_overwrite_by_an_earlier_write() {
        // a: [0, 10] writes 1; b: [20, 30] writes 2; c: [25, 40] writes 3 (concurrent with b).
        let mut events = write(0, 0, 1, 0, 10);
        events.extend(write(1, 0, 2, 20, 30));
        events.extend(write(2, 0, 3, 25, 40));
        events.sort_by_key(|e| e.0);
        let h = History::from_events(events);
        let end = |v| BTreeMap::from([(1, v)]);
        // Ending with 3: b was overwritten by a concurrent write, a by later ones.
        assert!(lost_writes_register(&h, &end(3)).is_empty());
        // Ending with 2: c is concurrent with b, so c losing to b is allowed.
        assert!(lost_writes_register(&h, &end(2)).is_empty());
        // Ending with 1: a finished before b and c began, so both are lost.
        let lost = lost_writes_register(&h, &end(1));
        assert_eq!(lost.iter().map(|l| l.value).collect::<Vec<_>>(), vec![2, 3]);
        // Ending with the initial value or a value nobody wrote: all three lost.
        assert_eq!(lost_writes_register(&h, &BTreeMap::new()).len(), 3);
        assert_eq!(lost_writes_register(&h, &end(99)).len(), 3);
    }

    #[test]
    fn log_loss_is_absence() {
        let mut events = write(0, 0, 1, 0, 10);
        events.extend(write(1, 0, 2, 20, 30));
        let h = History::from_events(events);
        let logs = BTreeMap::from([(1, BTreeSet::from([2]))]);
        let lost = lost_writes_log(&h, &logs);
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].value, 1);
        assert!(lost[0].to_string().contains("is lost"));
    }
}
