//! What the scenario-level test modules share: running a scenario on a seed.

use hasim::runner::{self, RunOptions, RunResult};
use hasim::scenario::Scenario;

/// Runs `s` on `seed` with default options; an error names the scenario and seed.
pub fn run(s: &Scenario, seed: u64) -> RunResult {
    let opts = RunOptions {
        seed,
        ..RunOptions::default()
    };
    runner::run(s, &opts).unwrap_or_else(|e| panic!("{} seed {seed}: {e}", s.name))
}
