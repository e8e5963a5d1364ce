//! Words, not numbers, where there is nothing to measure: a figure with no value
//! prints "– (no crash)" in every output and survives a results file read back; a
//! check that never ran is `unmeasured`, never `pass`.

use hasim::runner::{self, RunOptions};
use hasim::scenario::Scenario;
use hasim::timeline::html;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A balancer crash and no backend crash: nothing for backend detection to time.
const VIP: &str = "scenarios/balancing_vip_failover.toml";

fn hasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("hasim runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_detection_time_with_no_crash_has_no_value_in_run_json_and_html() {
    let scenario = Scenario::load(Path::new(VIP)).unwrap();
    let opts = RunOptions {
        seed: 1,
        ..RunOptions::default()
    };
    let (result, data) = runner::run_with_timeline(&scenario, &opts).unwrap();
    assert_eq!(result.figures["crashes"], 0.0);
    for name in ["detection_mean", "detection_max"] {
        assert!(
            result.figures[name].is_nan(),
            "{name} = {} with no crash",
            result.figures[name]
        );
    }
    // JSON says null and reads back equal (NaN == NaN for results).
    let json = serde_json::to_string(&result).unwrap();
    assert!(json.contains("\"detection_mean\":null"), "{json}");
    let back: runner::RunResult = serde_json::from_str(&json).unwrap();
    assert_eq!(back, result);

    let text = stdout(&hasim(&["run", VIP]));
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("detection_mean"))
        .unwrap();
    assert!(line.ends_with("– (no crash)"), "{line}");

    let page = html::page(&scenario, &result, &data);
    assert!(
        page.contains("– (no crash)"),
        "the HTML report prints a value"
    );
}

#[test]
fn a_sweep_lists_figures_with_no_value_and_merge_reads_them_back() {
    let dir = temp_dir("words_no_value");
    let out = dir.join("vip.jsonl");
    let out = out.to_str().unwrap();
    let sweep = hasim(&["sweep", VIP, "--seeds", "1..=3", "-q", "--out", out]);
    let text = stdout(&sweep);
    assert!(
        text.contains("no value on any seed: detection_max (no crash), detection_mean (no crash)"),
        "{text}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("detection_m")),
        "zeros averaged: {text}"
    );
    let merged = hasim(&["merge", out]);
    assert_eq!(
        merged.status.code(),
        sweep.status.code(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert_eq!(
        stdout(&merged),
        text,
        "merge reads the sweep back differently"
    );
}
