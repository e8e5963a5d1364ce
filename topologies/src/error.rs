//! The typed errors of this crate: a bad `[topology]` table, a placement that does not
//! fit the topology, and a fault naming a switch or link that does not exist. Each
//! message names the field or element at fault and what would be accepted.

use core::fmt;

/// Why a topology spec, a placement or a topology fault was rejected.
#[derive(Clone, Debug, PartialEq)]
pub enum TopologyError {
    /// A link latency distribution is invalid, or has no finite mean to route by.
    BadLatency {
        /// The field or link, e.g. `inter_zone_latency` or `links[2]`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A loss probability outside [0, 1] (or not a number).
    BadLoss {
        /// The field or link, e.g. `host_loss` or `links[0]`.
        field: String,
        /// The value given.
        value: f64,
    },
    /// A count parameter out of its range.
    BadCount {
        /// The field, e.g. `racks` or `fanout`.
        field: &'static str,
        /// The value given.
        value: u64,
        /// The accepted range, in words.
        expected: &'static str,
    },
    /// More hosts than this kind of topology supports.
    TooManyHosts {
        /// The topology kind.
        kind: &'static str,
        /// Hosts requested.
        hosts: usize,
        /// The largest supported number.
        max: usize,
    },
    /// A zones topology with neither `zones` nor `regions`.
    NoZones,
    /// A zones topology with both `zones` and `regions`.
    ZonesAndRegions,
    /// A region that lists no zones.
    EmptyRegion {
        /// The region's name.
        region: String,
    },
    /// A region, zone or switch name that is empty or contains a reserved character.
    BadName {
        /// What was being named: "region", "zone" or "switch".
        what: &'static str,
        /// The name as given.
        name: String,
    },
    /// The same name declared twice.
    DuplicateName {
        /// What was being named.
        what: &'static str,
        /// The repeated name.
        name: String,
    },
    /// An edges topology with an empty `links` list.
    NoLinks,
    /// A link from an element to itself.
    SelfLink {
        /// Position in `links`, when the link came from a spec.
        index: Option<usize>,
        /// The endpoint, as written.
        endpoint: String,
    },
    /// The same pair of elements joined twice.
    DuplicateLink {
        /// One endpoint, as written.
        a: String,
        /// The other endpoint, as written.
        b: String,
    },
    /// An edges topology in which a host below the highest host index has no link.
    HostWithoutLink {
        /// The host index.
        host: u32,
    },
    /// The topology defines a fixed number of hosts and the scenario asked for another.
    HostCountMismatch {
        /// Hosts the topology defines.
        defined: usize,
        /// Hosts the scenario has.
        requested: usize,
    },
    /// A site (zone, region, rack) that the topology does not declare.
    UnknownSite {
        /// The site as written, e.g. `zone:x`.
        site: String,
        /// The names that would be accepted at that level, comma-separated.
        known: String,
    },
    /// A site given to a topology kind that has no such level.
    SiteNotSupported {
        /// The site as written.
        site: String,
        /// The topology kind.
        kind: &'static str,
    },
    /// A site selector that is not `spread`, `region:NAME`, `zone:NAME` or `rack:NAME`.
    BadSite {
        /// The text as given.
        text: String,
    },
    /// A fault named a switch the topology does not have.
    UnknownSwitch {
        /// The name given.
        name: String,
    },
    /// A fault named a host the topology does not have.
    UnknownHost {
        /// The host index given.
        host: u32,
    },
    /// A fault named two elements that no link joins.
    NoSuchLink {
        /// One endpoint.
        a: String,
        /// The other endpoint.
        b: String,
    },
}

impl fmt::Display for TopologyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use TopologyError::*;
        match self {
            BadLatency { field, reason } => write!(f, "topology.{field}: {reason}"),
            BadLoss { field, value } => write!(
                f,
                "topology.{field}: loss {value} is not a probability; expected a value in [0, 1] such as 0.001, \"1/1000\" or \"0.1%\""
            ),
            BadCount { field, value, expected } => {
                write!(f, "topology.{field}: {value} is out of range; expected {expected}")
            }
            TooManyHosts { kind, hosts, max } => write!(
                f,
                "topology kind \"{kind}\" supports at most {max} hosts, the scenario has {hosts}"
            ),
            NoZones => f.write_str(
                "topology kind \"zones\" needs `zones = [...]` or `regions = [{ name = ..., zones = [...] }]`",
            ),
            ZonesAndRegions => f.write_str(
                "topology kind \"zones\": give either `zones` (one region) or `regions`, not both",
            ),
            EmptyRegion { region } => write!(f, "topology.regions: region \"{region}\" lists no zones"),
            BadName { what, name } => write!(
                f,
                "topology: {what} name \"{name}\" must be non-empty and must not contain '/' or ':'"
            ),
            DuplicateName { what, name } => {
                write!(f, "topology: {what} \"{name}\" is declared more than once")
            }
            NoLinks => f.write_str("topology kind \"edges\" needs a non-empty `links` list"),
            SelfLink { index: Some(i), endpoint } => {
                write!(f, "topology.links[{i}]: links {endpoint} to itself")
            }
            SelfLink { index: None, endpoint } => write!(f, "a link from {endpoint} to itself"),
            DuplicateLink { a, b } => write!(f, "topology.links: {a} and {b} are joined twice"),
            HostWithoutLink { host } => write!(
                f,
                "topology.links: host {host} has no link (hosts are numbered from 0 without gaps)"
            ),
            HostCountMismatch { defined, requested } => write!(
                f,
                "the topology defines {defined} hosts but the scenario has {requested} nodes"
            ),
            UnknownSite { site, known } => {
                write!(f, "unknown site \"{site}\"; the topology declares: {known}")
            }
            SiteNotSupported { site, kind } => write!(
                f,
                "site \"{site}\" needs a topology with that level; kind \"{kind}\" has none"
            ),
            BadSite { text } => write!(
                f,
                "bad site \"{text}\"; expected \"spread\", \"region:NAME\", \"zone:NAME\" or \"rack:NAME\""
            ),
            UnknownSwitch { name } => write!(f, "the topology has no switch \"{name}\""),
            UnknownHost { host } => write!(f, "the topology has no host {host}"),
            NoSuchLink { a, b } => write!(f, "the topology has no link between {a} and {b}"),
        }
    }
}

impl std::error::Error for TopologyError {}
