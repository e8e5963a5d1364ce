//! `Topology`: the petgraph graph of hosts and switches joined by links, the location
//! of each host, and the faults that take links and switches down. Routing over it
//! lives in `routing`; the host groups of each zone in `partition`.
//!
//! ## Faults, and which one the engine can reach
//! - [`Paths::set_link`](hasim_sim::Paths::set_link)`(a, b)` — the engine's
//!   `link_down`/`link_up` faults — takes the direct link between hosts `a` and `b`
//!   down, so traffic reroutes (mesh, ring, and host–host edges in custom lists). With
//!   `a == b` it takes host `a`'s access links (its links to switches) down, cutting the
//!   host off the network. Where no such link exists it returns false and the engine
//!   falls back to a two-way cut between `a` and `b`.
//! - [`Topology::set_switch`], [`Topology::set_switch_link`], [`Topology::set_edge`]
//!   and [`Topology::set_access`] fail switches and arbitrary links. The engine has no
//!   fault that names a switch, so a runner applies these between `Sim::run_until`
//!   steps through a [`SharedTopology`](crate::SharedTopology).
//!
//! Every change that alters the up/down state drops the route cache.

use crate::error::TopologyError;
use crate::link::{Endpoint, Link, Vertex};
use crate::location::{Layout, Location};
use crate::routing::Routes;
use hasim_sim::{Distribution, NodeId};
use petgraph::graph::{EdgeIndex, NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;
use std::collections::BTreeMap;

/// A network: hosts (the simulated nodes, `NodeId` 0..n in order) and switches,
/// joined by links. It implements [`hasim_sim::Paths`], so it can be handed to
/// `Sim::paths`.
#[derive(Clone, Debug)]
pub struct Topology {
    pub(crate) graph: UnGraph<Vertex, Link>,
    pub(crate) hosts: Vec<NodeIndex>,
    switches: BTreeMap<String, NodeIndex>,
    /// Per vertex: held down by a switch fault. Hosts are never down here; a host
    /// failure is the engine's crash.
    pub(crate) down: Vec<bool>,
    pub(crate) locations: Vec<Location>,
    pub(crate) layout: Layout,
    pub(crate) routes: Routes,
}

impl Default for Topology {
    fn default() -> Self {
        Topology::new()
    }
}

impl Topology {
    /// An empty topology; add hosts, switches and links to it.
    pub fn new() -> Self {
        Topology {
            graph: UnGraph::default(),
            hosts: Vec::new(),
            switches: BTreeMap::new(),
            down: Vec::new(),
            locations: Vec::new(),
            layout: Layout::default(),
            routes: Routes::default(),
        }
    }

    /// Adds the next host and returns its id (hosts are numbered in the order added).
    pub fn add_host(&mut self) -> NodeId {
        let id = NodeId(self.hosts.len() as u32);
        self.hosts.push(self.graph.add_node(Vertex::Host(id)));
        self.down.push(false);
        self.locations.push(Location::default());
        self.routes.reshape();
        id
    }

    /// Adds a switch; switch names are unique.
    pub fn add_switch(&mut self, name: &str) -> Result<(), TopologyError> {
        if self.switches.contains_key(name) {
            return Err(TopologyError::DuplicateName {
                what: "switch",
                name: name.to_string(),
            });
        }
        let v = self.graph.add_node(Vertex::Switch(name.to_string()));
        self.switches.insert(name.to_string(), v);
        self.down.push(false);
        self.routes.reshape();
        Ok(())
    }

    /// Joins two existing elements with a link. Self-links and a second link between
    /// the same pair are rejected, so a pair names at most one link.
    pub fn add_link(
        &mut self,
        a: &Endpoint,
        b: &Endpoint,
        latency: Distribution,
        loss: f64,
    ) -> Result<(), TopologyError> {
        let (va, vb) = (self.vertex(a)?, self.vertex(b)?);
        if va == vb {
            return Err(TopologyError::SelfLink {
                index: None,
                endpoint: a.to_string(),
            });
        }
        if self.graph.find_edge(va, vb).is_some() {
            return Err(TopologyError::DuplicateLink {
                a: a.to_string(),
                b: b.to_string(),
            });
        }
        self.graph.add_edge(va, vb, Link::new(latency, loss));
        self.routes.reshape();
        Ok(())
    }

    /// Adds a link between vertices the builders know to be new and distinct.
    pub(crate) fn join(&mut self, a: NodeIndex, b: NodeIndex, latency: Distribution, loss: f64) {
        debug_assert!(a != b && self.graph.find_edge(a, b).is_none());
        self.graph.add_edge(a, b, Link::new(latency, loss));
        self.routes.reshape();
    }

    pub(crate) fn switch_index(&self, name: &str) -> Option<NodeIndex> {
        self.switches.get(name).copied()
    }

    fn vertex(&self, e: &Endpoint) -> Result<NodeIndex, TopologyError> {
        match e {
            Endpoint::Host(h) => self
                .hosts
                .get(*h as usize)
                .copied()
                .ok_or(TopologyError::UnknownHost { host: *h }),
            Endpoint::Switch(name) => self
                .switch_index(name)
                .ok_or_else(|| TopologyError::UnknownSwitch { name: name.clone() }),
        }
    }

    /// The number of hosts (simulated nodes).
    pub fn host_count(&self) -> usize {
        self.hosts.len()
    }

    /// The number of switches.
    pub fn switch_count(&self) -> usize {
        self.switches.len()
    }

    /// The number of links.
    pub fn link_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Switch names, sorted.
    pub fn switches(&self) -> impl Iterator<Item = &str> {
        self.switches.keys().map(String::as_str)
    }

    /// The underlying graph, for inspection (vertex and edge order is the build order).
    pub fn graph(&self) -> &UnGraph<Vertex, Link> {
        &self.graph
    }

    /// Where `host` is. Hosts of kinds without levels have an empty location.
    pub fn location(&self, host: NodeId) -> Option<&Location> {
        self.locations.get(host.index())
    }

    pub(crate) fn set_location(&mut self, host: NodeId, location: Location) {
        self.locations[host.index()] = location;
    }

    /// The link joining two elements, if any.
    pub fn link(&self, a: &Endpoint, b: &Endpoint) -> Option<&Link> {
        let e = self
            .graph
            .find_edge(self.vertex(a).ok()?, self.vertex(b).ok()?)?;
        self.graph.edge_weight(e)
    }

    /// Takes the link between two elements down or brings it up.
    pub fn set_edge(&mut self, a: &Endpoint, b: &Endpoint, up: bool) -> Result<(), TopologyError> {
        let e = self
            .graph
            .find_edge(self.vertex(a)?, self.vertex(b)?)
            .ok_or_else(|| TopologyError::NoSuchLink {
                a: a.to_string(),
                b: b.to_string(),
            })?;
        self.set_edge_index(e, up);
        Ok(())
    }

    /// Takes the link between two named switches down or brings it up.
    pub fn set_switch_link(&mut self, a: &str, b: &str, up: bool) -> Result<(), TopologyError> {
        self.set_edge(
            &Endpoint::Switch(a.to_string()),
            &Endpoint::Switch(b.to_string()),
            up,
        )
    }

    /// Fails or restores a switch: a down switch forwards nothing, so hosts behind it
    /// are cut off and paths through it reroute. Its links keep their own state.
    pub fn set_switch(&mut self, name: &str, up: bool) -> Result<(), TopologyError> {
        let v = self
            .switch_index(name)
            .ok_or_else(|| TopologyError::UnknownSwitch {
                name: name.to_string(),
            })?;
        if self.down[v.index()] == up {
            self.down[v.index()] = !up;
            self.routes.invalidate();
        }
        Ok(())
    }

    /// Takes every link from `host` to a switch (its access links) down or up.
    /// Returns false when the host has none (mesh and ring hosts link to hosts).
    pub fn set_access(&mut self, host: NodeId, up: bool) -> bool {
        let Some(&v) = self.hosts.get(host.index()) else {
            return false;
        };
        let access: Vec<EdgeIndex> = self
            .graph
            .edges(v)
            .filter(|e| matches!(self.graph[e.target()], Vertex::Switch(_)))
            .map(|e| e.id())
            .collect();
        for &e in &access {
            self.set_edge_index(e, up);
        }
        !access.is_empty()
    }

    /// Brings every link and switch back up.
    pub fn restore(&mut self) {
        for link in self.graph.edge_weights_mut() {
            link.set_up(true);
        }
        self.down.iter_mut().for_each(|d| *d = false);
        self.routes.invalidate();
    }

    fn set_edge_index(&mut self, e: EdgeIndex, up: bool) {
        if self.graph[e].set_up(up) {
            self.routes.invalidate();
        }
    }

    /// The engine's `set_link` (see the module comment): a direct host–host link, or
    /// with `a == b` the host's access links.
    pub(crate) fn set_host_link(&mut self, a: NodeId, b: NodeId, up: bool) -> bool {
        if a == b {
            return self.set_access(a, up);
        }
        let (Some(&va), Some(&vb)) = (self.hosts.get(a.index()), self.hosts.get(b.index())) else {
            return false;
        };
        match self.graph.find_edge(va, vb) {
            Some(e) => {
                self.set_edge_index(e, up);
                true
            }
            None => false,
        }
    }
}
