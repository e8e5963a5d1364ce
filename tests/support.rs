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

/// Each of the detection family's detectors as a design's params name it, tuned to
/// suspect a silent node within about half a second (the primary-backup and ISR
/// tests run every design with each).
pub const FAST_DETECTORS: [&str; 4] = [
    r#"detector = { kind = "heartbeat", interval = "100ms", timeout = "500ms" }"#,
    r#"detector = { kind = "phi_accrual", interval = "100ms", threshold = 8.0, acceptable_pause = "200ms", first_estimate = "100ms", min_sd = "50ms" }"#,
    r#"detector = { kind = "swim", period = "200ms", ping_timeout = "50ms", suspicion_timeout = "300ms" }"#,
    r#"detector = { kind = "prometheus", scrape_interval = "200ms", scrape_timeout = "100ms", evaluation_interval = "100ms", for = "200ms", delivery_delay = "0s" }"#,
];
