//! The gallery's sweep: every gallery scenario over the same seed range through the
//! sweep machinery (`crate::sweep::run_sweep`: parallel pool, one progress bar for
//! the whole gallery, panics caught as failing seeds), aggregated by
//! `crate::sweep::aggregate` exactly as `hasim sweep` aggregates, and the figures
//! each scenario's `[gallery]` asks for picked out of the aggregate.

use super::error::GalleryError;
use super::scenarios::Entry;
use crate::runner;
use crate::sweep::aggregate::{
    self, Aggregate, CheckTally, FailingSeed, NONDETERMINISTIC, PANICKED,
};
use crate::sweep::output::{Header, FORMAT};
use crate::sweep::seeds::{SeedPlan, SeedRange};
use crate::sweep::stats::Summary;
use crate::sweep::{interrupt, progress, run_sweep, ScenarioRuns, Settings};
use std::path::PathBuf;

/// One gallery scenario, measured.
#[derive(Clone, Debug)]
pub struct Row {
    /// The scenario file.
    pub path: PathBuf,
    /// `[gallery] title`.
    pub title: String,
    /// The model it runs (for a composition, the entry of its figures).
    pub model: crate::models::ModelEntry,
    /// The model's name, or a composition's descriptor (`front:balancing+orders:raft`).
    pub model_name: String,
    /// How many nodes it has.
    pub nodes: usize,
    /// How many checks it declares.
    pub checks: usize,
    /// The sweep's aggregate (the same `hasim sweep` prints).
    pub aggregate: Aggregate,
    /// The `[gallery] figures`, in order, each with its distribution over the seeds.
    pub figures: Vec<(String, Summary)>,
}

impl Row {
    /// Whether every check held on every seed (and no seed panicked).
    pub fn held(&self) -> bool {
        self.aggregate.failed == 0
    }

    /// The checks violated on some seed, each with on how many seeds.
    pub fn violated_checks(&self) -> Vec<&CheckTally> {
        self.aggregate
            .checks
            .iter()
            .filter(|c| c.violated > 0)
            .collect()
    }

    /// The failing seeds no check tally accounts for: a panic, a divergence, or a
    /// violation without a check entry.
    pub fn other_failures(&self) -> Vec<&FailingSeed> {
        let a = &self.aggregate;
        a.failing
            .iter()
            .filter(|f| {
                f.outcome == PANICKED
                    || f.outcome == NONDETERMINISTIC
                    || a.checks.iter().all(|c| c.violated == 0)
            })
            .collect()
    }

    /// What went wrong on the sweep, one line each: the violated checks with how many
    /// seeds violated them, the other failing seeds, and the first failing seed's
    /// replay command. Empty when every check held.
    pub fn violations(&self) -> Vec<String> {
        let runs = self.aggregate.runs;
        let mut out: Vec<String> = self
            .violated_checks()
            .iter()
            .map(|c| {
                format!(
                    "check `{}` violated on {} of {runs} seeds",
                    c.name, c.violated
                )
            })
            .collect();
        out.extend(
            self.other_failures()
                .iter()
                .map(|f| format!("seed {} ({}): {}", f.seed, f.outcome, f.reason)),
        );
        if let Some(first) = self.aggregate.failing.first() {
            out.push(format!(
                "first failing seed {}: {}",
                first.seed, first.replay
            ));
        }
        out
    }
}

/// How the gallery sweeps.
#[derive(Clone, Copy, Debug)]
pub struct Sweep {
    /// The seeds every scenario runs.
    pub seeds: SeedRange,
    /// Worker threads.
    pub jobs: usize,
    /// No progress bar.
    pub quiet: bool,
}

/// Sweeps every entry over `sweep.seeds`. `Ok(None)` when interrupted (Ctrl-C).
pub fn measure(entries: &[Entry], sweep: Sweep) -> Result<Option<Vec<Row>>, GalleryError> {
    if sweep.jobs == 0 {
        return Err(GalleryError::Argument(
            "--jobs must be at least 1".to_string(),
        ));
    }
    let settings = Settings {
        plan: SeedPlan {
            range: sweep.seeds,
            shard: None,
        },
        jobs: sweep.jobs,
        check_determinism: false,
    };
    let bar = progress::bar(settings.plan.len() * entries.len() as u64, sweep.quiet);
    let stop = interrupt::flag();
    let mut rows = Vec::new();
    for entry in entries {
        let scenario = &entry.scenario;
        let results = run_sweep(&ScenarioRuns { scenario }, &settings, stop, &bar);
        let results = match results {
            Ok(r) => r,
            Err(message) => {
                bar.finish_and_clear();
                return Err(GalleryError::Run {
                    scenario: scenario.path.clone(),
                    message,
                });
            }
        };
        if (results.len() as u64) < settings.plan.len() {
            bar.finish_and_clear();
            return Ok(None);
        }
        let header = Header {
            format: FORMAT.to_string(),
            scenario: scenario.name.clone(),
            model: scenario.model.clone(),
            scenario_hash: scenario.hash.clone(),
            hasim_version: runner::VERSION.to_string(),
            seeds: sweep.seeds,
            shard: None,
            runs: results.len() as u64,
            complete: true,
        };
        let aggregate = aggregate::aggregate(&scenario.entry, &header, &results);
        let figures = pick(entry, &aggregate)?;
        rows.push(Row {
            path: scenario.path.clone(),
            title: entry.gallery.title.clone(),
            model: scenario.entry.clone(),
            model_name: scenario.model.clone(),
            nodes: scenario.nodes.len(),
            checks: scenario.checks.len(),
            aggregate,
            figures,
        });
    }
    bar.finish_and_clear();
    Ok(Some(rows))
}

/// The `[gallery] figures` out of the aggregate; a figure no seed reported is an
/// error, never a blank cell.
fn pick(entry: &Entry, a: &Aggregate) -> Result<Vec<(String, Summary)>, GalleryError> {
    entry
        .gallery
        .figures
        .iter()
        .map(|name| match a.figures.get(name) {
            Some(summary) => Ok((name.clone(), summary.clone())),
            None => Err(GalleryError::FigureNotReported {
                scenario: entry.scenario.path.clone(),
                figure: name.clone(),
                reported: a.figures.keys().cloned().collect(),
            }),
        })
        .collect()
}
