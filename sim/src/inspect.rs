//! Inspection: what a caller may read of a run, during it (between `run_until`
//! calls) or after it. Read-only, except taking the trace sink back.

use crate::clock::Clock;
use crate::fault::ScheduledFault;
use crate::id::{Incarnation, NodeId};
use crate::metrics::{Metrics, Status, Timeline};
use crate::property::Observed;
use crate::protocol::{Durable, Protocol};
use crate::sim::{Outcome, Sim};
use crate::time::SimTime;
use crate::trace::TraceSink;
use std::borrow::Cow;

impl<P: Protocol> Sim<P> {
    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.core.seed
    }
    /// Current global simulated time.
    pub fn now(&self) -> SimTime {
        self.core.now
    }
    /// Events processed (starts, deliveries, drops at delivery, timers, faults).
    pub fn events(&self) -> u64 {
        self.events
    }
    /// Events still queued.
    pub fn pending(&self) -> usize {
        self.core.queue.len()
    }
    /// The running hash of every trace record so far.
    pub fn trace_hash(&self) -> u64 {
        self.core.trace.hash()
    }
    /// How many trace records so far.
    pub fn trace_records(&self) -> u64 {
        self.core.trace.records()
    }
    /// Takes the trace sink back (to read a `VecSink`, say).
    pub fn take_trace_sink(&mut self) -> Option<Box<dyn TraceSink>> {
        self.core.trace.take_sink()
    }
    /// The concrete fault schedule of this run.
    pub fn schedule(&self) -> &[ScheduledFault] {
        &self.schedule
    }
    /// The end of the span a finished run's figures cover: the horizon when the run
    /// completed by draining its queue (nothing could happen before the horizon, so
    /// every node stays as it is until then), else the time it stopped.
    pub fn span_end(&self) -> SimTime {
        match self.outcome {
            Some(Outcome::Completed) => self.horizon.max(self.core.now),
            _ => self.core.now,
        }
    }
    /// The time of the last scheduled fault: the quiet phase starts here.
    pub fn quiet_from(&self) -> SimTime {
        self.schedule.last().map_or(SimTime::ZERO, |f| f.at)
    }
    /// The protocol configuration.
    pub fn protocol(&self) -> &P {
        &self.protocol
    }
    /// How many nodes.
    pub fn node_count(&self) -> u32 {
        self.core.nodes.len() as u32
    }
    /// A node's status now.
    pub fn status(&self, node: NodeId) -> Status {
        self.core.nodes[node.index()].status
    }
    /// A node's incarnation now.
    pub fn incarnation(&self, node: NodeId) -> Incarnation {
        self.core.nodes[node.index()].incarnation
    }
    /// A node's volatile state, if it is running (or paused).
    pub fn state(&self, node: NodeId) -> Option<&P::State> {
        self.states[node.index()].as_ref()
    }
    /// A node's view, if it is running (or paused).
    pub fn view(&self, node: NodeId) -> Option<P::View> {
        self.state(node).map(|s| self.protocol.view(s))
    }
    /// A node's synced durable image.
    pub fn durable(&self, node: NodeId) -> &P::Durable {
        &self.core.nodes[node.index()].disk.image
    }
    /// A node's disk as the node itself reads it: the synced image with its unsynced
    /// writes applied in order. This is what a plain crash now would keep (a crash
    /// syncs the page cache); only a crash under a disk fault that loses unsynced
    /// writes keeps less, and a crashed node's image already says what it kept. So a
    /// check that asks what the cluster holds at the end reads this, not
    /// [`durable`](Self::durable). Borrowed when nothing is unsynced.
    pub fn on_disk(&self, node: NodeId) -> Cow<'_, P::Durable> {
        let disk = &self.core.nodes[node.index()].disk;
        if disk.unsynced.is_empty() {
            return Cow::Borrowed(&disk.image);
        }
        let mut image = disk.image.clone();
        for w in &disk.unsynced {
            image.apply(w);
        }
        Cow::Owned(image)
    }
    /// A node's unsynced writes, not yet in the image.
    pub fn unsynced_writes(&self, node: NodeId) -> usize {
        self.core.nodes[node.index()].disk.unsynced.len()
    }
    /// A node's local clock.
    pub fn node_clock(&self, node: NodeId) -> &Clock {
        self.core.nodes[node.index()].clock()
    }
    /// A node's up/down/paused history.
    pub fn timeline(&self, node: NodeId) -> &Timeline {
        &self.core.nodes[node.index()].timeline
    }
    /// Every observation kept so far, in order.
    pub fn observations(&self) -> &[Observed<P::Observation>] {
        &self.core.observations
    }
    /// Counters and histograms recorded by handlers.
    pub fn metrics(&self) -> &Metrics {
        &self.core.metrics
    }
    /// The outcome, once the run has ended.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }
}
