//! Partitions by structure: the hosts of each region, zone or rack, shaped for the
//! engine's `Fault::Partition { groups }`. Groups come out in declaration order and
//! hosts in `NodeId` order, so a partition is the same on every run.

use crate::location::{Level, Scope};
use crate::topology::Topology;
use hasim_sim::NodeId;
use std::collections::BTreeMap;

impl Topology {
    /// The names declared at `level`, in declaration order (tree racks are its
    /// bottom switches; mesh, star, ring and edges declare none).
    pub fn names(&self, level: Level) -> Vec<&str> {
        self.layout.names(level).iter().map(|n| &**n).collect()
    }

    /// Every declared place at `level` with its hosts, in declaration order; a place
    /// with no hosts has an empty list.
    pub fn groups(&self, level: Level) -> Vec<(String, Vec<NodeId>)> {
        let names = self.layout.names(level);
        let index: BTreeMap<&str, usize> =
            names.iter().enumerate().map(|(i, n)| (&**n, i)).collect();
        let mut groups: Vec<Vec<NodeId>> = vec![Vec::new(); names.len()];
        for (h, loc) in self.locations.iter().enumerate() {
            if let Some(&i) = loc.at(level).and_then(|name| index.get(name)) {
                groups[i].push(NodeId(h as u32));
            }
        }
        names.iter().map(|n| n.to_string()).zip(groups).collect()
    }

    /// The hosts in one place, or `None` if the topology does not declare it.
    pub fn hosts_in(&self, scope: &Scope) -> Option<Vec<NodeId>> {
        if !self
            .layout
            .names(scope.level)
            .iter()
            .any(|n| **n == *scope.name)
        {
            return None;
        }
        Some(
            self.locations
                .iter()
                .enumerate()
                .filter(|(_, loc)| loc.at(scope.level) == Some(scope.name.as_str()))
                .map(|(h, _)| NodeId(h as u32))
                .collect(),
        )
    }

    /// One group per non-empty place at `level`: every zone (say) cut off from every
    /// other. Hosts with no place at that level are left out, and the engine puts
    /// unlisted nodes in one more group.
    pub fn partition_by(&self, level: Level) -> Vec<Vec<NodeId>> {
        self.groups(level)
            .into_iter()
            .map(|(_, hosts)| hosts)
            .filter(|hosts| !hosts.is_empty())
            .collect()
    }

    /// Two groups: the hosts in `scope`, and all the others — "zone:a from the
    /// rest". `None` if the topology does not declare the place.
    pub fn split_off(&self, scope: &Scope) -> Option<Vec<Vec<NodeId>>> {
        let inside = self.hosts_in(scope)?;
        let mut is_inside = vec![false; self.host_count()];
        inside.iter().for_each(|h| is_inside[h.index()] = true);
        let rest = (0..self.host_count() as u32)
            .map(NodeId)
            .filter(|h| !is_inside[h.index()])
            .collect();
        Some(vec![inside, rest])
    }
}
