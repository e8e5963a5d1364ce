//! The engine: `Sim<P>` owns the nodes, the queue, the network and the trace, and
//! runs events in (time, sequence) order until the queue drains, the horizon passes,
//! the event budget runs out, or a property fails. Never a hang.

use crate::check::trace_violation;
use crate::clock::Clock;
use crate::ctx::NodeCtx;
use crate::dist::Distribution;
use crate::fault::{sort_schedule, ScheduledFault};
use crate::id::NodeId;
use crate::memory::{MemoryBudget, MEMORY_CHECK_EVERY};
use crate::metrics::{Metrics, Status};
use crate::network::{DropReason, Network, Path, Paths, Provider};
use crate::node::Node;
use crate::property::{Expectation, Observed, Property, Tracked};
use crate::protocol::Protocol;
use crate::queue::{Entry, Event, Queue};
use crate::rng::{Seed, Stream};
use crate::time::{SimDuration, SimTime};
use crate::trace::{Describe, Trace, TraceSink, Verb};

pub use crate::outcome::{Outcome, SimError};

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
    /// Messages dropped since the last fold into the `messages_dropped` counter: a
    /// plain add per drop instead of a map lookup; folded whenever `run_until`
    /// returns, before a caller can read the metrics.
    pub(crate) dropped: u64,
    /// The first node that asked for a timer beyond `TIMERS_MAX`: the run ends after
    /// the event that asked.
    pub(crate) timers_full: Option<NodeId>,
}

impl<P: Protocol> Core<P> {
    pub(crate) fn fold_dropped(&mut self) {
        if self.dropped > 0 {
            self.metrics
                .count("messages_dropped", core::mem::take(&mut self.dropped));
        }
    }
}

/// A deterministic simulation of protocol `P` on a set of nodes.
pub struct Sim<P: Protocol> {
    pub(crate) protocol: P,
    pub(crate) states: Vec<Option<P::State>>,
    pub(crate) core: Core<P>,
    pub(crate) schedule: Vec<ScheduledFault>,
    pub(crate) properties: Vec<Tracked<P>>,
    pub(crate) views: Vec<Option<P::View>>,
    pub(crate) dormant: Vec<bool>,
    pub(crate) horizon: SimTime,
    pub(crate) event_budget: u64,
    pub(crate) memory: Option<MemoryBudget>,
    pub(crate) events: u64,
    /// Every entry taken off the queue, skipped or not: what the budget bounds, so
    /// that not even a loop of stale or deferred entries can hang a run.
    pub(crate) popped: u64,
    pub(crate) keep_observations: bool,
    pub(crate) prepared: bool,
    pub(crate) quiet_from: SimTime,
    pub(crate) outcome: Option<Outcome>,
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
                dropped: 0,
                timers_full: None,
            },
            schedule: Vec::new(),
            properties: Vec::new(),
            views: vec![None; nodes as usize],
            dormant: vec![false; nodes as usize],
            horizon: SimTime::from_nanos(3_600_000_000_000),
            event_budget: 100_000_000,
            memory: None,
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
        self.core
            .network
            .set_paths(Provider::Custom(Box::new(paths)));
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
        self.core
            .network
            .set_paths(Provider::Uniform(Path { latency, loss }));
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

    /// Sets a memory budget: the run ends `memory_exhausted` once the probe reads
    /// more than the limit above its base (read every [`MEMORY_CHECK_EVERY`] entries).
    pub fn memory_budget(&mut self, budget: MemoryBudget) -> &mut Self {
        self.memory = Some(budget);
        self
    }

    /// Sets a node's clock (offset and drift).
    pub fn clock(&mut self, node: NodeId, clock: Clock) -> Result<&mut Self, SimError> {
        self.check_node(node)?;
        self.core.nodes[node.index()].change_clock(|c| *c = clock);
        Ok(self)
    }

    /// Keeps a node down at the start; a `restart` fault brings it up.
    pub fn dormant(&mut self, node: NodeId) -> Result<&mut Self, SimError> {
        self.check_node(node)?;
        self.dormant[node.index()] = true;
        Ok(self)
    }

    /// Adds faults to the schedule; each is validated. Between `run_until` calls a
    /// fault is queued for its time as it is added (faults already queued keep their
    /// places, so the schedule is not re-sorted); one due before the current time is
    /// refused, as is the whole call then (nothing of it is added).
    pub fn faults(
        &mut self,
        faults: impl IntoIterator<Item = ScheduledFault>,
    ) -> Result<&mut Self, SimError> {
        let nodes = self.core.nodes.len() as u32;
        let first = self.schedule.len();
        let mut added: Vec<ScheduledFault> = Vec::new();
        for f in faults {
            let index = first + added.len();
            f.fault
                .validate(nodes)
                .map_err(|why| SimError::Fault { index, why })?;
            if self.prepared && f.at < self.core.now {
                return Err(SimError::FaultInPast {
                    index,
                    at: f.at,
                    now: self.core.now,
                });
            }
            added.push(f);
        }
        if !self.prepared {
            self.schedule.extend(added);
            sort_schedule(&mut self.schedule);
            return Ok(self);
        }
        sort_schedule(&mut added);
        for f in added {
            let index = self.schedule.len() as u32;
            self.core.queue.push(f.at, Event::Fault { index });
            self.quiet_from = self.quiet_from.max(f.at);
            self.schedule.push(f);
        }
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

    /// When each eventually or sometimes property was first seen to hold, by name
    /// (`None`: not yet); invariants are left out. A run that stopped early judged
    /// only the properties that have a time here.
    pub fn property_satisfied(&self) -> impl Iterator<Item = (&str, Option<SimTime>)> {
        self.properties
            .iter()
            .filter(|t| !matches!(t.property.expectation(), Expectation::Always))
            .map(|t| (t.property.name(), t.satisfied_at))
    }

    /// Sends every trace record to a sink (the hash is computed either way).
    pub fn trace_sink(&mut self, sink: impl TraceSink + 'static) -> &mut Self {
        self.core.trace.set_sink(Box::new(sink));
        self
    }

    /// Keeps the last `records` trace records in memory, to attach to a violation.
    /// Costs formatting every record; zero turns it off.
    pub fn trace_tail(&mut self, records: usize) -> &mut Self {
        self.core
            .trace
            .set_tail((records > 0).then(|| crate::trace::RingSink::new(records)));
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
        // Why the queue gave nothing (empty, or nothing due by `stop`).
        let idle = |sim: &mut Self| {
            if sim.core.queue.peek_time().is_none() {
                return Some(Outcome::Completed);
            }
            sim.core.now = sim.core.now.max(stop);
            (stop == sim.horizon).then_some(Outcome::HorizonReached)
        };
        let ended = loop {
            if self.popped >= self.event_budget {
                // The budget only ends a run that had more to do by `stop`.
                break match self.core.queue.peek_time() {
                    Some(next) if next <= stop => Some(Outcome::BudgetExhausted),
                    _ => idle(self),
                };
            }
            let Some(Entry { time, seq, event }) = self.core.queue.pop_due(stop) else {
                break idle(self);
            };
            let time = SimTime::from_nanos(time);
            self.popped += 1;
            if self.popped % MEMORY_CHECK_EVERY == 0 {
                if let Some(budget) = &self.memory {
                    if let Some(held) = budget.exceeded() {
                        let limit = budget.limit;
                        break Some(Outcome::MemoryExhausted { held, limit });
                    }
                }
            }
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
                if let Some(node) = self.core.timers_full {
                    break Some(Outcome::TimersExhausted { node });
                }
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
        self.core.fold_dropped();
        let Some(mut outcome) = ended else {
            return Outcome::HorizonReached;
        };
        if !matches!(
            outcome,
            Outcome::Violated(_)
                | Outcome::BudgetExhausted
                | Outcome::TimersExhausted { .. }
                | Outcome::MemoryExhausted { .. }
        ) {
            if let Some(v) = self.finish_properties() {
                outcome = Outcome::Violated(v);
            }
        }
        if let Outcome::Violated(v) = &outcome {
            trace_violation(&mut self.core, v);
        }
        if let Some(sink) = self.core.trace.sink_mut() {
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
                msg,
            } => {
                let n = &mut self.core.nodes[target.index()];
                let reason = match n.status {
                    Status::Down => Some(DropReason::TargetDown),
                    _ if self.core.seq < n.since_seq => Some(DropReason::StaleIncarnation),
                    Status::Paused => {
                        n.backlog.push(Event::Deliver {
                            source,
                            target,
                            msg,
                        });
                        return Step::Skipped;
                    }
                    Status::Up => None,
                };
                if let Some(reason) = reason {
                    self.core.trace_drop_delivery(source, target, reason, &msg);
                    return Step::Ran(None);
                }
                if self.core.now < n.busy_until {
                    let at = n.busy_until;
                    self.core.queue.push(
                        at,
                        Event::Deliver {
                            source,
                            target,
                            msg,
                        },
                    );
                    return Step::Skipped;
                }
                // The message's source and content were hashed by its send record;
                // this event's seq pins which send it was (see the trace module).
                self.core.trace.emit_split(
                    self.core.now,
                    self.core.seq,
                    Some(target),
                    Verb::Deliver,
                    |_| {},
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
                    Status::Up if n.local(now) < s.deadline => Some(n.global_at(now, s.deadline)),
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
    fn handler(&mut self, node: NodeId) -> (&P, &mut P::State, NodeCtx<'_, P>) {
        let local_now = self.core.nodes[node.index()].local(self.core.now);
        let state = self.states[node.index()].as_mut().unwrap_or_else(|| {
            panic!(
                "seed {} event #{}: {node} is up but has no state",
                self.core.seed, self.core.seq
            )
        });
        (
            &self.protocol,
            state,
            NodeCtx {
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
        let local_now = self.core.nodes[node.index()].local(self.core.now);
        let mut ctx = NodeCtx {
            core: &mut self.core,
            node,
            local_now,
        };
        let state = self.protocol.start(&mut ctx, &image);
        self.states[node.index()] = Some(state);
    }
}

fn check_probability(what: &'static str, value: f64) -> Result<(), SimError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(SimError::Probability { what, value })
    }
}
