//! Placement: which zone and rack each of a run's hosts goes to, from the sites the
//! scenario asks for. Round-robin with counters shared by all hosts, so any k
//! consecutive `spread` hosts land in k different zones when there are k zones — the
//! property replica groups need — and hosts of one zone fill its racks in turn.

use crate::error::TopologyError;
use crate::location::{Level, Location, Placement, Scope, Site};
use crate::spec::{TopologySpec, TreeSpec, ZonesSpec};
use std::sync::Arc;

/// The racks of a zones or tree topology, flattened: each rack with its zone and
/// region, in declaration order.
#[derive(Clone, Debug)]
pub(crate) struct Racks {
    pub(crate) racks: Vec<Location>,
    /// Per zone, in declaration order.
    pub(crate) zones: Vec<ZoneRacks>,
    pub(crate) regions: Vec<Arc<str>>,
}

/// One zone: its name, its region, and where its racks are in `Racks::racks`.
#[derive(Clone, Debug)]
pub(crate) struct ZoneRacks {
    pub(crate) name: Arc<str>,
    pub(crate) region: Option<Arc<str>>,
    pub(crate) racks: core::ops::Range<usize>,
}

impl Racks {
    pub(crate) fn of_zones(spec: &ZonesSpec) -> Racks {
        let mut out = Racks {
            racks: Vec::new(),
            zones: Vec::new(),
            regions: Vec::new(),
        };
        for (region, zones) in spec.region_list() {
            let region: Option<Arc<str>> = region.map(Arc::from);
            out.regions.extend(region.clone());
            for zone in zones {
                let zone: Arc<str> = Arc::from(zone.as_str());
                let start = out.racks.len();
                for r in 0..spec.racks {
                    out.racks.push(Location {
                        region: region.clone(),
                        zone: Some(zone.clone()),
                        rack: Some(Arc::from(format!("{zone}/r{r}"))),
                    });
                }
                out.zones.push(ZoneRacks {
                    name: zone,
                    region: region.clone(),
                    racks: start..out.racks.len(),
                });
            }
        }
        out
    }

    pub(crate) fn of_tree(spec: &TreeSpec) -> Racks {
        let mut level = vec!["root".to_string()];
        for _ in 1..spec.depth {
            level = level
                .iter()
                .flat_map(|p| (0..spec.fanout).map(move |i| format!("{p}.{i}")))
                .collect();
        }
        let racks: Vec<Location> = level
            .into_iter()
            .map(|name| Location {
                rack: Some(Arc::from(name)),
                ..Location::default()
            })
            .collect();
        Racks {
            racks,
            zones: Vec::new(),
            regions: Vec::new(),
        }
    }

    /// The names declared at `level`, comma-separated, for error messages.
    fn known(&self, level: Level) -> String {
        let names: Vec<&str> = match level {
            Level::Region => self.regions.iter().map(|r| &**r).collect(),
            Level::Zone => self.zones.iter().map(|z| &*z.name).collect(),
            Level::Rack => self
                .racks
                .iter()
                .filter_map(|r| r.rack.as_deref())
                .collect(),
        };
        let mut text = names
            .iter()
            .take(20)
            .map(|n| format!("{}:{n}", level.name()));
        let mut list = text
            .next()
            .unwrap_or_else(|| format!("no {}s", level.name()));
        for n in text {
            list.push_str(", ");
            list.push_str(&n);
        }
        if names.len() > 20 {
            list.push_str(&format!(", ... ({} in all)", names.len()));
        }
        list
    }
}

/// Round-robin counters: one over all zones for `spread`, one per region over its
/// zones, one per zone over its racks.
struct Cursor<'a> {
    racks: &'a Racks,
    next_zone: usize,
    next_in_region: Vec<usize>,
    next_rack: Vec<usize>,
}

impl<'a> Cursor<'a> {
    fn new(racks: &'a Racks) -> Self {
        Cursor {
            racks,
            next_zone: 0,
            next_in_region: vec![0; racks.regions.len()],
            next_rack: vec![0; racks.zones.len().max(1)],
        }
    }

    fn rack_in_zone(&mut self, zone: usize) -> usize {
        let range = self.racks.zones[zone].racks.clone();
        let i = self.next_rack[zone] % range.len();
        self.next_rack[zone] += 1;
        range.start + i
    }

    /// The rack index for one site.
    fn place(&mut self, site: &Site) -> Result<usize, TopologyError> {
        let racks = self.racks;
        let unknown = |scope: &Scope| TopologyError::UnknownSite {
            site: scope.to_string(),
            known: racks.known(scope.level),
        };
        match site {
            // A tree has racks but no zones: spread hosts go round its bottom switches.
            Site::Spread if racks.zones.is_empty() => {
                let rack = self.next_rack[0] % racks.racks.len();
                self.next_rack[0] += 1;
                Ok(rack)
            }
            Site::Spread => {
                let zone = self.next_zone % racks.zones.len();
                self.next_zone += 1;
                Ok(self.rack_in_zone(zone))
            }
            Site::In(scope) => match scope.level {
                Level::Region => {
                    let region = racks
                        .regions
                        .iter()
                        .position(|r| **r == *scope.name)
                        .ok_or_else(|| unknown(scope))?;
                    let zones: Vec<usize> = (0..racks.zones.len())
                        .filter(|&z| racks.zones[z].region.as_deref() == Some(scope.name.as_str()))
                        .collect();
                    let zone = zones[self.next_in_region[region] % zones.len()];
                    self.next_in_region[region] += 1;
                    Ok(self.rack_in_zone(zone))
                }
                Level::Zone => {
                    let zone = racks
                        .zones
                        .iter()
                        .position(|z| *z.name == *scope.name)
                        .ok_or_else(|| unknown(scope))?;
                    Ok(self.rack_in_zone(zone))
                }
                Level::Rack => racks
                    .racks
                    .iter()
                    .position(|r| r.rack.as_deref() == Some(scope.name.as_str()))
                    .ok_or_else(|| unknown(scope)),
            },
        }
    }
}

impl TopologySpec {
    /// Places one host per site, in `NodeId` order. `spread` is accepted by every
    /// kind; `region:`/`zone:` need a zones topology and `rack:` a zones or tree one.
    /// Validates the spec first.
    pub fn place(&self, sites: &[Site]) -> Result<Placement, TopologyError> {
        self.validate()?;
        let hosts = sites.len();
        if let Some(defined) = self.fixed_host_count() {
            if defined != hosts {
                return Err(TopologyError::HostCountMismatch {
                    defined,
                    requested: hosts,
                });
            }
        }
        if hosts > self.max_hosts() {
            return Err(TopologyError::TooManyHosts {
                kind: self.kind(),
                hosts,
                max: self.max_hosts(),
            });
        }
        let racks = match self {
            TopologySpec::Zones(z) => Racks::of_zones(z),
            TopologySpec::Tree(t) => Racks::of_tree(t),
            _ => {
                if let Some(site) = sites.iter().find(|s| **s != Site::Spread) {
                    return Err(TopologyError::SiteNotSupported {
                        site: site.to_string(),
                        kind: self.kind(),
                    });
                }
                return Ok(Placement::new(vec![Location::default(); hosts]));
            }
        };
        if matches!(self, TopologySpec::Tree(_)) {
            if let Some(site) = sites
                .iter()
                .find(|s| matches!(s, Site::In(scope) if scope.level != Level::Rack))
            {
                return Err(TopologyError::SiteNotSupported {
                    site: site.to_string(),
                    kind: "tree",
                });
            }
        }
        let mut cursor = Cursor::new(&racks);
        let locations = sites
            .iter()
            .map(|site| cursor.place(site).map(|r| racks.racks[r].clone()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Placement::new(locations))
    }

    /// Places `hosts` hosts, all `spread`.
    pub fn place_spread(&self, hosts: usize) -> Result<Placement, TopologyError> {
        self.place(&vec![Site::Spread; hosts])
    }
}
