//! The kv-lease example's tests, all through hasim's public API from outside the
//! hasim crate: the safe scenario holds over 50 seeds, the no-margin one fails on a
//! seed of 100 and its shrunk schedule still fails on replay, `sweep` and `report`
//! run through `Cli` with the model registered, and insta pins its traces.

use hasim::cli::Cli;
use hasim::runner::{self, RunOptions};
use hasim::testing::Snapshot;
use hasim::Registry;
use hasim_example_kv_lease::KvLeaseModel;
use std::path::{Path, PathBuf};

const SAFE: &str = "scenarios/kv_lease_faults.toml";
const UNSAFE: &str = "scenarios/kv_lease_no_margin_unsafe.toml";

fn models() -> Registry {
    Registry::builtin().model::<KvLeaseModel>()
}

fn path(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(file)
}

/// A fresh scratch directory for one test's outputs.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("kv-lease")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn cli(args: &[&str]) -> u8 {
    let mut argv = vec!["kv-lease"];
    argv.extend_from_slice(args);
    Cli::new().model::<KvLeaseModel>().run_from(argv)
}

fn passes(scenario: &hasim::scenario::Scenario, seed: u64) -> bool {
    let opts = RunOptions {
        seed,
        ..RunOptions::default()
    };
    runner::run(scenario, &opts).expect("runs").passed()
}

#[test]
fn the_safe_variant_passes_every_check_on_50_seeds() {
    let s = models().load(&path(SAFE)).expect("loads");
    let failing: Vec<u64> = (1..=50).filter(|&seed| !passes(&s, seed)).collect();
    assert_eq!(failing, Vec::<u64>::new(), "seeds that failed");
}

#[test]
fn the_unsafe_variant_fails_and_its_shrunk_schedule_still_fails_on_replay() {
    let s = models().load(&path(UNSAFE)).expect("loads");
    let seed = (1..=100)
        .find(|&seed| !passes(&s, seed))
        .expect("a seed of 1..=100 on which the no-margin lease fails");
    let dir = scratch("shrink");
    let shrunk = dir.join("shrunk.toml");
    let unsafe_path = path(UNSAFE);
    let code = cli(&[
        "shrink",
        unsafe_path.to_str().expect("utf-8 path"),
        "--seed",
        &seed.to_string(),
        "--output",
        shrunk.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(
        code, 0,
        "shrink exits 0 when it found a smaller failing run"
    );
    let small = models().load(&shrunk).expect("the shrunk scenario loads");
    let original = s.schedule(seed).len();
    assert!(
        small.schedule(seed).len() < original,
        "{} faults, from {original}",
        small.schedule(seed).len()
    );
    assert!(!passes(&small, seed), "the shrunk run still fails");
    // And `replay` of the written file says so with exit code 1 (a check violated).
    let code = cli(&[
        "replay",
        shrunk.to_str().expect("utf-8 path"),
        "--seed",
        &seed.to_string(),
    ]);
    assert_eq!(code, 1);
}

#[test]
fn sweep_and_report_run_through_the_public_cli_with_the_model_registered() {
    let dir = scratch("sweep");
    let out = dir.join("safe.jsonl");
    let safe = path(SAFE);
    let safe = safe.to_str().expect("utf-8 path");
    let code = cli(&[
        "sweep",
        safe,
        "--seeds",
        "1..=8",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code, 0, "every seed of the safe scenario passes");
    let written = std::fs::read_to_string(&out).expect("the sweep's results");
    assert!(written.contains("\"kv_lease\""), "{written}");
    assert_eq!(
        cli(&[
            "sweep",
            path(UNSAFE).to_str().expect("utf-8"),
            "--seeds",
            "1..=100"
        ]),
        1,
        "the unsafe scenario fails on some seed"
    );
    let page = dir.join("report.html");
    let code = cli(&[
        "report",
        safe,
        "--seed",
        "1",
        "--output",
        page.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code, 0);
    let html = std::fs::read_to_string(&page).expect("the report page");
    assert!(
        html.contains("replica-1") && html.contains("primary"),
        "lanes and roles"
    );
    // Without the model registered, the same binary refuses the scenario (exit 2).
    assert_eq!(Cli::new().run_from(["hasim", "check", safe]), 2);
}

#[test]
#[should_panic(expected = "already registered")]
fn a_model_whose_name_is_taken_is_refused_at_registration() {
    let _ = Cli::new().model::<KvLeaseModel>().model::<KvLeaseModel>();
}

#[test]
fn the_trace_of_seed_1_is_pinned() {
    let snap = Snapshot::of_file(&models(), &path(SAFE), 1).expect("runs");
    insta::assert_snapshot!("summary_seed_1", snap.summary());
    insta::assert_snapshot!("trace_seed_1_head", snap.trace_head(120));
}

#[test]
fn a_snapshot_is_the_same_twice_and_changes_with_a_parameter() {
    let text = std::fs::read_to_string(path(SAFE)).expect("the scenario");
    let a = Snapshot::of_toml(&models(), &text, 3).expect("runs");
    let b = Snapshot::of_toml(&models(), &text, 3).expect("runs");
    assert_eq!(a.trace(), b.trace());
    assert_eq!(a.summary(), b.summary());
    let slower = text.replace("heartbeat = \"100ms\"", "heartbeat = \"150ms\"");
    assert_ne!(slower, text, "the parameter was there to change");
    let c = Snapshot::of_toml(&models(), &slower, 3).expect("runs");
    assert_ne!(a.trace(), c.trace());
    assert_ne!(a.summary(), c.summary());
}
