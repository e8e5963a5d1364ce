//! The scenario's network resolved to paths: either a default latency and loss, with
//! per-zone and inter-zone overrides as a small zone-by-zone matrix (never node by
//! node, so large scenarios stay small), or a `[topology]` graph that routes each
//! message hop by hop.

use hasim_sim::{Distribution, NodeId, Path, Paths, Protocol, Sim, SimDuration, Stream, Transit};
use hasim_topologies::Topology;

/// The most zones a scenario may have: paths are a (zones + 1)² matrix per run, and
/// zone indices are u16.
pub const ZONES_MAX: usize = 1000;

/// The network of a scenario, resolved.
#[derive(Clone, Debug)]
pub struct Network {
    /// Latency and loss where no override applies.
    pub default: Path,
    /// Probability of duplicate delivery.
    pub duplicate: f64,
    /// Zone names; index `zones.len()` is "no zone".
    pub zones: Vec<String>,
    /// Each node's zone index.
    pub zone_of: Vec<u16>,
    /// Overrides: (zone a, zone b) → path, both directions stored.
    pub overrides: Vec<((u16, u16), Path)>,
    /// The `[topology]` graph, built over the scenario's nodes. When present it gives
    /// every path (latency and loss) and the fields above other than `duplicate` are
    /// unused.
    pub topology: Option<Topology>,
}

impl Network {
    /// A network with the default path everywhere.
    pub fn uniform(nodes: usize) -> Self {
        Network {
            default: Path::new(Distribution::constant(SimDuration::from_millis(1))),
            duplicate: 0.0,
            zones: Vec::new(),
            zone_of: vec![0; nodes],
            overrides: Vec::new(),
            topology: None,
        }
    }

    /// Hands the paths to the engine: a fresh copy of the topology (its route cache
    /// and link states start clean every run), or the zone matrix.
    pub fn install<P: Protocol>(&self, sim: &mut Sim<P>) {
        match &self.topology {
            Some(topology) => sim.paths(topology.clone()),
            None => sim.paths(self.paths()),
        };
    }

    /// The path provider for the engine.
    pub fn paths(&self) -> ZonePaths {
        let size = self.zones.len() + 1;
        let mut matrix = vec![self.default; size * size];
        for &((a, b), path) in &self.overrides {
            matrix[a as usize * size + b as usize] = path;
            matrix[b as usize * size + a as usize] = path;
        }
        ZonePaths {
            zone_of: self.zone_of.clone(),
            size,
            matrix,
        }
    }
}

/// Paths from a zone-by-zone matrix.
#[derive(Clone, Debug)]
pub struct ZonePaths {
    zone_of: Vec<u16>,
    size: usize,
    matrix: Vec<Path>,
}

impl Paths for ZonePaths {
    #[inline]
    fn transit(&mut self, source: NodeId, target: NodeId, rng: &mut Stream) -> Option<Transit> {
        let a = self.zone_of[source.index()] as usize;
        let b = self.zone_of[target.index()] as usize;
        let path = &self.matrix[a * self.size + b];
        Some(Transit {
            latency: path.latency.sample(rng),
            loss: path.loss,
        })
    }
}
