//! One run of a scenario for one seed: builds the model's `Sim`, runs it, and turns
//! what happened into a [`RunResult`] (figures, checks, trace hash, replay command).
//!
//! This is the API the CLI and the sweep machinery build on; it never prints.

use crate::scenario::Scenario;
use hasim_sim::ScheduledFault;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How to run a scenario once.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// The seed of the run.
    pub seed: u64,
    /// Writes every trace record as JSON lines to this file (atomically).
    pub trace_path: Option<PathBuf>,
    /// On a violation, the last N trace records are kept in the result (0: none).
    pub trace_tail: usize,
    /// Replaces the schedule that the scenario would generate (an edited replay).
    pub schedule: Option<Vec<ScheduledFault>>,
}

/// What one run measured and concluded. One JSON line per run in sweep files.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RunResult {
    /// The scenario's name.
    pub scenario: String,
    /// Hash of the scenario file's bytes, 16 hex digits.
    pub scenario_hash: String,
    /// The hasim version that ran it.
    pub hasim_version: String,
    /// The seed.
    pub seed: u64,
    /// How the run ended: completed, horizon_reached, budget_exhausted, violated.
    pub outcome: String,
    /// Simulated time at the end, in seconds.
    pub sim_time_s: f64,
    /// Events processed.
    pub events: u64,
    /// The running hash of the whole trace, 16 hex digits.
    pub trace_hash: String,
    /// Every figure, in base units (seconds, fractions, counts).
    pub figures: BTreeMap<String, f64>,
    /// Every check of the scenario, in file order.
    pub checks: Vec<CheckResult>,
    /// The violated property and why, if one was.
    pub violation: Option<String>,
    /// The last trace records before a violation (when asked for).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trace_tail: Vec<String>,
    /// The exact command that replays this run.
    pub replay: String,
}

/// One check's verdict.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// The check as written ("availability >= 99.9%", "eventually all_up within 5s").
    pub name: String,
    /// Whether it held.
    pub passed: bool,
    /// The measured value, for objectives on figures.
    pub measured: Option<f64>,
    /// What was expected, in words.
    pub expected: String,
}

impl RunResult {
    /// Whether every check held and nothing was violated.
    pub fn passed(&self) -> bool {
        self.violation.is_none() && self.checks.iter().all(|c| c.passed)
    }
}

/// Why a run could not be carried out (as opposed to a check failing).
#[derive(Debug)]
pub enum RunError {
    /// The engine refused the configuration (a replayed schedule naming a missing node).
    Sim(hasim_sim::SimError),
    /// The trace file could not be written.
    Io { path: PathBuf, source: std::io::Error },
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Sim(e) => write!(f, "the engine refused the run: {e}"),
            RunError::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}
impl std::error::Error for RunError {}

/// Runs `scenario` once with `opts`.
pub fn run(scenario: &Scenario, opts: &RunOptions) -> Result<RunResult, RunError> {
    let _ = (scenario, opts);
    todo!("runner: being implemented")
}
