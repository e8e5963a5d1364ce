//! Identifiers: nodes, incarnations and timers are newtypes, never bare integers.

use core::fmt;
use serde::{Deserialize, Serialize};

/// A node of the simulated system: an index into every per-node table.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The index of this node in per-node vectors.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n{}", self.0)
    }
}
impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n{}", self.0)
    }
}

/// How many times a node has been started. A crash ends an incarnation; a restart
/// begins the next one. Messages sent to an earlier incarnation are never delivered
/// to a later one.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Incarnation(pub u32);

impl fmt::Display for Incarnation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A handle to a pending timer, returned by `Ctx::set_timer` and accepted by
/// `Ctx::cancel_timer`. Cancelling a timer that already fired, or that belonged to an
/// earlier incarnation, does nothing.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TimerId {
    pub(crate) slot: u32,
    pub(crate) generation: u32,
}
