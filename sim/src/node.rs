//! Per-node machinery the engine keeps outside the protocol's state: lifecycle status
//! and incarnation, the local clock, the timer slots, the disk, the backlog held while
//! paused, and the node's random stream.

use crate::clock::Clock;
use crate::id::{Incarnation, NodeId};
use crate::metrics::{Status, Timeline};
use crate::protocol::{Durable, Protocol};
use crate::queue::Event;
use crate::rng::Stream;
use crate::time::{SimDuration, SimTime};

/// Upper bound on pending timers per node: a protocol that leaks timers (or a client
/// that keeps too many requests in flight) ends the run with
/// [`Outcome::TimersExhausted`](crate::Outcome::TimersExhausted) instead of eating
/// memory. Validation can refuse settings that would reach it.
pub const TIMERS_MAX: usize = 1 << 20;

/// A timer slot: reused after it fires or is cancelled; the generation tells a live
/// heap entry from a stale one, so cancellation costs nothing in the heap.
pub(crate) struct TimerSlot<T> {
    pub(crate) generation: u32,
    /// Deadline on the node's local clock.
    pub(crate) deadline: SimTime,
    pub(crate) tag: Option<T>,
}

/// A node's disk: the synced image, and writes not yet synced (in the page cache).
pub(crate) struct Disk<D: Durable> {
    pub(crate) image: D,
    pub(crate) unsynced: Vec<D::Write>,
    /// Disk fault: a crash loses unsynced writes.
    pub(crate) lose_unsynced: bool,
    /// Disk fault: each synced write blocks the node this long.
    pub(crate) write_delay: SimDuration,
}

impl<D: Durable> Disk<D> {
    pub(crate) fn sync(&mut self) {
        for w in self.unsynced.drain(..) {
            self.image.apply(&w);
        }
    }

    /// What survives a crash: the page cache reaches the disk unless the disk fault
    /// says otherwise (a power loss rather than a process crash).
    pub(crate) fn crash(&mut self) {
        if self.lose_unsynced {
            self.unsynced.clear();
        } else {
            self.sync();
        }
    }
}

/// Laid out by hand (`repr(C)`), with the fields every delivery and timer reads first:
/// status, incarnation sequence, busy time, clock flag and timer slots then sit in 56
/// contiguous bytes, so that a run over many nodes (W3: 10,000) takes fewer cache
/// misses per event on the record (W3: 12 % fewer first-level misses in all, as
/// callgrind's cache model counts them). Aligning the record to a cache line as well
/// was tried: a few more misses saved, but more instructions on small runs.
#[repr(C)]
pub(crate) struct Node<P: Protocol> {
    pub(crate) status: Status,
    /// The clock reads global time (no offset, no drift): local readings and timer
    /// deadlines skip the i128 mapping, on every event of most runs.
    exact_clock: bool,
    pub(crate) id: NodeId,
    pub(crate) incarnation: Incarnation,
    /// The first queue sequence number of this incarnation. A delivery is queued
    /// when its message is sent, so one with an earlier sequence number was sent
    /// before the node last restarted, to an earlier incarnation. (A delivery that
    /// waits for a busy disk or a pause is queued again later, but only while its
    /// incarnation is current: a crash voids the wait or clears the backlog.)
    pub(crate) since_seq: u64,
    /// A slow synced write blocks the node until then.
    pub(crate) busy_until: SimTime,
    pub(crate) timers: Vec<TimerSlot<P::Timer>>,
    pub(crate) free_timers: Vec<u32>,
    /// Change it through `set_clock`/`clock_mut`, which keep `exact_clock` true.
    clock: Clock,
    /// Events that arrived while paused, in arrival order.
    pub(crate) backlog: Vec<Event<P::Msg>>,
    pub(crate) disk: Disk<P::Durable>,
    pub(crate) rng: Stream,
    pub(crate) timeline: Timeline,
}

impl<P: Protocol> Node<P> {
    pub(crate) fn new(id: NodeId, rng: Stream) -> Self {
        Node {
            id,
            status: Status::Down,
            incarnation: Incarnation(0),
            since_seq: 0,
            clock: Clock::default(),
            exact_clock: true,
            timers: Vec::new(),
            free_timers: Vec::new(),
            backlog: Vec::new(),
            busy_until: SimTime::ZERO,
            disk: Disk {
                image: P::Durable::default(),
                unsynced: Vec::new(),
                lose_unsynced: false,
                write_delay: SimDuration::ZERO,
            },
            rng,
            timeline: Timeline::default(),
        }
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Changes the clock through `change`, keeping the exact-clock flag true.
    pub(crate) fn change_clock(&mut self, change: impl FnOnce(&mut Clock)) {
        change(&mut self.clock);
        self.exact_clock = self.clock == Clock::default();
    }

    /// The local reading at global `now`.
    #[inline(always)]
    pub(crate) fn local(&self, now: SimTime) -> SimTime {
        if self.exact_clock {
            now
        } else {
            self.clock.local(now)
        }
    }

    /// The global instant at which a local deadline is due (`Clock::global_at`).
    #[inline(always)]
    pub(crate) fn global_at(&self, now: SimTime, deadline: SimTime) -> SimTime {
        if self.exact_clock {
            deadline.max(now)
        } else {
            self.clock.global_at(now, deadline)
        }
    }

    /// Voids every pending timer: their heap entries become stale.
    pub(crate) fn clear_timers(&mut self) {
        self.free_timers.clear();
        for (i, slot) in self.timers.iter_mut().enumerate() {
            slot.generation = slot.generation.wrapping_add(1);
            slot.tag = None;
            self.free_timers.push(i as u32);
        }
        // Hand out low slots first.
        self.free_timers.reverse();
    }

    /// Allocates a timer slot for a local deadline; returns (slot, generation), or
    /// `None` when the node already has [`TIMERS_MAX`] pending timers.
    #[inline]
    pub(crate) fn arm(&mut self, deadline: SimTime, tag: P::Timer) -> Option<(u32, u32)> {
        let slot = match self.free_timers.pop() {
            Some(s) => s,
            None => {
                if self.timers.len() >= TIMERS_MAX {
                    return None;
                }
                self.timers.push(TimerSlot {
                    generation: 0,
                    deadline,
                    tag: None,
                });
                (self.timers.len() - 1) as u32
            }
        };
        let s = &mut self.timers[slot as usize];
        s.deadline = deadline;
        s.tag = Some(tag);
        Some((slot, s.generation))
    }

    /// Frees a slot if `generation` is still current; returns the tag it held.
    /// Inlined always: a fired timer passes through here on every timer event.
    #[inline(always)]
    pub(crate) fn disarm(&mut self, slot: u32, generation: u32) -> Option<P::Timer> {
        let s = self.timers.get_mut(slot as usize)?;
        if s.generation != generation {
            return None;
        }
        let tag = s.tag.take()?;
        s.generation = s.generation.wrapping_add(1);
        self.free_timers.push(slot);
        Some(tag)
    }
}
