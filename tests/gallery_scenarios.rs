//! The gallery scenarios (scenarios/gallery_*.toml) keep their promise: every check
//! holds on seeds 1..=20, the sweep the Gallery chapter's figures come from, and the figures
//! sit in the bands `docs/src/gallery.md` quotes. The per-fault ledger files of `tests/gallery/` (the
//! Gallery chapter's design comparison) are safe for both designs too.

use crate::support::run;
use hasim::runner::RunResult;
use std::path::Path;

/// The seeds a gallery scenario promises its checks on.
const SEEDS: std::ops::RangeInclusive<u64> = 1..=20;

/// Runs `path` on `seeds`, fails on any violated check, and returns each seed's figures.
fn holds(path: &str, seeds: impl Iterator<Item = u64>) -> Vec<RunResult> {
    let s = hasim::Registry::builtin()
        .load(Path::new(path))
        .expect("loads");
    let mut failed = Vec::new();
    let runs: Vec<RunResult> = seeds.map(|seed| run(&s, seed)).collect();
    for r in &runs {
        for c in r.checks.iter().filter(|c| !c.passed) {
            failed.push(format!(
                "{path} seed {}: {} ({:?})",
                r.seed, c.name, c.measured
            ));
        }
        if let Some(v) = &r.violation {
            failed.push(format!("{path} seed {}: {v}", r.seed));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
    runs
}

fn mean(runs: &[RunResult], figure: &str) -> f64 {
    let values: Vec<f64> = runs
        .iter()
        .filter_map(|r| r.figures.get(figure).copied())
        .collect();
    assert!(!values.is_empty(), "no run reports {figure}");
    values.iter().sum::<f64>() / values.len() as f64
}

fn within(runs: &[RunResult], figure: &str, low: f64, high: f64) {
    let m = mean(runs, figure);
    assert!(
        (low..=high).contains(&m),
        "{figure}: mean {m} not in [{low}, {high}]"
    );
}

#[test]
fn telecom_edge_holds_on_seeds_1_to_40_and_its_figures_match_the_readme() {
    // Twice the gallery table's seeds: a bound set from the worst of 20 seeds failed on seed
    // 89 once (see the next test).
    let runs = holds("scenarios/gallery_telecom_edge.toml", 1..=40);
    let runs = &runs[..20];
    // docs/src/gallery.md: detection 1.53 s, known to all 9.48 s, dissemination 7.93 s, 25.2 false
    // suspicions per node-hour, 2.09 messages per node per second (means of 1..=20).
    within(runs, "detection_first_mean", 1.2, 1.9);
    within(runs, "detection_all_mean", 8.0, 11.0);
    within(runs, "dissemination_mean", 6.5, 9.5);
    within(runs, "false_suspicions_per_node_hour", 23.0, 27.5);
    within(runs, "messages_per_node_second", 2.0, 2.2);
    // Dissemination is the spread after the first suspicion, so never above "all".
    for r in runs {
        assert!(r.figures["dissemination_max"] <= r.figures["detection_all_max"] + 1e-9);
    }
}

/// The first-suspicion bound of the telecom edge against SWIM's probe tail: with
/// round-robin probing, no member probes a crashed one within k periods with
/// probability about e^-k, and a probe times out within about a period. A bound `b`
/// then fails a seed of c crashes with probability about c e^-(b/period - 1); the
/// scenario's bound must make that at most 1 in 10,000. An 8 s bound, set from the
/// worst of 20 seeds, fails this (and did fail seed 89 of 200).
#[test]
fn telecom_edge_first_suspicion_bound_covers_the_probe_tail() {
    let s = hasim::Registry::builtin()
        .load(Path::new("scenarios/gallery_telecom_edge.toml"))
        .expect("loads");
    let text = std::fs::read_to_string(&s.path).expect("reads");
    let bound: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("detection_first_max = \"<= "))
        .and_then(|rest| rest.split('s').next())
        .and_then(|n| n.parse().ok())
        .expect("a detection_first_max bound in seconds");
    let runs: Vec<RunResult> = (1..=5).map(|seed| run(&s, seed)).collect();
    let crashes = mean(&runs, "failures");
    let period = 1.0; // the scenario's SWIM period, in seconds
    let p_seed = crashes * (-(bound / period - 1.0)).exp();
    assert!(
        p_seed <= 1e-4,
        "a {bound} s bound fails about {p_seed:.1e} of seeds with {crashes} crashes a seed"
    );
}

#[test]
fn bank_ledger_holds_on_seeds_1_to_20_on_both_designs() {
    let pb = holds("scenarios/gallery_bank_ledger_primary_backup.toml", SEEDS);
    let raft = holds("scenarios/gallery_bank_ledger_raft.toml", SEEDS);
    for r in pb.iter().chain(&raft) {
        for name in ["at end no_lost_writes", "at end linearizable"] {
            assert!(
                r.checks.iter().any(|c| c.name == name),
                "{name} not checked"
            );
        }
    }
    // Both designs failed over: two primary crashes on every seed; a leader crash on
    // 15 of the 20 (replica-1 leads when it crashes at 25 s).
    assert_eq!(mean(&pb, "primary_crashes"), 2.0);
    within(&raft, "leader_crashes", 0.7, 0.8);
    within(&pb, "availability", 0.992, 0.997);
    within(&raft, "availability", 0.993, 0.999);
    // Both wait for one of two followers, yet Raft's write p99 sits higher under these
    // faults (docs/src/gallery.md: 9.98 ms against 14.96 ms).
    assert!(mean(&pb, "write_latency_p99") < mean(&raft, "write_latency_p99"));
}

#[test]
fn each_fault_kind_alone_is_safe_on_both_designs() {
    for kind in ["crashes", "zone_partitions", "clock_jumps"] {
        for design in ["primary_backup", "raft"] {
            holds(&format!("tests/gallery/ledger_{design}_{kind}.toml"), 1..=8);
        }
    }
}

#[test]
fn data_platform_holds_on_seeds_1_to_20_and_its_figures_match_the_readme() {
    let runs = holds("scenarios/gallery_data_platform.toml", SEEDS);
    // docs/src/gallery.md (means of 1..=20): pipeline recovery 30.2 s, back to full replication
    // 82.9 s after the rack failure, the job's recovery 33.1 s.
    within(&runs, "pipeline_recovery_time_mean", 25.0, 36.0);
    within(&runs, "storage_time_to_full_replication", 78.0, 88.0);
    within(&runs, "compute_recovery_time_mean", 27.0, 40.0);
    // The store is back to three replicas of every block on every seed.
    for r in &runs {
        assert_eq!(
            r.figures["storage_blocks_missing_end"], 0.0,
            "seed {}",
            r.seed
        );
    }
}
