//! Routing: the shortest path between two hosts, and `Paths` for the engine.
//!
//! A path is shortest by the sum of its links' mean latencies (integer nanoseconds);
//! ties go to fewer hops, then to whichever route Dijkstra settles first, which is
//! fixed by vertex and edge order. Each message samples every hop's latency from the
//! run's stream, in order from source to target, and the path's loss is
//! 1 − Π(1 − loss_i).
//!
//! ## Why this scales
//! A *leaf host* — one whose only link goes to a switch, as in star, tree and zones
//! topologies — can never carry transit traffic, so routing runs Dijkstra over the
//! *core* only (switches and the other hosts) and adds the two access links at the
//! ends. Shortest-path trees are cached per source core vertex, lazily: a 10,000-host
//! zones topology with 100 racks keeps at most ~110 trees of ~110 entries, never an
//! N x N table. A cache budget (in tree entries) bounds the rest (a large ring or
//! mesh, whose hosts are all core): past it the cache is dropped and refilled, which
//! changes speed only, never a result. Any up/down change drops the cache.

use crate::link::{Endpoint, Vertex};
use crate::topology::Topology;
use core::cmp::Reverse;
use hasim_sim::{NodeId, Paths, SimDuration, Stream, Transit};
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::BinaryHeap;

const NONE: u32 = u32::MAX;

/// The default cache budget: 4 Mi tree entries, 16 bytes each (64 MiB).
pub const DEFAULT_CACHE_BUDGET: usize = 4 << 20;

/// Route cost: summed mean latency in nanoseconds, then hop count.
type Cost = (u64, u32);

/// One single-source shortest-path tree over the core.
#[derive(Clone, Debug)]
struct Tree {
    cost: Vec<Cost>,
    /// The edge by which each core vertex is reached (NONE: the source or unreachable).
    via: Vec<u32>,
}

/// How a host joins the core: the core slot it reaches (itself, or its switch) and,
/// for a leaf host, the access link it crosses first.
#[derive(Clone, Copy, Debug)]
struct Entry {
    slot: u32,
    access: Option<EdgeIndex>,
}

/// The routing state of a topology: the core, and the lazily filled per-source cache.
#[derive(Clone, Debug)]
pub(crate) struct Routes {
    /// False after a structural change: the core must be recomputed.
    shaped: bool,
    slot_of: Vec<u32>,
    core: Vec<NodeIndex>,
    entries: Vec<Entry>,
    trees: Vec<Option<Box<Tree>>>,
    cached_entries: usize,
    budget: usize,
    scratch: Vec<EdgeIndex>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes {
            shaped: false,
            slot_of: Vec::new(),
            core: Vec::new(),
            entries: Vec::new(),
            trees: Vec::new(),
            cached_entries: 0,
            budget: DEFAULT_CACHE_BUDGET,
            scratch: Vec::new(),
        }
    }
}

impl Routes {
    /// The graph's shape changed (a vertex or link was added).
    /// Cheap when already unshaped, so builders may call it once per link.
    pub(crate) fn reshape(&mut self) {
        if self.shaped {
            self.shaped = false;
            self.trees.clear();
            self.cached_entries = 0;
        }
    }

    /// An up/down state changed: every cached tree may be wrong.
    pub(crate) fn invalidate(&mut self) {
        self.trees.iter_mut().for_each(|t| *t = None);
        self.cached_entries = 0;
    }
}

/// The route between two hosts, for inspection and tests.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Every element along the way, source and target included.
    pub elements: Vec<Endpoint>,
    /// The sum of the links' mean latencies.
    pub mean_latency: SimDuration,
    /// The compounded loss probability, 1 − Π(1 − loss_i).
    pub loss: f64,
}

impl Route {
    /// The number of links crossed.
    pub fn hops(&self) -> usize {
        self.elements.len().saturating_sub(1)
    }
}

impl Topology {
    /// Sets the route cache budget, in tree entries (one per core vertex per cached
    /// source). Drops the cache.
    pub fn set_cache_budget(&mut self, entries: usize) {
        self.routes.budget = entries.max(1);
        self.routes.invalidate();
    }

    /// How many sources have a cached shortest-path tree.
    pub fn cached_sources(&self) -> usize {
        self.routes.trees.iter().filter(|t| t.is_some()).count()
    }

    /// How many tree entries the cache holds (the measure the budget bounds).
    pub fn cached_entries(&self) -> usize {
        self.routes.cached_entries
    }

    /// The number of core vertices routing runs over (switches and non-leaf hosts).
    pub fn core_size(&mut self) -> usize {
        self.shape();
        self.routes.core.len()
    }

    /// The current shortest route from `source` to `target`, or `None` if no route
    /// is up. A host's route to itself is empty.
    pub fn route(&mut self, source: NodeId, target: NodeId) -> Option<Route> {
        self.trace_route(source, target)?;
        let mut at = self.hosts[source.index()];
        let mut elements = vec![self.endpoint(at)];
        let (mut mean, mut keep) = (0u64, 1.0);
        for &e in &self.routes.scratch {
            let (x, y) = self.graph.edge_endpoints(e)?;
            at = if x == at { y } else { x };
            elements.push(self.endpoint(at));
            mean = mean.saturating_add(self.graph[e].mean_nanos());
            keep *= 1.0 - self.graph[e].loss();
        }
        Some(Route {
            elements,
            mean_latency: SimDuration::from_nanos(mean),
            loss: 1.0 - keep,
        })
    }

    fn endpoint(&self, v: NodeIndex) -> Endpoint {
        match &self.graph[v] {
            Vertex::Host(h) => Endpoint::Host(h.0),
            Vertex::Switch(s) => Endpoint::Switch(s.clone()),
        }
    }

    /// Classifies hosts as leaf or core and numbers the core, after a shape change.
    fn shape(&mut self) {
        if self.routes.shaped {
            return;
        }
        let graph = &self.graph;
        let leaf_access = |v: NodeIndex| -> Option<EdgeIndex> {
            let mut edges = graph.edges(v);
            let first = edges.next()?;
            let is_switch = matches!(graph[first.target()], Vertex::Switch(_));
            (edges.next().is_none() && is_switch).then(|| first.id())
        };
        let mut slot_of = vec![NONE; graph.node_count()];
        let mut core = Vec::new();
        let mut access = vec![None; self.hosts.len()];
        for v in graph.node_indices() {
            match graph[v] {
                Vertex::Host(h) if leaf_access(v).is_some() => access[h.index()] = leaf_access(v),
                _ => {
                    slot_of[v.index()] = core.len() as u32;
                    core.push(v);
                }
            }
        }
        let entries = self
            .hosts
            .iter()
            .zip(access)
            .map(|(&v, access)| {
                let at = match access {
                    Some(e) => {
                        let (x, y) = graph.edge_endpoints(e).expect("access link exists");
                        if x == v {
                            y
                        } else {
                            x
                        }
                    }
                    None => v,
                };
                Entry {
                    slot: slot_of[at.index()],
                    access,
                }
            })
            .collect();
        let routes = &mut self.routes;
        routes.trees = vec![None; core.len()];
        routes.cached_entries = 0;
        routes.slot_of = slot_of;
        routes.core = core;
        routes.entries = entries;
        routes.shaped = true;
    }

    /// Fills `routes.scratch` with the links from `source` to `target`, in order.
    /// Returns `None` when no route is up.
    fn trace_route(&mut self, source: NodeId, target: NodeId) -> Option<()> {
        self.shape();
        let (s, t) = (
            *self.routes.entries.get(source.index())?,
            *self.routes.entries.get(target.index())?,
        );
        self.routes.scratch.clear();
        if source == target {
            return Some(());
        }
        for access in [s.access, t.access].into_iter().flatten() {
            if !self.graph[access].is_up() {
                return None;
            }
        }
        let slot = s.slot as usize;
        if self.routes.trees[slot].is_none() {
            let tree = self.shortest_tree(slot);
            let size = tree.cost.len();
            if self.routes.cached_entries + size > self.routes.budget {
                self.routes.invalidate();
            }
            self.routes.cached_entries += size;
            self.routes.trees[slot] = Some(Box::new(tree));
        }
        let routes = &mut self.routes;
        let tree = routes.trees[slot].as_deref()?;
        if tree.cost[t.slot as usize].0 == u64::MAX {
            return None;
        }
        routes.scratch.extend(t.access);
        let mut at = t.slot as usize;
        while at != slot {
            let e = EdgeIndex::new(tree.via[at] as usize);
            routes.scratch.push(e);
            let (x, y) = self.graph.edge_endpoints(e)?;
            let here = routes.core[at];
            at = routes.slot_of[if x == here { y } else { x }.index()] as usize;
        }
        routes.scratch.extend(s.access);
        routes.scratch.reverse();
        Some(())
    }

    /// Dijkstra from core slot `source` over up links and up vertices of the core.
    fn shortest_tree(&self, source: usize) -> Tree {
        let routes = &self.routes;
        let n = routes.core.len();
        let mut tree = Tree {
            cost: vec![(u64::MAX, u32::MAX); n],
            via: vec![NONE; n],
        };
        if self.down[routes.core[source].index()] {
            return tree;
        }
        let mut heap = BinaryHeap::new();
        tree.cost[source] = (0, 0);
        heap.push(Reverse(((0u64, 0u32), source as u32)));
        while let Some(Reverse((cost, slot))) = heap.pop() {
            if cost > tree.cost[slot as usize] {
                continue;
            }
            for e in self.graph.edges(routes.core[slot as usize]) {
                let next = routes.slot_of[e.target().index()];
                if next == NONE || !e.weight().is_up() || self.down[e.target().index()] {
                    continue;
                }
                let reached = (cost.0.saturating_add(e.weight().mean_nanos()), cost.1 + 1);
                if reached < tree.cost[next as usize] {
                    tree.cost[next as usize] = reached;
                    tree.via[next as usize] = e.id().index() as u32;
                    heap.push(Reverse((reached, next)));
                }
            }
        }
        tree
    }
}

impl Paths for Topology {
    fn transit(&mut self, source: NodeId, target: NodeId, rng: &mut Stream) -> Option<Transit> {
        self.trace_route(source, target)?;
        let (mut latency, mut keep) = (SimDuration::ZERO, 1.0);
        for &e in &self.routes.scratch {
            let link = &self.graph[e];
            latency = latency.saturating_add(link.latency().sample(rng));
            keep *= 1.0 - link.loss();
        }
        Some(Transit {
            latency,
            loss: 1.0 - keep,
        })
    }

    fn set_link(&mut self, a: NodeId, b: NodeId, up: bool) -> bool {
        self.set_host_link(a, b, up)
    }
}
