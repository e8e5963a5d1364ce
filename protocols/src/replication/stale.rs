//! Stale reads: reads that return a value an acknowledged write had already
//! superseded before the read began, in real-time order. The measure of how far an
//! eventually consistent store is from a register, per read, from the history alone.
//!
//! A successful read `r` of key `k` returning `v` is **stale** when some acknowledged
//! write `w` to `k` completed before `r` was invoked, and `v` is older than `w`'s
//! value: `v` is the initial 0, or no write to `k` wrote `v`, or the write of `v`
//! completed before `w` was invoked (so every legal order puts it before `w`). A value
//! whose write is concurrent with `w`, or still unknown (it may land at any time), is
//! not stale: it may legitimately be ordered after `w`. Failed and unknown reads are
//! not counted at all.
//!
//! Not stale does not mean linearizable: two reads may still disagree on the order
//! of concurrent writes, and a read may see a write that later "disappears".

use crate::replication::history::{History, Key, OpKind, OpResult, Value};
use hasim_sim::{NodeId, SimTime};
use std::collections::BTreeMap;
use std::fmt;

/// One stale read, with the write that had superseded its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaleRead {
    /// The reading client.
    pub client: NodeId,
    /// Its sequence number of the read.
    pub op: u64,
    /// The key.
    pub key: Key,
    /// The value read.
    pub value: Value,
    /// When the read was invoked.
    pub invoked: SimTime,
    /// The value of an acknowledged write, completed before the read, that supersedes
    /// the value read.
    pub newer: Value,
}

impl fmt::Display for StaleRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "read of key {} by {} (op {}) invoked at {} returned {:#x}, but the write of {:#x} had been acknowledged before",
            self.key, self.client, self.op, self.invoked, self.value, self.newer
        )
    }
}

/// The stale reads of a history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StaleReads {
    /// Successful reads.
    pub reads: usize,
    /// Stale ones among them.
    pub stale: usize,
    /// The first stale read in invocation order, as a counterexample.
    pub first: Option<StaleRead>,
}

impl StaleReads {
    /// The fraction of successful reads that were stale (0 with no reads).
    pub fn fraction(&self) -> f64 {
        if self.reads == 0 {
            0.0
        } else {
            self.stale as f64 / self.reads as f64
        }
    }
}

/// An acknowledged write: (completed, invoked, value).
type Acked = (SimTime, SimTime, Value);
/// An acknowledged write with the latest (invocation, value) among the writes
/// completed up to it.
type AckedSoFar = (Acked, (SimTime, Value));

/// Per key: acknowledged writes by completion time, each with the latest invocation
/// among the writes completed so far (and its value), so "the latest-invoked write
/// completed before t" is one binary search.
fn acknowledged(history: &History) -> BTreeMap<Key, Vec<AckedSoFar>> {
    let mut per_key: BTreeMap<Key, Vec<Acked>> = BTreeMap::new();
    for o in history.ops.iter().filter(|o| o.is_acknowledged_write()) {
        if let (OpKind::Write(v), Some(done)) = (o.kind, o.complete) {
            per_key.entry(o.key).or_default().push((done, o.invoke, v));
        }
    }
    per_key
        .into_iter()
        .map(|(key, mut writes)| {
            writes.sort_unstable();
            let mut latest = (SimTime::ZERO, 0);
            let prefix = writes
                .into_iter()
                .map(|w| {
                    if w.1 >= latest.0 {
                        latest = (w.1, w.2);
                    }
                    (w, latest)
                })
                .collect();
            (key, prefix)
        })
        .collect()
}

/// Counts the stale reads of `history` (see the module documentation).
pub fn stale_reads(history: &History) -> StaleReads {
    let acked = acknowledged(history);
    // When each value's write completed (None: unknown, may land any time).
    let mut written: BTreeMap<(Key, Value), Option<SimTime>> = BTreeMap::new();
    for o in &history.ops {
        if let OpKind::Write(v) = o.kind {
            written.insert((o.key, v), o.complete);
        }
    }
    let mut out = StaleReads::default();
    for r in &history.ops {
        let (OpKind::Read, OpResult::Ok(Some(value))) = (r.kind, r.result) else {
            continue;
        };
        out.reads += 1;
        let Some(writes) = acked.get(&r.key) else {
            continue;
        };
        // The acknowledged writes completed strictly before the read began.
        let before = writes.partition_point(|(w, _)| w.0 < r.invoke);
        if before == 0 {
            continue;
        }
        let (latest_invoke, newer) = writes[before - 1].1;
        let stale = match (value, written.get(&(r.key, value))) {
            (0, _) | (_, None) => true,
            (_, Some(None)) => false,
            (_, Some(Some(done))) => *done < latest_invoke,
        };
        if stale {
            out.stale += 1;
            if out.first.is_none() {
                out.first = Some(StaleRead {
                    client: r.client,
                    op: r.op,
                    key: r.key,
                    value,
                    invoked: r.invoke,
                    newer,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replication::history::OpEvent;

    fn t(ms: u64) -> SimTime {
        SimTime::from_nanos(ms * 1_000_000)
    }

    /// A history from (client, kind, invoked, completed, result) on key 1.
    fn history(ops: &[(u32, OpKind, u64, u64, OpResult)]) -> History {
        let mut events = Vec::new();
        for (i, &(c, kind, from, to, result)) in ops.iter().enumerate() {
            let op = i as u64;
            events.push((t(from), NodeId(c), OpEvent::Invoke { op, key: 1, kind }));
            events.push((t(to), NodeId(c), OpEvent::Complete { op, result }));
        }
        events.sort_by_key(|e| e.0);
        History::from_events(events)
    }

    const W: fn(Value) -> OpKind = OpKind::Write;
    const R: OpKind = OpKind::Read;
    const OK: OpResult = OpResult::Ok(None);
    fn read(v: Value) -> OpResult {
        OpResult::Ok(Some(v))
    }

    #[test]
    fn a_read_after_an_acknowledged_write_must_not_see_what_it_superseded() {
        // w1 [0, 10], w2 [20, 30], then reads at 40.
        let base = [(0, W(1), 0, 10, OK), (1, W(2), 20, 30, OK)];
        let with = |r: OpResult| {
            let mut ops = base.to_vec();
            ops.push((2, R, 40, 45, r));
            stale_reads(&history(&ops))
        };
        assert_eq!(with(read(2)).stale, 0);
        let s = with(read(1));
        assert_eq!((s.reads, s.stale), (1, 1));
        let first = s.first.unwrap();
        assert_eq!((first.value, first.newer, first.invoked), (1, 2, t(40)));
        assert!(first.to_string().contains("returned 0x1"));
        assert_eq!(with(read(0)).stale, 1, "the initial value is stale");
        assert_eq!(with(read(99)).stale, 1, "a value nobody wrote is stale");
        assert_eq!(with(read(2)).fraction(), 0.0);
    }

    #[test]
    fn concurrent_and_unknown_writes_and_overlapping_reads_are_not_stale() {
        let ops = [
            (0, W(1), 0, 10, OK),
            // w2 overlaps w3: either order is legal.
            (1, W(2), 20, 30, OK),
            (2, W(3), 25, 40, OK),
            // An unknown write may land any time.
            (3, W(4), 5, 6, OpResult::Unknown),
            // Reads after both: 2 and 3 are fine, 4 (unknown) is fine, 1 is stale.
            (4, R, 50, 55, read(2)),
            (4, R, 60, 65, read(3)),
            (4, R, 70, 75, read(4)),
            (4, R, 80, 85, read(1)),
            // A read invoked while w2 is in flight may still see 1 (w1 is the latest
            // write completed before it).
            (5, R, 22, 24, read(1)),
            // A read invoked before any write completed may see the initial value.
            (5, R, 1, 2, read(0)),
            // Failed and unknown reads are not counted.
            (6, R, 90, 95, OpResult::Fail),
            (6, R, 91, 95, OpResult::Unknown),
        ];
        let s = stale_reads(&history(&ops));
        assert_eq!((s.reads, s.stale), (6, 1));
        assert_eq!(s.first.unwrap().value, 1);
        assert!((s.fraction() - 1.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn the_superseding_write_is_the_latest_invoked_not_the_latest_completed() {
        // w1 [0, 25] overlaps w2 [20, 100], but w3 [30, 40] began after w1 completed.
        // A read after all three may return 2 (w2 overlaps w3) but not 1 (w3, completed
        // before the read, supersedes it) although w2 is the last write to complete.
        let ops = [
            (0, W(1), 0, 25, OK),
            (1, W(2), 20, 100, OK),
            (2, W(3), 30, 40, OK),
            (3, R, 110, 115, read(1)),
            (3, R, 120, 125, read(2)),
        ];
        let s = stale_reads(&history(&ops));
        assert_eq!((s.reads, s.stale), (2, 1));
        assert_eq!((s.first.unwrap().value, s.first.unwrap().newer), (1, 3));
    }
}
