//! Where hosts are: the region, zone and rack of each host, the selectors a scenario
//! uses to ask for a place (`spread`, `zone:a`, ...), and the placement of a run's
//! hosts that a spec computes before building its graph.

use crate::error::TopologyError;
use core::fmt;
use core::str::FromStr;
use std::sync::Arc;

/// A level of the zones structure. Tree topologies have racks (their bottom
/// switches); other kinds have no levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// A region: a group of zones far from other regions.
    Region,
    /// A zone (availability zone): a failure domain inside a region.
    Zone,
    /// A rack: the hosts behind one top-of-rack switch.
    Rack,
}

impl Level {
    /// The selector prefix: `region`, `zone` or `rack`.
    pub const fn name(self) -> &'static str {
        match self {
            Level::Region => "region",
            Level::Zone => "zone",
            Level::Rack => "rack",
        }
    }
}

/// One named place at one level, written `zone:a`, `region:eu` or `rack:a/r0`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Scope {
    /// The level.
    pub level: Level,
    /// The declared name (racks are named `ZONE/rN` in zones topologies).
    pub name: String,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level.name(), self.name)
    }
}

impl FromStr for Scope {
    type Err = TopologyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || TopologyError::BadSite {
            text: text.to_string(),
        };
        let (level, name) = text.split_once(':').ok_or_else(bad)?;
        let level = match level {
            "region" => Level::Region,
            "zone" => Level::Zone,
            "rack" => Level::Rack,
            _ => return Err(bad()),
        };
        if name.is_empty() {
            return Err(bad());
        }
        Ok(Scope {
            level,
            name: name.to_string(),
        })
    }
}

/// Where a scenario wants one host placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Site {
    /// Anywhere, round-robin: consecutive spread hosts go to different zones (in
    /// declared order) and, within a zone, to different racks.
    Spread,
    /// Inside this region, zone or rack (round-robin below it).
    In(Scope),
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Site::Spread => f.write_str("spread"),
            Site::In(scope) => scope.fmt(f),
        }
    }
}

impl FromStr for Site {
    type Err = TopologyError;

    /// `spread`, `region:NAME`, `zone:NAME` or `rack:NAME`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "spread" {
            Ok(Site::Spread)
        } else {
            text.parse().map(Site::In)
        }
    }
}

/// The location of one host. Names are shared (`Arc<str>`), so 10,000 hosts cost
/// three pointers each, not three strings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// The region, in a zones topology that declares regions.
    pub region: Option<Arc<str>>,
    /// The zone, in a zones topology.
    pub zone: Option<Arc<str>>,
    /// The rack: a zones topology's rack, or a tree's bottom switch.
    pub rack: Option<Arc<str>>,
}

impl Location {
    /// The name at `level`, if the host has one.
    pub fn at(&self, level: Level) -> Option<&str> {
        match level {
            Level::Region => self.region.as_deref(),
            Level::Zone => self.zone.as_deref(),
            Level::Rack => self.rack.as_deref(),
        }
    }
}

/// Where every host of a run goes, in `NodeId` order: the output of
/// `TopologySpec::place` and the input of `TopologySpec::build`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    locations: Vec<Location>,
}

impl Placement {
    pub(crate) fn new(locations: Vec<Location>) -> Self {
        Placement { locations }
    }

    /// How many hosts are placed.
    pub fn len(&self) -> usize {
        self.locations.len()
    }

    /// True when no host is placed.
    pub fn is_empty(&self) -> bool {
        self.locations.is_empty()
    }

    /// Every host's location, in `NodeId` order.
    pub fn locations(&self) -> &[Location] {
        &self.locations
    }
}

/// Declared names at one level and their parents, in declaration order: what
/// partitions iterate over, so their groups come out in a fixed order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) regions: Vec<Arc<str>>,
    pub(crate) zones: Vec<Arc<str>>,
    pub(crate) racks: Vec<Arc<str>>,
}

impl Layout {
    pub(crate) fn names(&self, level: Level) -> &[Arc<str>] {
        match level {
            Level::Region => &self.regions,
            Level::Zone => &self.zones,
            Level::Rack => &self.racks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_parse_and_print() {
        for text in ["spread", "zone:a", "region:eu", "rack:a/r1"] {
            assert_eq!(text.parse::<Site>().unwrap().to_string(), text);
        }
        for bad in ["zone", "zone:", "shelf:a", "anywhere"] {
            let err = bad.parse::<Site>().unwrap_err();
            assert!(err.to_string().contains("expected \"spread\""), "{err}");
        }
    }
}
