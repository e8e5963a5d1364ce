//! `hasim replay` as an assertion (issue 19): `--expect-hash` (the scenario file) and
//! `--expect-trace-hash` (the run) end a replay that is not the recorded run with
//! exit 3, naming both hashes, so CI can tell "the run changed" from "a check failed";
//! a sweep's failing seeds carry `--expect-trace-hash` in their replay commands.

use super::{hasim, quickstart, temp_dir, text};

/// The value of the summary's `name` line ("trace hash    5f3c…").
fn summary_value(out: &str, name: &str) -> String {
    out.lines()
        .find_map(|l| l.trim_start().strip_prefix(name))
        .unwrap_or_else(|| panic!("no {name} in {out}"))
        .trim()
        .to_string()
}

/// Replays quickstart seed 1 with `extra` arguments; `dir` is the test's own.
fn replay(dir: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let trace = temp_dir(dir).join(format!("{}.jsonl", extra.len()));
    let mut args = vec![
        "replay",
        "scenarios/quickstart.toml",
        "--seed",
        "1",
        "--trace",
        trace.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = hasim(&args);
    let (out, err) = text(&o);
    (o.status.code(), out, err)
}

#[test]
fn matching_hashes_replay_normally() {
    let (code, out, err) = replay("replay_match", &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    let trace = summary_value(&out, "trace hash");
    let scenario = summary_value(&out, "scenario hash");
    let (code, out, err) = replay(
        "replay_match",
        &["--expect-hash", &scenario, "--expect-trace-hash", &trace],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!err.contains("expected"), "{err}");
}

#[test]
fn a_different_trace_hash_exits_3_naming_both() {
    let (_, out, _) = replay("replay_trace", &[]);
    let trace = summary_value(&out, "trace hash");
    let (code, out, err) = replay("replay_trace", &["--expect-trace-hash", "0123456789abcdef"]);
    assert_eq!(code, Some(3), "{out}{err}");
    assert!(
        out.contains("trace hash"),
        "the summary still prints: {out}"
    );
    assert!(
        err.contains(&format!(
            "error: the replay of seed 1 gave trace hash {trace}, expected 0123456789abcdef: the run changed"
        )),
        "{err}"
    );
}

#[test]
fn an_edited_scenario_exits_3_naming_both_hashes() {
    let (_, out, _) = replay("replay_edited", &[]);
    let scenario = summary_value(&out, "scenario hash");
    let (code, out, err) = replay("replay_edited", &["--expect-hash", "0000000000000000"]);
    assert_eq!(code, Some(3), "{out}{err}");
    assert!(
        err.contains(&format!(
            "error: scenarios/quickstart.toml has changed since the run was recorded: scenario hash {scenario}, expected 0000000000000000"
        )),
        "{err}"
    );
}

#[test]
fn a_malformed_hash_is_bad_input() {
    let (code, out, err) = replay("replay_malformed", &["--expect-trace-hash", "xyz"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("expected 16 hex digits"), "{err}");
}

#[test]
fn a_sweeps_failing_seed_replays_as_the_same_failing_run() {
    // Quickstart loses about 9% of requests, so ">= 99%" fails on every seed.
    let dir = temp_dir("replay_failing_seed");
    let path = dir.join("strict.toml");
    std::fs::write(
        &path,
        quickstart().replace("availability = \">= 85%\"", "availability = \">= 99%\""),
    )
    .unwrap();
    let o = hasim(&["sweep", path.to_str().unwrap(), "--seeds", "1", "--quiet"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    let command = out
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("hasim replay "))
        .unwrap_or_else(|| panic!("no replay command in {out}"));
    assert!(command.contains(" --expect-trace-hash "), "{command}");
    let trace = dir.join("t.jsonl");
    let mut args: Vec<&str> = command.split_whitespace().skip(1).collect();
    args.extend(["--trace", trace.to_str().unwrap()]);
    let o = hasim(&args);
    let (out, err) = text(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the same run, still failing: {out}{err}"
    );
    assert!(!err.contains("the run changed"), "{err}");
}
