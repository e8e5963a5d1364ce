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

/// Runs `s` on `seed` and fails unless every check held and no property was violated.
pub fn held(s: &Scenario, seed: u64) -> RunResult {
    let r = run(s, seed);
    let failed: Vec<_> = r.checks.iter().filter(|c| !c.passed).collect();
    assert!(
        failed.is_empty() && r.violation.is_none(),
        "{} seed {seed}: {failed:?} {:?}",
        s.name,
        r.violation
    );
    r
}
