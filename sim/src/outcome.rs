//! How a run ends (`Outcome`) and what bad configuration the builder rejects
//! (`SimError`); kept apart from the run loop, re-exported from `sim`.

use crate::id::NodeId;
use crate::property::Violation;
use crate::time::SimTime;

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing was left to happen before the horizon.
    Completed,
    /// The horizon (end time) was reached with events still pending.
    HorizonReached,
    /// The event budget ran out before the horizon: a livelock or a runaway protocol.
    BudgetExhausted,
    /// A node asked for more than [`TIMERS_MAX`](crate::TIMERS_MAX) pending timers: a
    /// protocol that leaks timers, or a workload keeping too many requests in flight.
    /// The run stops after the event that asked.
    TimersExhausted {
        /// The node.
        node: NodeId,
    },
    /// The run held more memory than its [`MemoryBudget`](crate::MemoryBudget)
    /// allows. It stops at the first check past the limit.
    MemoryExhausted {
        /// Bytes held beyond the budget's base when it stopped.
        held: u64,
        /// The limit.
        limit: u64,
    },
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
            Outcome::TimersExhausted { .. } => "timers_exhausted",
            Outcome::MemoryExhausted { .. } => "memory_exhausted",
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
        why: crate::InvalidFault,
    },
    /// A fault added between `run_until` calls for a time the run has passed.
    FaultInPast {
        /// Position it would have had in the schedule.
        index: usize,
        /// When it was to happen.
        at: SimTime,
        /// Where the run is.
        now: SimTime,
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
            SimError::Fault { index, why } => write!(f, "fault #{index}: {why}"),
            SimError::FaultInPast { index, at, now } => write!(
                f,
                "fault #{index} at {at} is in the past: the run is already at {now}"
            ),
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
