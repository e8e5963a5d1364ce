//! What the scenario-level test modules share: running a scenario on a seed, running
//! the `hasim` binary, a directory for the files a test writes.

use hasim::runner::{self, RunOptions, RunResult};
use hasim::scenario::Scenario;
use std::path::PathBuf;
use std::process::{Command, Output};

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

/// Runs the `hasim` binary from the repository root.
pub fn hasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("hasim runs")
}

/// A directory of its own for a test's files, under the target's temporary dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
