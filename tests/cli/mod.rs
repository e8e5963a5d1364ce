//! Runs the built `hasim` binary and checks outputs and exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

/// `--help` examples, completions, the man page, `--color`, flag spellings.
mod conventions;

fn hasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the hasim binary runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn run_quickstart_exits_0_with_a_summary() {
    let o = hasim(&["run", "scenarios/quickstart.toml"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    for needle in [
        "trace hash",
        "availability",
        "replay",
        "hasim replay scenarios/quickstart.toml --seed 1",
        "pass",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
}

#[test]
fn run_json_is_a_run_result() {
    let o = hasim(&["run", "scenarios/quickstart.toml", "--json", "--seed", "7"]);
    assert_eq!(o.status.code(), Some(0));
    let r: hasim::runner::RunResult = serde_json::from_slice(&o.stdout).expect("JSON RunResult");
    assert_eq!(r.seed, 7);
    assert_eq!(r.trace_hash.len(), 16);
}

#[test]
fn a_violated_check_exits_1() {
    let dir = temp_dir("violated");
    let path = dir.join("strict.toml");
    let source = std::fs::read_to_string("scenarios/quickstart.toml")
        .unwrap()
        .replace("availability = \">= 85%\"", "availability = \">= 99.99%\"");
    std::fs::write(&path, source).unwrap();
    let o = hasim(&["run", path.to_str().unwrap()]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("FAIL ") && l.contains("availability >= 99.99%")),
        "{out}"
    );
}

#[test]
fn a_violated_invariant_exits_1_with_the_trace_tail() {
    let dir = temp_dir("invariant");
    let path = dir.join("all_up.toml");
    let source = std::fs::read_to_string("scenarios/quickstart.toml")
        .unwrap()
        .replace(
            "invariant = \"ok_within_timeout\"",
            "invariant = \"all_up\"",
        );
    std::fs::write(&path, source).unwrap();
    let o = hasim(&["run", path.to_str().unwrap()]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("violation: property 'always all_up' violated at 10s"),
        "{out}"
    );
    assert!(out.contains("last trace records"), "{out}");
}

#[test]
fn bad_input_exits_2() {
    let o = hasim(&["run", "tests/bad_scenarios/unknown_field.toml"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("unknown_field.toml:"), "{err}");
    let o = hasim(&["run", "no/such/file.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = hasim(&["run"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "clap's usage error is bad input too"
    );
}

#[test]
fn check_validates_only() {
    let o = hasim(&["check", "scenarios/quickstart.toml"]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(out.contains("ok"), "{out}");
    let o = hasim(&["check", "tests/bad_scenarios/probability_above_one.toml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn check_takes_several_files_and_directories() {
    let bundled = std::fs::read_dir("scenarios")
        .expect("scenarios/")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "toml"))
        })
        .count();
    let o = hasim(&["check", "scenarios"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(out.matches(": ok — scenario").count(), bundled, "{out}");
    assert!(
        out.contains(&format!("{bundled} of {bundled} scenarios ok")),
        "{out}"
    );

    // One bad file among good ones: every file is checked, the bad one reported, exit 2.
    let o = hasim(&[
        "check",
        "scenarios/quickstart.toml",
        "tests/bad_scenarios/probability_above_one.toml",
        "scenarios/replication_raft_faults.toml",
    ]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(out.matches(": ok — scenario").count(), 2, "{out}");
    assert!(err.contains("probability_above_one.toml:"), "{err}");
    assert!(err.contains("1 of 3 scenarios are not valid"), "{err}");

    let empty = temp_dir("check_empty_dir");
    let o = hasim(&["check", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("no .toml scenario files"));
}

#[test]
fn list_takes_one_model_and_speaks_json() {
    let o = hasim(&["list", "raft"]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        out.contains("raft: ") && out.contains("election_timeout_min"),
        "{out}"
    );
    assert!(
        !out.contains("ping:") && !out.contains("FAULT KINDS"),
        "{out}"
    );
    let all = text(&hasim(&["list"])).0;
    assert!(
        out.lines().count() * 5 < all.lines().count(),
        "one model is a fraction"
    );

    let o = hasim(&["list", "raft", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let models = v["models"].as_array().expect("a list of models");
    assert_eq!(models.len(), 1);
    assert_eq!(models[0]["name"], "raft");
    let figures = models[0]["figures"].as_array().expect("figures");
    assert!(
        figures
            .iter()
            .any(|f| f["name"] == "availability" && f["unit"] == "fraction"),
        "{figures:?}"
    );
    let replica = &models[0]["roles"][0];
    assert_eq!(replica["role"], "replica");
    assert!(replica["params"]
        .as_array()
        .expect("params")
        .iter()
        .any(|p| p["name"] == "heartbeat" && p["default"] == "\"50ms\""));
    let every = hasim(&["list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&every.stdout).expect("JSON");
    assert!(v["models"].as_array().expect("models").len() >= 15);

    let o = hasim(&["list", "raf"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("no model named \"raf\"") && err.contains("raft"),
        "{err}"
    );
}

#[test]
fn list_shows_models_parameters_and_fault_kinds() {
    let o = hasim(&["list"]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    for needle in [
        "ping",
        "role client",
        "timeout",
        "\"200ms\"",
        "crash",
        "minority",
        "availability",
        "[params.ROLE]",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    // Each role's parameter table lines up: every `=` of a role in one column (a
    // name longer than the column's cap of 28 may overflow; none is today).
    let mut roles = 0;
    for block in out.split("    role ").skip(1) {
        let columns: Vec<usize> = block
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("      ") && l.contains(" = "))
            .map(|l| l.find(" = ").expect("a parameter row"))
            .collect();
        if let Some(first) = columns.first() {
            roles += 1;
            assert!(
                columns.iter().all(|c| c == first),
                "a role's parameters do not line up:\n{block}"
            );
        }
    }
    assert!(roles > 20, "{roles} roles with parameters");
}

#[test]
fn check_determinism_passes() {
    let o = hasim(&["run", "scenarios/quickstart.toml", "--check-determinism"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(err.contains("identical traces"), "{err}");
}

#[test]
fn trace_file_is_json_lines_and_replay_round_trips_the_schedule() {
    let dir = temp_dir("replay");
    let trace = dir.join("trace.jsonl");
    let o = hasim(&[
        "run",
        "scenarios/quickstart.toml",
        "--trace",
        trace.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let r: hasim::runner::RunResult = serde_json::from_slice(&o.stdout).unwrap();
    let lines = std::fs::read_to_string(&trace).unwrap();
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert!(first.get("verb").is_some());

    // replay prints the schedule; fed back, it gives the same trace hash.
    let o = hasim(&[
        "replay",
        "scenarios/quickstart.toml",
        "--seed",
        "1",
        "--trace",
        dir.join("replay.jsonl").to_str().unwrap(),
    ]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    let schedule: String = out.split("\nscenario ").next().unwrap().to_string();
    assert!(schedule.contains("kind = \"crash\""), "{schedule}");
    let file = dir.join("schedule.toml");
    std::fs::write(&file, &schedule).unwrap();
    let o = hasim(&[
        "replay",
        "scenarios/quickstart.toml",
        "--seed",
        "1",
        "--schedule",
        file.to_str().unwrap(),
        "--trace",
        dir.join("again.jsonl").to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains(&r.trace_hash), "{out}");

    // An edited schedule (the partition removed) replays differently.
    let edited = schedule
        .replace("kind = \"partition\"", "kind = \"heal\"")
        .replace("groups = [[2]]", "");
    std::fs::write(&file, edited).unwrap();
    let o = hasim(&[
        "replay",
        "scenarios/quickstart.toml",
        "--seed",
        "1",
        "--schedule",
        file.to_str().unwrap(),
        "--trace",
        dir.join("edited.jsonl").to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(!out.contains(&r.trace_hash), "{out}");

    // The replay command it prints names the schedule file and reproduces the
    // edited run, not the generated one.
    let hash_of = |out: &str| -> String {
        let line = out.lines().find(|l| l.starts_with("trace hash")).unwrap();
        line.split_whitespace().last().unwrap().to_string()
    };
    let edited_hash = hash_of(&out);
    let replay = out.lines().find(|l| l.starts_with("replay ")).unwrap();
    let command = replay.trim_start_matches("replay").trim();
    assert!(
        command.contains(&format!("--schedule {}", file.display())),
        "{command}"
    );
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let o = hasim(&args);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(hash_of(&out), edited_hash, "{out}");
}

#[test]
fn replay_warns_on_another_version() {
    // Another build may well replay the same run, so a version alone only warns; an
    // edited file is an error of its own (tests/reliability/replay.rs).
    let o = hasim(&[
        "replay",
        "scenarios/quickstart.toml",
        "--seed",
        "1",
        "--expect-version",
        "0.0.1",
        "--trace",
        temp_dir("warn").join("t.jsonl").to_str().unwrap(),
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(err.contains("recorded with hasim 0.0.1"), "{err}");
}

#[test]
fn replay_prints_the_trace_only_when_asked() {
    let o = hasim(&["replay", "scenarios/quickstart.toml", "--seed", "3"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(out.contains("trace hash"), "{out}");
    assert!(err.is_empty(), "no trace unless asked: {err}");
    let o = hasim(&[
        "replay",
        "scenarios/quickstart.toml",
        "--seed",
        "3",
        "--print-trace",
        "--trace-verb",
        "crash",
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        err.lines().count() >= 1 && err.lines().all(|l| l.contains("crash")),
        "only crash records on stderr: {err}"
    );
    let o = hasim(&[
        "replay",
        "scenarios/quickstart.toml",
        "--seed",
        "3",
        "--trace-verb",
        "crash",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a filter without a trace is refused"
    );
}

#[test]
fn rust_log_stamps_trace_lines_with_simulated_time_and_node() {
    let o = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(["run", "scenarios/quickstart.toml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_LOG", "hasim::trace=debug")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.lines()
            .any(|l| l.contains("t=10s") && l.contains("node=server-2") && l.contains("crash")),
        "{}",
        &err[..err.len().min(2000)]
    );
}
