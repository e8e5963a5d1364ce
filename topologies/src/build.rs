//! Builders: the graph of each topology kind, for a given number of hosts or a
//! placement. Vertices and links are added in a fixed order (hosts first, in `NodeId`
//! order), which fixes petgraph's indices and so routing's tie-breaks.

use crate::error::TopologyError;
use crate::link::{Endpoint, Vertex};
use crate::location::{Layout, Placement, Site};
use crate::place::Racks;
use crate::spec::{EdgesSpec, LinkSpec, TopologySpec, TreeSpec, ZonesSpec};
use crate::topology::Topology;
use hasim_sim::NodeId;
use petgraph::graph::NodeIndex;
use std::collections::BTreeMap;

impl TopologySpec {
    /// Builds the topology for a placement from [`TopologySpec::place`].
    pub fn build(&self, placement: &Placement) -> Result<Topology, TopologyError> {
        self.validate()?;
        let hosts = placement.len();
        Ok(match self {
            TopologySpec::Mesh(l) => Topology::mesh(hosts, l),
            TopologySpec::Star(l) => Topology::star(hosts, l),
            TopologySpec::Ring(l) => Topology::ring(hosts, l),
            TopologySpec::Tree(t) => Topology::with_racks(Racks::of_tree(t), placement, t)?,
            TopologySpec::Zones(z) => Topology::with_racks(Racks::of_zones(z), placement, z)?,
            TopologySpec::Edges(e) => {
                if e.host_count() != hosts {
                    return Err(TopologyError::HostCountMismatch {
                        defined: e.host_count(),
                        requested: hosts,
                    });
                }
                Topology::edges(e)?
            }
        })
    }

    /// Places one host per site and builds: `place` then `build`.
    pub fn build_for(&self, sites: &[Site]) -> Result<Topology, TopologyError> {
        self.build(&self.place(sites)?)
    }

    /// Builds for `hosts` hosts, all `spread`.
    pub fn build_spread(&self, hosts: usize) -> Result<Topology, TopologyError> {
        self.build(&self.place_spread(hosts)?)
    }
}

/// How the switches above the racks are joined: what differs between a tree and a
/// zones topology once the racks exist.
trait Fabric {
    /// Adds the switches and links above the racks; `rack` finds a rack's switch.
    fn add_fabric(&self, topology: &mut Topology, racks: &Racks);
    /// The host ↔ rack link.
    fn access(&self) -> LinkSpec;
}

impl Fabric for TreeSpec {
    fn add_fabric(&self, t: &mut Topology, _: &Racks) {
        let mut level = vec![t.add_named("root")];
        let mut names = vec!["root".to_string()];
        for _ in 1..self.depth {
            let (mut next, mut next_names) = (Vec::new(), Vec::new());
            for (&parent, name) in level.iter().zip(&names) {
                for i in 0..self.fanout {
                    let child_name = format!("{name}.{i}");
                    let child = t.add_named(&child_name);
                    t.join(parent, child, self.latency, self.loss);
                    next.push(child);
                    next_names.push(child_name);
                }
            }
            (level, names) = (next, next_names);
        }
    }

    fn access(&self) -> LinkSpec {
        LinkSpec {
            latency: self.latency,
            loss: self.loss,
        }
    }
}

impl Fabric for ZonesSpec {
    fn add_fabric(&self, t: &mut Topology, racks: &Racks) {
        let zone_switches: Vec<NodeIndex> = racks
            .zones
            .iter()
            .map(|zone| {
                let z = t.add_named(&zone.name);
                for rack in &racks.racks[zone.racks.clone()] {
                    let r = t.add_named(rack.rack.as_deref().expect("zones racks are named"));
                    t.join(z, r, self.rack_latency, self.rack_loss);
                }
                z
            })
            .collect();
        for (i, a) in racks.zones.iter().enumerate() {
            for (j, b) in racks.zones.iter().enumerate().skip(i + 1) {
                let (latency, loss) = if a.region == b.region {
                    (self.inter_zone_latency, self.inter_zone_loss)
                } else {
                    (self.inter_region_latency, self.inter_region_loss)
                };
                t.join(zone_switches[i], zone_switches[j], latency, loss);
            }
        }
        t.layout = Layout {
            regions: racks.regions.clone(),
            zones: racks.zones.iter().map(|z| z.name.clone()).collect(),
            racks: Vec::new(),
        };
    }

    fn access(&self) -> LinkSpec {
        LinkSpec {
            latency: self.host_latency,
            loss: self.host_loss,
        }
    }
}

impl Topology {
    /// `n` hosts, every pair joined directly.
    pub fn mesh(n: usize, link: &LinkSpec) -> Topology {
        let mut t = Topology::with_hosts(n);
        for i in 0..n {
            for j in i + 1..n {
                t.join(t.hosts[i], t.hosts[j], link.latency, link.loss);
            }
        }
        t
    }

    /// `n` hosts, each joined to the switch `hub`.
    pub fn star(n: usize, link: &LinkSpec) -> Topology {
        let mut t = Topology::with_hosts(n);
        let hub = t.add_named("hub");
        for i in 0..n {
            t.join(t.hosts[i], hub, link.latency, link.loss);
        }
        t
    }

    /// `n` hosts in a ring: i joined to i+1, and n−1 to 0 when n >= 3.
    pub fn ring(n: usize, link: &LinkSpec) -> Topology {
        let mut t = Topology::with_hosts(n);
        for i in 0..n.saturating_sub(1) {
            t.join(t.hosts[i], t.hosts[i + 1], link.latency, link.loss);
        }
        if n >= 3 {
            t.join(t.hosts[n - 1], t.hosts[0], link.latency, link.loss);
        }
        t
    }

    /// A tree of switches with `n` hosts spread over its bottom level (validated first).
    pub fn tree(n: usize, spec: &TreeSpec) -> Result<Topology, TopologyError> {
        TopologySpec::Tree(spec.clone()).build_spread(n)
    }

    /// A zones topology with `n` hosts spread over its zones and racks.
    pub fn zones(n: usize, spec: &ZonesSpec) -> Result<Topology, TopologyError> {
        TopologySpec::Zones(spec.clone()).build_spread(n)
    }

    /// A custom topology from a list of links (validated first).
    pub fn edges(spec: &EdgesSpec) -> Result<Topology, TopologyError> {
        TopologySpec::Edges(spec.clone()).validate()?;
        let mut t = Topology::with_hosts(spec.host_count());
        for link in &spec.links {
            for end in [&link.a, &link.b] {
                if let Endpoint::Switch(name) = end {
                    if t.switch_index(name).is_none() {
                        t.add_switch(name)?;
                    }
                }
            }
            let latency = link.latency.unwrap_or(spec.latency);
            t.add_link(&link.a, &link.b, latency, link.loss.unwrap_or(spec.loss))?;
        }
        Ok(t)
    }

    fn with_hosts(n: usize) -> Topology {
        let mut t = Topology::new();
        for _ in 0..n {
            t.add_host();
        }
        t
    }

    fn add_named(&mut self, name: &str) -> NodeIndex {
        self.add_switch(name)
            .expect("builders name switches uniquely");
        self.switch_index(name).expect("just added")
    }

    /// Hosts, then the fabric, then each host's access link to its placed rack.
    /// A placement made for another spec may name racks this one lacks.
    fn with_racks(
        racks: Racks,
        placement: &Placement,
        fabric: &impl Fabric,
    ) -> Result<Topology, TopologyError> {
        let mut t = Topology::with_hosts(placement.len());
        fabric.add_fabric(&mut t, &racks);
        t.layout.racks = racks.racks.iter().filter_map(|r| r.rack.clone()).collect();
        let rack_switch: BTreeMap<&str, NodeIndex> = t
            .graph
            .node_indices()
            .filter_map(|v| match &t.graph[v] {
                Vertex::Switch(name) => Some((name.as_str(), v)),
                Vertex::Host(_) => None,
            })
            .collect();
        let access = fabric.access();
        let joins: Vec<(NodeIndex, NodeIndex)> = placement
            .locations()
            .iter()
            .enumerate()
            .map(|(h, loc)| {
                let rack = loc.rack.as_deref().unwrap_or_default();
                let switch = rack_switch
                    .get(rack)
                    .ok_or_else(|| TopologyError::UnknownSite {
                        site: format!("rack:{rack}"),
                        known: "the racks of the spec that made the placement".to_string(),
                    })?;
                Ok((t.hosts[h], *switch))
            })
            .collect::<Result<_, TopologyError>>()?;
        for (h, (host, rack)) in joins.into_iter().enumerate() {
            t.join(host, rack, access.latency, access.loss);
            t.set_location(NodeId(h as u32), placement.locations()[h].clone());
        }
        Ok(t)
    }
}
