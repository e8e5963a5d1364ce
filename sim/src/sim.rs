//! The engine: `Sim<P>` owns the nodes, the queue, the network and the trace, and
//! runs events in (time, sequence) order until the queue drains, the horizon passes,
//! the event budget runs out, or a property fails. Never a hang.

use crate::clock::Clock;
use crate::ctx::Ctx;
use crate::dist::Distribution;
use crate::fault::{sort_schedule, ScheduledFault};
use crate::id::{Incarnation, NodeId};
use crate::metrics::{Metrics, Status, Timeline};
use crate::network::{DropReason, Network, Path, Paths, Provider};
use crate::node::Node;
use crate::property::{Expectation, Observed, Property, Tracked, Violation, World};
use crate::protocol::Protocol;
use crate::queue::{Event, Queue};
use crate::rng::{Seed, Stream};
use crate::time::{SimDuration, SimTime};
use crate::trace::{Describe, Trace, TraceSink, Verb};

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing was left to happen before the horizon.
    Completed,
    /// The horizon (end time) was reached with events still pending.
    HorizonReached,
    /// The event budget ran out before the horizon: a livelock or a runaway protocol.
    BudgetExhausted,
    /// A property failed.
    Violated(Violation),
}

impl Outcome {
    /// Short lower-case name.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::HorizonReached => "horizon_reached",
            Outcome::BudgetExhausted => "budget_exhausted",
            Outcome::Violated(_) => "violated",
        }
    }
}

/// Bad configuration handed to the engine.
#[derive(Clone, Debug, PartialEq)]
pub enum SimError {
    /// A fault names a node or value outside what the run allows.
    Fault {
        /// Position in the schedule.
        index: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A probability outside [0, 1].
    Probability {
        /// Which setting.
        what: &'static str,
        /// The value given.
        value: f64,
    },
    /// A distribution with nonsensical parameters.
    Distribution(String),
    /// A node id beyond the node count.
    Node {
        /// The id given.
        node: NodeId,
        /// How many nodes the run has.
        nodes: u32,
    },
}

impl core::fmt::Display for SimError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SimError::Fault { index, message } => write!(f, "fault #{index}: {message}"),
            SimError::Probability { what, value } => {
                write!(f, "{what}: {value} is not a probability in [0, 1]")
            }
            SimError::Distribution(m) => f.write_str(m),
            SimError::Node { node, nodes } => {
                write!(f, "node {node} does not exist (the run has {nodes} nodes)")
            }
        }
    }
}
impl std::error::Error for SimError {}

/// Everything handlers may touch through `Ctx`; split from `Sim` so that a handler can
/// hold `&mut Core` and `&mut State` at once.
pub(crate) struct Core<P: Protocol> {
    pub(crate) seed: u64,
    pub(crate) now: SimTime,
    pub(crate) seq: u64,
    pub(crate) queue: Queue<P::Msg>,
    pub(crate) nodes: Vec<Node<P>>,
    pub(crate) network: Network,
    pub(crate) net_rng: Stream,
    pub(crate) trace: Trace,
    pub(crate) observations: Vec<Observed<P::Observation>>,
    pub(crate) metrics: Metrics,
}

/// A deterministic simulation of protocol `P` on a set of nodes.
pub struct Sim<P: Protocol> {
    pub(crate) protocol: P,
    pub(crate) states: Vec<Option<P::State>>,
    pub(crate) core: Core<P>,
    pub(crate) schedule: Vec<ScheduledFault>,
    properties: Vec<Tracked<P>>,
    views: Vec<Option<P::View>>,
    dormant: Vec<bool>,
    horizon: SimTime,
    event_budget: u64,
    events: u64,
    /// Every entry taken off the queue, skipped or not: what the budget bounds, so
    /// that not even a loop of stale or deferred entries can hang a run.
    popped: u64,
    keep_observations: bool,
    prepared: bool,
    quiet_from: SimTime,
    outcome: Option<Outcome>,
}

/// What one queue event amounted to.
enum Step {
    /// A stale timer, or an event deferred by a pause or a busy disk.
    Skipped,
    /// A real event, concerning a node or not.
    Ran(Option<NodeId>),
}

impl<P: Protocol> Sim<P> {
    /// A run of `protocol` on `nodes` nodes from `seed`: lossless constant 1 ms links,
    /// no faults, a one-hour horizon and a budget of 100 million events.
    pub fn new(protocol: P, nodes: u32, seed: u64) -> Self {
        let s = Seed(seed);
        let paths = Provider::Uniform(Path::new(Distribution::constant(SimDuration::from_millis(
            1,
        ))));
        Sim {
            protocol,
            states: (0..nodes).map(|_| None).collect(),
            core: Core {
                seed,
                now: SimTime::ZERO,
                seq: 0,
                queue: Queue::new(),
                nodes: (0..nodes)
                    .map(|i| Node::new(NodeId(i), s.node_stream(i)))
                    .collect(),
                network: Network::new(nodes as usize, paths, 0.0),
                net_rng: s.stream("network"),
                trace: Trace::default(),
                observations: Vec::new(),
                metrics: Metrics::default(),
            },
            schedule: Vec::new(),
            properties: Vec::new(),
            views: vec![None; nodes as usize],
            dormant: vec![false; nodes as usize],
            horizon: SimTime::from_nanos(3_600_000_000_000),
            event_budget: 100_000_000,
            events: 0,
            popped: 0,
            keep_observations: true,
            prepared: false,
            quiet_from: SimTime::ZERO,
            outcome: None,
        }
    }

    /// Sets the path provider (a topology).
    pub fn paths(&mut self, paths: impl Paths + 'static) -> &mut Self {
        self.core.network.paths = Provider::Custom(Box::new(paths));
        self
    }

    /// Uses the same latency distribution and loss between every pair of nodes.
    pub fn uniform_network(
        &mut self,
        latency: Distribution,
        loss: f64,
    ) -> Result<&mut Self, SimError> {
        latency
            .validate()
            .map_err(|e| SimError::Distribution(e.0))?;
        check_probability("loss", loss)?;
        self.core.network.paths = Provider::Uniform(Path { latency, loss });
        Ok(self)
    }

    /// Sets the probability that a sent message is delivered twice.
    pub fn duplicate(&mut self, probability: f64) -> Result<&mut Self, SimError> {
        check_probability("duplicate", probability)?;
        self.core.network.duplicate = probability;
        Ok(self)
    }

    /// Sets the end time of the run.
    pub fn horizon(&mut self, end: SimTime) -> &mut Self {
        self.horizon = end;
        self
    }

    /// Sets the maximum number of queue entries the run may take (real events plus
    /// skipped stale timers and deferrals).
    pub fn event_budget(&mut self, events: u64) -> &mut Self {
        self.event_budget = events;
        self
    }

    /// Sets a node's clock (offset and drift).
    pub fn clock(&mut self, node: NodeId, clock: Clock) -> Result<&mut Self, SimError> {
        self.check_node(node)?;
        self.core.nodes[node.index()].clock = clock;
        Ok(self)
    }

    /// Keeps a node down at the start; a `restart` fault brings it up.
    pub fn dormant(&mut self, node: NodeId) -> Result<&mut Self, SimError> {
        self.check_node(node)?;
        self.dormant[node.index()] = true;
        Ok(self)
    }

    /// Adds faults to the schedule; each is validated.
    pub fn faults(
        &mut self,
        faults: impl IntoIterator<Item = ScheduledFault>,
    ) -> Result<&mut Self, SimError> {
        let nodes = self.core.nodes.len() as u32;
        for f in faults {
            f.fault.validate(nodes).map_err(|message| SimError::Fault {
                index: self.schedule.len(),
                message,
            })?;
            self.schedule.push(f);
        }
        sort_schedule(&mut self.schedule);
        Ok(self)
    }

    /// Adds a property, checked after every event.
    pub fn property(&mut self, property: impl Property<P> + 'static) -> &mut Self {
        self.properties.push(Tracked {
            property: Box::new(property),
            satisfied_at: None,
            last_error: None,
        });
        self
    }

    /// Sends every trace record to a sink (the hash is computed either way).
    pub fn trace_sink(&mut self, sink: impl TraceSink + 'static) -> &mut Self {
        self.core.trace.sink = Some(Box::new(sink));
        self
    }

    /// Keeps the last `records` trace records in memory, to attach to a violation.
    /// Costs formatting every record; zero turns it off.
    pub fn trace_tail(&mut self, records: usize) -> &mut Self {
        self.core.trace.tail = (records > 0).then(|| crate::trace::RingSink::new(records));
        self
    }

    /// Whether to keep every observation for after the run (default true). Off, each
    /// event's observations are dropped once the properties have seen them.
    pub fn keep_observations(&mut self, keep: bool) -> &mut Self {
        self.keep_observations = keep;
        self
    }

    fn check_node(&self, node: NodeId) -> Result<(), SimError> {
        let nodes = self.core.nodes.len() as u32;
        if node.0 < nodes {
            Ok(())
        } else {
            Err(SimError::Node { node, nodes })
        }
    }

    fn prepare(&mut self) {
        if self.prepared {
            return;
        }
        self.prepared = true;
        for i in 0..self.core.nodes.len() {
            if !self.dormant[i] {
                self.core.queue.push(
                    SimTime::ZERO,
                    Event::Start {
                        node: NodeId(i as u32),
                    },
                );
            }
        }
        for (index, f) in self.schedule.iter().enumerate() {
            self.core.queue.push(
                f.at,
                Event::Fault {
                    index: index as u32,
                },
            );
        }
        self.quiet_from = self.schedule.last().map_or(SimTime::ZERO, |f| f.at);
    }

    /// Runs to the end and returns how it ended. Calling it again returns the same
    /// outcome without running anything.
    pub fn run(&mut self) -> Outcome {
        self.run_until(SimTime::MAX)
    }

    /// Runs events up to `until` (or the horizon, whichever is first). Returns the
    /// final outcome once the run has ended, or `HorizonReached` when it stopped at
    /// `until` before the horizon, in which case it can be called again to go on.
    pub fn run_until(&mut self, until: SimTime) -> Outcome {
        if let Some(outcome) = &self.outcome {
            return outcome.clone();
        }
        self.prepare();
        let stop = until.min(self.horizon);
        let ended = loop {
            let Some(next) = self.core.queue.peek_time() else {
                break Some(Outcome::Completed);
            };
            if next > stop {
                self.core.now = self.core.now.max(stop);
                break if stop == self.horizon {
                    Some(Outcome::HorizonReached)
                } else {
                    None
                };
            }
            if self.popped >= self.event_budget {
                break Some(Outcome::BudgetExhausted);
            }
            let (time, seq, event) = self.core.queue.pop().expect("peeked");
            self.popped += 1;
            assert!(
                time >= self.core.now,
                "seed {} event #{seq}: time went backwards",
                self.core.seed
            );
            self.core.now = time;
            self.core.seq = seq;
            let first_observation = self.core.observations.len();
            if let Step::Ran(node) = self.dispatch(event) {
                self.events += 1;
                if !self.properties.is_empty() {
                    if let Some(v) = self.check_properties(node, first_observation) {
                        break Some(Outcome::Violated(v));
                    }
                }
            }
            if !self.keep_observations {
                self.core.observations.clear();
            }
        };
        let Some(mut outcome) = ended else {
            return Outcome::HorizonReached;
        };
        if !matches!(outcome, Outcome::Violated(_) | Outcome::BudgetExhausted) {
            if let Some(v) = self.finish_properties() {
                outcome = Outcome::Violated(v);
            }
        }
        if let Outcome::Violated(v) = &outcome {
            trace_violation(&mut self.core, v);
        }
        if let Some(sink) = self.core.trace.sink.as_deref_mut() {
            // A failed flush of a trace file must not turn into a different outcome;
            // the caller owns the file and sees the error when it closes it.
            let _ = sink.flush();
        }
        self.outcome = Some(outcome.clone());
        outcome
    }

    fn dispatch(&mut self, event: Event<P::Msg>) -> Step {
        match event {
            Event::Start { node } => {
                let n = &mut self.core.nodes[node.index()];
                n.status = Status::Up;
                n.timeline.set(self.core.now, Status::Up);
                let inc = n.incarnation.0;
                self.core
                    .trace
                    .emit(self.core.now, self.core.seq, Some(node), Verb::Start, |d| {
                        d.u64("incarnation", u64::from(inc));
                    });
                self.start_node(node);
                Step::Ran(Some(node))
            }
            Event::Deliver {
                source,
                target,
                incarnation,
                msg,
            } => {
                let n = &mut self.core.nodes[target.index()];
                let reason = match n.status {
                    Status::Down => Some(DropReason::TargetDown),
                    _ if n.incarnation.0 != incarnation => Some(DropReason::StaleIncarnation),
                    Status::Paused => {
                        n.backlog.push(Event::Deliver {
                            source,
                            target,
                            incarnation,
                            msg,
                        });
                        return Step::Skipped;
                    }
                    Status::Up => None,
                };
                if let Some(reason) = reason {
                    self.core.trace_drop(source, target, reason, &msg);
                    return Step::Ran(None);
                }
                if self.core.now < n.busy_until {
                    let at = n.busy_until;
                    self.core.queue.push(
                        at,
                        Event::Deliver {
                            source,
                            target,
                            incarnation,
                            msg,
                        },
                    );
                    return Step::Skipped;
                }
                self.core.trace.emit(
                    self.core.now,
                    self.core.seq,
                    Some(target),
                    Verb::Deliver,
                    |d| {
                        d.node("from", source);
                        msg.describe(d);
                    },
                );
                let (protocol, state, mut ctx) = self.handler(target);
                protocol.on_message(&mut ctx, state, source, msg);
                Step::Ran(Some(target))
            }
            Event::Timer {
                node,
                slot,
                generation,
            } => {
                let now = self.core.now;
                let n = &mut self.core.nodes[node.index()];
                let Some(s) = n.timers.get(slot as usize) else {
                    return Step::Skipped;
                };
                if s.generation != generation || s.tag.is_none() {
                    return Step::Skipped;
                }
                let deferred_to = match n.status {
                    Status::Down => return Step::Skipped,
                    Status::Paused => {
                        n.backlog.push(Event::Timer {
                            node,
                            slot,
                            generation,
                        });
                        return Step::Skipped;
                    }
                    Status::Up if now < n.busy_until => Some(n.busy_until),
                    // Rounding or a clock change left the local deadline in the future.
                    Status::Up if n.clock.local(now) < s.deadline => {
                        Some(n.clock.global_at(now, s.deadline))
                    }
                    Status::Up => None,
                };
                if let Some(at) = deferred_to {
                    self.core.queue.push(
                        at,
                        Event::Timer {
                            node,
                            slot,
                            generation,
                        },
                    );
                    return Step::Skipped;
                }
                let tag = n.disarm(slot, generation).expect("checked live above");
                self.core
                    .trace
                    .emit(now, self.core.seq, Some(node), Verb::Timer, |d| {
                        tag.describe(d)
                    });
                let (protocol, state, mut ctx) = self.handler(node);
                protocol.on_timer(&mut ctx, state, tag);
                Step::Ran(Some(node))
            }
            Event::Fault { index } => {
                let fault = self.schedule[index as usize].fault.clone();
                Step::Ran(self.apply_fault(&fault))
            }
        }
    }

    /// The state of a running node and a context for it. Inlined always: every
    /// delivery and timer goes through here.
    #[inline(always)]
    fn handler(&mut self, node: NodeId) -> (&P, &mut P::State, Ctx<'_, P>) {
        let local_now = self.core.nodes[node.index()].clock.local(self.core.now);
        let state = self.states[node.index()].as_mut().unwrap_or_else(|| {
            panic!(
                "seed {} event #{}: {node} is up but has no state",
                self.core.seed, self.core.seq
            )
        });
        (
            &self.protocol,
            state,
            Ctx {
                core: &mut self.core,
                node,
                local_now,
            },
        )
    }

    pub(crate) fn start_node(&mut self, node: NodeId) {
        // Start is rare; cloning the image keeps the borrow simple and lets the
        // handler persist while it reads.
        let image = self.core.nodes[node.index()].disk.image.clone();
        let local_now = self.core.nodes[node.index()].clock.local(self.core.now);
        let mut ctx = Ctx {
            core: &mut self.core,
            node,
            local_now,
        };
        let state = self.protocol.start(&mut ctx, &image);
        self.states[node.index()] = Some(state);
    }

    fn check_properties(
        &mut self,
        node: Option<NodeId>,
        first_observation: usize,
    ) -> Option<Violation> {
        if let Some(n) = node {
            self.views[n.index()] = self.states[n.index()]
                .as_ref()
                .map(|s| self.protocol.view(s));
        }
        let world = World {
            now: self.core.now,
            node,
            views: &self.views,
            observations: &self.core.observations[first_observation..],
        };
        for tracked in &mut self.properties {
            match tracked.property.expectation() {
                Expectation::Always => {
                    if let Err(message) = tracked.property.check(&world) {
                        return Some(self_violation(&self.core, tracked.property.name(), message));
                    }
                }
                Expectation::Eventually { within } => {
                    if tracked.satisfied_at.is_some() || world.now < self.quiet_from {
                        continue;
                    }
                    match tracked.property.check(&world) {
                        Ok(()) => tracked.satisfied_at = Some(world.now),
                        Err(e) => {
                            let deadline = self.quiet_from.saturating_add(within);
                            if world.now > deadline {
                                let message = format!(
                                    "did not hold within {within} of the last fault at {}: {e}",
                                    self.quiet_from
                                );
                                return Some(self_violation(
                                    &self.core,
                                    tracked.property.name(),
                                    message,
                                ));
                            }
                            tracked.last_error = Some(e);
                        }
                    }
                }
                Expectation::Sometimes => {
                    if tracked.satisfied_at.is_none() {
                        match tracked.property.check(&world) {
                            Ok(()) => tracked.satisfied_at = Some(world.now),
                            Err(e) => tracked.last_error = Some(e),
                        }
                    }
                }
            }
        }
        None
    }

    /// Judges eventually/sometimes properties once the run is over.
    fn finish_properties(&mut self) -> Option<Violation> {
        let world = World {
            now: self.core.now,
            node: None,
            views: &self.views,
            observations: &[],
        };
        for tracked in &mut self.properties {
            let within = match tracked.property.expectation() {
                Expectation::Always => continue,
                Expectation::Eventually { within } => Some(within),
                Expectation::Sometimes => None,
            };
            if tracked.satisfied_at.is_some() {
                continue;
            }
            let why = match tracked.property.check(&world) {
                Ok(()) => continue,
                Err(e) => e,
            };
            let message = match within {
                Some(within) => format!(
                    "did not hold within {within} of the last fault at {} (run ended at {}): {why}",
                    self.quiet_from, world.now
                ),
                None => format!("never held during the run: {why}"),
            };
            return Some(self_violation(&self.core, tracked.property.name(), message));
        }
        None
    }

    // ----- Inspection, during or after a run -----

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
        self.core.trace.sink.take()
    }
    /// The concrete fault schedule of this run.
    pub fn schedule(&self) -> &[ScheduledFault] {
        &self.schedule
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
    /// A node's unsynced writes, not yet in the image.
    pub fn unsynced_writes(&self, node: NodeId) -> usize {
        self.core.nodes[node.index()].disk.unsynced.len()
    }
    /// A node's local clock.
    pub fn node_clock(&self, node: NodeId) -> &Clock {
        &self.core.nodes[node.index()].clock
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

fn self_violation<P: Protocol>(core: &Core<P>, property: &str, message: String) -> Violation {
    Violation {
        property: property.to_string(),
        seed: core.seed,
        time: core.now,
        seq: core.seq,
        message,
        tail: core
            .trace
            .tail
            .as_ref()
            .map(|t| t.records().cloned().collect())
            .unwrap_or_default(),
    }
}

fn check_probability(what: &'static str, value: f64) -> Result<(), SimError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(SimError::Probability { what, value })
    }
}

/// Records a violation as the last trace record.
pub(crate) fn trace_violation<P: Protocol>(core: &mut Core<P>, v: &Violation) {
    core.trace
        .emit(core.now, core.seq, None, Verb::Violation, |d| {
            d.str("property", &v.property).str("message", &v.message);
        });
}
