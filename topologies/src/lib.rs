//! # hasim-topologies: network graphs and routing for hasim
//!
//! A [`Topology`] is a petgraph graph whose vertices are hosts (the simulated nodes,
//! `NodeId` 0..n in order) and switches (forwarders, not simulated), and whose edges
//! are [`Link`]s with a latency distribution and a loss probability. It implements the
//! engine's [`Paths`](hasim_sim::Paths): a message between two hosts follows the
//! shortest path by mean latency, samples every hop's latency from the run's stream,
//! and is lost with probability 1 − Π(1 − loss_i). Links and switches fail and
//! recover; traffic reroutes or finds no route. Routes are cached per source and
//! computed over the switch core only, so a 10,000-host zones topology never builds
//! an N x N table. A scenario describes a topology with a [`TopologySpec`] (its
//! `[topology]` table), places its hosts with [`TopologySpec::place`], and partitions
//! by region, zone or rack with [`Topology::split_off`] and [`Topology::partition_by`].
//!
//! ```
//! use hasim_topologies::{Level, TopologySpec};
//! let spec: TopologySpec = toml::from_str(r#"
//!     kind = "zones"
//!     zones = ["a", "b", "c"]
//!     racks = 2
//! "#).unwrap();
//! let mut topology = spec.build_spread(6).unwrap();
//! assert_eq!(topology.partition_by(Level::Zone).len(), 3);
//! let route = topology.route(hasim_sim::NodeId(0), hasim_sim::NodeId(1)).unwrap();
//! assert_eq!(route.hops(), 5); // host, rack a/r0, zone a, zone b, rack b/r0, host
//! ```
//!
//! ## Map of the modules
//! - `spec`: [`TopologySpec`] and one serde struct per kind, defaults, `validate`.
//! - `place`: [`TopologySpec::place`], hosts to zones and racks round-robin.
//! - `build`: the builders (mesh, star, ring, tree, zones, edges).
//! - `topology`: [`Topology`], its elements and its faults (links, switches, access).
//! - `link`: [`Vertex`], [`Link`], [`Endpoint`].
//! - `routing`: shortest paths, the per-source cache, [`Route`], `Paths` for the engine.
//! - `location`: [`Location`], [`Level`], [`Scope`], [`Site`], [`Placement`].
//! - `partition`: host groups per region, zone or rack.
//! - `shared`: [`SharedTopology`], for switch faults during a run.
//! - `probability`: loss written as `0.001`, `"1/1000"` or `"0.1%"`.
//! - [`catalog`]: the kinds, their parameters and defaults, as data for `hasim list`.
//! - `error`: [`TopologyError`].

mod build;
pub mod catalog;
mod error;
mod link;
mod location;
mod partition;
mod place;
pub mod probability;
mod routing;
mod shared;
mod spec;
mod topology;

pub use error::TopologyError;
pub use link::{Endpoint, Link, Vertex};
pub use location::{Level, Location, Placement, Scope, Site};
pub use routing::{Route, DEFAULT_CACHE_BUDGET};
pub use shared::SharedTopology;
pub use spec::{
    EdgeSpec, EdgesSpec, LinkSpec, RegionSpec, TopologySpec, TreeSpec, ZonesSpec, MAX_HOSTS,
    MAX_MESH_HOSTS, MAX_RACKS, MAX_RING_HOSTS, MAX_TREE_LEAVES, MAX_ZONES,
};
pub use topology::Topology;
