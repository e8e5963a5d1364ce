//! The handler context: everything a protocol handler may do, and nothing else.
//!
//! [`Ctx`] is a trait so that one protocol's handlers can run inside another's (a
//! replica embeds a detector; a checkout system embeds a balancer tier and a Raft
//! store): the engine hands each handler a [`NodeCtx`], and a host hands its parts a
//! [`Within`](crate::Within) that wraps their effects into its own types. Both are
//! monomorphised; the engine's own path compiles to the same code as before.
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

/// What a handler of protocol `P` acts through. See the module documentation.
pub trait Ctx<P: Protocol> {
    /// This node's id.
    fn id(&self) -> NodeId;

    /// The node's local clock (offset and drift applied).
    fn now(&self) -> SimTime;

    /// This node's current incarnation (0 at first start, +1 per restart).
    fn incarnation(&self) -> Incarnation;

    /// How many nodes the protocol runs on; ids are `0..node_count`.
    fn node_count(&self) -> u32;

    /// The node's own random stream.
    fn rng(&mut self) -> &mut Stream;

    /// Sends `msg` to `target`. It may be lost, delayed, duplicated or reordered by the
    /// network; it is never delivered to a later incarnation of `target`.
    fn send(&mut self, target: NodeId, msg: P::Msg);

    /// Sets a timer to fire after `after` on this node's local clock.
    fn set_timer(&mut self, after: SimDuration, timer: P::Timer) -> TimerId;

    /// Cancels a pending timer. Cancelling one that fired or was voided by a crash is a
    /// no-op.
    fn cancel_timer(&mut self, timer: TimerId);

    /// Writes to durable state without syncing: survives a process crash, but not a
    /// crash under a "lose unsynced writes" disk fault.
    fn persist(&mut self, write: <P::Durable as Durable>::Write);

    /// Writes to durable state and syncs it (and every earlier unsynced write). Under a
    /// slow-disk fault the node is blocked for the write delay.
    fn persist_synced(&mut self, write: <P::Durable as Durable>::Write);

    /// Syncs every earlier unsynced write.
    fn sync(&mut self);

    /// Records a typed observation for metrics and checkers.
    fn observe(&mut self, observation: P::Observation);

    /// Adds `n` to a named counter.
    fn count(&mut self, name: &'static str, n: u64);

    /// Records a duration in a named histogram.
    fn sample(&mut self, name: &'static str, d: SimDuration);
}

/// The engine's context for one handler call on one node.
pub struct NodeCtx<'a, P: Protocol> {
    pub(crate) core: &'a mut Core<P>,
    pub(crate) node: NodeId,
    pub(crate) local_now: SimTime,
}

impl<P: Protocol> Ctx<P> for NodeCtx<'_, P> {
    #[inline]
    fn id(&self) -> NodeId {
        self.node
    }

    #[inline]
    fn now(&self) -> SimTime {
        self.local_now
    }

    #[inline]
    fn incarnation(&self) -> Incarnation {
        self.core.nodes[self.node.index()].incarnation
    }

    #[inline]
    fn node_count(&self) -> u32 {
        self.core.nodes.len() as u32
    }

    #[inline]
    fn rng(&mut self) -> &mut Stream {
        &mut self.core.nodes[self.node.index()].rng
    }

    #[inline(always)]
    fn send(&mut self, target: NodeId, msg: P::Msg) {
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

    #[inline(always)]
    fn set_timer(&mut self, after: SimDuration, timer: P::Timer) -> TimerId {
        let core = &mut *self.core;
        let node = &mut core.nodes[self.node.index()];
        let deadline = self.local_now.saturating_add(after);
        let Some((slot, generation)) = node.arm(deadline, timer) else {
            // The run ends after this event (Outcome::TimersExhausted); the handler
            // gets a handle that never fires and that cancelling ignores.
            core.timers_full.get_or_insert(self.node);
            return TimerId {
                slot: u32::MAX,
                generation: 0,
            };
        };
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

    #[inline]
    fn cancel_timer(&mut self, timer: TimerId) {
        self.core.nodes[self.node.index()].disarm(timer.slot, timer.generation);
    }

    fn persist(&mut self, write: <P::Durable as Durable>::Write) {
        self.write_disk(write, false);
    }

    fn persist_synced(&mut self, write: <P::Durable as Durable>::Write) {
        self.write_disk(write, true);
    }

    fn sync(&mut self) {
        let core = &mut *self.core;
        let node = &mut core.nodes[self.node.index()];
        node.disk.sync();
        if !node.disk.write_delay.is_zero() {
            node.busy_until = core.now.saturating_add(node.disk.write_delay);
        }
    }

    fn observe(&mut self, observation: P::Observation) {
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

    fn count(&mut self, name: &'static str, n: u64) {
        self.core.metrics.count(name, n);
    }

    fn sample(&mut self, name: &'static str, d: SimDuration) {
        self.core.metrics.sample(name, d);
    }
}

impl<P: Protocol> NodeCtx<'_, P> {
    fn write_disk(&mut self, write: <P::Durable as Durable>::Write, synced: bool) {
        let core = &mut *self.core;
        core.trace
            .emit_more(core.now, core.seq, Some(self.node), Verb::Persist, |d| {
                d.bool("synced", synced);
                write.describe(d);
            });
        core.nodes[self.node.index()].disk.unsynced.push(write);
        if synced {
            Ctx::sync(self);
        }
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
