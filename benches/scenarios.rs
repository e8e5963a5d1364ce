//! W4, the end-to-end benchmark: bundled scenarios run through the whole runner (model
//! build, properties judged per event, figures and end checks, the trace hash) for a
//! fixed range of seeds, beside BENCHMARKS.md's W1 bare loop in the same process, so a
//! scenario's rate can be read against the machine's ceiling under its current load.
//!
//! `cargo bench --bench scenarios [-- NAME ...]` prints one JSON line per scenario:
//! events (summed over the seeds, counted by the engine), wall time of one pass over
//! the seeds (the median pass), events per second, seeds per second, and the ratio of
//! the event rate to W1's bare rate. Passes of a scenario alternate with W1 bare runs,
//! each repeated until it has run for 2 s, as the engine benchmark does. Every pass
//! must give the same trace hashes (same seeds, same runs), or the benchmark fails.
//! `--once NAME` runs one pass of one scenario (for a profiler).

// Shared with the engine benchmark; W4 uses W1's bare loop only.
#[allow(dead_code)]
#[path = "../sim/benches/engine/common.rs"]
mod common;
#[allow(dead_code)]
#[path = "../sim/benches/engine/w1.rs"]
mod w1;

pub use common::{below, timed, Run, SEED};
use hasim::runner::{run, RunOptions};
use hasim::scenario::Scenario;
use std::path::Path;
use std::time::Duration;

/// The scenarios W4 runs, and the seeds of one pass (a pass of the larger ones is a
/// few seeds; of the smaller ones more, so that each pass takes a comparable time).
const SCENARIOS: [(&str, u64); 5] = [
    ("gallery_ecommerce_checkout", 4),
    ("gallery_data_platform", 4),
    ("replication_raft_faults", 8),
    ("gallery_telecom_edge", 2),
    ("balancing_power_of_two_crash_slow", 8),
];

/// One pass: every seed of `seeds` once. Returns events, trace hashes, wall time.
fn pass(scenario: &Scenario, seeds: u64) -> (u64, Vec<String>, Duration) {
    let (results, wall) = timed(|| {
        (1..=seeds)
            .map(|seed| {
                let opts = RunOptions {
                    seed,
                    ..RunOptions::default()
                };
                run(scenario, &opts)
                    .unwrap_or_else(|e| panic!("{}: seed {seed}: {e}", scenario.name))
            })
            .collect::<Vec<_>>()
    });
    let events = results.iter().map(|r| r.events).sum();
    let hashes = results.into_iter().map(|r| r.trace_hash).collect();
    (events, hashes, wall)
}

/// The median of `values`.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn enough(walls: &[Duration]) -> bool {
    walls.iter().sum::<Duration>() >= Duration::from_secs(2) && walls.len() >= 3
}

fn load(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    hasim::Registry::builtin()
        .load(&path)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--once") {
        let name = &args[i + 1];
        let seeds = SCENARIOS.iter().find(|s| s.0 == name).map_or(1, |s| s.1);
        let (events, _, wall) = pass(&load(name), seeds);
        println!(
            "{{\"impl\":\"hasim\",\"workload\":\"W4:{name}\",\"events\":{events},\"wall_s\":{:.4}}}",
            wall.as_secs_f64()
        );
        return;
    }
    let wanted: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    for (name, seeds) in SCENARIOS {
        if !wanted.is_empty() && !wanted.iter().any(|w| *w == name) {
            continue;
        }
        let scenario = load(name);
        let (events, hashes, wall) = pass(&scenario, seeds);
        let mut walls = vec![wall];
        let mut bare_walls = Vec::new();
        let mut bare_events = 0;
        while !enough(&walls) || !enough(&bare_walls) {
            if !enough(&bare_walls) {
                let b = w1::bare();
                bare_events = b.events;
                bare_walls.push(b.wall);
            }
            if !enough(&walls) {
                let (e, h, w) = pass(&scenario, seeds);
                assert_eq!((e, &h), (events, &hashes), "{name}: a pass ran differently");
                walls.push(w);
            }
        }
        let rate = median(
            walls
                .iter()
                .map(|w| events as f64 / w.as_secs_f64())
                .collect(),
        );
        let bare = median(
            bare_walls
                .iter()
                .map(|w| bare_events as f64 / w.as_secs_f64())
                .collect(),
        );
        let wall = events as f64 / rate;
        println!(
            "{{\"impl\":\"hasim\",\"workload\":\"W4:{name}\",\"events\":{events},\"wall_s\":{wall:.4},\"events_per_s\":{rate:.0},\"seeds\":{seeds},\"seeds_per_s\":{:.2},\"runs\":{},\"w1_bare_events_per_s\":{bare:.0},\"ratio_to_w1_bare\":{:.3}}}",
            seeds as f64 / wall,
            walls.len(),
            rate / bare
        );
    }
}
