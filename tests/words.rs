//! Words, not numbers, where there is nothing to measure: a figure with no value
//! prints "– (no crash)" in every output and survives a results file read back; a
//! check that never ran is `unmeasured`, never `pass`.

use crate::support::{hasim, run, temp_dir};
use hasim::runner::{self, RunOptions};
use hasim::scenario::Scenario;
use hasim::timeline::html;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A balancer crash and no backend crash: nothing for backend detection to time.
const VIP: &str = "scenarios/balancing_vip_failover.toml";

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_detection_time_with_no_crash_has_no_value_in_run_json_and_html() {
    let scenario = hasim::Registry::builtin().load(Path::new(VIP)).unwrap();
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

/// `base` with `extra` checks appended, written where the tests keep their files.
fn with_checks(base: &str, name: &str, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(base).unwrap();
    let path = temp_dir("words_checks").join(name);
    std::fs::write(&path, format!("{text}\n{extra}")).unwrap();
    path
}

fn run_seed_1(path: &Path) -> (Scenario, runner::RunResult) {
    let scenario = hasim::Registry::builtin().load(path).unwrap();
    let result = run(&scenario, 1);
    (scenario, result)
}

fn line_of<'a>(summary: &'a str, check: &str) -> &'a str {
    summary
        .lines()
        .find(|l| l.contains(check))
        .unwrap_or_else(|| panic!("no line for {check:?} in\n{summary}"))
}

#[test]
fn each_end_check_prints_its_own_verdict_and_message_and_measured_values_read_in_the_bounds_unit() {
    let path = with_checks(
        "scenarios/replication_isr_unclean_unsafe.toml",
        "isr_end_checks.toml",
        "[[check]]\nat_end = \"linearizable\"\n\n\
         [[check]]\nfailover_time_mean = \"<= 1ms\"\n\n\
         [[check]]\nrecovery_time_mean = \"<= 0.01m\"\n",
    );
    let (scenario, result) = run_seed_1(&path);
    let text = hasim::report::summary(&scenario, &result);
    // Judged and held: a pass, not "not measured".
    let linearizable = line_of(&text, "at end linearizable");
    assert!(linearizable.trim_start().starts_with("pass"), "{text}");
    assert!(!text.contains("not measured"), "{text}");
    // Judged and failed: FAIL with the end check's own message.
    let lost = line_of(&text, "at end no_lost_writes");
    assert!(lost.trim_start().starts_with("FAIL"), "{text}");
    assert!(lost.contains("acknowledged writes lost"), "{text}");
    // Measured values in the bound's unit: ms beside "1ms", minutes beside "0.01m".
    let in_unit = |check: &str, figure: &str, suffix: &str, scale: f64| {
        let line = line_of(&text, check);
        assert!(line.trim_start().starts_with("FAIL"), "{line}");
        let measured = line.split("measured ").nth(1).expect("a measured value");
        let number = measured
            .strip_suffix(suffix)
            .unwrap_or_else(|| panic!("{measured:?} is not in {suffix}"));
        let value: f64 = number.parse().unwrap();
        let expected = result.figures[figure] / scale;
        assert!(
            (value - expected).abs() <= expected * 0.005,
            "{line}: {value} vs {expected}"
        );
    };
    in_unit(
        "failover_time_mean <= 1ms",
        "failover_time_mean",
        "ms",
        1e-3,
    );
    in_unit(
        "recovery_time_mean <= 0.01m",
        "recovery_time_mean",
        "m",
        60.0,
    );
}

#[test]
fn a_check_with_nothing_to_measure_is_unmeasured_and_fails() {
    let path = with_checks(
        VIP,
        "vip_unmeasured.toml",
        "[[check]]\ndetection_max = \"<= 1s\"\n",
    );
    let (scenario, result) = run_seed_1(&path);
    let check = result
        .checks
        .iter()
        .find(|c| c.name == "detection_max <= 1s")
        .unwrap();
    assert_eq!(check.verdict, runner::Verdict::Unmeasured);
    assert!(!check.passed && !result.passed());
    let text = hasim::report::summary(&scenario, &result);
    let line = line_of(&text, "detection_max <= 1s");
    assert!(line.trim_start().starts_with("UNMEASURED"), "{line}");
    assert!(line.contains("no crash"), "{line}");
    let run = hasim(&["run", path.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1), "{}", stdout(&run));
}

#[test]
fn a_liveness_check_the_run_stopped_before_is_unmeasured_one_seen_holding_passes() {
    // one_primary is violated at 7.01s, before the partition heals at 10s.
    let path = with_checks(
        "scenarios/replication_primary_backup_lease_no_margin_unsafe.toml",
        "pb_stopped.toml",
        "[[check]]\neventually = \"primary\"\nwithin = \"2s\"\n\n[[check]]\nsometimes = \"primary\"\n",
    );
    let (_, result) = run_seed_1(&path);
    assert_eq!(result.outcome, "violated");
    let verdict = |name: &str| {
        let c = result.checks.iter().find(|c| c.name == name).unwrap();
        (c.verdict, c.why.clone())
    };
    let (eventually, why) = verdict("eventually primary within 2s");
    assert_eq!(eventually, runner::Verdict::Unmeasured, "{why:?}");
    assert!(why.unwrap().contains("the run stopped at"));
    assert_eq!(verdict("sometimes primary").0, runner::Verdict::Pass);
    assert_eq!(verdict("always one_primary").0, runner::Verdict::Fail);
}

#[test]
fn a_failing_seed_names_its_check_and_its_value_in_the_bounds_unit() {
    let path = with_checks(
        VIP,
        "vip_minutes.toml",
        "[[check]]\nlatency_p99 = \"<= 0.001m\"\n",
    );
    let sweep = hasim(&["sweep", path.to_str().unwrap(), "--seeds", "1..=2", "-q"]);
    let text = stdout(&sweep);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("seed 1:"))
        .unwrap_or_else(|| panic!("no failing seed 1 in\n{text}"));
    assert!(
        line.contains("latency_p99 <= 0.001m FAIL: measured 0.") && line.contains("m [run "),
        "{line}"
    );
}

#[test]
fn every_log_line_of_a_parallel_sweep_carries_its_seed() {
    let o = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(["sweep", VIP, "--seeds", "1..=4", "--jobs", "2", "-q"])
        .env("RUST_LOG", "debug")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("hasim runs");
    let logs = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = logs.lines().filter(|l| l.contains("DEBUG")).collect();
    assert!(lines.len() > 100, "too few log lines to judge:\n{logs}");
    for seed in 1..=4 {
        let label = format!("run{{seed={seed}}}");
        assert!(
            lines.iter().any(|l| l.contains(&label)),
            "no line of seed {seed}"
        );
    }
    let unlabelled: Vec<&&str> = lines.iter().filter(|l| !l.contains("run{seed=")).collect();
    assert!(
        unlabelled.is_empty(),
        "lines without a seed: {unlabelled:?}"
    );
}
