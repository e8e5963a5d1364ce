//! Protocols inside protocols: a host runs another protocol (a *part*) on a span of
//! its nodes, and the part's effects become the host's own.
//!
//! Real designs stack families: a checkout system is a balancer tier, app servers and
//! a Raft store; a replica carries its own failure detector. Rather than each family
//! being rewritten against each host, a host keeps the parts' types inside its own
//! (`Msg::Store(raft::Msg)`, a `Timer` and `Observation` variant per part, a durable
//! image with a field per part) and hands a part's handlers a [`Within`]: a [`Ctx`] of
//! the part that wraps every effect through a [`Lens`] and translates node ids, so the
//! part runs unchanged, believing its span is the whole world (ids `0..nodes`).
//!
//! Two seams let a host wire parts together without reaching into them: it can *hear*
//! the observations a part made during a call (a detector's "suspect X", a store
//! client's "operation acknowledged") and act in the same event, and it can *capture*
//! a part's sends to route them itself (hold an app server's reply until its order is
//! committed). Everything stays monomorphised: a `Within` is a borrow, two spans and
//! two empty vectors, and the lens functions are static. A host that restarts a part
//! while its node stays up (a process under a supervisor) tags the part's timers with
//! the run they belong to ([`Within::tagged`]), so a dead run's timers never reach the
//! next one.

use crate::ctx::Ctx;
use crate::id::{Incarnation, NodeId, TimerId};
use crate::protocol::{Durable, Protocol};
use crate::rng::Stream;
use crate::time::{SimDuration, SimTime};

/// How a part's types become its host's: one lens per part (a zero-sized type), so a
/// host may even run two parts of the same protocol.
pub trait Lens: 'static {
    /// The protocol that runs the part.
    type Host: Protocol;
    /// The protocol run as a part.
    type Part: Protocol;
    /// Wraps a part message.
    fn msg(&self, msg: <Self::Part as Protocol>::Msg) -> <Self::Host as Protocol>::Msg;
    /// Wraps a part timer set through a [`Within`] carrying `tag` (0 unless the host
    /// chose one with [`Within::tagged`]). A host that restarts a part inside a running
    /// node (a supervised process) keeps the tag in its timer and ignores the timers of
    /// an earlier run; other lenses drop it.
    fn timer(
        &self,
        timer: <Self::Part as Protocol>::Timer,
        tag: u32,
    ) -> <Self::Host as Protocol>::Timer;
    /// Wraps a part observation.
    fn observation(
        &self,
        observation: <Self::Part as Protocol>::Observation,
    ) -> <Self::Host as Protocol>::Observation;
    /// Wraps a write to the part's durable image.
    fn write(&self, write: PartWrite<Self>) -> HostWrite<Self>;
}

/// A write to a lens's part's durable image.
pub type PartWrite<L> = <<<L as Lens>::Part as Protocol>::Durable as Durable>::Write;
/// A write to a lens's host's durable image.
pub type HostWrite<L> = <<<L as Lens>::Host as Protocol>::Durable as Durable>::Write;

/// Where a part runs among its host's nodes: host nodes `base..base + nodes` are the
/// part's nodes `0..nodes`. Spans of different parts may overlap: a node in two spans
/// runs both parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// The host id of the part's node 0.
    pub base: u32,
    /// How many nodes the part has.
    pub nodes: u32,
}

impl Span {
    /// The span of host nodes `base..base + nodes`.
    pub const fn new(base: u32, nodes: u32) -> Span {
        Span { base, nodes }
    }

    /// The part's id of host node `node`, if the part runs there.
    #[inline]
    pub fn part(self, node: NodeId) -> Option<NodeId> {
        let i = node.0.checked_sub(self.base)?;
        (i < self.nodes).then_some(NodeId(i))
    }

    /// The host's id of the part's node `node`.
    #[inline]
    pub fn host(self, node: NodeId) -> NodeId {
        debug_assert!(
            node.0 < self.nodes,
            "{node} is outside a span of {}",
            self.nodes
        );
        NodeId(self.base + node.0)
    }

    /// The host node ids of the span.
    pub fn node_ids(self) -> impl Iterator<Item = NodeId> {
        (self.base..self.base + self.nodes).map(NodeId)
    }
}

/// A part's context inside its host's: see the module documentation.
pub struct Within<'c, C, L: Lens> {
    host: &'c mut C,
    span: Span,
    id: NodeId,
    tag: u32,
    hearing: bool,
    capturing: bool,
    heard: Vec<<L::Part as Protocol>::Observation>,
    captured: Vec<(NodeId, <L::Part as Protocol>::Msg)>,
    lens: L,
}

impl<'c, C: Ctx<L::Host>, L: Lens + Default> Within<'c, C, L> {
    /// The part's context on the host's current node, which must lie in `span`, for a
    /// lens that is a plain type (one lens per part, known when the host is written).
    #[inline]
    pub fn new(host: &'c mut C, span: Span) -> Self {
        Within::with_lens(host, span, L::default())
    }
}

impl<'c, C: Ctx<L::Host>, L: Lens> Within<'c, C, L> {
    /// The part's context through `lens`, a value: a host whose parts are chosen at
    /// run time (a composition read from a scenario) keeps which part it is in the
    /// lens.
    #[inline]
    pub fn with_lens(host: &'c mut C, span: Span, lens: L) -> Self {
        let id = span.part(host.id()).unwrap_or_else(|| {
            panic!(
                "{} runs a part outside its span {}..{}",
                host.id(),
                span.base,
                span.base + span.nodes
            )
        });
        Within {
            host,
            span,
            id,
            tag: 0,
            hearing: false,
            capturing: false,
            heard: Vec::new(),
            captured: Vec::new(),
            lens,
        }
    }

    /// Hands `tag` to the lens with every timer the part sets (see [`Lens::timer`]).
    #[must_use]
    pub fn tagged(mut self, tag: u32) -> Self {
        self.tag = tag;
        self
    }

    /// Keeps a copy of each observation the part makes, for [`Within::heard`].
    #[must_use]
    pub fn hearing(mut self) -> Self {
        self.hearing = true;
        self
    }

    /// Captures the part's sends instead of sending them, for [`Within::captured`]:
    /// the host routes them itself (targets are the part's ids).
    #[must_use]
    pub fn capturing(mut self) -> Self {
        self.capturing = true;
        self
    }

    /// The observations the part made, in order (empty unless [`Within::hearing`]).
    pub fn heard(&mut self) -> Vec<<L::Part as Protocol>::Observation> {
        core::mem::take(&mut self.heard)
    }

    /// The sends the part made, in order (empty unless [`Within::capturing`]).
    pub fn captured(&mut self) -> Vec<(NodeId, <L::Part as Protocol>::Msg)> {
        core::mem::take(&mut self.captured)
    }

    /// The host's context, for the host's own effects between part calls.
    pub fn host(&mut self) -> &mut C {
        self.host
    }
}

impl<C: Ctx<L::Host>, L: Lens> Ctx<L::Part> for Within<'_, C, L> {
    #[inline]
    fn id(&self) -> NodeId {
        self.id
    }

    #[inline]
    fn now(&self) -> SimTime {
        self.host.now()
    }

    #[inline]
    fn incarnation(&self) -> Incarnation {
        self.host.incarnation()
    }

    #[inline]
    fn node_count(&self) -> u32 {
        self.span.nodes
    }

    #[inline]
    fn rng(&mut self) -> &mut Stream {
        self.host.rng()
    }

    #[inline]
    fn send(&mut self, target: NodeId, msg: <L::Part as Protocol>::Msg) {
        assert!(
            target.0 < self.span.nodes,
            "{} (part node {}) sent to part node {target}, but its part has {} nodes",
            self.host.id(),
            self.id,
            self.span.nodes
        );
        if self.capturing {
            self.captured.push((target, msg));
        } else {
            self.host.send(self.span.host(target), self.lens.msg(msg));
        }
    }

    #[inline]
    fn set_timer(&mut self, after: SimDuration, timer: <L::Part as Protocol>::Timer) -> TimerId {
        self.host.set_timer(after, self.lens.timer(timer, self.tag))
    }

    #[inline]
    fn cancel_timer(&mut self, timer: TimerId) {
        self.host.cancel_timer(timer);
    }

    #[inline]
    fn persist(&mut self, write: PartWrite<L>) {
        self.host.persist(self.lens.write(write));
    }

    #[inline]
    fn persist_synced(&mut self, write: PartWrite<L>) {
        self.host.persist_synced(self.lens.write(write));
    }

    #[inline]
    fn sync(&mut self) {
        self.host.sync();
    }

    #[inline]
    fn observe(&mut self, observation: <L::Part as Protocol>::Observation) {
        if self.hearing {
            self.heard.push(observation.clone());
        }
        self.host.observe(self.lens.observation(observation));
    }

    #[inline]
    fn count(&mut self, name: &'static str, n: u64) {
        self.host.count(name, n);
    }

    #[inline]
    fn sample(&mut self, name: &'static str, d: SimDuration) {
        self.host.sample(name, d);
    }
}
