//! Shrinking a failing run: given a scenario and a seed whose run fails a check,
//! search for a smaller concrete fault schedule — fewer faults, shorter episodes, a
//! shorter run — that still fails the *same* check with the *same* seed.
//!
//! Dropping a fault is meaningful because every purpose draws from its own random
//! stream (network, faults, each node): removing a crash does not change the latency
//! of unrelated messages, so what remains is the same run minus that fault.
//!
//! The search is greedy and deterministic: (1) the generator's faults become an
//! explicit list of episodes (a fault with its undoing); (2) episodes are dropped in
//! ever smaller chunks (delta debugging) while the check still fails; (3) each
//! remaining episode is shortened by halving while it still fails; (4) the run is cut
//! to the shortest duration, found by bisection, that still fails. Every candidate is
//! one run, and the number of runs is bounded. The result is verified once more from
//! the written file by the caller.
//!
//! ## Map of the modules
//! - [`episodes`]: pairing faults with their undoing.
//! - [`write`]: the shrunk run as a scenario file.

pub use crate::episodes;
pub mod write;

use crate::runner::{self, RunError, RunOptions, RunResult};
use crate::scenario::{Check, Scenario};
use episodes::Episode;
use hasim_sim::{ScheduledFault, SimDuration, SimTime};

/// Limits of a search.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The most runs the search may make (each candidate is one run).
    pub runs_max: usize,
    /// Episodes are not shortened below this, nor the run cut finer than this.
    pub resolution: SimDuration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            runs_max: 500,
            resolution: SimDuration::from_millis(10),
        }
    }
}

/// One phase of the search, for the progress report.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// What the phase did: "start", "drop faults", "shorten episodes", "cut the run".
    pub phase: &'static str,
    /// Faults in the schedule after it.
    pub faults: usize,
    /// Total time the episodes last after it (crash to restart, ...), summed.
    pub fault_time: SimDuration,
    /// The run's duration after it.
    pub duration: SimDuration,
    /// Runs it made.
    pub runs: usize,
}

/// The outcome of a search.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The check that fails, as the result names it ("at end no_lost_writes").
    pub check: String,
    /// The seed.
    pub seed: u64,
    /// The schedule the seed generated.
    pub original: Vec<ScheduledFault>,
    /// The smallest failing schedule found.
    pub schedule: Vec<ScheduledFault>,
    /// The shortest failing duration found.
    pub duration: SimDuration,
    /// The phases, in order, beginning with the start.
    pub steps: Vec<Step>,
    /// The run of the shrunk schedule.
    pub result: RunResult,
}

/// Why no search took place.
#[derive(Debug)]
pub enum ShrinkError {
    /// The seed's run holds every check: there is nothing to shrink.
    Passes {
        /// The seed.
        seed: u64,
    },
    /// A run could not be carried out.
    Run(RunError),
}

impl std::fmt::Display for ShrinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShrinkError::Passes { seed } => write!(
                f,
                "seed {seed} passes every check: there is no failure to shrink (find one with `hasim sweep`)"
            ),
            ShrinkError::Run(e) => write!(f, "{e}"),
        }
    }
}
impl std::error::Error for ShrinkError {}

impl From<RunError> for ShrinkError {
    fn from(e: RunError) -> Self {
        ShrinkError::Run(e)
    }
}

/// The first check a result fails, in file order; a violation with no failing check
/// (an exhausted event budget) is named by its message's first word.
pub fn failing_check(result: &RunResult) -> Option<String> {
    if let Some(c) = result.checks.iter().find(|c| !c.passed) {
        return Some(c.name.clone());
    }
    result
        .violation
        .as_ref()
        .map(|v| v.split(':').next().unwrap_or(v).to_string())
}

struct Search<'a> {
    scenario: &'a Scenario,
    seed: u64,
    check: String,
    limits: Limits,
    runs: usize,
}

impl Search<'_> {
    /// Whether the schedule, run for `duration`, still fails the check. Past the run
    /// budget every candidate counts as passing, which ends the search.
    fn fails(&mut self, episodes: &[Episode], duration: SimDuration) -> Result<bool, RunError> {
        if self.runs >= self.limits.runs_max {
            return Ok(false);
        }
        self.runs += 1;
        let result = self.run(episodes::flatten(episodes), duration)?;
        Ok(result
            .checks
            .iter()
            .any(|c| c.name == self.check && !c.passed)
            || failing_check(&result).as_deref() == Some(self.check.as_str()))
    }

    fn run(
        &self,
        schedule: Vec<ScheduledFault>,
        duration: SimDuration,
    ) -> Result<RunResult, RunError> {
        let mut scenario = self.scenario.clone();
        scenario.duration = duration;
        let schedule: Vec<ScheduledFault> = schedule
            .into_iter()
            .filter(|f| f.at < scenario.horizon())
            .collect();
        runner::run(
            &scenario,
            &RunOptions {
                seed: self.seed,
                trace_path: None,
                trace_max: None,
                trace_tail: 0,
                schedule: Some(schedule),
                trace_filter: Default::default(),
            },
        )
    }

    /// Delta debugging over episodes: drop chunks, halving the chunk size when no
    /// chunk can go.
    fn drop_episodes(
        &mut self,
        mut episodes: Vec<Episode>,
        duration: SimDuration,
    ) -> Result<Vec<Episode>, RunError> {
        if !episodes.is_empty() && self.fails(&[], duration)? {
            return Ok(Vec::new());
        }
        let mut chunks = 2usize;
        while episodes.len() > 1 {
            let size = episodes.len().div_ceil(chunks);
            let mut dropped = false;
            for start in (0..episodes.len()).step_by(size) {
                let end = (start + size).min(episodes.len());
                let rest: Vec<Episode> = episodes[..start]
                    .iter()
                    .chain(&episodes[end..])
                    .cloned()
                    .collect();
                if self.fails(&rest, duration)? {
                    episodes = rest;
                    chunks = (chunks - 1).max(2);
                    dropped = true;
                    break;
                }
            }
            if !dropped {
                if size == 1 {
                    break;
                }
                chunks = (chunks * 2).min(episodes.len());
            }
        }
        if episodes.len() == 1 && self.fails(&[], duration)? {
            episodes.clear();
        }
        Ok(episodes)
    }

    /// Shortens each episode to the shortest length, found by bisection to the
    /// resolution, at which the check still fails.
    fn shorten(
        &mut self,
        mut episodes: Vec<Episode>,
        duration: SimDuration,
    ) -> Result<Vec<Episode>, RunError> {
        let step = self.limits.resolution.as_nanos().max(1);
        for i in 0..episodes.len() {
            let Some(end) = &episodes[i].end else {
                continue;
            };
            let start = episodes[i].start.at;
            // `high` fails (it is the current length); `low` is not known to fail.
            let mut high = end.at.saturating_since(start).as_nanos();
            let mut low = 0;
            while high - low > step {
                let mid = (low + (high - low) / 2).div_ceil(step) * step;
                if mid >= high {
                    break;
                }
                let mut candidate = episodes.clone();
                if let Some(e) = &mut candidate[i].end {
                    e.at = start.saturating_add(SimDuration::from_nanos(mid));
                }
                if self.fails(&candidate, duration)? {
                    high = mid;
                    episodes = candidate;
                } else {
                    low = mid;
                }
            }
        }
        Ok(episodes)
    }

    /// Bisects the duration between the last fault (plus the longest liveness bound)
    /// and the current duration.
    fn cut(
        &mut self,
        episodes: &[Episode],
        duration: SimDuration,
    ) -> Result<SimDuration, RunError> {
        let bound = self
            .scenario
            .checks
            .iter()
            .filter_map(|c| match c {
                Check::Eventually { within, .. } => Some(*within),
                _ => None,
            })
            .max()
            .unwrap_or(SimDuration::ZERO);
        let last = episodes
            .iter()
            .map(Episode::last)
            .max()
            .unwrap_or(SimTime::ZERO);
        let step = self.limits.resolution.as_nanos().max(1);
        let floor = last
            .saturating_since(SimTime::ZERO)
            .saturating_add(bound)
            .saturating_add(self.limits.resolution);
        // Whole multiples of the resolution, so the written duration reads well.
        let floor = SimDuration::from_nanos(floor.as_nanos().div_ceil(step) * step);
        let (mut low, mut high) = (floor, duration);
        if low >= high {
            return Ok(duration);
        }
        // `high` always fails; `low` is below the shortest failing duration found.
        if self.fails(episodes, low)? {
            return Ok(low);
        }
        while high.saturating_sub(low) > self.limits.resolution {
            let mid =
                (low.as_nanos() + (high.as_nanos() - low.as_nanos()) / 2).div_ceil(step) * step;
            if mid >= high.as_nanos() {
                break;
            }
            let mid = SimDuration::from_nanos(mid);
            if self.fails(episodes, mid)? {
                high = mid;
            } else {
                low = mid;
            }
        }
        Ok(high)
    }
}

fn step(phase: &'static str, episodes: &[Episode], duration: SimDuration, runs: usize) -> Step {
    Step {
        phase,
        faults: episodes.iter().map(Episode::faults).sum(),
        fault_time: episodes
            .iter()
            .map(|e| e.last().saturating_since(e.start.at))
            .fold(SimDuration::ZERO, SimDuration::saturating_add),
        duration,
        runs,
    }
}

/// Shrinks the failing run of `seed`. `progress` sees each phase as it ends.
pub fn shrink(
    scenario: &Scenario,
    seed: u64,
    limits: Limits,
    mut progress: impl FnMut(&Step),
) -> Result<Shrunk, ShrinkError> {
    let original = scenario.schedule(seed);
    let first = runner::run(
        scenario,
        &RunOptions {
            seed,
            trace_path: None,
            trace_max: None,
            trace_tail: 0,
            schedule: Some(original.clone()),
            trace_filter: Default::default(),
        },
    )?;
    let check = failing_check(&first).ok_or(ShrinkError::Passes { seed })?;
    let mut search = Search {
        scenario,
        seed,
        check: check.clone(),
        limits,
        runs: 1,
    };
    let mut steps = Vec::new();
    let mut note = |s: Step, steps: &mut Vec<Step>| {
        progress(&s);
        steps.push(s);
    };
    let episodes = episodes::pair(&original);
    note(step("start", &episodes, scenario.duration, 1), &mut steps);
    let before = search.runs;
    let episodes = search.drop_episodes(episodes, scenario.duration)?;
    note(
        step(
            "drop faults",
            &episodes,
            scenario.duration,
            search.runs - before,
        ),
        &mut steps,
    );
    let before = search.runs;
    let episodes = search.shorten(episodes, scenario.duration)?;
    note(
        step(
            "shorten episodes",
            &episodes,
            scenario.duration,
            search.runs - before,
        ),
        &mut steps,
    );
    let before = search.runs;
    let duration = search.cut(&episodes, scenario.duration)?;
    note(
        step("cut the run", &episodes, duration, search.runs - before),
        &mut steps,
    );
    let schedule = episodes::flatten(&episodes);
    let result = search.run(schedule.clone(), duration)?;
    Ok(Shrunk {
        check,
        seed,
        original,
        schedule,
        duration,
        steps,
        result,
    })
}
