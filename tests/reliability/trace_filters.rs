//! Trace filters (issue 19): `--trace-node`, `--trace-verb`, `--trace-from` and
//! `--trace-until` write exactly the records of the full trace that match (in the
//! same order, the same bytes), leave the run and its trace hash as they were, and
//! refuse an unknown node or verb, a time without its unit, an empty window, and a
//! filter without `--trace` (it would do nothing).

use super::{hasim, temp_dir, text};
use serde_json::Value;

const QUICKSTART: &str = "scenarios/quickstart.toml";

/// `hasim run quickstart --seed 3 --json --trace FILE ARGS`: the result and the lines.
fn traced(file: &std::path::Path, args: &[&str]) -> (Value, Vec<String>) {
    let mut all = vec![
        "run",
        QUICKSTART,
        "--seed",
        "3",
        "--json",
        "--trace",
        file.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let o = hasim(&all);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{all:?}: {err}");
    let lines = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    (serde_json::from_str(&out).expect("run --json"), lines)
}

#[test]
fn filtered_traces_are_the_matching_records_of_the_whole_one() {
    let dir = temp_dir("trace_filters");
    let (whole_run, whole) = traced(&dir.join("all.jsonl"), &[]);
    // server-1 is node 0; 10 s to 20 s; crashes, restarts and deliveries.
    let (run, some) = traced(
        &dir.join("some.jsonl"),
        &[
            "--trace-node",
            "server-1",
            "--trace-verb",
            "crash,deliver",
            "--trace-verb",
            "restart",
            "--trace-from",
            "10s",
            "--trace-until",
            "20s",
        ],
    );
    assert_eq!(
        run["trace_hash"], whole_run["trace_hash"],
        "the filter changed the run"
    );
    assert_eq!(run["events"], whole_run["events"]);
    let expected: Vec<String> = whole
        .iter()
        .filter(|line| {
            let r: Value = serde_json::from_str(line).unwrap();
            let t = r["time_ns"].as_u64().unwrap();
            let node_ok = r["node"].is_null() || r["node"] == 0;
            let verb_ok = ["crash", "deliver", "restart"].contains(&r["verb"].as_str().unwrap());
            (10_000_000_000..=20_000_000_000).contains(&t) && node_ok && verb_ok
        })
        .cloned()
        .collect();
    assert!(
        expected.len() > 10 && expected.len() < whole.len() / 10,
        "{}",
        expected.len()
    );
    assert_eq!(some, expected);
}

#[test]
fn bad_trace_filters_are_refused_before_the_run() {
    let dir = temp_dir("trace_filters_bad");
    let file = dir.join("t.jsonl");
    let trace = file.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["--trace", trace, "--trace-node", "server-9"],
            "no node named \"server-9\"",
        ),
        (
            vec!["--trace", trace, "--trace-verb", "send,kill"],
            "`kill` is not a trace verb",
        ),
        (
            vec!["--trace", trace, "--trace-from", "5"],
            "expected a unit",
        ),
        (
            vec![
                "--trace",
                trace,
                "--trace-from",
                "20s",
                "--trace-until",
                "10s",
            ],
            "the window holds no record",
        ),
        (vec!["--trace-node", "server-1"], "give --trace FILE.jsonl"),
    ] {
        let mut all = vec!["run", QUICKSTART];
        all.extend_from_slice(&args);
        let o = hasim(&all);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {out}{err}");
        assert!(
            err.contains(needle),
            "{args:?}: expected {needle:?} in {err}"
        );
        assert!(out.is_empty() && !file.exists(), "{args:?}: it ran");
    }
}
