//! The gallery's sweep: every gallery scenario over the same seed range through the
//! sweep machinery (`crate::sweep::run_sweep`: parallel pool, one progress bar for
//! the whole gallery, panics caught as failing seeds), aggregated by
//! `crate::sweep::aggregate` exactly as `hasim sweep` aggregates, and the figures
//! each scenario's `[gallery]` asks for picked out of the aggregate.

use super::error::GalleryError;
use super::scenarios::Entry;
use crate::runner;
use crate::sweep::aggregate::{self, Aggregate, NONDETERMINISTIC, PANICKED};
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
    /// The model it runs.
    pub model: String,
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

    /// What went wrong on the sweep, one line each: the violated checks with how many
    /// seeds violated them, the seeds that failed without a check to blame (a panic),
    /// and the first failing seed's replay command. Empty when every check held.
    pub fn violations(&self) -> Vec<String> {
        let a = &self.aggregate;
        let mut out: Vec<String> = a
            .checks
            .iter()
            .filter(|c| c.violated > 0)
            .map(|c| {
                format!(
                    "check `{}` violated on {} of {} seeds",
                    c.name, c.violated, a.runs
                )
            })
            .collect();
        let broken = a
            .failing
            .iter()
            .filter(|f| f.outcome == PANICKED || f.outcome == NONDETERMINISTIC);
        for f in broken {
            out.push(format!("seed {} {}: {}", f.seed, f.outcome, f.reason));
        }
        if out.is_empty() && a.failed > 0 {
            // A failure the tallies do not show (a violation with no check entry).
            out.extend(
                a.failing
                    .iter()
                    .map(|f| format!("seed {}: {}", f.seed, f.reason)),
            );
        }
        if let Some(first) = a.failing.first() {
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
        let aggregate = aggregate::aggregate(&header, &results);
        let figures = pick(entry, &aggregate)?;
        rows.push(Row {
            path: scenario.path.clone(),
            title: entry.gallery.title.clone(),
            model: scenario.model.clone(),
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
