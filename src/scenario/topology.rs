//! `[topology]`: a hasim-topologies graph in place of the uniform network. Parses the
//! table (naming the field at fault), places the groups' nodes (`zone = "spread"`,
//! `"a"`, `"region:eu"`, `"zone:a"`, `rack = "a/r1"`), builds the graph, and writes
//! each node's region, zone and rack into its labels from that placement, so
//! selectors and structural partitions read the same placement that routing uses.
//!
//! With a topology, latency and loss come from its links: `[network]` keeps only
//! `duplicate`, and its `latency`, `loss`, `zones` and overrides are rejected rather
//! than silently ignored.

use super::network::Network;
use super::schema::{self, GroupSpec};
use super::selector::NodeLabels;
use super::validate::Bad;
use hasim_topologies::catalog::KINDS;
use hasim_topologies::{
    EdgesSpec, LinkSpec, Scope, Site, TopologyError, TopologySpec, TreeSpec, ZonesSpec,
};
use serde::de::DeserializeOwned;
use std::ops::Range;
use toml::Spanned;

/// The `[topology]` table as the file wrote it, and where it is.
pub(super) struct Table<'a> {
    table: &'a Spanned<toml::Table>,
    text: &'a str,
}

impl<'a> Table<'a> {
    pub(super) fn new(table: &'a Spanned<toml::Table>, text: &'a str) -> Self {
        Table { table, text }
    }

    /// An error about `key` (a field of the table, or "" for the table itself).
    fn bad(&self, key: &str, message: impl Into<String>) -> Bad {
        let field = if key.is_empty() {
            "topology".to_string()
        } else {
            format!("topology.{key}")
        };
        Bad {
            span: Some(self.locate(key.split('[').next().unwrap_or(key))),
            field,
            message: message.into(),
        }
    }

    /// The span of `key = ...` inside the table, or of the table's header. The
    /// parsed table keeps no positions for its fields, so the line is found in the
    /// text: from the header to the next `[header]` line.
    fn locate(&self, key: &str) -> Range<usize> {
        let header = self.table.span();
        if key.is_empty() {
            return header;
        }
        let mut offset = header.end;
        for line in self.text[header.end.min(self.text.len())..].split_inclusive('\n') {
            let trimmed = line.trim();
            if is_header(trimmed) {
                break;
            }
            if let Some((left, _)) = trimmed.split_once('=') {
                if left.trim().trim_matches('"') == key {
                    let indent = line.len() - line.trim_start().len();
                    return offset + indent..offset + line.trim_end().len();
                }
            }
            offset += line.len();
        }
        header
    }

    /// Parses and validates the spec.
    pub(super) fn spec(&self) -> Result<TopologySpec, Bad> {
        let names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        let expected = || format!("expected one of: {}", names.join(", "));
        let kind = match self.table.get_ref().get("kind") {
            None => return Err(self.bad("kind", format!("missing `kind`; {}", expected()))),
            Some(toml::Value::String(kind)) if names.contains(&kind.as_str()) => kind.clone(),
            Some(other) => {
                return Err(self.bad("kind", format!("unknown kind {other}; {}", expected())))
            }
        };
        // The concrete struct of the kind, deserialised from the table without `kind`,
        // reports the key at fault ("in `racks`"), which the tagged enum cannot.
        let mut rest = self.table.get_ref().clone();
        rest.remove("kind");
        let spec = match kind.as_str() {
            "mesh" => TopologySpec::Mesh(self.parse::<LinkSpec>(rest)?),
            "star" => TopologySpec::Star(self.parse::<LinkSpec>(rest)?),
            "ring" => TopologySpec::Ring(self.parse::<LinkSpec>(rest)?),
            "tree" => TopologySpec::Tree(self.parse::<TreeSpec>(rest)?),
            "zones" => TopologySpec::Zones(self.parse::<ZonesSpec>(rest)?),
            _ => TopologySpec::Edges(self.parse::<EdgesSpec>(rest)?),
        };
        spec.validate().map_err(|e| self.error(&e))?;
        Ok(spec)
    }

    fn parse<T: DeserializeOwned>(&self, rest: toml::Table) -> Result<T, Bad> {
        rest.try_into().map_err(|e: toml::de::Error| {
            let text = e.to_string();
            let mut lines = text.lines();
            let message = lines.next().unwrap_or_default().trim().to_string();
            let key = lines
                .find_map(|l| l.strip_prefix("in `")?.strip_suffix('`'))
                .or_else(|| backticked(&message, "unknown field `"))
                .or_else(|| backticked(&message, "missing field `"))
                .unwrap_or_default()
                .split('.')
                .next()
                .unwrap_or_default()
                .to_string();
            self.bad(&key, message)
        })
    }

    /// A topology error, attributed to the field it names.
    pub(super) fn error(&self, e: &TopologyError) -> Bad {
        use TopologyError::*;
        let key = match e {
            BadLatency { field, .. } => field.clone(),
            // The crate names a link by its latency field; the loss is its sibling.
            BadLoss { field, .. } => match field.strip_suffix("latency") {
                Some(level) => format!("{level}loss"),
                None => field.clone(),
            },
            BadCount { field, .. } => field.to_string(),
            TooManyHosts { .. } => "kind".to_string(),
            NoZones | ZonesAndRegions => "zones".to_string(),
            EmptyRegion { .. } => "regions".to_string(),
            BadName { what, .. } | DuplicateName { what, .. } => match *what {
                "region" => "regions",
                "zone" => "zones",
                _ => "links",
            }
            .to_string(),
            NoLinks | SelfLink { .. } | DuplicateLink { .. } | HostWithoutLink { .. } => {
                "links".to_string()
            }
            HostCountMismatch { .. } => "links".to_string(),
            _ => String::new(),
        };
        let text = e.to_string();
        // The topology crate prefixes "topology.FIELD: " or "topology: "; the scenario
        // error names the field itself.
        let message = match text.split_once(": ") {
            Some((prefix, rest)) if prefix.starts_with("topology") && !prefix.contains(' ') => rest,
            _ => &text,
        };
        self.bad(&key, message)
    }
}

/// `[name]` or `[[name]]`, not an array value such as `["a", "b"]`.
fn is_header(line: &str) -> bool {
    let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
        return false;
    };
    let inner = inner.trim_start_matches('[').trim_end_matches(']').trim();
    !inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | ' '))
}

fn backticked<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    message.strip_prefix(prefix)?.split('`').next()
}

/// Where a group asks its nodes to go, from its `zone` and `rack` fields.
fn site(g: &GroupSpec, i: usize) -> Result<Site, Bad> {
    match (&g.zone, &g.rack) {
        (Some(_), Some(rack)) => Err(Bad::at(
            rack,
            format!("group[{i}].rack"),
            "with a [topology], give `zone` or `rack`, not both (racks are named ZONE/rN, e.g. rack = \"a/r1\")",
        )),
        (None, None) => Ok(Site::Spread),
        (None, Some(rack)) => Ok(Site::In(Scope {
            level: hasim_topologies::Level::Rack,
            name: rack.get_ref().clone(),
        })),
        (Some(zone), None) => {
            let text = zone.get_ref();
            if text.contains(':') || text == "spread" {
                text.parse()
                    .map_err(|e: TopologyError| Bad::at(zone, format!("group[{i}].zone"), e.to_string()))
            } else {
                Ok(Site::In(Scope {
                    level: hasim_topologies::Level::Zone,
                    name: text.clone(),
                }))
            }
        }
    }
}

/// The network of a scenario with a `[topology]`: places every node, builds the
/// graph, and fills in each node's region, zone and rack.
pub(super) fn network(
    table: &Table<'_>,
    spec: &TopologySpec,
    file: &schema::File,
    nodes: &mut [NodeLabels],
) -> Result<Network, Bad> {
    reject_uniform_settings(&file.network)?;
    let mut sites = Vec::with_capacity(nodes.len());
    let mut group_sites = Vec::new();
    for (i, g) in file.groups.iter().enumerate() {
        let s = site(g, i)?;
        sites.extend(std::iter::repeat_n(s.clone(), *g.count.get_ref() as usize));
        group_sites.push(s);
    }
    let placement = spec.place(&sites).map_err(|e| match &e {
        TopologyError::UnknownSite { site, .. } | TopologyError::SiteNotSupported { site, .. } => {
            let group = group_sites.iter().position(|s| s.to_string() == *site);
            match group.map(|i| (i, &file.groups[i])) {
                Some((i, g)) => match (&g.zone, &g.rack) {
                    (Some(at), _) => Bad::at(at, format!("group[{i}].zone"), e.to_string()),
                    (None, Some(at)) => Bad::at(at, format!("group[{i}].rack"), e.to_string()),
                    (None, None) => table.error(&e),
                },
                None => table.error(&e),
            }
        }
        _ => table.error(&e),
    })?;
    let topology = spec.build(&placement).map_err(|e| table.error(&e))?;
    for (labels, place) in nodes.iter_mut().zip(placement.locations()) {
        labels.region = place.region.as_deref().map(str::to_string);
        labels.zone = place.zone.as_deref().map(str::to_string);
        labels.rack = place.rack.as_deref().map(str::to_string);
    }
    let mut net = Network::uniform(nodes.len());
    net.duplicate = file.network.duplicate.map_or(0.0, |p| p.0);
    net.topology = Some(topology);
    Ok(net)
}

/// `[network]` settings that a topology's links replace.
fn reject_uniform_settings(net: &schema::NetworkSpec) -> Result<(), Bad> {
    let why = "with a [topology], latency and loss come from its links (see hasim list); remove this or the [topology]";
    if let Some(l) = &net.latency {
        return Err(Bad::at(l, "network.latency", why));
    }
    if let Some(l) = &net.loss {
        return Err(Bad::at(l, "network.loss", why));
    }
    let zones = "with a [topology], zones come from it (its `zones` or `regions`); remove [network] zones and zone overrides";
    if let Some(z) = net.zones.first() {
        return Err(Bad::at(z, "network.zones", zones));
    }
    if let Some(o) = net.zone_overrides.first() {
        return Err(Bad::at(&o.zone, "network.zone[0].zone", zones));
    }
    if let Some(o) = net.between.first() {
        return Err(Bad::at(&o.zones, "network.between[0].zones", zones));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use hasim_sim::{Fault, NodeId};

    const REGIONS: &str = r#"
[scenario]
name = "t"
duration = "20s"

[topology]
kind = "zones"
regions = [{ name = "eu", zones = ["eu-a", "eu-b"] }, { name = "us", zones = ["us-a"] }]
racks = 2

[[group]]
role = "server"
count = 4
protocol = "ping"

[[group]]
role = "client"
zone = "region:us"
protocol = "ping"

[[fault]]
at = "1s"
kind = "partition"
shape = "regions"
lasts = "1s"

[[fault]]
at = "5s"
kind = "crash"
target = "zone:eu-b"
restart_after = "1s"
"#;

    /// Labels, selectors and structural partitions all read the topology's placement.
    #[test]
    fn selectors_and_shapes_follow_the_placement() {
        let s = crate::Registry::builtin()
            .parse(REGIONS, std::path::Path::new("t.toml"))
            .unwrap();
        let zones: Vec<_> = s.nodes.iter().map(|n| n.zone.as_deref().unwrap()).collect();
        assert_eq!(zones, ["eu-a", "eu-b", "us-a", "eu-a", "us-a"]);
        assert_eq!(s.nodes[1].rack.as_deref(), Some("eu-b/r0"));
        assert_eq!(s.nodes[3].rack.as_deref(), Some("eu-a/r1"));
        assert_eq!(s.nodes[4].region.as_deref(), Some("us"));
        let topology = s.network.topology.as_ref().unwrap();
        for (i, n) in s.nodes.iter().enumerate() {
            let place = topology.location(NodeId(i as u32)).unwrap();
            assert_eq!(place.zone.as_deref(), n.zone.as_deref());
        }
        let schedule = s.schedule(1);
        let split = |a: &[u32]| a.iter().copied().map(NodeId).collect::<Vec<_>>();
        assert_eq!(
            schedule[0].fault,
            Fault::Partition {
                groups: vec![split(&[0, 1, 3]), split(&[2, 4])]
            }
        );
        assert!(schedule
            .iter()
            .any(|f| f.fault == Fault::Crash { node: NodeId(1) }));
    }
}
