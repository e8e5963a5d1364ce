//! The event queue: one binary heap keyed by (time, insertion sequence), compared as
//! a single u128, with payloads stored inline in the entries so a pop moves one value
//! and touches no other memory. Equal-time events pop in insertion order.

use crate::id::NodeId;
use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

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
    next_seq: u64,
}

impl<M> Queue<M> {
    pub(crate) fn new() -> Self {
        Queue {
            heap: BinaryHeap::with_capacity(1024),
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

    /// The sequence number the next push will get.
    pub(crate) fn next_seq(&self) -> u64 {
        self.next_seq
    }

    #[inline]
    pub(crate) fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| SimTime::from_nanos(e.time))
    }

    #[inline]
    pub(crate) fn pop(&mut self) -> Option<Entry<M>> {
        self.heap.pop()
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }
}
