//! Sweeps from the outside: results identical whatever `--jobs`, shards merging into
//! exactly the unsharded sweep, panicking and nondeterministic models as failing
//! seeds, Ctrl-C leaving a clean prefix, exit codes, and the statistics against
//! values worked out by hand.

use hasim::models::Lookup;
use hasim::runner::{CheckResult, RunResult, Verdict};
use hasim::sweep::aggregate::{self, NONDETERMINISTIC, PANICKED};
use hasim::sweep::output::{self, Header};
use hasim::sweep::seeds::{SeedPlan, SeedRange};
use hasim::sweep::{run_sweep, stats, SeedRunner, Settings};
use indicatif::ProgressBar;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

const QUICKSTART: &str = "scenarios/quickstart.toml";

fn hasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the hasim binary runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

fn ok(o: &Output) -> String {
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

#[test]
fn jobs_1_and_jobs_2_write_byte_identical_results() {
    let dir = temp_dir("sweep_jobs");
    let (one, two) = (dir.join("j1.jsonl"), dir.join("j2.jsonl"));
    let table1 = ok(&hasim(&[
        "sweep",
        QUICKSTART,
        "--seeds",
        "0..12",
        "--jobs",
        "1",
        "--out",
        path(&one),
    ]));
    let table2 = ok(&hasim(&[
        "sweep",
        QUICKSTART,
        "--seeds",
        "0..12",
        "--jobs",
        "2",
        "--out",
        path(&two),
    ]));
    let (a, b) = (std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    assert!(a == b, "results differ between --jobs 1 and --jobs 2");
    assert_eq!(table1, table2);
    let file = output::read(&one).expect("reads back");
    assert_eq!(file.results.len(), 12);
    assert!(file.header.complete && file.header.shard.is_none());
    let seeds: Vec<u64> = file.results.iter().map(|r| r.seed).collect();
    assert_eq!(seeds, (0..12).collect::<Vec<_>>());
    assert!(table1.contains("95% CI") && table1.contains("availability"));
}

#[test]
fn shards_merged_equal_the_unsharded_sweep() {
    let dir = temp_dir("sweep_shards");
    let whole = dir.join("whole.jsonl");
    let whole_json = ok(&hasim(&[
        "sweep",
        QUICKSTART,
        "--seeds",
        "5..=17",
        "--json",
        "--out",
        path(&whole),
    ]));
    let mut shards = Vec::new();
    for k in 1..=3 {
        let shard = dir.join(format!("shard{k}.jsonl"));
        let shard_arg = format!("{k}/3");
        ok(&hasim(&[
            "sweep",
            QUICKSTART,
            "--seeds",
            "5..=17",
            "--shard",
            &shard_arg,
            "--out",
            path(&shard),
            "--quiet",
        ]));
        shards.push(shard);
    }
    let merged = dir.join("merged.jsonl");
    // Out of order on purpose: merge sorts by seed.
    let merged_json = ok(&hasim(&[
        "merge",
        path(&shards[2]),
        path(&shards[0]),
        path(&shards[1]),
        "--json",
        "--out",
        path(&merged),
    ]));
    assert_eq!(merged_json, whole_json, "aggregates differ");
    assert!(
        std::fs::read(&merged).unwrap() == std::fs::read(&whole).unwrap(),
        "the merged results file differs from the unsharded one"
    );

    // A missing shard is a gap: refused (exit 2) unless --allow-gaps.
    let gap = hasim(&["merge", path(&shards[0]), path(&shards[2])]);
    assert_eq!(gap.status.code(), Some(2));
    let err = String::from_utf8_lossy(&gap.stderr);
    assert!(
        err.contains("4 of the 13 seeds") && err.contains("6, 9, 12, 15"),
        "{err}"
    );
    let allowed = hasim(&["merge", path(&shards[0]), path(&shards[2]), "--allow-gaps"]);
    assert_eq!(allowed.status.code(), Some(0));
    // A shard given twice is refused.
    let twice = hasim(&["merge", path(&shards[0]), path(&shards[0])]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("appears twice"));
}

#[test]
fn merge_refuses_shards_of_another_scenario() {
    let dir = temp_dir("sweep_mismatch");
    let edited = dir.join("edited.toml");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(QUICKSTART)).unwrap();
    std::fs::write(
        &edited,
        text.replace("loss = \"1/1000\"", "loss = \"1/500\""),
    )
    .unwrap();
    let (a, b) = (dir.join("a.jsonl"), dir.join("b.jsonl"));
    ok(&hasim(&[
        "sweep",
        QUICKSTART,
        "--seeds",
        "0..4",
        "--shard",
        "1/2",
        "-q",
        "--out",
        path(&a),
    ]));
    ok(&hasim(&[
        "sweep",
        path(&edited),
        "--seeds",
        "0..4",
        "--shard",
        "2/2",
        "-q",
        "--out",
        path(&b),
    ]));
    let o = hasim(&["merge", path(&a), path(&b)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("scenario hash"));
}

#[test]
fn violations_exit_1_and_list_failing_seeds_with_replay_commands() {
    let dir = temp_dir("sweep_violations");
    let strict = dir.join("strict.toml");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(QUICKSTART)).unwrap();
    std::fs::write(
        &strict,
        text.replace("availability = \">= 85%\"", "availability = \">= 99.99%\""),
    )
    .unwrap();
    let o = hasim(&["sweep", path(&strict), "--seeds", "0..12", "-q"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("12 of 12"), "{out}");
    assert!(out.contains("failing seeds (12)"), "{out}");
    assert!(out.contains("--seed 9 "), "{out}");
    assert!(out.contains("and 2 more"), "{out}");
}

#[test]
fn bad_input_exits_2() {
    for args in [
        &["sweep", QUICKSTART, "--seeds", "9..3"][..],
        &["sweep", QUICKSTART, "--seeds", "0..3", "--shard", "4/3"],
        &["sweep", QUICKSTART, "--seeds", "0..3", "--jobs", "0"],
        &["sweep", "scenarios/no_such_file.toml", "--seeds", "0..3"],
        &[
            "sweep",
            QUICKSTART,
            "--seeds",
            "0..3",
            "--out",
            "no/such/dir/r.jsonl",
        ],
        &["merge", "Cargo.toml"],
    ] {
        let o = hasim(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn check_determinism_passes_on_a_deterministic_scenario() {
    let out = ok(&hasim(&[
        "sweep",
        QUICKSTART,
        "--seeds",
        "0..4",
        "--check-determinism",
        "-q",
    ]));
    assert!(out.contains("4 passed, 0 failed"), "{out}");
}

/// A stand-in model: figure `x` = seed, one check that fails on seeds divisible by 5,
/// a panic on seed 3, and (when `flaky`) a different trace hash on every run of
/// seed 7.
struct StandIn {
    flaky: bool,
    calls: AtomicU64,
}

impl SeedRunner for StandIn {
    fn run(&self, seed: u64) -> Result<RunResult, String> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        if seed == 3 {
            panic!("model invariant broken on seed {seed}");
        }
        let mut r = self.blank(seed);
        r.outcome = "completed".into();
        r.figures.insert("x".into(), seed as f64);
        r.trace_hash = if self.flaky && seed == 7 {
            format!("{call:016x}")
        } else {
            format!("{seed:016x}")
        };
        r.checks.push(CheckResult {
            name: "x not a multiple of 5".into(),
            passed: seed % 5 != 0,
            verdict: if seed % 5 != 0 {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            why: None,
            measured: Some(seed as f64),
            expected: "x % 5 != 0".into(),
        });
        Ok(r)
    }

    fn blank(&self, seed: u64) -> RunResult {
        RunResult {
            scenario: "stand-in".into(),
            scenario_hash: "0123456789abcdef".into(),
            hasim_version: "test".into(),
            seed,
            outcome: String::new(),
            sim_time_s: 0.0,
            events: 0,
            trace_hash: String::new(),
            figures: Default::default(),
            checks: Vec::new(),
            violation: None,
            trace_tail: Vec::new(),
            replay: format!("hasim replay stand-in.toml --seed {seed}"),
        }
    }
}

fn header(range: SeedRange, runs: usize) -> Header {
    Header {
        format: output::FORMAT.into(),
        scenario: "stand-in".into(),
        model: "stand-in".into(),
        scenario_hash: "0123456789abcdef".into(),
        hasim_version: "test".into(),
        seeds: range,
        shard: None,
        runs: runs as u64,
        complete: true,
    }
}

fn settings(range: &str, jobs: usize, check_determinism: bool) -> Settings {
    Settings {
        plan: SeedPlan {
            range: range.parse().unwrap(),
            shard: None,
        },
        jobs,
        check_determinism,
    }
}

#[test]
fn a_panicking_model_is_a_failing_seed_and_the_sweep_goes_on() {
    let model = StandIn {
        flaky: false,
        calls: AtomicU64::new(0),
    };
    let s = settings("0..12", 2, false);
    let never = AtomicBool::new(false);
    let results = run_sweep(&model, &s, &never, &ProgressBar::hidden()).expect("sweep runs");
    assert_eq!(results.len(), 12, "the sweep went on past the panic");
    let panicked = &results[3];
    assert_eq!(panicked.outcome, PANICKED);
    let message = panicked.violation.as_deref().unwrap();
    assert!(
        message.contains("model invariant broken on seed 3") && message.contains("sweep.rs"),
        "{message}"
    );
    assert_eq!(panicked.replay, "hasim replay stand-in.toml --seed 3");

    // The stand-in is no registered model: ping's entry gives `x` its unit (a count).
    let ping = hasim::Registry::builtin()
        .find("ping")
        .expect("built in")
        .clone();
    let agg = aggregate::aggregate(&ping, &header(s.plan.range, 12), &results);
    // Seeds 0, 5, 10 fail the check; seed 3 panicked.
    assert_eq!((agg.passed, agg.failed), (8, 4));
    assert_eq!(agg.exit_code(), 1);
    let failing: Vec<u64> = agg.failing.iter().map(|f| f.seed).collect();
    assert_eq!(failing, [0, 3, 5, 10]);
    assert_eq!(agg.checks[0].violated, 3);
    assert_eq!(agg.checks[0].judged, 11, "a panicked seed judges nothing");
    assert_eq!(agg.outcomes[PANICKED], 1);
    // x over the 11 seeds that reported it: 0..12 without 3.
    let x = &agg.figures["x"];
    assert_eq!(x.n, 11);
    assert!((x.mean - 63.0 / 11.0).abs() < 1e-12);
}

#[test]
fn check_determinism_names_a_nondeterministic_seed() {
    let model = StandIn {
        flaky: true,
        calls: AtomicU64::new(0),
    };
    let never = AtomicBool::new(false);
    let results = run_sweep(
        &model,
        &settings("6..9", 1, true),
        &never,
        &ProgressBar::hidden(),
    )
    .unwrap();
    assert_eq!(model.calls.load(Ordering::SeqCst), 6, "each seed twice");
    assert_eq!(results[0].outcome, "completed");
    assert_eq!(results[1].outcome, NONDETERMINISTIC);
    let why = results[1].violation.as_deref().unwrap();
    assert!(why.contains("trace_hash"), "{why}");
    // A panic that repeats itself is deterministic.
    let results = run_sweep(
        &model,
        &settings("3", 1, true),
        &never,
        &ProgressBar::hidden(),
    )
    .unwrap();
    assert_eq!(results[0].outcome, PANICKED);
}

#[test]
fn a_stopped_sweep_keeps_a_prefix_of_its_seeds() {
    let model = StandIn {
        flaky: false,
        calls: AtomicU64::new(0),
    };
    let stop = AtomicBool::new(false);
    struct Stopping<'a>(&'a StandIn, &'a AtomicBool);
    impl SeedRunner for Stopping<'_> {
        fn run(&self, seed: u64) -> Result<RunResult, String> {
            if seed == 40 {
                self.1.store(true, Ordering::SeqCst);
            }
            self.0.run(seed)
        }
        fn blank(&self, seed: u64) -> RunResult {
            self.0.blank(seed)
        }
    }
    let results = run_sweep(
        &Stopping(&model, &stop),
        &settings("0..1000", 2, false),
        &stop,
        &ProgressBar::hidden(),
    )
    .unwrap();
    let n = results.len() as u64;
    assert!((41..1000).contains(&n), "{n}");
    assert!(results.iter().map(|r| r.seed).eq(0..n));
}

#[test]
fn statistics_match_values_worked_out_by_hand() {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, s = √(32/7) = 2.13809, s/√8 = 0.755929,
    // t(0.975, 7) = 2.364624, half-width 1.787488.
    let s = stats::summarize(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
    assert_eq!(s.mean, 5.0);
    assert!((s.ci95_low.unwrap() - 3.212512).abs() < 1e-6);
    assert!((s.ci95_high.unwrap() - 6.787488).abs() < 1e-6);
    assert_eq!((s.p50, s.min, s.max), (4.5, 2.0, 9.0));
    // 1..=100: mean 50.5, s = 29.011492, t(0.975, 99) = 1.984217, half-width 5.756509.
    let v: Vec<f64> = (1..=100).map(f64::from).collect();
    let s = stats::summarize(&v).unwrap();
    assert_eq!(s.mean, 50.5);
    assert!((s.ci95_half_width().unwrap() - 5.756509).abs() < 1e-6);
    assert!((s.p90 - 90.1).abs() < 1e-12 && (s.p99 - 99.01).abs() < 1e-12);
    assert!((stats::t_975(99) - 1.984217).abs() < 1e-6);
}

/// Ctrl-C on the real binary: exit 130, the finished prefix written and aggregated.
#[cfg(unix)]
#[test]
fn sigint_writes_what_finished_and_exits_130() {
    let dir = temp_dir("sweep_sigint");
    let out = dir.join("partial.jsonl");
    let child = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(["sweep", QUICKSTART, "--seeds", "0..1000000", "-j", "2"])
        .args(["--out", path(&out)])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the hasim binary starts");
    // Long enough for the handler to be installed (it is, right after loading).
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let o = child.wait_with_output().expect("the sweep ends");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(130), "{stdout}{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(stdout.contains("(INCOMPLETE)"), "{stdout}");
    let file = output::read(&out).expect("the finished seeds were written");
    assert!(!file.header.complete);
    let n = file.results.len() as u64;
    assert!(n < 1_000_000);
    assert!(file.results.iter().map(|r| r.seed).eq(0..n), "a prefix");
}
