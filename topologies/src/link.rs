//! The elements of a topology graph: vertices (hosts and switches), the links between
//! them, and how a scenario or a fault names either end of a link.

use crate::error::TopologyError;
use core::fmt;
use hasim_sim::{Distribution, NodeId};
use serde::{Deserialize, Serialize};

/// A vertex of the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Vertex {
    /// A simulated node: it runs a protocol and sends and receives messages.
    Host(NodeId),
    /// A switch or router: it only forwards. Named, so faults can target it.
    Switch(String),
}

/// One end of a link as a scenario writes it: an integer is a host (its `NodeId`
/// index), a string is a switch name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Endpoint {
    /// A host, by its index in `NodeId` order.
    Host(u32),
    /// A switch, by name.
    Switch(String),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Host(h) => write!(f, "host {h}"),
            Endpoint::Switch(s) => write!(f, "switch \"{s}\""),
        }
    }
}

/// A link between two vertices: a latency drawn per message and hop, a loss
/// probability, and whether a fault has taken it down.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    latency: Distribution,
    loss: f64,
    /// Mean latency in nanoseconds: the routing weight. Cached because routing reads
    /// it on every relaxation and some means need a gamma function.
    weight: u64,
    up: bool,
}

/// Routing weights are capped so that summing a path's weights cannot overflow; a
/// link slower than about eleven days on average is routed as if it were that slow.
const MAX_WEIGHT: u64 = 1 << 50;

impl Link {
    /// An up link. Loss is clamped to [0, 1]. A distribution without a finite mean (a
    /// Pareto with shape <= 1) routes as the slowest possible link; specs reject both
    /// before they get here.
    pub fn new(latency: Distribution, loss: f64) -> Self {
        let mean = latency.mean_secs() * 1e9;
        let weight = if mean.is_finite() && mean >= 0.0 {
            (mean.round() as u64).min(MAX_WEIGHT)
        } else {
            MAX_WEIGHT
        };
        Link {
            latency,
            loss: loss.clamp(0.0, 1.0),
            weight,
            up: true,
        }
    }

    /// The latency distribution of one traversal.
    pub fn latency(&self) -> &Distribution {
        &self.latency
    }

    /// The probability that a message is lost on this link.
    pub fn loss(&self) -> f64 {
        self.loss
    }

    /// The mean latency in nanoseconds, which routing minimises.
    pub fn mean_nanos(&self) -> u64 {
        self.weight
    }

    /// False while a fault holds the link down.
    pub fn is_up(&self) -> bool {
        self.up
    }

    pub(crate) fn set_up(&mut self, up: bool) -> bool {
        let changed = self.up != up;
        self.up = up;
        changed
    }
}

/// Checks a link's parameters; `field` names it in the error.
pub(crate) fn check_link(
    field: &str,
    latency: &Distribution,
    loss: f64,
) -> Result<(), TopologyError> {
    latency.validate().map_err(|e| TopologyError::BadLatency {
        field: field.to_string(),
        reason: e.to_string(),
    })?;
    if !latency.mean_secs().is_finite() {
        return Err(TopologyError::BadLatency {
            field: field.to_string(),
            reason:
                "the distribution has no finite mean (a pareto needs shape > 1); routing needs one"
                    .to_string(),
        });
    }
    if !(0.0..=1.0).contains(&loss) {
        return Err(TopologyError::BadLoss {
            field: field.to_string(),
            value: loss,
        });
    }
    Ok(())
}
