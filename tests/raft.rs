//! The Raft model from scenarios: every checker holds over many seeds of the bundled
//! faults scenario (and the scenario really crashes leaders), and the same checkers
//! fail through the same path when the replicas do not sync under a disk fault.

use crate::support::run;
use hasim::runner::RunResult;
use hasim::scenario::Scenario;
use std::path::Path;

/// Seeds of the faults scenario run by the sweep test: each is 40 s of 5 replicas
/// and 3 clients with about 35 faults, ~40,000 events.
const SEEDS: u64 = 60;

#[test]
fn every_checker_holds_over_sixty_seeds_of_crashes_pauses_and_partitions() {
    let s = hasim::Registry::builtin()
        .load(Path::new("scenarios/replication_raft_faults.toml"))
        .expect("loads");
    let mut failed = Vec::new();
    let (mut leader_crashes, mut ops) = (0.0, 0.0);
    for seed in 0..SEEDS {
        let r = run(&s, seed);
        for c in r.checks.iter().filter(|c| !c.passed) {
            failed.push(format!("seed {seed}: {} ({:?})", c.name, c.measured));
        }
        if let Some(v) = &r.violation {
            failed.push(format!("seed {seed}: {v}"));
        }
        leader_crashes += r.figures["leader_crashes"];
        ops += r.figures["ops"];
    }
    assert!(failed.is_empty(), "{failed:#?}");
    // The checks were exercised: leaders crashed (about 2.7 a seed), and clients
    // wrote and read thousands of times a seed.
    assert!(
        leader_crashes >= SEEDS as f64,
        "{leader_crashes} leader crashes"
    );
    assert!(ops >= 2000.0 * SEEDS as f64, "{ops} operations");
    // The four safety checks are all in the scenario.
    let r = run(&s, 0);
    for name in [
        "always one_leader_per_term",
        "at end no_lost_writes",
        "at end log_matching",
        "at end state_machine_safety",
    ] {
        assert!(
            r.checks.iter().any(|c| c.name == name),
            "{name} not checked"
        );
    }
}

/// Three replicas that crash together at 5 s under a disk fault losing unsynced
/// writes, with `sync` as given.
fn power_loss(sync: bool) -> Scenario {
    three_replicas(sync, true)
}

/// Three replicas and two clients with `sync` as given; with `power_loss`, the
/// replicas crash together at 5 s under a disk fault losing unsynced writes, else
/// nothing happens to them.
fn three_replicas(sync: bool, power_loss: bool) -> Scenario {
    let mut text = format!(
        r#"
[scenario]
name = "raft_power_loss"
description = "a whole-cluster power loss with sync = {sync}"
duration = "10s"

[network]
latency = {{ dist = "uniform", min = "1ms", max = "5ms" }}

[[group]]
role = "replica"
count = 3
protocol = "raft"
params = {{ sync = {sync} }}

[[group]]
role = "client"
count = 2
protocol = "raft"

[[check]]
at_end = "no_lost_writes"

[[check]]
at_end = "state_machine_safety"

[[check]]
at_end = "log_matching"
"#
    );
    if power_loss {
        text.push_str(
            r#"
[[fault]]
at = "0s"
kind = "disk_fault"
target = "role:replica"
lose_unsynced = true

[[fault]]
at = "5s"
kind = "crash"
target = "role:replica"
restart_after = "200ms"
"#,
        );
    }
    hasim::Registry::builtin()
        .parse(&text, Path::new("tests/raft.rs"))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_end_checks_catch_the_writes_an_unsynced_disk_loses() {
    let verdicts = |r: &RunResult| -> Vec<(String, bool)> {
        r.checks
            .iter()
            .map(|c| (c.name.clone(), c.passed))
            .collect()
    };
    for seed in 0..5 {
        let synced = run(&power_loss(true), seed);
        assert!(
            synced.checks.iter().all(|c| c.passed),
            "{:?}",
            verdicts(&synced)
        );
        let unsynced = run(&power_loss(false), seed);
        let v = verdicts(&unsynced);
        // Everything on disk is gone: acknowledged writes are lost and the indexes are
        // reused by other commands; the logs themselves are consistent again.
        assert_eq!(
            v,
            vec![
                ("at end no_lost_writes".to_string(), false),
                ("at end state_machine_safety".to_string(), false),
                ("at end log_matching".to_string(), true),
            ],
            "seed {seed}"
        );
    }
}

/// Without a disk fault a crash keeps unsynced writes, so a cluster that persists
/// without syncing and never crashes has lost nothing: the end checks read each
/// replica's disk with its unsynced writes (the checker once read only the synced
/// image and reported hundreds of lost writes here).
#[test]
fn unsynced_writes_a_crash_would_keep_are_not_lost() {
    for seed in 0..5 {
        let r = run(&three_replicas(false, false), seed);
        let failed: Vec<_> = r.checks.iter().filter(|c| !c.passed).collect();
        assert!(failed.is_empty(), "seed {seed}: {failed:?}");
        assert_eq!(r.checks.len(), 3, "seed {seed}: {:?}", r.checks);
        assert!(r.figures["ops"] >= 100.0, "seed {seed}: {:?}", r.figures);
    }
}
