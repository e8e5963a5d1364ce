//! Carrying out faults: how each kind of fault changes nodes, clocks, disks and the
//! network, and the trace record it leaves. A fault that does not apply (crashing a
//! node that is already down) is recorded as skipped and changes nothing.

use crate::fault::Fault;
use crate::id::NodeId;
use crate::metrics::Status;
use crate::protocol::Protocol;
use crate::queue::Event;
use crate::sim::Sim;
use crate::trace::Verb;

impl<P: Protocol> Sim<P> {
    /// Applies one fault now; returns the node whose view it changed, if any.
    pub(crate) fn apply_fault(&mut self, fault: &Fault) -> Option<NodeId> {
        let (now, seq) = (self.core.now, self.core.seq);
        let record = |sim: &mut Self, verb: Verb, node: Option<NodeId>| {
            let text = fault.to_string();
            sim.core.trace.emit(now, seq, node, verb, |d| {
                d.text(&text);
            });
        };
        match *fault {
            Fault::Crash { node } => {
                let n = &mut self.core.nodes[node.index()];
                if n.status == Status::Down {
                    record(self, Verb::Fault, Some(node));
                    return None;
                }
                n.status = Status::Down;
                n.timeline.set(now, Status::Down);
                n.clear_timers();
                n.backlog.clear();
                n.disk.crash();
                n.busy_until = now;
                self.states[node.index()] = None;
                record(self, Verb::Crash, Some(node));
                Some(node)
            }
            Fault::Restart { node } => {
                let n = &mut self.core.nodes[node.index()];
                if n.status != Status::Down {
                    record(self, Verb::Fault, Some(node));
                    return None;
                }
                n.incarnation.0 += 1;
                n.since_seq = self.core.queue.next_seq();
                n.status = Status::Up;
                n.timeline.set(now, Status::Up);
                record(self, Verb::Restart, Some(node));
                self.start_node(node);
                Some(node)
            }
            Fault::Pause { node } => {
                let n = &mut self.core.nodes[node.index()];
                if n.status != Status::Up {
                    record(self, Verb::Fault, Some(node));
                    return None;
                }
                n.status = Status::Paused;
                n.timeline.set(now, Status::Paused);
                record(self, Verb::Pause, Some(node));
                Some(node)
            }
            Fault::Resume { node } => {
                let n = &mut self.core.nodes[node.index()];
                if n.status != Status::Paused {
                    record(self, Verb::Fault, Some(node));
                    return None;
                }
                n.status = Status::Up;
                n.timeline.set(now, Status::Up);
                let backlog = core::mem::take(&mut n.backlog);
                record(self, Verb::Resume, Some(node));
                // The backlog arrives now, in the order it waited; timers that came
                // due while frozen fire late, as they do after a GC pause.
                for event in backlog {
                    self.core.queue.push(now, event);
                }
                Some(node)
            }
            Fault::Partition { ref groups } => {
                self.core.network.partition(groups);
                record(self, Verb::Partition, None);
                None
            }
            Fault::Heal => {
                self.core.network.heal();
                record(self, Verb::Heal, None);
                None
            }
            Fault::Isolate { node } => {
                self.core.network.set_isolated(node, true);
                record(self, Verb::Partition, Some(node));
                None
            }
            Fault::Rejoin { node } => {
                self.core.network.set_isolated(node, false);
                record(self, Verb::Heal, Some(node));
                None
            }
            Fault::Cut { source, target } => {
                self.core.network.set_cut(source, target, true);
                record(self, Verb::Partition, Some(source));
                None
            }
            Fault::Uncut { source, target } => {
                self.core.network.set_cut(source, target, false);
                record(self, Verb::Heal, Some(source));
                None
            }
            Fault::LinkDown { a, b } => {
                self.core.network.set_link(a, b, false);
                record(self, Verb::Partition, Some(a));
                None
            }
            Fault::LinkUp { a, b } => {
                self.core.network.set_link(a, b, true);
                record(self, Verb::Heal, Some(a));
                None
            }
            Fault::LossSpike { ref nodes, loss } => {
                self.core.network.set_spike(nodes, Some(loss), None);
                record(self, Verb::Fault, None);
                None
            }
            Fault::LatencySpike { ref nodes, extra } => {
                self.core.network.set_spike(nodes, None, Some(extra));
                record(self, Verb::Fault, None);
                None
            }
            Fault::SpikeEnd { ref nodes } => {
                self.core
                    .network
                    .set_spike(nodes, Some(0.0), Some(crate::time::SimDuration::ZERO));
                record(self, Verb::Fault, None);
                None
            }
            Fault::ClockJump { node, by } => {
                self.core.nodes[node.index()].change_clock(|c| c.jump(now, by.0));
                self.rearm_timers(node);
                record(self, Verb::Fault, Some(node));
                None
            }
            Fault::ClockDrift { node, ppm } => {
                let ppb = libm::round(ppm * 1000.0) as i64;
                self.core.nodes[node.index()].change_clock(|c| c.set_drift(now, ppb));
                self.rearm_timers(node);
                record(self, Verb::Fault, Some(node));
                None
            }
            Fault::DiskFault {
                node,
                lose_unsynced,
                write_delay,
            } => {
                let disk = &mut self.core.nodes[node.index()].disk;
                disk.lose_unsynced = lose_unsynced;
                disk.write_delay = write_delay;
                record(self, Verb::Fault, Some(node));
                None
            }
            Fault::DiskHeal { node } => {
                let disk = &mut self.core.nodes[node.index()].disk;
                disk.lose_unsynced = false;
                disk.write_delay = crate::time::SimDuration::ZERO;
                record(self, Verb::Fault, Some(node));
                None
            }
        }
    }

    /// After a clock change, every pending timer of the node gets a new global instant
    /// for its unchanged local deadline; the old heap entries go stale.
    fn rearm_timers(&mut self, node: NodeId) {
        let now = self.core.now;
        let n = &mut self.core.nodes[node.index()];
        let clock = *n.clock();
        for (slot, t) in n.timers.iter_mut().enumerate() {
            if t.tag.is_some() {
                t.generation = t.generation.wrapping_add(1);
                let at = clock.global_at(now, t.deadline);
                self.core.queue.push(
                    at,
                    Event::Timer {
                        node,
                        slot: slot as u32,
                        generation: t.generation,
                    },
                );
            }
        }
    }
}
