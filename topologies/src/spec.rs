//! The `[topology]` table of a scenario: one serde type per kind, with documented
//! defaults, and `validate`, which names the field at fault. Placement and building
//! live in `place` and `build`.

use crate::error::TopologyError;
use crate::link::{check_link, Endpoint};
use crate::probability;
use hasim_sim::{Distribution, SimDuration};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The most hosts a mesh may have: it builds n(n−1)/2 links.
pub const MAX_MESH_HOSTS: usize = 1_000;
/// The most hosts a ring may have: paths are up to n/2 hops long.
pub const MAX_RING_HOSTS: usize = 10_000;
/// The most hosts a star, tree, zones or edges topology may have.
pub const MAX_HOSTS: usize = 1_000_000;
/// The most bottom-level switches a tree may have.
pub const MAX_TREE_LEAVES: u64 = 100_000;
/// The most zones a zones topology may have (zones are fully meshed).
pub const MAX_ZONES: usize = 1_000;
/// The most racks per zone.
pub const MAX_RACKS: u32 = 10_000;

/// A scenario's `[topology]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TopologySpec {
    /// Every pair of hosts joined directly (`kind = "mesh"`); up to 1,000 hosts.
    Mesh(LinkSpec),
    /// Every host joined to one hub switch named `hub` (`kind = "star"`); a path
    /// between two hosts is two links.
    Star(LinkSpec),
    /// Host i joined to host i+1, and the last to the first (`kind = "ring"`).
    Ring(LinkSpec),
    /// A tree of switches with hosts spread over its bottom level (`kind = "tree"`).
    Tree(TreeSpec),
    /// Regions → zones → racks → hosts (`kind = "zones"`).
    Zones(ZonesSpec),
    /// An explicit list of links between hosts and named switches (`kind = "edges"`).
    Edges(EdgesSpec),
}

/// One link's parameters, shared by every link of a mesh, star or ring.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    /// Latency of each link; default `{ dist = "constant", value = "1ms" }`.
    #[serde(default = "default_link_latency")]
    pub latency: Distribution,
    /// Loss probability of each link; default 0.
    #[serde(default, deserialize_with = "probability::deserialize")]
    pub loss: f64,
}

impl Default for LinkSpec {
    fn default() -> Self {
        LinkSpec {
            latency: default_link_latency(),
            loss: 0.0,
        }
    }
}

/// A tree: a root switch `root`, each switch with `fanout` children down to `depth`
/// levels (`root.0`, `root.0.1`, ...); hosts join the bottom level round-robin, and
/// each bottom switch is their rack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeSpec {
    /// Children per switch, at least 1; default 4.
    #[serde(default = "default_fanout")]
    pub fanout: u32,
    /// Levels of switches, root included, at least 1 (1 is a star); default 2.
    #[serde(default = "default_depth")]
    pub depth: u32,
    /// Latency of every link; default constant 1ms.
    #[serde(default = "default_link_latency")]
    pub latency: Distribution,
    /// Loss of every link; default 0.
    #[serde(default, deserialize_with = "probability::deserialize")]
    pub loss: f64,
}

/// A multi-zone network: each zone has a zone switch (named after the zone) and
/// `racks` rack switches (`ZONE/r0`, `ZONE/r1`, ...); hosts join rack switches; zone
/// switches are fully meshed, with inter-zone links inside a region and inter-region
/// links between regions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZonesSpec {
    /// Zones of a single, unnamed region. Give this or `regions`.
    #[serde(default)]
    pub zones: Vec<String>,
    /// Named regions and their zones. Give this or `zones`.
    #[serde(default)]
    pub regions: Vec<RegionSpec>,
    /// Racks per zone, at least 1; default 1.
    #[serde(default = "default_racks")]
    pub racks: u32,
    /// Host ↔ rack switch; default constant 50us.
    #[serde(default = "default_host_latency")]
    pub host_latency: Distribution,
    /// Host ↔ rack switch loss; default 0.
    #[serde(default, deserialize_with = "probability::deserialize")]
    pub host_loss: f64,
    /// Rack switch ↔ zone switch; default constant 100us.
    #[serde(default = "default_rack_latency")]
    pub rack_latency: Distribution,
    /// Rack switch ↔ zone switch loss; default 0.
    #[serde(default, deserialize_with = "probability::deserialize")]
    pub rack_loss: f64,
    /// Zone ↔ zone in the same region; default constant 1ms.
    #[serde(default = "default_inter_zone_latency")]
    pub inter_zone_latency: Distribution,
    /// Zone ↔ zone loss in the same region; default 0.
    #[serde(default, deserialize_with = "probability::deserialize")]
    pub inter_zone_loss: f64,
    /// Zone ↔ zone across regions; default constant 40ms.
    #[serde(default = "default_inter_region_latency")]
    pub inter_region_latency: Distribution,
    /// Zone ↔ zone loss across regions; default 0.
    #[serde(default, deserialize_with = "probability::deserialize")]
    pub inter_region_loss: f64,
}

/// One region of a zones topology.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    /// The region's name.
    pub name: String,
    /// Its zones, by name (unique across all regions).
    pub zones: Vec<String>,
}

/// A custom network. Hosts are numbered 0..n without gaps; the topology has exactly
/// as many hosts as the highest host index plus one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgesSpec {
    /// The links.
    pub links: Vec<EdgeSpec>,
    /// Latency of links that give none; default constant 1ms.
    #[serde(default = "default_link_latency")]
    pub latency: Distribution,
    /// Loss of links that give none; default 0.
    #[serde(default, deserialize_with = "probability::deserialize")]
    pub loss: f64,
}

/// One link of a custom network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeSpec {
    /// One end: an integer is a host, a string a switch.
    pub a: Endpoint,
    /// The other end.
    pub b: Endpoint,
    /// This link's latency, if not the list's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Distribution>,
    /// This link's loss, if not the list's default.
    #[serde(
        default,
        deserialize_with = "probability::deserialize_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub loss: Option<f64>,
}

fn constant(d: SimDuration) -> Distribution {
    Distribution::constant(d)
}
fn default_link_latency() -> Distribution {
    constant(SimDuration::from_millis(1))
}
fn default_fanout() -> u32 {
    4
}
fn default_depth() -> u32 {
    2
}
fn default_racks() -> u32 {
    1
}
fn default_host_latency() -> Distribution {
    constant(SimDuration::from_micros(50))
}
fn default_rack_latency() -> Distribution {
    constant(SimDuration::from_micros(100))
}
fn default_inter_zone_latency() -> Distribution {
    constant(SimDuration::from_millis(1))
}
fn default_inter_region_latency() -> Distribution {
    constant(SimDuration::from_millis(40))
}

impl Default for ZonesSpec {
    /// No zones yet, every other field at its default.
    fn default() -> Self {
        ZonesSpec {
            zones: Vec::new(),
            regions: Vec::new(),
            racks: default_racks(),
            host_latency: default_host_latency(),
            host_loss: 0.0,
            rack_latency: default_rack_latency(),
            rack_loss: 0.0,
            inter_zone_latency: default_inter_zone_latency(),
            inter_zone_loss: 0.0,
            inter_region_latency: default_inter_region_latency(),
            inter_region_loss: 0.0,
        }
    }
}

impl Default for TreeSpec {
    fn default() -> Self {
        TreeSpec {
            fanout: default_fanout(),
            depth: default_depth(),
            latency: default_link_latency(),
            loss: 0.0,
        }
    }
}

impl TopologySpec {
    /// The `kind` as written in a scenario.
    pub const fn kind(&self) -> &'static str {
        match self {
            TopologySpec::Mesh(_) => "mesh",
            TopologySpec::Star(_) => "star",
            TopologySpec::Ring(_) => "ring",
            TopologySpec::Tree(_) => "tree",
            TopologySpec::Zones(_) => "zones",
            TopologySpec::Edges(_) => "edges",
        }
    }

    /// Checks every parameter, naming the field at fault.
    pub fn validate(&self) -> Result<(), TopologyError> {
        match self {
            TopologySpec::Mesh(l) | TopologySpec::Star(l) | TopologySpec::Ring(l) => {
                check_link("latency", &l.latency, l.loss)
            }
            TopologySpec::Tree(t) => t.validate(),
            TopologySpec::Zones(z) => z.validate(),
            TopologySpec::Edges(e) => e.validate(),
        }
    }

    /// The number of hosts the topology itself defines (only `edges` does), or
    /// `None` when it takes as many hosts as the scenario has.
    pub fn fixed_host_count(&self) -> Option<usize> {
        match self {
            TopologySpec::Edges(e) => Some(e.host_count()),
            _ => None,
        }
    }

    /// The most hosts this kind supports.
    pub const fn max_hosts(&self) -> usize {
        match self {
            TopologySpec::Mesh(_) => MAX_MESH_HOSTS,
            TopologySpec::Ring(_) => MAX_RING_HOSTS,
            _ => MAX_HOSTS,
        }
    }
}

impl TreeSpec {
    /// Number of bottom-level switches: fanout^(depth − 1), saturating.
    pub fn leaves(&self) -> u64 {
        u64::from(self.fanout).saturating_pow(self.depth.saturating_sub(1))
    }

    fn validate(&self) -> Result<(), TopologyError> {
        if self.fanout == 0 {
            return Err(count("fanout", self.fanout.into(), "at least 1"));
        }
        if self.depth == 0 {
            return Err(count("depth", self.depth.into(), "at least 1"));
        }
        if self.leaves() > MAX_TREE_LEAVES {
            return Err(count(
                "depth",
                self.depth.into(),
                "a depth for which fanout^(depth-1) is at most 100000 bottom switches",
            ));
        }
        check_link("latency", &self.latency, self.loss)
    }
}

impl ZonesSpec {
    /// The declared regions, each with its zones; zones given without regions form
    /// one unnamed region.
    pub fn region_list(&self) -> Vec<(Option<&str>, &[String])> {
        if self.regions.is_empty() {
            vec![(None, &self.zones[..])]
        } else {
            self.regions
                .iter()
                .map(|r| (Some(r.name.as_str()), &r.zones[..]))
                .collect()
        }
    }

    fn validate(&self) -> Result<(), TopologyError> {
        match (self.zones.is_empty(), self.regions.is_empty()) {
            (true, true) => return Err(TopologyError::NoZones),
            (false, false) => return Err(TopologyError::ZonesAndRegions),
            _ => {}
        }
        let mut regions = BTreeSet::new();
        let mut zones = BTreeSet::new();
        for (region, region_zones) in self.region_list() {
            if let Some(name) = region {
                check_name("region", name)?;
                if !regions.insert(name) {
                    return Err(duplicate("region", name));
                }
                if region_zones.is_empty() {
                    return Err(TopologyError::EmptyRegion {
                        region: name.to_string(),
                    });
                }
            }
            for zone in region_zones {
                check_name("zone", zone)?;
                if !zones.insert(zone.as_str()) {
                    return Err(duplicate("zone", zone));
                }
            }
        }
        if zones.len() > MAX_ZONES {
            return Err(count("zones", zones.len() as u64, "at most 1000 zones"));
        }
        if !(1..=MAX_RACKS).contains(&self.racks) {
            return Err(count(
                "racks",
                self.racks.into(),
                "1 to 10000 racks per zone",
            ));
        }
        check_link("host_latency", &self.host_latency, self.host_loss)?;
        check_link("rack_latency", &self.rack_latency, self.rack_loss)?;
        check_link(
            "inter_zone_latency",
            &self.inter_zone_latency,
            self.inter_zone_loss,
        )?;
        check_link(
            "inter_region_latency",
            &self.inter_region_latency,
            self.inter_region_loss,
        )
    }
}

impl EdgesSpec {
    /// The highest host index plus one.
    pub fn host_count(&self) -> usize {
        self.links
            .iter()
            .flat_map(|l| [&l.a, &l.b])
            .filter_map(|e| match e {
                Endpoint::Host(h) => Some(*h as usize + 1),
                Endpoint::Switch(_) => None,
            })
            .max()
            .unwrap_or(0)
    }

    fn validate(&self) -> Result<(), TopologyError> {
        if self.links.is_empty() {
            return Err(TopologyError::NoLinks);
        }
        check_link("latency", &self.latency, self.loss)?;
        if self.host_count() > MAX_HOSTS {
            return Err(TopologyError::TooManyHosts {
                kind: "edges",
                hosts: self.host_count(),
                max: MAX_HOSTS,
            });
        }
        let mut linked = vec![false; self.host_count()];
        let mut pairs = BTreeSet::new();
        for (i, link) in self.links.iter().enumerate() {
            for end in [&link.a, &link.b] {
                match end {
                    Endpoint::Host(h) => linked[*h as usize] = true,
                    Endpoint::Switch(name) => check_name("switch", name)?,
                }
            }
            if link.a == link.b {
                return Err(TopologyError::SelfLink {
                    index: Some(i),
                    endpoint: link.a.to_string(),
                });
            }
            let pair = (
                link.a.clone().min(link.b.clone()),
                link.a.clone().max(link.b.clone()),
            );
            if !pairs.insert(pair) {
                return Err(TopologyError::DuplicateLink {
                    a: link.a.to_string(),
                    b: link.b.to_string(),
                });
            }
            let latency = link.latency.unwrap_or(self.latency);
            check_link(
                &format!("links[{i}]"),
                &latency,
                link.loss.unwrap_or(self.loss),
            )?;
        }
        match linked.iter().position(|l| !l) {
            Some(host) => Err(TopologyError::HostWithoutLink { host: host as u32 }),
            None => Ok(()),
        }
    }
}

fn count(field: &'static str, value: u64, expected: &'static str) -> TopologyError {
    TopologyError::BadCount {
        field,
        value,
        expected,
    }
}

fn duplicate(what: &'static str, name: &str) -> TopologyError {
    TopologyError::DuplicateName {
        what,
        name: name.to_string(),
    }
}

/// Names appear in selectors (`zone:a`, `rack:a/r0`), so ':' and '/' are reserved.
fn check_name(what: &'static str, name: &str) -> Result<(), TopologyError> {
    if name.is_empty() || name.contains(['/', ':']) {
        return Err(TopologyError::BadName {
            what,
            name: name.to_string(),
        });
    }
    Ok(())
}
