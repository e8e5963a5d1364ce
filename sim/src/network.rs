//! The network: mechanism, no clock. Message transit comes from a [`Paths`] provider
//! (uniform by default, a topology from hasim-topologies later); on top of them the
//! engine applies faults: partitions as a group label per node, one-way cuts as a
//! sparse set, isolation, loss and latency spikes, and duplication.
//!
//! Cuts are checked when a message is sent: a message already on the wire when a
//! partition starts is delivered (it was past the cut). Reordering is a consequence of
//! per-message latency draws; there is no separate reordering knob.

use crate::dist::Distribution;
use crate::id::NodeId;
use crate::rng::Stream;
use crate::time::SimDuration;
use std::collections::BTreeSet;

/// A uniform path: one latency distribution and one loss probability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Path {
    /// One-way latency, drawn per message.
    pub latency: Distribution,
    /// Probability that a message is lost, in [0, 1].
    pub loss: f64,
}

impl Path {
    /// A lossless path with the given latency.
    pub const fn new(latency: Distribution) -> Self {
        Path { latency, loss: 0.0 }
    }
}

/// One message's way through the network: its sampled latency, and the loss
/// probability of the path it took.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transit {
    /// Latency drawn for this message (a multi-hop path sums its hops' draws).
    pub latency: SimDuration,
    /// Probability that the message is lost on this path, in [0, 1].
    pub loss: f64,
}

/// Supplies path properties. Implementations must be deterministic, draw only from
/// the stream they are given, and must not keep an N x N table for large N (cache per
/// source instead).
pub trait Paths {
    /// Samples one message from `source` to `target`, or `None` if no route exists.
    fn transit(&mut self, source: NodeId, target: NodeId, rng: &mut Stream) -> Option<Transit>;

    /// Takes the link between `a` and `b` down or up. Returns false if the provider
    /// has no such link, in which case the engine models it as a two-way cut.
    fn set_link(&mut self, a: NodeId, b: NodeId, up: bool) -> bool {
        let _ = (a, b, up);
        false
    }
}

/// The same path between every pair of nodes.
#[derive(Clone, Copy, Debug)]
pub struct UniformPaths(pub Path);

impl Paths for UniformPaths {
    #[inline]
    fn transit(&mut self, _: NodeId, _: NodeId, rng: &mut Stream) -> Option<Transit> {
        Some(Transit {
            latency: self.0.latency.sample(rng),
            loss: self.0.loss,
        })
    }
}

/// Why a message did not get through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// Random loss on the path (including loss spikes).
    Loss,
    /// The two nodes are in different partition groups, or one is isolated.
    Partition,
    /// A one-way cut or a downed link blocks this direction.
    Cut,
    /// The path provider has no route.
    NoRoute,
    /// The target was down when the message arrived.
    TargetDown,
    /// The target restarted since the message was sent.
    StaleIncarnation,
}

impl DropReason {
    /// Lower-case name for traces.
    pub const fn name(self) -> &'static str {
        match self {
            DropReason::Loss => "loss",
            DropReason::Partition => "partition",
            DropReason::Cut => "cut",
            DropReason::NoRoute => "no_route",
            DropReason::TargetDown => "target_down",
            DropReason::StaleIncarnation => "stale_incarnation",
        }
    }
}

/// The run's path provider. Uniform paths, the default and the common case, are
/// matched directly so that sampling inlines into the send path; any other provider
/// is called through a trait object. Both give the same draws from the same stream.
pub(crate) enum Provider {
    /// The same path between every pair of nodes (what `UniformPaths` does).
    Uniform(Path),
    /// A user's or a topology's provider.
    Custom(Box<dyn Paths>),
}

impl Provider {
    /// Inlined always, so that a uniform path's draw happens in the send itself.
    #[inline(always)]
    fn transit(&mut self, source: NodeId, target: NodeId, rng: &mut Stream) -> Option<Transit> {
        match self {
            Provider::Uniform(path) => Some(Transit {
                latency: path.latency.sample(rng),
                loss: path.loss,
            }),
            Provider::Custom(paths) => paths.transit(source, target, rng),
        }
    }

    fn set_link(&mut self, a: NodeId, b: NodeId, up: bool) -> bool {
        match self {
            Provider::Uniform(_) => false,
            Provider::Custom(paths) => paths.set_link(a, b, up),
        }
    }
}

/// The network state of a run.
pub(crate) struct Network {
    paths: Provider,
    /// Every message takes the same latency (uniform paths of constant latency), so
    /// deliveries are queued in time order and go on the queue's run (see the queue
    /// module). Kept in step with `paths` by `set_paths`.
    pub(crate) fixed_latency: bool,
    pub(crate) duplicate: f64,
    groups: Vec<u32>,
    isolated: Vec<bool>,
    cuts: BTreeSet<(NodeId, NodeId)>,
    spike_loss: Vec<f64>,
    spike_latency: Vec<SimDuration>,
    /// True when any partition, isolation, cut or spike is active: the fast path
    /// skips all of these checks otherwise.
    disturbed: bool,
}

impl Network {
    pub(crate) fn new(nodes: usize, paths: Provider, duplicate: f64) -> Self {
        Network {
            fixed_latency: Self::is_fixed(&paths),
            paths,
            duplicate,
            groups: vec![0; nodes],
            isolated: vec![false; nodes],
            cuts: BTreeSet::new(),
            spike_loss: vec![0.0; nodes],
            spike_latency: vec![SimDuration::ZERO; nodes],
            disturbed: false,
        }
    }

    /// Replaces the path provider.
    pub(crate) fn set_paths(&mut self, paths: Provider) {
        self.fixed_latency = Self::is_fixed(&paths);
        self.paths = paths;
    }

    fn is_fixed(paths: &Provider) -> bool {
        matches!(
            paths,
            Provider::Uniform(Path {
                latency: Distribution::Constant { .. },
                ..
            })
        )
    }

    fn refresh(&mut self) {
        self.disturbed = self.groups.iter().any(|&g| g != 0)
            || self.isolated.iter().any(|&i| i)
            || !self.cuts.is_empty()
            || self.spike_loss.iter().any(|&l| l > 0.0)
            || self.spike_latency.iter().any(|l| !l.is_zero());
    }

    /// Decides the fate of one message: its latency, or why it is dropped. Inlined
    /// always: on the undisturbed path it is a draw and a loss check, per send.
    #[inline(always)]
    pub(crate) fn route(
        &mut self,
        source: NodeId,
        target: NodeId,
        rng: &mut Stream,
    ) -> Result<SimDuration, DropReason> {
        if self.disturbed {
            return self.route_disturbed(source, target, rng);
        }
        // No partition, cut or spike: the same steps as below with none of them
        // applying (no extra loss, no extra latency), in the same order of draws.
        let transit = self
            .paths
            .transit(source, target, rng)
            .ok_or(DropReason::NoRoute)?;
        if rng.chance(transit.loss) {
            return Err(DropReason::Loss);
        }
        Ok(transit.latency)
    }

    /// `route` while a partition, cut or spike is active.
    #[inline(never)]
    fn route_disturbed(
        &mut self,
        source: NodeId,
        target: NodeId,
        rng: &mut Stream,
    ) -> Result<SimDuration, DropReason> {
        let (s, t) = (source.index(), target.index());
        if self.disturbed && s != t {
            if self.isolated[s] || self.isolated[t] || self.groups[s] != self.groups[t] {
                return Err(DropReason::Partition);
            }
            if !self.cuts.is_empty() && self.cuts.contains(&(source, target)) {
                return Err(DropReason::Cut);
            }
        }
        let transit = self
            .paths
            .transit(source, target, rng)
            .ok_or(DropReason::NoRoute)?;
        let mut loss = transit.loss;
        let mut extra = SimDuration::ZERO;
        if self.disturbed {
            let spike = self.spike_loss[s].max(self.spike_loss[t]);
            loss = 1.0 - (1.0 - loss) * (1.0 - spike);
            extra = self.spike_latency[s].max(self.spike_latency[t]);
        }
        if rng.chance(loss) {
            return Err(DropReason::Loss);
        }
        Ok(transit.latency.saturating_add(extra))
    }

    pub(crate) fn partition(&mut self, groups: &[Vec<NodeId>]) {
        // A partition describes the whole split: nodes it does not list rejoin the
        // unlisted side, whatever an earlier partition made of them.
        self.groups.iter_mut().for_each(|g| *g = 0);
        for (label, group) in groups.iter().enumerate() {
            for n in group {
                self.groups[n.index()] = label as u32 + 1;
            }
        }
        self.refresh();
    }

    /// Ends the group partition. Isolation, one-way cuts and downed links have their
    /// own undo, so that a partition episode ending cannot end an overlapping one.
    pub(crate) fn heal(&mut self) {
        self.groups.iter_mut().for_each(|g| *g = 0);
        self.refresh();
    }

    pub(crate) fn set_isolated(&mut self, node: NodeId, isolated: bool) {
        self.isolated[node.index()] = isolated;
        self.refresh();
    }

    pub(crate) fn set_cut(&mut self, source: NodeId, target: NodeId, cut: bool) {
        if cut {
            self.cuts.insert((source, target));
        } else {
            self.cuts.remove(&(source, target));
        }
        self.refresh();
    }

    pub(crate) fn set_link(&mut self, a: NodeId, b: NodeId, up: bool) {
        if !self.paths.set_link(a, b, up) {
            self.set_cut(a, b, !up);
            self.set_cut(b, a, !up);
        }
    }

    /// Sets (Some) or keeps (None) the loss and latency spikes of `nodes` (all if empty).
    pub(crate) fn set_spike(
        &mut self,
        nodes: &[NodeId],
        loss: Option<f64>,
        latency: Option<SimDuration>,
    ) {
        let all: Vec<NodeId>;
        let nodes = if nodes.is_empty() {
            all = (0..self.groups.len() as u32).map(NodeId).collect();
            &all[..]
        } else {
            nodes
        };
        for n in nodes {
            if let Some(loss) = loss {
                self.spike_loss[n.index()] = loss;
            }
            if let Some(latency) = latency {
                self.spike_latency[n.index()] = latency;
            }
        }
        self.refresh();
    }
}
