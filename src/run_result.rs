//! What one run of a scenario gives: its [`RunResult`] (figures, checks, trace hash,
//! replay command), or the [`RunError`] that kept it from running. Plain data, so
//! the reports, timelines and sweeps that read results depend on this, not on the
//! runner that makes them.

use crate::size::size_text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What one run measured and concluded. One JSON line per run in sweep files.
///
/// A figure with no value (a detection time when nothing crashed) is NaN here and
/// `null` in JSON; equality treats two such figures as equal, so a run compared with
/// its replay or its merged copy is equal to itself.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct RunResult {
    /// The scenario's name.
    pub scenario: String,
    /// Hash of the scenario file's bytes, 16 hex digits.
    pub scenario_hash: String,
    /// The hasim version that ran it.
    pub hasim_version: String,
    /// The seed.
    pub seed: u64,
    /// How the run ended: completed, horizon_reached, budget_exhausted,
    /// timers_exhausted, memory_exhausted, violated.
    pub outcome: String,
    /// Simulated time at the end, in seconds.
    pub sim_time_s: f64,
    /// Events processed.
    pub events: u64,
    /// The running hash of the whole trace, 16 hex digits.
    pub trace_hash: String,
    /// Every figure, in base units (seconds, fractions, counts); NaN for no value.
    #[serde(deserialize_with = "figures_with_no_value")]
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

impl PartialEq for RunResult {
    fn eq(&self, other: &Self) -> bool {
        let same_figures = self.figures.len() == other.figures.len()
            && self
                .figures
                .iter()
                .zip(&other.figures)
                .all(|((a, x), (b, y))| a == b && same_value(*x, *y));
        same_figures
            && self.scenario == other.scenario
            && self.scenario_hash == other.scenario_hash
            && self.hasim_version == other.hasim_version
            && self.seed == other.seed
            && self.outcome == other.outcome
            && same_value(self.sim_time_s, other.sim_time_s)
            && self.events == other.events
            && self.trace_hash == other.trace_hash
            && self.checks == other.checks
            && self.violation == other.violation
            && self.trace_tail == other.trace_tail
            && self.replay == other.replay
    }
}

/// Equal values, two "no value"s (NaN) included.
pub fn same_value(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Reads figures back from JSON, where a figure with no value was written `null`.
fn figures_with_no_value<'de, D>(d: D) -> Result<BTreeMap<String, f64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw: BTreeMap<String, Option<f64>> = Deserialize::deserialize(d)?;
    Ok(raw
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or(f64::NAN)))
        .collect())
}

/// What became of a check: it held, it did not, or there was nothing to judge it on
/// (a figure with no value, a property the run stopped before judging). Unmeasured
/// fails: a check must never pass without a measurement.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// It held.
    Pass,
    /// It did not hold.
    Fail,
    /// Nothing to judge it on; counts as a failure.
    Unmeasured,
}

impl Verdict {
    /// How summaries print it: `pass`, `FAIL`, `UNMEASURED`.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::Unmeasured => "UNMEASURED",
        }
    }
}

/// One check's verdict.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// The check as written ("availability >= 99.9%", "eventually all_up within 5s").
    pub name: String,
    /// Whether it held (`verdict` is pass).
    pub passed: bool,
    /// Pass, fail or unmeasured.
    pub verdict: Verdict,
    /// Why it failed or was not measured: the end check's own message, the violation,
    /// or what was missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
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
    /// The model refused its parameters or a property name.
    Model(String),
    /// The trace would have passed its size limit, so it was not written.
    TraceTooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        max: u64,
        /// The records that fit.
        records: u64,
    },
    /// The trace file could not be written.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Sim(e) => write!(f, "the engine refused the run: {e}"),
            RunError::Model(m) => write!(f, "the model refused the scenario: {m}"),
            RunError::TraceTooLarge { path, max, records } => write!(
                f,
                "{}: the trace passed --trace-max {} after {records} records, so it was not written (a cut-off trace would read as the whole run); raise --trace-max or shorten the run",
                path.display(),
                size_text(*max)
            ),
            RunError::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}
impl std::error::Error for RunError {}
