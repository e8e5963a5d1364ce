//! The scenario file: what a user writes to describe a system, its faults and the
//! properties it must keep. Loading parses ([`schema`]), then validates and resolves
//! names to nodes here, so that a loaded [`Scenario`] can always run. Every rejection
//! is a [`ScenarioError`] with the file, line, column and field.

pub mod checks;
mod compose;
pub mod concrete;
mod error;
mod fault_specs;
mod fault_warnings;
mod gallery_spec;
pub mod input;
mod known;
mod lifecycle_specs;
pub mod network;
pub mod plan;
mod random_specs;
mod role_params;
pub mod schema;
mod seams;
pub mod selector;
mod topology;
pub mod units;
mod validate;

pub use checks::Check;
pub use error::{Location, ScenarioError};
pub use gallery_spec::Gallery;
pub use network::Network;
pub use plan::FaultPlan;
pub use selector::{NodeLabels, Selector};

use crate::models::Lookup;
use hasim_sim::{ScheduledFault, SimDuration, SimTime};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A group of nodes running one role of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The role.
    pub role: String,
    /// Its nodes, as contiguous ids.
    pub nodes: Range<u32>,
    /// The `params` table as written, laid over its role's `[params.ROLE]` table.
    pub params: toml::Table,
}

/// A loaded, validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The scenario's name.
    pub name: String,
    /// One line: the claim the scenario makes.
    pub description: String,
    /// The file it came from, as given.
    pub path: PathBuf,
    /// Hash of the file's bytes, 16 hex digits.
    pub hash: String,
    /// The default seed.
    pub seed: u64,
    /// How long the run lasts in simulated time.
    pub duration: SimDuration,
    /// The most events a run may process.
    pub event_budget: u64,
    /// The most bytes a run may hold beyond what it held before it was built.
    pub memory_max: u64,
    /// The model every group runs, or a composition's descriptor
    /// (`front:balancing+orders:raft`: each part's name and model).
    pub model: String,
    /// The composed system, when the scenario has `[[part]]` tables.
    pub composition: Option<hasim_protocols::compose::Composed>,
    /// Its entry, from the registry the scenario was loaded with (how to run it;
    /// for a composition, its figures' docs: the runner runs `composition`).
    pub entry: crate::models::ModelEntry,
    /// Every node: name, role, zone, rack; index = node id.
    pub nodes: Vec<NodeLabels>,
    /// The groups, in file order.
    pub groups: Vec<Group>,
    /// The network.
    pub network: Network,
    /// The faults.
    pub faults: FaultPlan,
    /// Faults that cannot do anything, one line each naming the file, line and
    /// fault (`FILE:LINE: fault[3] (restart at 12s): ...`); `check` and `run` print
    /// them on stderr.
    pub warnings: Vec<String>,
    /// The checks, in file order.
    pub checks: Vec<Check>,
    /// `[gallery]`: its row in the README's gallery table, for gallery scenarios.
    pub gallery: Option<Gallery>,
}

/// The most nodes a scenario may declare (the engine handles more; this catches typos).
pub const NODES_MAX: u32 = 100_000;

impl Scenario {
    /// Loads and validates a scenario file, finding its model in `models` (a
    /// [`crate::registry::Registry`]).
    pub fn load(path: &Path, models: &dyn Lookup) -> Result<Scenario, ScenarioError> {
        let text = input::read_bounded(path).map_err(|message| ScenarioError::Io {
            file: path.to_path_buf(),
            message,
        })?;
        Scenario::parse(&text, path, models)
    }

    /// Parses and validates scenario text; `path` is used in messages and the replay
    /// command; its model is found in `models`.
    pub fn parse(text: &str, path: &Path, models: &dyn Lookup) -> Result<Scenario, ScenarioError> {
        let file: schema::File = toml::from_str(text).map_err(|e| {
            let at = Location::of(path, text, e.span());
            let field = at.key_on_line();
            ScenarioError::Syntax {
                at,
                field,
                message: e.message().trim().to_string(),
            }
        })?;
        validate::resolve(file, text, path, models).map_err(|bad| bad.into_error(path, text))
    }

    /// The concrete fault schedule of a run with `seed`.
    pub fn schedule(&self, seed: u64) -> Vec<ScheduledFault> {
        self.faults.schedule(&self.nodes, seed)
    }

    /// The end of the run.
    pub fn horizon(&self) -> SimTime {
        SimTime::ZERO.saturating_add(self.duration)
    }

    /// A node's name ("server-2"), or its id if out of range.
    pub fn node_name(&self, node: hasim_sim::NodeId) -> String {
        self.nodes
            .get(node.index())
            .map_or_else(|| node.to_string(), |n| n.name.clone())
    }
}

/// Hash of a file's bytes as 16 hex digits (the trace's hash function: stable
/// everywhere).
pub fn file_hash(bytes: &[u8]) -> String {
    let mut h = hasim_sim::trace::TraceHash::default();
    h.word(bytes.len() as u64);
    for chunk in bytes.chunks(8) {
        let mut buf = [0u8; 8];
        buf[..chunk.len()].copy_from_slice(chunk);
        h.word(u64::from_le_bytes(buf));
    }
    format!("{:016x}", h.value())
}
