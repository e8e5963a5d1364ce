//! Properties: named checks that must always hold, must hold within a bound after the
//! faults stop, or must happen at least once.
//!
//! The engine evaluates every property after every event, with the current views of
//! all nodes (None for a node that is down) and the observations of that event.
//! Checkers that need history keep it themselves.

use crate::id::NodeId;
use crate::protocol::Protocol;
use crate::time::{SimDuration, SimTime};

/// An observation with the global time and node at which it was recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed<O> {
    /// Global simulated time.
    pub time: SimTime,
    /// The node that observed.
    pub node: NodeId,
    /// What it observed.
    pub observation: O,
}

/// What a property expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// Must hold after every event (safety).
    Always,
    /// Must hold at some moment within `within` after the last scheduled fault (bounded
    /// liveness, judged in the quiet phase).
    Eventually {
        /// The bound.
        within: SimDuration,
    },
    /// Must hold at least once during the run (coverage).
    Sometimes,
}

/// The world as a property sees it after one event.
pub struct World<'a, P: Protocol> {
    /// Global simulated time.
    pub now: SimTime,
    /// The node the event concerned, if any.
    pub node: Option<NodeId>,
    /// Every node's view; `None` while the node is down.
    pub views: &'a [Option<P::View>],
    /// Observations recorded by this event.
    pub observations: &'a [Observed<P::Observation>],
}

/// A named check over the world.
pub trait Property<P: Protocol> {
    /// The name shown in reports.
    fn name(&self) -> &str;
    /// What it expects.
    fn expectation(&self) -> Expectation;
    /// Whether it holds now; `Err` says why not.
    fn check(&mut self, world: &World<'_, P>) -> Result<(), String>;
}

/// A property from a closure.
pub struct Predicate<P: Protocol, F> {
    name: String,
    expectation: Expectation,
    check: F,
    _protocol: core::marker::PhantomData<fn(&P)>,
}

impl<P: Protocol, F> Property<P> for Predicate<P, F>
where
    F: FnMut(&World<'_, P>) -> Result<(), String>,
{
    fn name(&self) -> &str {
        &self.name
    }
    fn expectation(&self) -> Expectation {
        self.expectation
    }
    fn check(&mut self, world: &World<'_, P>) -> Result<(), String> {
        (self.check)(world)
    }
}

/// A safety property: `check` must hold after every event.
pub fn always<P: Protocol, F>(name: &str, check: F) -> Predicate<P, F>
where
    F: FnMut(&World<'_, P>) -> Result<(), String>,
{
    Predicate {
        name: name.to_string(),
        expectation: Expectation::Always,
        check,
        _protocol: Default::default(),
    }
}

/// A bounded-liveness property: `check` must hold at some moment within `within` of
/// the last scheduled fault.
pub fn eventually<P: Protocol, F>(name: &str, within: SimDuration, check: F) -> Predicate<P, F>
where
    F: FnMut(&World<'_, P>) -> Result<(), String>,
{
    Predicate {
        name: name.to_string(),
        expectation: Expectation::Eventually { within },
        check,
        _protocol: Default::default(),
    }
}

/// A coverage property: `check` must hold at least once.
pub fn sometimes<P: Protocol, F>(name: &str, check: F) -> Predicate<P, F>
where
    F: FnMut(&World<'_, P>) -> Result<(), String>,
{
    Predicate {
        name: name.to_string(),
        expectation: Expectation::Sometimes,
        check,
        _protocol: Default::default(),
    }
}

/// A property and what the run has learned of it so far.
pub(crate) struct Tracked<P: Protocol> {
    pub(crate) property: Box<dyn Property<P>>,
    /// For eventually/sometimes: when it was first seen to hold (in the window).
    pub(crate) satisfied_at: Option<SimTime>,
    pub(crate) last_error: Option<String>,
}

/// A property that failed, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The property's name.
    pub property: String,
    /// The run's seed.
    pub seed: u64,
    /// Global time of the failing event (or of the deadline that passed).
    pub time: SimTime,
    /// Sequence number of the failing event.
    pub seq: u64,
    /// Why it failed.
    pub message: String,
    /// The last trace records before the failure, oldest first; empty unless the run
    /// kept a tail (`Sim::trace_tail`).
    pub tail: Vec<crate::trace::Record>,
}

impl core::fmt::Display for Violation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "property '{}' violated at {} (seed {}, event #{}): {}",
            self.property, self.time, self.seed, self.seq, self.message
        )
    }
}
