//! Process isolation (issue 19): under `sweep --isolate` a seed whose run kills its
//! process is one `crashed` seed with its replay command, and the sweep goes on with
//! a new worker; without it, an abort took the whole sweep down and wrote nothing.
//! The crash is forced with the workers' test hook, `HASIM_TEST_ABORT_SEED`.

use super::text;
use hasim::sweep::isolate::ABORT_SEED_VAR;
use hasim::sweep::output;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const QUICKSTART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml");

/// `hasim sweep quickstart --seeds 0..8 -j 2 --json --out OUT` with `args`, the hook
/// set to abort on seed 3.
fn sweep_aborting_on_3(out: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args([
            "sweep", QUICKSTART, "--seeds", "0..8", "-j", "2", "-q", "--json",
        ])
        .args(["--out", out.to_str().unwrap()])
        .args(args)
        .env(ABORT_SEED_VAR, "3")
        .stdin(Stdio::null())
        .output()
        .expect("the hasim binary runs")
}

#[test]
fn a_seed_that_kills_its_worker_is_crashed_and_the_sweep_goes_on() {
    let dir = super::temp_dir("isolate_crash");
    let (isolated, plain) = (dir.join("isolated.jsonl"), dir.join("plain.jsonl"));
    let o = sweep_aborting_on_3(&isolated, &["--isolate"]);
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}{stderr}");
    // Without --isolate the hook does nothing (only workers read it): every seed passes.
    let p = sweep_aborting_on_3(&plain, &[]);
    assert_eq!(p.status.code(), Some(0), "{}", text(&p).1);

    let crashed = output::read(&isolated).expect("results written");
    let clean = output::read(&plain).expect("results written");
    assert!(crashed.header.complete);
    assert_eq!(
        crashed.results.len(),
        8,
        "the sweep went on after the crash"
    );
    for (c, p) in crashed.results.iter().zip(&clean.results) {
        if c.seed == 3 {
            assert_eq!(c.outcome, "crashed");
            let why = c.violation.as_deref().unwrap_or("");
            assert!(
                why.contains("killed its worker process") && why.contains("signal 6"),
                "{why}"
            );
            assert!(
                c.replay.starts_with("hasim replay ") && c.replay.contains("--seed 3 "),
                "{}",
                c.replay
            );
        } else {
            assert_eq!(c, p, "seed {}: isolated and in-process runs differ", c.seed);
        }
    }
    let agg: serde_json::Value = serde_json::from_str(&stdout).expect("aggregate JSON");
    let failing = agg["failing"].as_array().expect("failing seeds");
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert_eq!(failing[0]["seed"], 3);
    assert_eq!(failing[0]["outcome"], "crashed");
    assert_eq!(agg["outcomes"]["crashed"], 1);
}
