//! The event queue: (time, insertion sequence) order over two stores. A binary heap
//! keyed by (time, seq), compared as a single u128, with payloads stored inline in the
//! entries so a pop moves one value and touches no other memory; and a FIFO run of
//! message deliveries, each no earlier than the one before it. Equal-time events pop
//! in insertion order.
//!
//! The run exists because deliveries over constant latency are queued in order: a
//! delivery is queued at `now + latency`, `now` never goes back and seq always grows,
//! so when every message takes the same latency each delivery sorts after the one
//! before. Appending it to the run costs a compare, where the heap costs a sift up and,
//! later, a sift down past every pending timer. A delivery that would sort before the
//! run's last entry (a latency spike ended) goes to the heap, so the run is always
//! sorted, and a pop takes the smaller of the two fronts: the order is exactly the
//! heap's alone. The network says when latency is constant (`fixed_latency`); with
//! drawn latencies the run would take only some deliveries, and the extra compares
//! were measured to cost more than the smaller heap saved (benchmarks W1 and W3).

use crate::id::NodeId;
use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// Something that will happen at a given time.
#[derive(Debug)]
pub(crate) enum Event<M> {
    /// A node starts for the first time.
    Start { node: NodeId },
    /// A message arrives at `target`. Which incarnation of the target it was sent to
    /// is not stored: the entry's sequence number tells (see `Node::since_seq`),
    /// which keeps the entry a word smaller and spares the send a look at the
    /// target's record.
    Deliver {
        source: NodeId,
        target: NodeId,
        msg: M,
    },
    /// A timer slot's deadline; stale if the slot's generation moved on.
    Timer {
        node: NodeId,
        slot: u32,
        generation: u32,
    },
    /// Entry `index` of the run's fault schedule.
    Fault { index: u32 },
}

/// The key is kept as two u64 halves rather than one u128 field: a u128 field would
/// align every entry to 16 bytes and pad it, and the heap moves whole entries. The
/// halves are joined into one u128 for comparing, which compiles to the same two-word
/// compare.
pub(crate) struct Entry<M> {
    pub(crate) time: u64,
    pub(crate) seq: u64,
    pub(crate) event: Event<M>,
}

impl<M> Entry<M> {
    #[inline(always)]
    fn key(&self) -> u128 {
        (u128::from(self.time) << 64) | u128::from(self.seq)
    }
}

impl<M> PartialEq for Entry<M> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl<M> Eq for Entry<M> {}
impl<M> PartialOrd for Entry<M> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<M> Ord for Entry<M> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap; the earliest key must come out first.
        other.key().cmp(&self.key())
    }
}

pub(crate) struct Queue<M> {
    heap: BinaryHeap<Entry<M>>,
    /// Deliveries in (time, seq) order; see the module documentation.
    run: VecDeque<Entry<M>>,
    next_seq: u64,
}

impl<M> Queue<M> {
    pub(crate) fn new() -> Self {
        Queue {
            heap: BinaryHeap::with_capacity(1024),
            run: VecDeque::new(),
            next_seq: 1,
        }
    }

    /// Schedules an event and returns its sequence number.
    #[inline]
    pub(crate) fn push(&mut self, at: SimTime, event: Event<M>) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry {
            time: at.as_nanos(),
            seq,
            event,
        });
        seq
    }

    /// Schedules a message delivery. With `in_order` (every message takes the same
    /// latency) it goes on the run if it sorts after the run's last entry (a later
    /// seq, so a time no earlier is enough), otherwise on the heap.
    #[inline(always)]
    pub(crate) fn push_delivery(&mut self, at: SimTime, event: Event<M>, in_order: bool) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = Entry {
            time: at.as_nanos(),
            seq,
            event,
        };
        if in_order && self.run.back().is_none_or(|last| last.time <= entry.time) {
            self.run.push_back(entry);
        } else {
            self.heap.push(entry);
        }
    }

    /// The sequence number the next push will get.
    pub(crate) fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The time of the next entry.
    pub(crate) fn peek_time(&self) -> Option<SimTime> {
        let heap = self.heap.peek().map(|h| h.key());
        let run = self.run.front().map(|r| r.key());
        let next = match (heap, run) {
            (Some(h), Some(r)) => h.min(r),
            (h, r) => h.or(r)?,
        };
        Some(SimTime::from_nanos((next >> 64) as u64))
    }

    /// Takes the next entry if it is due by `stop`.
    #[inline(always)]
    pub(crate) fn pop_due(&mut self, stop: SimTime) -> Option<Entry<M>> {
        let stop = stop.as_nanos();
        if let Some(r) = self.run.front() {
            if self.heap.peek().is_none_or(|h| r.key() < h.key()) {
                return if r.time <= stop {
                    self.run.pop_front()
                } else {
                    None
                };
            }
        }
        if self.heap.peek()?.time <= stop {
            self.heap.pop()
        } else {
            None
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len() + self.run.len()
    }
}
