//! Reading a finished run through one part's eyes: the [`Inspect`] trait that figure
//! and check code is written against, and [`Projection`], a part's share of a host's
//! run.
//!
//! A family's figures (a balancer tier's success rate, a Raft store's failover time)
//! are computed from a run of that family's protocol. When the family runs as a part
//! of a composed system ([`Within`](crate::Within)), the host's run holds everything
//! the figures need, wrapped: a projection unwraps the part's observations, states and
//! durable images, and renumbers nodes and faults into the part's ids, so the same
//! figure code serves the standalone model and the composed one.

use crate::clock::Clock;
use crate::fault::{Fault, ScheduledFault};
use crate::id::NodeId;
use crate::metrics::{Metrics, Timeline};
use crate::property::Observed;
use crate::protocol::Protocol;
use crate::sim::Sim;
use crate::time::SimTime;
use crate::within::Span;
use std::borrow::Cow;

/// What figure and check code may read of a run: implemented by [`Sim`] and by a
/// [`Projection`] of one part of a composed run.
pub trait Inspect<P: Protocol> {
    /// Simulated time when the run stopped.
    fn now(&self) -> SimTime;
    /// The end of the span the figures cover (see [`Sim::span_end`]).
    fn span_end(&self) -> SimTime;
    /// The concrete fault schedule (node faults of the part only, for a projection).
    fn schedule(&self) -> &[ScheduledFault];
    /// The protocol configuration.
    fn protocol(&self) -> &P;
    /// How many nodes.
    fn node_count(&self) -> u32;
    /// A node's volatile state, if it is running (or paused).
    fn state(&self, node: NodeId) -> Option<&P::State>;
    /// A node's view, if it is running (or paused).
    fn view(&self, node: NodeId) -> Option<P::View> {
        self.state(node).map(|s| self.protocol().view(s))
    }
    /// A node's synced durable image.
    fn durable(&self, node: NodeId) -> &P::Durable;
    /// A node's disk as it reads it: the synced image with the unsynced writes
    /// applied (see [`Sim::on_disk`]). What end-of-run checks judge.
    fn on_disk(&self, node: NodeId) -> Cow<'_, P::Durable>;
    /// A node's local clock.
    fn node_clock(&self, node: NodeId) -> &Clock;
    /// A node's up/down/paused history.
    fn timeline(&self, node: NodeId) -> &Timeline;
    /// Every observation kept, in order.
    fn observations(&self) -> &[Observed<P::Observation>];
    /// Counters and histograms (shared by all parts of a composed run).
    fn metrics(&self) -> &Metrics;
}

impl<P: Protocol> Inspect<P> for Sim<P> {
    fn now(&self) -> SimTime {
        Sim::now(self)
    }
    fn span_end(&self) -> SimTime {
        Sim::span_end(self)
    }
    fn schedule(&self) -> &[ScheduledFault] {
        Sim::schedule(self)
    }
    fn protocol(&self) -> &P {
        Sim::protocol(self)
    }
    fn node_count(&self) -> u32 {
        Sim::node_count(self)
    }
    fn state(&self, node: NodeId) -> Option<&P::State> {
        Sim::state(self, node)
    }
    fn durable(&self, node: NodeId) -> &P::Durable {
        Sim::durable(self, node)
    }
    fn on_disk(&self, node: NodeId) -> Cow<'_, P::Durable> {
        Sim::on_disk(self, node)
    }
    fn node_clock(&self, node: NodeId) -> &Clock {
        Sim::node_clock(self, node)
    }
    fn timeline(&self, node: NodeId) -> &Timeline {
        Sim::timeline(self, node)
    }
    fn observations(&self) -> &[Observed<P::Observation>] {
        Sim::observations(self)
    }
    fn metrics(&self) -> &Metrics {
        Sim::metrics(self)
    }
}

/// One part's share of a composed run, in the part's own ids: see the module
/// documentation. Built once after the run; its vectors are copies of references.
pub struct Projection<'s, H: Protocol, P: Protocol> {
    host: &'s dyn Inspect<H>,
    protocol: &'s P,
    span: Span,
    states: Vec<Option<&'s P::State>>,
    durables: Vec<&'s P::Durable>,
    /// The part's share of a node's disk with its unsynced writes applied, for the
    /// nodes that have any (the others read `durables`).
    unsynced: Vec<Option<P::Durable>>,
    observations: Vec<Observed<P::Observation>>,
    schedule: Vec<ScheduledFault>,
}

impl<'s, H: Protocol, P: Protocol> Projection<'s, H, P> {
    /// The part `protocol` running on `span` of `host` (a run, or a projection of one, for a
    /// part of a part): `state`, `durable` and
    /// `observation` pick the part's share of the host's types (`None` where the node
    /// or observation is not the part's).
    pub fn new(
        host: &'s impl Inspect<H>,
        protocol: &'s P,
        span: Span,
        state: impl Fn(&'s H::State) -> Option<&'s P::State>,
        durable: impl for<'a> Fn(&'a H::Durable) -> &'a P::Durable,
        observation: impl Fn(&H::Observation) -> Option<P::Observation>,
    ) -> Self {
        assert!(
            span.base + span.nodes <= host.node_count(),
            "a span {}..{} beyond the run's {} nodes",
            span.base,
            span.base + span.nodes,
            host.node_count()
        );
        let states = span
            .node_ids()
            .map(|n| host.state(n).and_then(&state))
            .collect();
        let durables = span.node_ids().map(|n| durable(host.durable(n))).collect();
        let unsynced = span
            .node_ids()
            .map(|n| match host.on_disk(n) {
                Cow::Borrowed(_) => None,
                Cow::Owned(d) => Some(durable(&d).clone()),
            })
            .collect();
        let observations = host
            .observations()
            .iter()
            .filter_map(|o| {
                let node = span.part(o.node)?;
                Some(Observed {
                    time: o.time,
                    node,
                    observation: observation(&o.observation)?,
                })
            })
            .collect();
        let schedule = host
            .schedule()
            .iter()
            .filter_map(|f| {
                Some(ScheduledFault {
                    at: f.at,
                    fault: node_fault(&f.fault, span)?,
                })
            })
            .collect();
        Projection {
            host,
            protocol,
            span,
            states,
            durables,
            unsynced,
            observations,
            schedule,
        }
    }
}

/// A fault that concerns one node of `span`, renumbered; `None` for every other
/// fault (network faults span parts, so a part's figures do not see them).
fn node_fault(fault: &Fault, span: Span) -> Option<Fault> {
    let mut f = fault.clone();
    match &mut f {
        Fault::Crash { node }
        | Fault::Restart { node }
        | Fault::Pause { node }
        | Fault::Resume { node }
        | Fault::ClockJump { node, .. }
        | Fault::ClockDrift { node, .. }
        | Fault::DiskFault { node, .. }
        | Fault::DiskHeal { node } => *node = span.part(*node)?,
        _ => return None,
    }
    Some(f)
}

impl<H: Protocol, P: Protocol> Inspect<P> for Projection<'_, H, P> {
    fn now(&self) -> SimTime {
        self.host.now()
    }
    fn span_end(&self) -> SimTime {
        self.host.span_end()
    }
    fn schedule(&self) -> &[ScheduledFault] {
        &self.schedule
    }
    fn protocol(&self) -> &P {
        self.protocol
    }
    fn node_count(&self) -> u32 {
        self.span.nodes
    }
    fn state(&self, node: NodeId) -> Option<&P::State> {
        self.states[node.index()]
    }
    fn durable(&self, node: NodeId) -> &P::Durable {
        self.durables[node.index()]
    }
    fn on_disk(&self, node: NodeId) -> Cow<'_, P::Durable> {
        match &self.unsynced[node.index()] {
            Some(d) => Cow::Borrowed(d),
            None => Cow::Borrowed(self.durables[node.index()]),
        }
    }
    fn node_clock(&self, node: NodeId) -> &Clock {
        self.host.node_clock(self.span.host(node))
    }
    fn timeline(&self, node: NodeId) -> &Timeline {
        self.host.timeline(self.span.host(node))
    }
    fn observations(&self) -> &[Observed<P::Observation>] {
        &self.observations
    }
    fn metrics(&self) -> &Metrics {
        self.host.metrics()
    }
}
