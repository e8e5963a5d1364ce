//! The handler context: everything a protocol handler may do, and nothing else.
//!
//! Effects take place in the order the handler makes them: a send is routed and
//! queued at once, a timer is armed at once, an observation is recorded at once. The
//! context reads the node's local clock, never global time: a protocol cannot know
//! more than a real process could.

use crate::id::{Incarnation, NodeId, TimerId};
use crate::network::DropReason;
use crate::property::Observed;
use crate::protocol::{Durable, Protocol};
use crate::queue::Event;
use crate::rng::Stream;
use crate::sim::Core;
use crate::time::{SimDuration, SimTime};
use crate::trace::{Describe, Verb};

/// What a handler acts through. See the module documentation.
pub struct Ctx<'a, P: Protocol> {
    pub(crate) core: &'a mut Core<P>,
    pub(crate) node: NodeId,
    pub(crate) local_now: SimTime,
}

impl<'a, P: Protocol> Ctx<'a, P> {
    /// This node's id.
    #[inline]
    pub fn id(&self) -> NodeId {
        self.node
    }

    /// The node's local clock (offset and drift applied).
    #[inline]
    pub fn now(&self) -> SimTime {
        self.local_now
    }

    /// This node's current incarnation (0 at first start, +1 per restart).
    pub fn incarnation(&self) -> Incarnation {
        self.core.nodes[self.node.index()].incarnation
    }

    /// How many nodes the run has; ids are `0..node_count`.
    #[inline]
    pub fn node_count(&self) -> u32 {
        self.core.nodes.len() as u32
    }

    /// The node's own random stream.
    #[inline]
    pub fn rng(&mut self) -> &mut Stream {
        &mut self.core.nodes[self.node.index()].rng
    }

    /// Sends `msg` to `target`. It may be lost, delayed, duplicated or reordered by the
    /// network; it is never delivered to a later incarnation of `target`.
    #[inline(always)]
    pub fn send(&mut self, target: NodeId, msg: P::Msg) {
        let core = &mut *self.core;
        assert!(
            target.index() < core.nodes.len(),
            "seed {} event #{}: {} sent to {}, but the run has {} nodes",
            core.seed,
            core.seq,
            self.node,
            target,
            core.nodes.len()
        );
        let (now, seq, source) = (core.now, core.seq, self.node);
        core.trace
            .emit_more(now, seq, Some(source), Verb::Send, |d| {
                d.node("to", target);
                msg.describe(d);
            });
        if core.network.duplicate > 0.0 && core.net_rng.chance(core.network.duplicate) {
            core.route(source, target, msg.clone());
        }
        core.route(source, target, msg);
    }

    /// Sets a timer to fire after `after` on this node's local clock.
    #[inline(always)]
    pub fn set_timer(&mut self, after: SimDuration, timer: P::Timer) -> TimerId {
        let core = &mut *self.core;
        let node = &mut core.nodes[self.node.index()];
        let deadline = self.local_now.saturating_add(after);
        let (slot, generation) = node.arm(deadline, timer);
        let at = node.global_at(core.now, deadline);
        core.queue.push(
            at,
            Event::Timer {
                node: self.node,
                slot,
                generation,
            },
        );
        TimerId { slot, generation }
    }

    /// Cancels a pending timer. Cancelling one that fired or was voided by a crash is a
    /// no-op.
    #[inline]
    pub fn cancel_timer(&mut self, timer: TimerId) {
        self.core.nodes[self.node.index()].disarm(timer.slot, timer.generation);
    }

    /// Writes to durable state without syncing: survives a process crash, but not a
    /// crash under a "lose unsynced writes" disk fault.
    pub fn persist(&mut self, write: <P::Durable as Durable>::Write) {
        self.write(write, false);
    }

    /// Writes to durable state and syncs it (and every earlier unsynced write). Under a
    /// slow-disk fault the node is blocked for the write delay.
    pub fn persist_synced(&mut self, write: <P::Durable as Durable>::Write) {
        self.write(write, true);
    }

    /// Syncs every earlier unsynced write.
    pub fn sync(&mut self) {
        let core = &mut *self.core;
        let node = &mut core.nodes[self.node.index()];
        node.disk.sync();
        if !node.disk.write_delay.is_zero() {
            node.busy_until = core.now.saturating_add(node.disk.write_delay);
        }
    }

    fn write(&mut self, write: <P::Durable as Durable>::Write, synced: bool) {
        let core = &mut *self.core;
        core.trace
            .emit_more(core.now, core.seq, Some(self.node), Verb::Persist, |d| {
                d.bool("synced", synced);
                write.describe(d);
            });
        core.nodes[self.node.index()].disk.unsynced.push(write);
        if synced {
            self.sync();
        }
    }

    /// Records a typed observation for metrics and checkers.
    pub fn observe(&mut self, observation: P::Observation) {
        let core = &mut *self.core;
        core.trace
            .emit_more(core.now, core.seq, Some(self.node), Verb::Observe, |d| {
                observation.describe(d)
            });
        core.observations.push(Observed {
            time: core.now,
            node: self.node,
            observation,
        });
    }

    /// Adds `n` to a named counter.
    pub fn count(&mut self, name: &'static str, n: u64) {
        self.core.metrics.count(name, n);
    }

    /// Records a duration in a named histogram.
    pub fn sample(&mut self, name: &'static str, d: SimDuration) {
        self.core.metrics.sample(name, d);
    }
}

impl<P: Protocol> Core<P> {
    /// Routes one copy of a message: drop with a reason, or queue its delivery.
    #[inline(always)]
    pub(crate) fn route(&mut self, source: NodeId, target: NodeId, msg: P::Msg) {
        match self.network.route(source, target, &mut self.net_rng) {
            Ok(latency) => {
                self.queue.push_delivery(
                    self.now.saturating_add(latency),
                    Event::Deliver {
                        source,
                        target,
                        msg,
                    },
                    self.network.fixed_latency,
                );
            }
            Err(reason) => self.trace_drop(source, target, reason, &msg),
        }
    }

    /// Records a message lost on its way (at send time): its content is hashed again,
    /// as the drop shares its event's seq with every other send of the handler.
    #[cold]
    #[inline(never)]
    pub(crate) fn trace_drop(
        &mut self,
        source: NodeId,
        target: NodeId,
        reason: DropReason,
        msg: &P::Msg,
    ) {
        self.dropped += 1;
        self.trace
            .emit_more(self.now, self.seq, Some(target), Verb::Drop, |d| {
                d.node("from", source).str("reason", reason.name());
                msg.describe(d);
            });
    }

    /// Records a message that reached a down or restarted target. Like a delivery, its
    /// content is written as text but not hashed again: the delivery event's seq
    /// already pins which send it was. (The source is hashed, unlike a delivery's: it
    /// comes first in the text, and this path is rare.)
    #[cold]
    #[inline(never)]
    pub(crate) fn trace_drop_delivery(
        &mut self,
        source: NodeId,
        target: NodeId,
        reason: DropReason,
        msg: &P::Msg,
    ) {
        self.dropped += 1;
        self.trace.emit_split(
            self.now,
            self.seq,
            Some(target),
            Verb::Drop,
            |d| {
                d.node("from", source).str("reason", reason.name());
            },
            |d| msg.describe(d),
        );
    }
}
