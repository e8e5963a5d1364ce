//! The composed data platform from its gallery scenario: the executor seam (a process
//! the kubelet loses is an executor the driver loses), the pipeline's recovery
//! bounding each stage's, and rack-aware against random placement under the rack
//! failure, against the count theory gives.

use crate::support::{held, run};
use hasim::scenario::Scenario;
use std::path::Path;

const GALLERY: &str = "scenarios/gallery_data_platform.toml";

fn gallery(edit: impl Fn(String) -> String) -> Scenario {
    let text = edit(std::fs::read_to_string(GALLERY).expect("reads"));
    hasim::Registry::builtin()
        .parse(&text, Path::new(GALLERY))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_lost_process_is_a_lost_executor_and_the_pipeline_bounds_its_stages() {
    let s = gallery(|t| t);
    let mut deaths = 0.0;
    for seed in 1..=5 {
        let r = held(&s, seed);
        let f = &r.figures;
        // Each crash or liveness kill of an executor process stops its heartbeats (or
        // it registers again when restarted): the driver loses that executor. Without
        // the seam only node crashes would be losses.
        let died = f["executor_crashes"] + f["executor_probe_kills"];
        deaths += died;
        assert!(
            f["compute_executors_lost"] >= died,
            "seed {seed}: {} executors lost, {died} processes died",
            f["compute_executors_lost"]
        );
        // The pipeline is broken whenever a stage is: its longest outage covers the
        // job's longest recovery, and its downtime covers the log's offline time.
        assert!(
            f["pipeline_recovery_time_max"] >= f["compute_recovery_time_max"],
            "seed {seed}: pipeline {} < compute {}",
            f["pipeline_recovery_time_max"],
            f["compute_recovery_time_max"]
        );
        assert!(
            f["pipeline_downtime_fraction"] >= f["ingest_offline_time_fraction"],
            "seed {seed}"
        );
        // The rack failure alone breaks it once, and the store heals within the bound.
        assert!(f["pipeline_outages"] >= 1.0, "seed {seed}");
        assert_eq!(f["storage_blocks_missing_end"], 0.0, "seed {seed}");
    }
    assert!(deaths >= 5.0, "only {deaths} process deaths over 5 seeds");
}

#[test]
fn rack_aware_placement_loses_no_block_and_random_loses_what_theory_says() {
    // Random placement puts all three replicas of a block on the failed rack's three
    // workers with probability 1 / C(9, 3) = 1/84: 300 blocks lose 300/84 = 3.57 on
    // average (binomial, sd 1.88; over 20 seeds the mean's sd is 0.42, allowed 4 sd).
    let random = gallery(|t| {
        t.replace("placement = \"rack_aware\"", "placement = \"random\"")
            .replace("[[check]]\ndata_lost = \"== 0\"\n", "")
    });
    let aware = gallery(|t| t);
    let seeds = 1..=20u64;
    let mut lost = 0.0;
    for seed in seeds.clone() {
        lost += run(&random, seed).figures["storage_blocks_lost"];
    }
    let mean = lost / 20.0;
    let expected = 300.0 / 84.0;
    assert!(
        (mean - expected).abs() <= 4.0 * 0.42,
        "random placement lost {mean} blocks a run, theory {expected:.2}"
    );
    for seed in seeds.take(5) {
        let f = run(&aware, seed).figures;
        assert_eq!(f["storage_blocks_lost"], 0.0, "seed {seed}");
        assert_eq!(f["data_lost"], 0.0, "seed {seed}");
    }
}
