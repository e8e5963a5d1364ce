//! The failure detectors from the outside: scenarios run through the sweep machinery
//! (`run_sweep` over seeds, then the aggregate's mean) show what the protocols crate's
//! engine-level tests show, through the path a user takes. With growing message loss
//! the false suspicions of every detector rise; with growing jitter they rise faster
//! for a fixed timeout than for phi accrual at equal mean detection time. Also: every
//! figure a detector reports is one its model documents.

use hasim::runner::{self, RunOptions, RunResult};
use hasim::scenario::Scenario;
use hasim::sweep::aggregate;
use hasim::sweep::output::{Header, FORMAT};
use hasim::sweep::seeds::{SeedPlan, SeedRange};
use hasim::sweep::{run_sweep, SeedRunner, Settings};
use indicatif::ProgressBar;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// Seeds per level: each run has 10 watched members crashing about every 30 s for 2 s
/// over 300 s (about 90 failures at random phases) and tens of thousands of messages.
const SEEDS: u64 = 8;

/// A detection scenario: `members` watched members (behind node 0, the monitor, when
/// `monitor`), random crashes of the members, one latency for every path, and `loss`.
fn scenario(model: &str, params: &str, monitor: bool, latency: &str, loss: f64) -> Scenario {
    let monitor = if monitor {
        format!("[[group]]\nrole = \"monitor\"\nprotocol = \"{model}\"\n")
    } else {
        String::new()
    };
    let text = format!(
        r#"
[scenario]
name = "detection_sweep_{model}"
description = "{model} under random crashes at loss {loss}"
duration = "300s"

[network]
latency = {latency}
loss = {loss}

{monitor}
[[group]]
role = "member"
count = 10
protocol = "{model}"
params = {params}

[faults.random]
# Repairs of exactly 2 s: longer than any detection time here, so no restart comes
# before its crash is detected (an exponential repair could be over in 10 ms, and
# the monitor would then suspect a node that is already back).
crash = {{ mtbf = "30s", mttr = {{ dist = "constant", value = "2s" }}, target = "role:member" }}
"#
    );
    hasim::Registry::builtin()
        .parse(&text, Path::new("tests/detection.rs"))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// One seed of a scenario, as `hasim sweep` runs it.
struct Runs(Scenario);

impl SeedRunner for Runs {
    fn run(&self, seed: u64) -> Result<RunResult, String> {
        let opts = RunOptions {
            seed,
            ..RunOptions::default()
        };
        runner::run(&self.0, &opts).map_err(|e| e.to_string())
    }

    fn blank(&self, seed: u64) -> RunResult {
        panic!("{}: seed {seed} panicked", self.0.name)
    }
}

/// The mean over `SEEDS` seeds of each of `figures`, from the sweep's aggregate.
fn sweep(s: Scenario, figures: &[&str]) -> Vec<f64> {
    let seeds = SeedRange::until(1, 1 + SEEDS);
    let settings = Settings {
        plan: SeedPlan {
            range: seeds,
            shard: None,
        },
        jobs: std::thread::available_parallelism().map_or(1, usize::from),
        check_determinism: false,
    };
    let runs = Runs(s);
    let stop = AtomicBool::new(false);
    let results = run_sweep(&runs, &settings, &stop, &ProgressBar::hidden()).expect("runs");
    let header = Header {
        format: FORMAT.to_string(),
        scenario: runs.0.name.clone(),
        model: runs.0.model.clone(),
        scenario_hash: runs.0.hash.clone(),
        hasim_version: runner::VERSION.to_string(),
        seeds,
        shard: None,
        runs: results.len() as u64,
        complete: true,
    };
    let agg = aggregate::aggregate(&runs.0.entry, &header, &results);
    figures
        .iter()
        .map(|f| {
            agg.figures
                .get(*f)
                .unwrap_or_else(|| panic!("{}: no figure {f}", runs.0.name))
                .mean
        })
        .collect()
}

const RATE: &str = "false_suspicions_per_node_hour";

fn jitter(sd_ms: u64) -> String {
    format!(r#"{{ dist = "normal", mean = "20ms", sd = "{sd_ms}ms" }}"#)
}

#[test]
fn loss_raises_false_suspicions_of_every_detector() {
    // Tolerance: each detector's mean false suspicions per node-hour over 8 seeds
    // strictly rise from level to level (10 %, 20 %, 30 % loss on every message).
    let levels = [0.1, 0.2, 0.3];
    let latency = r#"{ dist = "uniform", min = "1ms", max = "5ms" }"#;
    let detectors: [(&str, &str, &str, bool); 5] = [
        (
            "fixed timeout",
            "heartbeat",
            r#"{ interval = "100ms", timeout = "350ms" }"#,
            true,
        ),
        (
            "pull, 3 missed",
            "heartbeat",
            r#"{ mode = "pull", interval = "100ms", rule = "missed", missed = 3 }"#,
            true,
        ),
        (
            "phi accrual",
            "phi_accrual",
            r#"{ interval = "100ms", min_sd = "60ms", acceptable_pause = "0s", first_estimate = "100ms", window = 200 }"#,
            true,
        ),
        (
            "swim",
            "swim",
            r#"{ period = "200ms", ping_timeout = "50ms", suspicion_timeout = "1s" }"#,
            false,
        ),
        (
            "prometheus",
            "prometheus",
            r#"{ scrape_interval = "1s", scrape_timeout = "500ms", evaluation_interval = "1s", for = "1s", delivery_delay = "0s" }"#,
            true,
        ),
    ];
    for (name, model, params, monitor) in detectors {
        let rates: Vec<f64> = levels
            .iter()
            .map(|&loss| sweep(scenario(model, params, monitor, latency, loss), &[RATE])[0])
            .collect();
        eprintln!("loss {levels:?}: {name} false suspicions per node-hour {rates:.1?}");
        for w in rates.windows(2) {
            assert!(w[1] > w[0], "{name} must rise with loss: {rates:?}");
        }
    }
}

#[test]
fn jitter_raises_false_suspicions_of_a_fixed_timeout_faster_than_of_phi_accrual() {
    // Phi accrual on 100 ms heartbeats; a fixed timeout calibrated to phi's mean
    // detection time at the calmest level (within 2 %: T + d − P/2 with d = 20 ms,
    // P = 100 ms). Then latency jitter grows (sd 2, 15, 22, 30 ms; 8 seeds each).
    // Tolerance: at the calmest level both make at most 5 mistakes per node-hour;
    // the fixed timeout's rate rises at every level and phi's never falls by more
    // than 5; at the roughest level the fixed timeout makes at least 3 times as many,
    // and over the sweep its rate rises by at least 3 times as much.
    let phi = r#"{ interval = "100ms", threshold = 3.0, window = 200, min_sd = "20ms", acceptable_pause = "0s", first_estimate = "100ms" }"#;
    let figures = [RATE, "detection_first_mean"];
    let levels = [2, 15, 22, 30];
    let calm = jitter(levels[0]);
    let phi_detection = sweep(scenario("phi_accrual", phi, true, &calm, 0.0), &figures)[1];
    let timeout_ms = ((phi_detection - 0.020 + 0.050) * 1000.0).round();
    let fixed = format!(r#"{{ interval = "100ms", timeout = "{timeout_ms}ms" }}"#);
    let fixed_detection = sweep(scenario("heartbeat", &fixed, true, &calm, 0.0), &figures)[1];
    assert!(
        (fixed_detection - phi_detection).abs() / phi_detection < 0.02,
        "calibration: fixed {fixed_detection}s, phi {phi_detection}s"
    );
    let mut rows = Vec::new();
    for sd in levels {
        let latency = jitter(sd);
        let p = sweep(scenario("phi_accrual", phi, true, &latency, 0.0), &figures);
        let f = sweep(scenario("heartbeat", &fixed, true, &latency, 0.0), &figures);
        eprintln!(
            "jitter sd {sd:>2} ms: false suspicions per node-hour fixed {:>7.1} phi {:>6.1}; \
             detection fixed {:.4}s phi {:.4}s",
            f[0], p[0], f[1], p[1]
        );
        rows.push((f[0], p[0]));
    }
    let (first, last) = (rows[0], rows[rows.len() - 1]);
    assert!(first.0 <= 5.0 && first.1 <= 5.0, "{rows:?}");
    for w in rows.windows(2) {
        assert!(w[1].0 > w[0].0, "fixed must rise: {rows:?}");
        assert!(w[1].1 + 5.0 >= w[0].1, "phi must not fall: {rows:?}");
    }
    assert!(last.0 >= 3.0 * last.1, "{rows:?}");
    assert!(last.0 - first.0 >= 3.0 * (last.1 - first.1), "{rows:?}");
}

#[test]
fn every_figure_a_detector_reports_is_documented() {
    for name in ["heartbeat", "phi_accrual", "swim", "prometheus"] {
        let path = format!("scenarios/detection_compare_{name}.toml");
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&path))
            .expect("the compare scenario");
        let s = hasim::Registry::builtin()
            .parse(&text, Path::new(&path))
            .unwrap_or_else(|e| panic!("{e}"));
        let result = runner::run(&s, &RunOptions::default()).expect("runs");
        let model = s.entry.clone();
        let docs = (model.figures)();
        let documented: Vec<&str> = docs.iter().map(|f| &*f.name).collect();
        for figure in result.figures.keys() {
            let known = documented.iter().any(|d| {
                *d == figure || d.strip_suffix('*').is_some_and(|p| figure.starts_with(p))
            });
            assert!(known, "{name} reports {figure}, which it does not document");
        }
        assert!(
            result.figures.contains_key("detection_first_mean"),
            "{name}"
        );
    }
}
