//! The recovery models through their bundled scenarios, the path a user takes: a
//! whole rack crashed with a `rack:` selector loses no block under rack-aware
//! placement but does under random placement on the same seeds; the supervisor's
//! crash loop backs off to the 5-minute cap and the liveness probe kills hangs within
//! its window on every seed; a streaming job checkpointing less often replays more.

use crate::support::run;
use hasim::runner::RunResult;
use hasim::scenario::Scenario;
use std::path::Path;

/// The scenario at `path`, with `edit` applied to its text.
fn scenario(path: &str, edit: impl Fn(String) -> String) -> Scenario {
    let text = std::fs::read_to_string(path).expect("the bundled scenario");
    hasim::Registry::builtin()
        .parse(&edit(text), Path::new(path))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn figure(r: &RunResult, name: &str) -> f64 {
    *r.figures
        .get(name)
        .unwrap_or_else(|| panic!("seed {}: no figure {name}", r.seed))
}

#[test]
fn a_rack_failure_loses_blocks_only_under_random_placement() {
    const PATH: &str = "scenarios/recovery_rack_rereplication.toml";
    let rack_aware = scenario(PATH, |t| t);
    let random = scenario(PATH, |t| {
        assert!(t.contains("placement = \"rack_aware\""));
        t.replace("placement = \"rack_aware\"", "placement = \"random\"")
    });
    let mut lost_random = 0.0;
    for seed in 1..=5 {
        let r = run(&rack_aware, seed);
        assert_eq!(figure(&r, "blocks_lost"), 0.0, "seed {seed}");
        assert!(
            r.checks.iter().all(|c| c.passed),
            "seed {seed}: {:?}",
            r.checks
        );
        // The single datanode and the rack were both repaired: dead_after (630 s)
        // plus the copies, under 13 minutes.
        let full = figure(&r, "time_to_full_replication");
        assert!((630.0..780.0).contains(&full), "seed {seed}: {full} s");
        let r = run(&random, seed);
        let lost = figure(&r, "blocks_lost");
        assert!(
            lost >= 1.0,
            "seed {seed}: random placement lost {lost} blocks"
        );
        lost_random += lost;
        // The rack's disks come back after 30 minutes with the missing replicas.
        assert_eq!(figure(&r, "blocks_missing_end"), 0.0, "seed {seed}");
    }
    // 600 blocks, 4 of 12 datanodes on the failed rack: 600 × 4/220 ≈ 10.9 lost per
    // seed, before counting the single datanode lost 19 minutes earlier (which only
    // repairs, as its blocks are re-replicated before the rack fails).
    let mean = lost_random / 5.0;
    assert!((5.0..=20.0).contains(&mean), "mean {mean} blocks lost");
}

#[test]
fn the_crash_loop_reaches_the_back_off_cap_and_hangs_are_killed_within_the_probe_window() {
    let s = scenario("scenarios/recovery_supervisor_crash_loop.toml", |t| t);
    for seed in 1..=5 {
        let r = run(&s, seed);
        assert!(
            r.checks.iter().all(|c| c.passed),
            "seed {seed}: {:?}",
            r.checks
        );
        assert_eq!(figure(&r, "backoff_max"), 300.0, "seed {seed}");
        let kill = figure(&r, "hang_to_kill_max");
        assert!(kill > 21.0 && kill <= 31.0, "seed {seed}: {kill} s");
        assert!(figure(&r, "probe_kills") >= 1.0, "seed {seed}");
        // service-1 alone restarts 25 times in 2 hours: after 10, 20, 40, 80, 160 s
        // and then every 300 s, each run lasting 30 s.
        assert!(figure(&r, "restarts") >= 25.0, "seed {seed}");
    }
}

#[test]
fn a_longer_checkpoint_interval_replays_more_input_after_each_failure() {
    // The bundled streaming scenario with checkpoints every 30 s and every 240 s: the
    // mean replay (interval / 2 + 5 s in theory: 20 s against 125 s) and so the
    // recovery time grow, over the same failures (seeds 1-8).
    const PATH: &str = "scenarios/recovery_flink_checkpoints.toml";
    let with = |interval: &'static str| {
        scenario(PATH, move |t| {
            assert!(t.contains("checkpoint_interval = \"60s\""));
            t.replace(
                "checkpoint_interval = \"60s\"",
                &format!("checkpoint_interval = \"{interval}\""),
            )
        })
    };
    let mean = |s: &Scenario, name: &str| {
        let runs: Vec<f64> = (1..=8).map(|seed| figure(&run(s, seed), name)).collect();
        runs.iter().sum::<f64>() / runs.len() as f64
    };
    let (short, long) = (with("30s"), with("240s"));
    let (lag_short, lag_long) = (
        mean(&short, "replay_lag_mean"),
        mean(&long, "replay_lag_mean"),
    );
    assert!(
        (10.0..=30.0).contains(&lag_short) && (80.0..=170.0).contains(&lag_long),
        "mean replay {lag_short} s at 30 s, {lag_long} s at 240 s"
    );
    let grew = mean(&long, "recovery_time_mean") - mean(&short, "recovery_time_mean");
    assert!(grew > 50.0, "recovery grew by {grew} s");
}
