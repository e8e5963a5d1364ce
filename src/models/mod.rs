//! The model registry: the one place that maps a scenario's `protocol = "NAME"` to a
//! protocol from hasim-protocols, and its groups and roles to that protocol's
//! configuration. What the protocol checks and measures is its own [`Catalogue`].
//!
//! Adding a model: implement `Params` and `Catalogue` next to the protocol in
//! hasim-protocols, write `src/models/NAME.rs` implementing [`Model`] (roles and
//! `build`), and add one line to the `registry!` list. The registry depends on no
//! module that runs: the runner reaches a model through [`visit`] and a
//! [`ModelVisitor`], so the app's modules form a one-way chain (scenario loading →
//! model mapping → running → reporting).

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
/// the protocol's own [`Catalogue`], in hasim-protocols.
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

/// A registered model: monomorphised functions behind plain pointers.
pub struct ModelEntry {
    /// Its name.
    pub name: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Its roles.
    pub roles: fn() -> Vec<RoleDoc>,
    /// Every figure it reports, generic ones included.
    pub figures: fn() -> Vec<FigureDoc>,
    /// Every property it can check, generic ones included.
    pub properties: fn() -> Vec<PropertyDoc>,
    /// Every end-of-run check it can judge.
    pub end_checks: fn() -> Vec<PropertyDoc>,
    /// Checks the layout and parameters without running.
    pub validate: fn(u32, &[GroupParams<'_>]) -> Result<(), ParamError>,
}

/// Something done with one model's types. The registry calls it with the model a
/// scenario names ([`visit`]), so the running layer can build a monomorphised
/// `Sim<M::Protocol>` without the registry knowing how runs are made: the registry
/// depends on no module that runs.
pub trait ModelVisitor {
    /// What the visit gives.
    type Output;
    /// Does it with model `M`.
    fn visit<M: Model>(self) -> Self::Output;
}

/// The registry: every model once, in the order `hasim list` shows them.
macro_rules! registry {
    ($($model:ty),* $(,)?) => {
        /// Every model, in the order `hasim list` shows them.
        pub fn all() -> Vec<ModelEntry> {
            vec![$(entry::<$model>()),*]
        }

        /// Visits the model named `name`, or `None` for a name no model has.
        pub fn visit<V: ModelVisitor>(name: &str, visitor: V) -> Option<V::Output> {
            $(if name == <$model as Model>::NAME {
                return Some(visitor.visit::<$model>());
            })*
            None
        }
    };
}

registry! {
    ping::PingModel,
    balancing::BalancingModel,
    detection::DetectorModel<hasim_protocols::detection::Heartbeat>,
    detection::DetectorModel<hasim_protocols::detection::PhiAccrual>,
    detection::DetectorModel<hasim_protocols::detection::Swim>,
    detection::DetectorModel<hasim_protocols::detection::Prometheus>,
    quorum::QuorumModel,
    isr::IsrModel,
    redundancy::RedundancyModel,
    supervisor::SupervisorModel,
    rereplication::RereplicationModel,
    compute::ComputeModel,
    raft::RaftModel,
    primary_backup::PrimaryBackupModel,
    data_platform::DataPlatformModel,
}

/// The model named `name`.
pub fn find(name: &str) -> Option<ModelEntry> {
    all().into_iter().find(|m| m.name == name)
}

fn entry<M: Model>() -> ModelEntry {
    ModelEntry {
        name: M::NAME,
        summary: M::SUMMARY,
        roles: M::roles,
        figures: || {
            let mut f = crate::generic::generic_figures();
            f.extend(<M::Protocol as Catalogue>::figure_docs());
            f
        },
        properties: || {
            let mut p = crate::generic::generic_properties();
            p.extend(<M::Protocol as Catalogue>::property_docs());
            p
        },
        end_checks: <M::Protocol as Catalogue>::end_check_docs,
        validate: |nodes, groups| M::build(nodes, groups).map(|_| ()),
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
