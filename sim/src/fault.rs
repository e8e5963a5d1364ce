//! Faults: policy, separate from the mechanisms that carry them out.
//!
//! A run's faults are always a concrete, time-ordered list of instantaneous changes
//! ([`ScheduledFault`]). Things that last ("crash for 10 s", "partition for 5 s") are
//! two entries: the change and its undoing. The random [`generator`](crate::generator)
//! expands into such a list before the run, so every run has a schedule that can be
//! printed, edited, replayed and shrunk.

use crate::id::NodeId;
use crate::time::{SimDuration, SimTime};
use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A signed span, for clock jumps ("-500ms" steps a clock back).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct SignedDuration(pub i64);

impl SignedDuration {
    /// Parses "250ms", "+1s" or "-2s".
    pub fn parse(text: &str) -> Result<Self, crate::time::DurationError> {
        let t = text.trim();
        let (negative, rest) = match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let d = SimDuration::parse(rest)?;
        let nanos = i64::try_from(d.as_nanos()).map_err(|_| crate::time::DurationError {
            text: text.to_string(),
            expected: "a jump under 292 years",
        })?;
        Ok(SignedDuration(if negative { -nanos } else { nanos }))
    }
}

impl fmt::Display for SignedDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 0 {
            write!(f, "-{}", SimDuration::from_nanos(self.0.unsigned_abs()))
        } else {
            write!(f, "{}", SimDuration::from_nanos(self.0 as u64))
        }
    }
}

impl Serialize for SignedDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for SignedDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        SignedDuration::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// One instantaneous change to the simulated world.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// The node stops: volatile state, timers and in-flight messages to it are lost.
    Crash {
        /// The node it happens to.
        node: NodeId,
    },
    /// A crashed node starts again from its durable state, as a new incarnation.
    Restart {
        /// The node it happens to.
        node: NodeId,
    },
    /// The node freezes: nothing runs, timers and messages wait.
    Pause {
        /// The node it happens to.
        node: NodeId,
    },
    /// A paused node thaws; what waited arrives as a backlog, in order.
    Resume {
        /// The node it happens to.
        node: NodeId,
    },
    /// Splits the nodes: each listed group can talk only within itself; unlisted nodes
    /// form one more group.
    Partition {
        /// The groups; nodes in no group form one more.
        groups: Vec<Vec<NodeId>>,
    },
    /// Ends the group partition. Isolation, one-way cuts and downed links are left
    /// alone: each has its own undo (rejoin, uncut, link_up).
    Heal,
    /// Cuts one node off from all others, both ways.
    Isolate {
        /// The node it happens to.
        node: NodeId,
    },
    /// Ends an isolation.
    Rejoin {
        /// The node it happens to.
        node: NodeId,
    },
    /// Blocks messages from `source` to `target` only.
    Cut {
        /// Sending side of the blocked direction.
        source: NodeId,
        /// Receiving side of the blocked direction.
        target: NodeId,
    },
    /// Ends a one-way cut.
    Uncut {
        /// Sending side of the blocked direction.
        source: NodeId,
        /// Receiving side of the blocked direction.
        target: NodeId,
    },
    /// Takes the link between two nodes down (a topology may reroute around it).
    LinkDown {
        /// One end of the link.
        a: NodeId,
        /// The other end of the link.
        b: NodeId,
    },
    /// Brings a link back up.
    LinkUp {
        /// One end of the link.
        a: NodeId,
        /// The other end of the link.
        b: NodeId,
    },
    /// Extra loss on every message to or from the nodes (all nodes if empty).
    LossSpike {
        /// The nodes affected; empty means all.
        #[serde(default)]
        nodes: Vec<NodeId>,
        /// Extra loss probability, in [0, 1].
        loss: f64,
    },
    /// Extra latency on every message to or from the nodes (all nodes if empty).
    LatencySpike {
        /// The nodes affected; empty means all.
        #[serde(default)]
        nodes: Vec<NodeId>,
        /// Extra one-way latency.
        extra: SimDuration,
    },
    /// Ends loss and latency spikes on the nodes (all nodes if empty).
    SpikeEnd {
        /// The nodes affected; empty means all.
        #[serde(default)]
        nodes: Vec<NodeId>,
    },
    /// Steps a node's clock forwards or backwards.
    ClockJump {
        /// The node it happens to.
        node: NodeId,
        /// How far: positive steps forward, negative back.
        by: SignedDuration,
    },
    /// Sets a node's clock drift, in parts per million (positive: runs fast).
    ClockDrift {
        /// The node it happens to.
        node: NodeId,
        /// Parts per million; positive runs fast.
        ppm: f64,
    },
    /// A disk fault: unsynced writes are lost at the next crash, and/or every synced
    /// write blocks the node for `write_delay`.
    DiskFault {
        /// The node it happens to.
        node: NodeId,
        /// Whether a crash loses writes not yet synced.
        #[serde(default)]
        lose_unsynced: bool,
        /// How long each synced write blocks the node.
        #[serde(default)]
        write_delay: SimDuration,
    },
    /// Ends a disk fault.
    DiskHeal {
        /// The node it happens to.
        node: NodeId,
    },
}

impl Fault {
    /// The nodes a fault names, for validation against the node count.
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            Fault::Crash { node }
            | Fault::Restart { node }
            | Fault::Pause { node }
            | Fault::Resume { node }
            | Fault::Isolate { node }
            | Fault::Rejoin { node }
            | Fault::ClockJump { node, .. }
            | Fault::ClockDrift { node, .. }
            | Fault::DiskFault { node, .. }
            | Fault::DiskHeal { node } => vec![*node],
            Fault::Partition { groups } => groups.iter().flatten().copied().collect(),
            Fault::Heal => vec![],
            Fault::Cut { source, target } | Fault::Uncut { source, target } => {
                vec![*source, *target]
            }
            Fault::LinkDown { a, b } | Fault::LinkUp { a, b } => vec![*a, *b],
            Fault::LossSpike { nodes, .. }
            | Fault::LatencySpike { nodes, .. }
            | Fault::SpikeEnd { nodes } => nodes.clone(),
        }
    }

    /// The snake-case kind name, as in scenario files.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Crash { .. } => "crash",
            Fault::Restart { .. } => "restart",
            Fault::Pause { .. } => "pause",
            Fault::Resume { .. } => "resume",
            Fault::Partition { .. } => "partition",
            Fault::Heal => "heal",
            Fault::Isolate { .. } => "isolate",
            Fault::Rejoin { .. } => "rejoin",
            Fault::Cut { .. } => "cut",
            Fault::Uncut { .. } => "uncut",
            Fault::LinkDown { .. } => "link_down",
            Fault::LinkUp { .. } => "link_up",
            Fault::LossSpike { .. } => "loss_spike",
            Fault::LatencySpike { .. } => "latency_spike",
            Fault::SpikeEnd { .. } => "spike_end",
            Fault::ClockJump { .. } => "clock_jump",
            Fault::ClockDrift { .. } => "clock_drift",
            Fault::DiskFault { .. } => "disk_fault",
            Fault::DiskHeal { .. } => "disk_heal",
        }
    }

    /// Validates values that the type does not constrain.
    pub fn validate(&self, node_count: u32) -> Result<(), InvalidFault> {
        if let Some(n) = self.nodes().into_iter().find(|n| n.0 >= node_count) {
            return Err(InvalidFault::NoSuchNode {
                kind: self.kind(),
                node: n,
                nodes: node_count,
            });
        }
        match self {
            Fault::LossSpike { loss, .. } if !(0.0..=1.0).contains(loss) => {
                Err(InvalidFault::Loss { loss: *loss })
            }
            Fault::ClockDrift { ppm, .. } if !(ppm.is_finite() && *ppm > -1e6) => {
                Err(InvalidFault::Drift { ppm: *ppm })
            }
            _ => Ok(()),
        }
    }
}

/// A fault the engine cannot apply.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum InvalidFault {
    /// It names a node the run does not have.
    NoSuchNode {
        /// The fault's kind.
        kind: &'static str,
        /// The node it names.
        node: NodeId,
        /// How many nodes the run has.
        nodes: u32,
    },
    /// A loss spike's loss is not a probability.
    Loss {
        /// The loss given.
        loss: f64,
    },
    /// A clock drift that would stop or reverse the clock.
    Drift {
        /// The drift given, in parts per million.
        ppm: f64,
    },
}

impl fmt::Display for InvalidFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidFault::NoSuchNode { kind, node, nodes } => {
                write!(
                    f,
                    "{kind} names node {} but the run has {nodes} nodes",
                    node.0
                )
            }
            InvalidFault::Loss { loss } => {
                write!(f, "loss_spike: loss {loss} is not a probability in [0, 1]")
            }
            InvalidFault::Drift { ppm } => {
                write!(
                    f,
                    "clock_drift: ppm {ppm} must be finite and above -1000000"
                )
            }
        }
    }
}

impl std::error::Error for InvalidFault {}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |nodes: &[NodeId]| {
            if nodes.is_empty() {
                "all".to_string()
            } else {
                nodes
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            }
        };
        match self {
            Fault::Partition { groups } => {
                let g: Vec<String> = groups.iter().map(|g| format!("[{}]", list(g))).collect();
                write!(f, "partition {}", g.join(" | "))
            }
            Fault::Heal => f.write_str("heal"),
            Fault::Cut { source, target } | Fault::Uncut { source, target } => {
                write!(f, "{} {source}->{target}", self.kind())
            }
            Fault::LinkDown { a, b } | Fault::LinkUp { a, b } => {
                write!(f, "{} {a}-{b}", self.kind())
            }
            Fault::LossSpike { nodes, loss } => write!(f, "loss_spike {} loss={loss}", list(nodes)),
            Fault::LatencySpike { nodes, extra } => {
                write!(f, "latency_spike {} extra={extra}", list(nodes))
            }
            Fault::SpikeEnd { nodes } => write!(f, "spike_end {}", list(nodes)),
            Fault::ClockJump { node, by } => write!(f, "clock_jump {node} by={by}"),
            Fault::ClockDrift { node, ppm } => write!(f, "clock_drift {node} ppm={ppm}"),
            Fault::DiskFault {
                node,
                lose_unsynced,
                write_delay,
            } => {
                write!(
                    f,
                    "disk_fault {node} lose_unsynced={lose_unsynced} write_delay={write_delay}"
                )
            }
            Fault::Crash { node }
            | Fault::Restart { node }
            | Fault::Pause { node }
            | Fault::Resume { node }
            | Fault::Isolate { node }
            | Fault::Rejoin { node }
            | Fault::DiskHeal { node } => write!(f, "{} {node}", self.kind()),
        }
    }
}

/// A fault at a global instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledFault {
    /// When it happens (global simulated time).
    pub at: SimTime,
    /// What happens.
    pub fault: Fault,
}

impl fmt::Display for ScheduledFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>14}  {}", self.at.to_string(), self.fault)
    }
}

/// Sorts a schedule by time, keeping the given order among equal times.
pub fn sort_schedule(schedule: &mut [ScheduledFault]) {
    schedule.sort_by_key(|f| f.at);
}
