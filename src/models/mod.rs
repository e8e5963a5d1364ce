//! Models as the tooling sees them: the [`Model`] trait that maps a scenario's
//! `protocol = "NAME"` and its groups to a protocol's configuration, the
//! [`ModelEntry`] the registry keeps of each, and hasim's built-in models. What a
//! protocol checks and measures is its own [`Catalogue`].
//!
//! Adding a built-in model: implement `Params` and `Catalogue` next to the protocol in
//! hasim-protocols, write `src/models/NAME.rs` implementing [`Model`] (roles and
//! `build`), and add one line to [`builtins`]. A user's model implements the same
//! trait in its own crate and is registered with `hasim::cli::Cli::model`. This
//! module depends on no module that runs: scenario loading finds entries through
//! [`Lookup`], and the registry above the runner (`hasim::registry`) puts each
//! model's monomorphised run in its entry's opaque [`RunHandle`], so the app's modules
//! form a one-way chain (scenario loading → model mapping → running → reporting).

mod balancing;
/// Compositions: a part's model name to its protocol.
pub mod composed;
/// Recovery: Spark-style batch and Flink-style streaming jobs.
mod compute;
/// A composed system: an ISR ingest log, a job on supervised executors, rack-aware storage.
mod data_platform;
mod detection;
/// The memory a detector's state would take, refused before the run when too much.
/// How a model reads its groups: roles, shared parameter sets, single nodes.
pub mod groups;
mod isr;
mod ping;
mod primary_backup;
mod quorum;
mod raft;
mod redundancy;
/// Recovery: HDFS-style re-replication after datanode or rack loss.
mod rereplication;
/// Recovery: a Kubernetes-style restart supervisor.
mod supervisor;

use serde::de::DeserializeOwned;
use std::ops::Range;

pub use hasim_protocols::catalogue::{
    param_docs, Catalogue, FigureDoc, ParamDoc, Params, Predicate, PropertyDoc, Unit,
};

/// A role a model knows.
#[derive(Clone, Debug)]
pub struct RoleDoc {
    /// The name in `[[group]] role = ...`.
    pub role: &'static str,
    /// What nodes of this role do.
    pub doc: &'static str,
    /// Its parameters.
    pub params: Vec<ParamDoc>,
}

/// One group's part of the layout, as a model sees it.
#[derive(Clone, Debug)]
pub struct GroupParams<'a> {
    /// The role.
    pub role: &'a str,
    /// Its nodes (contiguous ids).
    pub nodes: Range<u32>,
    /// The `params` table as written.
    pub params: &'a toml::Table,
}

/// Parameters a model rejected: which group, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamError {
    /// Index of the group in the file.
    pub group: usize,
    /// Whether the role itself is the problem (else the params).
    pub role: bool,
    /// What was expected.
    pub message: String,
}

/// A protocol as the runner sees it: how a scenario's groups become the protocol.
/// Everything else the tooling knows about it (figures, properties, end checks) is
/// the protocol's own [`Catalogue`].
///
/// Implement it for your own protocol in your own crate and register it with
/// `hasim::cli::Cli::new().model::<YourModel>()`; `examples/kv-lease` (and the guide,
/// `docs/src/own-protocol.md`) is a complete one. `build` reads each group's
/// `params` with [`params`] and names the group in a [`ParamError`], which `hasim
/// check` prints at the group's line in the file.
pub trait Model {
    /// The protocol it runs.
    type Protocol: Catalogue;
    /// `protocol = "NAME"` in a scenario.
    const NAME: &'static str;
    /// One line for `hasim list`.
    const SUMMARY: &'static str;
    /// The roles it knows, with parameters and defaults.
    fn roles() -> Vec<RoleDoc>;
    /// Builds the configuration for `nodes` nodes from the groups.
    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Self::Protocol, ParamError>;
}

/// A registered model: monomorphised functions behind plain pointers, and the handle
/// its registry runs it by.
#[derive(Clone)]
pub struct ModelEntry {
    /// Its name.
    pub name: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Its roles.
    pub roles: fn() -> Vec<RoleDoc>,
    /// Every figure it reports, generic ones included.
    pub figures: FigureList,
    /// Every property it can check, generic ones included.
    pub properties: fn() -> Vec<PropertyDoc>,
    /// Every end-of-run check it can judge.
    pub end_checks: fn() -> Vec<PropertyDoc>,
    /// Checks the layout and parameters without running.
    pub validate: fn(u32, &[GroupParams<'_>]) -> Result<(), ParamError>,
    /// How the registry that made the entry runs the model: opaque here, so this
    /// module (and scenario loading, which keeps the entry in the scenario) names no
    /// type of the modules that run.
    pub runs: RunHandle,
}

impl std::fmt::Debug for ModelEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelEntry")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// How an entry lists its figures: a function, which for a composition holds the
/// composition's own (its parts' names depend on the scenario).
pub type FigureList = std::sync::Arc<dyn Fn() -> Vec<FigureDoc> + Send + Sync>;

/// A model's monomorphised run, put in its entry by the registry (`hasim::registry`)
/// and opened only by the runner (`hasim::drive`), which knows its type. Type-erased
/// so the layering stays one way: scenario loading → models → running.
#[derive(Clone)]
pub struct RunHandle(std::sync::Arc<dyn std::any::Any + Send + Sync>);

impl RunHandle {
    /// A handle holding `run`.
    pub fn new<T: std::any::Any + Send + Sync>(run: T) -> Self {
        RunHandle(std::sync::Arc::new(run))
    }

    /// What the handle holds, if it is a `T`.
    pub fn get<T: std::any::Any>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }
}

/// How scenario loading finds models: by name, docs and validation only. The
/// registry (`hasim::registry::Registry`) implements it; a test can use a stand-in.
pub trait Lookup {
    /// The model named `name`.
    fn find(&self, name: &str) -> Option<&ModelEntry>;
    /// Every model, in the order `hasim list` shows them.
    fn entries(&self) -> &[ModelEntry];
}

/// Something models register with; [`builtins`] registers hasim's own through it, the
/// same way a user's `main` registers theirs.
pub trait Register {
    /// Registers model `M`.
    fn register<M: Model>(&mut self);
}

/// Registers every built-in model, in the order `hasim list` shows them.
pub fn builtins(r: &mut impl Register) {
    r.register::<ping::PingModel>();
    r.register::<balancing::BalancingModel>();
    r.register::<detection::DetectorModel<hasim_protocols::detection::Heartbeat>>();
    r.register::<detection::DetectorModel<hasim_protocols::detection::PhiAccrual>>();
    r.register::<detection::DetectorModel<hasim_protocols::detection::Swim>>();
    r.register::<detection::DetectorModel<hasim_protocols::detection::Prometheus>>();
    r.register::<quorum::QuorumModel>();
    r.register::<isr::IsrModel>();
    r.register::<redundancy::RedundancyModel>();
    r.register::<supervisor::SupervisorModel>();
    r.register::<rereplication::RereplicationModel>();
    r.register::<compute::ComputeModel>();
    r.register::<raft::RaftModel>();
    r.register::<primary_backup::PrimaryBackupModel>();
    r.register::<data_platform::DataPlatformModel>();
}

/// The entry of model `M`, run through `runs`.
pub fn entry<M: Model>(runs: RunHandle) -> ModelEntry {
    ModelEntry {
        name: M::NAME,
        summary: M::SUMMARY,
        roles: M::roles,
        figures: std::sync::Arc::new(|| {
            let mut f = crate::generic::generic_figures();
            f.extend(<M::Protocol as Catalogue>::figure_docs());
            f
        }),
        properties: || {
            let mut p = crate::generic::generic_properties();
            p.extend(<M::Protocol as Catalogue>::property_docs());
            p
        },
        end_checks: <M::Protocol as Catalogue>::end_check_docs,
        validate: |nodes, groups| M::build(nodes, groups).map(|_| ()),
        runs,
    }
}

/// Deserialises a role's parameters from its `params` table (unknown keys rejected by
/// the parameter struct's `deny_unknown_fields`).
pub fn params<T: DeserializeOwned>(group: usize, table: &toml::Table) -> Result<T, ParamError> {
    T::deserialize(toml::Value::Table(table.clone())).map_err(|e| ParamError {
        group,
        role: false,
        message: e.message().trim().to_string(),
    })
}

/// A store model's `client` group: the shared key-value workload's parameters,
/// deserialised and range-checked, the error naming the group.
pub fn workload(
    group: usize,
    table: &toml::Table,
) -> Result<hasim_protocols::replication::WorkloadParams, ParamError> {
    let w: hasim_protocols::replication::WorkloadParams = params(group, table)?;
    w.validate().map_err(|e| groups::invalid(group, e))?;
    Ok(w)
}
