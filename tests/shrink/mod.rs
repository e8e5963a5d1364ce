//! `hasim shrink`: a failing seed shrinks to a strictly smaller schedule that still
//! fails the same check, written as a scenario that runs and replays to that failure;
//! the search is deterministic; a passing seed is refused.

use hasim::runner::{self, RunOptions};
use hasim::shrink::{self, Limits};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Failing scenarios and seeds: each must shrink. The bundled known-unsafe scenarios
/// fail on seed 1 (their own tests say so).
const FAILING: &[(&str, u64)] = &[
    ("tests/shrink/ping_strict_availability.toml", 5),
    ("scenarios/replication_quorum_r1w1_stale_unsafe.toml", 1),
    ("scenarios/replication_quorum_lww_skew_unsafe.toml", 1),
    ("scenarios/replication_isr_unclean_unsafe.toml", 1),
    ("scenarios/replication_primary_backup_async_unsafe.toml", 1),
    (
        "scenarios/replication_primary_backup_lease_no_margin_unsafe.toml",
        1,
    ),
];

fn temp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("shrink");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn every_failing_scenario_shrinks_to_a_smaller_schedule_that_fails_the_same_check() {
    for (path, seed) in FAILING {
        let scenario = hasim::Registry::builtin().load(Path::new(path)).unwrap();
        let shrunk = shrink::shrink(&scenario, *seed, Limits::default(), |_| {}).unwrap();
        // Strictly smaller: no measure grows and at least one shrinks (fewer faults,
        // less total fault time, or a shorter run).
        let (start, end) = (&shrunk.steps[0], shrunk.steps.last().unwrap());
        assert!(end.faults <= start.faults && end.fault_time <= start.fault_time);
        assert!(shrunk.duration <= scenario.duration);
        assert!(
            end.faults < start.faults
                || end.fault_time < start.fault_time
                || shrunk.duration < scenario.duration,
            "{path}: nothing shrank: {:?}",
            shrunk.steps
        );
        assert_eq!(shrunk.schedule.len(), end.faults);
        assert_eq!(
            shrink::failing_check(&shrunk.result).as_deref(),
            Some(shrunk.check.as_str()),
            "{path}: the shrunk run must fail the same check"
        );
        // Each phase never grows the schedule.
        for w in shrunk.steps.windows(2) {
            assert!(w[1].faults <= w[0].faults, "{:?}", shrunk.steps);
            assert!(w[1].fault_time <= w[0].fault_time, "{:?}", shrunk.steps);
        }
        // Written as a scenario, read back and run: the same failure, the same run.
        let text = std::fs::read_to_string(path).unwrap();
        let written = shrink::write::scenario_text(
            &scenario,
            &text,
            *seed,
            &shrunk.schedule,
            shrunk.duration,
            &["test".to_string()],
        )
        .unwrap();
        let out = temp(&format!("{seed}.toml"));
        std::fs::write(&out, &written).unwrap();
        let reread = hasim::Registry::builtin().load(&out).unwrap();
        assert_eq!(
            reread.schedule(*seed),
            shrunk.schedule,
            "[[schedule]] round trip"
        );
        assert_eq!(reread.seed, *seed);
        let again = runner::run(
            &reread,
            &RunOptions {
                seed: *seed,
                ..RunOptions::default()
            },
        )
        .unwrap();
        assert_eq!(
            again.trace_hash, shrunk.result.trace_hash,
            "{path}: replays exactly"
        );
        assert_eq!(shrink::failing_check(&again), Some(shrunk.check.clone()));
    }
}

#[test]
fn shrinking_is_deterministic() {
    let (path, seed) = FAILING[0];
    let scenario = hasim::Registry::builtin().load(Path::new(path)).unwrap();
    let a = shrink::shrink(&scenario, seed, Limits::default(), |_| {}).unwrap();
    let b = shrink::shrink(&scenario, seed, Limits::default(), |_| {}).unwrap();
    assert_eq!(a.schedule, b.schedule);
    assert_eq!(a.duration, b.duration);
    assert_eq!(a.steps, b.steps);
}

#[test]
fn the_run_budget_bounds_the_search() {
    let (path, seed) = FAILING[0];
    let scenario = hasim::Registry::builtin().load(Path::new(path)).unwrap();
    let limits = Limits {
        runs_max: 5,
        ..Limits::default()
    };
    let s = shrink::shrink(&scenario, seed, limits, |_| {}).unwrap();
    let runs: usize = s.steps.iter().map(|s| s.runs).sum();
    assert!(runs <= 5, "{:?}", s.steps);
    // What it returns still fails, even when cut short.
    assert_eq!(shrink::failing_check(&s.result), Some(s.check));
}

#[test]
fn the_cli_writes_a_replayable_scenario_and_refuses_a_passing_seed() {
    let out = temp("cli.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(["shrink", FAILING[0].0, "--seed", "5", "-o"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for needle in [
        "phase",
        "drop faults",
        "still fails: availability >= 98%",
        "hasim replay",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in\n{stdout}");
    }
    let replay = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(["replay"])
        .arg(&out)
        .args(["--seed", "5"])
        .output()
        .unwrap();
    assert_eq!(
        replay.status.code(),
        Some(1),
        "the shrunk scenario still fails"
    );

    let o = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(["shrink", "scenarios/quickstart.toml", "--seed", "1", "-o"])
        .arg(temp("never.toml"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("passes every check"));
}

#[test]
fn schedule_entries_name_nodes_in_every_field_and_round_trip() {
    let text = r#"
[scenario]
name = "named"
duration = "100s"

[[group]]
role = "server"
count = 3
protocol = "ping"

[[group]]
role = "client"
protocol = "ping"

[[schedule]]
at = "1s"
kind = "partition"
groups = [["server-1", "client-1"], ["server-2", "server-3"]]

[[schedule]]
at = "2s"
kind = "heal"

[[schedule]]
at = "3s"
kind = "cut"
source = "server-2"
target = "client-1"

[[schedule]]
at = "4s"
kind = "loss_spike"
nodes = ["server-3"]
loss = 0.5

[[schedule]]
at = "5s"
kind = "link_down"
a = "server-1"
b = "server-2"

[[schedule]]
at = "6s"
kind = "clock_jump"
node = "server-1"
by = "-250ms"
"#;
    use hasim_sim::{Fault, NodeId};
    let s = hasim::Registry::builtin()
        .parse(text, Path::new("named.toml"))
        .unwrap();
    let schedule = s.schedule(0);
    assert_eq!(
        schedule[0].fault,
        Fault::Partition {
            groups: vec![vec![NodeId(0), NodeId(3)], vec![NodeId(1), NodeId(2)]]
        }
    );
    assert_eq!(
        schedule[2].fault,
        Fault::Cut {
            source: NodeId(1),
            target: NodeId(3)
        }
    );
    assert_eq!(schedule.len(), 6);
    // Written back with names and read again: the same faults.
    let written = shrink::write::scenario_text(&s, text, 0, &schedule, s.duration, &[]).unwrap();
    assert!(written.contains("\"server-2\""), "{written}");
    let again = hasim::Registry::builtin()
        .parse(&written, Path::new("again.toml"))
        .unwrap();
    assert_eq!(again.schedule(0), schedule);
}
