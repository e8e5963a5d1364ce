//! The scenario file: what a user writes to describe a system, its faults and the
//! properties it must keep. Loading parses, validates and resolves names to nodes.

mod error;

pub use error::{Location, ScenarioError};
use std::path::{Path, PathBuf};

/// A loaded, validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The scenario's name.
    pub name: String,
    /// One line: the claim the scenario makes.
    pub description: String,
    /// The file it came from.
    pub path: PathBuf,
    /// Hash of the file's bytes, 16 hex digits.
    pub hash: String,
    /// The default seed.
    pub seed: u64,
}

impl Scenario {
    /// Loads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let _ = path;
        todo!("scenario loading: being implemented")
    }
}
