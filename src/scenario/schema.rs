//! The scenario file as written: serde types that mirror the TOML one to one, with
//! spans kept on every value a later check may reject. Unknown fields are errors
//! everywhere. Meaning (nodes, selectors, checks) is resolved in the parent module.

use super::units::{FixedDist, MeanDist, Probability, ValidDist};
use hasim_sim::{SignedDuration, SimDuration, SimTime};
use serde::Deserialize;
use toml::Spanned;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub scenario: Header,
    #[serde(default)]
    pub network: NetworkSpec,
    /// `[topology]`: a hasim-topologies `TopologySpec`, kept as a table here so that
    /// `scenario::topology` can name the field at fault (its tagged enum would lose
    /// the positions of the fields inside it).
    pub topology: Option<Spanned<toml::Table>>,
    #[serde(default, rename = "group")]
    pub groups: Vec<GroupSpec>,
    /// `[[part]]`: a composed system's parts (then groups only name nodes).
    #[serde(default, rename = "part")]
    pub parts: Vec<Spanned<PartSpec>>,
    /// `[params.ROLE]`: parameters for every group of a role (`role_params` says how
    /// they combine with a group's own).
    pub params: Option<Spanned<std::collections::BTreeMap<String, Spanned<toml::Table>>>>,
    #[serde(default, rename = "fault")]
    pub faults: Vec<Spanned<FaultSpec>>,
    /// `[faults.random]` and `[faults.swarm]`.
    #[serde(default, rename = "faults")]
    pub generators: GeneratorsSpec,
    #[serde(default, rename = "check")]
    pub checks: Vec<Spanned<toml::Table>>,
    /// `[[schedule]]`: concrete faults in the engine's vocabulary, with node names
    /// (what `hasim shrink` writes).
    #[serde(default)]
    pub schedule: Vec<Spanned<toml::Table>>,
    /// `[gallery]`: how `hasim gallery` shows this scenario (gallery scenarios only).
    pub gallery: Option<Spanned<GallerySpec>>,
}

/// `[gallery]`: the scenario's row in the README's gallery table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GallerySpec {
    /// The row's label.
    pub title: Spanned<String>,
    /// The sweep figures the row shows, in this order.
    pub figures: Spanned<Vec<Spanned<String>>>,
}

/// `[scenario]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub duration: Spanned<SimDuration>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Stops a runaway model; default 50 million events.
    pub event_budget: Option<Spanned<u64>>,
    /// Stops a run that holds more memory than this ("4GiB"); default 4 GiB.
    pub memory_max: Option<Spanned<String>>,
}

fn default_seed() -> u64 {
    1
}

/// `[network]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// Default one-way latency between any two nodes.
    pub latency: Option<Spanned<ValidDist>>,
    /// Default loss probability.
    pub loss: Option<Spanned<Probability>>,
    /// Probability that a message is delivered twice.
    pub duplicate: Option<Probability>,
    /// Declared zones (groups may also name zones; `zone = "spread"` uses these).
    #[serde(default)]
    pub zones: Vec<Spanned<String>>,
    /// `[[network.zone]]`: latency and loss inside one zone.
    #[serde(default, rename = "zone")]
    pub zone_overrides: Vec<ZoneOverride>,
    /// `[[network.between]]`: latency and loss between two zones.
    #[serde(default)]
    pub between: Vec<BetweenOverride>,
}

/// `[[network.zone]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneOverride {
    pub zone: Spanned<String>,
    pub latency: Option<ValidDist>,
    pub loss: Option<Probability>,
}

/// `[[network.between]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BetweenOverride {
    pub zones: Spanned<[Spanned<String>; 2]>,
    pub latency: Option<ValidDist>,
    pub loss: Option<Probability>,
}

/// `[[group]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    pub role: Spanned<String>,
    #[serde(default = "default_count")]
    pub count: Spanned<u32>,
    /// A zone name, or "spread" to place nodes round robin over `network.zones` (or
    /// over the `[topology]`'s zones, where "region:R", "zone:Z" and "rack:K" work too).
    pub zone: Option<Spanned<String>>,
    /// A rack label (selectors can name it: "rack:r1"); with a `[topology]`, one of
    /// its racks ("a/r1").
    pub rack: Option<Spanned<String>>,
    /// The model every group runs; absent in a composition, where parts name theirs.
    pub protocol: Option<Spanned<String>>,
    pub params: Option<Spanned<toml::Table>>,
}

/// `[[part]]`: one family's model on some of the groups, and its seams.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartSpec {
    /// The part's name: the prefix of its figures and checks.
    pub name: Spanned<String>,
    /// The family's model (`protocol = "NAME"` when it runs alone).
    pub model: Spanned<String>,
    /// The model's roles, each played by the groups of one group role.
    pub roles: Option<Spanned<std::collections::BTreeMap<String, Spanned<String>>>>,
    /// Parameters per model role.
    pub params: Option<Spanned<std::collections::BTreeMap<String, Spanned<toml::Table>>>>,
    /// The store seam: the backends' replies wait for this store part.
    pub store: Option<Spanned<StoreSpec>>,
    /// The detector seam: the detector part this part's failure detector is.
    pub detector: Option<Spanned<String>>,
}

/// A part's `store = { part = "...", ... }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSpec {
    /// The store part.
    pub part: Spanned<String>,
    /// How long a request's write may take before the request fails.
    pub timeout: Option<Spanned<SimDuration>>,
    /// Requests are written to keys `0..keys`.
    pub keys: Option<Spanned<u32>>,
}

fn default_count() -> Spanned<u32> {
    Spanned::new(0..0, 1)
}

/// Every fault kind a scenario can schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    Crash,
    Restart,
    Pause,
    Resume,
    Partition,
    Heal,
    Isolate,
    Rejoin,
    Cut,
    Uncut,
    LinkDown,
    LinkUp,
    LossSpike,
    LatencySpike,
    SpikeEnd,
    ClockJump,
    ClockDrift,
    DiskFault,
    DiskHeal,
}

/// `[[fault]]`: one explicit fault; fields beyond `at` and `kind` depend on the kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub at: Spanned<SimTime>,
    pub kind: Spanned<FaultKind>,
    /// Which nodes: a node name, "role:R", "zone:Z", "rack:K", "all", "random",
    /// "minority".
    pub target: Option<Spanned<String>>,
    /// For cut and link faults: the other end.
    pub source: Option<Spanned<String>>,
    /// Where "random" and "minority" draw from (default: all nodes).
    pub among: Option<Spanned<String>>,
    /// Crash, then restart this much later.
    pub restart_after: Option<Spanned<SimDuration>>,
    /// The fault is undone this much later (resume, heal, rejoin, uncut, ...).
    pub lasts: Option<Spanned<SimDuration>>,
    pub loss: Option<Spanned<Probability>>,
    pub extra: Option<Spanned<SimDuration>>,
    pub by: Option<Spanned<SignedDuration>>,
    pub ppm: Option<Spanned<f64>>,
    pub lose_unsynced: Option<Spanned<bool>>,
    pub write_delay: Option<Spanned<SimDuration>>,
    /// For partitions instead of `target`: split along the structure, every region,
    /// zone or rack cut off from every other.
    pub shape: Option<Spanned<Structure>>,
}

/// A partition along the placement's structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Structure {
    Regions,
    Zones,
    Racks,
}

impl Structure {
    /// The level whose places become the partition's groups.
    pub fn level(self) -> hasim_topologies::Level {
        match self {
            Structure::Regions => hasim_topologies::Level::Region,
            Structure::Zones => hasim_topologies::Level::Zone,
            Structure::Racks => hasim_topologies::Level::Rack,
        }
    }
}

/// `[faults]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratorsSpec {
    pub random: Option<Spanned<RandomSpec>>,
    pub swarm: Option<Spanned<SwarmSpec>>,
    /// `[[faults.lifecycle]]`: long-run failure and repair processes.
    #[serde(default)]
    pub lifecycle: Vec<Spanned<LifecycleSpec>>,
}

/// `[[faults.lifecycle]]`: units (nodes, racks, zones, regions) fail after a drawn
/// time and are repaired after a drawn repair time, by their own repair or by shared
/// crews.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleSpec {
    /// The nodes (default: all); a fixed selector.
    pub target: Option<Spanned<String>>,
    /// What fails as one: each target node, or each rack, zone or region of them.
    pub per: Option<Spanned<UnitKind>>,
    /// Time from a unit's (re)start to its failure; one duration is an exponential's
    /// mean.
    pub time_to_failure: Spanned<MeanDist>,
    /// A crew's time to repair a unit; one duration is an exponential's mean.
    pub time_to_repair: Spanned<MeanDist>,
    /// Shared repair crews (absent: every unit is repaired independently).
    pub crews: Option<Spanned<u32>>,
}

/// What fails as one unit in a lifecycle process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Node,
    Rack,
    Zone,
    Region,
}

/// `[faults.random]`: per-kind random processes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RandomSpec {
    pub start: Option<Spanned<SimTime>>,
    pub end: Option<Spanned<SimTime>>,
    pub crash: Option<CrashSpec>,
    pub pause: Option<EpisodeSpec>,
    pub partition: Option<PartitionSpec>,
    pub loss_spike: Option<LossSpikeSpec>,
    pub latency_spike: Option<LatencySpikeSpec>,
    pub clock_jump: Option<ClockJumpSpec>,
    pub isolate: Option<EpisodeSpec>,
    /// One-way cuts between two targets.
    pub cut: Option<EpisodeSpec>,
    pub link_down: Option<EpisodeSpec>,
    pub clock_drift: Option<ClockDriftSpec>,
    pub disk_fault: Option<DiskFaultSpec>,
}

/// Crash/restart per target node.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrashSpec {
    pub mtbf: MeanDist,
    pub mttr: Option<MeanDist>,
    pub target: Option<Spanned<String>>,
}

/// Episodes on single nodes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpisodeSpec {
    pub every: MeanDist,
    pub lasts: FixedDist,
    pub target: Option<Spanned<String>>,
}

/// Partition episodes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionSpec {
    pub every: MeanDist,
    pub lasts: FixedDist,
    pub shape: Option<Spanned<RandomShape>>,
    pub target: Option<Spanned<String>>,
}

/// How a random partition splits: random sides among the targets, or along the
/// placement like an explicit partition's `shape`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RandomShape {
    Minority,
    Halves,
    Isolate,
    Regions,
    Zones,
    Racks,
}

/// Loss spike episodes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossSpikeSpec {
    pub every: MeanDist,
    pub lasts: FixedDist,
    pub loss: Probability,
    pub target: Option<Spanned<String>>,
}

/// Latency spike episodes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencySpikeSpec {
    pub every: MeanDist,
    pub lasts: FixedDist,
    pub extra: SimDuration,
    pub target: Option<Spanned<String>>,
}

/// Clock jumps.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockJumpSpec {
    pub every: MeanDist,
    pub max: SimDuration,
    pub target: Option<Spanned<String>>,
}

/// Clock drift episodes, drift uniform in [-max_ppm, +max_ppm].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockDriftSpec {
    pub every: MeanDist,
    pub lasts: FixedDist,
    pub max_ppm: Spanned<f64>,
    pub target: Option<Spanned<String>>,
}

/// Disk fault episodes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiskFaultSpec {
    pub every: MeanDist,
    pub lasts: FixedDist,
    #[serde(default)]
    pub lose_unsynced: bool,
    pub write_delay: Option<SimDuration>,
    pub target: Option<Spanned<String>>,
}

/// The kinds a swarm may draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwarmKind {
    Crash,
    Pause,
    Partition,
    LossSpike,
    LatencySpike,
    ClockJump,
    Isolate,
    Cut,
    LinkDown,
    ClockDrift,
    DiskFault,
    ZonePartition,
}

impl SwarmKind {
    /// The kinds a swarm draws when `kinds` is not given, drawn from "faults/swarm"
    /// in this order (changing either would change every swarm's schedules).
    pub const DEFAULT: [SwarmKind; 6] = [
        SwarmKind::Crash,
        SwarmKind::Pause,
        SwarmKind::Partition,
        SwarmKind::LossSpike,
        SwarmKind::LatencySpike,
        SwarmKind::ClockJump,
    ];
    /// The kinds only a `kinds` list turns on, drawn from a stream of their own.
    pub const OPT_IN: [SwarmKind; 6] = [
        SwarmKind::Isolate,
        SwarmKind::Cut,
        SwarmKind::LinkDown,
        SwarmKind::ClockDrift,
        SwarmKind::DiskFault,
        SwarmKind::ZonePartition,
    ];
}

/// `[faults.swarm]`: the kinds and their rates are drawn from the seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwarmSpec {
    pub start: Option<Spanned<SimTime>>,
    pub end: Option<Spanned<SimTime>>,
    /// The kinds the swarm draws from (default: the six of `SwarmKind::DEFAULT`).
    pub kinds: Option<Vec<SwarmKind>>,
    /// Range of mean gaps between faults of a kind, drawn log-uniformly.
    pub every: Option<Spanned<[SimDuration; 2]>>,
    /// Range of episode lengths (and repair times), drawn log-uniformly per kind.
    pub lasts: Option<Spanned<[SimDuration; 2]>>,
    pub target: Option<Spanned<String>>,
}
